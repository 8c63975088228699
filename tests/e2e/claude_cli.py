"""Install the pinned ``@anthropic-ai/claude-code`` from npm once, into a cache reused across runs.

The package ships the client as a native binary inside a per-platform optional
dependency (``@anthropic-ai/claude-code-linux-x64``); its postinstall links it
over ``bin/claude.exe``. If the postinstall did not run (npm's script policy),
the platform package's binary is used directly. Nothing here skips: when npm
or the registry is missing, the e2e suite fails and says why.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = "@anthropic-ai/claude-code"
# 2.1.197 is the newest release whose `engines` accepts Node 20 (what CI has);
# 2.1.330 (engines: Node >= 22) also runs here and passes: CLAMPD_E2E_CLAUDE_VERSION=2.1.330.
PINNED_VERSION = "2.1.197"
NPM_TIMEOUT_S = 300


class InstallError(Exception):
    """The CLI could not be installed or does not run; the message says what to fix."""


def version() -> str:
    return os.environ.get("CLAMPD_E2E_CLAUDE_VERSION", "").strip() or PINNED_VERSION


def cache_root() -> Path:
    return Path(os.environ.get("CLAMPD_E2E_CACHE", "").strip() or REPO / ".e2e-cache")


def _runs(binary: Path, want: str) -> bool:
    if not binary.is_file() or not os.access(binary, os.X_OK):
        return False
    try:
        p = subprocess.run([str(binary), "--version"], capture_output=True, timeout=60, env=_quiet_env())
    except (OSError, subprocess.TimeoutExpired):
        return False
    return p.returncode == 0 and p.stdout.decode(errors="replace").strip().startswith(want)


def _quiet_env() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DISABLE_AUTOUPDATER": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_TELEMETRY": "1",
        "DISABLE_ERROR_REPORTING": "1",
    }


def find_binary(prefix: Path, want: str) -> Path | None:
    """The runnable client in an npm prefix: the linked bin, else the platform package's ELF."""
    nm = prefix / "node_modules"
    candidates = [nm / ".bin" / "claude", nm / "@anthropic-ai" / "claude-code" / "bin" / "claude.exe"]
    candidates += sorted((nm / "@anthropic-ai").glob("claude-code-*/claude"))
    for c in candidates:
        if _runs(c, want):
            return c
    return None


def ensure_installed(want: str | None = None) -> Path:
    """Path of a runnable ``claude`` of the pinned version, installing it on first use."""
    want = want or version()
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"claude-code-{want}"
    with open(root / ".install.lock", "w") as lock:  # xdist workers share one install
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = find_binary(final, want)
        if found:
            return found
        npm = shutil.which("npm")
        if not npm:
            raise InstallError(
                f"npm is not on PATH: the e2e suite installs {PACKAGE}@{want} with npm (install Node.js and npm)"
            )
        staging = root / f".staging-{want}-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        cmd = [npm, "install", "--prefix", str(staging), "--no-save", "--no-package-lock", "--no-audit",
               "--no-fund", "--loglevel=error", f"{PACKAGE}@{want}"]
        try:
            p = subprocess.run(cmd, capture_output=True, timeout=NPM_TIMEOUT_S, cwd=staging)
        except subprocess.TimeoutExpired as e:
            shutil.rmtree(staging, ignore_errors=True)
            raise InstallError(f"`{' '.join(cmd)}` did not finish in {NPM_TIMEOUT_S}s (is the npm registry reachable?)") from e
        if p.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            tail = (p.stdout + p.stderr).decode(errors="replace")[-2000:]
            raise InstallError(f"`{' '.join(cmd)}` failed with exit {p.returncode}:\n{tail}")
        if find_binary(staging, want) is None:
            raise InstallError(f"{PACKAGE}@{want} installed into {staging} but no runnable `claude` was found there")
        shutil.rmtree(final, ignore_errors=True)
        staging.rename(final)  # a half-finished install is never mistaken for a good one
        found = find_binary(final, want)
        if found is None:  # pragma: no cover - the rename kept every file
            raise InstallError(f"{final}: the client stopped running after the move")
        return found
