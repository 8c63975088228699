"""`clampd-guard test` (the attack suite) and `clampd-guard explain`, through the installed console script."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from guard.attacks import GROUPS, load
from tests.conftest import guard_exe


def env_for(home: Path) -> dict:
    return {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}


def cli(home: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    proc = subprocess.run(guard_exe() + list(args), capture_output=True, env=env_for(home), cwd=home, timeout=timeout)
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert "Traceback" not in err and "Traceback" not in out, err
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def suite_ids(group: str | None = None, expected: str = "block") -> list[str]:
    return [a.id for a in load() if a.expected == expected and (group is None or a.group == group)]


# --- the suite as data ---------------------------------------------------------------


def test_suite_is_large_and_covers_every_group() -> None:
    attacks = [a for a in load() if a.expected == "block"]
    assert len(attacks) >= 60
    for g in GROUPS:
        assert sum(a.group == g for a in attacks) >= 8, g
    assert len({a.id for a in load()}) == len(load())
    posts = [a for a in attacks if a.event == "PostToolUse"]
    assert posts and all(a.group == "injection" and "tool_response" in a.payload for a in posts)


# --- local engine --------------------------------------------------------------------


def test_shell_group_json_counts_add_up(home: Path) -> None:
    r = cli(home, "test", "--attacks", "shell", "--json")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("\n") == 1
    assert r.stderr == ""  # no progress bar when stderr is not a terminal
    data = json.loads(r.stdout)
    n = len(suite_ids("shell"))
    assert data["engine"] == "local"
    assert data["total"] == n == len(data["results"])
    assert sum(data["counts"].values()) == n
    assert set(data["counts"]) == {"blocked", "flagged", "allowed", "error"}
    assert data["counts"]["blocked"] >= 1
    assert {r["group"] for r in data["results"]} == {"shell"}
    by_id = {r["id"]: r for r in data["results"]}
    rm = by_id["shell.rm-home"]
    assert rm["result"] == "blocked" and rm["decision"] == "deny" and "shell.rm-vital" in rm["rules"]
    assert data["by_group"]["shell"]["total"] == n
    assert data["failed"] == [r["id"] for r in data["results"] if r["result"] in ("allowed", "error")]
    # Benign controls are reported apart from the attacks.
    assert all(c["expected"] == "allow" for c in data["controls"]["results"])


def test_all_groups_table(home: Path) -> None:
    r = cli(home, "test")
    assert r.returncode == 0, r.stderr
    assert "\x1b[" not in r.stdout  # no colour when stdout is not a terminal
    head = r.stdout.splitlines()[2].split()
    assert head == ["CATEGORY", "ATTACK", "EXPECTED", "RESULT", "RULES"]
    n = len(suite_ids())
    assert f"{n} attacks: " in r.stdout
    for g in GROUPS:
        assert any(line.startswith(g + " ") for line in r.stdout.splitlines()), g
    assert "shell.rm-vital" in r.stdout


def test_post_injection_counts_as_blocked_when_defused(home: Path) -> None:
    r = cli(home, "test", "--only", "injection.web-ignore-instructions", "--json")
    res = json.loads(r.stdout)["results"][0]
    assert res["event"] == "PostToolUse"
    assert res["decision"] == "redact" and res["result"] == "blocked"


def test_exit_on_fail_zero_when_everything_is_blocked(home: Path) -> None:
    r = cli(home, "test", "--only", "shell.rm-home,shell.rm-quoted", "--exit-on-fail")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "2 attacks: 2 blocked" in r.stdout


def test_exit_on_fail_one_when_an_attack_is_allowed(home: Path) -> None:
    data = json.loads(cli(home, "test", "--json").stdout)
    allowed = [x["id"] for x in data["results"] if x["result"] == "allowed"]
    if not allowed:
        pytest.skip("every attack is currently stopped by the local rules (see the gateway variant)")
    r = cli(home, "test", "--only", allowed[0], "--exit-on-fail")
    assert r.returncode == 1
    assert f"allowed (no rule stopped them): {allowed[0]}" in r.stdout
    # Without the flag the same run is a report, not a gate.
    assert cli(home, "test", "--only", allowed[0]).returncode == 0


def test_usage_errors(home: Path) -> None:
    r = cli(home, "test", "--attacks", "sqli,bogus")
    assert r.returncode == 2 and "unknown attack group 'bogus'" in r.stderr
    r = cli(home, "test", "--only", "no.such-attack")
    assert r.returncode == 2 and "unknown attack id" in r.stderr
    r = cli(home, "test", "--interval", "5")
    assert r.returncode == 2 and "--interval needs --watch" in r.stderr
    r = cli(home, "test", "--gateway", "ftp://x")
    assert r.returncode == 2 and "not an http(s) URL" in r.stderr


def test_watch_prints_rounds_and_exits_130_on_ctrl_c(home: Path) -> None:
    proc = subprocess.Popen(
        guard_exe() + ["test", "--attacks", "shell", "--watch", "--interval", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env_for(home),
        cwd=home,
    )
    try:
        lines = [proc.stdout.readline().decode() for _ in range(2)]  # type: ignore[union-attr]
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert b"Traceback" not in err
    n = len(suite_ids("shell"))
    for line in lines:
        assert line[:4].isdigit() and "T" in line[:11]  # timestamp first
        assert f"{n} attacks: " in line


# --- gateway --------------------------------------------------------------------------


class Recorder:
    def __init__(self, answer: dict) -> None:
        self.answer = answer
        self.requests: list[tuple[str, dict, dict]] = []


def serve(answer: dict) -> tuple[ThreadingHTTPServer, Recorder]:
    rec = Recorder(answer)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            n = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(n))
            rec.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            data = json.dumps(rec.answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, rec


BLOCK = {"allowed": False, "action": "block", "risk_score": 0.9, "denial_reason": "x", "matched_rules": ["r1"]}


def test_gateway_mode_sends_proxy_requests(home: Path) -> None:
    (home / ".clampd").mkdir()
    (home / ".clampd" / "guard.json").write_text(json.dumps({"api_key": "ag_test_key_123"}))
    server, rec = serve(BLOCK)
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        r = cli(home, "test", "--attacks", "shell,sqli", "--gateway", url, "--json")
    finally:
        server.shutdown()
        server.server_close()
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    n = len(suite_ids("shell")) + len(suite_ids("sqli"))
    assert data["engine"] == "gateway"
    assert data["total"] == n and data["counts"]["blocked"] == n
    assert all(x["result"] == "blocked" and x["rules"] == ["r1"] and x["decision"] == "block" for x in data["results"])
    n_all = n + data["controls"]["total"]
    assert len(rec.requests) == n_all
    for path, headers, body in rec.requests:
        assert path == "/v1/proxy"
        assert headers.get("x-ag-key") == "ag_test_key_123"
        assert set(body) == {"tool", "params", "target_url", "prompt_context"}
        assert body["target_url"] == "" and body["prompt_context"].startswith("scope:")
    bodies = {b["params"].get("command"): b for _p, _h, b in rec.requests}
    rm = bodies["rm -rf ~"]
    assert rm == {"tool": "Bash", "params": {"command": "rm -rf ~"}, "target_url": "", "prompt_context": "scope:exec:shell:run"}
    mcp = [b for _p, _h, b in rec.requests if b["tool"] == "mcp__postgres__query"][0]
    assert mcp["prompt_context"] == "scope:agent:mcp:tool" and "sql" in mcp["params"]


def test_gateway_pass_is_allowed_and_fails_the_gate(home: Path) -> None:
    server, _rec = serve({"allowed": True, "action": "pass", "risk_score": 0.0, "denial_reason": "", "matched_rules": []})
    try:
        url = f"http://127.0.0.1:{server.server_port}/"
        r = cli(home, "test", "--only", "shell.rm-home", "--gateway", url, "--exit-on-fail")
    finally:
        server.shutdown()
        server.server_close()
    assert r.returncode == 1
    assert "1 attacks: 0 blocked, 0 flagged, 1 allowed" in r.stdout


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_gateway_unreachable_gives_error_results(home: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    r = cli(home, "test", "--attacks", "traversal", "--gateway", url, "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["counts"]["error"] == data["total"] == len(suite_ids("traversal"))
    for x in data["results"]:
        assert x["result"] == "error"
        assert x["error"] and "\n" not in x["error"]
    assert "cannot connect" in data["results"][0]["error"]
    # As a gate, errors fail; as text, no traceback and a one-line reason.
    r = cli(home, "test", "--attacks", "traversal", "--gateway", url, "--exit-on-fail")
    assert r.returncode == 1
    assert "errors:" in r.stdout and "cannot connect" in r.stdout


# --- explain ----------------------------------------------------------------------------


def test_explain_obfuscated_rm(home: Path) -> None:
    r = cli(home, "explain", "--bash", "r''m -rf ~")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "canonical: rm -rf ~" in out
    assert "shell.rm-vital" in out
    assert "pattern 1: matched 'rm -rf ~'" in out
    assert "noisy-or" in out and "thresholds (sensitivity balanced" in out
    assert "decided by: rules" in out
    assert "DENY" in out and "the model would see:" in out
    sections = [out.index(s) for s in ("1. parsed call", "2. normalised", "3. fields", "4. rules", "5. risk", "6. decision")]
    assert sections == sorted(sections)


def test_explain_json_and_exit_zero_on_allow(home: Path) -> None:
    r = cli(home, "explain", "--bash", "rm -rf ~", "--json")
    assert r.returncode == 0
    x = json.loads(r.stdout)
    assert x["call"]["tool"] == "Bash" and x["call"]["kind"] == "shell"
    assert x["normalised"][0]["canonical"] == ["rm -rf ~"]
    assert x["decision"] == "deny" and x["layer"] == "rules"
    hit = [e for e in x["rules"] if e["id"] == "shell.rm-vital"][0]
    assert hit["keyword"] and hit["matched"] and hit["counts"]
    assert isinstance(hit["patterns"][0]["source"], str) and hit["patterns"][0]["source"]
    assert x["risk"]["combined"] >= x["thresholds"]["deny"]
    r = cli(home, "explain", "--bash", "ls -la")
    assert r.returncode == 0 and "ALLOW" in r.stdout


def test_explain_masks_secrets_and_resolves_paths(home: Path) -> None:
    token = "ghp_" + "R8mZk2Lq9VxT4nBw7YcH" + "1pDs6FgJ3aUe5KoN"
    r = cli(home, "explain", "--prompt", f"here is my token {token}")
    assert r.returncode == 0
    assert token not in r.stdout
    assert "[REDACTED:secret.github-token]" in r.stdout
    r = cli(home, "explain", "--read", "/var/www/app/../../../etc/shadow")
    assert r.returncode == 0
    assert "resolved: /etc/shadow" in r.stdout and "cred.shadow" in r.stdout


def test_explain_usage_error(home: Path) -> None:
    r = cli(home, "explain")
    assert r.returncode == 2 and r.stderr.startswith("clampd-guard: error: explain: nothing to check")
