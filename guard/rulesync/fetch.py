"""GET a rule bundle over HTTP(S): conditional (ETag), bounded, and never to another host.

Auth: a request to the gateway's own origin carries the gateway credentials
(``auth_headers``: the gateway client's employee token or agent JWT and
X-AG-Key); any other host gets none, and
redirects never leave the origin. A bundle's trust comes from its signature,
not from the transport, so a fetch can only fail, never mislead.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import msgspec

from guard import __version__

MAX_REDIRECTS = 5


class FetchError(Exception):
    """The source could not be read; the message is one line and holds no secret."""


class Fetched(msgspec.Struct):
    status: int  # 200, 304 or 404
    url: str  # after same-host redirects
    body: bytes = b""
    etag: str = ""


def _origin(url: str) -> tuple[str, str, int | None]:
    u = urlsplit(url)
    return (u.scheme, (u.hostname or "").lower(), u.port or {"http": 80, "https": 443}.get(u.scheme))


def redact(url: str) -> str:
    """The URL without user:password or query (which may carry a token), for messages."""
    u = urlsplit(url)
    host = u.hostname or ""
    port = f":{u.port}" if u.port else ""
    return f"{u.scheme}://{host}{port}{u.path}"


def auth_headers(cfg: object, url: str) -> dict[str, str]:
    """Gateway credentials for a URL on the gateway's origin; {} elsewhere or without credentials."""
    gw = str(getattr(cfg, "gateway_url", "") or "")
    if not gw or _origin(gw) != _origin(url):
        return {}
    from guard.gateway.auth import NoCredentials, credentials

    try:
        c = credentials(cfg)  # type: ignore[arg-type]
    except NoCredentials:
        return {}
    return {"Authorization": f"Bearer {c.token}", "X-AG-Key": c.api_key}


def get(
    url: str,
    *,
    etag: str = "",
    timeout_ms: int = 2000,
    ca_bundle: str = "",
    max_bytes: int = 16 << 20,
    extra_headers: dict[str, str] | None = None,
) -> Fetched:
    """One bundle request. 200 with the body, 304 (not modified) or 404 (none there); else FetchError."""
    import httpx

    if not url.startswith(("https://", "http://")):
        raise FetchError(f"{redact(url)} is not an http(s) URL")
    verify: object = True
    if ca_bundle:
        import ssl

        try:
            verify = ssl.create_default_context(cafile=ca_bundle)
        except (OSError, ssl.SSLError) as e:
            raise FetchError(f"ca_bundle {ca_bundle} cannot be used ({e})") from None
    headers = {"Accept": "application/json", "User-Agent": f"clampd-guard/{__version__}", **(extra_headers or {})}
    if etag:
        headers["If-None-Match"] = etag
    start = url
    try:
        with httpx.Client(timeout=timeout_ms / 1000.0, verify=verify, follow_redirects=False) as client:  # type: ignore[arg-type]
            for _ in range(MAX_REDIRECTS + 1):
                with client.stream("GET", url, headers=headers) as r:
                    if r.status_code in (301, 302, 303, 307, 308):
                        nxt = urljoin(url, r.headers.get("location", ""))
                        if _origin(nxt) != _origin(start):
                            raise FetchError(f"{redact(start)} redirects to another host or scheme ({redact(nxt)}); refused")
                        url = nxt
                        continue
                    if r.status_code in (304, 404):
                        return Fetched(r.status_code, url)
                    if r.status_code != 200:
                        raise FetchError(f"{redact(url)} answered HTTP {r.status_code}")
                    body = bytearray()
                    for chunk in r.iter_bytes():
                        body += chunk
                        if len(body) > max_bytes:
                            raise FetchError(f"{redact(url)} sent more than {max_bytes >> 20} MiB; refused")
                    return Fetched(200, url, bytes(body), r.headers.get("etag", ""))
            raise FetchError(f"{redact(start)}: more than {MAX_REDIRECTS} redirects")
    except httpx.TimeoutException:
        raise FetchError(f"{redact(url)} timed out after {timeout_ms} ms") from None
    except httpx.HTTPError as e:
        raise FetchError(f"{redact(url)}: {type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}") from None
