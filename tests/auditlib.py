"""Helpers shared by the audit and status tests: run the real hook and read the real store."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.hookrun import CONSOLE, FAST, LAUNCHER, Result, env_for

STATE = (".local", "state", "clampd-guard")


def state_dir(home: Path) -> Path:
    return home.joinpath(*STATE)


def journal(home: Path) -> Path:
    return state_dir(home) / "audit-journal.jsonl"


def db(home: Path) -> Path:
    return state_dir(home) / "audit.db"


def cache_fallback(home: Path) -> Path:
    return home / ".cache" / "clampd-guard" / "audit-fallback.jsonl"


def env(home: Path, extra: dict | None = None) -> dict:
    """The hook's environment, with a private TMPDIR so the last-resort fallback is per test."""
    tmp = home / "tmp"
    tmp.mkdir(exist_ok=True)
    return env_for(home, {"TMPDIR": str(tmp), **(extra or {})})


def tmp_fallback(home: Path) -> Path:
    import os

    return home / "tmp" / f"clampd-guard-{os.getuid()}" / "audit-fallback.jsonl"


def hook(payload: dict | bytes, home: Path, *, args: list[str] | None = None, managed: Path | None = None,
         slow: float | None = None, launcher: bool = False) -> Result:
    """One real hook process: `python -I -S guard/hookmain.py` (or the test launcher)."""
    data = json.dumps(payload).encode() if isinstance(payload, dict) else payload
    if not (home / ".clampd" / "guard.json").exists():
        user_config(home)
    if launcher or managed is not None or slow is not None:
        cmd = [sys.executable, str(LAUNCHER), "--managed", str(managed or home / "no-managed.json")]
        if slow is not None:
            cmd += ["--slow", str(slow)]
        cmd += ["--"] + (args or [])
    else:
        cmd = [sys.executable, "-I", "-S", str(FAST)] + (args or [])
    proc = subprocess.run(cmd, input=data, capture_output=True, env=env(home), timeout=60)
    return Result(proc)


def cli(home: Path, *args: str, managed: Path | None = None) -> subprocess.CompletedProcess:
    """A management command through the real console script (or the launcher for a managed file)."""
    if managed is not None:
        cmd = [sys.executable, str(LAUNCHER), "--managed", str(managed), "--", *args]
    else:
        cmd = [str(CONSOLE), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env(home), timeout=120)


def audit_json(home: Path, *args: str) -> list[dict]:
    r = cli(home, "audit", "--json", "--limit", "0", *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def rows(home: Path, sql: str = "SELECT * FROM decisions ORDER BY time") -> list[dict]:
    """Read the store directly (after a fold done by `audit`/`status`)."""
    conn = sqlite3.connect(db(home))
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


# CI machines can be loaded enough that a cold hook misses the default 5 s deadline; these tests are
# about the audit trail, so they give the hook all the time it needs (the deadline test sets its own).
PATIENT = {"deadline_ms": 60000, "stdin_timeout_ms": 60000}


def user_config(home: Path, **fields: object) -> Path:
    p = home / ".clampd" / "guard.json"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps({**PATIENT, **fields}))
    return p


def pre_bash(command: str, use_id: str = "toolu_1", session: str = "sess-1") -> dict:
    return {
        "session_id": session,
        "cwd": "/home/dev/project",
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": command, "description": "run"},
        "tool_use_id": use_id,
    }
