"""Cursor: ``hooks.json`` version 1 (lowerCamelCase events, flat ``{command, ...}`` entries).

Never a Claude-shaped block here: PascalCase events are not dispatched by Cursor.
``failClosed`` makes Cursor block when the hook crashes or times out on the events
that can block a tool; the guard itself always answers with one JSON object.
"""

from __future__ import annotations

import os
import shutil
import sys

from guard.wiring import probes
from guard.wiring.base import MANAGED, PROJECT, USER, Editor, Probe

if sys.platform == "darwin":  # pragma: no cover
    MANAGED_PATH = "/Library/Application Support/Cursor/hooks.json"
else:
    MANAGED_PATH = "/etc/cursor/hooks.json"

BLOCKING = ("beforeShellExecution", "beforeMCPExecution", "beforeReadFile", "preToolUse")
OBSERVING = ("postToolUse", "beforeSubmitPrompt")


def events(command: str, timeout_s: int) -> dict:
    out: dict = {}
    for ev in BLOCKING:
        out[ev] = {"command": command, "timeout": timeout_s, "failClosed": True}
    for ev in OBSERVING:
        out[ev] = {"command": command, "timeout": timeout_s}
    return out


def paths(scope: str, home: str, project: str) -> str | None:
    if scope == USER:
        return os.path.join(home, ".cursor", "hooks.json")
    if scope == PROJECT:
        return os.path.join(project, ".cursor", "hooks.json")
    if scope == MANAGED:
        return MANAGED_PATH
    return None


def detect(home: str) -> bool:
    return os.path.isdir(os.path.join(home, ".cursor")) or shutil.which("cursor") is not None


def _payload(cwd: str, command: str) -> dict:
    return {
        "conversation_id": "clampd-doctor",
        "generation_id": "clampd-doctor",
        "model": "",
        "hook_event_name": "beforeShellExecution",
        "cursor_version": "1.7.2",
        "workspace_roots": [cwd],
        "user_email": None,
        "transcript_path": None,
        "command": command,
        "cwd": cwd,
        "sandbox": False,
    }


def deny_probe(cwd: str) -> Probe:
    return Probe(_payload(cwd, probes.DANGEROUS), probes.cursor)


def allow_probe(cwd: str) -> Probe:
    return Probe(_payload(cwd, probes.BENIGN), probes.cursor)


def notes(data: object, path: str) -> list[tuple[str, str, str]]:
    if isinstance(data, dict) and data.get("version") != 1:
        return [("warn", "no \"version\": 1 in this file: Cursor's Hooks settings page will not list it", 'add "version": 1')]
    return []


EDITOR = Editor(
    name="cursor",
    label="Cursor",
    agent="cursor",
    shape="flat",
    events=events,
    paths=paths,
    detect=detect,
    deny_probe=deny_probe,
    allow_probe=allow_probe,
    new_file={"version": 1},
    scopes=(USER, PROJECT, MANAGED),
    notes=notes,
)
