"""What every editor adapter shares: the bad-input error and the rendered answer."""

from __future__ import annotations


class BadInput(ValueError):
    """The hook payload cannot be understood; the message is one line for stderr."""


class Answer:
    """Exactly what the guard writes: stdout (empty or one JSON object), stderr, exit code."""

    __slots__ = ("stdout", "stderr", "code")

    def __init__(self, stdout: str = "", stderr: str = "", code: int = 0) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.code = code
