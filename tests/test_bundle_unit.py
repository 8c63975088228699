"""The bundle format and the in-process pieces: keys, seal/open, active_info, refresh_due, HTTPS fetch."""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from guard.config.load import Config
from guard.engine import bundle, ruleset
from guard.rulesync import envelope, fetch
from guard.rulesync.update import update

RULE = (Path(ruleset.RULES_DIR) / "destructive_git.toml").read_text("utf-8")
MACROS = (Path(ruleset.RULES_DIR) / "_macros.toml").read_text("utf-8")


def keys() -> tuple[Ed25519PrivateKey, str]:
    k = Ed25519PrivateKey.generate()
    raw = k.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return k, base64.b64encode(raw).decode()


def sealed(k: Ed25519PrivateKey, version: int = 1, files: dict | None = None) -> bytes:
    return envelope.seal(envelope.make_payload(files or {"git.toml": RULE, "_macros.toml": MACROS}, version), k)


def cfg_with(**kw: object) -> Config:
    c = Config()
    for name, value in kw.items():
        setattr(c, name, value)
    return c


def test_seal_and_open_round_trip() -> None:
    k, pub = keys()
    data = sealed(k, 3)
    v = envelope.open_bundle(data, pub)
    assert v.payload.version == 3 and set(v.payload.rules) == {"git.toml", "_macros.toml"}
    env = json.loads(data)
    assert env["format"] == "clampd-guard-rules-bundle" and env["version"] == 3 and env["key_id"] == v.key_id
    # The payload is canonical JSON: sorted keys, no spaces.
    raw = base64.b64decode(env["payload"])
    assert raw == json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.mark.parametrize("form", ["base64", "urlsafe", "hex", "pem"])
def test_public_key_forms(form: str) -> None:
    k, pub = keys()
    raw = base64.b64decode(pub)
    text = {
        "base64": pub,
        "urlsafe": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "hex": raw.hex(),
        "pem": k.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
    }[form]
    assert envelope.open_bundle(sealed(k), text).payload.version == 1


@pytest.mark.parametrize("bad", ["", "abc", base64.b64encode(b"x" * 31).decode(), "zz" * 32])
def test_bad_public_keys_are_refused(bad: str) -> None:
    k, _pub = keys()
    with pytest.raises(envelope.BundleError):
        envelope.open_bundle(sealed(k), bad)


def _resign(data: bytes, k: Ed25519PrivateKey, edit) -> bytes:
    """Change the signed payload and sign it properly: only the schema checks can refuse it."""
    env = json.loads(data)
    p = json.loads(base64.b64decode(env["payload"]))
    edit(p)
    raw = envelope.canonical(p)
    env.update(
        payload=base64.b64encode(raw).decode(),
        sha256=__import__("hashlib").sha256(raw).hexdigest(),
        signature=base64.b64encode(k.sign(envelope.CONTEXT + raw)).decode(),
        version=p.get("version", env["version"]),
    )
    return json.dumps(env).encode()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda p: p["rules"].update({"../evil.toml": "x"}), "bad rule file name"),
        (lambda p: p["rules"].pop("git.toml"), "no rule files"),
        (lambda p: p.update(format=2), "payload format 2"),
        (lambda p: p.update(extra=1), "schema"),
        (lambda p: p.update(created="yesterday"), "not a UTC time"),
        (lambda p: p.update(version=0), "schema"),
    ],
)
def test_signed_but_malformed_payloads_are_refused(edit, message: str) -> None:
    k, pub = keys()
    with pytest.raises(envelope.BundleError, match=message):
        envelope.open_bundle(_resign(sealed(k), k, edit), pub)


def test_envelope_fields_must_agree_with_the_signed_payload() -> None:
    k, pub = keys()
    env = json.loads(sealed(k, 2))
    env["version"] = 99  # unsigned copy edited: e.g. to look newer to a cache
    with pytest.raises(envelope.BundleError, match="differ from the signed payload"):
        envelope.open_bundle(json.dumps(env).encode(), pub)


