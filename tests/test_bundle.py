"""Signed rule bundles end to end: ``rules keygen/bundle/update/list/show`` and the real hook.

A loopback HTTP server serves the bundle (ETag / 304 / 404); the guard runs as
subprocesses through ``tests/bundlekit.py`` (which fixes the managed-config
path). What is asserted is what a user notices: exit codes, the one-line
messages, the hook's answer to a call only the bundle's extra rule denies, and
the files in the cache dir.
"""

from __future__ import annotations

import base64
import json
import stat
import sys
from pathlib import Path

import pytest

from tests.bundlekit import CANARY, RulesServer, cache, cli, keypair, make_bundle, managed, rules_dir

pytestmark = pytest.mark.slow

RM_HOME = "rm -rf ~"
TAG = sys.implementation.cache_tag


def hook(home: Path, m: Path | None, command: str) -> tuple[str | None, str]:
    """(permissionDecision or None for allow, stderr) of one PreToolUse Bash call through the real hook."""
    payload = {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}, "cwd": "/tmp"}
    r = cli(home, m, stdin=json.dumps(payload).encode())
    assert r.returncode == 0, r.stderr
    if not r.stdout:
        return None, r.stderr
    assert r.stdout.count("\n") == 1
    return json.loads(r.stdout)["hookSpecificOutput"]["permissionDecision"], r.stderr


