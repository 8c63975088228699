"""Claude Code: ``settings.json`` hooks (event -> matcher groups -> command handlers).

Events: PreToolUse (can block), PostToolUse (can replace what the model sees),
PostToolUseFailure (a failed tool fires this instead of PostToolUse) and
UserPromptSubmit (stops pasted secrets before any model call). ``timeout`` is in seconds.
Managed settings (``managed-settings.json``) are merged with every other level and
cannot be removed by users.
"""

from __future__ import annotations

import os
import shutil
import sys

from guard.wiring import probes
from guard.wiring.base import MANAGED, PROJECT, USER, Editor, Probe

if sys.platform == "darwin":  # pragma: no cover
    MANAGED_PATH = "/Library/Application Support/ClaudeCode/managed-settings.json"
else:
    MANAGED_PATH = "/etc/claude-code/managed-settings.json"

LOCAL = "local"


def events(command: str, timeout_s: int) -> dict:
    from guard.commands.hook_command import PROMPT_EVENTS, TOOL_EVENTS

    handler = {"type": "command", "command": command, "timeout": timeout_s}
    out: dict = {}
    for ev in TOOL_EVENTS:
        out[ev] = {"matcher": "*", "hooks": [dict(handler)]}
    for ev in PROMPT_EVENTS:
        out[ev] = {"hooks": [dict(handler)]}
    return out


def paths(scope: str, home: str, project: str) -> str | None:
    if scope == USER:
        return os.path.join(home, ".claude", "settings.json")
    if scope == PROJECT:
        return os.path.join(project, ".claude", "settings.json")
    if scope == LOCAL:
        return os.path.join(project, ".claude", "settings.local.json")
    if scope == MANAGED:
        return MANAGED_PATH
    return None


def detect(home: str) -> bool:
    return os.path.isdir(os.path.join(home, ".claude")) or shutil.which("claude") is not None


def _payload(cwd: str, command: str) -> dict:
    return {
        "session_id": "clampd-doctor",
        "transcript_path": "",
        "cwd": cwd,
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": command, "description": "clampd-guard doctor self-test"},
        "tool_use_id": "toolu_clampd_doctor",
    }


def deny_probe(cwd: str) -> Probe:
    return Probe(_payload(cwd, probes.DANGEROUS), probes.claude_like())


def allow_probe(cwd: str) -> Probe:
    return Probe(_payload(cwd, probes.BENIGN), probes.claude_like())


def notes(data: object, path: str) -> list[tuple[str, str, str]]:
    out = []
    if isinstance(data, dict) and data.get("disableAllHooks") is True:
        out.append(("fail", "disableAllHooks is true in this file: no hook runs", "remove \"disableAllHooks\""))
    return out


EDITOR = Editor(
    name="claude",
    label="Claude Code",
    agent="claude",
    shape="nested",
    events=events,
    paths=paths,
    detect=detect,
    deny_probe=deny_probe,
    allow_probe=allow_probe,
    scopes=(USER, PROJECT, LOCAL, MANAGED),
    notes=notes,
)
