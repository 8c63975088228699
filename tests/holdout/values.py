"""Seeded synthetic values for the hold-out set: provider-format secrets, checksum-valid
PII and checksum-failing look-alikes.

Written for this hold-out set from the public descriptions of each format (no code
taken from the guard or from third parties). No value belongs to a real person or
account: every one is drawn from a seeded random generator.
"""

from __future__ import annotations

import base64
import binascii
import json
import random
import string

RNG = random.Random(20260714)

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = string.ascii_letters + string.digits + "+/"
B64URL = string.ascii_letters + string.digits + "-_"
B32 = string.ascii_uppercase + "234567"


def rs(alphabet: str, n: int) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


# --------------------------------------------------------------------------- checksums

def luhn_check_digit(partial: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:  # these positions are doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


_VD = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_VP = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]
_VINV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def verhoeff_check_digit(partial: str) -> str:
    c = 0
    for i, ch in enumerate(reversed(partial)):
        c = _VD[c][_VP[(i + 1) % 8][int(ch)]]
    return str(_VINV[c])


def verhoeff_valid(number: str) -> bool:
    c = 0
    for i, ch in enumerate(reversed(number)):
        c = _VD[c][_VP[i % 8][int(ch)]]
    return c == 0


def iban_check_digits(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    num = "".join(str(int(ch, 36)) for ch in rearranged)
    return "%02d" % (98 - int(num) % 97)


def iban_valid(iban: str) -> bool:
    s = iban.replace(" ", "")
    r = s[4:] + s[:4]
    return int("".join(str(int(ch, 36)) for ch in r)) % 97 == 1


def nric_letter(prefix: str, digits: str) -> str:
    weights = [2, 7, 6, 5, 4, 3, 2]
    total = sum(int(d) * w for d, w in zip(digits, weights))
    if prefix in "TG":
        total += 4
    rem = total % 11
    table = "JZIHGFEDCBA" if prefix in "ST" else "XWUTRQPNMLK"
    return table[rem]


def crc32_b62(s: str) -> str:
    n = binascii.crc32(s.encode()) & 0xFFFFFFFF
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = B62[r] + out
    return out.rjust(6, "0")


# --------------------------------------------------------------------------- PII

WELL_KNOWN_TEST_CARDS = {
    "4242424242424242", "4111111111111111", "4000056655665556", "5555555555554444",
    "5105105105105100", "378282246310005", "371449635398431", "6011111111111117",
    "4012888888881881", "5200828282828210", "30569309025904", "3566002020360505",
}


def card(prefix: str, length: int) -> str:
    while True:
        body = prefix + rs(string.digits, length - len(prefix) - 1)
        n = body + luhn_check_digit(body)
        if n not in WELL_KNOWN_TEST_CARDS and luhn_valid(n):
            return n


def card_fail(prefix: str, length: int) -> str:
    n = card(prefix, length)
    last = (int(n[-1]) + RNG.randint(1, 9)) % 10
    n = n[:-1] + str(last)
    assert not luhn_valid(n)
    return n


def fmt4(n: str, sep: str = " ") -> str:
    if len(n) == 15:
        return sep.join([n[:4], n[4:10], n[10:]])
    return sep.join(n[i:i + 4] for i in range(0, len(n), 4))


def ssn() -> str:
    while True:
        area = RNG.randint(1, 899)
        if area == 666:
            continue
        group = RNG.randint(1, 99)
        serial = RNG.randint(1, 9999)
        s = "%03d-%02d-%04d" % (area, group, serial)
        if s not in ("078-05-1120", "219-09-9999", "123-45-6789"):
            return s


def ssn_invalid() -> str:
    area = RNG.choice(["000", "666", "9%02d" % RNG.randint(0, 99)])
    return "%s-%02d-%04d" % (area, RNG.randint(1, 99), RNG.randint(1, 9999))


def aadhaar() -> str:
    body = str(RNG.randint(2, 9)) + rs(string.digits, 10)
    n = body + verhoeff_check_digit(body)
    assert verhoeff_valid(n)
    return n


def aadhaar_fail() -> str:
    while True:
        n = str(RNG.randint(2, 9)) + rs(string.digits, 11)
        if not verhoeff_valid(n):
            return n


def fmt_aadhaar(n: str) -> str:
    return " ".join([n[:4], n[4:8], n[8:]])


PAN_TYPES = "PCHFATBLJG"


def pan(kind: str = "P", surname_initial: str | None = None) -> str:
    return (rs(string.ascii_uppercase, 3) + kind + (surname_initial or RNG.choice(string.ascii_uppercase))
            + rs(string.digits, 4) + RNG.choice(string.ascii_uppercase))


def nric(prefix: str = "S") -> str:
    d = rs(string.digits, 7)
    return prefix + d + nric_letter(prefix, d)


def nric_wrong(prefix: str = "S") -> str:
    d = rs(string.digits, 7)
    good = nric_letter(prefix, d)
    table = "JZIHGFEDCBA" if prefix in "ST" else "XWUTRQPNMLK"
    bad = RNG.choice([c for c in table if c != good])
    return prefix + d + bad


IBAN_BBAN = {
    "DE": lambda: rs(string.digits, 18),
    "GB": lambda: rs(string.ascii_uppercase, 4) + rs(string.digits, 14),
    "NL": lambda: rs(string.ascii_uppercase, 4) + rs(string.digits, 10),
    "FR": lambda: rs(string.digits, 23),
    "ES": lambda: rs(string.digits, 20),
    "IT": lambda: RNG.choice(string.ascii_uppercase) + rs(string.digits, 22),
    "BE": lambda: rs(string.digits, 12),
    "CH": lambda: rs(string.digits, 17),
    "AT": lambda: rs(string.digits, 16),
    "IE": lambda: rs(string.ascii_uppercase, 4) + rs(string.digits, 14),
    "PL": lambda: rs(string.digits, 24),
    "SE": lambda: rs(string.digits, 20),
}


def iban(country: str) -> str:
    bban = IBAN_BBAN[country]()
    s = country + iban_check_digits(country, bban) + bban
    assert iban_valid(s)
    return s


def iban_fail(country: str) -> str:
    good = iban(country)
    cd = int(good[2:4])
    bad = "%02d" % ((cd + RNG.randint(1, 50)) % 97 + 2)
    s = good[:2] + bad + good[4:]
    if iban_valid(s):
        return iban_fail(country)
    return s


def fmt_iban(s: str) -> str:
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


# --------------------------------------------------------------------------- secrets

def aws_key_id(prefix: str = "AKIA") -> str:
    return prefix + rs(B32, 16)


def aws_secret() -> str:
    return rs(B64, 40)


def aws_session_token() -> str:
    return "IQoJb3JpZ2luX2VjE" + rs(B64, 340)


def github(prefix: str = "ghp") -> str:
    body = rs(B62, 30)
    return f"{prefix}_{body}{crc32_b62(body)}"


def github_fine() -> str:
    return "github_pat_11" + rs(string.ascii_uppercase + string.digits, 20) + "_" + rs(ALNUM, 59)


def npm_token() -> str:
    body = rs(B62, 30)
    return "npm_" + body + crc32_b62(body)


def pypi_token() -> str:
    return "pypi-AgEIcHlwaS5vcmcCJD" + rs(B64URL, 160)


def hf_token() -> str:
    return "hf_" + rs(string.ascii_letters, 34)


def stripe_live(kind: str = "sk") -> str:
    return f"{kind}_live_51" + rs(ALNUM, 97)


def stripe_whsec() -> str:
    return "whsec_" + rs(ALNUM, 32)


def twilio_sid() -> str:
    return "AC" + rs(HEX, 32)


def twilio_token() -> str:
    return rs(HEX, 32)


def twilio_api_key() -> str:
    return "SK" + rs(HEX, 32)


def sendgrid() -> str:
    return "SG." + rs(B64URL, 22) + "." + rs(B64URL, 43)


def datadog_api() -> str:
    return rs(HEX, 32)


def datadog_app() -> str:
    return rs(HEX, 40)


def azure_storage_key() -> str:
    return rs(B64, 86) + "=="


def azure_client_secret() -> str:
    return rs(ALNUM, 3) + str(RNG.randint(0, 9)) + "Q~" + rs(ALNUM + "_~.-", 34)


def slack_bot() -> str:
    return "xoxb-%d-%d-%s" % (RNG.randint(10**10, 10**12), RNG.randint(10**12, 10**13), rs(ALNUM, 24))


def slack_webhook() -> str:
    return "https://hooks.slack.com/services/T%s/B%s/%s" % (rs(string.ascii_uppercase + string.digits, 8),
                                                             rs(string.ascii_uppercase + string.digits, 10),
                                                             rs(ALNUM, 24))


def gitlab_pat() -> str:
    return "glpat-" + rs(ALNUM + "-_", 20)


def anthropic_key() -> str:
    return "sk-ant-api03-" + rs(B64URL, 93) + "AA"


def openai_key() -> str:
    return "sk-proj-" + rs(B64URL, 74) + "T3BlbkFJ" + rs(B64URL, 74)


def google_api_key() -> str:
    return "AIza" + rs(B64URL, 35)


def shopify() -> str:
    return "shpat_" + rs(HEX, 32)


def digitalocean() -> str:
    return "dop_v1_" + rs(HEX, 64)


def linear() -> str:
    return "lin_api_" + rs(ALNUM, 40)


def postman() -> str:
    return "PMAK-" + rs(HEX, 24) + "-" + rs(HEX, 34)


def databricks() -> str:
    return "dapi" + rs(HEX, 32)


def vault_token() -> str:
    return "hvs.CAESI" + rs(B64URL, 82)


def telegram() -> str:
    return "%d:AA%s" % (RNG.randint(10**9, 8 * 10**9), rs(B64URL, 33))


def discord_bot() -> str:
    uid = str(RNG.randint(10**17, 10**18))
    return base64.b64encode(uid.encode()).decode().rstrip("=") + "." + rs(B64URL, 6) + "." + rs(B64URL, 38)


def mailgun() -> str:
    return "key-" + rs(HEX, 32)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def jwt(payload: dict, alg: str = "HS256") -> str:
    h = b64url(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    p = b64url(json.dumps(payload, separators=(",", ":")).encode())
    sig = rs(B64URL, 43 if alg == "HS256" else 342)
    return f"{h}.{p}.{sig}"


def pem_body(lines: int, first: str = "") -> str:
    out = [first + rs(B64, 64 - len(first))]
    for _ in range(lines - 1):
        out.append(rs(B64, 64))
    out.append(rs(B64, 24) + "==")
    return "\n".join(out)


def rsa_private_pem(kind: str = "PRIVATE KEY") -> str:
    first = {"PRIVATE KEY": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ",
             "RSA PRIVATE KEY": "MIIEowIBAAKCAQEA"}[kind]
    return f"-----BEGIN {kind}-----\n{pem_body(25, first)}\n-----END {kind}-----\n"


def openssh_private() -> str:
    first = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"
    body = [first[:70]] + [rs(B64, 70) for _ in range(5)] + [rs(B64, 20) + "="]
    return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(body) + "\n-----END OPENSSH PRIVATE KEY-----\n"


def ec_private() -> str:
    return "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI" + rs(B64, 55) + "\n" + rs(B64, 64) + "\n" + rs(B64, 32) + "==\n-----END EC PRIVATE KEY-----\n"


def gcp_sa_json(project: str = "acme-data-318204", account: str = "etl-runner") -> str:
    key = rsa_private_pem("PRIVATE KEY")
    return json.dumps({
        "type": "service_account",
        "project_id": project,
        "private_key_id": rs(HEX, 40),
        "private_key": key,
        "client_email": f"{account}@{project}.iam.gserviceaccount.com",
        "client_id": str(RNG.randint(10**20, 10**21 - 1)),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": f"https://www.googleapis.com/robot/v1/metadata/x509/{account}%40{project}.iam.gserviceaccount.com",
        "universe_domain": "googleapis.com",
    }, indent=2)


def password() -> str:
    return rs(ALNUM, 10) + RNG.choice("!#%*") + rs(ALNUM, 5)


# ---- benign look-alikes used in outputs

def sha256() -> str:
    return rs(HEX, 64)


def sha1() -> str:
    return rs(HEX, 40)


def uuid4() -> str:
    h = rs(HEX, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{RNG.choice('89ab')}{h[17:20]}-{h[20:]}"


def integrity() -> str:
    return "sha512-" + base64.b64encode(bytes(RNG.getrandbits(8) for _ in range(64))).decode()


def ssh_pub() -> str:
    return "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + rs(B64, 43)


def cert_pem() -> str:
    return "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE" + rs(B64, 44) + "\n" + "\n".join(rs(B64, 64) for _ in range(14)) + "\n" + rs(B64, 20) + "=\n-----END CERTIFICATE-----\n"
