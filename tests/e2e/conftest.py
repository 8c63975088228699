"""Fixtures for the end-to-end suite: the real Claude Code CLI (installed once) and an isolated sandbox per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.claude_cli import InstallError, ensure_installed
from tests.e2e.harness import CONSOLE, Sandbox, wire_guard


@pytest.fixture(scope="session")
def claude() -> Path:
    """The pinned client. A missing npm or registry fails the suite loudly; it never skips."""
    if not CONSOLE.exists():
        pytest.fail(f"{CONSOLE} is missing: install the guard first (pip install -e '.[test]')", pytrace=False)
    try:
        return ensure_installed()
    except InstallError as e:
        pytest.fail(f"cannot install the Claude Code CLI for the e2e suite: {e}", pytrace=False)


@pytest.fixture
def box(request: pytest.FixtureRequest, tmp_path: Path) -> Sandbox:
    """A throwaway HOME and project dir, with the guard installed at the scope given by indirect
    parametrisation (default ``user``: ``$HOME/.claude/settings.json``)."""
    sandbox = Sandbox.create(tmp_path)
    wire_guard(sandbox, getattr(request, "param", "user"))
    return sandbox
