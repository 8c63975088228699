"""Crafted input cannot stall a call: every pattern runs under caps, the whole call under a deadline."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hookrun import run

MIB = 1 << 20

CRAFTED_OUTPUT = {
    "dense-injection-keywords": ("ignore previous instructions you are now " * 30000)[:MIB],
    "dense-secret-keywords": ("password=token secret api_key=" * 40000)[:MIB],
    "long-digit-runs": ("4111 1111 1111 1111 " * 60000)[:MIB],
    "unbalanced-markers": ("-----BEGIN RSA PRIVATE KEY-----" + "A" * 64 + "\n") * 10000,
}


@pytest.mark.parametrize("name", sorted(CRAFTED_OUTPUT))
def test_crafted_megabyte_output_is_answered_in_bounded_time(name: str, home: Path) -> None:
    payload = {
        "hook_event_name": "PostToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": "cat big.log"},
        "tool_response": {"stdout": CRAFTED_OUTPUT[name], "stderr": "", "interrupted": False, "isImage": False},
    }
    r = run(payload, home, timeout=60)
    # A defined answer (scanned, or the deadline's fail-open fallback on a loaded machine); a hang
    # would hit the timeout. How fast it scans is measured in benchmarks/, not asserted here.
    assert r.code == 0


@pytest.mark.parametrize(
    "command",
    [
        "rm " + "-r " * 200000,
        "$(" * 50000 + ")" * 50000,
        "'" * 200001,
        "echo " + "{a,b}" * 100000,
        "a=$(b=$(c=$(" * 20000,
        "bash -c " * 50000 + "ls",
    ],
    ids=["many-flags", "nested-substitutions", "unbalanced-quotes", "brace-storm", "nested-assignments", "nested-bash-c"],
)
def test_crafted_commands_are_answered_in_bounded_time(command: str, home: Path) -> None:
    r = run({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}}, home, timeout=60)
    assert r.code in (0, 2)


def test_deeply_nested_mcp_arguments(home: Path) -> None:
    args: dict = {"cmd": "rm -rf ~"}
    for _ in range(500):
        args = {"a": args}
    r = run({"hook_event_name": "PreToolUse", "tool_name": "mcp__x__run", "tool_input": args}, home)
    assert r.decision == "deny"  # depth is no hiding place
