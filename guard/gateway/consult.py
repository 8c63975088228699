"""Ask the gateway about one call: breaker, credentials, request, breaker again.

Returns an ``Outcome`` (a verdict or the fault that prevented one); the
combination with the local verdict is ``guard.decide``'s job.
"""

from __future__ import annotations

import time

from guard.config.load import Config
from guard.gateway import auth, breaker, client, wire
from guard.gateway.client import Fault
from guard.toolcall import PRE, ToolCall

# Faults that say nothing about the gateway's health: they do not open the breaker.
_LOCAL_FAULTS = ("deadline", "config", "credentials")


class Outcome:
    """The gateway's reply, or the fault (``skipped``: the breaker kept us from even trying)."""

    __slots__ = ("reply", "fault", "skipped", "ms")

    def __init__(self, reply: wire.Reply | None = None, fault: Fault | None = None, skipped: bool = False,
                 ms: float = 0.0) -> None:
        self.reply = reply
        self.fault = fault
        self.skipped = skipped
        self.ms = ms


def _send(call: ToolCall, cfg: Config, creds: auth.Creds) -> wire.Reply:
    if call.event == PRE:
        path, body = wire.PROXY, wire.proxy_body(call)
    else:
        path, body = wire.INSPECT, wire.inspect_body(call)
    return client.post(cfg, path, body, creds.token, creds.api_key, client.budget(cfg))


def _credentials(cfg: Config, fresh: bool = False) -> auth.Creds:
    try:
        return auth.credentials(cfg, fresh=fresh)
    except auth.NoCredentials as e:
        raise Fault("credentials", str(e)) from None


def consult(call: ToolCall, cfg: Config) -> Outcome:
    """One gateway verdict for a pre (``/v1/proxy``) or post (``/v1/inspect``) event."""
    t0 = time.perf_counter()
    gate = breaker.begin(cfg)
    if not gate.go:
        return Outcome(fault=Fault("breaker", gate.why), skipped=True)
    try:
        creds = _credentials(cfg)
        try:
            reply = _send(call, cfg, creds)
        except Fault as f:
            if f.kind != "auth" or not creds.cached:
                raise
            # The cached token may predate a new secret: drop it, mint once more.
            auth.invalidate()
            creds = _credentials(cfg, fresh=True)
            reply = _send(call, cfg, creds)
    except Fault as f:
        if f.kind in _LOCAL_FAULTS:
            breaker.release(gate)
        else:
            breaker.failure(cfg, gate, str(f))
        return Outcome(fault=f, ms=(time.perf_counter() - t0) * 1000.0)
    breaker.success(cfg, gate)
    return Outcome(reply=reply, ms=(time.perf_counter() - t0) * 1000.0)
