"""The bundle format (see ``guard.rulesync``): keys, sealing and verifying.

Imports ``cryptography`` and ``msgspec``: only the update path, the admin
commands and the hook's one-off re-verification of a changed bundle load it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from typing import Annotated

import msgspec

FORMAT = "clampd-guard-rules-bundle"
FORMAT_VERSION = 1
CONTEXT = b"clampd-guard rules bundle v1\n"
MAX_BUNDLE_BYTES = 16 << 20
MAX_FILES = 500
MACROS = "_macros.toml"
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}\.toml")
_CREATED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")

Version = Annotated[int, msgspec.Meta(ge=1, le=2**53)]


class BundleError(ValueError):
    """A bundle that must not be used; the message says why in one line."""


class Envelope(msgspec.Struct, kw_only=True):
    """The JSON object on the wire and on disk. Unknown fields are ignored (and unsigned)."""

    format: str
    format_version: int
    version: int = 0
    created: str = ""
    key_id: str = ""
    payload: str
    sha256: str
    signature: str


class Payload(msgspec.Struct, forbid_unknown_fields=True):
    """The signed content."""

    format: int
    version: Version
    created: str
    rules: dict[str, str]
    comment: str = ""


class Verified(msgspec.Struct):
    """A bundle whose digest and signature checked out."""

    payload: Payload
    sha256: str
    key_id: str
    size: int


# ------------------------------------------------------------------ keys


def _raw_bytes(text: str, what: str) -> bytes:
    """32 raw key bytes from hex or (url-safe) base64."""
    t = "".join(text.split())
    if re.fullmatch(r"[0-9a-fA-F]{64}", t):
        return bytes.fromhex(t)
    try:
        raw = base64.b64decode(t.replace("-", "+").replace("_", "/") + "=" * (-len(t) % 4), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise BundleError(f"{what} is not an Ed25519 key (expected hex or base64 of 32 raw bytes, or PEM)")
    return raw


def public_key(text: str) -> object:
    """An Ed25519PublicKey from the ``rules_public_key`` text (hex, base64 or PEM)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not text.strip():
        raise BundleError("no rules_public_key is configured in the managed config; rule bundles are refused")
    if "BEGIN PUBLIC KEY" in text:
        try:
            key = serialization.load_pem_public_key(text.encode())
        except ValueError as e:
            raise BundleError(f"rules_public_key: unreadable PEM ({e})") from None
        if not isinstance(key, Ed25519PublicKey):
            raise BundleError("rules_public_key is not an Ed25519 key")
        return key
    return Ed25519PublicKey.from_public_bytes(_raw_bytes(text, "rules_public_key"))


def public_text(key: object) -> str:
    """The form ``rules_public_key`` takes: base64 of the 32 raw bytes."""
    from cryptography.hazmat.primitives import serialization

    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)  # type: ignore[attr-defined]
    return base64.b64encode(raw).decode()


def key_id(key: object) -> str:
    """A short, public fingerprint of a public key (names it in messages)."""
    return hashlib.sha256(base64.b64decode(public_text(key))).hexdigest()[:16]


