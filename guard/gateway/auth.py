"""Who the guard is to the gateway: the employee token, else a minted HS256 agent JWT.

A process per tool call makes an in-memory token cache useless, so a minted
token is kept on disk (0600, user cache dir) until 60 s before it expires.

Where the secrets are read, and what that costs:
- ``~/.clampd/token.json`` (employee token) is read on every call: one small file.
- ``api_key``/``secret`` from guard.json cost nothing; from the OS keyring they
  cost an ``import keyring`` (~10x an interpreter start). So the keyring is read
  only when a token has to be minted, and the keyring's ``api_key`` (needed as
  X-AG-Key on every call) is kept next to the cached token in the same 0600
  file. Trade-off: for the token's lifetime the api_key also sits in a file only
  the user can read, instead of costing ~70 ms on every gateway call. The
  ``secret`` itself is never written to the cache.
- The cache entry is keyed on gateway_url, agent_id and where each credential
  came from (a keyed hash of values taken from guard.json), so changing any of
  them mints anew. ``setup`` deletes the cache when it stores new keyring
  values, and a 401 on a cached token drops it and mints once more.
"""

from __future__ import annotations

import time

from guard.config import paths
from guard.config.load import Config
from guard.runtime import jsonfast, sysio

TTL = 3600  # lifetime of a minted agent JWT, seconds
MARGIN = 60  # a token within this many seconds of expiry is not used
CACHE_NAME = "gateway-token.json"


class NoCredentials(Exception):
    """No way to authenticate: the message says what to configure (never a secret)."""


class Creds:
    """What one request sends: the bearer token, the X-AG-Key, and where the token came from."""

    __slots__ = ("token", "api_key", "kind", "cached")

    def __init__(self, token: str, api_key: str, kind: str, cached: bool) -> None:
        self.token = token
        self.api_key = api_key
        self.kind = kind  # "employee" | "agent"
        self.cached = cached  # a minted token read back from the cache


def token_file() -> str:
    return sysio.join(sysio.home(), ".clampd", "token.json")


def cache_file() -> str:
    return sysio.join(paths.user_cache_dir(), CACHE_NAME)


def employee_token(now: float) -> str | None:
    """``access_token`` from ~/.clampd/token.json unless it expires within MARGIN seconds."""
    try:
        data = jsonfast.loads(sysio.read_bytes(token_file(), limit=1 << 16).decode("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    tok, exp = data.get("access_token"), data.get("expires_at")
    if not isinstance(tok, str) or not tok.strip() or isinstance(exp, bool) or not isinstance(exp, (int, float)):
        return None
    return tok.strip() if exp - MARGIN > now else None


# --------------------------------------------------------------------------- minting


def _b64url(raw: bytes) -> str:
    import binascii

    return binascii.b2a_base64(raw, newline=False).rstrip(b"=").replace(b"+", b"-").replace(b"/", b"_").decode()


def signing_key(secret: str) -> bytes:
    """The HMAC key: the secret, or for ``ags_`` secrets the lowercase hex SHA-256 of it."""
    if secret.startswith("ags_"):
        import hashlib

        return hashlib.sha256(secret.encode("utf-8")).hexdigest().encode("ascii")
    return secret.encode("utf-8")


def mint(agent_id: str, secret: str, now: int, ttl: int = TTL) -> str:
    """An HS256 JWT: header {"alg":"HS256","typ":"JWT"}, payload {sub, iss, iat, exp}."""
    import hashlib
    import hmac

    header = _b64url(jsonfast.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64url(jsonfast.dumps({"sub": agent_id, "iss": "clampd-guard", "iat": now, "exp": now + ttl}).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    sig = hmac.new(signing_key(secret), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(sig)}"


# --------------------------------------------------------------------------- cache


def _fingerprint(value: str) -> str:
    """A keyed hash of a guard.json credential: detects a change, reveals nothing (not the JWT key)."""
    import hashlib
    import hmac

    return hmac.new(value.encode("utf-8"), b"clampd-guard token cache v1", hashlib.sha256).hexdigest()[:32]


def cache_key(cfg: Config) -> str:
    """Changes whenever the gateway, the agent or a credential taken from guard.json changes."""
    def src(v: str) -> str:
        return "config:" + _fingerprint(v) if v else "keyring"

    return "|".join(("v1", cfg.gateway_url, cfg.agent_id, "secret=" + src(cfg.secret), "api_key=" + src(cfg.api_key)))  # type: ignore[arg-type]


def _read_cache(key: str, now: float) -> dict | None:
    try:
        data = jsonfast.loads(sysio.read_bytes(cache_file(), limit=1 << 16).decode("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    until = data.get("until")
    if isinstance(until, bool) or not isinstance(until, (int, float)) or until <= now:
        return None
    return data


def _write_cache(entry: dict) -> None:
    try:
        sysio.write_atomic(cache_file(), jsonfast.dumps(entry).encode("utf-8"), 0o600)
    except OSError:
        pass  # no cache: the next call mints again, which is slower but correct


def invalidate() -> None:
    """Forget the cached token (``setup`` after storing new credentials; a 401 on a cached token)."""
    sysio.unlink(cache_file())


# --------------------------------------------------------------------------- entry point


def credentials(cfg: Config, now: float | None = None, fresh: bool = False) -> Creds:
    """Token and api_key for one request; ``fresh`` ignores the cached minted token.

    Raises NoCredentials when neither an employee token nor agent_id + secret
    is available, or when there is no api_key.
    """
    now = time.time() if now is None else now
    key = cache_key(cfg)
    entry = None if fresh else _read_cache(key, now)
    emp = employee_token(now)
    api_key = cfg.api_key or (entry or {}).get("api_key") or ""  # type: ignore[union-attr]
    if emp is not None:
        if not api_key:
            from guard.gateway import keystore

            api_key = keystore.get("api_key")
            if api_key:
                _write_cache({"key": key, "until": int(now) + TTL, "api_key": api_key, "token": "", "token_exp": 0})
        if not api_key:
            raise NoCredentials("no api_key for X-AG-Key (run `clampd-guard setup` or set api_key in guard.json)")
        return Creds(emp, api_key, "employee", False)
    if entry is not None and isinstance(entry.get("token"), str) and entry["token"] and isinstance(api_key, str) and api_key:
        exp = entry.get("token_exp")
        if isinstance(exp, (int, float)) and not isinstance(exp, bool) and exp - MARGIN > now:
            return Creds(entry["token"], api_key, "agent", True)
    # Mint: this is the only place that may need the keyring.
    secret = cfg.secret
    if not secret or not api_key:
        from guard.gateway import keystore

        secret = secret or keystore.get("secret")
        api_key = api_key or keystore.get("api_key")
    if not cfg.agent_id or not secret:
        missing = " and ".join(n for n, v in (("agent_id", cfg.agent_id), ("secret", secret)) if not v)
        raise NoCredentials(
            f"no valid employee token in {token_file()} and no {missing} to mint an agent token "
            "(run `clampd-guard setup`)"
        )
    if not api_key:
        raise NoCredentials("no api_key for X-AG-Key (run `clampd-guard setup` or set api_key in guard.json)")
    iat = int(now)
    token = mint(cfg.agent_id, secret, iat)  # type: ignore[arg-type]
    _write_cache(
        {
            "key": key,
            "until": iat + TTL - MARGIN,
            # Only a keyring api_key is kept here (see the module docstring); guard.json's is read there.
            "api_key": "" if cfg.api_key else api_key,
            "token": token,
            "token_exp": iat + TTL,
        }
    )
    return Creds(token, api_key, "agent", False)  # type: ignore[arg-type]
