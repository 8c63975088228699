"""A process-wide deadline that interrupts whatever the hook is doing.

On POSIX a SIGALRM timer raises ``DeadlineExceeded`` in the main thread; it
interrupts blocking reads and also regex matching (``_sre`` checks for
signals while it runs). The hook's top-level handler turns it into the
fail-mode verdict, so being killed by the editor's own timeout, which makes
Claude Code run the tool, never happens first.

``remaining()`` tells a network call how much of the budget is left, and
``Cap`` bounds one operation (a gateway request) by a shorter timer that
raises ``CapExceeded`` instead, then puts the outer deadline back.
"""

from __future__ import annotations

import _signal
import time

_until: float | None = None  # time.monotonic() at which DeadlineExceeded fires
# After the deadline fires it fires again every REFIRE seconds until disarmed: an exception
# raised by a signal handler can be swallowed ("Exception ignored in ...") when it lands in
# a destructor or a weakref callback during an import, and a lost deadline would let the
# editor's own timeout kill the hook, which makes Claude Code run the tool.
REFIRE = 0.05


class DeadlineExceeded(BaseException):
    """Raised asynchronously when the guard's time budget runs out.

    A BaseException so that no ``except Exception`` in the engine swallows it.
    """


class CapExceeded(BaseException):
    """Raised asynchronously when a ``Cap`` runs out (a BaseException for the same reason)."""


def _on_alarm(signum: int, frame: object) -> None:
    raise DeadlineExceeded()


def _on_cap(signum: int, frame: object) -> None:
    raise CapExceeded()


def arm(seconds: float) -> None:
    """Start (or restart) the deadline ``seconds`` from now."""
    global _until
    _until = time.monotonic() + max(seconds, 0.001)
    if hasattr(_signal, "setitimer"):
        _signal.signal(_signal.SIGALRM, _on_alarm)
        _signal.setitimer(_signal.ITIMER_REAL, max(seconds, 0.001), REFIRE)
    else:  # pragma: no cover - Windows: interrupt the main thread from a timer thread
        import _thread

        def _fire() -> None:
            time.sleep(seconds)
            _thread.interrupt_main()

        _thread.start_new_thread(_fire, ())


def disarm() -> None:
    global _until
    _until = None
    if hasattr(_signal, "setitimer"):
        _signal.setitimer(_signal.ITIMER_REAL, 0)


def remaining() -> float | None:
    """Seconds left before the deadline fires, or None when none is armed."""
    if _until is None:
        return None
    return _until - time.monotonic()


class Cap:
    """``with Cap(s):`` raises ``CapExceeded`` inside the block after ``s`` seconds.

    Used for a whole gateway request: httpx's timeouts apply to each read, so
    a server that drips one byte at a time would otherwise hold the hook until
    the outer deadline. Only works in the main thread on POSIX (``active`` is
    False elsewhere; callers then check the clock themselves).
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = max(seconds, 0.001)
        self.active = False

    def __enter__(self) -> "Cap":
        if hasattr(_signal, "setitimer"):
            try:
                _signal.signal(_signal.SIGALRM, _on_cap)
            except ValueError:  # not the main thread
                return self
            _signal.setitimer(_signal.ITIMER_REAL, self.seconds)
            self.active = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self.active:
            self.active = False
            restore()


def restore() -> None:
    """Put the outer deadline back after a ``Cap`` (idempotent; safe if the cap fired late)."""
    if not hasattr(_signal, "setitimer"):  # pragma: no cover
        return
    try:
        _signal.setitimer(_signal.ITIMER_REAL, 0)
        _signal.signal(_signal.SIGALRM, _on_alarm)
    except ValueError:  # not the main thread: nothing was changed
        return
    if _until is not None:
        _signal.setitimer(_signal.ITIMER_REAL, max(_until - time.monotonic(), 0.001), REFIRE)
