"""Every hook exit path leaves exactly one audit record, and no record holds a secret.

These run the real hook process and read the real SQLite store after
``clampd-guard audit`` folded the journal into it.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from guard.verdict import Verdict
from tests import auditlib as A
from tests.hookrun import Result


def test_allow_and_deny_records_have_every_field(home: Path) -> None:
    r1 = A.hook(A.pre_bash("ls -la", "toolu_allow"), home)
    r2 = A.hook(A.pre_bash("rm -rf ~", "toolu_deny"), home)
    assert (r1.code, r1.stdout) == (0, "") and r2.decision == "deny"
    recs = {r["tool_use_id"]: r for r in A.audit_json(home)}
    assert set(recs) == {"toolu_allow", "toolu_deny"}
    allow, deny = recs["toolu_allow"], recs["toolu_deny"]
    assert allow["verdict"] == "allow" and allow["source"] == "local" and allow["rule_ids"] == []
    assert deny["verdict"] == "deny" and deny["rule_ids"] == ["shell.rm-vital"] and deny["risk"] >= 0.9
    assert "Recursive delete" in deny["reason"]
    for rec in (allow, deny):
        assert rec["editor"] == "claude" and rec["event"] == "pre" and rec["raw_event"] == "PreToolUse"
        assert rec["session_id"] == "sess-1" and rec["tool"] == "Bash" and rec["scope"] == "exec:shell:run"
        assert rec["cwd"] == "/home/dev/project"
        assert rec["ruleset"].startswith("embedded:")
        assert rec["latency_ms"] > 0
        assert len(rec["id"]) == 32 and rec["time"][:2] == "20" and len(rec["time"]) == 23
    assert allow["preview"] == "ls -la" and deny["preview"] == "rm -rf ~"
    # the digest is SHA-256 of the canonical params: sorted keys, compact JSON
    canon = json.dumps({"command": "ls -la", "description": "run"}, sort_keys=True, separators=(",", ":"))
    assert allow["params_sha256"] == hashlib.sha256(canon.encode()).hexdigest()


def test_post_and_prompt_events_are_recorded(home: Path) -> None:
    post = {
        "session_id": "s2", "hook_event_name": "PostToolUse", "tool_name": "Read",
        "tool_input": {"file_path": "/p/.env"}, "tool_use_id": "toolu_post",
        "tool_response": {"type": "text", "file": {"filePath": "/p/.env", "content": "KEY=ghp_R8x2Lq9VtZ4mW7nB3kP6sD1fH5jC0aYe2Gu8\n"}},
    }
    r = A.hook(post, home)
    assert r.json["hookSpecificOutput"]["updatedToolOutput"]
    A.hook({"session_id": "s2", "hook_event_name": "UserPromptSubmit", "prompt": "refactor the parser"}, home)
    recs = {r["event"]: r for r in A.audit_json(home)}
    assert recs["post"]["verdict"] == "redact" and "secret.github-token" in recs["post"]["rule_ids"]
    assert recs["post"]["scope"] == "fs:read:file" and recs["post"]["preview"] == "/p/.env"
    assert recs["prompt"]["raw_event"] == "UserPromptSubmit" and recs["prompt"]["preview"] == "refactor the parser"


BAD = {
    "invalid-json": b'{"hook_event_name": "PreToolUse", "tool_name": ',
    "array": b"[1, 2]",
    "empty": b"",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_recorded_as_failsafe(name: str, home: Path) -> None:
    r = A.hook(BAD[name], home)
    assert r.code == 0 and "warning" in r.stderr  # fail-open verdict unchanged
    (rec,) = A.audit_json(home)
    assert rec["source"] == "failsafe" and rec["verdict"] == "allow" and rec["reason"]


def test_bad_input_fail_closed_is_recorded_as_deny(home: Path) -> None:
    A.user_config(home, fail_open=False)
    r = A.hook(BAD["invalid-json"], home)
    assert r.code == 2
    (rec,) = A.audit_json(home)
    assert (rec["verdict"], rec["source"]) == ("deny", "failsafe")
    assert rec["params_sha256"] == hashlib.sha256(BAD["invalid-json"]).hexdigest()  # digest of the raw input


def test_unparseable_attack_record_names_the_rule(home: Path) -> None:
    raw = b'{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf ~"}'
    assert A.hook(raw, home).code == 2
    (rec,) = A.audit_json(home)
    assert rec["verdict"] == "deny" and rec["rule_ids"] == ["shell.rm-vital"]


def test_unknown_agent_is_recorded(home: Path) -> None:
    r = A.hook(A.pre_bash("ls"), home, args=["--agent", "nosuch"])
    assert r.code == 0
    (rec,) = A.audit_json(home)
    assert rec["source"] == "failsafe" and "nosuch" in rec["reason"]


def test_deadline_path_is_recorded(home: Path) -> None:
    A.user_config(home, deadline_ms=1500)
    r = A.hook(A.pre_bash("ls -la", "toolu_slow"), home, slow=8)
    assert r.code == 0 and "ran out of time" in r.stderr
    (rec,) = A.audit_json(home)
    assert rec["source"] == "failsafe" and "ran out of time" in rec["reason"]
    assert rec["tool_use_id"] == "toolu_slow" and rec["tool"] == "Bash"  # the parsed call is known


RAISER = """
import sys
sys.path.insert(0, {repo!r})
import guard.config.paths as paths
paths.MANAGED_CONFIG = {managed!r}
import guard.decide as decide
def broken(*a, **k):
    raise RuntimeError("engine exploded")
