"""Editors run hooks in parallel: 200 concurrent hook processes leave exactly 200 audit rows.

Folds run while the hooks write (the claim-and-retry protocol of
``guard.audit.journal`` is what is under test), and the final count comes
from the real store through ``clampd-guard audit --sql``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests import auditlib as A
from tests.hookrun import CONSOLE, FAST

N = 200


@pytest.mark.slow
def test_200_parallel_hooks_leave_exactly_200_rows(home: Path) -> None:
    env = A.env(home)
    # 200 processes on a small CI machine: give each the time it needs (the deadline is tested elsewhere)
    A.user_config(home, deadline_ms=60000, stdin_timeout_ms=60000)
    # warm the rule cache first, so that 200 processes do not all rebuild it at once
    A.hook(A.pre_bash("true", "warm"), home)
    assert A.cli(home, "audit", "--sql", "SELECT 1").returncode == 0  # folds the warm-up record
    payloads = []
    for i in range(N):
        cmd = "rm -rf ~" if i % 10 == 0 else f"ls -la src/{i}"
        payloads.append(json.dumps(A.pre_bash(cmd, f"toolu_{i:03d}", session=f"s{i % 7}")).encode())
    procs = []
    folds = []
    for i, data in enumerate(payloads):
        p = subprocess.Popen([sys.executable, "-I", "-S", str(FAST)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)
        p.stdin.write(data)  # small: fits the pipe buffer, so this never blocks
        p.stdin.close()
        procs.append(p)
        if i % 40 == 20:  # folds racing with the writers
            folds.append(subprocess.Popen([str(CONSOLE), "audit", "--fold-only"], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    for i, p in enumerate(procs):
        out, err = p.stdout.read(), p.stderr.read()  # a few hundred bytes each: no pipe can fill
        p.wait(timeout=120)
        assert p.returncode == 0, err
        assert (b'"deny"' in out) == (i % 10 == 0)
    for f in folds:
        f.wait(timeout=120)
    r = A.cli(home, "audit", "--json", "--sql",
              "SELECT count(*) AS n, count(DISTINCT tool_use_id) AS ids, sum(verdict = 'deny') AS denied "
              "FROM decisions WHERE tool_use_id LIKE 'toolu_%'")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [{"n": N, "ids": N, "denied": N // 10}]
    # nothing left behind, and another fold adds nothing
    left = [p.name for p in A.state_dir(home).iterdir() if "journal" in p.name]
    assert left == []
    assert len(A.audit_json(home)) == N + 1
