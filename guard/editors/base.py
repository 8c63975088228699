"""What every editor adapter shares: the bad-input error and the rendered answer."""

from __future__ import annotations


class BadInput(ValueError):
    """The hook payload cannot be understood; the message is one line for stderr."""


def warning_lines(warnings: list[str]) -> str:
    """Warnings as stderr lines (stderr only: stdout is reserved for the one answer object)."""
    return "".join(f"clampd-guard: warning: {w}\n" for w in warnings)


class Answer:
    """Exactly what the guard writes: stdout (empty or one JSON object), stderr, exit code."""

    __slots__ = ("stdout", "stderr", "code")

    def __init__(self, stdout: str = "", stderr: str = "", code: int = 0) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.code = code
