"""The guard inside the real Claude Code CLI (``claude -p``), driven by a scripted model on loopback.

Each test wires the guard into a throwaway HOME, lets the fake model ask for
tool calls, then checks what a user would notice: whether the command ran
(files on disk) and what the model was shown (the request bodies the client
sent next).
"""

from __future__ import annotations

import json
import secrets
import string
from pathlib import Path

import pytest

from tests.e2e.fakemodel import Script, content_text, text_after_tool_result, tool_results
from tests.e2e.harness import Run, Sandbox, guard_cli, run_claude

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

_B32 = string.ascii_uppercase + "234567"
_ALNUM = string.ascii_letters + string.digits
FIRST = Script.tool_id(0, 0)


def _rand(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def aws_key_id() -> str:
    return "AKIA" + _rand(_B32, 16)


def _hook_outputs(run: Run, event: str) -> list[dict]:
    found = run.hook_responses(event)
    assert found, f"the client never ran the guard on {event}: is it wired?\n{run.describe()}"
    return found


def _raw_requests(run: Run) -> bytes:
    return b"\n".join(r.raw + json.dumps(r.headers).encode() + r.path.encode() for r in run.fake.requests)


def _denied_ids(run: Run) -> list[str]:
    return [d.get("tool_use_id") for d in run.result.get("permission_denials") or []]


@pytest.mark.parametrize("box", ["user", "project"], indirect=True)
def test_destructive_bash_is_blocked_and_the_model_gets_the_reason(claude: Path, box: Sandbox) -> None:
    sentinel = box.home / "precious.txt"
    sentinel.write_text("do not delete\n")
    script = Script([[("Bash", {"command": "rm -rf ~", "description": "Clean the home directory"})]])

    run = run_claude(claude, box, "Free some disk space in my home directory.", script)

    assert run.proc.returncode == 0, run.describe()
    # The command did not run: the sentinel and the client's own state in HOME survive.
    assert sentinel.read_text() == "do not delete\n"
    assert (box.home / ".claude").is_dir()
    pre = _hook_outputs(run, "PreToolUse")
    assert any('"permissionDecision":"deny"' in h.get("stdout", "") for h in pre), pre
    assert _denied_ids(run) == [FIRST], run.describe()

    # The agent loop went on, and the model's next request carries the guard's reason.
    result = tool_results(run.fake.request_after(FIRST))[FIRST]
    text = content_text(result.get("content"))
    assert result.get("is_error") is True
    assert "clampd-guard blocked this Bash call" in text
    assert "shell.rm-vital" in text and "Instead:" in text


def test_ask_verdict_does_not_run_the_command_in_print_mode(claude: Path, box: Sandbox) -> None:
    """`-p` has nobody to ask: the client refuses the call and shows the model the guard's question."""
    important = box.home / "important"
    important.mkdir()
    (important / "data.txt").write_text("keep\n")
    script = Script([[("Bash", {"command": "rm -rf ~/important", "description": "Remove ~/important"})]])

    run = run_claude(claude, box, "Remove the important folder in my home.", script)

    assert run.proc.returncode == 0, run.describe()
    assert (important / "data.txt").read_text() == "keep\n"
    assert _denied_ids(run) == [FIRST], run.describe()
    result = tool_results(run.fake.request_after(FIRST))[FIRST]
    text = content_text(result.get("content"))
    assert result.get("is_error") is True
    assert "clampd-guard needs your approval for this Bash call" in text and "shell.rm-home-child" in text


def test_benign_bash_runs_and_its_output_reaches_the_model(claude: Path, box: Sandbox) -> None:
    token = "e2e-benign-" + _rand(string.ascii_lowercase + string.digits, 12)
    command = f"echo {token} > out.txt && cat out.txt && ls"
    script = Script([[("Bash", {"command": command, "description": "Write and list a file"})]])

    run = run_claude(claude, box, "Write a test file and list the folder.", script)

    assert run.proc.returncode == 0, run.describe()
    assert (box.project / "out.txt").read_text() == token + "\n"
    # The guard was asked, and said nothing (exit 0, empty stdout = no opinion).
    for ev in ("PreToolUse", "PostToolUse"):
        for h in _hook_outputs(run, ev):
            assert (h.get("exit_code"), h.get("stdout")) == (0, ""), h
    assert _denied_ids(run) == [], run.describe()

    req = run.fake.request_after(FIRST)
    result = tool_results(req)[FIRST]
    text = content_text(result.get("content"))
    assert not result.get("is_error"), text
    assert token in text and "out.txt" in text
    assert "clampd-guard" not in text_after_tool_result(req, FIRST)


@pytest.mark.parametrize("tool", ["Read", "Bash"])
def test_secret_in_a_tool_result_is_redacted_before_the_model_sees_it(claude: Path, box: Sandbox, tool: str) -> None:
    key_id = aws_key_id()
    secret_key = _rand(_ALNUM, 40)
    pem_body = [_rand(_ALNUM, 64) for _ in range(3)]
    marker = "region = eu-west-" + _rand(string.digits, 6)
    doc = box.project / "notes" / "deploy.txt"
    doc.parent.mkdir()
    original = (
        "# deploy notes\n"
        f"{marker}\n"
        f"aws_access_key_id = {key_id}\n"
        f"aws_secret_access_key = {secret_key}\n"
        "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(pem_body) + "\n-----END OPENSSH PRIVATE KEY-----\n"
    )
    doc.write_text(original)
    call = ("Read", {"file_path": str(doc)}) if tool == "Read" else ("Bash", {"command": "cat notes/deploy.txt"})

    run = run_claude(claude, box, "Summarise notes/deploy.txt for me.", Script([[call]]))

    assert run.proc.returncode == 0, run.describe()
    assert doc.read_text() == original  # the file itself is untouched
    post = _hook_outputs(run, "PostToolUse")
    assert any("updatedToolOutput" in h.get("stdout", "") for h in post), post

    req = run.fake.request_after(FIRST)
    result_text = content_text(tool_results(req)[FIRST].get("content"))
    assert marker in result_text, result_text  # the file was really read and its harmless lines kept
    assert "[REDACTED:secret.aws-secret-access-key]" in result_text
    assert "[REDACTED:secret.aws-access-key-id]" in result_text
    assert "[REDACTED:secret.private-key-block]" in result_text
    assert "clampd-guard: secrets were redacted from this tool output" in text_after_tool_result(req, FIRST)
    # No request the client sent, to any path, carries any part of the secrets.
    raw = _raw_requests(run)
    for value in (key_id, secret_key, *pem_body):
        assert value.encode() not in raw


def test_secret_in_a_failing_command_output_is_flagged_to_the_model(claude: Path, box: Sandbox) -> None:
    """A failed tool fires PostToolUseFailure, whose output the client lets no hook replace (tried in
    2.1.197 and 2.1.330: updatedToolOutput as object or string is ignored there), so the guard can only
    warn: its notice must reach the model right after the failed result."""
    secret_key = _rand(_ALNUM, 40)
    (box.project / "settings.txt").write_text(f"aws_secret_access_key = {secret_key}\n")
    script = Script([[("Bash", {"command": "cat settings.txt; exit 1", "description": "Show the settings"})]])

    run = run_claude(claude, box, "Show me settings.txt.", script)

    assert run.proc.returncode == 0, run.describe()
    hooks = _hook_outputs(run, "PostToolUseFailure")
    assert any("additionalContext" in h.get("stdout", "") for h in hooks), hooks
    req = run.fake.request_after(FIRST)
    assert tool_results(req)[FIRST].get("is_error") is True
    seen = text_after_tool_result(req, FIRST)
    assert "clampd-guard" in seen and "secret.aws-secret-access-key" in seen, seen
    assert "could not be removed" in seen and "were redacted" not in seen, seen


def test_pasted_secret_in_the_prompt_never_reaches_the_model(claude: Path, box: Sandbox) -> None:
    key_id = aws_key_id()
    prompt = f"Deploy the staging stack with my AWS key {key_id} please."
    script = Script([[("Bash", {"command": "echo should-not-run > ran.txt"})]])

    run = run_claude(claude, box, prompt, script)

    assert run.proc.returncode == 0, run.describe()
    hooks = _hook_outputs(run, "UserPromptSubmit")
    assert any('"decision":"block"' in h.get("stdout", "") for h in hooks), hooks
    assert "blocked by hook" in run.result.get("result", ""), run.describe()
    assert "secret.aws-access-key-id" in run.result.get("result", "")
    assert run.result.get("num_turns") == 0, run.describe()
    # The model received nothing at all, so certainly not the key; no tool ran either.
    assert run.fake.message_requests == [], [r.path for r in run.fake.message_requests]
    assert key_id.encode() not in _raw_requests(run)
    assert not (box.project / "ran.txt").exists()


def test_uninstall_unwires_the_guard_from_the_client(claude: Path, box: Sandbox) -> None:
    """After ``uninstall`` the client runs no guard hook at all (so the wiring above was really ours)."""
    guard_cli(box, "uninstall", "--editor", "claude")
    settings = box.home / ".claude" / "settings.json"
    assert "hookmain.py" not in (settings.read_text() if settings.exists() else "")
    script = Script([[("Bash", {"command": "echo unguarded > out.txt", "description": "Write a file"})]])

    run = run_claude(claude, box, "Write a file.", script)

    assert run.proc.returncode == 0, run.describe()
    assert (box.project / "out.txt").read_text() == "unguarded\n"
    assert run.hook_responses() == [], run.hook_responses()
