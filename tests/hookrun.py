"""Run the real guard as a subprocess and check the stdout discipline Claude Code needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONSOLE = Path(sys.executable).parent / "clampd-guard"
LAUNCHER = REPO / "tests" / "launcher.py"
FAST = REPO / "guard" / "hookmain.py"


class Result:
    def __init__(self, proc: subprocess.CompletedProcess) -> None:
        self.code = proc.returncode
        self.stdout = proc.stdout.decode("utf-8")
        self.stderr = proc.stderr.decode("utf-8", "replace")
        assert "Traceback" not in self.stderr, self.stderr
        assert "Traceback" not in self.stdout, self.stdout
        assert self.code in (0, 2), (self.code, self.stderr)
        # Stdout is empty or exactly one JSON object (anything else makes the tool run).
        self.json = None
        if self.stdout:
            assert self.stdout.endswith("\n") and self.stdout.count("\n") == 1, self.stdout
            assert self.stdout.lstrip().startswith("{")
            self.json = json.loads(self.stdout)
            assert isinstance(self.json, dict)

    @property
    def decision(self) -> str | None:
        if not self.json:
            return None
        hso = self.json.get("hookSpecificOutput", {})
        return hso.get("permissionDecision")

    @property
    def reason(self) -> str:
        return (self.json or {}).get("hookSpecificOutput", {}).get("permissionDecisionReason", "")


def env_for(home: Path, extra: dict | None = None) -> dict:
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    env.update(extra or {})
    return env


def run(
    stdin: bytes | dict | None,
    home: Path,
    *,
    how: str = "console",
    managed: Path | None = None,
    slow: float | None = None,
    args: list[str] | None = None,
    env: dict | None = None,
    timeout: float = 30,
) -> Result:
    """how: 'console' (pip entry point), 'fast' (python -I -S hookmain.py) or 'launcher' (tests)."""
    data = json.dumps(stdin).encode() if isinstance(stdin, dict) else (stdin or b"")
    if how == "console":
        cmd = [str(CONSOLE)] + (args or [])
    elif how == "fast":
        cmd = [sys.executable, "-I", "-S", str(FAST)] + (args or [])
    else:
        cmd = [sys.executable, str(LAUNCHER)]
        if managed is not None:
            cmd += ["--managed", str(managed)]
        if slow is not None:
            cmd += ["--slow", str(slow)]
        cmd += ["--"] + (args or [])
        if managed is None:
            cmd[2:2] = ["--managed", str(home / "no-managed.json")]
    proc = subprocess.run(cmd, input=data, capture_output=True, env=env_for(home, env), timeout=timeout)
    return Result(proc)
