"""One HTTP exchange with the gateway, bounded in time and size (httpx, imported lazily).

- TLS is verified against the system store, or only against ``ca_bundle``
  when it is set; the standard proxy variables apply (httpx ``trust_env``).
- Redirects are never followed: a redirect is a fault (naming the other host,
  if it points elsewhere), so the credentials never travel anywhere else.
- httpx's timeouts apply to each network operation, so a server that drips
  its answer a byte at a time would never trip them. The whole request runs
  under a ``deadline.Cap`` (SIGALRM) of ``timeout_ms``, clipped to what is
  left of the hook's own deadline, and the body read also checks the clock.
- Every failure is a ``Fault`` with a kind and a one-line message that names
  the gateway host but never a credential.
"""

from __future__ import annotations

import time

from guard import __version__
from guard.config.load import Config
from guard.gateway import wire
from guard.runtime import sitedeps as deps
from guard.runtime import deadline, jsonfast

MAX_REPLY = 1 << 20  # bytes; a verdict is a few hundred
RESERVE = 0.25  # seconds of the hook's deadline kept for the answer and the audit record
MIN_BUDGET = 0.05


class Fault(Exception):
    """The gateway could not give a verdict. ``kind`` is one of KINDS."""

    KINDS = ("refused", "timeout", "slow", "tls", "redirect", "server", "auth", "http", "bad_json", "bad_reply",
             "too_large", "protocol", "network", "deadline", "config", "credentials", "breaker")

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def where(url: str) -> str:
    """scheme://host[:port] of a URL, for messages (drops any user:password@ and the path)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url[:80]
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}"


def budget(cfg: Config, most: float | None = None) -> float:
    """Seconds this request may take: timeout_ms (or ``most``), never past the hook's deadline minus RESERVE."""
    b = cfg.timeout_ms / 1000.0 if most is None else most  # type: ignore[operator]
    left = deadline.remaining()
    if left is not None:
        b = min(b, left - RESERVE)
    if b < MIN_BUDGET:
        raise Fault("deadline", f"no time left for the gateway within deadline_ms ({cfg.deadline_ms} ms)")
    return b


def _verify(cfg: Config, url: str) -> object:
    import ssl  # already loaded by httpx

    if not url.startswith("https://"):
        # Plain HTTP never uses it; a bare context spares httpx loading certifi's bundle (~20 ms).
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)

    try:
        if cfg.ca_bundle:
            return ssl.create_default_context(cafile=cfg.ca_bundle)  # only these CAs
        return ssl.create_default_context()  # the system store (plus SSL_CERT_FILE/SSL_CERT_DIR)
    except (OSError, ssl.SSLError) as e:
        raise Fault("config", f"ca_bundle {cfg.ca_bundle} cannot be loaded ({type(e).__name__})") from None


def _chain(e: BaseException) -> list[BaseException]:
    out = []
    while e is not None and len(out) < 10:
        out.append(e)
        e = e.__cause__ or e.__context__  # type: ignore[assignment]
    return out


def _network_fault(e: BaseException, httpx: object, host: str, ms: int) -> Fault:
    import ssl

    chain = _chain(e)
    if any(isinstance(c, ssl.SSLError) for c in chain) or "CERTIFICATE_VERIFY_FAILED" in str(e):
        why = next((str(getattr(c, "reason", "") or c) for c in chain if isinstance(c, ssl.SSLError)), str(e))
        return Fault("tls", f"TLS failure talking to {host} ({why[:120]})")
    if isinstance(e, httpx.TimeoutException):  # type: ignore[attr-defined]
        return Fault("timeout", f"no answer from {host} within {ms} ms")
    if any(isinstance(c, ConnectionRefusedError) for c in chain) or "refused" in str(e).lower():
        return Fault("refused", f"connection to {host} refused")
    if isinstance(e, httpx.RemoteProtocolError):  # type: ignore[attr-defined]
        return Fault("protocol", f"{host} broke off its answer (truncated or invalid HTTP)")
    if isinstance(e, httpx.ProxyError):  # type: ignore[attr-defined]
        return Fault("network", f"the proxy for {host} failed ({type(e).__name__})")
    if isinstance(e, (httpx.InvalidURL, httpx.UnsupportedProtocol)):  # type: ignore[attr-defined]
        return Fault("config", f"gateway_url {host} is not usable ({type(e).__name__})")
    return Fault("network", f"cannot reach {host} ({type(e).__name__}: {str(e)[:120]})")


