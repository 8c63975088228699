"""Checksums that a matched number must pass before a PII rule fires.

Random digits and look-alike IDs should not be redacted or denied; a real
card number passes Luhn, a real Aadhaar passes Verhoeff, and so on. Imported
only when a rule with a ``validator`` gets past its keyword prefilter.

Each validator takes the regex match text (separators, and for labelled forms
such as ``SSN: 123456789`` the label, included) and returns True only for a
structurally valid number.

Own implementations, not python-stdnum. Measured with ``python -X importtime
-I -S`` (how the hook runs; CPython 3.11, python-stdnum 2.2 put on sys.path by
hand), cumulative import cost:

    stdnum.luhn 27-29 ms, stdnum.verhoeff 27-29 ms, stdnum.in_.aadhaar 27-29 ms,
    stdnum.in_.pan 28-29 ms, stdnum.us.ssn 27-28 ms, stdnum.iban 35-37 ms.

Each submodule itself costs under 1 ms, but all of them import
``stdnum.util``, which imports pydoc, pkgutil, ssl, re, unicodedata and
warnings (~27 ms) -- far over the 2 ms budget, and more than the whole hook
call otherwise. Also, the hook runs with ``-S``, so site-packages (where
stdnum would live) is not even on sys.path there. stdnum has no Singapore
NRIC module either. The checksums below are short and use nothing outside
builtins; this module imports in well under 1 ms.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs ~10 ms (it imports re); never at run time
    from typing import Callable


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _compact(text: str) -> str:
    return "".join(c for c in text if c not in " -\t")


# ---- Luhn (payment cards) ---------------------------------------------------


# Card numbers that payment providers publish for testing (Stripe, Braintree, Adyen
# docs): they pass Luhn but are not anybody's card, so they are not PII.
PUBLISHED_TEST_CARDS = frozenset(
    {
        "4242424242424242", "4000056655665556", "5555555555554444", "2223003122003222",
        "5200828282828210", "5105105105105100", "378282246310005", "371449635398431",
        "6011111111111117", "6011000990139424", "3056930009020004", "36227206271667",
        "3566002020360505", "6200000000000005", "4000000000000002", "4000000000009995",
        "4000000000000077", "4000000000000341", "4000002500003155", "4000002760003184",
        "4111111111111111", "4012888888881881", "4222222222222", "5431111111111111",
    }
)


def luhn(text: str) -> bool:
    """Payment card numbers (13-19 digits, Luhn mod 10)."""
    d = _digits(text)
    if not 13 <= len(d) <= 19 or len(set(d)) == 1 or d in PUBLISHED_TEST_CARDS:
        return False
    total = 0
    for i, ch in enumerate(reversed(d)):
        n = int(ch)
        if i % 2:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


# ---- Verhoeff (India Aadhaar) -----------------------------------------------

# Multiplication in the dihedral group D5, and the position permutation.
_VD = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_VP = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)


def verhoeff(text: str) -> bool:
    """Any digit string whose last digit is its Verhoeff check digit."""
    d = _digits(text)
    if len(d) < 2:
        return False
    c = 0
    for i, ch in enumerate(reversed(d)):
        c = _VD[c][_VP[i % 8][ord(ch) - 48]]
    return c == 0


def aadhaar(text: str) -> bool:
    """India Aadhaar: 12 digits, first 2-9, not a palindrome, Verhoeff check digit."""
    d = _digits(text)
    return len(d) == 12 and d[0] not in "01" and d != d[::-1] and verhoeff(d)


# ---- IBAN (ISO 13616) -------------------------------------------------------

# BBAN structure per country from the SWIFT IBAN registry: n digits, a upper-case
# letters, c letters or digits. IBAN length = 4 + the BBAN's length.
_BBAN = {
    "AD": "8n12c", "AE": "19n", "AL": "8n16c", "AT": "16n", "AZ": "4a20c", "BA": "16n", "BE": "12n", "BG": "4a6n8c",
    "BH": "4a14c", "BI": "23n", "BR": "23n1a1c", "BY": "4c4n16c", "CH": "5n12c", "CR": "18n", "CY": "8n16c",
    "CZ": "20n", "DE": "18n", "DJ": "23n", "DK": "14n", "DO": "4c20n", "EE": "16n", "EG": "25n", "ES": "20n",
    "FI": "14n", "FK": "2a12n", "FO": "14n", "FR": "10n11c2n", "GB": "4a14n", "GE": "2a16n", "GI": "4a15c",
    "GL": "14n", "GR": "7n16c", "GT": "24c", "HN": "4a20n", "HR": "17n", "HU": "24n", "IE": "4a14n", "IL": "19n",
    "IQ": "4a15n", "IS": "22n", "IT": "1a10n12c", "JO": "4a4n18c", "KW": "4a22c", "KZ": "3n13c", "LB": "4n20c",
    "LC": "4a24c", "LI": "5n12c", "LT": "16n", "LU": "3n13c", "LV": "4a13c", "LY": "21n", "MC": "10n11c2n",
    "MD": "20c", "ME": "18n", "MK": "3n10c2n", "MN": "16n", "MR": "23n", "MT": "4a5n18c", "MU": "4a19n3a",
    "NI": "4a20n", "NL": "4a10n", "NO": "11n", "OM": "3n16c", "PK": "4a16c", "PL": "24n", "PS": "4a21c", "PT": "21n",
    "QA": "4a21c", "RO": "4a16c", "RS": "18n", "RU": "14n15c", "SA": "2n18c", "SC": "4a20n3a", "SD": "14n",
    "SE": "20n", "SI": "15n", "SK": "20n", "SM": "1a10n12c", "SO": "19n", "ST": "21n", "SV": "4a20n", "TL": "19n",
    "TN": "20n", "TR": "6n16c", "UA": "6n19c", "VA": "18n", "VG": "4a16n", "XK": "16n", "YE": "4a4n18c",
}  # fmt: skip

_DIGITS = frozenset("0123456789")
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ALNUM = _DIGITS | _UPPER
_KIND = {"n": _DIGITS, "a": _UPPER, "c": _ALNUM}


def _bban_ok(bban: str, fmt: str) -> bool:
    pos = 0
    num = 0
    for ch in fmt:
        if ch.isdigit():
            num = num * 10 + ord(ch) - 48
            continue
        allowed = _KIND[ch]
        end = pos + num
        if end > len(bban) or any(c not in allowed for c in bban[pos:end]):
            return False
        pos, num = end, 0
    return pos == len(bban)


def iban(text: str) -> bool:
    """IBAN: known country, that country's length and BBAN shape, check digits (mod 97 == 1)."""
    s = _compact(text)
    fmt = _BBAN.get(s[:2])
    if fmt is None or not s[2:4].isdigit() or s[2:4] in ("00", "01", "99"):
        return False
    if not _bban_ok(s[4:], fmt):
        return False
    # Move the first four characters to the end, letters become 10..35.
    rearranged = s[4:] + s[:4]
    n = "".join(c if c in _DIGITS else str(ord(c) - 55) for c in rearranged)
    return int(n) % 97 == 1


