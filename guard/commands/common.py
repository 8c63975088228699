"""Helpers shared by the management commands: payload builders, the hook pipeline, colour."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from guard.toolcall import ToolCall
from guard.verdict import Verdict

SESSION = "clampd-guard-cli"


# --- Claude Code payloads -------------------------------------------------


def tool_response(tool: str, tool_input: dict, text: str) -> dict:
    """``text`` as the tool's own response shape (what PostToolUse carries)."""
    if tool == "Read":
        n = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        return {
            "type": "text",
            "file": {
                "filePath": tool_input.get("file_path", ""),
                "content": text,
                "numLines": n,
                "startLine": 1,
                "totalLines": n,
            },
        }
    if tool == "WebFetch":
        return {
            "bytes": len(text.encode("utf-8")),
            "code": 200,
            "codeText": "OK",
            "result": text,
            "durationMs": 412,
            "url": tool_input.get("url", ""),
        }
    return {"stdout": text, "stderr": "", "interrupted": False, "isImage": False}


def tool_payload(tool: str, tool_input: dict, cwd: str, output: str | None = None) -> dict:
    """A PreToolUse payload, or a PostToolUse one when ``output`` is given."""
    p: dict = {
        "session_id": SESSION,
        "transcript_path": "",
        "cwd": cwd,
        "hook_event_name": "PreToolUse" if output is None else "PostToolUse",
        "tool_name": tool,
        "tool_input": tool_input,
    }
    if output is not None:
        p["tool_response"] = tool_response(tool, tool_input, output)
    return p


def bash(command: str, cwd: str, output: str | None = None) -> dict:
    return tool_payload("Bash", {"command": command, "description": "Run a command"}, cwd, output)


def read(path: str, cwd: str, output: str | None = None) -> dict:
    return tool_payload("Read", {"file_path": path}, cwd, output)


def fetch(url: str, cwd: str, output: str | None = None) -> dict:
    return tool_payload("WebFetch", {"url": url, "prompt": "Summarise the page"}, cwd, output)


def prompt(text: str, cwd: str) -> dict:
    return {
        "session_id": SESSION,
        "transcript_path": "",
        "cwd": cwd,
        "hook_event_name": "UserPromptSubmit",
        "prompt": text,
    }


# --- the hook's pipeline ----------------------------------------------------


def add_call_arguments(p: object) -> None:
    """The call to evaluate, as ``check`` and ``explain`` take it: a payload file or a shortcut."""
    p.add_argument("file", nargs="?", metavar="FILE|-", help="hook JSON payload file, or - for stdin")  # type: ignore[attr-defined]
    what = p.add_mutually_exclusive_group()  # type: ignore[attr-defined]
    what.add_argument("--bash", metavar="CMD", help="a Bash tool call running CMD")
    what.add_argument("--read", metavar="PATH", help="a Read tool call of PATH")
    what.add_argument("--fetch", metavar="URL", help="a WebFetch tool call of URL")
    what.add_argument("--prompt", metavar="TEXT", help="a UserPromptSubmit event with TEXT")
    p.add_argument(  # type: ignore[attr-defined]
        "--event",
        choices=("pre", "post"),
        help="pre (PreToolUse, the default for shortcuts) or post (PostToolUse; needs --output). "
        "With FILE it overrides the payload's hook_event_name.",
    )
    p.add_argument(  # type: ignore[attr-defined]
        "--output",
        metavar="TEXT|@FILE",
        help="the tool's output for --event post with a shortcut (@FILE reads it from FILE)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")  # type: ignore[attr-defined]


def load_config(defaults: bool = False) -> object:
    """The hook's effective config (or the built-in defaults), never raising."""
    from guard.config.load import Config, load

    if defaults:
        return Config()
    try:
        return load()
    except Exception as e:  # noqa: BLE001 - same fallback as hook mode
        cfg = Config()
        cfg.managed_error = f"configuration could not be loaded ({type(e).__name__})"
        cfg.fail_open = False
        return cfg


def run_payload(payload: object, cfg: object, rules: object = None) -> tuple[ToolCall, Verdict]:
    """Claude Code payload -> verdict, through the same pipeline as hook mode. Raises BadInput."""
    from guard.decide import run_payload as pipeline
    from guard.editors import claude_code

    return pipeline(claude_code, payload, cfg, rules)  # type: ignore[arg-type]


def model_reason(call: ToolCall, v: Verdict) -> str:
    """What the model is told about this verdict (empty for a plain allow)."""
    from guard import reasons
    from guard.verdict import ALLOW

    if v.updated_output is not None:
        return reasons.output_notice(v)
    if v.decision == ALLOW:
        return ""
    return reasons.block_reason(call, v)


# --- rule files ---------------------------------------------------------------


def rule_files() -> list[Path]:
    from guard.engine.ruleset import RULES_DIR

    return sorted(p for p in Path(RULES_DIR).glob("*.toml") if not p.name.startswith("_"))


def load_rules() -> list[tuple[Path, object]]:
    """Every embedded rule with its file; RuleError becomes a clean usage error."""
    from guard.commands.cli import UsageError
    from guard.engine.compiler import RuleError, load_rule_files

    try:
        return load_rule_files(rule_files())
    except RuleError as e:
        raise UsageError(f"cannot load the embedded rules: {e}") from None


# --- terminal colour -------------------------------------------------------------

COLORS = {"green": "32", "yellow": "33", "red": "31", "magenta": "35", "bold": "1", "dim": "2"}


def use_color(no_color_flag: bool, stream: object = None) -> bool:
    """Colour only on a terminal, unless NO_COLOR is set (https://no-color.org) or --no-color."""
    if no_color_flag or os.environ.get("NO_COLOR"):
        return False
    stream = stream if stream is not None else sys.stdout
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False


def paint(text: str, color: str, enabled: bool) -> str:
    if not enabled or color not in COLORS:
        return text
    return f"\x1b[{COLORS[color]}m{text}\x1b[0m"


VERDICT_COLOR = {"allow": "green", "ask": "yellow", "deny": "red", "redact": "magenta"}


def one_line(text: str, width: int) -> str:
    t = " ".join(str(text).split())
    return t if len(t) <= width else t[: max(width - 3, 0)] + "..."
