"""``clampd-guard hook-command``: the fast command line an editor should run as its hook."""

from __future__ import annotations

import argparse
import json
import os
import sys

HOOK_TIMEOUT_S = 10
# Events wired by --settings; UserPromptSubmit takes no matcher.
TOOL_EVENTS = ("PreToolUse", "PostToolUse", "PostToolUseFailure")
PROMPT_EVENTS = ("UserPromptSubmit",)


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "hook-command",
        help="print the fast hook command line (or a Claude Code settings.json snippet)",
        description="Print the command line an editor should run as its hook: this interpreter "
        "with -I -S (no site-packages scan, ignores PYTHON* variables) on guard/hookmain.py, "
        "which starts several times faster than the console script.",
    )
    p.add_argument("--agent", default="claude", help="editor protocol, as hook mode takes it (default: claude); passed on in the command")
    p.add_argument(
        "--settings",
        action="store_true",
        help="print a Claude Code settings.json snippet wiring PreToolUse, PostToolUse, "
        f"PostToolUseFailure and UserPromptSubmit (timeout {HOOK_TIMEOUT_S}s) to the command",
    )
    return p


def shell_quote(s: str) -> str:
    """Double-quoted for sh (and usable by cmd.exe for ordinary paths)."""
    if os.name == "nt":  # pragma: no cover
        return '"' + s.replace('"', '""') + '"'
    return '"' + "".join("\\" + c if c in '"\\$`' else c for c in s) + '"'


def hookmain_path() -> str:
    import guard

    return os.path.join(os.path.dirname(os.path.abspath(guard.__file__)), "hookmain.py")


def frozen() -> bool:
    """Running as the frozen (PyInstaller) binary: the binary itself is the hook command."""
    return bool(getattr(sys, "frozen", False))


def command_line(agent: str = "claude") -> str:
    """This guard's hook command for ``agent``, with absolute paths and an explicit ``--agent``.

    The agent is always named: payload sniffing is only a fallback, and an explicit
    name keeps one editor's wiring from being read in another editor's protocol.
    """
    agent = "claude" if agent == "claude-code" else agent
    # Not resolved through symlinks: a venv's python must keep its venv path.
    exe = os.path.abspath(sys.executable)
    if frozen():
        return f"{shell_quote(exe)} hook --agent {agent}"
    return f"{shell_quote(exe)} -I -S {shell_quote(hookmain_path())} --agent {agent}"


def settings_snippet(cmd: str) -> dict:
    entry = {"type": "command", "command": cmd, "timeout": HOOK_TIMEOUT_S}
    hooks: dict = {}
    for ev in TOOL_EVENTS:
        hooks[ev] = [{"matcher": "*", "hooks": [dict(entry)]}]
    for ev in PROMPT_EVENTS:
        hooks[ev] = [{"hooks": [dict(entry)]}]
    return {"hooks": hooks}


def run(args: argparse.Namespace) -> int:
    from guard import editors
    from guard.commands.cli import UsageError

    try:
        editors.get(args.agent)
    except KeyError:
        supported = ", ".join(sorted(editors.ADAPTERS))
        raise UsageError(f"hook-command: unknown --agent {args.agent!r} (supported: {supported})") from None
    if not sys.executable:
        raise UsageError("hook-command: the Python interpreter path is unknown (sys.executable is empty)")
    cmd = command_line(args.agent.lower())
    if args.settings:
        sys.stdout.write(json.dumps(settings_snippet(cmd), indent=2) + "\n")
    else:
        sys.stdout.write(cmd + "\n")
    return 0
