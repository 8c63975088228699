"""URL canonicalisation: every spelling of the metadata address reads the same."""

from __future__ import annotations

import ipaddress
import random
import socket

import pytest

from guard.engine.urlnorm import canonical, ipv4_forms, ipv6_embedded_v4, unquote

META = "http://169.254.169.254/latest/meta-data/"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://2852039166/latest/meta-data/",
        "http://0xa9fea9fe/latest/meta-data/",
        "http://0xA9.0xFE.0xA9.0xFE/latest/meta-data/",
        "http://0251.0376.0251.0376/latest/meta-data/",
        "http://169.254.43518/latest/meta-data/",
        "http://169.16689662/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "http://[::ffff:a9fe:a9fe]/latest/meta-data/",
        "http://[0:0:0:0:0:ffff:a9fe:a9fe]/latest/meta-data/",
        "http://user:pw@169.254.169.254:80/latest/meta-data/",
        "http://%31%36%39.254.169.254/latest/meta-data/",
        "http://169.254.169.254/latest%2fmeta-data%2f",
        "http://7147006462/latest/meta-data/",
        "HTTP://169.254.169.254./latest/meta-data/",
    ],
)
def test_metadata_spellings(url: str) -> None:
    forms = canonical(url)
    assert any(f.replace(":80/", "/") == META for f in forms), forms


def test_double_encoding() -> None:
    assert unquote("%252e%252e%252fetc%252fpasswd") == "../etc/passwd"
    assert canonical("https://x.example/a?u=http%3A%2F%2F169.254.169.254%2F") == ["https://x.example/a?u=http://169.254.169.254/"]


def test_ordinary_urls_are_unchanged() -> None:
    for u in ("https://docs.python.org/3/library/re.html", "https://api.github.com/repos/a/b?page=2", "http://localhost:3000/"):
        assert canonical(u) == [u]
    assert canonical("not a url") == []
    assert canonical("require('x').execSync('curl http://A.example/')") == []


def test_ipv4_forms_agree_with_inet_aton() -> None:
    rng = random.Random(3)
    for _ in range(2000):
        n = rng.getrandbits(32)
        parts = rng.choice([1, 2, 3, 4])
        if parts == 1:
            spelled = rng.choice([str(n), hex(n), "0" + oct(n)[2:]])
        else:
            b = n.to_bytes(4, "big")
            head = [str(x) for x in b[: parts - 1]]
            tail = int.from_bytes(b[parts - 1 :], "big")
            spelled = ".".join(head + [rng.choice([str(tail), hex(tail)])])
        expected = socket.inet_ntoa(socket.inet_aton(spelled))
        assert ipv4_forms(spelled) == [expected], spelled


def test_ipv6_embedded() -> None:
    assert ipv6_embedded_v4("[::ffff:10.0.0.1]") == "10.0.0.1"
    assert ipv6_embedded_v4("64:ff9b::a9fe:a9fe") == "169.254.169.254"
    assert ipv6_embedded_v4("2001:db8::1") is None
    assert ipv6_embedded_v4("::1") is None
    assert str(ipaddress.IPv6Address("::ffff:a9fe:a9fe").ipv4_mapped) == "169.254.169.254"
