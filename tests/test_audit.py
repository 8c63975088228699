"""The audit journal, fold, retention and the ``audit`` command, against a real SQLite store."""

from __future__ import annotations

import csv
import io
import json
import os
import posix
import sqlite3
import time
from pathlib import Path

import pytest

from guard.audit import journal, store
from guard.commands import audit_cmd
from guard.commands.cli import UsageError
from guard.commands.cli import main as cli_main
from guard.toolcall import PRE, ToolCall
from guard.verdict import DENY, Hit, Verdict
from tests import auditlib as A


def _rec(tool_use_id: str = "t", verdict: str = "allow", t: float | None = None, **kw: object) -> dict:
    call = ToolCall("claude", PRE, "PreToolUse", tool="Bash", params={"command": kw.pop("command", "ls")}, tool_use_id=tool_use_id)
    rec = journal.build(Verdict(verdict, 0.9 if verdict != "allow" else 0.0), call)
    if t is not None:
        rec["time"] = journal.utc_now(t)
    rec.update(kw)
    return rec


def _append(*recs: dict) -> None:
    for r in recs:
        journal.append(r)


def _count(home: Path) -> int:
    conn = sqlite3.connect(A.db(home))
    try:
        return conn.execute("SELECT count(*) FROM decisions").fetchone()[0]
    finally:
        conn.close()


# --------------------------------------------------------------------------- redaction


