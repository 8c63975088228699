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


ALLOW = {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls -la"}, "cwd": "/tmp"}


def regions(data: bytes) -> dict[str, tuple[int, int]]:
    """File (start, end) of the pattern blobs and of the full rule tuples (see compiler.pack)."""
    import marshal

    n = int.from_bytes(data[:8], "little")
    off, ln = marshal.loads(data[8 : 8 + n])["full"]
    base = 8 + n
    assert base + off + ln == len(data)
    return {"patterns": (base, base + off), "rules": (base + off, base + off + ln)}


@pytest.mark.parametrize("region", ["rules", "patterns"])
@pytest.mark.parametrize("fill", [0x5A, 0xFF])  # 0x5A still unmarshals (as a string), 0xFF does not
def test_damage_in_the_lazily_read_region_is_repaired_on_first_use(home: Path, region: str, fill: int) -> None:
    """Only the screen is read up front; a damaged rule or pattern region is found (and repaired) when first needed."""
    run(ATTACK, home)
    f = cache_file(home)
    data = bytearray(f.read_bytes())
    a, b = regions(bytes(data))[region]
    data[a:b] = bytes([fill]) * (b - a)
    f.write_bytes(bytes(data))
    r = run(ALLOW, home)  # no keyword occurs: the damaged region is not read
    assert r.decision in (None, "allow") and r.stderr == ""
    r = run(ATTACK, home)
    assert r.decision == "deny" and "pattern data unreadable" in r.stderr and "rebuilt" in r.stderr
    assert f.read_bytes() != bytes(data)
    r = run(ATTACK, home)
    assert r.decision == "deny" and r.stderr == ""
