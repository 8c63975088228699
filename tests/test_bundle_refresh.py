"""Automatic refresh: a hook call that finds the bundle due starts one detached ``rules update``.

Observed through what the refresh leaves behind (the stamp, the adopted bundle,
the requests the loopback server saw), never through timing: the test waits
for the detached process's result, with a generous upper bound only to fail
instead of hanging.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.bundlekit import CANARY, THIS, RulesServer, cache, cli, env_for, keypair, make_bundle, managed, rules_dir

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, bytes]:
    root = tmp_path_factory.mktemp("refresh-assets")
    key, pub = keypair(root)
    return pub, make_bundle(root, key, 1, rules_dir(root)).read_bytes()


def pre(command: str) -> bytes:
    return json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}}).encode()


def wait_for(cond, what: str, limit: float = 60.0) -> None:
    end = time.monotonic() + limit
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def adopted(home: Path) -> bool:
    st = cache(home) / "state.json"
    return st.exists() and json.loads(st.read_text()).get("version") == 1 and not (cache(home) / "refresh.lock").exists()


def test_a_due_bundle_is_refreshed_in_the_background(tmp_path: Path, signed: tuple[str, bytes]) -> None:
    pub, body = signed
    home = tmp_path / "home"
    with RulesServer() as srv:
        srv.body = body
        m = managed(tmp_path, rules_public_key=pub, rules_url=srv.url + "/v1/guard/rules", rules_max_age_hours=24)
        r = cli(home, m, stdin=pre(CANARY))
        # This call is answered with the rules in force (embedded): it does not wait for the refresh.
        assert r.returncode == 0 and r.stdout == ""
        assert (cache(home) / "refresh.stamp").exists()
        wait_for(lambda: adopted(home), "the detached rules update")
        assert len(srv.requests) == 1
        r = cli(home, m, stdin=pre(CANARY))
        assert json.loads(r.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"
        # Fresh stamp: later calls start nothing.
        stamp = (cache(home) / "refresh.stamp").stat().st_mtime_ns
        cli(home, m, stdin=pre("ls"))
        assert (cache(home) / "refresh.stamp").stat().st_mtime_ns == stamp
        assert not (cache(home) / "refresh.lock").exists()
        assert len(srv.requests) == 1


def test_the_hook_answers_while_the_refresh_is_still_running(tmp_path: Path, signed: tuple[str, bytes]) -> None:
    """The server holds the refresh's request; the hook has already answered and closed its pipes."""
    import threading

    pub, body = signed
    home = tmp_path / "home"
    with RulesServer() as srv:
        srv.body = body
        srv.gate = threading.Event()
        m = managed(tmp_path, rules_public_key=pub, rules_url=srv.url + "/v1/guard/rules", rules_max_age_hours=24)
        # subprocess.run waits for EOF on stdout and stderr: a child holding them would block it.
        r = cli(home, m, stdin=pre("ls"))
        assert r.returncode == 0 and r.stdout == ""
        assert srv.arrived.wait(60), "the detached refresh never reached the server"
        assert not adopted(home) and (cache(home) / "refresh.lock").exists()
        srv.gate.set()
        wait_for(lambda: adopted(home), "the detached rules update")


def test_parallel_hooks_start_one_refresh(tmp_path: Path, signed: tuple[str, bytes]) -> None:
    pub, body = signed
    home = tmp_path / "home"
    home.mkdir()
    with RulesServer() as srv:
        srv.body = body
        m = managed(tmp_path, rules_public_key=pub, rules_url=srv.url + "/v1/guard/rules", rules_max_age_hours=1)
        cmd = [sys.executable, str(THIS), "--managed", str(m), "--"]
        procs = [
            subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_for(home))
            for _ in range(8)
        ]
        for p in procs:
            out, err = p.communicate(pre("git status"), timeout=60)
            assert p.returncode == 0 and out == b"" and b"Traceback" not in err, err
        wait_for(lambda: adopted(home), "the detached rules update")
        assert len(srv.requests) == 1


def test_refresh_is_rate_limited_by_the_stamp_and_a_live_lock(tmp_path: Path, signed: tuple[str, bytes]) -> None:
    pub, body = signed
    home = tmp_path / "home"
    with RulesServer() as srv:
        srv.body = body
        m = managed(tmp_path, rules_public_key=pub, rules_url=srv.url + "/v1/guard/rules", rules_max_age_hours=1)
        c = cache(home)
        c.mkdir(parents=True)
        # A refresh is running (fresh lock) and the stamp is old: nobody else starts one.
        (c / "refresh.stamp").write_text("0")
        old = time.time() - 7200
        os.utime(c / "refresh.stamp", (old, old))
        (c / "refresh.lock").write_text("12345")
        cli(home, m, stdin=pre("ls"))
        assert (c / "refresh.stamp").stat().st_mtime == pytest.approx(old, abs=1)
        # The lock is old (its refresh died): the next call takes over.
        os.utime(c / "refresh.lock", (old, old))
        cli(home, m, stdin=pre("ls"))
        assert (c / "refresh.stamp").stat().st_mtime > old + 3600
        wait_for(lambda: adopted(home), "the detached rules update")
        assert len(srv.requests) == 1


@pytest.mark.parametrize("fields", [{"rules_max_age_hours": 0}, {"no_key": True}, {"no_source": True}])
def test_no_refresh_when_off_or_unconfigured(tmp_path: Path, signed: tuple[str, bytes], fields: dict) -> None:
    pub, _body = signed
    home = tmp_path / "home"
    cfg: dict = {"rules_public_key": pub, "rules_url": "http://127.0.0.1:9/v1/guard/rules", "rules_max_age_hours": 24}
    if fields.pop("no_key", False):
        del cfg["rules_public_key"]
    if fields.pop("no_source", False):
        del cfg["rules_url"]
    cfg.update(fields)
    r = cli(home, managed(tmp_path, **cfg), stdin=pre("ls"))
    assert r.returncode == 0 and r.stdout == ""
    assert not (cache(home) / "refresh.stamp").exists()
    assert not (cache(home) / "refresh.lock").exists()
