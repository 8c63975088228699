"""The editor-neutral description of one hook event, built by an editor adapter.

Plain ``__slots__`` classes rather than msgspec Structs: they are built on
every tool call, and msgspec's import alone costs more than the whole budget.
"""

from __future__ import annotations

# Event kinds the engine understands.
PRE = "pre"  # before a tool runs: can be denied
POST = "post"  # after a tool ran (or failed): output can be redacted
PROMPT = "prompt"  # a user prompt before it reaches the model
OTHER = "other"  # events we do not inspect (SessionStart, Stop, ...)


class ToolCall:
    """One hook event: which tool, with what input, and (after) what output."""

    __slots__ = (
        "editor",
        "event",
        "raw_event",
        "tool",
        "kind",
        "params",
        "output",
        "prompt",
        "session_id",
        "cwd",
        "tool_use_id",
        "warnings",
    )

    def __init__(
        self,
        editor: str,
        event: str,
        raw_event: str,
        tool: str = "",
        kind: str = "unknown",
        params: dict | None = None,
        output: object = None,
        prompt: str = "",
        session_id: str = "",
        cwd: str = "",
        tool_use_id: str = "",
    ) -> None:
        self.editor = editor
        self.event = event
        self.raw_event = raw_event
        self.tool = tool
        self.kind = kind
        self.params = params if params is not None else {}
        self.output = output
        self.prompt = prompt
        self.session_id = session_id
        self.cwd = cwd
        self.tool_use_id = tool_use_id
        self.warnings: list[str] = []
