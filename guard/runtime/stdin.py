"""Read the hook payload from stdin: capped, under a deadline, done at one object.

Claude Code writes one JSON line and closes stdin, but clients have been seen
to keep stdin open (claude-code #78756, #90585); the guard must not wait for
EOF once it holds a complete object, and must never wait past its deadline.
"""

from __future__ import annotations

from guard.runtime import sysio

BOM = b"\xef\xbb\xbf"
_CHUNK = 1 << 20


class StdinResult:
    """What was read: the bytes kept and why reading stopped."""

    __slots__ = ("data", "truncated", "total")

    def __init__(self, data: bytes, truncated: bool, total: int) -> None:
        self.data = data
        self.truncated = truncated
        self.total = total


def _looks_complete(buf: bytes) -> bool:
    """Cheap test: ends in a closing brace/bracket (JSON validity is checked later)."""
    tail = buf[-64:].rstrip()
    return tail.endswith(b"}") or tail.endswith(b"]")


def read_payload(cap: int, fd: int = 0) -> StdinResult:
    """Read up to ``cap`` bytes; past the cap keep draining (discarding) to EOF.

    Draining lets the writer finish instead of hitting EPIPE; the process-wide
    deadline (runtime.deadline) interrupts a writer that never stops.
    """
    chunks: list[bytes] = []
    kept = 0
    total = 0
    truncated = False
    while True:
        try:
            b = sysio.read(fd, _CHUNK)
        except OSError:
            break
        if not b:
            break
        total += len(b)
        if truncated:
            continue
        room = cap - kept
        if len(b) > room:
            chunks.append(b[:room])
            kept = cap
            truncated = True
            continue
        chunks.append(b)
        kept += len(b)
        if _looks_complete(b) and _parses(b"".join(chunks)):
            break
    return StdinResult(b"".join(chunks), truncated, total)


def _parses(buf: bytes) -> bool:
    from guard.runtime import jsonfast

    try:
        jsonfast.loads(decode(buf)[0])
    except ValueError:
        return False
    return True


def decode(buf: bytes) -> tuple[str, str | None]:
    """Decode as UTF-8, stripping a BOM. Bad bytes become U+FFFD plus a warning.

    Replacing instead of rejecting matters: in fail-open mode a rejected
    payload is an allowed payload, so one stray byte must not switch the
    rules off.
    """
    warning = None
    if buf.startswith(BOM):
        buf = buf[3:]
        warning = "input began with a UTF-8 byte-order mark (stripped)"
    try:
        return buf.decode("utf-8"), warning
    except UnicodeDecodeError as e:
        return buf.decode("utf-8", "replace"), f"input is not valid UTF-8 (byte {e.start}); bad bytes replaced"
