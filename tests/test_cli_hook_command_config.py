"""``hook-command`` prints a command that really works as a hook; ``config`` shows sources and validates."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

from tests.hookrun import CONSOLE, Result, env_for


def cli(home: Path, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([str(CONSOLE), *args], input=stdin, capture_output=True, env=env_for(home), timeout=30)


def test_printed_hook_command_denies_and_allows_through_a_shell(home: Path) -> None:
    cmd = cli(home, "hook-command").stdout.decode().strip()
    assert " -I -S " in cmd and "hookmain.py" in cmd
    argv0 = shlex.split(cmd)[0]
    assert Path(argv0).is_absolute()
    deny = subprocess.run(
        ["/bin/sh", "-c", cmd],
        input=json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "rm -rf ~"}}).encode(),
        capture_output=True,
        env=env_for(home),
        timeout=30,
    )
    assert Result(deny).decision == "deny"
    allow = subprocess.run(
        ["/bin/sh", "-c", cmd],
        input=json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls"}}).encode(),
        capture_output=True,
        env=env_for(home),
        timeout=30,
    )
    assert (allow.returncode, allow.stdout) == (0, b"")


def test_settings_snippet_registers_all_four_events(home: Path) -> None:
    out = json.loads(cli(home, "hook-command", "--settings").stdout)
    hooks = out["hooks"]
    assert {"PreToolUse", "PostToolUse", "PostToolUseFailure", "UserPromptSubmit"} <= set(hooks)
    entry = hooks["PreToolUse"][0]["hooks"][0]
    assert entry["type"] == "command" and entry["timeout"] == 10 and "hookmain.py" in entry["command"]


def test_config_show_masks_secrets_and_names_sources(home: Path) -> None:
    cfg = home / ".clampd" / "guard.json"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(json.dumps({"api_key": "ag_live_supersecretvalue", "timeout_ms": 900}))
    p = cli(home, "config", "show")
    out = p.stdout.decode()
    assert p.returncode == 0 and "supersecretvalue" not in out and "***" in out
    assert "user" in out and "900" in out


def test_config_validate(home: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text('{"fail_open": false}')
    bad = tmp_path / "bad.json"
    bad.write_text('{"fail_open": "nope"}')
    assert cli(home, "config", "validate", str(good)).returncode == 0
    p = cli(home, "config", "validate", str(bad))
    assert p.returncode == 2 and b"fail_open" in (p.stdout + p.stderr) and b"Traceback" not in p.stderr


def test_config_schema_is_json(home: Path) -> None:
    schema = json.loads(cli(home, "config", "schema").stdout)
    assert "fail_open" in json.dumps(schema)


def test_version(home: Path) -> None:
    p = cli(home, "--version")
    assert p.returncode == 0 and p.stdout.decode().startswith("clampd-guard ")