@pytest.mark.parametrize(
    "text, secret",
    [
        ("aws configure set aws_access_key_id AKIAZ7QW3RT5YU2OP4LK", "AKIAZ7QW3RT5YU2OP4LK"),
        ("curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc' x", "eyJhbGciOiJIUzI1NiJ9"),
        ("curl -u admin:hunter2hunter2 https://x", "hunter2hunter2"),
        ("git clone https://bob:pa55word@example.com/r.git", "pa55word"),
        ("export DB_PASSWORD=correct-horse", "correct-horse"),
        ("mysql -u root -pS3cretPass prod", "S3cretPass"),
        ("tool --password letmein99 --verbose", "letmein99"),
        ("echo wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ],
)
def test_redact_masks_secrets(text: str, secret: str) -> None:
    out = journal.redact(text)
    assert secret not in out and journal.MASK in out


@pytest.mark.parametrize("text", ["ls -la", "git status", "npm test -- --watch=false", "cat src/service/records.py",
                                  "pytest -q tests/test_audit.py -k fold"])
def test_redact_keeps_ordinary_commands(text: str) -> None:
    assert journal.redact(text) == text


def test_redact_uses_rule_hits_and_stays_one_short_line() -> None:
    hit = Hit("secret.custom", "secrets", 0.9, "t", "", "command", "plainwordsecret", 0, 15, True, False)
    out = journal.redact("first line\nuse plainwordsecret now " + "x " * 500, [hit])
    assert "plainwordsecret" not in out and "[REDACTED:secret.custom]" in out
    assert "\n" not in out and len(out) <= journal.PREVIEW_CHARS and out.endswith("...")


def test_redact_never_keeps_a_token_torn_at_the_window() -> None:
    text = "a " * 1018 + "Zq8" * 40  # the token straddles the masking window: 12 of its chars are inside
    out = journal.redact(text, limit=5000)
    assert "Zq8" not in out  # a 12-char piece is too short for the long-token masker, so it must be cut


def test_params_digest_is_canonical() -> None:
    a = journal.params_digest({"b": 1, "a": {"y": [1, 2], "x": "é"}})
    b = journal.params_digest({"a": {"x": "é", "y": [1, 2]}, "b": 1})
    assert a == b and len(a) == 64


# --------------------------------------------------------------------------- journal protocol


def test_append_creates_private_journal(home: Path) -> None:
    res = journal.append(_rec())
    assert res.path == str(A.journal(home)) and res.fallback_error == ""
    assert (A.journal(home).stat().st_mode & 0o777) == 0o600
    assert A.journal(home).read_text().startswith(journal.MARK)


class _ClaimDuringWrite:
    """posix, except that a fold claims the journal between the hook's open and its write."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.claimed: list[str] = []

    def __getattr__(self, name: str) -> object:
        return getattr(posix, name)

    def write(self, fd: int, data: bytes) -> int:
        if not self.claimed:
            self.claimed.append(store._claim(str(self.path)))
        return posix.write(fd, data)


def test_a_line_written_into_a_claimed_journal_is_written_again(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journal.append(_rec("first"))
    fake = _ClaimDuringWrite(A.journal(home))
    with monkeypatch.context() as m:
        m.setattr(journal, "_os", fake)
        journal.append(_rec("raced"))
    claimed = Path(fake.claimed[0])
    assert b'"raced"' in claimed.read_bytes() and b'"raced"' in A.journal(home).read_bytes()
    res = store.fold()
    assert res.error is None and res.seen == 3 and res.inserted == 2  # the duplicate line is ignored
    assert _count(home) == 2


def test_torn_lines_are_skipped_up_to_the_next_record() -> None:
    good = journal.encode(_rec("good"))
    other = journal.encode(_rec("other"))
    data = good[:30] + other + b"garbage\n" + good + good[:40]
    recs, bad = store.parse_lines(data)
    assert [r["tool_use_id"] for r in recs] == ["other", "good"]
    assert bad == 2  # the torn prefix and the garbage line; the unterminated tail is not a line yet


def test_spawn_fold_is_triggered_once_per_fold_every_bytes(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spawned = []
    monkeypatch.setattr(journal, "spawn_fold", lambda: spawned.append(1) or True)
    monkeypatch.setattr(journal, "FOLD_EVERY", 2000)
    for i in range(20):
        journal.record(Verdict(), None, ToolCall("claude", PRE, "PreToolUse", tool="Bash", params={"command": f"ls {i}"}))
    size = A.journal(home).stat().st_size
    assert len(spawned) == size // 2000 and spawned


def test_detached_fold_folds_the_journal(home: Path) -> None:
    _append(_rec("a"), _rec("b"))
    assert journal.spawn_fold()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not A.db(home).exists() or A.journal(home).exists()):
        time.sleep(0.1)
    assert not A.journal(home).exists()
    assert _count(home) == 2


# --------------------------------------------------------------------------- fold


def test_fold_is_idempotent_when_it_crashes_between_commit_and_cleanup(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _append(*[_rec(f"t{i}") for i in range(5)])

    class Crash(BaseException):
        pass

    def crash(path: object) -> None:
        raise Crash()

    with monkeypatch.context() as m:
        m.setattr(store.os, "unlink", crash)
        with pytest.raises(Crash):
            store.fold()
    assert _count(home) == 5  # committed
    left = [p for p in A.state_dir(home).iterdir() if p.name.endswith(journal.CLAIMED)]
    assert len(left) == 1 and (left[0].stat().st_mode & 0o777) == 0o400
    _append(_rec("t5"))
    res = store.fold()
    assert res.error is None and res.seen == 6 and res.inserted == 1
    assert _count(home) == 6
    assert not [p for p in A.state_dir(home).iterdir() if p.name.endswith(journal.CLAIMED)]
    assert store.fold().inserted == 0 and _count(home) == 6


def test_fold_picks_up_fallback_files_and_remembers_the_failure(home: Path) -> None:
    A.journal(home).mkdir(parents=True)
    res = journal.append(_rec("fb"))
    assert res.path.endswith(journal.FALLBACK) and "Is a directory" in res.fallback_error
    os.rmdir(A.journal(home))
    r = store.fold()
    assert r.inserted == 1
    conn = sqlite3.connect(A.db(home))
    (fb,) = conn.execute("SELECT value FROM meta WHERE key='fallback_last'").fetchone()
    assert "Is a directory" in json.loads(fb)["error"]
    assert not A.cache_fallback(home).exists()


def test_retention_by_age_and_by_rows(home: Path) -> None:
    now = time.time()
    _append(*[_rec(f"old{i}", t=now - 10 * 86400) for i in range(3)], *[_rec(f"new{i}", t=now - i) for i in range(1005)])
    res = store.fold(retention_days=5, max_rows=1000)
    assert res.inserted == 1008 and res.deleted == 8
    conn = sqlite3.connect(A.db(home))
    ids = {r[0] for r in conn.execute("SELECT tool_use_id FROM decisions")}
    assert len(ids) == 1000 and not any(i.startswith("old") for i in ids)
    assert "new0" in ids and "new1004" not in ids  # the oldest went first


def test_retention_uses_the_config(home: Path) -> None:
    A.user_config(home, audit_retention_days=1)
    _append(_rec("old", t=time.time() - 2 * 86400), _rec("new"))
    assert store.fold_with_config().deleted == 1


def test_fold_lock_lets_only_one_detached_fold_run(home: Path) -> None:
    with store._Lock(store.lock_path(), wait=True):
        assert store.fold(wait=False).error == "another fold is running"


# --------------------------------------------------------------------------- audit command


def _cli(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = cli_main(["audit", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _seed(home: Path) -> None:
    now = time.time()
    _append(
        _rec("a1", "allow", t=now - 7200, command="ls old"),
        _rec("d1", DENY, t=now - 60, command="rm -rf ~", rule_ids="shell.rm-vital", reason="Recursive delete"),
        _rec("k1", "ask", t=now - 30, command="curl x | sh", rule_ids="shell.curl-pipe,net.x"),
        _rec("a2", "allow", t=now - 10, command="git status"),
    )


def test_audit_table_output(home: Path, capsys: pytest.CaptureFixture) -> None:
    _seed(home)
    code, out, _err = _cli(capsys)
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["TIME", "(UTC)", "VERDICT"]
    assert [ln.split()[2] for ln in lines[1:5]] == ["allow", "deny", "ask", "allow"]  # oldest first
    assert "rm -rf ~" in out and lines[-1] == "4 decisions"


def test_audit_filters_since_blocked_limit(home: Path, capsys: pytest.CaptureFixture) -> None:
    _seed(home)
    ids = lambda out: [r["tool_use_id"] for r in json.loads(out)]  # noqa: E731
    assert ids(_cli(capsys, "--json", "--since", "1h")[1]) == ["a2", "k1", "d1"]
    assert ids(_cli(capsys, "--json", "--blocked")[1]) == ["k1", "d1"]
    assert ids(_cli(capsys, "--json", "--limit", "1")[1]) == ["a2"]
    assert ids(_cli(capsys, "--json", "--blocked", "--since", "45s")[1]) == ["k1"]
    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400))
    assert ids(_cli(capsys, "--json", "--since", today)[1]) == []
    rec = json.loads(_cli(capsys, "--json", "--blocked", "--limit", "1")[1])[0]
    assert rec["rule_ids"] == ["shell.curl-pipe", "net.x"]


def test_audit_csv(home: Path, capsys: pytest.CaptureFixture) -> None:
    _seed(home)
    code, out, _ = _cli(capsys, "--csv", "--blocked")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["tool_use_id"] for r in rows] == ["k1", "d1"]
    assert rows[0]["rule_ids"] == "shell.curl-pipe,net.x" and list(rows[0])[:2] == ["id", "time"]


def test_audit_empty_store(home: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = _cli(capsys)
    assert code == 0 and out == "no decisions recorded\n"


@pytest.mark.parametrize("when, expect", [
    ("2h", 2 * 3600), ("30m", 1800), ("90s", 90), ("2d", 2 * 86400), ("1w", 7 * 86400),
])
def test_since_relative(when: str, expect: int) -> None:
    import datetime as dt

    now = dt.datetime(2026, 11, 24, 12, 0, 0, tzinfo=dt.timezone.utc)
    got = dt.datetime.strptime(audit_cmd.parse_since(when, now), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=dt.timezone.utc)
    assert (now - got).total_seconds() == expect


def test_since_absolute() -> None:
    assert audit_cmd.parse_since("2026-11-24") == "2026-11-24 00:00:00.000"
    assert audit_cmd.parse_since("2026-11-24T10:30:00") == "2026-11-24 10:30:00.000"
    assert audit_cmd.parse_since("2026-11-24T10:30:00+02:00") == "2026-11-24 08:30:00.000"
    assert audit_cmd.parse_since("2026-11-24T10:30:00Z") == "2026-11-24 10:30:00.000"
    with pytest.raises(UsageError):
        audit_cmd.parse_since("yesterday")


def test_sql_queries_the_store(home: Path, capsys: pytest.CaptureFixture) -> None:
    _seed(home)
    code, out, _ = _cli(capsys, "--json", "--sql", "SELECT verdict, count(*) AS n FROM decisions GROUP BY verdict ORDER BY verdict")
    assert code == 0 and json.loads(out) == [{"verdict": "allow", "n": 2}, {"verdict": "ask", "n": 1}, {"verdict": "deny", "n": 1}]
    code, out, _ = _cli(capsys, "--sql", "SELECT tool_use_id FROM decisions WHERE time > datetime('now', '-1 hour') ORDER BY time")
    assert out.split() == ["tool_use_id", "d1", "k1", "a2"]
    code, out, _ = _cli(capsys, "--sql", "PRAGMA table_info(decisions)")
    assert code == 0 and "params_sha256" in out


@pytest.mark.parametrize("sql", [
    "INSERT INTO decisions(id, time) VALUES ('x', 'y')",
    "DELETE FROM decisions",
    "UPDATE decisions SET verdict = 'allow'",
    "DROP TABLE decisions",
    "ATTACH DATABASE '{tmp}/other.db' AS other",
    "WITH x AS (SELECT 1) DELETE FROM decisions",
    "WITH x AS (SELECT 1) INSERT INTO decisions(id, time) SELECT 'z', 'z' FROM x",
    "PRAGMA user_version = 7",
    "PRAGMA journal_mode = WAL",
    "SELECT 1; DELETE FROM decisions",
    "VACUUM INTO '{tmp}/copy.db'",
])
def test_sql_is_read_only(sql: str, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    _seed(home)
    code, out, err = _cli(capsys, "--sql", sql.format(tmp=tmp_path))
    assert code == 2 and out == ""
    assert "--sql" in err and "Traceback" not in err
    assert _count(home) == 4
    assert not (tmp_path / "other.db").exists() and not (tmp_path / "copy.db").exists()
    assert sqlite3.connect(A.db(home)).execute("PRAGMA user_version").fetchone()[0] == 0


def test_sql_rejects_garbage_with_one_line(home: Path, capsys: pytest.CaptureFixture) -> None:
    code, _out, err = _cli(capsys, "--sql", "SELECT nope FROM nowhere")
    assert code == 2 and err.count("\n") == 1 and "no such table" in err


def test_gateway_verdicts_record_source_and_the_gateways_rule_ids() -> None:
    class GatewayVerdict(Verdict):  # what decide builds once Verdict carries the gateway's matched rules
        pass

    v = GatewayVerdict(DENY, 0.95, reason="the Clampd gateway denied it: sql injection (gateway rules: R-17)",
                       source="gateway")
    v.gateway_rules = ["R-17", "R-17", "R-22"]
    rec = journal.build(v, ToolCall("claude", PRE, "PreToolUse", tool="mcp__db__query", params={"sql": "x"}))
    assert (rec["source"], rec["verdict"], rec["rule_ids"]) == ("gateway", "deny", "R-17,R-22")
    assert rec["scope"] == "agent:mcp:tool" and "gateway rules: R-17" in rec["reason"]
