"""Windsurf (Cascade) through the real hook subprocess (``--agent windsurf``): exit 2 + stderr is the only block."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hookrun import Result, run

FIX = Path(__file__).parent / "fixtures" / "windsurf"
GH = "ghp_R8tK2mQ9vX4bN7cJ1pL6sD3fG5hW0yZ8aE2u"


def fx(name: str) -> dict:
    return json.loads((FIX / f"{name}.json").read_text())


def windsurf(payload: dict | bytes, home: Path, args: list[str] | None = None) -> Result:
    return run(payload, home, args=["hook", "--agent", "windsurf"] if args is None else args)


@pytest.mark.parametrize(
    "name, rule",
    [
        ("pre_run_command", "shell.rm-vital"),
        ("pre_read_code", "cred.ssh-private-key"),
        ("pre_mcp_tool_use", "sql.drop-statement"),
    ],
)
def test_deny_is_exit_2_with_the_reason_on_stderr(name: str, rule: str, home: Path) -> None:
    r = windsurf(fx(name), home)
    assert r.code == 2 and r.stdout == ""
    assert "clampd-guard blocked" in r.stderr and rule in r.stderr


def test_allow_is_exit_0_and_nothing_written(home: Path) -> None:
    r = windsurf(fx("pre_run_command-benign"), home)
    assert (r.code, r.stdout, r.stderr) == (0, "", "")


@pytest.mark.parametrize("name", ["pre_run_command-ask", "pre_write_code"])
def test_ask_blocks_and_says_the_user_can_run_it(name: str, home: Path) -> None:
    r = windsurf(fx(name), home)
    assert r.code == 2 and r.stdout == ""
    assert "needs your approval" in r.stderr and "cannot ask the user" in r.stderr


def test_prompt_with_secret_is_blocked_without_echoing_it(home: Path) -> None:
    r = windsurf(fx("pre_user_prompt"), home)
    assert r.code == 2 and "secret.github-token" in r.stderr and GH not in r.stderr


def test_post_hook_cannot_block_and_says_so(home: Path) -> None:
    r = windsurf(fx("post_mcp_tool_use"), home)
    assert (r.code, r.stdout) == (0, "")
    assert "could not be redacted" in r.stderr and GH not in r.stderr


@pytest.mark.parametrize("raw", [b"", b"{not json", b"[1]"])
def test_bad_input_fail_open_allows_with_a_warning(raw: bytes, home: Path) -> None:
    r = windsurf(raw, home)
    assert (r.code, r.stdout) == (0, "") and "warning" in r.stderr


@pytest.mark.parametrize("raw", [b"", b"{not json", b"[1]"])
def test_bad_input_fail_closed_is_exit_2(raw: bytes, home: Path) -> None:
    cfg = home / ".clampd" / "guard.json"
    cfg.parent.mkdir(parents=True)
    cfg.write_text('{"fail_open": false}')
    r = windsurf(raw, home)
    assert r.code == 2 and r.stdout == "" and "clampd-guard blocked" in r.stderr


def test_sniffed_without_agent_flag(home: Path) -> None:
    r = windsurf(fx("pre_run_command"), home, args=[])
    assert r.code == 2 and r.stdout == ""
