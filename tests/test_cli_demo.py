"""`clampd-guard demo`: realistic calls through the embedded rules, as a table."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tests.conftest import guard_exe

SUMMARY = re.compile(r"^(\d+) allowed, (\d+) asked, (\d+) denied, (\d+) redacted$", re.M)
ROW = re.compile(r"^\s*(\d+)\s+(PreToolUse|PostToolUse|UserPromptSubmit)\s+\S+\s+.*\s(ALLOW|ASK|DENY|REDACT)\s+(\S+)", re.M)


def demo(home: Path, *args: str, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    env.update(extra_env or {})
    proc = subprocess.run(guard_exe() + ["demo", *args], capture_output=True, env=env, timeout=30)
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert "Traceback" not in err and "Traceback" not in out, err
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_demo_table(home: Path) -> None:
    r = demo(home)
    assert r.returncode == 0, r.stderr
    rows = ROW.findall(r.stdout)
    assert len(rows) >= 10
    assert [int(n) for n, *_ in rows] == list(range(1, len(rows) + 1))
    verdicts = {v for _n, _e, v, _r in rows}
    assert {"ALLOW", "DENY"} <= verdicts
    assert {e for _n, e, _v, _r in rows} >= {"PreToolUse", "PostToolUse", "UserPromptSubmit"}
    # `rm -rf ~` is denied by the rule that exists for it; `ls -la` is allowed.
    lines = r.stdout.splitlines()
    rm_home = next(ln for ln in lines if re.search(r"\brm -rf ~\s", ln))
    assert "DENY" in rm_home and "shell.rm-vital" in rm_home
    assert "ALLOW" in next(ln for ln in lines if " ls -la " in ln)
    # The summary counts the rows.
    m = SUMMARY.search(r.stdout)
    assert m, r.stdout
    allowed, asked, denied, redacted = map(int, m.groups())
    assert allowed + asked + denied + redacted == len(rows)
    assert allowed == sum(v == "ALLOW" for *_x, v, _r in rows)
    assert denied == sum(v == "DENY" for *_x, v, _r in rows)


def test_no_colour_when_not_a_terminal(home: Path) -> None:
    r = demo(home)
    assert "\x1b" not in r.stdout


def test_no_colour_flag_and_no_color_env(home: Path) -> None:
    for args, env in ((["--no-color"], {}), ([], {"NO_COLOR": "1"})):
        r = demo(home, *args, extra_env=env)
        assert r.returncode == 0
        assert "\x1b" not in r.stdout
        assert SUMMARY.search(r.stdout)


def test_demo_ignores_user_configuration(home: Path) -> None:
    """No configuration needed, and a broken user file does not change the table."""
    (home / ".clampd").mkdir()
    (home / ".clampd" / "guard.json").write_text("{broken")
    r = demo(home)
    assert r.returncode == 0
    assert SUMMARY.search(r.stdout)
