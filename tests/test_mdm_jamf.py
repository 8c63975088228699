"""The Jamf kit: the configuration profile parses and carries a valid guard.json, and the
pkg postinstall runs for real (POSIX sh, on this Linux box) into a temporary target volume.

The Installer passes the target volume as $3, so the script can be pointed at a
temporary root. Only plutil (macOS) is missing here: the profile branch is
covered by parsing the profile, not by running plutil.
"""

from __future__ import annotations

import json
import os
import plistlib
import shlex
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from guard.config import load, schema
from tests.conftest import REPO, guard_exe

JAMF = REPO / "mdm" / "jamf"
SETTINGS = REPO / "mdm" / "editor-settings"
EXE = "/opt/clampd-guard/clampd-guard"
CLAUDE = "Library/Application Support/ClaudeCode/managed-settings.json"
CURSOR = "Library/Application Support/Cursor/hooks.json"
CONFIG = "Library/Application Support/clampd/guard.json"


def valid_guard_json(raw: bytes, tmp_path: Path) -> dict:
    schema.validate(raw)
    f = tmp_path / "embedded.json"
    f.write_bytes(raw)
    values, warnings, err = load.parse_file(str(f))
    assert err is None and warnings == [], (err, warnings)
    return values


def test_scripts_are_posix_sh() -> None:
    for name in ("postinstall", "build-pkg.sh"):
        script = JAMF / name
        assert script.read_text().startswith("#!/bin/sh\n")
        assert os.access(script, os.X_OK), f"{name} must be executable in git"
        for sh in ("sh", "dash"):
            if shutil.which(sh):
                r = subprocess.run([sh, "-n", str(script)], capture_output=True, text=True)
                assert r.returncode == 0, r.stderr
        if shutil.which("shellcheck"):
            r = subprocess.run(["shellcheck", "-s", "sh", str(script)], capture_output=True, text=True)
            assert r.returncode == 0, r.stdout


def test_build_script_ships_what_postinstall_reads() -> None:
    build = (JAMF / "build-pkg.sh").read_text()
    post = (JAMF / "postinstall").read_text()
    for name in ("guard.json", "claude-managed-settings.json", "cursor-hooks.json"):
        assert f'"$HERE/{name}"' in post
        assert name in build
    assert '"$KIT/editor-settings/claude-code/managed-settings.json" "$WORK/scripts/claude-managed-settings.json"' in build
    assert '"$KIT/editor-settings/cursor/hooks.json" "$WORK/scripts/cursor-hooks.json"' in build
    assert 'cp -R "$DIST" "$WORK/root/opt/clampd-guard"' in build  # the payload postinstall expects


def test_profile_is_a_plist_that_carries_the_bundled_guard_json(tmp_path: Path) -> None:
    profile = plistlib.loads((JAMF / "clampd-guard.mobileconfig").read_bytes())
    assert profile["PayloadType"] == "Configuration" and profile["PayloadScope"] == "System"
    (payload,) = profile["PayloadContent"]
    assert payload["PayloadType"] == "com.apple.ManagedClient.preferences"
    assert payload["PayloadIdentifier"].startswith(profile["PayloadIdentifier"] + ".")
    assert payload["PayloadUUID"] != profile["PayloadUUID"]
    (forced,) = payload["PayloadContent"]["com.clampd.guard"]["Forced"]
    values = forced["mcx_preference_settings"]
    # what postinstall's `plutil -convert json` makes of it must be a valid managed guard.json
    assert valid_guard_json(json.dumps(values).encode(), tmp_path) == values
    bundled = valid_guard_json((JAMF / "guard.json").read_bytes(), tmp_path)
    assert bundled == values, "the bundled guard.json and the profile should agree"
    assert values["fail_open"] is False


# ---- postinstall, run for real -------------------------------------------------------

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="postinstall chowns to root; a pkg script always runs as root")


@pytest.fixture
def pkg(tmp_path: Path) -> tuple[Path, Path]:
    """(scripts dir as build-pkg.sh assembles it, target volume with the payload installed)."""
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    shutil.copy2(JAMF / "postinstall", scripts / "postinstall")
    shutil.copy2(JAMF / "guard.json", scripts / "guard.json")
    shutil.copy2(SETTINGS / "claude-code" / "managed-settings.json", scripts / "claude-managed-settings.json")
    shutil.copy2(SETTINGS / "cursor" / "hooks.json", scripts / "cursor-hooks.json")
    target = tmp_path / "volume"
    exe = target / EXE.lstrip("/")
    exe.parent.mkdir(parents=True)
    exe.write_text(f'#!/bin/sh\nexec {shlex.quote(guard_exe()[0])} "$@"\n')
    exe.chmod(0o775)  # group-writable on purpose: postinstall must tighten it
    return scripts, target


