"""The built-in attack suite (``suite.toml``) that ``clampd-guard test`` fires.

The suite is data: each entry is a Claude Code hook payload and the outcome
the guard should reach. Nothing here records what the rules currently decide.
"""

from __future__ import annotations

import copy
import os

GROUPS = ("sqli", "xss", "ssrf", "shell", "traversal", "injection")
EXPECTED = ("block", "allow")
SUITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "suite.toml")
SESSION = "clampd-guard-test"


class SuiteError(ValueError):
    """The suite file is malformed (names the entry)."""


class Attack:
    __slots__ = ("id", "group", "name", "expected", "payload")

    def __init__(self, id: str, group: str, name: str, expected: str, payload: dict) -> None:  # noqa: A002
        self.id = id
        self.group = group
        self.name = name
        self.expected = expected
        self.payload = payload

    @property
    def control(self) -> bool:
        """A benign call that should be allowed (a block or flag is a false positive)."""
        return self.expected == "allow"

    @property
    def event(self) -> str:
        return str(self.payload.get("hook_event_name", ""))

    @property
    def tool(self) -> str:
        return str(self.payload.get("tool_name", ""))

    def hook_payload(self, home: str) -> dict:
        """The payload as the editor would send it, run from ``<home>/project``."""
        p = copy.deepcopy(self.payload)
        p.setdefault("session_id", SESSION)
        p.setdefault("transcript_path", "")
        p.setdefault("cwd", (home.rstrip("/") or "") + "/project")
        return p


def load(path: str = SUITE) -> list[Attack]:
    import tomllib

    with open(path, "rb") as f:
        data = tomllib.load(f)
    entries = data.get("attacks")
    if not isinstance(entries, list):
        raise SuiteError(f"{path}: no [[attacks]] entries")
    out: list[Attack] = []
    seen: set[str] = set()
    for n, e in enumerate(entries, 1):
        where = f"{path}: attack #{n}"
        if not isinstance(e, dict):
            raise SuiteError(f"{where}: not a table")
        unknown = set(e) - {"id", "group", "name", "expected", "payload"}
        if unknown:
            raise SuiteError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        aid = e.get("id")
        if not isinstance(aid, str) or not aid:
            raise SuiteError(f"{where}: missing id")
        where = f"{path}: attack {aid}"
        if aid in seen:
            raise SuiteError(f"{where}: duplicate id")
        seen.add(aid)
        group, name, expected, payload = e.get("group"), e.get("name"), e.get("expected", "block"), e.get("payload")
        if group not in GROUPS:
            raise SuiteError(f"{where}: group {group!r} is not one of {', '.join(GROUPS)}")
        if not isinstance(name, str) or not name:
            raise SuiteError(f"{where}: missing name")
        if expected not in EXPECTED:
            raise SuiteError(f"{where}: expected {expected!r} is not one of {', '.join(EXPECTED)}")
        if not isinstance(payload, dict) or not isinstance(payload.get("hook_event_name"), str):
            raise SuiteError(f"{where}: payload must be a table with hook_event_name")
        out.append(Attack(aid, group, name, expected, payload))
    return out
