"""`clampd-guard check`: the hook's verdict for one call, run through the installed console script."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import guard_exe


def cli(home: Path, *args: str, stdin: bytes = b"", cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    proc = subprocess.run(
        guard_exe() + list(args), input=stdin, capture_output=True, env=env, cwd=cwd or home, timeout=30
    )
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert "Traceback" not in err and "Traceback" not in out, err
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


EXIT = {"allow": 0, "redact": 0, "ask": 1, "deny": 2}


def test_rm_home_is_denied_with_rule_and_reason(home: Path) -> None:
    r = cli(home, "check", "--bash", "rm -rf ~")
    assert r.returncode == 2, r.stderr
    assert r.stdout.startswith("DENY")
    assert "shell.rm-vital" in r.stdout
    assert "destructive-shell" in r.stdout
    assert "rm -rf ~" in r.stdout  # the matched text
    assert "the model would see:" in r.stdout and "Instead:" in r.stdout


def test_benign_command_is_allowed(home: Path) -> None:
    r = cli(home, "check", "--bash", "ls -la")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("ALLOW")
    assert "no rule matched" in r.stdout


def test_json_output(home: Path) -> None:
    r = cli(home, "check", "--bash", "rm -rf ~", "--json")
    assert r.returncode == 2
    assert r.stdout.count("\n") == 1
    data = json.loads(r.stdout)
    assert data["decision"] == "deny"
    assert data["source"] == "local"
    assert 0.9 <= data["risk"] <= 1.0
    top = data["rules"][0]
    assert top["id"] == "shell.rm-vital"
    assert set(top) == {"id", "category", "risk", "title", "field", "matched"}
    assert top["field"] == "command" and top["matched"] == "rm -rf ~"
    assert "shell.rm-vital" in data["reason"]
    assert "updated_output" not in data


@pytest.mark.parametrize("command", ["ls -la", "rm -rf ~/Documents", "sudo rm -rf /"])
def test_exit_code_follows_the_verdict(home: Path, command: str) -> None:
    r = cli(home, "check", "--json", "--bash", command)
    assert r.returncode == EXIT[json.loads(r.stdout)["decision"]]


def test_hook_json_file_argument(home: Path, tmp_path: Path) -> None:
    payload = {
        "session_id": "s",
        "cwd": "/home/dev/project",
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": "cd /tmp && sudo rm -rf --no-preserve-root /"},
    }
    f = tmp_path / "call.json"
    f.write_text(json.dumps(payload))
    r = cli(home, "check", str(f), "--json")
    assert r.returncode == 2
    data = json.loads(r.stdout)
    assert data["event"] == "PreToolUse" and data["tool"] == "Bash"
    assert "shell.rm-vital" in [x["id"] for x in data["rules"]]


def test_recorded_claude_code_payload(home: Path) -> None:
    fixture = Path(__file__).parent / "fixtures" / "claude-code" / "PreToolUse-Bash.json"
    if not fixture.exists():
        pytest.skip("no recorded payload")
    r = cli(home, "check", str(fixture), "--json")
    assert r.returncode == EXIT[json.loads(r.stdout)["decision"]]


def test_stdin_dash(home: Path) -> None:
    payload = {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "rm -rf ~"}}
    r = cli(home, "check", "-", stdin=json.dumps(payload).encode())
    assert r.returncode == 2
    assert "shell.rm-vital" in r.stdout
    r = cli(home, "check", "-", stdin=b'{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}')
    assert r.returncode == 0 and r.stdout.startswith("ALLOW")


def test_missing_file_is_a_clean_usage_error(home: Path) -> None:
    r = cli(home, "check", "no-such-call.json")
    assert r.returncode == 3
    assert r.stdout == ""
    assert "no-such-call.json" in r.stderr and "no such file" in r.stderr
    assert r.stderr.count("\n") == 1


@pytest.mark.parametrize("data", [b"", b"{not json", b"[1, 2]"])
def test_bad_input_is_exit_3(home: Path, data: bytes) -> None:
    r = cli(home, "check", "-", stdin=data)
    assert r.returncode == 3
    assert r.stderr.startswith("clampd-guard: error: check:")


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["check", "--bash", "ls", "--read", "x"],
        ["check", "call.json", "--bash", "ls"],
        ["check", "--bash", "ls", "--event", "post"],
        ["check", "--bash", "ls", "--event", "sideways"],
    ],
)
def test_usage_errors_are_exit_3(home: Path, args: list[str]) -> None:
    r = cli(home, *args)
    assert r.returncode == 3, (r.stdout, r.stderr)
    assert "error" in r.stderr


def test_post_event_with_output(home: Path) -> None:
    (home / "out.txt").write_text("total 0\nREADME.md\n")
    r = cli(home, "check", "--bash", "ls", "--event", "post", "--output", "@out.txt", "--json")
    data = json.loads(r.stdout)
    assert data["event"] == "PostToolUse"
    assert r.returncode == 0 and data["decision"] in ("allow", "redact")


def test_prompt_shortcut(home: Path) -> None:
    r = cli(home, "check", "--prompt", "please run the tests", "--json")
    data = json.loads(r.stdout)
    assert data["event"] == "UserPromptSubmit"
    assert r.returncode == EXIT[data["decision"]]


def test_unknown_command_is_a_one_line_usage_error(home: Path) -> None:
    r = cli(home, "frobnicate")
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and "unknown command 'frobnicate'" in r.stderr
