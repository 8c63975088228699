"""Seeded generators for synthetic secrets and checksum-valid (or deliberately invalid) PII.

Nothing here is a real credential or a real person's number: every value is
drawn from a seeded random generator. The *valid* generators produce numbers
that pass the public checksum of their kind (Luhn, Verhoeff, mod 97, NRIC check
letter, GitHub's CRC32 token checksum); the *lookalike* generators produce the
same shapes that fail it, for the benign side of the corpus.
"""

from __future__ import annotations

import base64
import random
import string
import zlib

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits

# Well-known documentation/test numbers, kept out of both sides of the corpus.
KNOWN_TEST_CARDS = {
    "4111111111111111", "4242424242424242", "5555555555554444", "378282246310005", "6011111111111117",
    "4000056655665556", "5105105105105100", "4012888888881881", "371449635398431",
}


def _rand(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


# ---- secrets -----------------------------------------------------------------


def aws_key_pair(rng: random.Random) -> tuple[str, str]:
    kid = "AKIA" + _rand(rng, string.ascii_uppercase + "234567", 16)
    secret = _rand(rng, ALNUM + "/+", 40)
    return kid, secret


def _b62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = B62[r] + out
    return out.rjust(width, "0")


def github_token(rng: random.Random, prefix: str = "ghp_") -> str:
    """Classic-format GitHub token: prefix + 30 random base62 + 6-char base62 CRC32 of the random part."""
    body = _rand(rng, B62, 30)
    return prefix + body + _b62(zlib.crc32(body.encode()), 6)


def github_pat_fine(rng: random.Random) -> str:
    return "github_pat_11" + _rand(rng, string.ascii_uppercase + string.digits, 20) + "_" + _rand(rng, ALNUM, 59)


def slack_bot(rng: random.Random) -> str:
    return f"xoxb-{_rand(rng, string.digits, 12)}-{_rand(rng, string.digits, 13)}-{_rand(rng, ALNUM, 24)}"


def slack_webhook(rng: random.Random) -> str:
    return (
        "https://hooks.slack.com/services/T"
        + _rand(rng, string.ascii_uppercase + string.digits, 8)
        + "/B"
        + _rand(rng, string.ascii_uppercase + string.digits, 10)
        + "/"
        + _rand(rng, ALNUM, 24)
    )


def stripe_live(rng: random.Random, prefix: str = "sk_live_") -> str:
    return prefix + _rand(rng, ALNUM, 99 if rng.random() < 0.5 else 24)


def openai_key(rng: random.Random) -> str:
    return "sk-proj-" + _rand(rng, ALNUM + "-_", 74) + "T3BlbkFJ" + _rand(rng, ALNUM + "-_", 74)


def anthropic_key(rng: random.Random) -> str:
    return "sk-ant-api03-" + _rand(rng, ALNUM + "-_", 93) + "AA"


def google_api_key(rng: random.Random) -> str:
    return "AIza" + _rand(rng, ALNUM + "-_", 35)


def gitlab_pat(rng: random.Random) -> str:
    return "glpat-" + _rand(rng, ALNUM + "-_", 20)


def npm_token(rng: random.Random) -> str:
    return "npm_" + _rand(rng, ALNUM, 36)


def pypi_token(rng: random.Random) -> str:
    return "pypi-AgEIcHlwaS5vcmc" + _rand(rng, ALNUM + "-_", 120)


def sendgrid_key(rng: random.Random) -> str:
    return "SG." + _rand(rng, ALNUM + "-_", 22) + "." + _rand(rng, ALNUM + "-_", 43)


def twilio_key(rng: random.Random) -> str:
    return "SK" + _rand(rng, "0123456789abcdef", 32)


def hashicorp_vault(rng: random.Random) -> str:
    return "hvs." + _rand(rng, ALNUM + "_-", 90)


def shopify_token(rng: random.Random) -> str:
    return "shpat_" + _rand(rng, "0123456789abcdef", 32)


def telegram_bot(rng: random.Random) -> str:
    return _rand(rng, string.digits, 10) + ":AA" + _rand(rng, ALNUM + "_-", 33)


def azure_storage_conn(rng: random.Random) -> str:
    key = base64.b64encode(bytes(rng.randrange(256) for _ in range(64))).decode()
    return f"DefaultEndpointsProtocol=https;AccountName=prodassets{rng.randrange(100, 999)};AccountKey={key};EndpointSuffix=core.windows.net"


def jwt(rng: random.Random) -> str:
    def seg(obj: str) -> str:
        return base64.urlsafe_b64encode(obj.encode()).decode().rstrip("=")

    head = seg('{"alg":"HS256","typ":"JWT"}')
    body = seg('{"sub":"%d","name":"svc-deploy","iat":17%08d,"scope":"admin"}' % (rng.randrange(10**6), rng.randrange(10**8)))
    sig = base64.urlsafe_b64encode(bytes(rng.randrange(256) for _ in range(32))).decode().rstrip("=")
    return f"{head}.{body}.{sig}"


def pem_private_key(rng: random.Random, kind: str = "RSA PRIVATE KEY", lines: int = 12) -> str:
    body = "\n".join(base64.b64encode(bytes(rng.randrange(256) for _ in range(48))).decode() for _ in range(lines))
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----"


def password(rng: random.Random) -> str:
    return _rand(rng, ALNUM, 10) + rng.choice("!#%*") + _rand(rng, ALNUM, 5)


# ---- PII: valid --------------------------------------------------------------


def luhn_ok(d: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(d)):
        n = int(ch)
        if i % 2:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def _luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + _rand(rng, string.digits, length - len(prefix) - 1)
    for c in string.digits:
        if luhn_ok(body + c):
            return body + c
    raise AssertionError


def card(rng: random.Random) -> str:
    while True:
        kind = rng.choice(["visa", "mc", "mc2", "amex", "disc"])
        if kind == "visa":
            n = _luhn_complete("4", 16, rng)
        elif kind == "mc":
            n = _luhn_complete(str(rng.randrange(51, 56)), 16, rng)
        elif kind == "mc2":
            n = _luhn_complete(str(rng.randrange(2221, 2721)), 16, rng)
        elif kind == "amex":
            n = _luhn_complete(rng.choice(["34", "37"]), 15, rng)
        else:
            n = _luhn_complete("6011", 16, rng)
        if n not in KNOWN_TEST_CARDS:
            return n


def fmt_card(n: str, rng: random.Random) -> str:
    style = rng.choice(["plain", "space", "dash"])
    if style == "plain":
        return n
    sep = " " if style == "space" else "-"
    if len(n) == 15:
        return sep.join([n[:4], n[4:10], n[10:]])
    return sep.join(n[i : i + 4] for i in range(0, len(n), 4))


def ssn(rng: random.Random) -> str:
    while True:
        area = rng.randrange(1, 900)
        if area == 666:
            continue
        s = f"{area:03d}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10000):04d}"
        if s.replace("-", "") not in {"078051120", "219099999", "457555462", "123456789"}:
            return s


_VD = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)  # fmt: skip
_VP = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)  # fmt: skip
_VINV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


