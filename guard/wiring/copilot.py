"""GitHub Copilot CLI: our own file in a hooks directory (``version: 1``, flat ``bash`` entries).

Copilot CLI loads every ``*.json`` in ``.github/hooks/`` (the repository, from the
current directory) and in ``~/.copilot/hooks/`` (personal), so the guard gets a file of
its own, ``clampd-guard.json``, and never edits anyone else's. ``timeoutSec`` is in
seconds; ``toolArgs`` arrives as a JSON string.
"""

from __future__ import annotations

import json
import os
import shutil
import time

from guard.wiring import probes
from guard.wiring.base import PROJECT, USER, Editor, Probe

FILE = "clampd-guard.json"
EVENTS = ("preToolUse", "postToolUse", "userPromptSubmitted")


def events(command: str, timeout_s: int) -> dict:
    return {ev: {"type": "command", "bash": command, "timeoutSec": timeout_s} for ev in EVENTS}


def paths(scope: str, home: str, project: str) -> str | None:
    if scope == USER:
        return os.path.join(home, ".copilot", "hooks", FILE)
    if scope == PROJECT:
        return os.path.join(project, ".github", "hooks", FILE)
    return None


def detect(home: str) -> bool:
    return os.path.isdir(os.path.join(home, ".copilot")) or shutil.which("copilot") is not None


def _payload(cwd: str, command: str) -> dict:
    return {
        "timestamp": int(time.time() * 1000),
        "cwd": cwd,
        "toolName": "bash",
        "toolArgs": json.dumps({"command": command, "description": "clampd-guard doctor self-test"}),
    }


def deny_probe(cwd: str) -> Probe:
    return Probe(_payload(cwd, probes.DANGEROUS), probes.copilot)


def allow_probe(cwd: str) -> Probe:
    return Probe(_payload(cwd, probes.BENIGN), probes.copilot)


EDITOR = Editor(
    name="copilot",
    label="GitHub Copilot CLI",
    agent="copilot",
    shape="flat",
    events=events,
    paths=paths,
    detect=detect,
    deny_probe=deny_probe,
    allow_probe=allow_probe,
    command_key="bash",
    new_file={"version": 1},
)
