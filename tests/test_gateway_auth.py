"""Tokens and secrets across hook processes: the on-disk token cache, the keyring, re-minting."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from tests.gateway_server import Gateway, cache_dir, gateway_config, hook, pre_bash, write_config

KEYRING = "tests.keyring_backend.FileKeyring"


def _cache(home: Path) -> Path:
    return cache_dir(home) / "gateway-token.json"


def _bearer(rec) -> str:  # type: ignore[no-untyped-def]
    return rec.headers["authorization"].split(" ", 1)[1]


def test_second_call_reuses_the_cached_token_from_a_0600_file_without_the_secret(home: Path) -> None:
    with Gateway() as gw:
        write_config(home, **gateway_config(gw))
        hook(pre_bash("ls"), home)
        hook(pre_bash("ls -la"), home)
        a, b = gw.posts()
    assert a.auth == b.auth == "agent"
    assert _bearer(a) == _bearer(b)  # not minted again
    f = _cache(home)
    assert f.stat().st_mode & 0o777 == 0o600
    text = f.read_text()
    assert gw.secret not in text
    assert hashlib.sha256(gw.secret.encode()).hexdigest() not in text  # nor the ags_ signing key
    assert gw.api_key not in text  # guard.json holds it: no second copy
    assert json.loads(text)["token"] == _bearer(a)


def test_expired_cached_token_is_minted_again(home: Path) -> None:
    with Gateway() as gw:
        write_config(home, **gateway_config(gw))
        hook(pre_bash("ls"), home)
        entry = json.loads(_cache(home).read_text())
        entry.update(token="stale.token.value", token_exp=int(time.time()) + 30, until=int(time.time()) - 1)
        _cache(home).write_text(json.dumps(entry))
        hook(pre_bash("ls"), home)
        rec = gw.posts()[-1]
    assert rec.auth == "agent" and _bearer(rec) != "stale.token.value"


def test_a_token_within_60s_of_expiry_is_not_used(home: Path) -> None:
    with Gateway() as gw:
        write_config(home, **gateway_config(gw))
        hook(pre_bash("ls"), home)
        entry = json.loads(_cache(home).read_text())
        entry.update(token="nearly.expired.token", token_exp=int(time.time()) + 59)  # "until" still ahead
        _cache(home).write_text(json.dumps(entry))
        hook(pre_bash("ls"), home)
        rec = gw.posts()[-1]
    assert rec.auth == "agent" and _bearer(rec) != "nearly.expired.token"


def test_changed_agent_id_or_secret_does_not_reuse_the_cached_token(home: Path) -> None:
    with Gateway() as gw:
        write_config(home, **gateway_config(gw))
        hook(pre_bash("ls"), home)
        gw.agent_id = "agent-8"
        write_config(home, **gateway_config(gw))
        hook(pre_bash("ls"), home)
        gw.secret = "ags_rotated_secret"
        write_config(home, **gateway_config(gw))
        hook(pre_bash("ls"), home)
        recs = gw.posts()
    assert [r.auth for r in recs] == ["agent"] * 3, [r.auth_problem for r in recs]
    assert recs[1].claims["sub"] == "agent-8"
    assert len({_bearer(r) for r in recs}) == 3


def test_a_401_on_a_cached_token_mints_once_more(home: Path) -> None:
    """The secret was rotated behind the cache's back (e.g. in the keyring): one retry, fresh token."""
    from tests.gateway_server import verify_jwt

    with Gateway() as gw:
        write_config(home, **gateway_config(gw))
        hook(pre_bash("ls"), home)
        entry = json.loads(_cache(home).read_text())
        from guard.gateway import auth

        forged = auth.mint(gw.agent_id, "ags_the_old_secret", int(time.time()))
        assert verify_jwt(forged, gw.secret)[2] == "bad signature"
        entry["token"] = forged
        _cache(home).write_text(json.dumps(entry))
        r = hook(pre_bash("ls"), home)
        recs = gw.posts()
    assert (r.stdout, r.stderr) == ("", "")
    assert [x.auth for x in recs[1:]] == ["", "agent"]  # rejected, then accepted
    assert _bearer(recs[1]) == forged and _bearer(recs[2]) != forged


def test_keyring_secrets_are_read_only_when_minting(home: Path, tmp_path: Path) -> None:
    ring = tmp_path / "keyring.json"
    with Gateway() as gw:
        ring.write_text(json.dumps({"clampd-guard/api_key": gw.api_key, "clampd-guard/secret": gw.secret}))
        write_config(home, gateway_url=gw.url, agent_id=gw.agent_id)  # secrets only in the keyring
        env = {"PYTHON_KEYRING_BACKEND": KEYRING, "CLAMPD_TEST_KEYRING": str(ring)}
        r1 = hook(pre_bash("ls"), home, env)
        reads_after_first = Path(str(ring) + ".log").read_text().splitlines()
        r2 = hook(pre_bash("ls -la"), home, env)
        r3 = hook(pre_bash("pwd"), home, env)
        reads_after_third = Path(str(ring) + ".log").read_text().splitlines()
        recs = gw.posts()
    assert all((r.stdout, r.stderr) == ("", "") for r in (r1, r2, r3))
    assert sorted(reads_after_first) == ["get api_key", "get secret"]
    assert reads_after_third == reads_after_first  # later calls never touched the keyring
    assert [x.auth for x in recs] == ["agent"] * 3
    assert all(x.headers["x-ag-key"] == gw.api_key for x in recs)
    text = _cache(home).read_text()
    assert gw.secret not in text and hashlib.sha256(gw.secret.encode()).hexdigest() not in text
    assert json.loads(text)["api_key"] == gw.api_key  # the documented trade-off: X-AG-Key without keyring


def test_no_usable_keyring_and_no_file_secrets_is_a_credentials_fault(home: Path) -> None:
    with Gateway() as gw:
        write_config(home, gateway_url=gw.url, agent_id=gw.agent_id)
        r = hook(pre_bash("ls"), home)  # keyring's fail backend
        assert gw.posts() == []
    assert "offline:" in r.stderr and "could not be consulted" in r.stderr and "no secret" in r.stderr


def test_unit_employee_token_rules(home: Path) -> None:
    from guard.gateway import auth

    p = home / ".clampd" / "token.json"
    p.parent.mkdir()
    now = 1_800_000_000
    for body, want in (
        ({"access_token": "t1", "expires_at": now + 61}, "t1"),
        ({"access_token": "t1", "expires_at": now + 60}, None),
        ({"access_token": "", "expires_at": now + 600}, None),
        ({"access_token": "t1", "expires_at": "tomorrow"}, None),
        ({"access_token": "t1"}, None),
        (["t1"], None),
    ):
        p.write_text(json.dumps(body))
        assert auth.employee_token(now) == want, body
    p.write_text("{not json")
    assert auth.employee_token(now) is None
