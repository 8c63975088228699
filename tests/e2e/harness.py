"""One isolated Claude Code run: a throwaway HOME and project, the guard wired in, the fake model on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.e2e.fakemodel import FakeModel, Script

CONSOLE = Path(sys.executable).parent / "clampd-guard"
RUN_TIMEOUT_S = 120
TOOLS = "Bash,Read,Write"


@dataclass
class Sandbox:
    root: Path
    home: Path
    project: Path
    tmp: Path

    @classmethod
    def create(cls, root: Path) -> Sandbox:
        box = cls(root, root / "home", root / "project", root / "cctmp")
        for d in (box.home, box.project, box.tmp):
            d.mkdir(parents=True)
        return box

    def env(self, base_url: str) -> dict[str, str]:
        """A clean environment (no inherited HOME, XDG or ANTHROPIC variables) that keeps the client offline."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "ANTHROPIC_BASE_URL": base_url,
            "ANTHROPIC_API_KEY": "sk-e2e-fake-key",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_AUTOUPDATER": "1",
            "DISABLE_TELEMETRY": "1",
            "DISABLE_ERROR_REPORTING": "1",
            "CLAUDE_CODE_TMPDIR": str(self.tmp),
        }
        if os.geteuid() == 0:  # --dangerously-skip-permissions refuses root without it
            env["IS_SANDBOX"] = "1"
        return env

    def guard_env(self) -> dict[str, str]:
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.home), "LANG": "C.UTF-8"}


def guard_cli(box: Sandbox, *args: str) -> subprocess.CompletedProcess:
    """The management CLI, as the user runs it, with the sandbox's HOME and the project as cwd."""
    p = subprocess.run([str(CONSOLE), *args], capture_output=True, env=box.guard_env(), cwd=box.project, timeout=60)
    assert p.returncode == 0, (args, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"))
    return p


def wire_guard(box: Sandbox, scope: str = "user") -> Path:
    """Wire the guard the way a user does (``clampd-guard install --editor claude``); return the settings file."""
    guard_cli(box, "install", "--editor", "claude", "--scope", scope, "--project", str(box.project))
    settings = (box.home if scope == "user" else box.project) / ".claude" / "settings.json"
    assert "hookmain.py" in settings.read_text(), settings.read_text()
    return settings


@dataclass
class Run:
    proc: subprocess.CompletedProcess
    events: list[dict]
    fake: FakeModel
    stderr: str = ""
    result: dict = field(default_factory=dict)

    def hook_responses(self, event: str | None = None) -> list[dict]:
        """The client's own record of each hook it ran (stream-json with --include-hook-events)."""
        out = [e for e in self.events if e.get("type") == "system" and e.get("subtype") == "hook_response"]
        return [e for e in out if event is None or e.get("hook_event") == event or e.get("hook_name", "").startswith(event)]

    def describe(self) -> str:
        return f"exit={self.proc.returncode}\nstderr={self.stderr[-2000:]}\nresult={json.dumps(self.result)[:2000]}"


def run_claude(claude: Path, box: Sandbox, prompt: str, script: Script) -> Run:
    """``claude -p`` in the project dir against a fake model that plays ``script``."""
    with FakeModel(script) as fake:
        cmd = [
            str(claude),
            "-p",
            prompt,
            "--output-format",
            "stream-json",
            "--verbose",
            "--include-hook-events",
            "--dangerously-skip-permissions",
            "--tools",
            TOOLS,
        ]
        proc = subprocess.run(cmd, cwd=box.project, env=box.env(fake.base_url), capture_output=True, timeout=RUN_TIMEOUT_S)
    events = []
    for line in proc.stdout.decode(errors="replace").splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                events.append(json.loads(line))
            except ValueError:
                pass
    run = Run(proc, events, fake, proc.stderr.decode(errors="replace"))
    results = [e for e in events if e.get("type") == "result"]
    run.result = results[-1] if results else {}
    return run