def _status_fault(status: int, location: str, url: object, host: str) -> Fault:
    if 300 <= status < 400:
        target = ""
        try:
            target = url.join(location).host if location else ""  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - an unparseable Location is still a redirect
            target = "?"
        if target and target != url.host:  # type: ignore[attr-defined]
            return Fault("redirect", f"{host} redirected to another host ({target[:80]}); redirects are not followed")
        return Fault("redirect", f"{host} answered with a redirect (HTTP {status}); redirects are not followed")
    if status in (401, 403):
        return Fault("auth", f"{host} rejected the guard's credentials (HTTP {status})")
    if status >= 500:
        return Fault("server", f"{host} failed (HTTP {status})")
    return Fault("http", f"{host} answered HTTP {status}")


def exchange(cfg: Config, method: str, path: str, body: bytes | None, headers: dict, seconds: float) -> tuple[int, bytes]:
    """(status, body) of a 2xx answer; any other outcome raises Fault."""
    url = cfg.gateway_url.rstrip("/") + path  # type: ignore[union-attr]
    host = where(url)
    httpx = deps.httpx()
    verify = _verify(cfg, url)
    phase = "connect"
    ms = int(seconds * 1000)
    try:
        # Built before the clock starts: it imports httpcore (and anyio, h11), tens of milliseconds
        # that are the guard's cost, not the gateway's, and must not be reported as a gateway timeout.
        client = httpx.Client(verify=verify, trust_env=True, follow_redirects=False)  # type: ignore[attr-defined]
        seconds = budget(cfg, seconds)  # the imports took part of the hook's deadline
        ms = int(seconds * 1000)
        t_end = time.monotonic() + seconds
        timeout = httpx.Timeout(seconds)  # type: ignore[attr-defined]
        with deadline.Cap(seconds) as cap:
            with client, client.stream(method, url, content=body, headers=headers, timeout=timeout) as r:
                status = r.status_code
                if not 200 <= status < 300:
                    raise _status_fault(status, r.headers.get("location", ""), r.url, host)
                phase = "body"
                chunks, n = [], 0
                for chunk in r.iter_bytes():
                    n += len(chunk)
                    if n > MAX_REPLY:
                        raise Fault("too_large", f"{host} sent an answer larger than {MAX_REPLY} bytes")
                    chunks.append(chunk)
                    if not cap.active and time.monotonic() > t_end:
                        raise deadline.CapExceeded()
                return status, b"".join(chunks)
    except deadline.CapExceeded:
        if phase == "body":
            raise Fault("slow", f"{host} did not finish its answer within {ms} ms (slow response)") from None
        raise Fault("timeout", f"no answer from {host} within {ms} ms") from None
    except Fault:
        raise
    except Exception as e:  # noqa: BLE001 - httpx, ssl and socket errors all become a Fault
        raise _network_fault(e, httpx, host, ms) from None
    finally:
        deadline.restore()


def post(cfg: Config, path: str, payload: dict, token: str, api_key: str, seconds: float) -> wire.Reply:
    """POST a contract body; the parsed verdict, or Fault."""
    headers = {
        "Authorization": f"Bearer {token}",
        "X-AG-Key": api_key,
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": f"clampd-guard/{__version__}",
    }
    _status, raw = exchange(cfg, "POST", path, jsonfast.dumps(payload).encode("utf-8"), headers, seconds)
    host = where(cfg.gateway_url)  # type: ignore[arg-type]
    try:
        data = jsonfast.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Fault("bad_json", f"{host} sent an answer that is not valid JSON (truncated or malformed)") from None
    try:
        return wire.parse_reply(data)
    except wire.BadReply as e:
        raise Fault("bad_reply", f"{host} sent an answer that is not a verdict: {e}") from None


def health(cfg: Config) -> tuple[bool, str, float]:
    """``GET /health`` for ``status``/``doctor``: (reachable, one-line detail, latency in ms)."""
    if not cfg.gateway_url:
        return False, "no gateway_url configured", 0.0
    t0 = time.perf_counter()
    try:
        status, raw = exchange(cfg, "GET", wire.HEALTH, None, {"User-Agent": f"clampd-guard/{__version__}"},
                               budget(cfg))
    except Fault as f:
        return False, str(f), (time.perf_counter() - t0) * 1000.0
    ms = (time.perf_counter() - t0) * 1000.0
    detail = f"HTTP {status}"
    try:
        data = jsonfast.loads(raw.decode("utf-8"))
        if isinstance(data, dict) and isinstance(data.get("status"), str):
            detail += f" ({data['status'][:40]})"
    except (UnicodeDecodeError, ValueError):
        pass
    return True, detail, ms
