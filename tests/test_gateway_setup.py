"""``clampd-guard setup``: the user config and the keyring, as a user would run it (subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.gateway_server import Gateway, cache_dir, hook, pre_bash
from tests.hookrun import LAUNCHER, env_for

KEYRING = "tests.keyring_backend.FileKeyring"


def setup(home: Path, args: list[str], env: dict, stdin: str = "") -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(LAUNCHER), "--managed", str(home / "no-managed.json"), "--", "setup", *args]
    return subprocess.run(cmd, input=stdin.encode(), capture_output=True, env=env_for(home, env), timeout=60)


def _user_file(home: Path) -> Path:
    return home / ".clampd" / "guard.json"


def test_setup_stores_secrets_in_the_keyring_and_keeps_other_fields(home: Path, tmp_path: Path) -> None:
    ring = tmp_path / "ring.json"
    env = {"PYTHON_KEYRING_BACKEND": KEYRING, "CLAMPD_TEST_KEYRING": str(ring)}
    _user_file(home).parent.mkdir()
    _user_file(home).write_text(json.dumps({"sensitivity": "strict", "api_key": "old-plaintext-key"}))
    with Gateway() as gw:
        p = setup(home, ["--gateway-url", gw.url, "--agent-id", gw.agent_id, "--api-key", "-", "--secret", "-"],
                  env, stdin=f"{gw.api_key}\n{gw.secret}\n")
        assert p.returncode == 0, p.stderr
        out = p.stdout.decode()
        assert "api_key, secret stored in the OS keyring (tests.keyring_backend.FileKeyring)" in out
        assert gw.secret not in out and gw.api_key not in out
        data = json.loads(_user_file(home).read_text())
        assert data == {"sensitivity": "strict", "gateway_url": gw.url, "agent_id": gw.agent_id}
        assert _user_file(home).stat().st_mode & 0o777 == 0o600
        assert json.loads(ring.read_text()) == {"clampd-guard/api_key": gw.api_key, "clampd-guard/secret": gw.secret}
        # The hook then authenticates with them.
        r = hook(pre_bash("ls"), home, env)
        assert (r.stdout, r.stderr) == ("", "")
        [rec] = gw.posts()
        assert rec.auth == "agent" and rec.headers["x-ag-key"] == gw.api_key


def test_setup_without_a_usable_keyring_writes_a_0600_file_and_says_so(home: Path) -> None:
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    p = setup(home, ["--gateway-url", "https://gw.example.com", "--agent-id", "a1", "--api-key", "k1",
                     "--secret", "ags_s1"], env)
    assert p.returncode == 0, p.stderr
    assert "api_key, secret stored in" in p.stdout.decode() and "no usable OS keyring" in p.stdout.decode()
    data = json.loads(_user_file(home).read_text())
    assert data == {"gateway_url": "https://gw.example.com", "agent_id": "a1", "api_key": "k1", "secret": "ags_s1"}
    assert _user_file(home).stat().st_mode & 0o777 == 0o600


def test_setup_no_keyring_flag_and_invalid_url(home: Path, tmp_path: Path) -> None:
    ring = tmp_path / "ring.json"
    env = {"PYTHON_KEYRING_BACKEND": KEYRING, "CLAMPD_TEST_KEYRING": str(ring)}
    p = setup(home, ["--api-key", "k2", "--no-keyring"], env)
    assert p.returncode == 0 and "--no-keyring" in p.stdout.decode()
    assert json.loads(_user_file(home).read_text()) == {"api_key": "k2"} and not ring.exists()
    before = _user_file(home).read_text()
    p = setup(home, ["--gateway-url", "ftp://nope"], env)
    assert p.returncode == 2 and "not an http(s) URL" in p.stderr.decode()
    assert _user_file(home).read_text() == before
    p = setup(home, [], env)  # not a terminal, nothing given
    assert p.returncode == 2 and "nothing to set" in p.stderr.decode()


def test_setup_refuses_to_overwrite_a_broken_user_file(home: Path) -> None:
    _user_file(home).parent.mkdir()
    _user_file(home).write_text("{broken")
    p = setup(home, ["--agent-id", "x"], {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert p.returncode == 2 and "not valid JSON" in p.stderr.decode()
    assert _user_file(home).read_text() == "{broken"


def test_setup_drops_the_cached_token(home: Path) -> None:
    cached = cache_dir(home) / "gateway-token.json"
    cached.parent.mkdir(parents=True)
    cached.write_text("{}")
    p = setup(home, ["--secret", "ags_new"], {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert p.returncode == 0 and not cached.exists()


def test_setup_check_reports_health(home: Path) -> None:
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    with Gateway() as gw:
        p = setup(home, ["--gateway-url", gw.url, "--check"], env)
        assert p.returncode == 0 and "gateway reachable: HTTP 200 (ok)" in p.stdout.decode()
        assert [r.path for r in gw.requests] == ["/health"]
        gw.mode = "500"
        p = setup(home, ["--gateway-url", gw.url, "--check"], env)
        assert p.returncode == 2 and "NOT reachable" in p.stdout.decode() and "HTTP 500" in p.stdout.decode()


def test_setup_interactive_on_a_terminal(home: Path, tmp_path: Path) -> None:
    """A real pseudo-terminal: prompts for each value, secrets without echo."""
    import os
    import pty
    import select

    ring = tmp_path / "ring.json"
    env = env_for(home, {"PYTHON_KEYRING_BACKEND": KEYRING, "CLAMPD_TEST_KEYRING": str(ring)})
    cmd = [sys.executable, str(LAUNCHER), "--managed", str(home / "no-managed.json"), "--", "setup"]
    pid, fd = pty.fork()
    if pid == 0:  # the child: setup on the terminal
        os.execve(cmd[0], cmd, env)
    answers = {b"Gateway URL": b"https://gw.example.com\n", b"API key": b"ak-typed-secretly\n",
               b"Agent id": b"agent-tty\n", b"Agent secret": b"ags_typed_secretly\n"}
    seen = b""  # everything the terminal showed
    buf = b""  # what it showed since the last answer
    pending = list(answers)
    while True:
        r, _, _ = select.select([fd], [], [], 30)
        if not r:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child exited and closed the terminal
            break
        if not chunk:
            break
        seen += chunk
        buf += chunk
        if pending and pending[0] in buf:
            os.write(fd, answers[pending.pop(0)])
            buf = b""
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, seen
    assert not pending
    assert b"ak-typed-secretly" not in seen and b"ags_typed_secretly" not in seen  # no echo
    assert json.loads(_user_file(home).read_text()) == {"gateway_url": "https://gw.example.com",
                                                        "agent_id": "agent-tty"}
    assert json.loads(ring.read_text()) == {"clampd-guard/api_key": "ak-typed-secretly",
                                            "clampd-guard/secret": "ags_typed_secretly"}
