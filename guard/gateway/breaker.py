"""A circuit breaker shared by every hook process, in one small state file.

Each tool call is a new process, so the breaker lives on disk (user state dir,
written atomically, 0600). After a gateway failure it is ``open``: every hook
process skips the gateway until ``retry_at`` and decides offline, so one
outage costs one timeout, not one per tool call. After the window the first
process to claim the probe file (an O_EXCL create, so exactly one) calls the
gateway again (``half_open``); the others stay offline while it does. Success
closes the breaker; another failure opens it for a new window.

The state belongs to one gateway_url: a different URL starts closed.
"""

from __future__ import annotations

import time

from guard.config import paths
from guard.config.load import Config
from guard.runtime import jsonfast, sysio

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half_open"

STATE_NAME = "gateway-breaker.json"
PROBE_NAME = "gateway-breaker.probe"


def state_file() -> str:
    return sysio.join(paths.user_state_dir(), STATE_NAME)


def probe_file() -> str:
    return sysio.join(paths.user_state_dir(), PROBE_NAME)


def _closed(url: str) -> dict:
    return {"url": url, "state": CLOSED, "failures": 0, "last_error": "", "opened_at": 0.0, "retry_at": 0.0}


def _read(cfg: Config) -> dict:
    url = cfg.gateway_url
    try:
        data = jsonfast.loads(sysio.read_bytes(state_file(), limit=1 << 16).decode("utf-8"))
    except (OSError, ValueError):
        return _closed(url)  # type: ignore[arg-type]
    if not isinstance(data, dict) or data.get("url") != url or data.get("state") not in (CLOSED, OPEN):
        return _closed(url)  # type: ignore[arg-type]
    out = _closed(url)  # type: ignore[arg-type]
    for k in ("failures", "opened_at", "retry_at"):
        v = data.get(k)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out[k] = v
    out["state"] = data["state"]
    out["last_error"] = data.get("last_error") if isinstance(data.get("last_error"), str) else ""
    # The file sits in a user dir: a written-in "open until next year" must not switch the gateway
    # off. No window is longer than breaker_backoff_ms from its opening, and no opening is in the future.
    if out["opened_at"] > time.time() + 60:
        return _closed(url)  # type: ignore[arg-type]
    out["retry_at"] = min(out["retry_at"], out["opened_at"] + cfg.breaker_backoff_ms / 1000.0)  # type: ignore[operator]
    return out


def _write(data: dict) -> None:
    try:
        sysio.write_atomic(state_file(), jsonfast.dumps(data).encode("utf-8"), 0o600)
    except OSError:
        pass  # an unwritable state dir degrades to "no breaker", never to a wrong verdict


def _probe_stale_after(cfg: Config) -> float:
    """A probe claim older than this belongs to a process that died mid-probe."""
    return max(cfg.timeout_ms, cfg.deadline_ms) / 1000.0 + 1.0  # type: ignore[operator]


class Gate:
    """``begin``'s answer: go to the gateway (maybe as the probe), or stay offline and why."""

    __slots__ = ("go", "probe", "why")

    def __init__(self, go: bool, probe: bool = False, why: str = "") -> None:
        self.go = go
        self.probe = probe
        self.why = why


def _clock(t: float) -> str:
    lt = time.localtime(t)
    return f"{lt.tm_hour:02d}:{lt.tm_min:02d}:{lt.tm_sec:02d}"


def begin(cfg: Config, now: float | None = None) -> Gate:
    """May this process call the gateway now?"""
    now = time.time() if now is None else now
    st = _read(cfg)
    if st["state"] == CLOSED:
        return Gate(True)
    if now < st["retry_at"]:
        return Gate(False, why=f"circuit breaker open until {_clock(st['retry_at'])} after: {st['last_error']}")
    if sysio.claim(probe_file(), _probe_stale_after(cfg)):  # a stale claim: the prober died
        return Gate(True, probe=True)
    return Gate(False, why=f"another hook process is probing the gateway (last error: {st['last_error']})")


def success(cfg: Config, gate: Gate) -> None:
    """The gateway answered: close the breaker (writes only when it was not closed)."""
    st = _read(cfg)
    if st["state"] != CLOSED or st["failures"]:
        _write(_closed(cfg.gateway_url))  # type: ignore[arg-type]
    if gate.probe:
        sysio.unlink(probe_file())


def failure(cfg: Config, gate: Gate, error: str, now: float | None = None) -> None:
    """The gateway failed: open the breaker for ``breaker_backoff_ms``."""
    now = time.time() if now is None else now
    st = _read(cfg)
    st.update(
        state=OPEN,
        failures=int(st["failures"]) + 1,
        last_error=error[:300],
        opened_at=now,
        retry_at=now + cfg.breaker_backoff_ms / 1000.0,  # type: ignore[operator]
    )
    _write(st)
    if gate.probe:
        sysio.unlink(probe_file())


def release(gate: Gate) -> None:
    """The call never reached the gateway (e.g. no credentials): give the probe back."""
    if gate.probe:
        sysio.unlink(probe_file())


def state(cfg: Config, now: float | None = None) -> dict:
    """For ``status``/``doctor``: state closed|open|half_open, failures, last_error, opened_at, retry_at.

    ``half_open`` means the window has passed (the next call probes) or a probe is in flight.
    """
    now = time.time() if now is None else now
    st = _read(cfg)
    out = dict(st)
    out["file"] = state_file()
    if st["state"] == OPEN and now >= st["retry_at"]:
        out["state"] = HALF_OPEN
    out["probing"] = sysio.mtime(probe_file()) is not None
    return out


def reset(cfg: Config) -> None:
    """Close the breaker by hand (``status --reset`` or tests)."""
    sysio.unlink(probe_file())
    _write(_closed(cfg.gateway_url))  # type: ignore[arg-type]
