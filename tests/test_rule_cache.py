"""The compiled rule cache: rebuilt when stale, and a corrupt one never means "no rules"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hookrun import run

ATTACK = {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "rm -rf ~"}}


def cache_file(home: Path) -> Path:
    files = list((home / ".cache" / "clampd-guard").glob("rules-embedded-*.marshal"))
    assert len(files) == 1
    return files[0]


def test_first_call_builds_a_private_cache(home: Path) -> None:
    assert run(ATTACK, home).decision == "deny"
    f = cache_file(home)
    assert f.stat().st_mode & 0o777 == 0o600
    assert f.parent.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "header"])
def test_corrupt_cache_falls_back_to_embedded_rules(home: Path, damage: str) -> None:
    run(ATTACK, home)
    f = cache_file(home)
    data = f.read_bytes()
    f.write_bytes(
        {"truncate": data[: len(data) // 3], "garbage": b"\x00garbage" * 100, "empty": b"", "header": b"\xff" * 8 + data[8:]}[damage]
    )
    r = run(ATTACK, home)
    assert r.decision == "deny"
    assert "rule cache" in r.stderr and "rebuilt" in r.stderr
    assert run(ATTACK, home).decision == "deny" and run(ATTACK, home).stderr == ""  # repaired


def test_truncated_blob_region_is_detected(home: Path) -> None:
    run(ATTACK, home)
    f = cache_file(home)
    data = f.read_bytes()
    n = int.from_bytes(data[:8], "little")
    f.write_bytes(data[: 8 + n + 10])  # metadata intact, pattern code cut off
    r = run(ATTACK, home)
    assert r.decision == "deny" and "rebuilt" in r.stderr


def test_damaged_pattern_blob_is_repaired_mid_call(home: Path) -> None:
    run(ATTACK, home)
    f = cache_file(home)
    data = bytearray(f.read_bytes())
    n = int.from_bytes(data[:8], "little")
    for i in range(8 + n, len(data)):
        data[i] = 0x5A  # same size, every pattern blob unreadable
    f.write_bytes(bytes(data))
    r = run(ATTACK, home)
    assert r.decision == "deny" and "pattern data unreadable" in r.stderr