# ---- US Social Security number ----------------------------------------------

# Numbers printed in advertising, SSA pamphlets and documentation: real-looking,
# never a real person's (078-05-1120 Woolworth wallet card, 219-09-9999 SSA
# pamphlet, 457-55-5462 LifeLock advertising, 123-45-6789 the common example).
_SSN_EXAMPLES = frozenset(("078051120", "219099999", "457555462", "123456789"))


def ssn(text: str) -> bool:
    """US SSN: area not 000/666/9xx, group not 00, serial not 0000, not a well-known example."""
    d = _digits(text)
    if len(d) != 9:
        return False
    area, group, serial = d[:3], d[3:5], d[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return d not in _SSN_EXAMPLES and len(set(d)) > 1


# ---- India PAN --------------------------------------------------------------

# 4th character: the holder type (Person, Company, HUF, Firm, AOP, Trust, BOI,
# Local authority, artificial Juridical person, Government).
_PAN_HOLDER = frozenset("ABCFGHLJPT")


def pan(text: str) -> bool:
    """India PAN: AAAAA9999A, 4th letter a holder type, serial not 0000 (no public checksum)."""
    s = text.strip()
    return (
        len(s) == 10
        and all(c in _UPPER for c in s[:5])
        and s[3] in _PAN_HOLDER
        and all(c in _DIGITS for c in s[5:9])
        and s[5:9] != "0000"
        and s[9] in _UPPER
    )


# ---- Singapore NRIC / FIN ---------------------------------------------------

_NRIC_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)
_NRIC_OFFSET = {"S": 0, "T": 4, "F": 0, "G": 4, "M": 3}
# Check letter indexed by (offset + weighted sum) % 11.
_NRIC_ST = "JZIHGFEDCBA"
_NRIC_FG = "XWUTRQPNMLK"
_NRIC_M = "XWUTRQPNJLK"


def nric(text: str) -> bool:
    """Singapore NRIC/FIN: S/T/F/G/M, 7 digits, check letter (weights 2765432)."""
    s = text.strip().upper()
    if len(s) != 9 or s[0] not in _NRIC_OFFSET or not all(c in _DIGITS for c in s[1:8]):
        return False
    total = _NRIC_OFFSET[s[0]] + sum(w * (ord(c) - 48) for w, c in zip(_NRIC_WEIGHTS, s[1:8]))
    table = _NRIC_ST if s[0] in "ST" else _NRIC_M if s[0] == "M" else _NRIC_FG
    return s[8] == table[total % 11]


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "luhn": luhn,
    "verhoeff": verhoeff,
    "aadhaar": aadhaar,
    "iban": iban,
    "ssn": ssn,
    "pan": pan,
    "nric": nric,
}
NAMES = frozenset(VALIDATORS)


def get(name: str) -> Callable[[str], bool]:
    return VALIDATORS[name]