def verhoeff_ok(d: str) -> bool:
    c = 0
    for i, ch in enumerate(reversed(d)):
        c = _VD[c][_VP[i % 8][int(ch)]]
    return c == 0


def _verhoeff_digit(body: str) -> str:
    c = 0
    for i, ch in enumerate(reversed(body)):
        c = _VD[c][_VP[(i + 1) % 8][int(ch)]]
    return str(_VINV[c])


def aadhaar(rng: random.Random) -> str:
    while True:
        body = str(rng.randrange(2, 10)) + _rand(rng, string.digits, 10)
        n = body + _verhoeff_digit(body)
        assert verhoeff_ok(n)
        if n != n[::-1]:
            return f"{n[:4]} {n[4:8]} {n[8:]}"


def pan(rng: random.Random) -> str:
    return (
        _rand(rng, string.ascii_uppercase, 3)
        + "P"
        + rng.choice(string.ascii_uppercase)
        + f"{rng.randrange(1, 10000):04d}"
        + rng.choice(string.ascii_uppercase)
    )


_NRIC_W = (2, 7, 6, 5, 4, 3, 2)


def nric_check(prefix: str, digits: str) -> str:
    total = (4 if prefix in "TG" else 0) + sum(w * int(c) for w, c in zip(_NRIC_W, digits))
    table = "JZIHGFEDCBA" if prefix in "ST" else "XWUTRQPNMLK"
    return table[total % 11]


def nric(rng: random.Random) -> str:
    p = rng.choice("ST")
    d = _rand(rng, string.digits, 7)
    return p + d + nric_check(p, d)


_IBAN_FMT = {"DE": (22, "n"), "NL": (18, "nl"), "GB": (22, "gb"), "FR": (27, "n")}


def iban_ok(s: str) -> bool:
    r = s[4:] + s[:4]
    return int("".join(c if c.isdigit() else str(ord(c) - 55) for c in r)) % 97 == 1


def _iban_from_bban(cc: str, bban: str) -> str:
    r = bban + cc + "00"
    n = int("".join(c if c.isdigit() else str(ord(c) - 55) for c in r))
    return f"{cc}{98 - n % 97:02d}{bban}"


def iban(rng: random.Random) -> str:
    cc = rng.choice(["DE", "NL", "GB", "FR"])
    if cc == "DE":
        bban = _rand(rng, string.digits, 18)
    elif cc == "NL":
        bban = rng.choice(["ABNA", "INGB", "RABO"]) + _rand(rng, string.digits, 10)
    elif cc == "GB":
        bban = rng.choice(["NWBK", "BARC", "HBUK"]) + _rand(rng, string.digits, 14)
    else:
        bban = _rand(rng, string.digits, 23)
    s = _iban_from_bban(cc, bban)
    assert iban_ok(s)
    return " ".join(s[i : i + 4] for i in range(0, len(s), 4)) if rng.random() < 0.5 else s


# ---- PII: look-alikes that fail the checksum ---------------------------------


def card_lookalike(rng: random.Random) -> str:
    n = card(rng)
    last = int(n[-1])
    return n[:-1] + str((last + rng.randrange(1, 10)) % 10)


def ssn_lookalike(rng: random.Random) -> str:
    area = rng.choice(["000", "666", f"9{rng.randrange(0, 100):02d}"])
    return f"{area}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10000):04d}"


def aadhaar_lookalike(rng: random.Random) -> str:
    while True:
        n = str(rng.randrange(2, 10)) + _rand(rng, string.digits, 11)
        if not verhoeff_ok(n):
            return n


def nric_lookalike(rng: random.Random) -> str:
    p = rng.choice("ST")
    d = _rand(rng, string.digits, 7)
    good = nric_check(p, d)
    bad = rng.choice([c for c in "JZIHGFEDCBA" if c != good])
    return p + d + bad


def iban_lookalike(rng: random.Random) -> str:
    s = iban(rng).replace(" ", "")
    cd = int(s[2:4])
    bad = (cd + rng.randrange(1, 50)) % 97
    bad = max(bad, 2)
    return s[:2] + f"{bad:02d}" + s[4:]
