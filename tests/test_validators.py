"""The PII checksum validators (guard.engine.validators) and the pii rules that use them."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from guard.editors import claude_code
from guard.engine import compiler, evaluate, ruleset
from guard.engine import validators as V
from guard.verdict import REDACT

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = Path(ruleset.RULES_DIR)
FILES = sorted(p for p in RULES_DIR.glob("*.toml") if not p.name.startswith("_"))
RULESET = compiler.build_ruleset(FILES)


def bump_last_digit(s: str) -> str:
    """``s`` with its last digit increased by one (mod 10): a check-digit-off-by-one look-alike."""
    i = max(i for i, c in enumerate(s) if c.isdigit())
    return s[:i] + str((int(s[i]) + 1) % 10) + s[i + 1 :]


# ---- luhn ---------------------------------------------------------------------


def test_published_test_cards_are_not_pii() -> None:
    for number in ("4111111111111111", "4242 4242 4242 4242", "5555-5555-5555-4444", "378282246310005"):
        assert not V.luhn(number), number

LUHN_VALID = [
    "4787789328792170",
    "4787 7893 2879 2170",
    "4421-8096-7929-0814",
    "4003390757938349",
    "3530111333300000",
    "30569394055766",
]


@pytest.mark.parametrize("number", LUHN_VALID)
def test_luhn_valid(number: str) -> None:
    assert V.luhn(number)


@pytest.mark.parametrize("number", LUHN_VALID)
def test_luhn_check_digit_off_by_one(number: str) -> None:
    assert not V.luhn(bump_last_digit(number))


@pytest.mark.parametrize(
    "number",
    [
        "4111111111111112",
        "0000000000000000",  # passes the checksum, but one repeated digit
        "411111111111",  # 12 digits: too short
        "41111111111111111111",  # 20 digits: too long
        "",
        "abcd",
    ],
)
def test_luhn_invalid(number: str) -> None:
    assert not V.luhn(number)


def test_luhn_exactly_one_check_digit_per_prefix() -> None:
    rnd = random.Random(11)
    for _ in range(200):
        prefix = str(rnd.randint(10**14, 10**15 - 1))
        assert sum(V.luhn(prefix + d) for d in "0123456789") == 1


def test_luhn_random_16_digit_numbers_pass_about_one_in_ten() -> None:
    rnd = random.Random(1234)
    n = 20000
    passed = sum(V.luhn(str(rnd.randint(10**15, 10**16 - 1))) for _ in range(n))
    assert 0.09 < passed / n < 0.11


# ---- verhoeff / aadhaar ---------------------------------------------------------


def test_verhoeff_known_values() -> None:
    assert V.verhoeff("2363")  # textbook example: check digit of 236 is 3
    assert not V.verhoeff("2364")
    assert V.verhoeff("12340")  # check digit of 1234 is 0
    assert not V.verhoeff("7")


def test_verhoeff_catches_adjacent_transpositions() -> None:
    rnd = random.Random(5)
    for _ in range(300):
        body = str(rnd.randint(10**10, 10**11 - 1))
        good = next(body + d for d in "0123456789" if V.verhoeff(body + d))
        i = rnd.randrange(len(good) - 1)
        if good[i] == good[i + 1]:
            continue
        swapped = good[:i] + good[i + 1] + good[i] + good[i + 2 :]
        assert not V.verhoeff(swapped), (good, swapped)


AADHAAR_VALID = ["234567890124", "4918 2736 4507", "8765-4321-0988", "314159265351", "271828182847", "987654321096"]


@pytest.mark.parametrize("number", AADHAAR_VALID)
def test_aadhaar_valid(number: str) -> None:
    assert V.aadhaar(number)


@pytest.mark.parametrize("number", AADHAAR_VALID)
def test_aadhaar_check_digit_off_by_one(number: str) -> None:
    assert not V.aadhaar(bump_last_digit(number))


def test_aadhaar_structure() -> None:
    # Verhoeff-valid, but an Aadhaar never starts with 0 or 1.
    for number in ("023456789014", "123456789010"):
        assert V.verhoeff(number) and not V.aadhaar(number)
    assert not V.aadhaar("23456789012")  # 11 digits
    assert not V.aadhaar("2345678901245")  # 13 digits
    # Verhoeff-valid palindrome: never issued.
    assert V.verhoeff("200009900002") and not V.aadhaar("200009900002")


# ---- iban -------------------------------------------------------------------------

IBAN_VALID = [
    "GB82 WEST 1234 5698 7654 32",
    "GB82WEST12345698765432",
    "GB29NWBK60161331926819",
    "DE89 3704 0044 0532 0130 00",
    "FR1420041010050500013M02606",
    "FR7630006000011234567890189",
    "NL91ABNA0417164300",
    "CH9300762011623852957",
    "BE68539007547034",
    "NO9386011117947",
    "ES9121000418450200051332",
    "IT60X0542811101000000123456",
    "PL61109010140000071219812874",
    "SE4550000000058398257466",
    "AT611904300234573201",
]


@pytest.mark.parametrize("number", IBAN_VALID)
def test_iban_valid(number: str) -> None:
    assert V.iban(number)


@pytest.mark.parametrize("number", IBAN_VALID)
def test_iban_check_digits_off_by_one(number: str) -> None:
    s = number.replace(" ", "")
    bumped = s[:2] + f"{(int(s[2:4]) + 1) % 100:02d}" + s[4:]
    assert not V.iban(bumped)
    assert not V.iban(bump_last_digit(number))


@pytest.mark.parametrize(
    "number",
    [
        "GB82WEST123456987654321",  # one character too long for GB
        "GB82WEST1234569876543",  # one too short
        "XX82WEST12345698765432",  # no such country
        "GB82 1234 5678 9012 3456 78",  # GB bank code must be letters
        "DE89 3704 0044 0532 0130 0A",  # DE BBAN is all digits
        "gb82west12345698765432",  # lower case (the rule pattern only matches upper case)
        "GB",
        "",
    ],
)
def test_iban_invalid(number: str) -> None:
    assert not V.iban(number)


def test_iban_country_table() -> None:
    assert len(V._BBAN) >= 40
    known = {"DE": 22, "GB": 22, "FR": 27, "NL": 18, "BE": 16, "NO": 15, "CH": 21, "ES": 24, "IT": 27, "MT": 31, "SA": 24}
    for cc, length in known.items():
        fmt = V._BBAN[cc]
        total = 4
        num = 0
        for ch in fmt:
            if ch.isdigit():
                num = num * 10 + int(ch)
            else:
                total, num = total + num, 0
        assert total == length, cc


def test_iban_random_check_digits_rarely_pass() -> None:
    rnd = random.Random(97)
    bban = "370400440532013000"
    passed = sum(V.iban(f"DE{rnd.randint(2, 98):02d}{bban}") for _ in range(2000))
    assert passed < 60  # exactly one of 97 check-digit pairs is right


# ---- ssn ----------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["536-22-8842", "401235678", "219 45 7731", "772-41-0093", "001-01-0001", "665-99-9999"])
def test_ssn_valid(number: str) -> None:
    assert V.ssn(number)


@pytest.mark.parametrize(
    "number",
    [
        "000-12-3456",  # area 000
        "666-12-3456",  # area 666
        "900-12-3456",  # 9xx: never issued (ITINs, advertising)
        "987-65-4320",
        "536-00-8842",  # group 00
        "536-22-0000",  # serial 0000
        "078-05-1120",  # Woolworth wallet card
        "219-09-9999",  # SSA pamphlet
        "457-55-5462",  # LifeLock advertising
        "123-45-6789",  # the documentation example
        "111-11-1111",  # one repeated digit
        "536-22-884",  # 8 digits
        "536-22-88421",  # 10 digits
    ],
)
def test_ssn_invalid(number: str) -> None:
    assert not V.ssn(number)


# ---- pan --------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["AAAPL1234C", "BNZCA2501F", "ABCTY1234D", "ZZZHZ0001Z", "AAAGA9999A"])
def test_pan_valid(number: str) -> None:
    assert V.pan(number)


@pytest.mark.parametrize(
    "number",
    [
        "ABCDE1234F",  # D is not a holder type
        "ABCKE1234F",  # nor is K (discontinued)
        "AAAPL0000C",  # serial 0000
        "aaapl1234c",  # lower case
        "AAAPL1234",  # too short
        "AAAPL12345",  # digit where the last letter goes
        "AAAP11234C",  # digit where a letter goes
        "AAAPL1234CX",  # too long
    ],
)
def test_pan_invalid(number: str) -> None:
    assert not V.pan(number)


# ---- nric -------------------------------------------------------------------------------

NRIC_VALID = ["S1234567D", "T1234567J", "F1234567N", "G1234567X", "M1234567K", "S0123456J", "G7654321L", "T9876543Z"]


@pytest.mark.parametrize("number", NRIC_VALID)
def test_nric_valid(number: str) -> None:
    assert V.nric(number)


@pytest.mark.parametrize("number", NRIC_VALID)
def test_nric_check_letter_off_by_one(number: str) -> None:
    assert not V.nric(number[:-1] + chr((ord(number[-1]) - 65 + 1) % 26 + 65))
    assert not V.nric(bump_last_digit(number))


def test_nric_tables_and_offsets() -> None:
    # Same digits, different prefix: the offset (T/G +4, M +3) and table change the letter.
    assert not V.nric("T1234567D")
    assert not V.nric("F1234567D")
    assert not V.nric("M1234567N")
    # One check letter per prefix and body.
    rnd = random.Random(65)
    for _ in range(200):
        body = f"{rnd.randint(0, 9999999):07d}"
        for prefix in "STFGM":
            assert sum(V.nric(prefix + body + L) for L in "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 1


@pytest.mark.parametrize("number", ["A1234567D", "S123456D", "S12345678D", "S12345678", "S1234X67D", ""])
def test_nric_invalid(number: str) -> None:
    assert not V.nric(number)


# ---- registry and cost ------------------------------------------------------------------


def test_every_validator_is_registered() -> None:
    assert {"luhn", "verhoeff", "aadhaar", "iban", "ssn", "pan", "nric"} <= V.NAMES
    for name in V.NAMES:
        assert V.get(name)("") is False


def test_pii_rules_use_known_validators() -> None:
    pii = [r for p, r in compiler.load_rule_files(FILES) if p.name == "pii.toml"]
    assert {r.id for r in pii} == {"pii.card-number", "pii.iban", "pii.us-ssn", "pii.aadhaar", "pii.india-pan", "pii.sg-nric"}
    for r in pii:
        assert r.validator in V.NAMES and r.secret and r.category == "pii"


def test_validators_import_nothing_heavy() -> None:
    """The module loads on the hook path whenever a PII keyword occurs: builtins only."""
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); import guard.engine.validators"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-I", "-S", "-c", code], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    mods = [ln.rsplit("|", 1)[1].strip() for ln in proc.stderr.splitlines() if ln.startswith("import time:") and "|" in ln]
    assert "guard.engine.validators" in mods
    heavy = [m for m in mods if m.split(".")[0] in ("re", "typing", "stdnum", "json", "enum", "os", "pathlib")]
    assert heavy == []


# ---- end to end --------------------------------------------------------------------------

VALID_CARD = "4787 7893 2879 2170"
LOOKALIKE = "4787 7893 2879 2171"  # same shape, Luhn check digit off by one


def test_read_output_redacts_valid_card_and_keeps_lookalike() -> None:
    content = f"1\tcustomer: Jane\n2\tcard: {VALID_CARD}\n3\ttest fixture: {LOOKALIKE}\n"
    payload = {
        "session_id": "t",
        "cwd": "/home/dev/project",
        "hook_event_name": "PostToolUse",
        "tool_name": "Read",
        "tool_input": {"file_path": "/home/dev/project/customers.txt"},
        "tool_response": {"type": "text", "file": {"filePath": "/home/dev/project/customers.txt", "content": content, "numLines": 3}},
    }
    call = claude_code.parse(payload)
    verdict = evaluate.evaluate(call, RULESET, (0.5, 0.75))
    assert verdict.decision == REDACT
    assert "pii.card-number" in verdict.rule_ids
    out = verdict.updated_output
    assert isinstance(out, dict) and out["type"] == "text" and out["file"]["numLines"] == 3
    text = out["file"]["content"]
    assert VALID_CARD not in text
    assert "card: [REDACTED:pii.card-number]\n" in text
    assert LOOKALIKE in text
    assert "customer: Jane" in text


def test_bash_output_redacts_every_kind_and_spares_lookalikes() -> None:
    valid = {
        "pii.card-number": "5555-5515-8813-9980",
        "pii.iban": "DE89 3704 0044 0532 0130 00",
        "pii.us-ssn": "536-22-8842",
        "pii.aadhaar": "4918 2736 4507",
        "pii.india-pan": "AAAPL1234C",
        "pii.sg-nric": "S1234567D",
    }
    lookalikes = ["5555-5555-5555-4445", "DE89 3704 0044 0532 0130 01", "536-22-0000", "4918 2736 4508", "ABCDE1234F", "S1234567E"]
    stdout = "\n".join(f"{k}: {v}" for k, v in valid.items()) + "\n" + "\n".join(lookalikes) + "\n"
    payload = {
        "session_id": "t",
        "cwd": "/home/dev/project",
        "hook_event_name": "PostToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": "cat export.csv"},
        "tool_response": {"stdout": stdout, "stderr": "", "interrupted": False, "isImage": False},
    }
    verdict = evaluate.evaluate(claude_code.parse(payload), RULESET, (0.5, 0.75))
    text = verdict.updated_output["stdout"]  # type: ignore[index]
    for rule_id, number in valid.items():
        assert number not in text
        assert f"{rule_id}: [REDACTED:{rule_id}]" in text
    for lookalike in lookalikes:
        assert lookalike in text


def test_prompt_with_card_is_flagged_without_echoing_it() -> None:
    payload = {"session_id": "t", "cwd": "/home/dev/project", "hook_event_name": "UserPromptSubmit", "prompt": f"charge {VALID_CARD} for the order"}
    verdict = evaluate.evaluate(claude_code.parse(payload), RULESET, (0.5, 0.75))
    hits = [h for h in verdict.hits if h.rule_id == "pii.card-number"]
    assert hits and all(VALID_CARD not in h.shown_text() for h in hits)