def private_key(data: bytes) -> object:
    """An Ed25519PrivateKey from a key file: unencrypted PKCS#8 PEM, or hex/base64 of the 32-byte seed."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if b"BEGIN" in data:
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as e:
            raise BundleError(f"unreadable private key ({e})") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise BundleError("the private key is not an Ed25519 key")
        return key
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise BundleError("unreadable private key (neither PEM nor hex/base64)") from None
    return Ed25519PrivateKey.from_private_bytes(_raw_bytes(text, "the private key"))


def generate() -> tuple[bytes, str]:
    """A new key pair: (private key as PKCS#8 PEM, public key as base64 for rules_public_key)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return pem, public_text(key.public_key())


# ------------------------------------------------------------------ seal / open


def canonical(obj: object) -> bytes:
    import json

    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def now_utc() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def make_payload(files: dict[str, str], version: int, created: str | None = None, comment: str = "") -> bytes:
    """The canonical payload bytes for a complete rule set."""
    p = Payload(FORMAT_VERSION, version, created or now_utc(), dict(sorted(files.items())), comment)
    check_payload(p)
    return canonical(msgspec.to_builtins(p))


def seal(payload: bytes, key: object) -> bytes:
    """The signed envelope (JSON bytes) around ``payload``."""
    p = msgspec.json.decode(payload, type=Payload)
    sig = key.sign(CONTEXT + payload)  # type: ignore[attr-defined]
    env = Envelope(
        format=FORMAT,
        format_version=FORMAT_VERSION,
        version=p.version,
        created=p.created,
        key_id=key_id(key.public_key()),  # type: ignore[attr-defined]
        payload=base64.b64encode(payload).decode(),
        sha256=hashlib.sha256(payload).hexdigest(),
        signature=base64.b64encode(sig).decode(),
    )
    return msgspec.json.format(msgspec.json.encode(env), indent=1) + b"\n"


def check_payload(p: Payload) -> None:
    if p.format != FORMAT_VERSION:
        raise BundleError(f"payload format {p.format} is not supported (this guard reads {FORMAT_VERSION})")
    if not _CREATED.fullmatch(p.created):
        raise BundleError(f"created {p.created!r} is not a UTC time like 2026-01-31T12:00:00Z")
    if len(p.rules) > MAX_FILES:
        raise BundleError(f"too many files ({len(p.rules)} > {MAX_FILES})")
    bad = [n for n in p.rules if n != MACROS and not _NAME.fullmatch(n)]
    if bad:
        raise BundleError(f"bad rule file name(s): {', '.join(repr(b) for b in bad[:3])}")
    if not any(n != MACROS for n in p.rules):
        raise BundleError("the bundle holds no rule files")


def open_bundle(data: bytes, public_key_text: str) -> Verified:
    """Verify a bundle's bytes against the configured key; raises BundleError with the reason."""
    key = public_key(public_key_text)
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError(f"bundle is larger than {MAX_BUNDLE_BYTES >> 20} MiB")
    try:
        env = msgspec.json.decode(data, type=Envelope)
    except msgspec.DecodeError as e:
        raise BundleError(f"not a rule bundle: truncated or malformed JSON ({e})") from None
    except msgspec.ValidationError as e:
        raise BundleError(f"not a rule bundle ({e})") from None
    if env.format != FORMAT or env.format_version != FORMAT_VERSION:
        raise BundleError(f"unsupported bundle format {env.format!r} version {env.format_version}")
    try:
        payload = base64.b64decode(env.payload, validate=True)
        sig = base64.b64decode(env.signature, validate=True)
    except (binascii.Error, ValueError):
        raise BundleError("payload or signature is not valid base64 (truncated or altered)") from None
    digest = hashlib.sha256(payload).hexdigest()
    if not hmac.compare_digest(digest, env.sha256.lower()):
        raise BundleError("SHA-256 digest mismatch: the payload was altered or truncated")
    from cryptography.exceptions import InvalidSignature

    kid = key_id(key)
    try:
        key.verify(sig, CONTEXT + payload)  # type: ignore[attr-defined]
    except InvalidSignature:
        signer = f" (signed with key {env.key_id})" if env.key_id and env.key_id != kid else ""
        raise BundleError(f"signature does not verify with rules_public_key {kid}{signer}") from None
    try:
        p = msgspec.json.decode(payload, type=Payload)
    except (msgspec.DecodeError, msgspec.ValidationError) as e:
        raise BundleError(f"signed payload does not match the bundle schema ({e})") from None
    check_payload(p)
    if (env.version and env.version != p.version) or (env.created and env.created != p.created):
        raise BundleError("envelope version/created differ from the signed payload")
    return Verified(p, digest, kid, len(data))


def split(p: Payload) -> tuple[list[tuple[str, bytes]], bytes | None]:
    """(rule files as (name, bytes), the macro file's bytes or None)."""
    files = [(n, t.encode("utf-8")) for n, t in sorted(p.rules.items()) if n != MACROS]
    macros = p.rules.get(MACROS)
    return files, (macros.encode("utf-8") if macros is not None else None)
