"""Install or uninstall our wiring in one editor's file: plan the new text, then write it (or show the diff)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from guard.wiring import base, files
from guard.wiring.command import guard_command, hook_timeout_s, map_root


@dataclass
class Plan:
    """What one install/uninstall would do to one file."""

    editor: object  # base.Editor
    scope: str
    path: str
    old: str | None  # None: the file does not exist
    new: str | None  # None: the file is (or stays) absent
    command: str = ""

    @property
    def changed(self) -> bool:
        return self.old != self.new

    def diff(self) -> str:
        return files.diff(self.path, self.old, self.new)


def target_path(ed: base.Editor, scope: str, home: str, project: str, root: str | None = None) -> str:
    """The config file for ``scope`` (mapped into the image at ``root`` if given)."""
    if scope not in ed.scopes:
        raise files.WiringError(f"{ed.label} has no {scope} scope (supported: {', '.join(ed.scopes)})")
    path = ed.paths(scope, home, os.path.abspath(project))
    if path is None:  # pragma: no cover - scopes and paths agree
        raise files.WiringError(f"{ed.label} has no {scope} scope")
    return map_root(path, root)


def plan_install(
    ed: base.Editor,
    scope: str,
    *,
    home: str,
    project: str,
    deadline_ms: int,
    root: str | None = None,
    exe: str | None = None,
    command: str | None = None,
) -> Plan:
    path = target_path(ed, scope, home, project, root)
    cmd = command or guard_command(ed.agent, exe)
    old = files.read_text(path)
    new = base.install_text(ed, old, path, cmd, hook_timeout_s(deadline_ms))
    return Plan(ed, scope, path, old, new, cmd)


def plan_uninstall(ed: base.Editor, scope: str, *, home: str, project: str, root: str | None = None) -> Plan:
    path = target_path(ed, scope, home, project, root)
    old = files.read_text(path)
    new = None if old is None else base.uninstall_text(ed, old, path)
    return Plan(ed, scope, path, old, new)


def commit(plan: Plan) -> str | None:
    """Write the plan; returns the backup's path (None when nothing was there before or nothing changed)."""
    if not plan.changed:
        return None
    dir_mode = 0o755 if plan.scope in ("project", "local", "managed") else 0o700
    # Managed files are read by every user's editor (and owned by root): world-readable.
    new_mode = 0o644 if plan.scope == "managed" else 0o600
    return files.write(plan.path, plan.new, dir_mode=dir_mode, new_mode=new_mode)
