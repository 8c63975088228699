"""``doctor``: green after a real install, red with a clear line when the wiring is broken, and its
self-test really runs the wired command (a wired hook that allows everything is caught)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.hookrun import CONSOLE, env_for


@pytest.fixture(autouse=True)
def patient_guard(home: Path) -> None:
    """A generous deadline: on a loaded CI machine a fresh guard's first call (it builds its
    rule cache) can exceed the default and fail open, which is not what these tests probe."""
    (home / ".clampd").mkdir(exist_ok=True)
    (home / ".clampd/guard.json").write_text(json.dumps({"deadline_ms": 60000}))


def cli(home: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = env_for(home, {"PATH": "/usr/bin:/bin"})
    p = subprocess.run([str(CONSOLE), *args], check=False, capture_output=True, env=env, cwd=cwd or home, timeout=120)
    assert b"Traceback" not in p.stderr + p.stdout, (p.stdout + p.stderr).decode()
    return p


def doctor(home: Path, *args: str) -> tuple[int, dict]:
    p = cli(home, "doctor", "--json", *args)
    return p.returncode, json.loads(p.stdout)


def lines(report: dict, name: str) -> list[dict]:
    return [c for c in report["checks"] if c["name"] == name]


def fake_guard(tmp_path: Path, body: str) -> Path:
    """A program named clampd-guard (so doctor treats it as ours) that does ``body``."""
    d = tmp_path / "fakebin"
    d.mkdir(exist_ok=True)
    exe = d / "clampd-guard"
    exe.write_text("#!/bin/sh\ncat >/dev/null\n" + body + "\n")
    exe.chmod(0o755)
    return exe


def test_green_after_install_and_red_without_wiring(home: Path) -> None:
    (home / ".claude").mkdir()  # Claude Code is installed, nothing wired yet
    code, rep = doctor(home)
    assert code == 1 and rep["ok"] is False
    (bad,) = lines(rep, "claude wiring")
    assert bad["status"] == "fail" and "does not run the guard" in bad["detail"]
    assert bad["fix"] == "clampd-guard install --editor claude"

    assert cli(home, "install", "--editor", "claude").returncode == 0
    code, rep = doctor(home)
    assert code == 0 and rep["ok"] is True, rep
    assert [c["status"] for c in lines(rep, "claude wiring")] == ["ok"]
    (st,) = lines(rep, "claude self-test")
    assert st["status"] == "ok" and "denied" in st["detail"]
    assert {c["name"] for c in rep["checks"]} >= {"guard", "user config", "managed config", "audit store", "rules", "gateway"}

    p = cli(home, "doctor")
    assert p.returncode == 0 and p.stdout.decode().rstrip().endswith("all green")


def test_uninstalled_wiring_and_missing_event_are_failures(home: Path) -> None:
    (home / ".cursor").mkdir()
    cli(home, "install", "--editor", "cursor")
    path = home / ".cursor/hooks.json"
    data = json.loads(path.read_text())
    del data["hooks"]["beforeShellExecution"]
    path.write_text(json.dumps(data))
    code, rep = doctor(home)
    assert code == 1
    (bad,) = [c for c in lines(rep, "cursor wiring") if c["status"] == "fail"]
    assert "no clampd-guard hook for beforeShellExecution" in bad["detail"]
    assert not lines(rep, "cursor self-test")  # incomplete wiring is not self-tested as fine

    cli(home, "uninstall", "--editor", "cursor")
    code, rep = doctor(home)
    assert code == 1 and "does not run the guard" in lines(rep, "cursor wiring")[0]["detail"]


def test_wiring_to_a_missing_binary_fails_and_repair_fixes_it(home: Path, tmp_path: Path) -> None:
    (home / ".claude").mkdir()
    gone = tmp_path / "gone" / "clampd-guard"
    cli(home, "install", "--editor", "claude", "--exe", str(gone))
    code, rep = doctor(home)
    assert code == 1
    (bad,) = [c for c in lines(rep, "claude wiring") if c["status"] == "fail"]
    assert str(gone) in bad["detail"] and "does not exist" in bad["detail"]

    code, rep = doctor(home, "--repair")
    assert code == 0, rep
    assert rep["repaired"] and "claude" in rep["repaired"][0]
    settings = (home / ".claude/settings.json").read_text()
    assert str(gone) not in settings and "hookmain.py" in settings
    assert lines(rep, "claude self-test")[0]["status"] == "ok"


def test_self_test_catches_a_wired_guard_that_allows_everything(home: Path, tmp_path: Path) -> None:
    (home / ".claude").mkdir()
    fake = fake_guard(tmp_path, "exit 0")  # answers "no opinion" to everything
    cli(home, "install", "--editor", "claude", "--exe", str(fake))
    code, rep = doctor(home)
    assert code == 1
    (st,) = lines(rep, "claude self-test")
    assert st["status"] == "fail" and "ALLOWED" in st["detail"]
    text = cli(home, "doctor").stdout.decode()
    assert "[FAIL] claude self-test:" in text and "fix: clampd-guard install --editor claude" in text
    assert "--repair" in cli(home, "doctor", "--repair", "--root", str(tmp_path)).stderr.decode()


def test_self_test_requires_the_benign_call_to_pass(home: Path, tmp_path: Path) -> None:
    (home / ".claude").mkdir()
    deny_all = '{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny","permissionDecisionReason":"no"}}'
    fake = fake_guard(tmp_path, f"echo '{deny_all}'")
    cli(home, "install", "--editor", "claude", "--exe", str(fake))
    code, rep = doctor(home)
    (st,) = lines(rep, "claude self-test")
    assert code == 1 and st["status"] == "fail" and "git status" in st["detail"]


def test_a_crashing_or_noisy_hook_is_not_a_deny(home: Path, tmp_path: Path) -> None:
    """Exit 1 and text before the JSON both make Claude Code run the tool."""
    (home / ".claude").mkdir()
    deny = '{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny","permissionDecisionReason":"x"}}'
    for body in ("echo boom >&2; exit 1", f"echo 'loading rules...'; echo '{deny}'"):
        fake = fake_guard(tmp_path, body)
        cli(home, "install", "--editor", "claude", "--exe", str(fake))
        code, rep = doctor(home)
        assert code == 1 and lines(rep, "claude self-test")[0]["status"] == "fail", body


def test_invalid_user_config_is_reported(home: Path) -> None:
    (home / ".clampd/guard.json").write_text('{"deadline_ms": "soon"}')
    code, rep = doctor(home)
    (c,) = lines(rep, "user config")
    assert code == 1 and c["status"] == "fail" and "deadline_ms" in c["detail"]


def test_root_mode_checks_an_image(home: Path, tmp_path: Path) -> None:
    root = tmp_path / "img"
    p = cli(home, "doctor", "--root", str(root))
    assert p.returncode == 2 and b"not a directory" in p.stderr  # a missing root is a usage error
    root.mkdir()
    code, rep = doctor(home, "--root", str(root))
    assert code == 1 and any("no managed editor settings" in c["detail"] for c in rep["checks"])

    # An image: the binary at DIR/usr/local/bin, wiring naming /usr/local/bin/clampd-guard.
    binary = root / "usr/local/bin/clampd-guard"
    binary.parent.mkdir(parents=True)
    import sys

    from tests.hookrun import FAST

    binary.write_text(f'#!/bin/sh\nexec "{sys.executable}" -I -S "{FAST}" "$@"\n')
    binary.chmod(0o755)
    (root / "etc/clampd").mkdir(parents=True)
    (root / "etc/clampd/guard.json").write_text(json.dumps({"fail_open": False}))
    for ed in ("claude", "cursor"):
        p = cli(home, "install", "--editor", ed, "--scope", "managed", "--root", str(root), "--exe", "/usr/local/bin/clampd-guard")
        assert p.returncode == 0, p.stderr
    code, rep = doctor(home, "--root", str(root))
    assert code == 0, json.dumps(rep, indent=1)
    assert [c["status"] for c in lines(rep, "claude self-test")] == ["ok"]
    assert [c["status"] for c in lines(rep, "cursor self-test")] == ["ok"]
    assert lines(rep, "managed config")[0]["status"] == "ok"

    binary.unlink()
    code, rep = doctor(home, "--root", str(root))
    assert code == 1 and any("/usr/local/bin/clampd-guard does not exist" in c["detail"] for c in rep["checks"])


def test_help_documents_root_mode(home: Path) -> None:
    out = cli(home, "doctor", "--help").stdout.decode()
    assert "DIR/etc/claude-code/managed-settings.json" in out and "DIR/etc/cursor/hooks.json" in out


def test_managed_allow_managed_hooks_only_silences_user_wiring(home: Path, tmp_path: Path) -> None:
    root = tmp_path / "img"
    binary = root / "usr/local/bin/clampd-guard"
    binary.parent.mkdir(parents=True)
    binary.write_text("#!/bin/sh\nexit 0\n")
    binary.chmod(0o755)
    managed = root / "etc/claude-code/managed-settings.json"
    managed.parent.mkdir(parents=True)
    managed.write_text(json.dumps({"allowManagedHooksOnly": True}))
    # root mode: the managed file does not wire the guard -> red
    code, rep = doctor(home, "--root", str(root))
    assert code == 1
    cli(home, "install", "--editor", "claude", "--scope", "managed", "--root", str(root), "--exe", "/usr/local/bin/clampd-guard")
    code, rep = doctor(home, "--root", str(root))
    assert not any("allowManagedHooksOnly" in c["detail"] for c in rep["checks"])
    assert lines(rep, "claude self-test")[0]["status"] == "fail"  # that binary allows everything


def test_allow_managed_hooks_only_blocks_user_wiring(home: Path, tmp_path: Path, monkeypatch) -> None:
    """In-process, with the managed settings path pointed at a temp file (it is a constant)."""
    from guard.commands import doctor as doc
    from guard.wiring import claude

    managed = tmp_path / "managed-settings.json"
    managed.write_text(json.dumps({"allowManagedHooksOnly": True, "permissions": {}}))
    monkeypatch.setattr(claude, "MANAGED_PATH", str(managed))
    assert cli(home, "install", "--editor", "claude").returncode == 0
    ctx = doc.Ctx(home=str(home), project=str(home), root=None, repair=False)
    out = [x for x in doc.check_editors(ctx) if x.name == "claude wiring"]
    bad = [x for x in out if x.status == doc.FAIL]
    assert len(bad) == 1 and "allowManagedHooksOnly" in bad[0].detail and "--scope managed" in bad[0].fix


def test_a_command_found_through_path_is_a_warning(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The old installer wrote a bare "clampd-guard": it works only if the editor's PATH has it."""
    from guard.commands import doctor as doc

    fake = fake_guard(tmp_path, "exit 0")
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin:/bin")
    settings = {"hooks": {ev: [{"matcher": "", "hooks": [{"type": "command", "command": "clampd-guard"}]}] for ev in ("PreToolUse", "PostToolUse", "PostToolUseFailure", "UserPromptSubmit")}}
    (home / ".claude").mkdir()
    (home / ".claude/settings.json").write_text(json.dumps(settings))
    ctx = doc.Ctx(home=str(home), project=str(home), root=None, repair=False)
    out = doc.check_editors(ctx)
    warn = [x for x in out if x.name == "claude wiring" and x.status == doc.WARN]
    assert len(warn) == 1 and "found through PATH" in warn[0].detail
    assert [x.status for x in out if x.name == "claude self-test"] == [doc.FAIL]  # and it allows everything


