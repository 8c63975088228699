"""``install`` / ``uninstall``: the real console script against realistic editor config files.

What a user would notice: the file written (every other byte kept), the round trip
being byte-identical, the backup, the file mode, the diff of --dry-run, a broken file
left alone, and the wired command really blocking when the editor runs it.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import subprocess
from pathlib import Path

import pytest

from tests.hookrun import CONSOLE, env_for

CLAUDE_SETTINGS = """\
{
  "$schema": "https://json.schemastore.org/claude-code-settings.json",
  "permissions": {
    "allow": [
      "Bash(npm run test:*)",
      "Read(~/.zshrc)"
    ],
    "deny": ["Bash(curl:*)"]
  },
  "env": {
    "CLAUDE_CODE_ENABLE_TELEMETRY": "0",
    "ÜNICODE": "naïve ☃"
  },
  "hooks": {
    "PreToolUse": [
      {
        "matcher": "Bash",
        "hooks": [
          {
            "type": "command",
            "command": "/usr/local/bin/my-linter --check"
          }
        ]
      }
    ],
    "Stop": [
      {
        "hooks": [{"type": "command", "command": "say done"}]
      }
    ]
  },
  "model": "opus"
}
"""

CURSOR_HOOKS = """{
    "version": 1,
    "hooks": {
        "afterFileEdit": [
            { "command": "./hooks/format.sh" }
        ],
        "beforeShellExecution": [
            { "command": "./hooks/audit.sh", "timeout": 5 }
        ]
    }
}"""

CODEX_HOOKS = """{"hooks": {"Stop": [{"hooks": [{"type": "command", "command": "notify-send done", "timeout": 3}]}]}}
"""

GEMINI_SETTINGS = """{
\t"theme": "GitHub",
\t"hooks": {
\t\t"AfterAgent": [
\t\t\t{"hooks": [{"type": "command", "command": "echo hi", "timeout": 5000}]}
\t\t]
\t}
}
"""

REQUIRED = {
    "claude": {"PreToolUse", "PostToolUse", "PostToolUseFailure", "UserPromptSubmit"},
    "cursor": {"beforeShellExecution", "beforeMCPExecution", "beforeReadFile", "preToolUse", "postToolUse", "beforeSubmitPrompt"},
    "codex": {"PreToolUse", "PostToolUse", "UserPromptSubmit"},
    "gemini": {"BeforeTool", "AfterTool", "BeforeAgent"},
    "copilot": {"preToolUse", "postToolUse", "userPromptSubmitted"},
}

USER_FILES = {
    "claude": ".claude/settings.json",
    "cursor": ".cursor/hooks.json",
    "codex": ".codex/hooks.json",
    "gemini": ".gemini/settings.json",
    "copilot": ".copilot/hooks/clampd-guard.json",
}

ORIGINALS = {"claude": CLAUDE_SETTINGS, "cursor": CURSOR_HOOKS, "codex": CODEX_HOOKS, "gemini": GEMINI_SETTINGS}


def cli(home: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = env_for(home, {"PATH": "/usr/bin:/bin"})
    p = subprocess.run([str(CONSOLE), *args], check=False, capture_output=True, env=env, cwd=cwd, timeout=60)
    assert b"Traceback" not in p.stderr, p.stderr.decode()
    return p


def ours(cmd: str) -> bool:
    return "hookmain.py" in cmd or shlex.split(cmd)[0].endswith("/clampd-guard")


def our_events(editor: str, data: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    key = "bash" if editor == "copilot" else "command"
    for ev, lst in data.get("hooks", {}).items():
        for entry in lst:
            hs = [entry] if editor in ("cursor", "copilot") else entry.get("hooks", [])
            for h in hs:
                if ours(h.get(key, "")):
                    out.setdefault(ev, []).append(h[key])
    return out


@pytest.mark.parametrize("editor", sorted(ORIGINALS))
def test_install_then_uninstall_is_byte_identical(home: Path, editor: str) -> None:
    path = home / USER_FILES[editor]
    path.parent.mkdir(parents=True)
    path.write_text(ORIGINALS[editor], encoding="utf-8")
    path.chmod(0o640)

    p = cli(home, "install", "--editor", editor)
    assert p.returncode == 0, p.stderr
    data = json.loads(path.read_text())
    wired = our_events(editor, data)
    assert set(wired) == REQUIRED[editor]
    assert all(len(v) == 1 and f"--agent {editor}" in v[0] for v in wired.values())
    # Everything that was there is still there.
    before = json.loads(ORIGINALS[editor])
    for k, v in before.items():
        if k != "hooks":
            assert data[k] == v
    for ev, lst in before.get("hooks", {}).items():
        assert data["hooks"][ev][: len(lst)] == lst
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # the user's mode is kept

    p = cli(home, "uninstall", "--editor", editor)
    assert p.returncode == 0, p.stderr
    assert path.read_bytes() == ORIGINALS[editor].encode("utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.parametrize("editor", sorted(USER_FILES))
def test_new_file_is_created_private_and_removed_again(home: Path, editor: str) -> None:
    path = home / USER_FILES[editor]
    p = cli(home, "install", "--editor", editor)
    assert p.returncode == 0, p.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert set(our_events(editor, data)) == REQUIRED[editor]
    if editor in ("cursor", "copilot"):
        assert data["version"] == 1
    if editor == "codex":
        assert set(data) == {"hooks"}  # Codex refuses any other root key
    assert not list(path.parent.glob("*.clampd-backup-*"))  # nothing to back up
    p = cli(home, "uninstall", "--editor", editor)
    assert p.returncode == 0, p.stderr
    assert not path.exists()


def test_install_twice_is_install_once(home: Path) -> None:
    path = home / USER_FILES["claude"]
    path.parent.mkdir()
    path.write_text(CLAUDE_SETTINGS)
    assert cli(home, "install", "--editor", "claude").returncode == 0
    once = path.read_bytes()
    backups = sorted(path.parent.glob("settings.json.clampd-backup-*"))
    p = cli(home, "install", "--editor", "claude")
    assert p.returncode == 0 and b"nothing to change" in p.stdout
    assert path.read_bytes() == once
    assert sorted(path.parent.glob("settings.json.clampd-backup-*")) == backups


def test_backup_holds_the_previous_file_privately(home: Path) -> None:
    path = home / USER_FILES["claude"]
    path.parent.mkdir()
    path.write_text(CLAUDE_SETTINGS)
    path.chmod(0o644)
    p = cli(home, "install", "--editor", "claude")
    (backup,) = path.parent.glob("settings.json.clampd-backup-*")
    assert str(backup) in p.stdout.decode()
    assert backup.read_text() == CLAUDE_SETTINGS
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_changed_guard_path_replaces_our_old_entry(home: Path) -> None:
    """An older install (another path, an event we no longer wire) is replaced, not duplicated."""
    old_cmd = "/opt/old-venv/bin/python -I -S /opt/old-venv/lib/guard/hookmain.py"
    settings = json.loads(CLAUDE_SETTINGS)
    settings["hooks"]["PreToolUse"].append({"matcher": "*", "hooks": [{"type": "command", "command": old_cmd, "timeout": 10}]})
    settings["hooks"]["PermissionRequest"] = [{"matcher": "", "hooks": [{"type": "command", "command": "/usr/local/bin/clampd-guard"}]}]
    # our handler sharing a group with someone else's: only ours goes
    settings["hooks"]["Stop"][0]["hooks"].append({"type": "command", "command": "/usr/local/bin/clampd-guard --agent claude"})
    path = home / USER_FILES["claude"]
    path.parent.mkdir()
    path.write_text(json.dumps(settings, indent=2))
    assert cli(home, "install", "--editor", "claude").returncode == 0
    data = json.loads(path.read_text())
    wired = our_events("claude", data)
    assert set(wired) == REQUIRED["claude"]
    assert all(len(v) == 1 and "/opt/old-venv" not in v[0] for v in wired.values())
    assert "PermissionRequest" not in data["hooks"]
    assert data["hooks"]["Stop"] == json.loads(CLAUDE_SETTINGS)["hooks"]["Stop"]
    assert data["hooks"]["PreToolUse"][0] == json.loads(CLAUDE_SETTINGS)["hooks"]["PreToolUse"][0]


def test_dry_run_prints_a_diff_and_writes_nothing(home: Path) -> None:
    path = home / USER_FILES["claude"]
    path.parent.mkdir()
    path.write_text(CLAUDE_SETTINGS)
    p = cli(home, "install", "--editor", "claude", "--dry-run")
    assert p.returncode == 0
    out = p.stdout.decode()
    assert out.startswith(f"--- {path}\n+++ {path}\n@@")
    assert '+            "command": ' in out and "hookmain.py" in out
    assert path.read_text() == CLAUDE_SETTINGS
    assert list(path.parent.iterdir()) == [path]
    # and for a file that does not exist yet
    p = cli(home, "install", "--editor", "cursor", "--dry-run")
    assert p.stdout.decode().startswith("--- /dev/null\n")
    assert not (home / ".cursor").exists()
    # uninstall --dry-run shows the removal
    cli(home, "install", "--editor", "claude")
    installed = path.read_bytes()
    p = cli(home, "uninstall", "--editor", "claude", "--dry-run")
    assert "\n-" in p.stdout.decode() and path.read_bytes() == installed


@pytest.mark.parametrize(
    "content,needle",
    [
        ('{"hooks": {"PreToolUse": [}', "not valid JSON"),
        ("", "empty"),
        ("[1, 2]", "expected an object"),
        ('{"hooks": []}', '"hooks" is a JSON list'),
        ('{"hooks": {"PreToolUse": {"matcher": "*"}}}', "hooks.PreToolUse is a JSON dict"),
    ],
)
def test_a_broken_file_is_refused_and_left_alone(home: Path, content: str, needle: str) -> None:
    path = home / USER_FILES["claude"]
    path.parent.mkdir()
    path.write_text(content)
    for cmd in ("install", "uninstall"):
        p = cli(home, cmd, "--editor", "claude")
        err = p.stderr.decode()
        assert p.returncode == 2, (cmd, p.stdout, err)
        assert needle in err and str(path) in err and "refusing" in err
        assert path.read_text() == content
        assert list(path.parent.iterdir()) == [path]


def test_project_scope_writes_into_the_repository(home: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    p = cli(home, "install", "--editor", "claude", "--scope", "project", "--project", str(repo))
    assert p.returncode == 0, p.stderr
    assert set(our_events("claude", json.loads((repo / ".claude/settings.json").read_text()))) == REQUIRED["claude"]
    assert not (home / ".claude").exists()
    p = cli(home, "install", "--editor", "copilot", "--scope", "project", cwd=repo)
    assert p.returncode == 0, p.stderr
    assert (repo / ".github/hooks/clampd-guard.json").exists()
    p = cli(home, "install", "--editor", "codex", "--scope", "local")
    assert p.returncode == 2 and b"no local scope" in p.stderr


def test_managed_scope_into_an_image_root(tmp_path: Path, home: Path) -> None:
    root = tmp_path / "img"
    p = cli(home, "install", "--editor", "claude", "--scope", "managed", "--root", str(root), "--exe", "/usr/local/bin/clampd-guard")
    assert p.returncode == 0, p.stderr
    data = json.loads((root / "etc/claude-code/managed-settings.json").read_text())
    cmds = our_events("claude", data)
    assert set(cmds) == REQUIRED["claude"]
    assert shlex.split(cmds["PreToolUse"][0]) == ["/usr/local/bin/clampd-guard", "hook", "--agent", "claude"]
    p = cli(home, "install", "--editor", "cursor", "--scope", "managed", "--root", str(root), "--exe", "/usr/local/bin/clampd-guard")
    assert p.returncode == 0
    assert json.loads((root / "etc/cursor/hooks.json").read_text())["version"] == 1
    # every user's editor must be able to read the system-wide files
    for f in ("etc/claude-code/managed-settings.json", "etc/cursor/hooks.json"):
        assert stat.S_IMODE((root / f).stat().st_mode) == 0o644
        assert stat.S_IMODE((root / f).parent.stat().st_mode) == 0o755


def test_symlinked_settings_are_written_through(home: Path, tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles" / "claude.json"
    dotfiles.parent.mkdir()
    dotfiles.write_text(CLAUDE_SETTINGS)
    link = home / USER_FILES["claude"]
    link.parent.mkdir()
    link.symlink_to(dotfiles)
    assert cli(home, "install", "--editor", "claude").returncode == 0
    assert link.is_symlink()
    assert "hookmain.py" in dotfiles.read_text()


def test_hook_timeout_stays_above_the_guard_deadline(home: Path) -> None:
    (home / ".clampd").mkdir()
    (home / ".clampd/guard.json").write_text(json.dumps({"deadline_ms": 20000}))
    cli(home, "install", "--editor", "claude")
    cli(home, "install", "--editor", "gemini")
    h = json.loads((home / USER_FILES["claude"]).read_text())["hooks"]["PreToolUse"][0]["hooks"][0]
    assert h["timeout"] == 25
    g = json.loads((home / USER_FILES["gemini"]).read_text())["hooks"]["BeforeTool"][0]["hooks"][0]
    assert g["timeout"] == 25000  # Gemini counts milliseconds


@pytest.mark.parametrize("editor", ["claude", "cursor"])
def test_the_wired_command_blocks_when_run_like_the_editor(home: Path, editor: str) -> None:
    (home / ".clampd").mkdir()  # a first call builds the rule cache: no deadline on a loaded CI box
    (home / ".clampd/guard.json").write_text(json.dumps({"deadline_ms": 60000}))
    cli(home, "install", "--editor", editor)
    data = json.loads((home / USER_FILES[editor]).read_text())
    if editor == "claude":
        cmd = data["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
        payload = {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "rm -rf ~"}}
    else:
        cmd = data["hooks"]["beforeShellExecution"][0]["command"]
        payload = {"hook_event_name": "beforeShellExecution", "command": "rm -rf ~", "conversation_id": "c", "cwd": "/tmp"}
    p = subprocess.run(["/bin/sh", "-c", cmd], check=False, input=json.dumps(payload).encode(), capture_output=True, env=env_for(home), timeout=30)
    out = json.loads(p.stdout)
    if editor == "claude":
        assert out["hookSpecificOutput"]["permissionDecision"] == "deny"
    else:
        assert out["permission"] == "deny"
    assert os.path.isabs(shlex.split(cmd)[0])


def test_shipped_hook_files_match_what_install_writes() -> None:
    """hooks/<editor>/ (what MDM ships) is the same wiring as install, for /usr/local/bin/clampd-guard."""
    from guard.wiring import get

    repo = Path(__file__).resolve().parent.parent
    shipped = {
        "claude": "hooks/claude-code/settings.json",
        "cursor": "hooks/cursor/hooks.json",
        "codex": "hooks/codex/hooks.json",
        "gemini": "hooks/gemini/settings.json",
        "copilot": "hooks/copilot/clampd-guard.json",
    }
    for name, rel in shipped.items():
        ed = get(name)
        cmd = f"/usr/local/bin/clampd-guard hook --agent {ed.agent}"
        want = {**ed.new_file, "hooks": {ev: [e] for ev, e in ed.events(cmd, 10).items()}}
        assert json.loads((repo / rel).read_text()) == want, rel


def test_only_the_newest_backups_are_kept(home: Path) -> None:
    path = home / USER_FILES["claude"]
    path.parent.mkdir()
    path.write_text(CLAUDE_SETTINGS)
    for i in range(7):  # older backups of ours, as earlier runs left them
        (path.parent / f"settings.json.clampd-backup-2020010{i}T000000Z").write_text("{}")
    (path.parent / "settings.json.bak").write_text("mine")
    cli(home, "install", "--editor", "claude")
    left = sorted(p.name for p in path.parent.iterdir())
    assert "settings.json.bak" in left
    ours = [n for n in left if ".clampd-backup-" in n]
    assert len(ours) == 5 and not any(n.startswith("settings.json.clampd-backup-2020010" + d) for d in "012" for n in ours)


def test_uninstall_without_a_file_or_entries_changes_nothing(home: Path) -> None:
    p = cli(home, "uninstall", "--editor", "cursor")
    assert p.returncode == 0 and b"nothing to change" in p.stdout
    assert not (home / ".cursor").exists()
    path = home / USER_FILES["claude"]
    path.parent.mkdir()
    path.write_text(CLAUDE_SETTINGS)
    p = cli(home, "uninstall", "--editor", "claude")
    assert p.returncode == 0 and b"nothing to change" in p.stdout
    assert list(path.parent.iterdir()) == [path] and path.read_text() == CLAUDE_SETTINGS
