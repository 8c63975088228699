"""Bad input gets a defined verdict and a one-line message: never a traceback, never a hang.

Fail-open (the default) allows with a warning on stderr; fail-closed blocks
with exit 2 and the reason on stderr (the one answer every blockable Claude
Code event honours when the event itself cannot be read).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hookrun import LAUNCHER, Result, env_for, run


def closed(home: Path) -> Path:
    cfg = home / ".clampd" / "guard.json"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text(json.dumps({"fail_open": False}))
    return cfg


def one_line(stderr: str) -> bool:
    return len([ln for ln in stderr.splitlines() if ln.strip()]) >= 1 and all(len(ln) < 2000 for ln in stderr.splitlines())


BAD = {
    "empty": b"",
    "whitespace": b"  \n",
    "invalid-json": b'{"hook_event_name": "PreToolUse", "tool_name": ',
    "array": b'[{"hook_event_name": "PreToolUse"}]',
    "scalar": b"42",
    "string": b'"PreToolUse"',
    "deep-nesting": b'{"hook_event_name":"PreToolUse","tool_name":"X","tool_input":' + b'{"a":' * 10000 + b"1" + b"}" * 10000 + b"}",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_fail_open_allows_with_warning(name: str, home: Path) -> None:
    r = run(BAD[name], home)
    assert (r.code, r.stdout) == (0, "")
    assert "clampd-guard: warning:" in r.stderr and one_line(r.stderr)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_fail_closed_blocks(name: str, home: Path) -> None:
    closed(home)
    r = run(BAD[name], home)
    assert r.code == 2 and r.stdout == ""
    assert "clampd-guard blocked" in r.stderr and "fail closed" in r.stderr


def test_non_utf8_bytes_are_still_inspected(home: Path) -> None:
    raw = b'{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf ~ # \xff\xfe"}}'
    r = run(raw, home)
    assert r.decision == "deny"
    assert "not valid UTF-8" in r.stderr


def test_bom_is_stripped(home: Path) -> None:
    raw = b"\xef\xbb\xbf" + json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "rm -rf /"}}).encode()
    r = run(raw, home)
    assert r.decision == "deny"


def test_unparseable_payload_with_attack_is_denied_even_fail_open(home: Path) -> None:
    raw = b'{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf ~"}'  # missing brace
    r = run(raw, home)
    assert r.code == 2 and "shell.rm-vital" in r.stderr


def test_50_mib_payload_is_capped_and_answered(home: Path) -> None:
    big = b'{"hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":"/p/x","content":"' + b"a" * (50 << 20) + b'"}}'
    r = run(big, home, timeout=60)  # a hang fails here; speed is measured in benchmarks/, not asserted
    assert (r.code, r.stdout) == (0, "") and "exceeds max_input_bytes" in r.stderr
    closed(home)
    r = run(big, home)
    assert r.code == 2 and "exceeds max_input_bytes" in r.stderr


def test_unknown_event_is_ignored(home: Path) -> None:
    r = run({"hook_event_name": "SessionStart", "source": "startup"}, home)
    assert (r.code, r.stdout) == (0, "")


@pytest.mark.parametrize(
    "payload",
    [
        {"hook_event_name": "PreToolUse"},
        {"hook_event_name": "PreToolUse", "tool_name": 7, "tool_input": "ls"},
        {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": None},
        {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": ["ls"]},
        {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": 5}},
        {"hook_event_name": 3, "tool_name": "Bash", "tool_input": {"command": "ls"}},
        {"hook_event_name": "PostToolUse", "tool_name": "Bash", "tool_response": "plain text"},
        {"hook_event_name": "UserPromptSubmit", "prompt": None},
    ],
)
def test_missing_or_mistyped_fields_get_a_defined_answer(payload: dict, home: Path) -> None:
    r = run(payload, home)
    assert r.code == 0


def test_missing_event_with_attack_blocks_with_exit_2(home: Path) -> None:
    r = run({"tool_name": "Bash", "tool_input": {"command": "rm -rf ~"}}, home)
    assert r.code == 2 and r.stdout == "" and "shell.rm-vital" in r.stderr


def test_tool_input_as_json_string_is_decoded(home: Path) -> None:
    r = run({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": '{"command": "rm -rf ~"}'}, home)
    assert r.decision == "deny"


def _popen(home: Path, extra_cfg: dict | None = None) -> subprocess.Popen:
    if extra_cfg:
        cfg = home / ".clampd" / "guard.json"
        cfg.parent.mkdir(parents=True, exist_ok=True)
        cfg.write_text(json.dumps(extra_cfg))
    return subprocess.Popen(
        [sys.executable, str(LAUNCHER), "--managed", str(home / "none.json"), "--"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env_for(home),
    )


def test_complete_object_on_open_stdin_is_answered_without_eof(home: Path) -> None:
    # With a 60 s stdin deadline, a guard that waited for EOF would still be running when
    # wait() gives up below; one that stops at the complete object answers with the rule.
    p = _popen(home, {"stdin_timeout_ms": 60000})
    p.stdin.write(json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "rm -rf ~"}}).encode() + b"\n")
    p.stdin.flush()
    try:
        p.wait(timeout=30)
    finally:
        p.kill()
    out = p.stdout.read()
    p.stdin.close()
    answer = json.loads(out)["hookSpecificOutput"]
    assert answer["permissionDecision"] == "deny" and "shell.rm-vital" in answer["permissionDecisionReason"]


def test_writer_that_never_finishes_cannot_hang_the_guard(home: Path) -> None:
    p = _popen(home, {"stdin_timeout_ms": 300, "fail_open": False})
    p.stdin.write(b'{"hook_event_name": "PreToolUse", "tool_name": "Ba')
    p.stdin.flush()
    code = p.wait(timeout=20)
    err = p.stderr.read().decode()
    assert code == 2 and "no complete hook payload" in err
    p.stdin.close()


def test_deadline_fail_open_allows_with_warning(home: Path) -> None:
    cfg = home / ".clampd" / "guard.json"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(json.dumps({"deadline_ms": 300}))
    r = run({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls"}}, home, how="launcher", slow=30)
    assert (r.code, r.stdout) == (0, "") and "ran out of time" in r.stderr


def test_deadline_fail_closed_denies_in_protocol(home: Path) -> None:
    cfg = home / ".clampd" / "guard.json"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(json.dumps({"deadline_ms": 300, "fail_open": False}))
    r = run({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls"}}, home, how="launcher", slow=5)
    assert r.decision == "deny" and "ran out of time" in r.reason


def test_pathological_regex_input_is_bounded(home: Path) -> None:
    # 1 MiB of text built to make naive patterns backtrack: the call still answers quickly.
    cmd = "rm " + "-r " * 100000 + "x" * 400000
    r = run({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": cmd}}, home, timeout=60)
    assert r.code in (0, 2)


def test_result_helper_rejects_noise_before_json() -> None:
    fake = subprocess.CompletedProcess([], 0, b"log line\n{}\n", b"")
    with pytest.raises(AssertionError):
        Result(fake)
