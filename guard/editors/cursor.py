"""Cursor's hook protocol (hooks.json, lowerCamelCase events; see shared/protocols/hook-protocols.md §2).

- Always print exactly one JSON object, even to allow: with ``failClosed``,
  empty stdout may count as invalid JSON.
- ``permission``: allow | deny | ask, with ``user_message`` / ``agent_message``.
  "ask" is only enforced on beforeShellExecution / beforeMCPExecution; on
  preToolUse it is accepted but NOT enforced (the tool runs), and
  beforeReadFile knows only allow/deny, so there an ask is answered as deny.
- beforeSubmitPrompt blocks with ``{"continue": false}``.
- afterFileEdit / postToolUse (non-MCP) / stop read no decision: the answer is
  ``{}`` (or ``additional_context`` after a tool ran), never a ``permission``.
- ``beforeMCPExecution.tool_input`` and ``postToolUse.tool_output`` are JSON strings.
- Exit 2 also denies; it is the answer when the event itself cannot be read.
"""

from __future__ import annotations

from guard import reasons
from guard.editors.base import Answer, BadInput, json_line, maybe_json, text, warning_lines
from guard.engine.toolkinds import kind_of
from guard.toolcall import OTHER, POST, PRE, PROMPT, ToolCall
from guard.verdict import ALLOW, ASK, DENY, Verdict

NAME = "cursor"

_PRE = {"preToolUse", "beforeShellExecution", "beforeMCPExecution", "beforeReadFile", "subagentStart"}
_POST = {"postToolUse", "postToolUseFailure", "afterShellExecution", "afterMCPExecution"}
_ASK_ENFORCED = {"beforeShellExecution", "beforeMCPExecution"}
_TOOLS = {"Shell": "Bash", "Read": "Read", "Write": "Write", "Grep": "Grep", "Delete": "Delete", "Task": "Task", "TabRead": "Read", "TabWrite": "Write"}


def looks_like(payload: object) -> bool:
    """Payload sniffing (fallback when no --agent is given)."""
    return isinstance(payload, dict) and ("cursor_version" in payload or "conversation_id" in payload)


def payload_from_env() -> dict | None:
    return None


def _mcp_name(name: str) -> str:
    """Cursor names MCP tools without their server; use Claude Code's mcp__<server>__<tool> form
    so that one set of MCP rules reads both editors (the server is unknown here)."""
    return "mcp__cursor__" + name


def _tool(name: str) -> str:
    if name.startswith("MCP:"):
        return _mcp_name(name[4:])
    return _TOOLS.get(name, name)


