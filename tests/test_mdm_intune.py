"""The Intune kit: what its PowerShell scripts embed is valid, and they use %ProgramData%.

PowerShell itself is not on this machine (no registry we can reach ships it), so the
scripts are parsed by PowerShell's own parser only where `pwsh` exists; nothing here
claims to have run them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from guard.config import load, schema
from tests.conftest import REPO

INTUNE = REPO / "mdm" / "intune"
SETTINGS = REPO / "mdm" / "editor-settings"
SCRIPTS = ("install.ps1", "detect.ps1", "remediate.ps1")


def here_strings(text: str) -> dict[str, str]:
    """``$Name = @'`` ... ``'@`` literal here-strings, by variable name."""
    return {m.group(1): m.group(2) for m in re.finditer(r"^\$(\w+) = @'\r?\n(.*?)\r?\n'@", text, re.M | re.S)}


def test_remediation_embeds_a_valid_fallback_config_and_the_shipped_settings(tmp_path: Path) -> None:
    embedded = here_strings((INTUNE / "remediate.ps1").read_text())
    assert set(embedded) == {"FallbackGuardJson", "ClaudeManagedSettings", "CursorHooks"}
    raw = embedded["FallbackGuardJson"].encode()
    schema.validate(raw)
    f = tmp_path / "guard.json"
    f.write_bytes(raw)
    values, warnings, err = load.parse_file(str(f))
    assert err is None and warnings == []
    assert values == json.loads((INTUNE / "guard.json").read_text()), "fallback and packaged guard.json differ"
    assert json.loads(embedded["ClaudeManagedSettings"]) == json.loads(
        (SETTINGS / "claude-code" / "managed-settings.windows.json").read_text())
    assert json.loads(embedded["CursorHooks"]) == json.loads((SETTINGS / "cursor" / "hooks.windows.json").read_text())


def test_packaged_guard_json_is_valid(tmp_path: Path) -> None:
    raw = (INTUNE / "guard.json").read_bytes()
    schema.validate(raw)
    assert not raw.startswith(b"\xef\xbb\xbf")
    values, warnings, err = load.parse_file(str(INTUNE / "guard.json"))
    assert err is None and warnings == [] and values["fail_open"] is False


@pytest.mark.parametrize("name", SCRIPTS)
def test_scripts_use_programdata_from_the_environment(name: str) -> None:
    text = (INTUNE / name).read_text()
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("#", "%", "-", "(")))
    # the guard's managed path on Windows is %ProgramData%\clampd\guard.json (guard/config/paths.py)
    assert "Join-Path $env:ProgramData 'clampd'" in code
    assert not re.search(r"C:\\\\?ProgramData", code, re.I), "use $env:ProgramData, not a fixed drive"
    # a 32-bit host sees Program Files (x86) as ProgramFiles
    assert "$env:ProgramW6432" in code
    assert "$ErrorActionPreference = 'Stop'" in code and "exit 1" in code


def test_detection_reports_on_stdout_and_exits_0_or_1() -> None:
    text = (INTUNE / "detect.ps1").read_text()
    exits = set(re.findall(r"\bexit (\d+)", text))
    assert exits == {"0", "1"}
    # Intune detects an installed app by exit 0 plus something on stdout
    assert re.search(r'Write-Output "clampd-guard installed and configured[^"]*"\s*\n\s*exit 0', text)


@pytest.mark.skipif(shutil.which("pwsh") is None, reason="pwsh is not installed here; the scripts were not parsed by PowerShell")
@pytest.mark.parametrize("name", SCRIPTS)
def test_powershell_parses_the_scripts(name: str) -> None:
    cmd = (
        "$e = $null; [void][System.Management.Automation.Language.Parser]::ParseFile("
        f"'{INTUNE / name}', [ref]$null, [ref]$e); if ($e) {{ $e | Out-String; exit 1 }}"
    )
    r = subprocess.run(["pwsh", "-NoProfile", "-Command", cmd], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
