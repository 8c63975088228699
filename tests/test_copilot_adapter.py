"""GitHub Copilot CLI's protocol through the real hook subprocess (``--agent copilot``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hookrun import Result, run

FIX = Path(__file__).parent / "fixtures" / "copilot"
GH = "ghp_R8tK2mQ9vX4bN7cJ1pL6sD3fG5hW0yZ8aE2u"


def fx(name: str) -> dict:
    return json.loads((FIX / f"{name}.json").read_text())


def copilot(payload: dict | bytes, home: Path, args: list[str] | None = None) -> Result:
    return run(payload, home, args=["hook", "--agent", "copilot"] if args is None else args)


def test_deny_is_permission_decision_deny(home: Path) -> None:
    r = copilot(fx("preToolUse-bash"), home)
    assert r.code == 0
    assert set(r.json) == {"permissionDecision", "permissionDecisionReason"}
    assert r.json["permissionDecision"] == "deny" and "shell.rm-vital" in r.json["permissionDecisionReason"]


def test_allow_is_no_output(home: Path) -> None:
    r = copilot(fx("preToolUse-bash-benign"), home)
    assert (r.code, r.stdout, r.stderr) == (0, "", "")


def test_ask_is_a_deny_because_only_deny_is_sure_to_be_processed(home: Path) -> None:
    r = copilot(fx("preToolUse-bash-ask"), home)
    assert r.json["permissionDecision"] == "deny"
    assert "needs your approval" in r.json["permissionDecisionReason"]
    assert "cannot ask the user" in r.json["permissionDecisionReason"]


@pytest.mark.parametrize("name, rule", [("preToolUse-create", "persist.rc-file-edit"), ("preToolUse-view", "cred.cloud-credentials")])
def test_copilot_tool_arguments_are_read(name: str, rule: str, home: Path) -> None:
    r = copilot(fx(name), home)
    assert r.json["permissionDecision"] == "deny" and rule in r.json["permissionDecisionReason"]


def test_tool_args_as_an_object_are_read_too(home: Path) -> None:
    payload = {**fx("preToolUse-bash"), "toolArgs": {"command": "rm -rf ~"}}
    assert copilot(payload, home).json["permissionDecision"] == "deny"


def test_post_secret_cannot_be_redacted_so_stdout_stays_empty_and_stderr_says_why(home: Path) -> None:
    r = copilot(fx("postToolUse-bash"), home)
    assert (r.code, r.stdout) == (0, "")
    assert "could not be redacted" in r.stderr and GH not in r.stderr


def test_prompt_with_secret_is_reported_on_stderr(home: Path) -> None:
    r = copilot(fx("userPromptSubmitted"), home)
    assert (r.code, r.stdout) == (0, "")
    assert "could not be stopped" in r.stderr and GH not in r.stderr


@pytest.mark.parametrize("raw", [b"", b"{not json", b"[1]"])
def test_bad_input_fail_open_allows_with_a_warning(raw: bytes, home: Path) -> None:
    r = copilot(raw, home)
    assert (r.code, r.stdout) == (0, "") and "warning" in r.stderr


@pytest.mark.parametrize("raw", [b"", b"{not json", b"[1]"])
def test_bad_input_fail_closed_prints_the_deny_object(raw: bytes, home: Path) -> None:
    cfg = home / ".clampd" / "guard.json"
    cfg.parent.mkdir(parents=True)
    cfg.write_text('{"fail_open": false}')
    r = copilot(raw, home)
    assert r.code == 0 and set(r.json) == {"permissionDecision", "permissionDecisionReason"}
    assert r.json["permissionDecision"] == "deny" and "fail closed" in r.json["permissionDecisionReason"]


def test_sniffed_without_agent_flag(home: Path) -> None:
    r = copilot(fx("preToolUse-bash"), home, args=[])
    assert r.json["permissionDecision"] == "deny" and "hookSpecificOutput" not in r.json
