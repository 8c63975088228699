"""Shared fixtures: an isolated HOME per test, and helpers to run the real guard."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "tests" / "fixtures" / "claude-code"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private HOME (so user config, caches and state never touch the real ones)."""
    h = tmp_path / "home"
    h.mkdir()
    monkeypatch.setenv("HOME", str(h))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    return h


def pre_bash(command: str) -> dict:
    return {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}}


def dump(obj: object) -> bytes:
    return json.dumps(obj).encode()


def guard_exe() -> list[str]:
    """The installed console script (the real entry point), next to this interpreter."""
    exe = Path(sys.executable).parent / "clampd-guard"
    if not exe.exists():
        pytest.skip("clampd-guard console script not installed (pip install -e .)")
    return [str(exe)]
