"""GitHub Copilot CLI's hook protocol (hook-protocols.md §3; github/docs hooks-configuration.md).

- Hooks live in ``.github/hooks/*.json`` (``version: 1``, lowerCamelCase events,
  entries ``{"type":"command","bash":...,"powershell":...,"timeoutSec":30}``).
- stdin has **no event name**: ``{timestamp, cwd, toolName, toolArgs}`` is
  preToolUse (``toolArgs`` is a JSON *string*), ``toolResult`` added is
  postToolUse, ``prompt`` alone is userPromptSubmitted. A ``hookEventName`` /
  ``hook_event_name`` field, if a newer CLI sends one, is honoured.
- Allow = exit 0 and empty stdout ("omit output to allow").
- preToolUse deny = exit 0 + ``{"permissionDecision":"deny","permissionDecisionReason":R}``.
- Ask: the reference says "only deny is currently processed", while a later
  CLI (1.0.24, github/copilot-cli #2647) prompts on ``ask``. An unprocessed ask
  would let the tool run, so an ask is answered as a deny (the safe form) whose
  reason says that the user can run the call themselves.
- postToolUse and userPromptSubmitted: their output is ignored, so the guard
  cannot redact a result or stop a prompt here. It still inspects them (the
  audit trail and session signals see them) and says so on stderr.
- The exit code of a failing hook is not documented, so a deny is never
  carried by the exit code alone: even a deny for an unreadable payload is the
  deny object with exit 0 (harmless on events that ignore output).

Tools: ``bash``/``powershell`` ``{command}``, ``write_bash`` ``{input}`` (typed
into a running shell), ``view`` ``{path}``, ``edit`` ``{path, old_str, new_str}``,
``create`` ``{path, file_text}``, ``str_replace_editor`` ``{command, path, ...}``,
``glob``/``grep``, ``web_fetch`` ``{url}``. Other names are read as unknown
tools (every string is read by every rule).
"""

from __future__ import annotations

from guard import reasons
from guard.editors.base import Answer, BadInput, as_params, json_line, kind_for, no_ask_reason, text, warning_lines
from guard.engine.toolkinds import FILE_READ, FILE_WRITE, kind_of
from guard.toolcall import OTHER, POST, PRE, PROMPT, ToolCall
from guard.verdict import ALLOW, ASK, DENY, Verdict

NAME = "copilot"

_NAMED = {"preToolUse": PRE, "postToolUse": POST, "userPromptSubmitted": PROMPT}


def payload_from_env() -> dict | None:
    return None


def _params(tool: str, params: dict) -> dict:
    """Copilot's argument names mapped to the ones the rules read (the originals are kept)."""
    extra: dict = {}
    if "content" not in params and isinstance(params.get("file_text"), str):
        extra["content"] = params["file_text"]
    if "new_string" not in params and isinstance(params.get("new_str"), str):
        extra["new_string"] = params["new_str"]
    if "old_string" not in params and isinstance(params.get("old_str"), str):
        extra["old_string"] = params["old_str"]
    if tool == "write_bash" and "command" not in params and isinstance(params.get("input"), str):
        extra["command"] = params["input"]
    return {**params, **extra} if extra else params


def _kind(tool: str, params: dict) -> str:
    if tool == "str_replace_editor":
        return FILE_READ if params.get("command") == "view" else FILE_WRITE
    return kind_for(kind_of(tool), params) if tool else "unknown"


def parse(payload: object) -> ToolCall:
    if not isinstance(payload, dict):
        raise BadInput(f"hook input is a JSON {type(payload).__name__}, expected an object")
    warnings: list[str] = []
    named = text(payload.get("hookEventName")) or text(payload.get("hook_event_name"))
    if named in _NAMED:
        raw_event = named
    elif "toolResult" in payload:
        raw_event = "postToolUse"
    elif "toolName" in payload:
        raw_event = "preToolUse"
    elif "prompt" in payload:
        raw_event = "userPromptSubmitted"
    else:
        raw_event = named or "other"
    event = _NAMED.get(raw_event, OTHER)

    tool = payload.get("toolName")
    if not isinstance(tool, str):
        if tool is not None:
            warnings.append("toolName is not a string")
        tool = ""
    params = _params(tool, as_params(payload.get("toolArgs"), warnings, "toolArgs"))
    output = None
    if event == POST:
        output = payload.get("toolResult")
    call = ToolCall(
        editor=NAME,
        event=event,
        raw_event=raw_event,
        tool=tool,
        kind=_kind(tool, params),
        params=params,
        output=output,
        prompt=text(payload.get("prompt")) if event == PROMPT else "",
        session_id=text(payload.get("sessionId")) or text(payload.get("session_id")),
        cwd=text(payload.get("cwd")),
    )
    if event == PRE and not tool:
        warnings.append("toolName missing; the arguments are read as an unknown tool's")
    call.warnings = warnings
    return call


def render(call: ToolCall, v: Verdict) -> Answer:
    stderr = warning_lines(call.warnings + v.warnings)
    if v.decision == ALLOW and v.updated_output is None:
        return Answer("", stderr, 0)
    if call.event == PRE:
        r = reasons.block_reason(call, v)
        if v.decision == ASK:
            r = no_ask_reason("Copilot CLI", r)
        return Answer(json_line({"permissionDecision": "deny", "permissionDecisionReason": r}), stderr, 0)
    if call.event == POST and v.updated_output is not None:
        note = "Copilot CLI ignores postToolUse output, so this could not be redacted: " + reasons.user_message(call, v)
        return Answer("", stderr + warning_lines([note]), 0)
    if call.event == PROMPT and v.decision in (DENY, ASK):
        note = "Copilot CLI ignores userPromptSubmitted output, so this prompt could not be stopped: " + reasons.user_message(call, v)
        return Answer("", stderr + warning_lines([note]), 0)
    return Answer("", stderr, 0)


def render_unparsed_deny(reason: str) -> Answer:
    """Event unknown: the deny object (only preToolUse reads it; the others ignore output) with exit 0."""
    msg = reason if reason.startswith("clampd-guard ") else f"clampd-guard blocked this call: {reason}"
    return Answer(json_line({"permissionDecision": "deny", "permissionDecisionReason": msg}), msg + "\n", 0)
