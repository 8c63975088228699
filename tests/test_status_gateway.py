"""``status`` and ``doctor`` probe the real gateway (GET /health) and report the breaker state."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.gateway_server import FAIL_KEYRING, Gateway, closed_port, gateway_config, hook, pre_bash, write_config
from tests.hookrun import CONSOLE, env_for


def _cli(home: Path, *args: str) -> tuple[int, dict]:
    p = subprocess.run(
        [str(CONSOLE), *args, "--json"], capture_output=True, env=env_for(home, FAIL_KEYRING), timeout=120, check=False
    )
    assert b"Traceback" not in p.stderr, p.stderr.decode()
    return p.returncode, json.loads(p.stdout)


def _doctor_gateway(home: Path) -> list[dict]:
    _code, rep = _cli(home, "doctor")
    return [c for c in rep["checks"] if c["name"].startswith("gateway")]


def test_a_live_gateway_is_reachable_with_a_closed_breaker(home: Path) -> None:
    with Gateway() as gw:
        write_config(home, **gateway_config(gw))
        code, rep = _cli(home, "status")
        gws = rep["gateway"]
        assert gws["reachable"] is True and gws["health"].startswith("HTTP 200")
        assert gws["breaker"]["state"] == "closed" and gws["problems"] == []
        assert [r.path for r in gw.requests if r.method == "GET"] == ["/health"]
        checks = _doctor_gateway(home)
        assert [(c["name"], c["status"]) for c in checks] == [("gateway", "ok")]


def test_a_dead_gateway_and_an_open_breaker_need_attention(home: Path) -> None:
    write_config(home, gateway_url=f"http://127.0.0.1:{closed_port()}", api_key="k", agent_id="a",
                 secret="s", timeout_ms=2000, deadline_ms=30000, breaker_backoff_ms=600000)
    r = hook(pre_bash("ls -la"), home)  # the hook meets the dead gateway and opens the breaker
    assert r.code == 0 and "offline" in r.stderr
    code, rep = _cli(home, "status")
    gws = rep["gateway"]
    assert code == 1 and gws["reachable"] is False
    assert gws["breaker"]["state"] == "open" and gws["breaker"]["failures"] == 1
    assert gws["breaker"]["retry_at_utc"] > gws["breaker"]["opened_at_utc"]  # readable, and in order
    assert any("unreachable" in p for p in gws["problems"]) and any("breaker is open" in p for p in gws["problems"])
    checks = {c["name"]: c for c in _doctor_gateway(home)}
    assert checks["gateway"]["status"] == "fail" and "unreachable" in checks["gateway"]["detail"]
    assert checks["gateway breaker"]["status"] == "warn"
