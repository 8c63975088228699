"""The guard's hook command line: building it, recognising it in a config file, and finding its program.

A command is "ours" when its program is a ``clampd-guard`` binary (any directory) or
when it runs ``.../guard/hookmain.py`` (the ``python -I -S`` launcher). That is what
lets ``install`` replace an entry whose path changed instead of adding a second one,
and ``uninstall`` remove only our entries.
"""

from __future__ import annotations

import math
import os
import shlex

BINARY_NAMES = ("clampd-guard", "clampd-guard.exe")


def words(cmd: object) -> list[str]:
    """The shell words of ``cmd`` ([] when it is not a string or cannot be split)."""
    if not isinstance(cmd, str):
        return []
    try:
        return shlex.split(cmd, posix=True)
    except ValueError:
        return []


def _is_launcher(word: str) -> bool:
    parts = word.replace("\\", "/").split("/")
    return len(parts) >= 2 and parts[-1] == "hookmain.py" and parts[-2] == "guard"


def is_ours(cmd: object) -> bool:
    """Whether a hook command line runs this project's guard (any install location)."""
    w = words(cmd)
    if not w:
        return False
    if os.path.basename(w[0].replace("\\", "/")) in BINARY_NAMES:
        return True
    return any(_is_launcher(x) for x in w[1:4])


def program(cmd: object) -> str | None:
    """The program a command runs (its first word), or None."""
    w = words(cmd)
    return w[0] if w else None


def launcher(cmd: object) -> str | None:
    """The ``guard/hookmain.py`` path a ``python -I -S`` command runs, or None."""
    for x in words(cmd)[1:4]:
        if _is_launcher(x):
            return x
    return None


def agent_of(cmd: object) -> str | None:
    """The ``--agent NAME`` a command passes, or None."""
    w = words(cmd)
    for i, x in enumerate(w):
        if x == "--agent" and i + 1 < len(w):
            return w[i + 1]
        if x.startswith("--agent="):
            return x.split("=", 1)[1]
    return None


def guard_command(agent: str, exe: str | None = None) -> str:
    """The command to wire for ``agent``: this guard, or the binary at ``exe`` (MDM images)."""
    from guard.commands import hook_command

    if exe:
        return f"{hook_command.shell_quote(exe)} hook --agent {agent}"
    return hook_command.command_line(agent)


def hook_timeout_s(deadline_ms: int) -> int:
    """Editor-side hook timeout: above the guard's own deadline, so the guard always answers first."""
    from guard.commands.hook_command import HOOK_TIMEOUT_S

    return max(HOOK_TIMEOUT_S, math.ceil(deadline_ms / 1000) + 5)


def executable_ok(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def map_root(path: str, root: str | None) -> str:
    """A path as seen inside the system image at ``root`` (unchanged without a root, or if already inside it)."""
    if not root or not os.path.isabs(path):
        return path
    root = os.path.abspath(root)
    if path == root or path.startswith(root.rstrip("/") + "/"):
        return path
    return os.path.join(root, path.lstrip("/"))


def rooted_command(cmd: str, root: str | None) -> str:
    """``cmd`` with every absolute path that exists under ``root`` rewritten to that copy.

    An image built for another machine names its binary as it will be installed
    (``/usr/local/bin/clampd-guard``); doctor --root runs the copy inside the image.
    """
    if not root:
        return cmd
    from guard.commands.hook_command import shell_quote

    out = []
    for x in words(cmd):
        mapped = map_root(x, root)
        out.append(shell_quote(mapped) if (mapped != x and os.path.exists(mapped)) else shlex.quote(x))
    return " ".join(out)