def postinstall(scripts: Path, target: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", str(scripts / "postinstall"), "/tmp/clampd-guard.pkg", "/", str(target), "/"],
        capture_output=True, text=True, timeout=120,
    )


def mode_owner(p: Path) -> tuple[int, int, int]:
    st = p.lstat()
    return stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid


def snapshot(root: Path) -> dict:
    return {str(p.relative_to(root)): (p.read_bytes(), mode_owner(p)) for p in root.rglob("*") if p.is_file()}


@needs_root
def test_postinstall_installs_config_and_editor_settings(pkg: tuple[Path, Path]) -> None:
    scripts, target = pkg
    r = postinstall(scripts, target)
    assert r.returncode == 0, r.stdout + r.stderr
    assert mode_owner(target / EXE.lstrip("/")) == (0o755, 0, 0)
    assert mode_owner(target / "opt/clampd-guard") == (0o755, 0, 0)
    link = target / "usr/local/bin/clampd-guard"
    assert os.readlink(link) == EXE
    for rel, src in ((CONFIG, JAMF / "guard.json"),
                     (CLAUDE, SETTINGS / "claude-code/managed-settings.json"),
                     (CURSOR, SETTINGS / "cursor/hooks.json")):
        assert (target / rel).read_bytes() == src.read_bytes(), rel
        assert mode_owner(target / rel) == (0o644, 0, 0), rel
        assert mode_owner((target / rel).parent) == (0o755, 0, 0), rel
    # paths are reported as the Mac will see them, without the target volume
    assert "wrote /Library/Application Support/clampd/guard.json from the package's guard.json" in r.stdout

    # doctor ran (or, before it exists, its failure was reported without failing the install)
    assert "doctor: all checks passed" in r.stdout or "doctor reported problems" in r.stdout

    before = snapshot(target)
    r = postinstall(scripts, target)
    assert r.returncode == 0, r.stdout + r.stderr
    assert snapshot(target) == before  # a second run changes nothing and leaves no backups


@needs_root
def test_postinstall_keeps_the_organisations_claude_settings(pkg: tuple[Path, Path]) -> None:
    scripts, target = pkg
    org = target / CLAUDE
    org.parent.mkdir(parents=True)
    org.write_text('{"permissions": {"deny": ["Read(./.env)"]}}\n')
    r = postinstall(scripts, target)
    assert r.returncode == 0, r.stdout + r.stderr
    assert org.read_text() == '{"permissions": {"deny": ["Read(./.env)"]}}\n'
    dropin = org.parent / "managed-settings.d" / "50-clampd-guard.json"
    assert dropin.read_bytes() == (SETTINGS / "claude-code/managed-settings.json").read_bytes()
    assert mode_owner(dropin) == (0o644, 0, 0)


@needs_root
def test_postinstall_replaces_its_own_older_settings_with_a_backup(pkg: tuple[Path, Path]) -> None:
    scripts, target = pkg
    old = target / CURSOR
    old.parent.mkdir(parents=True)
    old.write_text(json.dumps({"version": 1, "hooks": {"beforeShellExecution": [{"command": f"{EXE} --agent cursor"}]}}))
    r = postinstall(scripts, target)
    assert r.returncode == 0, r.stdout + r.stderr
    assert old.read_bytes() == (SETTINGS / "cursor/hooks.json").read_bytes()
    assert "--agent cursor" in (old.parent / "hooks.json.clampd-backup").read_text()


@needs_root
def test_postinstall_refuses_to_overwrite_foreign_cursor_hooks(pkg: tuple[Path, Path]) -> None:
    scripts, target = pkg
    foreign = target / CURSOR
    foreign.parent.mkdir(parents=True)
    foreign.write_text('{"version": 1, "hooks": {"stop": [{"command": "/usr/bin/org-stop"}]}}')
    r = postinstall(scripts, target)
    assert r.returncode == 1
    assert "merge cursor-hooks.json into it by hand" in r.stderr
    assert foreign.read_text() == '{"version": 1, "hooks": {"stop": [{"command": "/usr/bin/org-stop"}]}}'


@needs_root
def test_postinstall_refuses_an_invalid_configuration(pkg: tuple[Path, Path]) -> None:
    scripts, target = pkg
    (scripts / "guard.json").write_text('{"fail_open": "no"}')
    r = postinstall(scripts, target)
    assert r.returncode == 1
    assert "invalid; nothing was changed" in r.stderr
    assert not (target / CONFIG).exists()


def test_postinstall_refuses_a_relative_or_missing_target(pkg: tuple[Path, Path], tmp_path: Path) -> None:
    scripts, _target = pkg
    r = postinstall(scripts, Path("someuser"))  # what a Jamf policy script would get as $3
    assert r.returncode == 1 and "not an absolute path" in r.stderr
    r = postinstall(scripts, tmp_path / "nope")
    assert r.returncode == 1 and "does not exist" in r.stderr
