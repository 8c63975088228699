"""Every gateway fault, in fail-open and fail-closed configurations, through the real hook process.

Fail-open: the local verdict stands, marked offline (stderr warning). Fail
closed: a deny that names the fault and says what to do. Each run starts with
a closed breaker (fresh HOME), so every case really meets its fault.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gateway_server import Gateway, closed_port, gateway_config, hook, post_read, pre_bash, tls_contexts, write_config

# mode -> (text the reason names, whether the server sees the request)
FAULTS = {
    "refused": ("refused", False),
    "sleep": ("no answer from", True),
    "500": ("failed (HTTP 500)", True),
    "401": ("rejected the guard's credentials (HTTP 401)", True),
    "403": ("rejected the guard's credentials (HTTP 403)", True),
    "garbage": ("not valid JSON", True),
    "truncated": ("not valid JSON", True),
    "short": ("broke off its answer", True),
    "redirect": ("redirected to another host (127.0.0.2)", True),
    "redirect_same": ("answered with a redirect (HTTP 307)", True),
    "drip": ("slow response", True),
    "not_verdict": ("not a verdict", True),
    "huge": ("larger than 1048576 bytes", True),
    "tls_untrusted": ("TLS failure", False),
}
UNREACHABLE = ("refused", "sleep", "short", "redirect", "redirect_same", "drip", "tls_untrusted")


def _run(mode: str, fail_open: bool, home: Path, tmp_path: Path, payload: dict):  # type: ignore[no-untyped-def]
    tls = None
    extra: dict = {"fail_open": fail_open, "timeout_ms": 2000}
    if mode == "tls_untrusted":
        tls, _good, other = tls_contexts(tmp_path)
        extra["ca_bundle"] = str(other)  # the server's cert is from a CA this bundle does not hold
    with Gateway(tls=tls) as gw:
        gw.delay = 8.0  # well past timeout_ms
        gw.mode = mode if mode in ("sleep", "500", "401", "403", "garbage", "truncated", "short", "redirect",
                                   "redirect_same", "drip", "not_verdict", "huge") else "ok"
        cfg = gateway_config(gw, **extra)
        if mode == "refused":
            cfg["gateway_url"] = f"http://127.0.0.1:{closed_port()}"
        write_config(home, **cfg)
        r = hook(payload, home)
        return r, len(gw.posts()), gw.connections


@pytest.mark.parametrize("mode", sorted(FAULTS))
def test_fault_fail_open_keeps_the_local_verdict_marked_offline(mode: str, home: Path, tmp_path: Path) -> None:
    text, reaches = FAULTS[mode]
    r, posts, conns = _run(mode, True, home, tmp_path, pre_bash("ls -la"))
    assert (r.code, r.stdout) == (0, "")  # the local allow stands
    assert "offline:" in r.stderr and text in r.stderr and "decided by the local rules" in r.stderr
    assert (conns >= 1) is (mode != "refused")  # counted at accept (TLS rejections included)
    if not reaches:
        assert posts == 0  # refused, or the certificate was rejected before any request


@pytest.mark.parametrize("mode", sorted(FAULTS))
def test_fault_fail_closed_denies_naming_the_fault_and_the_remedy(mode: str, home: Path, tmp_path: Path) -> None:
    text, _reaches = FAULTS[mode]
    r, _posts, _conns = _run(mode, False, home, tmp_path, pre_bash("ls -la"))
    assert r.code == 0 and r.decision == "deny"
    lead = "was unreachable" if mode in UNREACHABLE else "gave no usable verdict"
    assert f"the Clampd gateway {lead}" in r.reason
    assert text in r.reason
    assert "clampd-guard status" in r.reason and "gateway_url" in r.reason and "administrator" in r.reason
    assert "(decided by: offline)" in r.reason
    assert "ags_" not in r.reason and "ak_test" not in r.reason  # no credential in any message


def test_local_deny_with_a_dead_gateway_is_still_the_local_deny(home: Path, tmp_path: Path) -> None:
    r, posts, _ = _run("refused", False, home, tmp_path, pre_bash("rm -rf ~"))
    assert r.decision == "deny" and "offline" not in r.reason and "gateway" not in r.reason


def test_post_event_fail_closed_tells_the_model_the_output_was_not_checked(home: Path, tmp_path: Path) -> None:
    r, posts, _ = _run("500", False, home, tmp_path, post_read("/tmp/project/a.txt", "plain text\n"))
    ctx = r.json["hookSpecificOutput"]["additionalContext"]
    assert "was not checked" in ctx and "HTTP 500" in ctx and "untrusted data" in ctx
    assert posts == 1


def test_post_event_fail_open_passes_the_output_with_a_warning(home: Path, tmp_path: Path) -> None:
    r, posts, _ = _run("garbage", True, home, tmp_path, post_read("/tmp/project/a.txt", "plain text\n"))
    assert (r.code, r.stdout) == (0, "") and "offline:" in r.stderr


def test_missing_credentials_never_contact_the_gateway(home: Path) -> None:
    with Gateway() as gw:
        write_config(home, gateway_url=gw.url, fail_open=False)  # no api_key, agent_id or secret anywhere
        r = hook(pre_bash("ls -la"), home)
        assert gw.posts() == []
    assert r.decision == "deny"
    assert "could not be consulted" in r.reason and "clampd-guard setup" in r.reason


def test_timeout_is_clipped_to_the_hooks_deadline(home: Path) -> None:
    """timeout_ms above what deadline_ms leaves: the hook still answers offline, not 'ran out of time'."""
    with Gateway() as gw:
        gw.mode = "sleep"
        write_config(home, **gateway_config(gw, timeout_ms=10000, deadline_ms=1500, fail_open=False))
        r = hook(pre_bash("ls -la"), home)
    assert r.decision == "deny"
    # Either the clipped request timed out, or (on a very slow machine) no time was left to send it;
    # never the hook's own deadline firing in the middle of the request.
    assert ("the Clampd gateway was unreachable (no answer from" in r.reason
            or "no time left for the gateway within deadline_ms" in r.reason), r.reason
    assert "ran out of time" not in r.reason and "(decided by: offline)" in r.reason
