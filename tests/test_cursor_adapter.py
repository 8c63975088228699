"""Cursor's protocol through the installed entry point: one JSON object always, Cursor's own fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hookrun import run

FIX = Path(__file__).parent / "fixtures" / "cursor"
GH = "ghp_R8tK2mQ9vX4bN7cJ1pL6sD3fG5hW0yZ8aE2u"
AWS = "AKIAZ4XQ7RTL5M2NPQ3B"


def fx(name: str) -> dict:
    return json.loads((FIX / f"{name}.json").read_text())


def cursor(payload: dict | bytes, home: Path, args: list[str] | None = None):
    r = run(payload, home, args=["hook", "--agent", "cursor"] if args is None else args)
    assert r.json is not None, "Cursor needs a JSON object on stdout, even to allow"
    return r


def test_shell_deny_has_cursor_shape(home: Path) -> None:
    r = cursor(fx("beforeShellExecution"), home)
    assert r.code == 0 and r.json["permission"] == "deny"
    assert "shell.rm-vital" in r.json["agent_message"] and r.json["user_message"]


def test_allow_is_an_explicit_object(home: Path) -> None:
    assert cursor(fx("beforeShellExecution-benign"), home).json == {"permission": "allow"}
    assert cursor(fx("beforeReadFile-benign"), home).json == {"permission": "allow"}
    assert cursor(fx("beforeSubmitPrompt-benign"), home).json == {"continue": True}
    assert cursor(fx("stop"), home).json == {}


def test_ask_is_kept_where_cursor_enforces_it(home: Path) -> None:
    payload = {**fx("beforeShellExecution"), "command": "rm -rf ~/Documents"}
    assert cursor(payload, home).json["permission"] == "ask"


def test_ask_becomes_deny_where_cursor_ignores_it(home: Path) -> None:
    payload = {**fx("preToolUse-Shell"), "tool_input": {"command": "rm -rf ~/Documents"}}
    assert cursor(payload, home).json["permission"] == "deny"


def test_pre_tool_use_shell_and_read(home: Path) -> None:
    assert cursor(fx("preToolUse-Shell"), home).json["permission"] == "deny"
    assert cursor(fx("preToolUse-Read"), home).json["permission"] == "deny"


def test_mcp_string_tool_input_is_decoded(home: Path) -> None:
    r = cursor(fx("beforeMCPExecution"), home)
    assert r.json["permission"] == "deny" and "sql." in r.json["agent_message"]


def test_read_of_a_file_holding_secrets_is_denied_without_echoing_them(home: Path) -> None:
    r = cursor(fx("beforeReadFile"), home)
    assert r.json["permission"] == "deny"
    assert AWS not in r.stdout and AWS not in r.stderr


def test_mcp_output_secret_is_replaced(home: Path) -> None:
    r = cursor(fx("postToolUse-MCP"), home)
    assert GH not in r.stdout
    assert "[REDACTED:" in json.dumps(r.json["updated_mcp_tool_output"])
    assert "secrets were redacted" in r.json["additional_context"]


def test_prompt_with_secret_is_stopped(home: Path) -> None:
    r = cursor(fx("beforeSubmitPrompt"), home)
    assert r.json["continue"] is False and GH not in r.stdout


def test_payload_sniffing_without_agent_flag(home: Path) -> None:
    r = cursor(fx("beforeShellExecution"), home, args=[])
    assert r.json["permission"] == "deny"


@pytest.mark.parametrize("raw", [b"", b"{not json", b"[1]"])
def test_bad_input_fail_open_still_prints_an_object(raw: bytes, home: Path) -> None:
    r = cursor(raw, home)
    assert r.code == 0 and r.json == {"permission": "allow"} and "warning" in r.stderr


def test_bad_input_fail_closed_denies_with_exit_2(home: Path) -> None:
    cfg = home / ".clampd" / "guard.json"
    cfg.parent.mkdir(parents=True)
    cfg.write_text('{"fail_open": false}')
    r = cursor(b"{not json", home)
    assert r.code == 2 and r.json["permission"] == "deny"


def test_obfuscated_command_in_cursor_envelope(home: Path) -> None:
    payload = {**fx("beforeShellExecution"), "command": "echo cm0gLXJmIH4= | base64 -d | bash"}
    assert cursor(payload, home).json["permission"] == "deny"


def test_after_file_edit_is_answered_with_an_empty_object(home: Path) -> None:
    # Cursor reads no decision after an edit: never a "permission" there, always one object.
    r = cursor(fx("afterFileEdit"), home)
    assert (r.code, r.json) == (0, {})


def test_pre_tool_use_write_is_denied_in_cursor_shape(home: Path) -> None:
    r = cursor(fx("preToolUse-Write"), home)
    assert r.code == 0 and set(r.json) == {"permission", "user_message", "agent_message"}
    # persist.rc-file-edit asks; Cursor does not enforce ask on preToolUse, so it is a deny.
    assert r.json["permission"] == "deny" and "persist.rc-file-edit" in r.json["agent_message"]


def test_mcp_benign_is_an_explicit_allow(home: Path) -> None:
    assert cursor(fx("beforeMCPExecution-benign"), home).json == {"permission": "allow"}


def test_mcp_ask_is_kept_because_cursor_enforces_it_there(home: Path) -> None:
    payload = {**fx("beforeMCPExecution"), "tool_name": "run", "tool_input": json.dumps({"command": "rm -rf ~/Documents"})}
    r = cursor(payload, home)
    assert r.json["permission"] == "ask" and "shell.rm-home-child" in r.json["agent_message"]


def test_shell_output_secret_is_flagged_in_additional_context_only(home: Path) -> None:
    # Cursor can replace only MCP output; for Shell the model is told, never handed the secret again.
    r = cursor(fx("postToolUse-Shell"), home)
    assert set(r.json) == {"additional_context"} and "could not be removed" in r.json["additional_context"]
    assert GH not in r.stdout

