"""The hook path's import budget, measured with ``python -X importtime`` on the real launcher.

``re`` or ``json`` alone cost about as much as the interpreter start and
msgspec/httpx/keyring several times more, so none of them may load on a
hook call once the rule cache is warm. Management modules must never load.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hookrun import FAST, env_for

NEVER = ("httpx", "keyring", "msgspec", "platformdirs", "argparse", "tomllib", "guard.commands", "guard.config.schema", "guard.engine.compiler", "guard.engine.rule_model", "site",
         "sqlite3", "_sqlite3", "hashlib", "_hashlib", "fcntl", "guard.audit.store")
NOT_ON_ALLOW = NEVER + ("re", "json", "os", "pathlib", "enum", "typing")


def imported(payload: dict, home: Path) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-I", "-S", str(FAST)],
        input=json.dumps(payload).encode(),
        capture_output=True,
        env=env_for(home),
        timeout=30,
    )
    mods = []
    for line in proc.stderr.decode().splitlines():
        if line.startswith("import time:") and "|" in line and "imported package" not in line:
            mods.append(line.rsplit("|", 1)[1].strip())
    return mods


@pytest.fixture
def warm(home: Path) -> Path:
    """First calls build the rule and dictionary caches (a one-off cost that may import re/tomllib)."""
    imported({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "true"}}, home)
    imported({"hook_event_name": "UserPromptSubmit", "prompt": "warm the dictionary cache"}, home)
    return home


def test_allow_path_imports_nothing_heavy(warm: Path) -> None:
    mods = imported({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls -la"}}, warm)
    assert "guard.hook" in mods
    assert "guard.audit.journal" in mods  # the audit append runs on every call (audit is on by default)
    bad = [m for m in mods if m.split(".")[0] in NOT_ON_ALLOW or m in NOT_ON_ALLOW or any(m.startswith(n + ".") for n in NOT_ON_ALLOW)]
    assert bad == []


def test_deny_path_imports_no_management_or_network_module(warm: Path) -> None:
    mods = imported({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "rm -rf ~"}}, warm)
    assert "guard.reasons" in mods
    bad = [m for m in mods if m in NEVER or any(m.startswith(n + ".") for n in NEVER) or m.split(".")[0] in ("httpx", "keyring", "msgspec")]
    assert bad == []


def test_post_and_prompt_paths_stay_lean(warm: Path) -> None:
    post = {"hook_event_name": "PostToolUse", "tool_name": "Read", "tool_input": {"file_path": "/p/a.py"}, "tool_response": {"type": "text", "file": {"filePath": "/p/a.py", "content": "print(1)\n"}}}
    prompt = {"hook_event_name": "UserPromptSubmit", "prompt": "refactor the parser"}
    for payload in (post, prompt):
        mods = imported(payload, warm)
        assert [m for m in mods if m.split(".")[0] in ("re", "json", "httpx", "msgspec", "keyring", "argparse")] == []


def test_audit_append_is_the_only_audit_module_on_the_hook_path(warm: Path) -> None:
    """The hook appends to the journal; SQLite is only loaded by management commands."""
    journal = warm / ".local" / "state" / "clampd-guard" / "audit-journal.jsonl"
    before = journal.read_bytes().count(b"\n")
    for payload in (
        {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls -la"}},
        {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "rm -rf ~"}},
        {"hook_event_name": "UserPromptSubmit", "prompt": "refactor the parser"},
    ):
        mods = imported(payload, warm)
        assert [m for m in mods if m.startswith("guard.audit")] == ["guard.audit", "guard.audit.journal"]
        assert not [m for m in mods if m in ("sqlite3", "_sqlite3", "hashlib", "_hashlib", "fcntl")]
    assert journal.read_bytes().count(b"\n") == before + 3
