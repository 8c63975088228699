"""The gateway contract as the real hook process speaks it, against a loopback contract server.

Every test runs ``python -I -S guard/hookmain.py`` with a guard.json that
points at ``tests.gateway_server.Gateway`` and asserts what the server
received (exact body, headers, a JWT it verified) and what the editor reads.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.gateway_server import (
    PASS,
    Gateway,
    cache_dir,
    gateway_config,
    hook,
    post_read,
    pre_bash,
    pre_tool,
    tls_contexts,
    write_config,
)
from tests.hookrun import FAST, env_for

LS_BODY = b'{"tool":"Bash","params":{"command":"ls -la"},"target_url":"","prompt_context":"scope:exec:shell:run"}'


def _check_agent_jwt(rec, gw: Gateway) -> None:  # type: ignore[no-untyped-def]
    assert rec.auth == "agent", rec.auth_problem
    assert rec.jwt_header == {"alg": "HS256", "typ": "JWT"}
    assert set(rec.claims) == {"sub", "iss", "iat", "exp"}
    assert rec.claims["sub"] == gw.agent_id and rec.claims["iss"] == "clampd-guard"
    assert rec.claims["exp"] - rec.claims["iat"] == 3600
    assert abs(rec.claims["iat"] - time.time()) < 120


@pytest.mark.parametrize("secret", ["ags_live_5f3c9a0d1e7b", "plain-shared-secret"])
def test_proxy_request_exact_body_headers_and_verified_agent_jwt(home: Path, secret: str) -> None:
    with Gateway(secret=secret) as gw:
        write_config(home, **gateway_config(gw))
        r = hook(pre_bash("ls -la"), home)
        assert (r.code, r.stdout) == (0, "")  # allowed: Claude Code's allow is empty stdout
        assert "offline" not in r.stderr
        [rec] = gw.posts()
    assert rec.path == "/v1/proxy"
    assert rec.body == LS_BODY
    assert rec.headers["content-type"] == "application/json"
    assert rec.headers["x-ag-key"] == gw.api_key
    assert rec.headers["authorization"].startswith("Bearer ")
    _check_agent_jwt(rec, gw)


def test_ags_key_rule_is_what_the_server_checks(home: Path) -> None:
    """A guard that signed with the raw ags_ secret would be rejected: the server applies the rule."""
    from tests.gateway_server import verify_jwt

    from guard.gateway import auth

    tok = auth.mint("agent-7", "ags_abc", int(time.time()))
    assert verify_jwt(tok, "ags_abc")[2] == ""
    import hashlib
    import hmac

    head, payload, _sig = tok.split(".")
    raw = hmac.new(b"ags_abc", f"{head}.{payload}".encode(), hashlib.sha256).digest()
    import base64

    wrong = f"{head}.{payload}." + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    assert verify_jwt(wrong, "ags_abc")[2] == "bad signature"


def test_employee_token_is_used_when_valid(home: Path) -> None:
    with Gateway(employee_tokens=("emp-token-123",)) as gw:
        write_config(home, gateway_url=gw.url, api_key=gw.api_key)  # no agent_id/secret at all
        (home / ".clampd" / "token.json").write_text(
            json.dumps({"access_token": "emp-token-123", "expires_at": int(time.time()) + 600})
        )
        r = hook(pre_bash("ls -la"), home)
        assert (r.code, r.stdout) == (0, "")
        [rec] = gw.posts()
    assert rec.auth == "employee"
    assert rec.headers["authorization"] == "Bearer emp-token-123"
    assert rec.headers["x-ag-key"] == gw.api_key
    assert rec.body == LS_BODY


def test_employee_token_near_expiry_falls_back_to_agent_jwt(home: Path) -> None:
    with Gateway(employee_tokens=("emp-token-123",)) as gw:
        write_config(home, **gateway_config(gw))
        (home / ".clampd" / "token.json").write_text(
            json.dumps({"access_token": "emp-token-123", "expires_at": int(time.time()) + 30})  # < 60 s left
        )
        r = hook(pre_bash("ls -la"), home)
        assert (r.code, r.stdout) == (0, "")
        [rec] = gw.posts()
    _check_agent_jwt(rec, gw)


def test_post_event_goes_to_inspect_with_the_tool_response(home: Path) -> None:
    payload = post_read("/tmp/project/app.py", "print('hello')\n")
    with Gateway() as gw:
        write_config(home, **gateway_config(gw))
        r = hook(payload, home)
        assert (r.code, r.stdout) == (0, "")
        [rec] = gw.posts()
    assert rec.path == "/v1/inspect"
    assert rec.json == {"tool": "Read", "response_data": payload["tool_response"]}
    _check_agent_jwt(rec, gw)


def test_https_with_ca_bundle(home: Path, tmp_path: Path) -> None:
    ctx, ca, _other = tls_contexts(tmp_path)
    with Gateway(tls=ctx) as gw:
        assert gw.url.startswith("https://")
        gw.reply = dict(PASS, allowed=False, action="block", denial_reason="blocked over TLS")
        write_config(home, **gateway_config(gw, ca_bundle=str(ca)))
        r = hook(pre_bash("ls -la"), home)
        [rec] = gw.posts()
    assert rec.body == LS_BODY
    _check_agent_jwt(rec, gw)
    assert r.decision == "deny" and "blocked over TLS" in r.reason


def test_scopes_follow_the_contract(home: Path) -> None:
    from guard.engine.toolkinds import kind_of
    from guard.gateway import wire
    from guard.toolcall import PRE, ToolCall

    want = {
        "Bash": "exec:shell:run", "Write": "fs:write:file", "Edit": "fs:write:file", "Read": "fs:read:file",
        "Glob": "fs:read:search", "Grep": "fs:read:search", "NotebookEdit": "exec:eval:notebook",
        "WebFetch": "net:http:outbound", "WebSearch": "net:http:outbound", "Task": "agent:subagent:spawn",
        "Agent": "agent:subagent:spawn", "mcp__github__create_issue": "scm:git:api",
        "mcp__slack__post_message": "comms:slack:send", "mcp__linear__list": "agent:mcp:tool",
        "SomethingNew": "unknown",
    }
    for tool, scope in want.items():
        call = ToolCall("claude", PRE, "PreToolUse", tool=tool, kind=kind_of(tool), params={"x": 1})
        assert wire.proxy_body(call) == {"tool": tool, "params": {"x": 1}, "target_url": "",
                                         "prompt_context": f"scope:{scope}"}
    with Gateway() as gw:
        write_config(home, **gateway_config(gw))
        hook(pre_tool("mcp__github__create_issue", {"title": "t", "body": "b"}), home)
        [rec] = gw.posts()
    assert rec.json["prompt_context"] == "scope:scm:git:api"


def test_gateway_deny_wins_over_local_allow_and_unknown_fields_are_ignored(home: Path) -> None:
    with Gateway() as gw:
        gw.reply = {
            "request_id": "req-42", "allowed": False, "action": "block", "risk_score": 0.91,
            "denial_reason": "listing is forbidden on this host", "matched_rules": ["R-LIST-7", "R-HOST-2"],
            "latency_ms": 4, "scope_token": "st", "brand_new_field": {"nested": [1, 2]}, "reasoning": "policy",
        }
        write_config(home, **gateway_config(gw))
        r = hook(pre_bash("ls -la"), home)
    assert r.code == 0 and r.decision == "deny"
    assert "listing is forbidden on this host" in r.reason
    assert "R-LIST-7, R-HOST-2" in r.reason and "request req-42" in r.reason
    assert "(decided by: gateway)" in r.reason


def test_allowed_false_alone_is_a_deny(home: Path) -> None:
    with Gateway() as gw:
        gw.reply = {"allowed": False, "denial_reason": "no"}
        write_config(home, **gateway_config(gw))
        r = hook(pre_bash("ls -la"), home)
    assert r.decision == "deny" and "the Clampd gateway denied it: no" in r.reason


def test_gateway_flag_asks(home: Path) -> None:
    with Gateway() as gw:
        gw.reply = dict(PASS, action="flag", risk_score=0.5, reasoning="unusual for this agent",
                        matched_rules=["R-ODD"])
        write_config(home, **gateway_config(gw))
        r = hook(pre_bash("ls -la"), home)
    assert r.decision == "ask"
    assert "flagged it for review: unusual for this agent" in r.reason and "R-ODD" in r.reason


def test_post_flag_becomes_a_warning_for_the_model(home: Path) -> None:
    with Gateway() as gw:
        gw.inspect_reply = dict(PASS, action="flag", denial_reason="looks like customer PII")
        write_config(home, **gateway_config(gw))
        r = hook(post_read("/tmp/project/users.csv", "name,city\nann,oslo\n"), home)
    ctx = r.json["hookSpecificOutput"]["additionalContext"]
    assert r.json["hookSpecificOutput"]["hookEventName"] == "PostToolUse"
    assert "flagged this tool output: looks like customer PII" in ctx
    assert "looks like customer PII" in r.stderr


def test_local_deny_never_reaches_the_gateway(home: Path) -> None:
    with Gateway() as gw:
        write_config(home, **gateway_config(gw))
        r = hook(pre_bash("rm -rf ~"), home)
        assert r.decision == "deny"
        assert "(decided by" not in r.reason  # a local rule decided
        assert gw.posts() == [] and gw.connections == 0


def test_local_deny_does_not_even_import_httpx(home: Path) -> None:
    with Gateway() as gw:
        write_config(home, **gateway_config(gw))
        hook(pre_bash("ls"), home)  # warm the rule cache
        mods = []
        for cmd, expect_httpx in (("rm -rf ~", False), ("ls", True)):
            proc = subprocess.run([sys.executable, "-X", "importtime", "-I", "-S", str(FAST)],
                                  input=json.dumps(pre_bash(cmd)).encode(), capture_output=True,
                                  env=env_for(home), timeout=30)
            mods = [ln.rsplit("|", 1)[1].strip() for ln in proc.stderr.decode().splitlines()
                    if ln.startswith("import time:") and "|" in ln]
            assert ("httpx" in mods) is expect_httpx, cmd
            assert "keyring" not in mods  # credentials are in guard.json: no keyring import


def test_skip_low_risk_skips_read_only_tools_the_local_rules_pass(home: Path) -> None:
    with Gateway() as gw:
        write_config(home, **gateway_config(gw, skip_low_risk=True))
        assert hook(pre_tool("Read", {"file_path": "/tmp/project/README.md"}), home).stdout == ""
        assert hook(pre_tool("Grep", {"pattern": "TODO", "path": "/tmp/project"}), home).stdout == ""
        assert gw.posts() == []
        hook(pre_bash("ls -la"), home)  # not read-only: asked
        assert [r.path for r in gw.posts()] == ["/v1/proxy"]
        write_config(home, **gateway_config(gw, skip_low_risk=False))
        hook(pre_tool("Read", {"file_path": "/tmp/project/README.md"}), home)
        assert len(gw.posts()) == 2 and gw.posts()[1].json["prompt_context"] == "scope:fs:read:file"


def test_prompts_stay_local(home: Path) -> None:
    with Gateway() as gw:
        write_config(home, **gateway_config(gw))
        r = hook({"hook_event_name": "UserPromptSubmit", "prompt": "refactor the parser", "session_id": "s"}, home)
        assert (r.code, r.stdout) == (0, "")
        assert gw.posts() == []


def test_no_gateway_configured_means_no_network_and_no_cache_files(home: Path) -> None:
    r = hook(pre_bash("ls -la"), home)
    assert (r.code, r.stdout, r.stderr) == (0, "", "")
    assert not (cache_dir(home) / "gateway-token.json").exists()


def test_standard_proxy_variables_are_honoured(home: Path) -> None:
    """HTTP_PROXY set: the request goes to the proxy in absolute form (here the test server plays the proxy)."""
    with Gateway() as proxy:
        cfg = gateway_config(proxy)
        cfg["gateway_url"] = "http://gateway.invalid:8443"
        write_config(home, **cfg)
        r = hook(pre_bash("ls -la"), home, {"HTTP_PROXY": proxy.url})
        assert (r.stdout, r.stderr) == ("", "")
        [rec] = proxy.posts()
    assert rec.path == "http://gateway.invalid:8443/v1/proxy"
    assert rec.body == LS_BODY and rec.auth == "agent"


def test_permission_request_does_not_ask_the_gateway_twice(home: Path) -> None:
    with Gateway() as gw:
        write_config(home, **gateway_config(gw))
        payload = dict(pre_bash("ls -la"), hook_event_name="PermissionRequest")
        r = hook(payload, home)
        assert (r.code, r.stdout) == (0, "")
        assert gw.posts() == []


def test_cursor_events_use_the_same_contract(home: Path) -> None:
    payload = json.loads((Path(__file__).parent / "fixtures" / "cursor" / "beforeShellExecution-benign.json").read_text())
    from tests import hookrun

    with Gateway() as gw:
        gw.reply = dict(PASS, allowed=False, action="block", denial_reason="npm is frozen today")
        write_config(home, **gateway_config(gw))
        hook(pre_bash("ls"), home)  # warm (Claude payload)
        r = hookrun.run(payload, home, how="fast", args=["--agent", "cursor"],
                        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
        rec = gw.posts()[-1]
    assert rec.json == {"tool": "Bash", "params": {"command": "npm test"}, "target_url": "",
                        "prompt_context": "scope:exec:shell:run"}
    assert r.json["permission"] == "deny" and "npm is frozen today" in r.json["agent_message"]


def test_gateway_and_offline_verdicts_are_audited_with_their_source(home: Path) -> None:
    """The audit trail says who decided: the gateway (with its matched rules) or nobody online."""
    from tests.auditlib import audit_json

    with Gateway() as gw:
        gw.reply = {"allowed": False, "action": "block", "risk_score": 0.9, "denial_reason": "host policy",
                    "matched_rules": ["R-LIST-7"]}
        write_config(home, **gateway_config(gw, breaker_backoff_ms=600000))
        assert hook(pre_bash("ls -la"), home).decision == "deny"
        gw.mode = "500"
        assert hook(pre_bash("ls -la src"), home).decision is None  # fail_open: the local allow stands
    got = {r["preview"]: r for r in audit_json(home)}
    denied = next(r for p, r in got.items() if p.endswith("ls -la"))
    offline = next(r for p, r in got.items() if p.endswith("ls -la src"))
    assert (denied["source"], denied["verdict"]) == ("gateway", "deny") and "R-LIST-7" in denied["rule_ids"]
    assert (offline["source"], offline["verdict"]) == ("offline", "allow") and "offline:" in offline["reason"] and "500" in offline["reason"]
