"""The Ansible role in mdm/ansible, run for real with ansible-playbook against localhost.

Every run installs into a temporary root (``clampd_root``). As root (CI) the
files must be root-owned; as another user the role leaves ownership alone and
the files belong to that user. The "binary" installed is a one-line launcher
that execs this checkout's console script: the role copies whatever directory
it is given (in production the frozen onedir from packaging/). The fresh install must
also pass `clampd-guard doctor --root` with nothing but "ok" (and "skip" for per-user checks).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.conftest import REPO, guard_exe

pytestmark = pytest.mark.slow

PLAYBOOK = REPO / "mdm" / "ansible" / "playbook.yml"
EXE = "/opt/clampd-guard/clampd-guard"
AS_ROOT = os.geteuid() == 0
CONFIG = {"fail_open": False, "sensitivity": "strict", "forbid_loosening": True, "audit": True, "deadline_ms": 4000}


def ansible_playbook() -> str:
    exe = Path(sys.executable).parent / "ansible-playbook"
    if not exe.exists():
        pytest.skip("ansible-core is not installed (pip install -e '.[test]')")
    return str(exe)


@pytest.fixture
def launcher_dir(tmp_path: Path) -> Path:
    d = tmp_path / "dist" / "clampd-guard"
    d.mkdir(parents=True)
    exe = d / "clampd-guard"
    exe.write_text(f'#!/bin/sh\nexec {shlex.quote(guard_exe()[0])} "$@"\n')
    exe.chmod(0o755)
    (d / "_internal").mkdir()  # a onedir's layout: the whole tree is copied, modes kept
    (d / "_internal" / "base_library.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    (d / "_internal" / "base_library.zip").chmod(0o644)
    return d


def play(tmp_path: Path, root: Path, *, check: bool = True, **extra: object) -> tuple[int, dict, str]:
    """Run the sample playbook into ``root``; (exit code, recap counters, output)."""
    xvars = {
        "clampd_root": str(root),
        "clampd_guard_config": CONFIG,
        "ansible_python_interpreter": sys.executable,
        **extra,
    }
    vars_file = tmp_path / "vars.json"
    vars_file.write_text(json.dumps(xvars))
    cfg = tmp_path / "ansible.cfg"  # none of the machine's ansible.cfg files
    cfg.write_text("[defaults]\n")
    env = {
        **os.environ,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-local"),
        "ANSIBLE_REMOTE_TEMP": str(tmp_path / "ansible-remote"),
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_STDOUT_CALLBACK": "default",
        "ANSIBLE_CONFIG": str(cfg),
    }
    proc = subprocess.run(
        [ansible_playbook(), "-i", "localhost,", "-c", "local", str(PLAYBOOK), "-e", f"@{vars_file}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    out = proc.stdout + proc.stderr
    m = re.search(r"^localhost\s*:\s*(.*)$", out, re.M)
    recap = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(1))} if m else {}
    if check:
        assert proc.returncode == 0 and recap.get("failed") == 0, out
    return proc.returncode, recap, out


def mode_owner(p: Path) -> tuple[int, int, int]:
    st = p.lstat()
    return stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid


def owner() -> tuple[int, int]:
    return (0, 0) if AS_ROOT else (os.geteuid(), os.getegid())


def assert_installed(root: Path) -> None:
    for rel in ("etc/clampd/guard.json", "etc/claude-code/managed-settings.json", "etc/cursor/hooks.json"):
        assert mode_owner(root / rel) == (0o644, *owner()), rel
    for rel in ("etc/clampd", "etc/claude-code", "etc/cursor", "opt/clampd-guard"):
        assert mode_owner(root / rel) == (0o755, *owner()), rel
    assert mode_owner(root / EXE.lstrip("/")) == (0o755, *owner())
    assert mode_owner(root / "opt/clampd-guard/_internal") == (0o755, *owner())
    assert mode_owner(root / "opt/clampd-guard/_internal/base_library.zip") == (0o644, *owner())
    link = root / "usr/local/bin/clampd-guard"
    assert link.is_symlink() and os.readlink(link) == EXE

    assert json.loads((root / "etc/clampd/guard.json").read_text()) == CONFIG

    claude = json.loads((root / "etc/claude-code/managed-settings.json").read_text())
    assert claude["allowManagedHooksOnly"] is True
    assert set(claude["hooks"]) == {"PreToolUse", "PostToolUse", "PostToolUseFailure", "UserPromptSubmit"}
    for groups in claude["hooks"].values():
        (handler,) = [h for g in groups for h in g["hooks"]]
        assert handler == {"type": "command", "command": f'"{EXE}" hook --agent claude', "timeout": 10}
    assert claude["hooks"]["PreToolUse"][0]["matcher"] == "*"
    # the hook timeout (seconds) leaves room for the guard's own deadline
    assert 10 * 1000 > CONFIG["deadline_ms"]

    cursor = json.loads((root / "etc/cursor/hooks.json").read_text())
    assert cursor["version"] == 1
    assert set(cursor["hooks"]) == {
        "beforeShellExecution", "beforeMCPExecution", "beforeReadFile", "preToolUse", "postToolUse", "beforeSubmitPrompt",
    }
    for event, entries in cursor["hooks"].items():
        (entry,) = entries
        assert entry["command"] == f'"{EXE}" hook --agent cursor' and entry["timeout"] == 10
        assert entry.get("failClosed") is (None if event in ("postToolUse", "beforeSubmitPrompt") else True)
        assert "hooks" not in entry  # Cursor entries are flat


def run_wired(root: Path, settings_command: str, payload: dict) -> subprocess.CompletedProcess:
    """Run a command line exactly as written into the settings, with its binary re-rooted."""
    argv = shlex.split(settings_command)
    assert argv[0] == EXE
    argv[0] = str(root / EXE.lstrip("/"))
    return subprocess.run(argv, input=json.dumps(payload), capture_output=True, text=True, timeout=60)


def test_role_installs_into_a_root_idempotently_and_doctor_is_all_green(tmp_path: Path, launcher_dir: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    _rc, first, _out = play(tmp_path, root, clampd_guard_src=str(launcher_dir))
    assert first["changed"] >= 5
    assert_installed(root)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}

    _rc, second, out = play(tmp_path, root, clampd_guard_src=str(launcher_dir))
    assert second["changed"] == 0, out
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before

    # The wired command lines work: a destructive call is denied in each editor's protocol.
    claude = json.loads((root / "etc/claude-code/managed-settings.json").read_text())
    cmd = claude["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
    r = run_wired(root, cmd, {"hook_event_name": "PreToolUse", "tool_name": "Bash",
                              "tool_input": {"command": "rm -rf / --no-preserve-root"}})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"

    cursor = json.loads((root / "etc/cursor/hooks.json").read_text())
    cmd = cursor["hooks"]["beforeShellExecution"][0]["command"]
    r = run_wired(root, cmd, {"hook_event_name": "beforeShellExecution", "conversation_id": "c1",
                              "command": "rm -rf ~", "cwd": "/tmp"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["permission"] == "deny"
    r = run_wired(root, cmd, {"hook_event_name": "beforeShellExecution", "conversation_id": "c1",
                              "command": "ls -la", "cwd": "/tmp"})
    assert json.loads(r.stdout) == {"permission": "allow"}

    # `clampd-guard doctor --root` on the result is all green (it also runs the wired commands)
    exe = root / EXE.lstrip("/")
    # doctor as the installed binary runs it, on the staged root
    r = subprocess.run([str(exe), "doctor", "--root", str(root), "--json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert report["ok"] is True, r.stdout
    status = {c["name"]: c["status"] for c in report["checks"]}
    # per-user checks (audit store) do not apply to an image and are skipped; nothing may warn or fail
    assert set(status.values()) <= {"ok", "skip"}, r.stdout
    for name in ("managed config", "claude wiring", "claude self-test", "cursor wiring", "cursor self-test"):
        assert status.get(name) == "ok", (name, r.stdout)
    r = subprocess.run([str(exe), "doctor", "--root", str(root), "--no-color"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.rstrip().endswith("all green"), r.stdout + r.stderr

    # The role wires exactly what `clampd-guard install --scope managed` would: it finds nothing to do.
    for editor, rel in (("claude", "etc/claude-code/managed-settings.json"), ("cursor", "etc/cursor/hooks.json")):
        before = (root / rel).read_bytes()
        r = subprocess.run([str(exe), "install", "--editor", editor, "--scope", "managed", "--root", str(root),
                            "--exe", EXE], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and "nothing to change" in r.stdout, r.stdout + r.stderr
        assert (root / rel).read_bytes() == before


def test_existing_managed_settings_are_merged_not_replaced(tmp_path: Path, launcher_dir: Path) -> None:
    root = tmp_path / "root"
    (root / "etc/claude-code").mkdir(parents=True)
    (root / "etc/cursor").mkdir(parents=True)
    org_hook = {"type": "command", "command": "/usr/bin/org-audit", "timeout": 5}
    stale = {"type": "command", "command": f"{EXE} --agent claude", "timeout": 3}
    (root / "etc/claude-code/managed-settings.json").write_text(json.dumps({
        "permissions": {"deny": ["Read(./.env)"]},
        "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [org_hook, stale]}],
                  "Stop": [{"hooks": [org_hook]}]},
    }))
    (root / "etc/cursor/hooks.json").write_text(json.dumps({
        "version": 1, "hooks": {"stop": [{"command": "/usr/bin/org-stop"}],
                                "beforeShellExecution": [{"command": f"{EXE} --agent cursor"}]},
    }))
    play(tmp_path, root, clampd_guard_src=str(launcher_dir))

    claude = json.loads((root / "etc/claude-code/managed-settings.json").read_text())
    assert claude["permissions"] == {"deny": ["Read(./.env)"]}
    assert claude["hooks"]["Stop"] == [{"hooks": [org_hook]}]
    pre = claude["hooks"]["PreToolUse"]
    # the organisation's handler stays, the stale guard handler is replaced by the current one
    assert pre[0] == {"matcher": "Bash", "hooks": [org_hook]}
    assert [h["command"] for g in pre[1:] for h in g["hooks"]] == [f'"{EXE}" hook --agent claude']
    assert claude["allowManagedHooksOnly"] is True

    cursor = json.loads((root / "etc/cursor/hooks.json").read_text())
    assert cursor["hooks"]["stop"] == [{"command": "/usr/bin/org-stop"}]
    assert [e["command"] for e in cursor["hooks"]["beforeShellExecution"]] == [f'"{EXE}" hook --agent cursor']

    _rc, again, out = play(tmp_path, root, clampd_guard_src=str(launcher_dir))
    assert again["changed"] == 0, out


def test_install_from_an_archive_is_idempotent_too(tmp_path: Path, launcher_dir: Path) -> None:
    archive = tmp_path / "clampd-guard.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for p in sorted(launcher_dir.iterdir()):
            tar.add(p, arcname=p.name)
    root = tmp_path / "root"
    root.mkdir()
    play(tmp_path, root, clampd_guard_archive=str(archive))
    assert_installed(root)
    _rc, again, out = play(tmp_path, root, clampd_guard_archive=str(archive))
    assert again["changed"] == 0, out


def test_an_invalid_guard_config_is_refused_before_it_is_written(tmp_path: Path, launcher_dir: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    rc, recap, out = play(
        tmp_path, root, check=False, clampd_guard_src=str(launcher_dir),
        clampd_guard_config={"fail_open": "no", "deadline_ms": 4000},
    )
    assert rc != 0 and recap.get("failed") == 1, out
    assert "config validate" in out or "fail_open" in out
    assert not (root / "etc/clampd/guard.json").exists()


def test_a_hook_timeout_below_the_guard_deadline_is_refused(tmp_path: Path, launcher_dir: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    rc, recap, out = play(tmp_path, root, check=False, clampd_guard_src=str(launcher_dir), clampd_guard_hook_timeout=3)
    assert rc != 0 and recap.get("failed") == 1, out
    assert "deadline_ms" in out
    assert not (root / "etc").exists()