def test_switches_that_turn_hooks_off_are_failures(home: Path) -> None:
    assert cli(home, "install", "--editor", "codex").returncode == 0
    (home / ".codex/config.toml").write_text('model = "o4"\n\n[features]\nhooks = false\n')
    assert cli(home, "install", "--editor", "gemini").returncode == 0
    gem = home / ".gemini/settings.json"
    data = json.loads(gem.read_text())
    data["hooksConfig"] = {"enabled": False}
    gem.write_text(json.dumps(data))
    code, rep = doctor(home)
    assert code == 1
    codex = [c for c in lines(rep, "codex wiring") if c["status"] == "fail"]
    assert len(codex) == 1 and "[features] hooks = false" in codex[0]["detail"] and "hooks = true" in codex[0]["fix"]
    gemini = [c for c in lines(rep, "gemini wiring") if c["status"] == "fail"]
    assert len(gemini) == 1 and "hooksConfig.enabled is false" in gemini[0]["detail"]


def test_narrow_matcher_and_short_timeout_are_warnings(home: Path) -> None:
    (home / ".clampd/guard.json").write_text(json.dumps({"deadline_ms": 8000}))
    assert cli(home, "install", "--editor", "claude").returncode == 0
    path = home / ".claude/settings.json"
    data = json.loads(path.read_text())
    data["hooks"]["PreToolUse"][0]["matcher"] = "Bash"
    data["hooks"]["PostToolUse"][0]["hooks"][0]["timeout"] = 5
    path.write_text(json.dumps(data))
    code, rep = doctor(home)
    warns = [c["detail"] for c in lines(rep, "claude wiring") if c["status"] == "warn"]
    assert any("PreToolUse runs the guard only for tools matching 'Bash'" in w for w in warns)
    assert any("PostToolUse timeout 5s is not above the guard's deadline_ms 8000" in w for w in warns)
    assert code == 0  # warnings, not failures: the guard still runs and blocks
