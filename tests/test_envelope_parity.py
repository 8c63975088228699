"""The same call gets the same verdict in every agent's hook envelope.

Every item of the development corpus is replayed in Claude Code's envelope and
in Cursor's; shell, file, MCP, web, prompt and tool-output items are also
replayed in the Codex, Gemini, Copilot and Windsurf envelopes wherever that
agent's protocol can carry the call. An item judged one way in one envelope
and another way in another is a bug in an adapter (or in a tool-name map).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import score_corpus  # noqa: E402


def _items() -> list[dict]:
    return score_corpus.load(score_corpus.CORPUS / "attacks.jsonl") + score_corpus.load(score_corpus.CORPUS / "benign.jsonl")


def test_claude_and_cursor_envelopes_agree(home: Path) -> None:
    claude, cursor = score_corpus.Scorer("claude"), score_corpus.Scorer("cursor")
    items = _items()
    assert len(items) > 1000
    differ = []
    for it in items:
        a = claude.run(it["payload"])[0]
        b = cursor.run(it["payload"])[0]
        if a != b:
            differ.append((it["id"], a, b))
    assert differ == []


# --- the other agents' envelopes, built from a Claude Code payload ----------------------------

def _ti(p: dict) -> dict:
    return p.get("tool_input") if isinstance(p.get("tool_input"), dict) else {}


def _patch(tool: str, ti: dict) -> str | None:
    """A Codex apply_patch for a Claude Write/Edit/MultiEdit."""
    path = ti.get("file_path")
    if not isinstance(path, str):
        return None
    plus = lambda s: "\n".join("+" + ln for ln in str(s).split("\n"))  # noqa: E731
    minus = lambda s: "\n".join("-" + ln for ln in str(s).split("\n"))  # noqa: E731
    if tool == "Write":
        body = f"*** Add File: {path}\n{plus(ti.get('content', ''))}"
    elif tool == "Edit":
        body = f"*** Update File: {path}\n@@\n{minus(ti.get('old_string', ''))}\n{plus(ti.get('new_string', ''))}"
    elif tool == "MultiEdit" and isinstance(ti.get("edits"), list):
        hunks = [f"@@\n{minus(e.get('old_string', ''))}\n{plus(e.get('new_string', ''))}" for e in ti["edits"] if isinstance(e, dict)]
        body = f"*** Update File: {path}\n" + "\n".join(hunks)
    else:
        return None
    return "*** Begin Patch\n" + body + "\n*** End Patch\n"


def to_codex(p: dict) -> dict | None:
    ev, tool = p.get("hook_event_name"), str(p.get("tool_name") or "")
    base = {"session_id": "s", "turn_id": "t", "transcript_path": None, "cwd": p.get("cwd") or "/home/dev/project", "model": "gpt-5-codex", "permission_mode": "default"}
    if ev == "UserPromptSubmit":
        return {**base, "hook_event_name": ev, "prompt": p.get("prompt", "")}
    if ev == "PostToolUse" and (tool == "Bash" or tool.startswith("mcp__")):
        return {**base, "hook_event_name": ev, "tool_name": tool, "tool_input": _ti(p), "tool_response": p.get("tool_response"), "tool_use_id": "c"}
    if ev != "PreToolUse":
        return None
    if tool == "Bash" or tool.startswith("mcp__"):
        return {**base, "hook_event_name": ev, "tool_name": tool, "tool_input": _ti(p), "tool_use_id": "c"}
    patch = _patch(tool, _ti(p))
    if patch is not None:
        return {**base, "hook_event_name": ev, "tool_name": "apply_patch", "tool_input": {"command": patch}, "tool_use_id": "c"}
    return None


_GEMINI_TOOLS = {"Bash": "run_shell_command", "Read": "read_file", "Write": "write_file", "Edit": "replace"}


def to_gemini(p: dict) -> dict | None:
    ev, tool = p.get("hook_event_name"), str(p.get("tool_name") or "")
    base = {"session_id": "s", "transcript_path": "/tmp/t.json", "cwd": p.get("cwd") or "/home/dev/project", "timestamp": "2026-11-24T00:00:00Z"}
    ti = _ti(p)
    if ev == "UserPromptSubmit":
        return {**base, "hook_event_name": "BeforeAgent", "prompt": p.get("prompt", "")}
    name = _GEMINI_TOOLS.get(tool) or (tool if tool.startswith("mcp__") else None)
    if ev == "PostToolUse" and name:
        return {**base, "hook_event_name": "AfterTool", "tool_name": name, "tool_input": ti, "tool_response": p.get("tool_response")}
    if ev != "PreToolUse":
        return None
    if tool == "WebFetch" and isinstance(ti.get("url"), str):
        # Gemini's web_fetch takes one prompt with the URL in it.
        return {**base, "hook_event_name": "BeforeTool", "tool_name": "web_fetch", "tool_input": {"prompt": f"{ti.get('prompt', '')} {ti['url']}".strip()}}
    if name:
        return {**base, "hook_event_name": "BeforeTool", "tool_name": name, "tool_input": ti}
    return None


def to_copilot(p: dict) -> dict | None:
    ev, tool = p.get("hook_event_name"), str(p.get("tool_name") or "")
    base = {"timestamp": 1764000000000, "cwd": p.get("cwd") or "/home/dev/project"}
    ti = _ti(p)
    if ev == "UserPromptSubmit":
        return {**base, "prompt": p.get("prompt", "")}
    if ev != "PreToolUse":
        return None
    if tool == "Bash":
        return {**base, "toolName": "bash", "toolArgs": json.dumps(ti)}
    if tool == "Read" and isinstance(ti.get("file_path"), str):
        return {**base, "toolName": "view", "toolArgs": json.dumps({"path": ti["file_path"]})}
    if tool == "Write" and isinstance(ti.get("file_path"), str):
        return {**base, "toolName": "create", "toolArgs": json.dumps({"path": ti["file_path"], "file_text": ti.get("content", "")})}
    if tool == "Edit" and isinstance(ti.get("file_path"), str):
        args = {"path": ti["file_path"], "old_str": ti.get("old_string", ""), "new_str": ti.get("new_string", "")}
        return {**base, "toolName": "edit", "toolArgs": json.dumps(args)}
    return None


def to_windsurf(p: dict) -> dict | None:
    ev, tool = p.get("hook_event_name"), str(p.get("tool_name") or "")
    base = {"trajectory_id": "tr", "execution_id": "ex", "timestamp": "2026-11-24T00:00:00Z"}
    ti = _ti(p)
    if ev == "UserPromptSubmit":
        return {**base, "agent_action_name": "pre_user_prompt", "tool_info": {"user_prompt": p.get("prompt", "")}}
    if ev != "PreToolUse":
        return None
    if tool == "Bash":
        return {**base, "agent_action_name": "pre_run_command", "tool_info": {"command_line": ti.get("command", ""), "cwd": p.get("cwd") or "/home/dev/project"}}
    if tool == "Read" and isinstance(ti.get("file_path"), str):
        return {**base, "agent_action_name": "pre_read_code", "tool_info": {"file_path": ti["file_path"]}}
    if tool in ("Write", "Edit", "MultiEdit") and isinstance(ti.get("file_path"), str):
        if tool == "Write":
            edits = [{"old_string": "", "new_string": ti.get("content", "")}]
        elif tool == "Edit":
            edits = [{"old_string": ti.get("old_string", ""), "new_string": ti.get("new_string", "")}]
        else:
            edits = ti.get("edits") if isinstance(ti.get("edits"), list) else []
        return {**base, "agent_action_name": "pre_write_code", "tool_info": {"file_path": ti["file_path"], "edits": edits}}
    if tool.startswith("mcp__") and tool.count("__") >= 2:
        _, server, name = tool.split("__", 2)
        return {**base, "agent_action_name": "pre_mcp_tool_use", "tool_info": {"mcp_server_name": server, "mcp_tool_name": name, "mcp_tool_arguments": ti}}
    return None


ENVELOPES = {"codex": to_codex, "gemini": to_gemini, "copilot": to_copilot, "windsurf": to_windsurf}


@pytest.mark.parametrize("agent", sorted(ENVELOPES))
def test_other_agents_envelopes_agree_with_claude(agent: str, home: Path) -> None:
    from guard import editors
    from guard.decide import run_payload

    claude = score_corpus.Scorer("claude")
    adapter = editors.get(agent)
    convert = ENVELOPES[agent]
    compared, differ = 0, []
    for it in _items():
        p = it["payload"]
        env = convert(p)
        if env is None:
            continue
        compared += 1
        _, want, _ = claude.run(p)
        _, v = run_payload(adapter, env, claude.config, claude.rules)
        post = p.get("hook_event_name") == "PostToolUse"
        a = ("redact" if want == "redact" else want) if post else want
        b = ("redact" if v.updated_output is not None else v.decision) if post else v.decision
        if a != b:
            differ.append((it["id"], a, b))
    assert compared > 1000, compared  # the shell, file, MCP and prompt items at least
    assert differ == []
