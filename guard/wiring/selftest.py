"""Run a wired hook command exactly as an editor would, and read its answer in that editor's protocol."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

from guard.wiring.base import Editor, Probe


def run_command(command: str, payload: dict, timeout_s: float, cwd: str) -> tuple[int, bytes, bytes]:
    """``sh -c COMMAND`` with one line of JSON on stdin (how Claude Code, Cursor and Codex run hooks)."""
    data = (json.dumps(payload) + "\n").encode()
    argv = ["/bin/sh", "-c", command] if os.name != "nt" else command
    try:
        p = subprocess.run(
            argv,  # type: ignore[arg-type]
            input=data,
            check=False,
            capture_output=True,
            cwd=cwd,
            timeout=timeout_s,
            shell=os.name == "nt",
        )
    except subprocess.TimeoutExpired:
        return -1, b"", f"no answer within {timeout_s:g}s (the editor would kill it and run the tool)".encode()
    except OSError as e:
        return -1, b"", f"cannot run it: {e}".encode()
    return p.returncode, p.stdout, p.stderr


def probe(command: str, pr: Probe, timeout_s: float, cwd: str) -> tuple[str, str]:
    """(verdict, evidence): verdict is deny | allow | other."""
    code, out, err = run_command(command, pr.payload, timeout_s, cwd)
    if code == -1:
        return "other", err.decode()
    v = pr.verdict(code, out, err)
    if v.startswith("other:"):
        return "other", v[6:]
    return v, ""


def self_test(ed: Editor, command: str, timeout_s: float) -> tuple[bool, str]:
    """(passed, detail): a benign call must be allowed and a destructive one denied.

    The benign call goes first: it also warms the guard's caches (a fresh install
    builds its rule cache on the first call), so the deny verdict is the steady one.
    """
    with tempfile.TemporaryDirectory(prefix="clampd-doctor-") as cwd:
        allowed, why_a = probe(command, ed.allow_probe(cwd), timeout_s, cwd)
        v, why = probe(command, ed.deny_probe(cwd), timeout_s, cwd)
        if v != "deny":
            what = "ALLOWED" if v == "allow" else "not denied"
            return False, f"'rm -rf ~' was {what} through the wired command" + (f" ({why})" if why else "")
        if allowed != "allow":
            return False, "a benign 'git status' was not allowed through the wired command" + (f" ({why_a})" if why_a else "")
    return True, "'rm -rf ~' denied and 'git status' allowed through the wired command"


def python_ok() -> bool:  # pragma: no cover - trivial
    return bool(sys.executable)
