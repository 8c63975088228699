"""Small pieces of the gateway path in-process: reply parsing, health, the request cap."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from guard.gateway import wire
from tests.gateway_server import Gateway, closed_port, tls_contexts


def test_reply_parsing_ignores_unknown_fields_and_rejects_non_verdicts() -> None:
    r = wire.parse_reply({"allowed": True, "action": "flag", "risk_score": 0.4, "matched_rules": ["a", 3, "b"],
                          "new": {"x": 1}, "reasoning": "odd\nhour"})
    assert (r.allowed, r.action, r.flagged, r.blocked, r.risk, r.matched_rules, r.reasoning) == (
        True, "flag", True, False, 0.4, ["a", "b"], "odd hour")
    assert wire.parse_reply({"action": "block"}).blocked
    assert wire.parse_reply({"allowed": False, "action": "pass"}).blocked  # allowed=false wins
    assert wire.parse_reply({"allowed": True, "risk_score": "high"}).risk == 0.0
    assert wire.parse_reply({"allowed": True, "risk_score": 7}).risk == 1.0
    assert wire.parse_reply({"allowed": False, "matched_rules": [{"id": "R1", "score": 1}, {"name": "R2"}, {},
                                                                  None, " "]}).matched_rules == ["R1", "R2"]
    for bad in ([], "yes", {"allowed": "true"}, {"action": "maybe"}, {}):
        with pytest.raises(wire.BadReply):
            wire.parse_reply(bad)


def _cfg(url: str, **kw: object):  # type: ignore[no-untyped-def]
    from guard.config.load import Config

    c = Config()
    c.gateway_url = url
    for k, v in kw.items():
        setattr(c, k, v)
    return c


def test_health(tmp_path: Path) -> None:
    from guard.gateway import client

    with Gateway() as gw:
        ok, detail, ms = client.health(_cfg(gw.url))
        assert ok and detail == "HTTP 200 (ok)" and ms > 0
        assert [r.path for r in gw.requests] == ["/health"]
    ok, detail, _ = client.health(_cfg(f"http://127.0.0.1:{closed_port()}"))
    assert not ok and "refused" in detail
    ctx, good, other = tls_contexts(tmp_path)
    with Gateway(tls=ctx) as gw:
        assert client.health(_cfg(gw.url, ca_bundle=str(good)))[0]
        ok, detail, _ = client.health(_cfg(gw.url, ca_bundle=str(other)))
        assert not ok and "TLS failure" in detail
        ok, detail, _ = client.health(_cfg(gw.url, ca_bundle=str(tmp_path / "missing.pem")))
        assert not ok and "cannot be loaded" in detail


def test_the_cap_bounds_a_slow_drip_that_per_read_timeouts_would_not(tmp_path: Path) -> None:
    """Each byte arrives well inside the read timeout; only the whole-request cap can stop it."""
    from guard.gateway import client

    with Gateway() as gw:
        gw.mode = "drip"
        gw.drip_interval = 0.05
        with pytest.raises(client.Fault) as e:
            client.exchange(_cfg(gw.url), "POST", "/v1/proxy", b"{}", {}, 0.3)
        # Without the cap this exchange would succeed after ~5 s (no single read ever waits 0.3 s).
        assert e.value.kind == "slow"


def test_deadline_remaining_and_cap_restore_the_outer_deadline() -> None:
    from guard.runtime import deadline

    assert deadline.remaining() is None
    deadline.arm(30)
    try:
        left = deadline.remaining()
        assert left is not None and 29 < left <= 30
        with pytest.raises(deadline.CapExceeded):
            with deadline.Cap(0.05):
                time.sleep(1)
        deadline.restore()
        import _signal

        left_timer = _signal.getitimer(_signal.ITIMER_REAL)[0]
        assert 28 < left_timer <= 30  # the outer deadline is armed again
    finally:
        deadline.disarm()
    assert deadline.remaining() is None


def test_site_dirs_of_a_venv_leave_out_the_base_interpreter() -> None:
    """Under -I -S the gateway path adds site-packages itself; a venv must not see the base install's packages."""
    import sys

    from guard.runtime import sitedeps as deps

    venv = Path(sys.executable).parent.parent
    cfg = venv / "pyvenv.cfg"
    if not cfg.exists() or "include-system-site-packages = true" in cfg.read_text():
        pytest.skip("not running from an isolated venv")
    ver = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    assert deps.site_dirs() == [str(venv / "lib" / ver / "site-packages")]


def test_commands_stay_local_unless_they_ask_for_the_gateway(home: Path) -> None:
    """decide.run_payload (check, demo, test, explain) never consults the gateway by default."""
    from guard.config.load import Config
    from guard.decide import run_payload
    from guard.editors import claude_code

    payload = {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls"}}
    with Gateway() as gw:
        gw.reply = {"allowed": False, "denial_reason": "no"}
        cfg = Config()
        cfg.gateway_url, cfg.api_key, cfg.agent_id, cfg.secret = gw.url, gw.api_key, gw.agent_id, gw.secret
        _call, v = run_payload(claude_code, payload, cfg)
        assert (v.decision, v.source, gw.posts()) == ("allow", "local", [])
        _call, v = run_payload(claude_code, payload, cfg, gateway=True)
        assert (v.decision, v.source, len(gw.posts())) == ("deny", "gateway", 1)
