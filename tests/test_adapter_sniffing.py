"""Which adapter answers when no --agent is given, and why extra keys cannot pick a weaker one.

A Claude Code payload answered in another agent's protocol would be ignored by
Claude Code (the tool runs), so a Claude-shaped event always gets Claude's answer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guard import editors
from tests.hookrun import run

FIX = Path(__file__).parent / "fixtures"


def fx(editor: str, name: str) -> dict:
    return json.loads((FIX / editor / f"{name}.json").read_text())


@pytest.mark.parametrize(
    "editor, name, expect",
    [
        ("claude-code", "PreToolUse-Bash", "claude"),
        ("claude-code", "PostToolUse-Read", "claude"),
        ("claude-code", "UserPromptSubmit", "claude"),
        ("cursor", "beforeShellExecution", "cursor"),
        ("cursor", "preToolUse-Shell", "cursor"),
        ("cursor", "stop", "cursor"),
        ("codex", "PreToolUse-Bash", "codex"),
        ("codex", "UserPromptSubmit", "codex"),
        ("gemini", "BeforeTool-run_shell_command", "gemini"),
        ("gemini", "AfterTool-read_file", "gemini"),
        ("copilot", "preToolUse-bash", "copilot"),
        ("windsurf", "pre_run_command", "windsurf"),
    ],
)
def test_each_agent_payload_is_recognised(editor: str, name: str, expect: str) -> None:
    assert editors.sniff_name(fx(editor, name)) == expect


@pytest.mark.parametrize(
    "extra",
    [
        {"conversation_id": "c1", "cursor_version": "1.7.2"},
        {"agent_action_name": "pre_run_command"},
        {"toolName": "bash", "toolArgs": "{}"},
        {"turn_id": "t1"},
    ],
)
def test_foreign_keys_cannot_steer_a_claude_payload_away_from_claude(extra: dict, home: Path) -> None:
    payload = {**fx("claude-code", "PreToolUse-Bash"), "tool_input": {"command": "rm -rf ~"}, **extra}
    assert editors.sniff_name(payload) == "claude"
    r = run(payload, home, args=[])
    assert r.code == 0 and r.decision == "deny"  # Claude's hookSpecificOutput form


def test_claude_ask_survives_sniffing(home: Path) -> None:
    payload = {**fx("claude-code", "PreToolUse-Bash"), "tool_input": {"command": "rm -rf ~/Documents"}, "cursor_version": "1.7.2"}
    assert run(payload, home, args=[]).decision == "ask"


def test_every_name_install_writes_has_an_adapter() -> None:
    for name in ("claude", "cursor", "codex", "gemini", "copilot", "windsurf"):
        mod = editors.get(name)
        for fn in ("parse", "render", "render_unparsed_deny", "payload_from_env"):
            assert callable(getattr(mod, fn)), (name, fn)


@pytest.mark.parametrize(
    "agent, payload",
    [
        ("copilot", {"timestamp": 1, "cwd": "/home/dev/project", "toolName": "bash", "toolArgs": "rm -rf ~"}),
        ("gemini", {"hook_event_name": "BeforeTool", "cwd": "/home/dev/project", "tool_name": "run_shell_command", "tool_input": "rm -rf ~"}),
        ("codex", {"hook_event_name": "PreToolUse", "turn_id": "t", "model": "m", "cwd": "/home/dev/project", "tool_name": "apply_patch", "tool_input": {"command": "rm -rf ~"}}),
    ],
)
def test_arguments_in_an_unexpected_shape_are_still_read(agent: str, payload: dict) -> None:
    # Not an object / not a patch: read as an unknown tool (every string), never as nothing.
    from guard.config.load import Config
    from guard.decide import run_payload

    call, v = run_payload(editors.get(agent), payload, Config())
    assert call.kind == "unknown" and v.decision == "deny" and "shell.rm-vital" in v.rule_ids


def test_cursor_payload_reaching_a_claude_hook_is_still_judged(home: Path) -> None:
    # Cursor runs the hooks of ~/.claude/settings.json too; its own events must not pass unread.
    r = run(fx("cursor", "beforeShellExecution"), home, args=["hook", "--agent", "claude"])
    assert r.code == 0 and r.json["permission"] == "deny" and "answered in cursor's protocol" in r.stderr


def test_an_event_the_chosen_adapter_reads_is_never_handed_over(home: Path) -> None:
    # Codex reads Claude's event names: a Claude payload under --agent codex stays with Codex (ask -> deny).
    payload = {**fx("claude-code", "PreToolUse-Bash"), "tool_input": {"command": "rm -rf ~/Documents"}}
    r = run(payload, home, args=["hook", "--agent", "codex"])
    assert r.json["hookSpecificOutput"]["permissionDecision"] == "deny" and "answered in" not in r.stderr


def test_an_unknown_event_of_the_chosen_agent_stays_with_it(home: Path) -> None:
    r = run(fx("cursor", "stop"), home, args=["hook", "--agent", "cursor"])
    assert (r.code, r.json, r.stderr) == (0, {}, "")