decide.judge = broken
from guard.entry import main
sys.exit(main([]))
"""


def test_internal_error_path_is_recorded(home: Path) -> None:
    A.user_config(home, fail_open=False)
    script = RAISER.format(repo=str(Path(__file__).resolve().parent.parent), managed=str(home / "none.json"))
    proc = subprocess.run([sys.executable, "-c", script], input=json.dumps(A.pre_bash("ls")).encode(),
                          capture_output=True, env=A.env(home), timeout=60)
    r = Result(proc)
    assert r.decision == "deny" and "internal error" in r.reason
    (rec,) = A.audit_json(home)
    assert (rec["verdict"], rec["source"]) == ("deny", "failsafe") and "RuntimeError" in rec["reason"]


def test_audit_false_records_nothing_unless_managed_forces_it(home: Path, tmp_path: Path) -> None:
    A.user_config(home, audit=False)
    A.hook(A.pre_bash("ls"), home)
    assert not A.journal(home).exists()
    assert A.audit_json(home) == []
    managed = tmp_path / "managed.json"
    managed.write_text(json.dumps({"audit": True}))
    A.hook(A.pre_bash("ls", "toolu_forced"), home, managed=managed)
    assert A.journal(home).exists()
    assert [r["tool_use_id"] for r in A.audit_json(home)] == ["toolu_forced"]


# --------------------------------------------------------------------------- secrets

AWS = "AKIAZ7QW3RT5YU2OP4LK"
GH = "ghp_R8x2Lq9VtZ4mW7nB3kP6sD1fH5jC0aYe2Gu8"
PW = "Tr0ub4dor-3xyzzy"
SECRETS = (AWS, GH, PW)

SECRET_CALLS = [
    A.pre_bash(f"aws configure set aws_access_key_id {AWS}", "t1"),
    A.pre_bash(f"curl -H 'Authorization: token {GH}' https://api.github.com/user", "t2"),
    A.pre_bash(f"mysql -u root -p{PW} prod", "t3"),
    A.pre_bash(f"PGPASSWORD={PW} psql -h db -c 'select 1'", "t4"),
    A.pre_bash(f"git clone https://bob:{PW}@git.example.com/team/repo.git", "t5"),
    A.pre_bash(f"rm -rf ~ ; export GITHUB_TOKEN={GH}", "t6"),
    {"hook_event_name": "PostToolUse", "tool_name": "Bash", "tool_use_id": "t7", "session_id": "s",
     "tool_input": {"command": "cat .env"},
     "tool_response": {"stdout": f"AWS_ACCESS_KEY_ID={AWS}\nGITHUB_TOKEN={GH}\nDB_PASSWORD={PW}\n", "stderr": ""}},
    {"hook_event_name": "PreToolUse", "tool_name": "mcp__db__query", "tool_use_id": "t8", "session_id": "s",
     "tool_input": {"user": "admin", "password": PW, "token": GH}},
]


def _assert_no_secret(*files: Path) -> None:
    for f in files:
        if f.exists():
            data = f.read_bytes()
            for s in SECRETS:
                assert s.encode() not in data, (f, s)


def test_no_secret_in_any_column_journal_or_fallback(home: Path) -> None:
    for call in SECRET_CALLS:
        A.hook(call, home)
    _assert_no_secret(A.journal(home))
    recs = A.audit_json(home)
    assert len(recs) == len(SECRET_CALLS)
    dump = json.dumps(recs)
    for s in SECRETS:
        assert s not in dump
    _assert_no_secret(A.db(home))
    assert any("[MASKED]" in r["preview"] for r in recs)
    # the same calls through the fallback path (a directory where the journal should be)
    A.journal(home).mkdir()
    for call in SECRET_CALLS:
        A.hook(call, home)
    _assert_no_secret(A.cache_fallback(home))
    assert A.cache_fallback(home).exists()
    assert len(A.audit_json(home)) == 2 * len(SECRET_CALLS)
    _assert_no_secret(A.db(home))


# --------------------------------------------------------------------------- failures


def test_journal_failure_goes_to_fallback_and_status_reports_it(home: Path) -> None:
    A.journal(home).mkdir(parents=True)  # a directory where the journal file should be (EISDIR)
    r = A.hook(A.pre_bash("rm -rf ~", "toolu_fb"), home)
    assert r.decision == "deny"  # the verdict stands
    fb = A.cache_fallback(home)
    assert fb.exists() and stat.S_IMODE(fb.stat().st_mode) == 0o600
    line = json.loads(fb.read_text())
    assert line["tool_use_id"] == "toolu_fb" and "audit-journal.jsonl" in line["fallback_error"]
    st = A.cli(home, "status", "--json")
    assert st.returncode == 1
    report = json.loads(st.stdout)
    assert any("fallback" in p for p in report["audit"]["problems"])
    assert report["audit"]["rows"] == 1 and report["audit"]["fallback_records"] == 1
    assert not fb.exists()  # folded
    (rec,) = A.audit_json(home)
    assert rec["tool_use_id"] == "toolu_fb" and rec["fallback_error"]
    # the failure stays visible after the fallback file was folded
    assert any("fallback" in p for p in json.loads(A.cli(home, "status", "--json").stdout)["audit"]["problems"])


def test_state_and_cache_unwritable_uses_private_temp_fallback(home: Path) -> None:
    (home / ".local").mkdir()
    (home / ".local" / "state").write_text("not a directory")  # ENOTDIR for the state dir
    (home / ".cache").write_text("not a directory")
    r = A.hook(A.pre_bash("ls", "toolu_tmp"), home)
    assert (r.code, r.stdout) == (0, "")
    fb = A.tmp_fallback(home)
    assert fb.exists() and stat.S_IMODE(fb.stat().st_mode) == 0o600
    assert stat.S_IMODE(fb.parent.stat().st_mode) == 0o700
    # the store itself cannot be created: audit still shows the record, read from the fallback
    out = A.cli(home, "audit", "--json")
    assert out.returncode == 0 and "cannot be written" in out.stderr
    assert [r["tool_use_id"] for r in json.loads(out.stdout)] == ["toolu_tmp"]
    st = A.cli(home, "status", "--json")
    assert st.returncode == 1 and "cannot be written" in " ".join(json.loads(st.stdout)["audit"]["problems"])


def test_store_is_private(home: Path) -> None:
    A.hook(A.pre_bash("ls"), home)
    assert stat.S_IMODE(A.journal(home).stat().st_mode) == 0o600
    A.audit_json(home)
    assert stat.S_IMODE(A.db(home).stat().st_mode) == 0o600
    assert not A.journal(home).exists()  # folded and removed
    assert not [p for p in A.state_dir(home).iterdir() if p.name.endswith(".claimed")]


def test_records_survive_a_removed_store(home: Path) -> None:
    """Deleting the db does not break the hook; the next fold recreates it."""
    A.hook(A.pre_bash("ls", "a"), home)
    A.audit_json(home)
    os.unlink(A.db(home))
    A.hook(A.pre_bash("ls", "b"), home)
    assert [r["tool_use_id"] for r in A.audit_json(home)] == ["b"]


def test_a_hook_that_grows_the_journal_past_a_mebibyte_starts_a_detached_fold(home: Path) -> None:
    """Users who never run `audit` still get folding and retention; the hook does not wait for it."""
    import time

    from guard.audit import journal

    A.user_config(home)
    j = A.journal(home)
    j.parent.mkdir(parents=True)
    filler = []
    size = 0
    i = 0
    while True:  # valid records up to just below the first FOLD_EVERY boundary
        line = journal.encode(dict(journal.build(Verdict(), None), tool_use_id=f"old{i}"))
        if size + len(line) >= journal.FOLD_EVERY - 10:
            break
        filler.append(line)
        size += len(line)
        i += 1
    j.write_bytes(b"".join(filler))
    r = A.hook(A.pre_bash("ls", "toolu_crossing"), home)
    assert (r.code, r.stdout) == (0, "")
    def journals() -> list[str]:  # the live journal and claimed ones (deleted only after the commit)
        return [p.name for p in A.state_dir(home).iterdir() if p.name.startswith("audit-journal")]

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and journals():
        time.sleep(0.1)
    assert journals() == []  # claimed, folded and committed by the detached process
    got = A.rows(home, "SELECT count(*) AS n, sum(tool_use_id = 'toolu_crossing') AS crossing FROM decisions")
    assert got == [{"n": len(filler) + 1, "crossing": 1}]