class Assets:
    """Keys and bundles built once per session (each build is a real ``rules bundle`` run)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.key, self.pub = keypair(root, "a")
        self.other, self.other_pub = keypair(root, "b")
        self.rules = rules_dir(root)
        self.plain = rules_dir(root, extra=False, name="plain")
        self._made: dict[tuple, Path] = {}

    def bundle(self, version: int, *, other_key: bool = False, extra: bool = True) -> Path:
        k = (version, other_key, extra)
        if k not in self._made:
            name = f"v{version}-{'b' if other_key else 'a'}-{'x' if extra else 'p'}.json"
            key = self.other if other_key else self.key
            self._made[k] = make_bundle(self.root, key, version, self.rules if extra else self.plain, name)
        return self._made[k]


@pytest.fixture(scope="session")
def assets(tmp_path_factory: pytest.TempPathFactory) -> Assets:
    return Assets(tmp_path_factory.mktemp("bundle-assets"))


@pytest.fixture
def kit(tmp_path: Path, assets: Assets) -> dict:
    return {"tmp": tmp_path, "key": assets.key, "pub": assets.pub, "rules": assets.rules, "home": tmp_path / "home", "a": assets}


def test_good_bundle_is_adopted_and_changes_the_hooks_verdict(kit: dict) -> None:
    tmp, home = kit["tmp"], kit["home"]
    b = kit["a"].bundle(2)
    with RulesServer() as srv:
        srv.body = b.read_bytes()
        m = managed(tmp, rules_public_key=kit["pub"], rules_url=srv.url + "/v1/guard/rules", rules_max_age_hours=0)
        assert hook(home, m, CANARY)[0] is None  # embedded rules: allowed
        r = cli(home, m, "rules", "update")
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("clampd-guard: rules: adopted bundle version 2 (")
        assert len(srv.requests) == 1 and "if-none-match" not in srv.requests[0]["headers"]

    decision, _err = hook(home, m, CANARY)
    assert decision == "deny"
    assert hook(home, m, RM_HOME)[0] == "deny"  # the embedded rules it carries still apply
    assert hook(home, m, "ls -la")[0] is None
    for f in ("bundle.json", "state.json", f"rules-{TAG}.marshal"):
        p = cache(home) / f
        assert p.exists() and stat.S_IMODE(p.stat().st_mode) == 0o600, f
    assert (cache(home) / "bundle.json").read_bytes() == b.read_bytes()
    state = json.loads((cache(home) / "state.json").read_text())
    assert state["version"] == 2 and state["highest_version"] == 2 and state["etag"]

    ls = cli(home, m, "rules", "list")
    assert ls.returncode == 0, ls.stderr
    assert "(source bundle, version 2, created " in ls.stdout.splitlines()[0]
    assert "bundle.canary" in ls.stdout
    js = json.loads(cli(home, m, "rules", "list", "--json").stdout)
    assert js["source"] == "bundle" and js["version"] == 2 and js["problem"] is None and js["age_s"] >= 0
    show = cli(home, m, "rules", "show", "bundle.canary")
    assert show.returncode == 0, show.stderr
    assert "rule set:    source bundle, version 2" in show.stdout
    assert "  echo clampd-bundle-canary" in show.stdout and "  echo canary" in show.stdout


def test_304_and_404_keep_what_you_have(kit: dict) -> None:
    tmp, home = kit["tmp"], kit["home"]
    b = kit["a"].bundle(3)
    with RulesServer() as srv:
        # gateway_url only: the source is {gateway_url}/v1/guard/rules
        m = managed(tmp, rules_public_key=kit["pub"], gateway_url=srv.url, rules_max_age_hours=0)
        r = cli(home, m, "rules", "update")
        assert r.returncode == 0, r.stderr
        assert "has no rule bundle (HTTP 404); keeping the embedded rules" in r.stdout
        assert srv.requests[-1]["path"] == "/v1/guard/rules"
        assert not (cache(home) / "bundle.json").exists()

        srv.body = b.read_bytes()
        assert "adopted bundle version 3" in cli(home, m, "rules", "update").stdout
        r = cli(home, m, "rules", "update")
        assert r.returncode == 0 and "bundle version 3 is current" in r.stdout and "HTTP 304" in r.stdout
        assert srv.requests[-1]["headers"]["if-none-match"].startswith('"')

        srv.body = None  # the gateway stops publishing: keep the adopted bundle
        r = cli(home, m, "rules", "update")
        assert r.returncode == 0 and "HTTP 404); keeping bundle version 3" in r.stdout
    assert hook(home, m, CANARY)[0] == "deny"


def _tamper(data: bytes, *, fix_digest: bool) -> bytes:
    env = json.loads(data)
    payload = json.loads(base64.b64decode(env["payload"]))
    payload["rules"]["zz_canary.toml"] = payload["rules"]["zz_canary.toml"].replace("risk = 0.95", "risk = 0.0")
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    env["payload"] = base64.b64encode(raw).decode()
    if fix_digest:
        import hashlib

        env["sha256"] = hashlib.sha256(raw).hexdigest()
    return json.dumps(env).encode()


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("tampered", "SHA-256 digest mismatch"),
        ("tampered-rehashed", "signature does not verify with rules_public_key"),
        ("wrong-key", "signature does not verify with rules_public_key"),
        ("truncated", "truncated or malformed JSON"),
        ("downgrade", "downgrade refused: bundle version 4"),
        ("same-version", "is the adopted version number with different content"),
    ],
)
def test_bad_bundles_are_rejected_and_the_previous_rules_kept(kit: dict, case: str, message: str) -> None:
    tmp, home = kit["tmp"], kit["home"]
    a = kit["a"]
    good = a.bundle(5)
    if case == "wrong-key":
        bad = a.bundle(9, other_key=True).read_bytes()
    elif case.startswith("tampered"):
        bad = _tamper(a.bundle(9).read_bytes(), fix_digest=case.endswith("rehashed"))
    elif case == "truncated":
        full = a.bundle(9).read_bytes()
        bad = full[: len(full) // 2]
    elif case == "downgrade":
        bad = a.bundle(4).read_bytes()
    else:
        bad = a.bundle(5, extra=False).read_bytes()
    with RulesServer() as srv:
        m = managed(tmp, rules_public_key=kit["pub"], rules_url=srv.url + "/v1/guard/rules", rules_max_age_hours=0)
        srv.body = good.read_bytes()
        assert cli(home, m, "rules", "update").returncode == 0
        srv.body = bad
        r = cli(home, m, "rules", "update")
    assert r.returncode == 4, (r.stdout, r.stderr)
    assert message in r.stderr and r.stderr.rstrip().endswith("keeping bundle version 5"), r.stderr
    assert r.stderr.count("\n") == 1 and r.stdout == ""
    assert (cache(home) / "bundle.json").read_bytes() == good.read_bytes()
    assert hook(home, m, CANARY)[0] == "deny"


def test_rejected_first_bundle_keeps_the_embedded_rules(kit: dict) -> None:
    tmp, home = kit["tmp"], kit["home"]
    bad = kit["a"].bundle(1, other_key=True)
    m = managed(tmp, rules_public_key=kit["pub"])
    r = cli(home, m, "rules", "update", "--from", str(bad))
    assert r.returncode == 4 and "keeping the embedded rules" in r.stderr
    assert hook(home, m, CANARY)[0] is None
    assert hook(home, m, RM_HOME)[0] == "deny"


def test_no_key_refuses_bundles_and_contacts_nobody(kit: dict) -> None:
    tmp, home = kit["tmp"], kit["home"]
    b = kit["a"].bundle(1)
    with RulesServer() as srv:
        srv.body = b.read_bytes()
        m = managed(tmp, rules_url=srv.url + "/v1/guard/rules")
        r = cli(home, m, "rules", "update")
        assert r.returncode == 2
        assert "refused: no rules_public_key in the managed config" in r.stderr
        assert srv.requests == []
        assert cli(home, m, "rules", "update", "--from", str(b)).returncode == 2
    assert not (cache(home) / "bundle.json").exists()
    assert hook(home, m, CANARY)[0] is None


def test_user_file_rules_public_key_is_ignored(kit: dict) -> None:
    tmp, home = kit["tmp"], kit["home"]
    b = kit["a"].bundle(1)
    # Adopted while the managed file trusted the key ...
    m_key = managed(tmp, rules_public_key=kit["pub"])
    assert cli(home, m_key, "rules", "update", "--from", str(b)).returncode == 0
    assert hook(home, m_key, CANARY)[0] == "deny"
    # ... then the managed file drops it and the user (or an agent) sets it in the user file.
    (home / ".clampd").mkdir(parents=True, exist_ok=True)
    (home / ".clampd" / "guard.json").write_text(json.dumps({"rules_public_key": kit["pub"]}))
    m_none = managed(tmp, sensitivity="balanced")
    decision, err = hook(home, m_none, CANARY)
    assert decision is None
    assert "rules_public_key may only be set by the managed config; ignored" in err
    r = cli(home, m_none, "rules", "update", "--from", str(b))
    assert r.returncode == 2 and "no rules_public_key" in r.stderr
    js = json.loads(cli(home, m_none, "rules", "list", "--json").stdout)
    assert js["source"] == "embedded" and "no rules_public_key" in js["problem"]


def test_corrupt_bundle_on_disk_falls_back_to_embedded_with_a_warning(kit: dict) -> None:
    tmp, home = kit["tmp"], kit["home"]
    b = kit["a"].bundle(1)
    m = managed(tmp, rules_public_key=kit["pub"])
    assert cli(home, m, "rules", "update", "--from", str(b)).returncode == 0
    assert hook(home, m, CANARY)[0] == "deny"
    # Someone edits the adopted file: same length, one byte of the payload changed.
    p = cache(home) / "bundle.json"
    data = bytearray(p.read_bytes())
    i = data.index(b'"payload": "') + 40
    data[i] = ord("A") if data[i] != ord("A") else ord("B")
    p.write_bytes(bytes(data))
    decision, err = hook(home, m, CANARY)
    assert decision is None  # the bundle's rule is gone ...
    assert hook(home, m, RM_HOME)[0] == "deny"  # ... but never "no rules"
    assert f"rule bundle {p} refused (" in err and "using the embedded rules" in err
    # The refusal is remembered: the next call does not verify again, but still says so.
    assert (cache(home) / f"rejected-{TAG}.marshal").exists()
    assert "refused" in hook(home, m, "ls")[1]
    info = json.loads(cli(home, m, "rules", "list", "--json").stdout)
    assert info["source"] == "embedded" and "refused" in info["problem"]
    # rules update repairs it (same version and digest as recorded: not a downgrade).
    r = cli(home, m, "rules", "update", "--from", str(b))
    assert r.returncode == 0 and "adopted bundle version 1" in r.stdout, r.stderr
    decision, err = hook(home, m, CANARY)
    assert decision == "deny" and "refused" not in err


@pytest.mark.parametrize("damage", ["truncate", "garbage", "delete"])
def test_damaged_compiled_cache_is_rebuilt_from_the_verified_bundle(kit: dict, damage: str) -> None:
    tmp, home = kit["tmp"], kit["home"]
    b = kit["a"].bundle(1)
    m = managed(tmp, rules_public_key=kit["pub"])
    assert cli(home, m, "rules", "update", "--from", str(b)).returncode == 0
    c = cache(home) / f"rules-{TAG}.marshal"
    if damage == "truncate":
        c.write_bytes(c.read_bytes()[: c.stat().st_size // 2])
    elif damage == "garbage":
        c.write_bytes(b"\xff" * 4096)
    else:
        c.unlink()
    decision, _err = hook(home, m, CANARY)
    assert decision == "deny"
    assert c.exists() and c.stat().st_size > 100000


def test_truncated_bundle_file_on_disk(kit: dict) -> None:
    tmp, home = kit["tmp"], kit["home"]
    b = kit["a"].bundle(1)
    m = managed(tmp, rules_public_key=kit["pub"])
    assert cli(home, m, "rules", "update", "--from", str(b)).returncode == 0
    p = cache(home) / "bundle.json"
    p.write_bytes(p.read_bytes()[:1000])
    decision, err = hook(home, m, CANARY)
    assert decision is None and "truncated or malformed JSON" in err
    assert hook(home, m, RM_HOME)[0] == "deny"


def test_rotated_key_means_reverification(kit: dict) -> None:
    tmp, home = kit["tmp"], kit["home"]
    b = kit["a"].bundle(1)
    assert cli(home, managed(tmp, rules_public_key=kit["pub"]), "rules", "update", "--from", str(b)).returncode == 0
    m2 = managed(tmp, rules_public_key=kit["a"].other_pub)
    decision, err = hook(home, m2, CANARY)
    assert decision is None and "signature does not verify" in err


def test_fetch_failures_and_redirects(kit: dict, tmp_path: Path) -> None:
    tmp, home = kit["tmp"], kit["home"]
    b = kit["a"].bundle(1)
    with RulesServer() as srv:
        srv.body = b.read_bytes()
        m = managed(tmp, rules_public_key=kit["pub"], rules_url=srv.url + "/v1/guard/rules")
        srv.status = 500
        r = cli(home, m, "rules", "update")
        assert r.returncode == 5 and "answered HTTP 500" in r.stderr and "keeping the embedded rules" in r.stderr
        srv.status = None
        srv.redirect = "http://localhost:1/v1/guard/rules"  # another host
        r = cli(home, m, "rules", "update")
        assert r.returncode == 5 and "redirects to another host" in r.stderr
        srv.redirect = srv.url + "/v1/guard/rules/current"  # same host: followed
        r = cli(home, m, "rules", "update")
        assert r.returncode == 0 and "adopted bundle version 1" in r.stdout, r.stderr
        assert srv.requests[-1]["path"] == "/v1/guard/rules/current"
        url = srv.url
    r = cli(home, managed(tmp, rules_public_key=kit["pub"], rules_url=url + "/v1/guard/rules", timeout_ms=500), "rules", "update")
    assert r.returncode == 5 and "cannot fetch the rule bundle" in r.stderr and "keeping bundle version 1" in r.stderr


def test_bundle_with_a_broken_rule_is_refused_by_the_admin_tool(kit: dict) -> None:
    tmp = kit["tmp"]
    kit["rules"] = rules_dir(tmp)
    (kit["rules"] / "zz_canary.toml").write_text((kit["rules"] / "zz_canary.toml").read_text().replace("patterns = [", "patterns = ['(unclosed', "))
    r = cli(tmp / "h", None, "rules", "bundle", "--key", str(kit["key"]), "--version", "1", "--rules-dir", str(kit["rules"]), "--out", str(tmp / "x.json"))
    assert r.returncode == 2 and "bad pattern" in r.stderr
    assert not (tmp / "x.json").exists()


def test_hook_allow_path_with_an_adopted_bundle_stays_within_the_import_budget(kit: dict) -> None:
    """Same budget as tests/test_import_budget.py, with a bundle in force (no Ed25519, no msgspec, no json)."""
    import subprocess

    from tests.hookrun import REPO, env_for
    from tests.test_import_budget import NOT_ON_ALLOW

    tmp, home = kit["tmp"], kit["home"]
    m = managed(tmp, rules_public_key=kit["pub"], rules_max_age_hours=0)
    assert cli(home, m, "rules", "update", "--from", str(kit["a"].bundle(1))).returncode == 0
    code = (
        f"import sys; sys.path.insert(0, {str(REPO)!r}); import guard.config.paths as p; p.MANAGED_CONFIG = {str(m)!r}; "
        "from guard.entry import main; main([])"
    )

    def imported(command: str) -> tuple[list[str], str]:
        payload = json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}})
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-I", "-S", "-c", code],
            input=payload.encode(),
            capture_output=True,
            env=env_for(home),
            timeout=60,
        )
        lines = proc.stderr.decode().splitlines()
        mods = [x.rsplit("|", 1)[1].strip() for x in lines if x.startswith("import time:") and "|" in x and "imported package" not in x]
        return mods, proc.stdout.decode()

    imported("true")  # warm the dictionary/embedded caches if anything needs them
    mods, out = imported("ls -la")
    assert out == "" and "guard.engine.bundle" in mods
    bad = [x for x in mods if x.split(".")[0] in NOT_ON_ALLOW or x in NOT_ON_ALLOW or any(x.startswith(n + ".") for n in NOT_ON_ALLOW)]
    assert bad == []
    assert not any(x.startswith(("cryptography", "guard.rulesync")) for x in mods)
    mods, out = imported(CANARY)
    assert '"deny"' in out and not any(x.startswith(("cryptography", "guard.rulesync", "msgspec")) for x in mods)


def test_rules_that_fail_their_examples_are_refused(kit: dict) -> None:
    """By the admin tool (nothing written), and by clients for a bundle signed anyway."""
    tmp, home = kit["tmp"], kit["home"]
    d = rules_dir(tmp, name="wrong")
    canary = d / "zz_canary.toml"
    canary.write_text(canary.read_text().replace('no_match = ["echo clampd-bundle"', 'no_match = ["echo clampd-bundle-canary again"'))
    r = cli(tmp / "h", None, "rules", "bundle", "--key", str(kit["key"]), "--version", "8", "--rules-dir", str(d), "--out", str(tmp / "x.json"))
    assert r.returncode == 2 and "bundle.canary matches its negative example 'echo clampd-bundle-canary again'" in r.stderr
    assert not (tmp / "x.json").exists()
    # A bundle signed by other means (same key) is still checked by the client before adoption.
    from guard.rulesync import envelope

    texts = {p.name: p.read_text("utf-8") for p in d.glob("*.toml")}
    signed = envelope.seal(envelope.make_payload(texts, 8), envelope.private_key(kit["key"].read_bytes()))
    (tmp / "y.json").write_bytes(signed)
    m = managed(tmp, rules_public_key=kit["pub"])
    r = cli(home, m, "rules", "update", "--from", str(tmp / "y.json"))
    assert r.returncode == 4 and "invalid rules (rule examples fail on this guard: bundle.canary" in r.stderr
    assert "keeping the embedded rules" in r.stderr and not (cache(home) / "bundle.json").exists()


def test_damaged_pattern_data_in_the_bundle_cache_is_repaired_mid_call(kit: dict) -> None:
    """Metadata intact, pattern blobs garbage (same size): the call rebuilds from the verified bundle."""
    tmp, home = kit["tmp"], kit["home"]
    m = managed(tmp, rules_public_key=kit["pub"])
    assert cli(home, m, "rules", "update", "--from", str(kit["a"].bundle(1))).returncode == 0
    c = cache(home) / f"rules-{TAG}.marshal"
    data = bytearray(c.read_bytes())
    n = int.from_bytes(data[:8], "little")
    data[8 + n :] = b"\xff" * (len(data) - 8 - n)
    c.write_bytes(bytes(data))
    decision, err = hook(home, m, CANARY)
    assert decision == "deny"
    assert "bundle rule cache pattern data unreadable (ValueError); rebuilt" in err
    assert hook(home, m, CANARY) == ("deny", "")


def test_an_older_signed_bundle_copied_into_the_cache_is_refused_by_the_hook(kit: dict) -> None:
    tmp, home = kit["tmp"], kit["home"]
    m = managed(tmp, rules_public_key=kit["pub"])
    assert cli(home, m, "rules", "update", "--from", str(kit["a"].bundle(2))).returncode == 0
    # Version 1 lacks nothing here but its number: signed by the same key, copied over by hand.
    (cache(home) / "bundle.json").write_bytes(kit["a"].bundle(1).read_bytes())
    decision, err = hook(home, m, CANARY)
    assert decision is None and "bundle version 1 is older than version 2, adopted before" in err
    assert hook(home, m, RM_HOME)[0] == "deny"


def test_gateway_credentials_go_to_the_gateway_origin_only(kit: dict) -> None:
    """The gateway's own origin gets the gateway credentials; a mere rules_url host gets none."""
    tmp, home = kit["tmp"], kit["home"]
    creds = {"agent_id": "agent-7", "secret": "s3cret-for-tests", "api_key": "ag_test_key"}
    with RulesServer() as gw, RulesServer() as other:
        m = managed(tmp, rules_public_key=kit["pub"], gateway_url=gw.url, **creds)
        assert cli(home, m, "rules", "update").returncode == 0  # 404: nothing published
        h = gw.requests[-1]["headers"]
        assert h["x-ag-key"] == "ag_test_key" and h["authorization"].startswith("Bearer ")
        sub = json.loads(base64.urlsafe_b64decode(h["authorization"].split(".")[1] + "=="))["sub"]
        assert sub == "agent-7"
        m = managed(tmp, rules_public_key=kit["pub"], gateway_url=gw.url, rules_url=other.url + "/b.json", **creds)
        assert cli(home, m, "rules", "update").returncode == 0
        assert "authorization" not in other.requests[-1]["headers"] and "x-ag-key" not in other.requests[-1]["headers"]


def test_without_the_gateway_client_no_credentials_are_sent(kit: dict) -> None:
    tmp, home = kit["tmp"], kit["home"]
    with RulesServer() as gw:
        m = managed(tmp, rules_public_key=kit["pub"], gateway_url=gw.url, api_key="ag_test_key")
        assert cli(home, m, "rules", "update").returncode == 0
        h = gw.requests[-1]["headers"]
        try:
            import guard.gateway.auth  # noqa: F401
        except ImportError:
            assert "authorization" not in h and "x-ag-key" not in h
        assert h["user-agent"].startswith("clampd-guard/")
