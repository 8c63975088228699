"""``clampd-guard <command> ...``: argparse front end for the management commands.

Exit codes shared by all commands: 0 success, 2 usage error or failure
(``check`` uses its own scheme, see ``clampd-guard check --help``), 130 on Ctrl-C.
Errors are one line on stderr, never a traceback (set CLAMPD_GUARD_DEBUG=1 to
see one).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import NoReturn

from guard import __version__

PROG = "clampd-guard"

# (command name, module in guard.commands)
COMMANDS = (
    ("check", "check"),
    ("demo", "demo"),
    ("rules", "rules_cmd"),
    ("hook-command", "hook_command"),
    ("config", "config_cmd"),
    ("test", "test_cmd"),
    ("explain", "explain"),
    ("install", "install"),
    ("uninstall", "uninstall"),
    ("doctor", "doctor"),
)


class UsageError(Exception):
    """A usage problem found after parsing; ``code`` is the exit status."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line on stderr with a per-parser exit code."""

    def __init__(self, *args: object, usage_code: int = 2, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.usage_code = usage_code

    def error(self, message: str) -> NoReturn:
        if message.startswith("argument command: invalid choice:"):
            bad = message.split("invalid choice:", 1)[1].split("(choose", 1)[0].strip()
            names = ", ".join(n for n, _m in COMMANDS)
            message = f"unknown command {bad} (commands: {names})"
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(self.usage_code)


def build_parser() -> Parser:
    import importlib

    parser = Parser(
        prog=PROG,
        description="Runtime security guard for AI coding agents. With no command (or 'hook'), "
        "it runs as the editor hook and reads one hook payload on stdin.",
        epilog="Run 'clampd-guard <command> --help' for a command's options.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="command", parser_class=Parser)
    sub.required = True
    for _name, module in COMMANDS:
        mod = importlib.import_module(f"guard.commands.{module}")
        p = mod.register(sub)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str]) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        return int(args._run(args) or 0)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    except UsageError as e:
        sys.stderr.write(f"{PROG}: error: {e}\n")
        return e.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and friends: stop quietly.
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - avoid a second error at exit
        except OSError:
            pass
        return 0
    except Exception as e:  # noqa: BLE001 - one line instead of a traceback
        if os.environ.get("CLAMPD_GUARD_DEBUG"):
            raise
        first = str(e).splitlines()[0] if str(e) else ""
        sys.stderr.write(f"{PROG}: internal error: {type(e).__name__}: {first[:300]}\n")
        return 3
