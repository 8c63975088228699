"""Gemini CLI: ``settings.json`` ``hooks`` (event -> groups -> handlers, like Claude Code).

Differences that matter: events are BeforeTool / AfterTool / BeforeAgent (the prompt),
tool names differ (``run_shell_command``...), and ``timeout`` is in **milliseconds**.
Matchers are omitted (= every tool). Hooks can be switched off with
``hooksConfig.enabled: false``. Gemini CLI strips comments from settings.json, so
comments are allowed (and kept) here.
"""

from __future__ import annotations

import os
import shutil
import time

from guard.wiring import probes
from guard.wiring.base import MANAGED, PROJECT, USER, Editor, Probe

MANAGED_PATH = "/etc/gemini-cli/settings.json"
EVENTS = ("BeforeTool", "AfterTool", "BeforeAgent")


def events(command: str, timeout_s: int) -> dict:
    handler = {"type": "command", "name": "clampd-guard", "command": command, "timeout": timeout_s * 1000}
    return {ev: {"hooks": [dict(handler)]} for ev in EVENTS}


def paths(scope: str, home: str, project: str) -> str | None:
    if scope == USER:
        return os.path.join(home, ".gemini", "settings.json")
    if scope == PROJECT:
        return os.path.join(project, ".gemini", "settings.json")
    if scope == MANAGED:
        return MANAGED_PATH
    return None


def detect(home: str) -> bool:
    return os.path.isdir(os.path.join(home, ".gemini")) or shutil.which("gemini") is not None


def _payload(cwd: str, command: str) -> dict:
    return {
        "session_id": "clampd-doctor",
        "transcript_path": "",
        "cwd": cwd,
        "hook_event_name": "BeforeTool",
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "tool_name": "run_shell_command",
        "tool_input": {"command": command},
    }


def deny_probe(cwd: str) -> Probe:
    return Probe(_payload(cwd, probes.DANGEROUS), probes.gemini)


def allow_probe(cwd: str) -> Probe:
    return Probe(_payload(cwd, probes.BENIGN), probes.gemini)


def notes(data: object, path: str) -> list[tuple[str, str, str]]:
    hc = data.get("hooksConfig") if isinstance(data, dict) else None
    if isinstance(hc, dict) and hc.get("enabled") is False:
        return [("fail", "hooksConfig.enabled is false in this file: Gemini CLI runs no hook", "set hooksConfig.enabled to true")]
    return []


EDITOR = Editor(
    name="gemini",
    label="Gemini CLI",
    agent="gemini",
    shape="nested",
    events=events,
    paths=paths,
    detect=detect,
    deny_probe=deny_probe,
    allow_probe=allow_probe,
    scopes=(USER, PROJECT, MANAGED),
    jsonc=True,
    notes=notes,
)
