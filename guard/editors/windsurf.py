"""Windsurf (Cascade) hook protocol (hook-protocols.md §3; docs.windsurf.com/windsurf/cascade/hooks).

- hooks.json: ``{"hooks":{"pre_run_command":[{"command":..., "show_output":true}]}}``
  at system (``/etc/windsurf/``...), user (``~/.codeium/windsurf/``) and
  workspace (``.windsurf/``) level, all merged.
- stdin: ``{agent_action_name, trajectory_id, execution_id, timestamp, tool_info}``:
  ``pre_run_command`` ``{command_line, cwd}``, ``pre_read_code`` ``{file_path}``,
  ``pre_write_code`` ``{file_path, edits[{old_string,new_string}]}``,
  ``pre_mcp_tool_use`` ``{mcp_server_name, mcp_tool_name, mcp_tool_arguments}``,
  ``pre_user_prompt`` ``{user_prompt}``; ``post_*`` hooks after the action.
- There is no JSON decision protocol: a pre-hook blocks **only by exit 2**,
  with the reason on stderr (shown when the entry has ``show_output: true``).
  Allow = exit 0 and empty stdout. Stdout is always empty.
- No ask: an ask is answered as a block whose reason says the user can run the
  call themselves.
- Post hooks cannot block or change anything: they are inspected (audit,
  session signals) and answered with exit 0.
- Windsurf names no tools; calls are named after the event (``run_command``,
  ``read_code``, ``write_code``) and MCP calls ``mcp__<server>__<tool>``.
- A third-party description of a ``{bash, powershell}`` entry shape
  contradicts the official docs; only the payload matters here, and both
  describe the same stdin.
"""

from __future__ import annotations

from guard import reasons
from guard.editors.base import Answer, BadInput, maybe_json, no_ask_reason, text, warning_lines
from guard.engine.toolkinds import kind_of
from guard.toolcall import OTHER, POST, PRE, PROMPT, ToolCall
from guard.verdict import ASK, DENY, Verdict

NAME = "windsurf"

def payload_from_env() -> dict | None:
    return None


def _mcp_name(info: dict) -> str:
    server = text(info.get("mcp_server_name")) or "windsurf"
    return f"mcp__{server}__{text(info.get('mcp_tool_name')) or 'tool'}"


def parse(payload: object) -> ToolCall:
    if not isinstance(payload, dict):
        raise BadInput(f"hook input is a JSON {type(payload).__name__}, expected an object")
    warnings: list[str] = []
    action = payload.get("agent_action_name")
    if not isinstance(action, str) or not action:
        warnings.append("agent_action_name missing or not a string")
        action = "?"
    info = payload.get("tool_info")
    if not isinstance(info, dict):
        if info is not None:
            warnings.append("tool_info is not an object")
        info = {}
    phase, _, what = action.partition("_")
    event = {"pre": PRE, "post": POST}.get(phase, OTHER)
    tool, params, output, prompt = "", {}, None, ""
    cwd = text(info.get("cwd"))
    if what == "run_command":
        tool, params = "run_command", {"command": text(info.get("command_line"))}
    elif what == "read_code":
        tool, params = "read_code", {"file_path": text(info.get("file_path"))}
    elif what == "write_code":
        edits = info.get("edits") if isinstance(info.get("edits"), list) else []
        tool, params = "write_code", {"file_path": text(info.get("file_path")), "edits": edits}
    elif what == "mcp_tool_use":
        tool = _mcp_name(info)
        args = maybe_json(info.get("mcp_tool_arguments"))
        params = args if isinstance(args, dict) else ({} if args is None else {"input": args})
        if event == POST and "mcp_result" in info:
            output = {"mcp_result": maybe_json(info.get("mcp_result"))}
    elif what == "user_prompt" and event == PRE:
        event, prompt = PROMPT, text(info.get("user_prompt"))
    else:
        event = OTHER
    if event == POST and output is None:
        event = OTHER  # nothing to inspect after the fact (and nothing could be changed)
    call = ToolCall(
        editor=NAME,
        event=event,
        raw_event=action,
        tool=tool,
        kind=kind_of(tool) if tool else "unknown",
        params=params,
        output=output,
        prompt=prompt,
        session_id=text(payload.get("trajectory_id")),
        cwd=cwd,
        tool_use_id=text(payload.get("execution_id")),
    )
    call.warnings = warnings
    return call


def render(call: ToolCall, v: Verdict) -> Answer:
    stderr = warning_lines(call.warnings + v.warnings)
    if call.event in (PRE, PROMPT) and v.decision in (DENY, ASK):
        r = reasons.block_reason(call, v)
        if v.decision == ASK:
            r = no_ask_reason("Windsurf", r)
        return Answer("", stderr + r + "\n", 2)
    if call.raw_event == "?" and v.decision in (DENY, ASK):
        return Answer("", stderr + reasons.block_reason(call, v) + "\n", 2)
    if call.event == POST and v.updated_output is not None:
        note = "Windsurf post hooks cannot change a result, so this could not be redacted: " + reasons.user_message(call, v)
        return Answer("", stderr + warning_lines([note]), 0)
    return Answer("", stderr, 0)


def render_unparsed_deny(reason: str) -> Answer:
    """Event unknown: exit 2 with the reason on stderr (what blocks any Windsurf pre-hook)."""
    msg = reason if reason.startswith("clampd-guard ") else f"clampd-guard blocked this call: {reason}"
    return Answer("", msg + "\n", 2)

