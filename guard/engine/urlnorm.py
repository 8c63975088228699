"""Canonical URLs: one spelling per destination, so SSRF rules need not list encodings.

- the host: userinfo and port dropped, lower-cased, percent-decoded; IPv4 in
  any inet_aton spelling (``2852039166``, ``0xa9fea9fe``, ``0251.0376.0251.0376``,
  ``169.254.43518``) becomes a dotted quad, as does an IPv4-mapped or
  IPv4-compatible IPv6 address (``[::ffff:a9fe:a9fe]``); a decimal past 2**32
  also yields its value modulo 2**32, which some resolvers use;
- the path and query: percent-decoding repeated (double encoding), so
  ``%252e%252e%252f`` reads ``../``.
Hand-written (no urllib/ipaddress): it runs on the hook path and must not import ``re``.
"""

from __future__ import annotations

_HEX = "0123456789abcdefABCDEF"


# Overlong UTF-8 spellings of "/", "\\" and "." that lenient servers decode (..%c0%af..).
_OVERLONG = (("%c0%af", "/"), ("%e0%80%af", "/"), ("%c1%9c", "\\"), ("%c0%ae", "."), ("%e0%80%ae", "."), ("%c1%1c", "/"), ("%c0%2f", "/"))


def unquote(s: str, rounds: int = 3) -> str:
    """Percent-decode up to ``rounds`` times (stops when nothing changes)."""
    if "%c" in s.lower() or "%e0" in s.lower():
        low = s.lower()
        for enc, ch in _OVERLONG:
            while enc in low:
                i = low.index(enc)
                s = s[:i] + ch + s[i + len(enc) :]
                low = s.lower()
    for _ in range(rounds):
        if "%" not in s:
            break
        out = bytearray()
        i = 0
        b = s.encode("utf-8", "surrogatepass")
        n = len(b)
        while i < n:
            c = b[i]
            if c == 0x25 and i + 2 < n + 0 and chr(b[i + 1]) in _HEX and chr(b[i + 2]) in _HEX:
                out.append(int(b[i + 1 : i + 3], 16))
                i += 3
            else:
                out.append(c)
                i += 1
        new = out.decode("utf-8", "replace")
        if new == s:
            break
        s = new
    return s


def _ipv4_part(p: str) -> int | None:
    if not p:
        return None
    try:
        if p[:2] in ("0x", "0X"):
            return int(p[2:] or "0", 16)
        if len(p) > 1 and p[0] == "0":
            return int(p, 8)
        return int(p, 10)
    except ValueError:
        return None


def ipv4_forms(host: str) -> list[str]:
    """Dotted quads that ``host`` denotes as an IPv4 literal (empty if it is not one)."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or parts[-1] == "":
        return []
    nums = [_ipv4_part(p) for p in parts]
    if any(v is None for v in nums):
        return []
    *head, last = nums  # type: ignore[misc]
    if any(v > 255 for v in head):  # type: ignore[operator]
        return []
    value = 0
    for v in head:
        value = value * 256 + v  # type: ignore[operator]
    width = 4 - len(head)
    value = value * (256**width) + 0
    out = []
    limit = 256**width
    if last < limit:  # type: ignore[operator]
        out.append(_quad(value + last))  # type: ignore[operator]
    elif len(parts) == 1:
        out.append(_quad(last % (1 << 32)))  # type: ignore[operator]  # wrapped decimal
    return out


def _quad(v: int) -> str:
    return ".".join(str((v >> s) & 255) for s in (24, 16, 8, 0))


def ipv6_embedded_v4(host: str) -> str | None:
    """The IPv4 address inside ::ffff:a.b.c.d, ::a.b.c.d, 64:ff9b::, or their hex forms."""
    h = host.strip("[]").lower()
    if ":" not in h:
        return None
    if "%" in h:
        h = h.split("%", 1)[0]
    tail_v4 = None
    if "." in h:
        head, _, v4 = h.rpartition(":")
        forms = ipv4_forms(v4)
        if not forms:
            return None
        tail_v4 = forms[0]
        h = head + ":0:0"
    if h.count("::") > 1:
        return None
    if "::" in h:
        left, right = h.split("::")
        lg = [g for g in left.split(":") if g]
        rg = [g for g in right.split(":") if g]
        groups = lg + ["0"] * (8 - len(lg) - len(rg)) + rg
    else:
        groups = h.split(":")
    if len(groups) != 8:
        return None
    try:
        vals = [int(g, 16) for g in groups]
    except ValueError:
        return None
    mapped = vals[:5] == [0, 0, 0, 0, 0] and vals[5] in (0, 0xFFFF)
    nat64 = vals[:6] == [0x64, 0xFF9B, 0, 0, 0, 0]
    if not (mapped or nat64) or (vals[5] == 0 and vals[6] == 0 and not nat64):
        return None
    return tail_v4 or _quad((vals[6] << 16) | vals[7])


def host_forms(host: str) -> list[str]:
    """Canonical spellings of a URL host."""
    h = unquote(host).strip().lower().rstrip(".")
    forms = ipv4_forms(h)
    if forms:
        return forms
    v4 = ipv6_embedded_v4(h)
    if v4:
        return [v4]
    return [h]


def canonical(url: str) -> list[str]:
    """Canonical forms of ``url`` (empty when it is not an absolute URL)."""
    u = url.strip().replace("\\", "/")
    sep = u.find("://")
    if sep <= 0:
        return []
    scheme = u[:sep].lower()
    if not (scheme[0].isalpha() and all(c.isalnum() or c in "+.-" for c in scheme)):
        return []  # "://" inside other text is not a URL
    rest = u[sep + 3 :]
    end = len(rest)
    for ch in "/?#":
        k = rest.find(ch)
        if 0 <= k < end:
            end = k
    authority, tail = rest[:end], rest[end:]
    if ";" in tail:
        # Path parameters (/..;/manager, /x;jsessionid=1/) are dropped by servlet containers.
        path, sep2, query = tail.partition("?")
        path = "/".join(seg.split(";", 1)[0] for seg in path.split("/"))
        tail = path + sep2 + query
    hostport = authority.rpartition("@")[2]
    if hostport.startswith("["):
        close = hostport.find("]")
        host, port = hostport[: close + 1], hostport[close + 1 :]
    else:
        host, colon, port = hostport.partition(":")
        port = colon + port
    tail = unquote(tail)
    return [f"{scheme}://{h}{port}{tail}" for h in host_forms(host)]
