"""``clampd-guard check``: what the hook would decide for one call, without an editor.

Runs the hook's own path (claude_code.parse -> config load() -> embedded
rules -> decide) on a hook JSON payload or on a call built from a shortcut.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from guard.commands import common
from guard.commands.cli import UsageError

EXIT_ALLOW = 0
EXIT_ASK = 1
EXIT_DENY = 2
EXIT_USAGE = 3

EPILOG = """\
exit status:
  0  allow (also when a post-event output was only redacted)
  1  ask: the editor would ask the user for approval
  2  deny
  3  usage or input error (unreadable file, invalid JSON, bad options)

examples:
  clampd-guard check --bash 'rm -rf ~'
  clampd-guard check --read ~/.aws/credentials --json
  clampd-guard check --read .env --event post --output @.env
  echo '{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}' | clampd-guard check -
"""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "check",
        help="evaluate one tool call (hook JSON or a shortcut) and print the verdict",
        description="Evaluate one tool call the way the hook would and print the verdict, the\n"
        "matched rules and the reason the model would see. The exit status follows the\n"
        "verdict, so it can gate CI.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        usage_code=EXIT_USAGE,
    )
    common.add_call_arguments(p)
    return p


def _read_text(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise UsageError(f"check: {path}: no such file", EXIT_USAGE) from None
    except IsADirectoryError:
        raise UsageError(f"check: {path}: is a directory", EXIT_USAGE) from None
    except OSError as e:
        raise UsageError(f"check: {path}: cannot be read ({e.strerror or e})", EXIT_USAGE) from None


def _payload_from_file(args: argparse.Namespace, warnings: list[str]) -> object:
    from guard.runtime import jsonfast, stdin

    raw = _read_text(args.file)
    name = "stdin" if args.file == "-" else args.file
    text, warning = stdin.decode(raw)
    if warning:
        warnings.append(warning)
    if not text.strip():
        raise UsageError(f"check: {name} is empty (expected one hook JSON object)", EXIT_USAGE)
    try:
        payload = jsonfast.loads(text)
    except ValueError as e:
        raise UsageError(f"check: {name} is not valid JSON ({e})", EXIT_USAGE) from None
    if args.event and isinstance(payload, dict):
        payload["hook_event_name"] = "PreToolUse" if args.event == "pre" else "PostToolUse"
    return payload


def _payload_from_shortcut(args: argparse.Namespace) -> dict:
    cwd = os.getcwd()
    post = args.event == "post"
    if args.prompt is not None:
        if post:
            raise UsageError("check: --event post does not apply to --prompt", EXIT_USAGE)
        if args.output is not None:
            raise UsageError("check: --output does not apply to --prompt", EXIT_USAGE)
        return common.prompt(args.prompt, cwd)
    output = None
    if post:
        if args.output is None:
            raise UsageError("check: --event post needs --output TEXT|@FILE (the tool's output)", EXIT_USAGE)
        output = args.output
        if output.startswith("@") and len(output) > 1:
            output = _read_text(output[1:]).decode("utf-8", "replace")
    elif args.output is not None:
        raise UsageError("check: --output needs --event post", EXIT_USAGE)
    if args.bash is not None:
        return common.bash(args.bash, cwd, output)
    if args.read is not None:
        return common.read(args.read, cwd, output)
    return common.fetch(args.fetch, cwd, output)


def build_payload(args: argparse.Namespace, warnings: list[str]) -> object:
    shortcut = any(v is not None for v in (args.bash, args.read, args.fetch, args.prompt))
    if args.file is not None and shortcut:
        raise UsageError("check: give either FILE|- or one of --bash/--read/--fetch/--prompt, not both", EXIT_USAGE)
    if args.file is None and not shortcut:
        raise UsageError(
            "check: nothing to check: give a hook JSON FILE, - for stdin, or --bash/--read/--fetch/--prompt",
            EXIT_USAGE,
        )
    if args.file is not None:
        if args.output is not None:
            raise UsageError("check: --output only applies to the shortcuts", EXIT_USAGE)
        return _payload_from_file(args, warnings)
    return _payload_from_shortcut(args)


def exit_code(decision: str) -> int:
    return {"ask": EXIT_ASK, "deny": EXIT_DENY}.get(decision, EXIT_ALLOW)


def as_json(call: object, v: object, reason: str, warnings: list[str]) -> dict:
    out: dict = {
        "decision": v.decision,  # type: ignore[attr-defined]
        "risk": v.risk,  # type: ignore[attr-defined]
        "source": v.source,  # type: ignore[attr-defined]
        "event": call.raw_event.lstrip("?"),  # type: ignore[attr-defined]
        "tool": call.tool,  # type: ignore[attr-defined]
        "rules": [
            {
                "id": h.rule_id,
                "category": h.category,
                "risk": h.risk,
                "title": h.title,
                "field": h.field,
                "matched": h.shown_text(),
            }
            for h in v.hits  # type: ignore[attr-defined]
        ],
        "reason": reason,
        "warnings": warnings,
    }
    if v.updated_output is not None:  # type: ignore[attr-defined]
        out["updated_output"] = v.updated_output  # type: ignore[attr-defined]
    return out


def as_text(call: object, v: object, reason: str, warnings: list[str], color: bool) -> str:
    dec = v.decision  # type: ignore[attr-defined]
    label = common.paint(dec.upper(), common.VERDICT_COLOR.get(dec, ""), color)
    what = call.tool or "prompt"  # type: ignore[attr-defined]
    event = call.raw_event.lstrip("?")  # type: ignore[attr-defined]
    lines = [f"{label}  risk {v.risk:.2f}  ({event} {what}, decided by {v.source})"]  # type: ignore[attr-defined]
    hits = v.hits  # type: ignore[attr-defined]
    if hits:
        lines.append("")
        lines.append(f"matched rules ({len(hits)}):")
        for h in hits:
            lines.append(f"  {h.rule_id}  [{h.category}, risk {h.risk:.2f}]  {h.title}")
            lines.append(f"      {h.field}: {h.shown_text()}")
    else:
        lines.append("no rule matched")
    if reason:
        lines.append("")
        lines.append("the model would see:")
        lines.extend("  " + ln for ln in reason.splitlines())
    if v.updated_output is not None:  # type: ignore[attr-defined]
        lines.append("")
        lines.append("tool output after redaction:")
        shown = json.dumps(v.updated_output, indent=2, ensure_ascii=False)  # type: ignore[attr-defined]
        lines.extend("  " + ln for ln in shown.splitlines())
    for w in warnings:
        lines.append(common.paint(f"warning: {w}", "dim", color))
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from guard.editors.base import BadInput

    warnings: list[str] = []
    payload = build_payload(args, warnings)
    cfg = common.load_config()
    try:
        call, v = common.run_payload(payload, cfg)
    except BadInput as e:
        raise UsageError(f"check: {e}", EXIT_USAGE) from None
    warnings = warnings + call.warnings + v.warnings
    reason = common.model_reason(call, v)
    if args.json:
        sys.stdout.write(json.dumps(as_json(call, v, reason, warnings), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(as_text(call, v, reason, warnings, common.use_color(False)))
    return exit_code(v.decision)
