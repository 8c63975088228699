"""Hook wiring per editor: which file, which entries, how to recognise ours (install, uninstall, doctor).

One module per config format (``claude``, ``cursor``, ``codex``, ``gemini``, ``copilot``),
each exporting an ``EDITOR`` (see ``base.Editor``). Management path only: never imported
by the hook.
"""

from __future__ import annotations

import importlib

NAMES = ("claude", "cursor", "codex", "gemini", "copilot")


def get(name: str) -> object:
    """The ``Editor`` for ``--editor NAME``; KeyError for an unknown name."""
    name = {"claude-code": "claude"}.get(name.lower(), name.lower())
    if name not in NAMES:
        raise KeyError(name)
    return importlib.import_module(f"guard.wiring.{name}").EDITOR


def all_editors() -> list:
    return [get(n) for n in NAMES]
