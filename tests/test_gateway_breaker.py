"""The cross-process circuit breaker: one dead gateway costs one timeout per back-off window.

Separate hook processes, counted at the server (no timing assertions): after
one failure the next processes decide offline without contacting the gateway;
once the window has passed (simulated by moving ``retry_at`` into the past in
the state file), exactly one call probes; success closes the breaker.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from tests.gateway_server import Gateway, gateway_config, hook, pre_bash, state_dir, write_config

BACKOFF = 600000  # ten minutes: no test run is slow enough to leave the window by itself


def _state(home: Path) -> dict:
    return json.loads((state_dir(home) / "gateway-breaker.json").read_text())


def _end_window(home: Path) -> None:
    p = state_dir(home) / "gateway-breaker.json"
    st = json.loads(p.read_text())
    st["retry_at"] = time.time() - 1
    p.write_text(json.dumps(st))


def test_a_dead_gateway_costs_one_timeout_per_window_across_processes(home: Path) -> None:
    with Gateway() as gw:
        gw.mode = "sleep"
        gw.delay = 10.0
        write_config(home, **gateway_config(gw, timeout_ms=1000, breaker_backoff_ms=BACKOFF))
        first = hook(pre_bash("ls -la"), home)
        assert "was unreachable (no answer from" in first.stderr
        later = [hook(pre_bash(f"ls -la dir{i}"), home) for i in range(4)]
        # Only the first process connected (counted at accept: it may have given up before sending).
        assert gw.connections == 1 and len(gw.posts()) <= 1
        for r in later:
            assert (r.code, r.stdout) == (0, "")
            assert "was skipped (circuit breaker open until" in r.stderr and "no answer from" in r.stderr
        st = _state(home)
        assert st["state"] == "open" and st["failures"] == 1
        assert (state_dir(home) / "gateway-breaker.json").stat().st_mode & 0o777 == 0o600

        # The window ends: one probe; the gateway is back, so the breaker closes.
        _end_window(home)
        gw.mode = "ok"
        r = hook(pre_bash("ls -la"), home)
        assert (r.code, r.stdout, r.stderr) == (0, "", "")
        assert gw.connections == 2 and gw.posts()[-1].auth == "agent"
        assert _state(home)["state"] == "closed" and _state(home)["failures"] == 0
        n = len(gw.posts())
        hook(pre_bash("ls -la"), home)
        assert len(gw.posts()) == n + 1  # closed: every call asks again
        assert not (state_dir(home) / "gateway-breaker.probe").exists()


def test_fail_closed_with_an_open_breaker_denies_without_contacting_the_gateway(home: Path) -> None:
    with Gateway() as gw:
        gw.mode = "500"
        write_config(home, **gateway_config(gw, fail_open=False, breaker_backoff_ms=BACKOFF))
        assert hook(pre_bash("ls -la"), home).decision == "deny"
        r = hook(pre_bash("ls -la"), home)
        assert len(gw.posts()) == 1
    assert r.decision == "deny"
    assert "the Clampd gateway was skipped (circuit breaker open until" in r.reason and "HTTP 500" in r.reason
    assert "clampd-guard status" in r.reason and "(decided by: offline)" in r.reason


def test_a_failed_probe_reopens_for_another_window(home: Path) -> None:
    with Gateway() as gw:
        gw.mode = "500"
        write_config(home, **gateway_config(gw, breaker_backoff_ms=BACKOFF))
        hook(pre_bash("ls"), home)
        _end_window(home)
        hook(pre_bash("ls"), home)  # the probe, still failing
        hook(pre_bash("ls"), home)  # inside the new window
        assert len(gw.posts()) == 2
    st = _state(home)
    assert st["state"] == "open" and st["failures"] == 2 and st["retry_at"] > time.time() + 60


def test_only_one_process_probes_at_a_time(home: Path) -> None:
    with Gateway() as gw:
        gw.mode = "500"
        write_config(home, **gateway_config(gw, breaker_backoff_ms=BACKOFF))
        hook(pre_bash("ls"), home)
        _end_window(home)
        claim = state_dir(home) / "gateway-breaker.probe"
        claim.touch()  # another hook process is probing right now
        r = hook(pre_bash("ls"), home)
        assert "another hook process is probing the gateway" in r.stderr
        assert len(gw.posts()) == 1
        # A claim left by a process that died mid-probe goes stale: the next call breaks it and probes.
        old = time.time() - 3600
        os.utime(claim, (old, old))
        gw.mode = "ok"
        hook(pre_bash("ls"), home)
        assert len(gw.posts()) == 2 and _state(home)["state"] == "closed" and not claim.exists()
        hook(pre_bash("ls"), home)  # closed again: every call consults the gateway
        assert len(gw.posts()) == 3


def test_another_gateway_url_starts_closed(home: Path) -> None:
    with Gateway() as dead, Gateway() as live:
        dead.mode = "500"
        write_config(home, **gateway_config(dead, breaker_backoff_ms=BACKOFF))
        hook(pre_bash("ls"), home)
        write_config(home, **gateway_config(live, breaker_backoff_ms=BACKOFF))
        r = hook(pre_bash("ls"), home)
        assert (r.stdout, r.stderr) == ("", "")
        assert len(live.posts()) == 1


def test_state_for_status_and_doctor(home: Path) -> None:
    from guard.config.load import load
    from guard.gateway import breaker
    from guard.gateway.breaker import Gate

    write_config(home, gateway_url="http://127.0.0.1:9", breaker_backoff_ms=5000)
    cfg = load(managed_path=str(home / "no-managed.json"))
    st = breaker.state(cfg)
    assert st["state"] == "closed" and st["failures"] == 0 and st["last_error"] == ""
    breaker.failure(cfg, Gate(True), "connection to http://127.0.0.1:9 refused", now=1000.0)
    st = breaker.state(cfg, now=1001.0)
    assert {k: st[k] for k in ("state", "failures", "last_error", "opened_at", "retry_at")} == {
        "state": "open", "failures": 1, "last_error": "connection to http://127.0.0.1:9 refused",
        "opened_at": 1000.0, "retry_at": 1005.0}
    assert breaker.state(cfg, now=1006.0)["state"] == "half_open"
    assert not breaker.begin(cfg, now=1004.0).go
    gate = breaker.begin(cfg, now=1006.0)
    assert gate.go and gate.probe
    assert breaker.state(cfg, now=1006.0)["probing"] is True
    breaker.success(cfg, gate)
    assert breaker.state(cfg)["state"] == "closed"


def test_a_forged_state_file_cannot_switch_the_gateway_off_for_longer_than_one_window(home: Path) -> None:
    with Gateway() as gw:
        write_config(home, **gateway_config(gw, breaker_backoff_ms=BACKOFF))
        hook(pre_bash("ls"), home)
        p = state_dir(home) / "gateway-breaker.json"
        p.parent.mkdir(parents=True, exist_ok=True)
        now = time.time()
        for opened, retry in ((now - 2 * BACKOFF / 1000, now + 10**7), (now + 10**6, now + 10**7)):
            p.write_text(json.dumps({"url": gw.url, "state": "open", "failures": 1, "last_error": "forged",
                                     "opened_at": opened, "retry_at": retry}))
            n = len(gw.posts())
            r = hook(pre_bash("ls"), home)
            assert len(gw.posts()) == n + 1 and (r.stdout, r.stderr) == ("", "")
