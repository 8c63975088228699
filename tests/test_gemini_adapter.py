"""Gemini CLI's protocol through the real hook subprocess (``--agent gemini``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hookrun import Result, run

FIX = Path(__file__).parent / "fixtures" / "gemini"
GH = "ghp_R8tK2mQ9vX4bN7cJ1pL6sD3fG5hW0yZ8aE2u"
AWS = "AKIAZ4XQ7RTL5M2NPQ3B"


def fx(name: str) -> dict:
    return json.loads((FIX / f"{name}.json").read_text())


def gemini(payload: dict | bytes, home: Path, args: list[str] | None = None) -> Result:
    return run(payload, home, args=["hook", "--agent", "gemini"] if args is None else args)


def test_deny_is_decision_deny_with_reason(home: Path) -> None:
    r = gemini(fx("BeforeTool-run_shell_command"), home)
    assert r.code == 0
    assert set(r.json) == {"decision", "reason", "systemMessage"}
    assert r.json["decision"] == "deny" and "shell.rm-vital" in r.json["reason"]
    assert r.json["systemMessage"].startswith("clampd-guard blocked run_shell_command")


def test_allow_is_exit_0_and_empty_stdout(home: Path) -> None:
    r = gemini(fx("BeforeTool-run_shell_command-benign"), home)
    assert (r.code, r.stdout) == (0, "")


def test_ask_becomes_a_deny_that_says_so(home: Path) -> None:
    r = gemini(fx("BeforeTool-run_shell_command-ask"), home)
    assert r.json["decision"] == "deny"
    assert "needs your approval" in r.json["reason"] and "cannot ask the user" in r.json["reason"]


@pytest.mark.parametrize(
    "name, rule",
    [
        ("BeforeTool-read_file", "cred.ssh-private-key"),  # older absolute_path argument
        ("BeforeTool-write_file", "persist.rc-file-edit"),
        ("BeforeTool-web_fetch", "ssrf.metadata-url"),  # URL inside web_fetch's prompt
    ],
)
def test_gemini_tool_arguments_are_read(name: str, rule: str, home: Path) -> None:
    r = gemini(fx(name), home)
    assert r.json["decision"] == "deny" and rule in r.json["reason"]


def test_after_tool_secret_replaces_the_result_with_redacted_text(home: Path) -> None:
    r = gemini(fx("AfterTool-read_file"), home)
    assert r.code == 0 and r.json["decision"] == "deny"
    assert AWS not in r.stdout and "[REDACTED:secret.aws-access-key-id]" in r.json["reason"]
    assert "DATABASE_URL=postgres://app@db/app" in r.json["reason"]


def test_clean_after_tool_is_untouched(home: Path) -> None:
    r = gemini(fx("AfterTool-benign"), home)
    assert (r.code, r.stdout) == (0, "")


def test_prompt_with_secret_is_denied(home: Path) -> None:
    r = gemini(fx("BeforeAgent"), home)
    assert r.code == 0 and set(r.json) == {"decision", "reason"} and r.json["decision"] == "deny"
    assert GH not in r.stdout


def test_plain_prompt_passes(home: Path) -> None:
    r = gemini({**fx("BeforeAgent"), "prompt": "add a unit test for the parser"}, home)
    assert (r.code, r.stdout) == (0, "")


@pytest.mark.parametrize("raw", [b"", b"{not json", b"[1]"])
def test_bad_input_fail_open_allows_with_a_warning(raw: bytes, home: Path) -> None:
    r = gemini(raw, home)
    assert (r.code, r.stdout) == (0, "") and "warning" in r.stderr


@pytest.mark.parametrize("raw", [b"", b"{not json", b"[1]"])
def test_bad_input_fail_closed_is_exit_2_with_the_reason_on_stderr(raw: bytes, home: Path) -> None:
    cfg = home / ".clampd" / "guard.json"
    cfg.parent.mkdir(parents=True)
    cfg.write_text('{"fail_open": false}')
    r = gemini(raw, home)
    assert r.code == 2 and r.stdout == "" and "clampd-guard blocked" in r.stderr


def test_sniffed_without_agent_flag(home: Path) -> None:
    r = gemini(fx("BeforeTool-run_shell_command"), home, args=[])
    assert r.json["decision"] == "deny" and "hookSpecificOutput" not in r.json


def test_every_url_in_a_web_fetch_prompt_is_read(home: Path) -> None:
    prompt = "Compare https://docs.python.org/3/ with (http://[::ffff:169.254.169.254]/latest/meta-data/)."
    r = gemini({**fx("BeforeTool-web_fetch"), "tool_input": {"prompt": prompt}}, home)
    assert r.json["decision"] == "deny" and "ssrf." in r.json["reason"]
    ok = gemini({**fx("BeforeTool-web_fetch"), "tool_input": {"prompt": "Summarise https://docs.python.org/3/ please"}}, home)
    assert (ok.code, ok.stdout) == (0, "")
