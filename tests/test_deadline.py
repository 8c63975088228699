"""The deadline cannot be lost: if its exception is swallowed, it fires again until disarmed."""

from __future__ import annotations

import time

import pytest

from guard.runtime import deadline
from guard.runtime.deadline import DeadlineExceeded


class _SwallowsSignals:
    """A destructor that is running when the alarm fires: Python can only print that exception."""

    def __del__(self) -> None:
        time.sleep(0.3)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_deadline_swallowed_by_a_destructor_fires_again() -> None:
    deadline.arm(0.02)
    fired = False
    try:
        _SwallowsSignals()  # refcount drops to zero at once: __del__ sleeps through the alarm
        end = time.monotonic() + 5
        while time.monotonic() < end:  # a lost deadline would spin here for 5 s and fail below
            pass
    except DeadlineExceeded:
        fired = True
    finally:
        deadline.disarm()
    assert fired


def test_disarm_stops_the_refire() -> None:
    deadline.arm(0.01)
    try:
        time.sleep(1)
    except DeadlineExceeded:
        deadline.disarm()
    time.sleep(0.2)  # a refire after disarm would raise here
    assert deadline.remaining() is None