def parse(payload: object) -> ToolCall:
    if not isinstance(payload, dict):
        raise BadInput(f"hook input is a JSON {type(payload).__name__}, expected an object")
    raw_event = text(payload.get("hook_event_name"))
    roots = payload.get("workspace_roots")
    cwd = text(payload.get("cwd")) or (text(roots[0]) if isinstance(roots, list) and roots else "")
    session = text(payload.get("conversation_id")) or text(payload.get("session_id"))
    warnings: list[str] = []
    tool, params, output, prompt = "", {}, None, ""
    event = OTHER

    if raw_event == "beforeShellExecution":
        event, tool, params = PRE, "Bash", {"command": text(payload.get("command"))}
    elif raw_event == "beforeMCPExecution":
        event, tool = PRE, _mcp_name(text(payload.get("tool_name")) or "tool")
        inp = maybe_json(payload.get("tool_input"))
        params = inp if isinstance(inp, dict) else {"input": inp}
        for key in ("url", "command"):
            if isinstance(payload.get(key), str):
                params = {**params, f"server_{key}": payload[key]}
    elif raw_event in ("beforeReadFile", "beforeTabFileRead"):
        event, tool, params = PRE, "Read", {"file_path": text(payload.get("file_path"))}
        content = payload.get("content")
        if isinstance(content, str) and content:
            # Cursor hands over the file before the model reads it: secrets in it are checked as output.
            output = {"content": content}
    elif raw_event == "preToolUse":
        event = PRE
        tool = _tool(text(payload.get("tool_name")))
        inp = maybe_json(payload.get("tool_input"))
        params = inp if isinstance(inp, dict) else {"input": inp}
        if not cwd and isinstance(params.get("working_directory"), str):
            cwd = params["working_directory"]
    elif raw_event == "subagentStart":
        event, tool, params = PRE, "Task", {"prompt": text(payload.get("task"))}
    elif raw_event in _POST:
        event = POST
        name = text(payload.get("tool_name"))
        tool = "Bash" if raw_event == "afterShellExecution" else (_mcp_name(name) if raw_event == "afterMCPExecution" else _tool(name))
        inp = maybe_json(payload.get("tool_input"))
        params = inp if isinstance(inp, dict) else ({"command": text(payload.get("command"))} if raw_event == "afterShellExecution" else {})
        for key in ("tool_output", "result_json", "output", "error_message"):
            if key in payload:
                output = {key: maybe_json(payload.get(key))}
                break
    elif raw_event in ("afterFileEdit", "afterTabFileEdit"):
        # The edit is already on disk and Cursor reads no answer: recorded (audit), not judged.
        edits = payload.get("edits") if isinstance(payload.get("edits"), list) else []
        tool, params = "Write", {"file_path": text(payload.get("file_path")), "edits": edits}
    elif raw_event == "beforeSubmitPrompt":
        event, prompt = PROMPT, text(payload.get("prompt"))
    elif not raw_event:
        warnings.append("hook_event_name missing or not a string")
        raw_event = "?"
    call = ToolCall(
        editor=NAME,
        event=event,
        raw_event=raw_event,
        tool=tool,
        kind=kind_of(tool) if tool else "unknown",
        params=params,
        output=output,
        prompt=prompt,
        session_id=session,
        cwd=cwd,
        tool_use_id=text(payload.get("tool_use_id")),
    )
    call.warnings = warnings
    return call


def render(call: ToolCall, v: Verdict) -> Answer:
    stderr = warning_lines(call.warnings + v.warnings)
    ev = call.raw_event
    if call.event == PROMPT:
        if v.decision == DENY:
            return Answer(json_line({"continue": False, "user_message": reasons.block_reason(call, v)}), stderr, 0)
        return Answer(json_line({"continue": True}), stderr, 0)
    if call.event == PRE:
        decision = v.decision
        if ev in ("beforeReadFile", "beforeTabFileRead") and v.updated_output is not None:
            decision = DENY  # the file holds secrets: it cannot be redacted before Cursor shows it
        if decision == ALLOW:
            return Answer(json_line({"permission": "allow"}), stderr, 0)
        if decision == ASK and ev not in _ASK_ENFORCED:
            decision = DENY  # "ask" is not enforced here: an unenforced ask would let the tool run
        reason = reasons.block_reason(call, v) if v.hits or v.reason else reasons.output_notice(v)
        return Answer(
            json_line({"permission": decision, "user_message": reasons.user_message(call, v), "agent_message": reason}),
            stderr,
            0,
        )
    if call.event == POST and v.updated_output is not None:
        out: dict = {}
        if call.tool.startswith("mcp__") and isinstance(v.updated_output, dict):
            mcp = v.updated_output.get("tool_output", v.updated_output.get("result_json"))
            if mcp is not None:
                out["updated_mcp_tool_output"] = mcp
        # Cursor replaces only MCP outputs; for other tools the model saw the original text.
        out = {"additional_context": reasons.output_notice(v, replaced=bool(out)), **out}
        return Answer(json_line(out), stderr, 0)
    return Answer(json_line({}), stderr, 0)


def render_unparsed_deny(reason: str) -> Answer:
    """Event unknown: a deny object plus exit 2 (which Cursor treats as deny on every before* event)."""
    msg = f"clampd-guard blocked this call: {reason}"
    return Answer(json_line({"permission": "deny", "user_message": msg, "agent_message": msg, "continue": False}), msg + "\n", 2)


def render_unparsed_allow() -> Answer:
    return Answer(json_line({"permission": "allow"}), "", 0)
