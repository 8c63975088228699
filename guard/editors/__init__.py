"""One adapter per editor protocol: parse its hook JSON into a ToolCall, render a Verdict back.

Adapters are chosen by ``--agent NAME`` (what ``install`` writes); payload
sniffing is only a fallback.
"""

from __future__ import annotations

ADAPTERS = {"claude": "claude_code", "claude-code": "claude_code", "cursor": "cursor"}


def get(name: str) -> object:
    """The adapter module for ``--agent NAME``; KeyError for an unknown name."""
    mod = ADAPTERS[name.lower()]
    if mod == "claude_code":
        from guard.editors import claude_code

        return claude_code
    from guard.editors import cursor

    return cursor


def sniff(payload: object) -> object:
    """The adapter for a payload when no --agent was given (Claude Code unless it looks like Cursor)."""
    if isinstance(payload, dict) and ("cursor_version" in payload or "conversation_id" in payload):
        from guard.editors import cursor

        return cursor
    from guard.editors import claude_code

    return claude_code
