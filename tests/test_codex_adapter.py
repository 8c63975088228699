"""Codex CLI's protocol through the real hook subprocess (``--agent codex``).

Every answer is also run through ``codex_reads``, a model of how Codex parses
a PreToolUse/PostToolUse answer (openai/codex ``output_parser.rs`` and
``events/pre_tool_use.rs``): a deny that Codex would read as a hook failure,
or an answer it would reject as invalid, lets the tool run, so it fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hookrun import Result, run

FIX = Path(__file__).parent / "fixtures" / "codex"
GH = "ghp_R8tK2mQ9vX4bN7cJ1pL6sD3fG5hW0yZ8aE2u"

_UNIVERSAL = {"continue", "stopReason", "suppressOutput", "systemMessage"}
_PRE_TOP = _UNIVERSAL | {"decision", "reason", "hookSpecificOutput"}
_PRE_HSO = {"hookEventName", "permissionDecision", "permissionDecisionReason", "updatedInput", "additionalContext"}
_POST_HSO = {"hookEventName", "additionalContext", "updatedMCPToolOutput"}


def fx(name: str) -> dict:
    return json.loads((FIX / f"{name}.json").read_text())


def codex(payload: dict | bytes, home: Path, args: list[str] | None = None) -> Result:
    return run(payload, home, args=["hook", "--agent", "codex"] if args is None else args)


def codex_reads(r: Result, event: str = "PreToolUse") -> str:
    """What Codex makes of an answer: 'block', 'pass' (no opinion) or 'invalid' (fails open)."""
    if r.code == 2:
        return "block" if r.stderr.strip() else "invalid"
    if r.code != 0:
        return "invalid"
    if not r.stdout.strip():
        return "pass"
    out = r.json
    assert out is not None
    allowed_top = _PRE_TOP if event == "PreToolUse" else _UNIVERSAL | {"decision", "reason", "hookSpecificOutput"}
    if set(out) - allowed_top:
        return "invalid"
    if out.get("continue") is False or "stopReason" in out or out.get("suppressOutput"):
        return "invalid" if event == "PreToolUse" else "pass"
    hso = out.get("hookSpecificOutput")
    if event == "PreToolUse":
        if hso is not None:
            if set(hso) - _PRE_HSO or hso.get("hookEventName") != "PreToolUse":
                return "invalid"
            d = hso.get("permissionDecision")
            if d == "deny":
                return "block" if str(hso.get("permissionDecisionReason", "")).strip() else "invalid"
            if d in ("ask",) or (d == "allow" and "updatedInput" not in hso):
                return "invalid"
            return "pass"
        if out.get("decision") == "block":
            return "block" if str(out.get("reason", "")).strip() else "invalid"
        return "invalid" if out.get("decision") is not None else "pass"
    # PostToolUse: decision:block + reason replaces what the model sees.
    if hso is not None and (set(hso) - _POST_HSO or hso.get("hookEventName") != event):
        return "invalid"
    if out.get("decision") == "block":
        return "replace" if str(out.get("reason", "")).strip() else "invalid"
    return "pass"


def test_deny_is_a_json_deny_codex_honours(home: Path) -> None:
    r = codex(fx("PreToolUse-Bash"), home)
    assert r.code == 0 and r.stderr == ""
    assert set(r.json) == {"hookSpecificOutput"}
    hso = r.json["hookSpecificOutput"]
    assert set(hso) == {"hookEventName", "permissionDecision", "permissionDecisionReason"}
    assert (hso["hookEventName"], hso["permissionDecision"]) == ("PreToolUse", "deny")
    assert "shell.rm-vital" in hso["permissionDecisionReason"]
    assert codex_reads(r) == "block"


def test_allow_is_empty_stdout_never_a_bare_allow(home: Path) -> None:
    r = codex(fx("PreToolUse-Bash-benign"), home)
    assert (r.code, r.stdout) == (0, "")
    assert codex_reads(r) == "pass"


def test_ask_becomes_a_deny_because_codex_ignores_ask(home: Path) -> None:
    r = codex(fx("PreToolUse-Bash-ask"), home)
    hso = r.json["hookSpecificOutput"]
    assert hso["permissionDecision"] == "deny"
    assert "needs your approval" in hso["permissionDecisionReason"]
    assert "cannot ask the user" in hso["permissionDecisionReason"]
    assert codex_reads(r) == "block"


def test_apply_patch_is_read_as_a_file_write(home: Path) -> None:
    r = codex(fx("PreToolUse-apply_patch"), home)
    assert codex_reads(r) == "block"
    assert "persist.rc-file-edit" in r.json["hookSpecificOutput"]["permissionDecisionReason"]
    assert codex_reads(codex(fx("PreToolUse-apply_patch-benign"), home)) == "pass"


def test_mcp_tool_arguments_are_read(home: Path) -> None:
    r = codex(fx("PreToolUse-mcp"), home)
    assert codex_reads(r) == "block" and "sql.drop-statement" in r.stdout


def test_older_argv_command_form_is_read_as_a_shell_command(home: Path) -> None:
    payload = {**fx("PreToolUse-Bash"), "tool_name": "local_shell", "tool_input": {"command": ["bash", "-lc", "rm -rf ~"]}}
    assert codex_reads(codex(payload, home)) == "block"


def test_permission_request_deny_has_no_unsupported_fields(home: Path) -> None:
    r = codex(fx("PermissionRequest-Bash"), home)
    assert r.code == 0
    dec = r.json["hookSpecificOutput"]["decision"]
    assert r.json["hookSpecificOutput"]["hookEventName"] == "PermissionRequest"
    assert set(dec) == {"behavior", "message"} and dec["behavior"] == "deny" and "shell.rm-vital" in dec["message"]


def test_permission_request_ask_is_left_to_codex_prompt(home: Path) -> None:
    payload = {**fx("PermissionRequest-Bash"), "tool_input": {"command": "rm -rf ~/Documents"}}
    r = codex(payload, home)
    assert (r.code, r.stdout) == (0, "")


def test_post_secret_replaces_the_result_with_the_redacted_text(home: Path) -> None:
    r = codex(fx("PostToolUse-Bash"), home)
    assert r.code == 0 and set(r.json) == {"decision", "reason"}
    assert r.json["decision"] == "block"
    assert GH not in r.stdout and "[REDACTED:secret.github-token]" in r.json["reason"]
    assert "DEPLOY_USER=ci" in r.json["reason"]  # the useful part of the output survives
    assert codex_reads(r, "PostToolUse") == "replace"


def test_clean_post_is_untouched(home: Path) -> None:
    r = codex(fx("PostToolUse-Bash-benign"), home)
    assert (r.code, r.stdout) == (0, "")


def test_prompt_with_secret_is_blocked(home: Path) -> None:
    r = codex(fx("UserPromptSubmit"), home)
    assert r.code == 0 and set(r.json) == {"decision", "reason"} and r.json["decision"] == "block"
    assert GH not in r.stdout and r.json["reason"].strip()


@pytest.mark.parametrize("raw", [b"", b"{not json", b"[1]"])
def test_bad_input_fail_open_allows_with_a_warning(raw: bytes, home: Path) -> None:
    r = codex(raw, home)
    assert (r.code, r.stdout) == (0, "") and "warning" in r.stderr


@pytest.mark.parametrize("raw", [b"", b"{not json", b"[1]"])
def test_bad_input_fail_closed_blocks_with_a_non_empty_stderr(raw: bytes, home: Path) -> None:
    cfg = home / ".clampd" / "guard.json"
    cfg.parent.mkdir(parents=True)
    cfg.write_text('{"fail_open": false}')
    r = codex(raw, home)
    assert r.code == 2 and r.stdout == "" and "clampd-guard blocked" in r.stderr
    assert codex_reads(r) == "block"


def test_missing_event_name_still_blocks_with_stderr(home: Path) -> None:
    payload = {k: v for k, v in fx("PreToolUse-Bash").items() if k != "hook_event_name"}
    r = codex(payload, home)
    assert r.code == 2 and r.stdout == "" and "shell.rm-vital" in r.stderr
    assert codex_reads(r) == "block"


def test_sniffed_without_agent_flag(home: Path) -> None:
    r = codex(fx("PreToolUse-Bash-ask"), home, args=[])
    # The Codex adapter answers (an ask becomes a deny), not the Claude one (which would ask).
    assert r.json["hookSpecificOutput"]["permissionDecision"] == "deny"
    assert "systemMessage" not in r.json


def test_every_file_of_a_multi_file_patch_is_read(home: Path) -> None:
    # The dangerous file is neither first nor outside-the-project-looking by name order.
    patch = (
        "*** Begin Patch\n*** Update File: src/a.rs\n@@\n-a\n+b\n"
        "*** Add File: docs/notes.md\n+notes\n"
        "*** Update File: /home/dev/.ssh/authorized_keys\n@@\n+ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB attacker@evil\n"
        "*** End Patch\n"
    )
    payload = {**fx("PreToolUse-apply_patch"), "tool_input": {"command": patch}}
    r = codex(payload, home)
    assert codex_reads(r) == "block" and "authorized_keys" in r.json["hookSpecificOutput"]["permissionDecisionReason"]
