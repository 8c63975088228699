"""A process-wide deadline that interrupts whatever the hook is doing.

On POSIX a SIGALRM timer raises ``DeadlineExceeded`` in the main thread; it
interrupts blocking reads and also regex matching (``_sre`` checks for
signals while it runs). The hook's top-level handler turns it into the
fail-mode verdict, so being killed by the editor's own timeout, which makes
Claude Code run the tool, never happens first.
"""

from __future__ import annotations

import _signal


class DeadlineExceeded(BaseException):
    """Raised asynchronously when the guard's time budget runs out.

    A BaseException so that no ``except Exception`` in the engine swallows it.
    """


def _on_alarm(signum: int, frame: object) -> None:
    raise DeadlineExceeded()


def arm(seconds: float) -> None:
    """Start (or restart) the deadline ``seconds`` from now."""
    if hasattr(_signal, "setitimer"):
        _signal.signal(_signal.SIGALRM, _on_alarm)
        _signal.setitimer(_signal.ITIMER_REAL, max(seconds, 0.001))
    else:  # pragma: no cover - Windows: interrupt the main thread from a timer thread
        import _thread
        import time

        def _fire() -> None:
            time.sleep(seconds)
            _thread.interrupt_main()

        _thread.start_new_thread(_fire, ())


def disarm() -> None:
    if hasattr(_signal, "setitimer"):
        _signal.setitimer(_signal.ITIMER_REAL, 0)
