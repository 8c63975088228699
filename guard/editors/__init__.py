"""One adapter per editor protocol: parse its hook JSON into a ToolCall, render a Verdict back.

Adapters are chosen by ``--agent NAME`` (what ``install`` writes); payload
sniffing is only a fallback, and it is ordered so that a payload in Claude
Code's shape is never answered in a protocol Claude Code would ignore.
"""

from __future__ import annotations

# --agent NAME -> module in this package.
ADAPTERS = {
    "claude": "claude_code",
    "claude-code": "claude_code",
    "cursor": "cursor",
    "codex": "codex",
    "gemini": "gemini",
    "copilot": "copilot",
    "windsurf": "windsurf",
}

# Claude Code's hook events (PascalCase). Codex uses the same names and shape.
_CLAUDE_EVENTS = frozenset(
    {
        "PreToolUse",
        "PermissionRequest",
        "PostToolUse",
        "PostToolUseFailure",
        "UserPromptSubmit",
        "SessionStart",
        "SessionEnd",
        "Stop",
        "SubagentStart",
        "SubagentStop",
        "PreCompact",
        "Notification",
    }
)
# Gemini CLI's own event names (none of them is a Claude or Cursor name).
_GEMINI_EVENTS = frozenset(
    {"BeforeTool", "AfterTool", "BeforeAgent", "AfterAgent", "BeforeModel", "AfterModel", "BeforeToolSelection", "PreCompress"}
)


def _load(mod: str) -> object:
    # Explicit imports (not importlib): hook mode must not pull in importlib machinery it does not need.
    if mod == "claude_code":
        from guard.editors import claude_code

        return claude_code
    if mod == "cursor":
        from guard.editors import cursor

        return cursor
    if mod == "codex":
        from guard.editors import codex

        return codex
    if mod == "gemini":
        from guard.editors import gemini

        return gemini
    if mod == "copilot":
        from guard.editors import copilot

        return copilot
    from guard.editors import windsurf

    return windsurf


def get(name: str) -> object:
    """The adapter module for ``--agent NAME``; KeyError for an unknown name."""
    return _load(ADAPTERS[name.lower()])


def sniff_name(payload: object) -> str:
    """Which adapter a payload looks like it came from (when no --agent was given).

    The event name decides first. A Claude-shaped event (PascalCase ``PreToolUse``
    ...) is answered in Claude's form even when Cursor-looking keys are present
    (Cursor's Claude-compatibility layer accepts that form too), so extra keys
    cannot steer a Claude payload to an adapter whose answer Claude Code would
    ignore. Codex shares Claude's events; its ``turn_id`` + ``model`` (which
    Claude's tool events do not carry) pick the Codex adapter, whose pre-tool
    answers are valid Claude answers too (an ask becomes a deny).
    """
    if not isinstance(payload, dict):
        return "claude"
    ev = payload.get("hook_event_name")
    if isinstance(ev, str) and ev in _CLAUDE_EVENTS:
        return "codex" if "turn_id" in payload and "model" in payload else "claude"
    if isinstance(ev, str) and ev in _GEMINI_EVENTS:
        return "gemini"
    if "cursor_version" in payload or "conversation_id" in payload:
        return "cursor"
    if "agent_action_name" in payload:
        return "windsurf"
    if "toolName" in payload:
        return "copilot"
    if isinstance(ev, str) and ev[:1].islower():
        return "cursor"  # lowerCamelCase events (beforeShellExecution, preToolUse...)
    if "turn_id" in payload:
        return "codex"
    return "claude"


def reconsider(adapter: object, call: object, payload: object) -> tuple[object, object]:
    """Keep the ``--agent`` adapter, unless it would inspect nothing and the payload is plainly another agent's.

    One hook command can be run by several hosts: Cursor runs the hooks of
    ``~/.claude/settings.json`` and VS Code runs them too, each with its own
    payloads. A Claude adapter reading Cursor's ``beforeShellExecution`` would
    see an unknown event and allow everything, so when the chosen adapter
    finds nothing to inspect (event "other") and the adapter the payload looks
    like does, that one answers. This can only add inspection: a payload the
    chosen adapter does inspect is never handed to another.
    """
    from guard.toolcall import OTHER

    if getattr(call, "event", None) != OTHER:
        return adapter, call
    name = sniff_name(payload)
    other = get(name)
    if other is adapter:
        return adapter, call
    from guard.editors.base import BadInput

    try:
        alt = other.parse(payload)  # type: ignore[attr-defined]
    except BadInput:
        return adapter, call
    if alt.event == OTHER:
        return adapter, call
    alt.warnings.append(f"the payload is {name}'s, not {getattr(adapter, 'NAME', '?')}'s; answered in {name}'s protocol")
    return other, alt


def sniff(payload: object) -> object:
    """The adapter for a payload when no --agent was given (see ``sniff_name``)."""
    return get(sniff_name(payload))
