"""Self-test calls for doctor: a destructive and a benign call, and strict readers of each editor's answer.

A reader says "deny" only for an answer the editor would really honour as a block
(see shared/protocols/hook-protocols.md): for example Claude Code ignores a deny whose
``hookEventName`` is missing, and Codex treats exit 2 with an empty stderr as a hook
failure and runs the tool.
"""

from __future__ import annotations

import json

DANGEROUS = "rm -rf ~"
BENIGN = "git status"


def parse_object(stdout: bytes) -> dict | None:
    """stdout as the one JSON object an editor reads, None when empty, {} when not an object."""
    text = stdout.decode("utf-8", "replace").strip()
    if not text:
        return None
    try:
        obj = json.loads(text)
    except ValueError:
        return {}
    return obj if isinstance(obj, dict) else {}


def describe(code: int, stdout: bytes, stderr: bytes) -> str:
    first = (stderr.decode("utf-8", "replace").strip().splitlines() or [""])[0][:160]
    out = stdout.decode("utf-8", "replace").strip()[:160]
    return f"exit {code}, stdout {out!r}" + (f", stderr {first!r}" if first else "")


def claude_like(event_key: str = "hookEventName", need_reason: bool = False, exit2_needs_stderr: bool = False):
    """Reader for Claude-shaped answers (Claude Code, Codex)."""

    def read(code: int, stdout: bytes, stderr: bytes) -> str:
        obj = parse_object(stdout)
        if code == 2 and (stderr.strip() or not exit2_needs_stderr):
            return "deny"
        if code not in (0, 2) and obj is None:
            return "other:" + describe(code, stdout, stderr)
        if obj is None:
            return "allow" if code == 0 else "other:" + describe(code, stdout, stderr)
        hso = obj.get("hookSpecificOutput")
        if isinstance(hso, dict) and hso.get(event_key) == "PreToolUse":
            decision = hso.get("permissionDecision")
            reason = hso.get("permissionDecisionReason")
            if decision == "deny" and (reason or not need_reason):
                return "deny"
            if decision in ("ask", "deny", "defer"):
                return "other:" + describe(code, stdout, stderr)
        if obj.get("decision") == "block" and (obj.get("reason") or not need_reason):
            return "deny"
        if obj == {} and stdout.strip():
            return "other:stdout is not one JSON object: " + describe(code, stdout, stderr)
        return "allow" if code == 0 else "other:" + describe(code, stdout, stderr)

    return read


def cursor(code: int, stdout: bytes, stderr: bytes) -> str:
    obj = parse_object(stdout)
    if code == 2:
        return "deny"
    if code == 0 and obj and obj.get("permission") == "deny":
        return "deny"
    if code == 0 and obj and obj.get("permission") == "allow":
        return "allow"
    return "other:" + describe(code, stdout, stderr)


def gemini(code: int, stdout: bytes, stderr: bytes) -> str:
    obj = parse_object(stdout)
    if code == 2:
        return "deny"
    if code == 0 and obj and obj.get("decision") in ("deny", "block"):
        return "deny"
    if code == 0 and (obj is None or (obj and obj.get("decision") in (None, "allow", "approve"))):
        return "allow"
    return "other:" + describe(code, stdout, stderr)


def copilot(code: int, stdout: bytes, stderr: bytes) -> str:
    obj = parse_object(stdout)
    if code == 0 and obj and obj.get("permissionDecision") == "deny":
        return "deny"
    if code == 0 and (obj is None or (obj and obj.get("permissionDecision") in (None, "allow"))):
        return "allow"
    return "other:" + describe(code, stdout, stderr)