def test_signature_from_another_context_does_not_verify() -> None:
    """A signature over the bare payload (no bundle prefix) is not a bundle signature."""
    k, pub = keys()
    env = json.loads(sealed(k))
    env["signature"] = base64.b64encode(k.sign(base64.b64decode(env["payload"]))).decode()
    with pytest.raises(envelope.BundleError, match="signature does not verify"):
        envelope.open_bundle(json.dumps(env).encode(), pub)


def test_private_key_forms(tmp_path: Path) -> None:
    k, pub = keys()
    seed = k.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    for data in (seed.hex().encode(), base64.b64encode(seed)):
        k2 = envelope.private_key(data)
        assert envelope.public_text(k2.public_key()) == pub
    with pytest.raises(envelope.BundleError):
        envelope.private_key(b"-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")


def test_active_info_embedded_and_bundle(home: Path, tmp_path: Path) -> None:
    info = bundle.active_info(Config())
    assert info["source"] == "embedded" and info["age_s"] is None and info["problem"] is None
    assert info["rules"] > 100 and info["path"] == ruleset.RULES_DIR and info["refresh"] is False
    k, pub = keys()
    f = tmp_path / "b.json"
    f.write_bytes(sealed(k, 4))
    out = update(cfg_with(rules_public_key=pub), str(f))
    assert out.code == 0 and out.adopted, out.message
    info = bundle.active_info(cfg_with(rules_public_key=pub, rules_url="https://rules.example/b.json"))
    assert info["source"] == "bundle" and info["version"] == 4 and info["ruleset_version"] == "bundle-4"
    assert info["path"] == bundle.bundle_path() and 0 <= info["age_s"] < 3600 and info["problem"] is None
    assert info["rules"] == RULE.count("[[rules]]")  # the bundle's rule set, not the embedded one
    assert info["refresh"] is True
    # The managed key is removed: the bundle on disk is not used, and status says why.
    info = bundle.active_info(Config())
    assert info["source"] == "embedded" and "no rules_public_key" in info["problem"]


def test_refresh_due(home: Path) -> None:
    _k, pub = keys()
    c = cfg_with(rules_public_key=pub, gateway_url="https://gw.example", rules_max_age_hours=2)
    assert bundle.source_url(c) == "https://gw.example/v1/guard/rules"
    assert bundle.refresh_due(c)
    stamp = Path(bundle.bundle_dir()) / bundle.STAMP_FILE
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text("x")
    assert not bundle.refresh_due(c)
    assert bundle.refresh_due(c, now=time.time() + 2 * 3600 + 1)
    assert not bundle.refresh_due(cfg_with(rules_public_key=pub, gateway_url="https://gw.example", rules_max_age_hours=0), now=time.time() + 10**6)


def test_https_fetch_with_a_private_ca(home: Path, tmp_path: Path) -> None:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    k, pub = keys()
    body = sealed(k, 6)
    seen: list[str] = []

    class H(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", '"v6"')
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a: object) -> None:
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        url = f"https://127.0.0.1:{srv.server_address[1]}/rules/bundle.json"
        out = update(cfg_with(rules_public_key=pub, rules_url=url))
        assert out.code == 5 and "CERTIFICATE_VERIFY_FAILED" in out.message and "keeping the embedded rules" in out.message
        pem = tmp_path / "ca.pem"
        ca.cert_pem.write_to_path(str(pem))
        out = update(cfg_with(rules_public_key=pub, rules_url=url, ca_bundle=str(pem)))
        assert out.code == 0 and out.adopted and "version 6" in out.message, out.message
        assert bundle.read_state()["etag"] == '"v6"'
    finally:
        srv.shutdown()
        srv.server_close()
    assert fetch.redact("https://user:pw@h.example:8443/p?token=x") == "https://h.example:8443/p"


def test_the_default_refresh_command_runs_the_management_cli(home: Path) -> None:
    """The argv the hook spawns really reaches ``rules update`` (here: no managed key, so exit 2)."""
    import os
    import subprocess

    argv = bundle.refresh_argv()
    assert argv[-3:] == ["rules", "update", "--quiet"]
    proc = subprocess.run(argv, capture_output=True, env={"HOME": str(home), "PATH": os.environ.get("PATH", "")}, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == b"" and b"refused: no rules_public_key" in proc.stderr and b"Traceback" not in proc.stderr
