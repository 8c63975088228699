"""Management side of the audit trail: the SQLite store, the fold, retention and queries.

Never imported on the hook path (sqlite3 alone costs about one interpreter
start). ``fold`` moves journal and fallback lines into SQLite exactly once:

1. take the fold lock (one fold at a time);
2. open the database first: if it cannot be written, nothing is claimed;
3. claim each journal/fallback file: rename it aside, then ``chmod 0400`` it
   (the hook's signal to write its line again, see ``journal``);
4. parse every claimed file (also ones left by a fold that crashed), insert
   with ``INSERT OR IGNORE`` keyed on the record id, apply retention, commit
   in one transaction;
5. delete the claimed files. A crash between 4 and 5 only leaves files whose
   ids are already stored: the next fold ignores them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from guard.audit import journal
from guard.config import paths

DB_NAME = "audit.db"
SCHEMA_VERSION = 1

COLUMNS = (
    ("id", "TEXT PRIMARY KEY"),
    ("time", "TEXT NOT NULL"),
    ("editor", "TEXT"),
    ("event", "TEXT"),
    ("raw_event", "TEXT"),
    ("session_id", "TEXT"),
    ("tool_use_id", "TEXT"),
    ("tool", "TEXT"),
    ("scope", "TEXT"),
    ("verdict", "TEXT"),
    ("source", "TEXT"),
    ("risk", "REAL"),
    ("rule_ids", "TEXT"),
    ("reason", "TEXT"),
    ("latency_ms", "REAL"),
    ("ruleset", "TEXT"),
    ("params_sha256", "TEXT"),
    ("preview", "TEXT"),
    ("cwd", "TEXT"),
    ("fallback_error", "TEXT"),
)
NAMES = tuple(n for n, _t in COLUMNS)

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS decisions ("
    + ", ".join(f"{n} {t}" for n, t in COLUMNS)
    + ")",
    "CREATE INDEX IF NOT EXISTS decisions_time ON decisions(time)",
    "CREATE INDEX IF NOT EXISTS decisions_verdict_time ON decisions(verdict, time)",
    "CREATE INDEX IF NOT EXISTS decisions_session ON decisions(session_id, time)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
)


def db_path() -> str:
    return os.path.join(paths.user_state_dir(), DB_NAME)


def lock_path() -> str:
    return os.path.join(paths.user_state_dir(), "audit.lock")


def sources() -> list[str]:
    """Every file the hook may have appended records to."""
    return [journal.journal_path(), *journal.fallback_paths()]


# --------------------------------------------------------------------------- parsing


def parse_lines(data: bytes) -> tuple[list[dict], int]:
    """(records, bad line count). A torn line is skipped up to the next record marker."""
    out: list[dict] = []
    bad = 0
    mark = journal.MARK.encode("ascii")
    for raw in data.split(b"\n")[:-1]:  # the piece after the last newline is incomplete
        if not raw.strip():
            continue
        start = raw.rfind(mark)
        if start < 0:
            bad += 1
            continue
        if start > 0:
            bad += 1  # the torn prefix of another write
        try:
            rec = json.loads(raw[start:].decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            bad += 1
            continue
        if isinstance(rec, dict) and isinstance(rec.get("id"), str) and isinstance(rec.get("time"), str):
            out.append(rec)
        else:
            bad += 1
    return out, bad


def pending_files() -> list[str]:
    """Live journal/fallback files plus claimed ones a previous fold left behind."""
    found = []
    for src in sources():
        d, base = os.path.split(src)
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for n in sorted(names):
            if n == base or (n.startswith(base + ".") and n.endswith(journal.CLAIMED)):
                found.append(os.path.join(d, n))
    return found


def read_pending() -> tuple[list[dict], int, list[str]]:
    """Records not yet folded (read only, nothing claimed): (records, bad lines, errors)."""
    recs: list[dict] = []
    bad = 0
    errors = []
    for f in pending_files():
        try:
            got, b = parse_lines(Path(f).read_bytes())
        except OSError as e:
            errors.append(f"{f}: {e.strerror or e}")
            continue
        recs += got
        bad += b
    return recs, bad, errors


# --------------------------------------------------------------------------- database


def connect(path: str) -> sqlite3.Connection:
    """Open (creating 0600 if needed) the store for writing, with the schema in place."""
    Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not os.path.exists(path):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=10000")
    create_schema(conn)
    return conn


def create_schema(conn: sqlite3.Connection) -> None:
    for stmt in SCHEMA:
        conn.execute(stmt)
    conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES('schema', ?)", (str(SCHEMA_VERSION),))


def insert(conn: sqlite3.Connection, recs: Iterable[dict]) -> int:
    """INSERT OR IGNORE by id; returns how many rows were new."""
    before = conn.total_changes
    sql = f"INSERT OR IGNORE INTO decisions({', '.join(NAMES)}) VALUES({', '.join('?' for _ in NAMES)})"
    conn.executemany(sql, (tuple(_cell(r.get(n)) for n in NAMES) for r in recs))
    return conn.total_changes - before


def _cell(v: object) -> object:
    if v is None or isinstance(v, (str, int, float)):
        return v
    return json.dumps(v)


def cutoff(days: int, now: float | None = None) -> str:
    return journal.utc_now((time.time() if now is None else now) - days * 86400)


def apply_retention(conn: sqlite3.Connection, days: int, max_rows: int) -> int:
    """Delete rows older than ``days`` and beyond the newest ``max_rows``; returns rows deleted."""
    before = conn.total_changes
    conn.execute("DELETE FROM decisions WHERE time < ?", (cutoff(days),))
    conn.execute(
        "DELETE FROM decisions WHERE rowid IN (SELECT rowid FROM decisions ORDER BY time DESC, rowid DESC LIMIT -1 OFFSET ?)",
        (max_rows,),
    )
    return conn.total_changes - before


def set_meta(conn: sqlite3.Connection, key: str, value: object) -> None:
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", (key, json.dumps(value)))


def get_meta(conn: sqlite3.Connection, key: str) -> object:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return json.loads(row[0]) if row else None


# --------------------------------------------------------------------------- fold


class FoldResult:
    """What one fold did; ``error`` is set when the store could not be written."""

    def __init__(self) -> None:
        self.inserted = 0
        self.seen = 0
        self.bad_lines = 0
        self.deleted = 0
        self.error: str | None = None
        self.skipped: list[str] = []  # files that could not be claimed (left for later)


class _Lock:
    """An exclusive advisory lock on the fold lock file (no-op where fcntl is missing)."""

    def __init__(self, path: str, wait: bool) -> None:
        self.path, self.wait, self.fd = path, wait, -1

    def __enter__(self) -> bool:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return True
        Path(self.path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return False
        return True

    def __exit__(self, *exc: object) -> None:
        if self.fd >= 0:
            os.close(self.fd)


def _claim(path: str) -> str | None:
    """Rename a live file aside and clear its write bits; None if there is nothing to claim."""
    claimed = f"{path}.{os.getpid()}-{time.time_ns()}{journal.CLAIMED}"
    try:
        os.rename(path, claimed)
    except FileNotFoundError:
        return None
    os.chmod(claimed, 0o400)
    return claimed


def fold(retention_days: int = 90, max_rows: int = 1_000_000, wait: bool = True, db: str | None = None) -> FoldResult:
    """Move every pending record into SQLite exactly once, then apply retention."""
    res = FoldResult()
    db = db or db_path()
    try:
        lock = _Lock(lock_path(), wait)
        got = lock.__enter__()
    except OSError as e:
        res.error = f"audit store cannot be written (fold lock {lock_path()}: {e.strerror or e})"
        return res
    try:
        if not got:
            res.error = "another fold is running"
            return res
        try:
            conn = connect(db)
        except (OSError, sqlite3.Error) as e:
            res.error = f"audit store {db} cannot be written: {_why(e)}"
            return res
        try:
            return _fold_into(conn, res, retention_days, max_rows)
        except sqlite3.Error as e:
            res.error = f"audit store {db} cannot be written: {_why(e)}"
            return res
        finally:
            conn.close()
    finally:
        lock.__exit__()


def _fold_into(conn: sqlite3.Connection, res: FoldResult, retention_days: int, max_rows: int) -> FoldResult:
    live = set(sources())
    files = []
    for f in pending_files():
        if f in live:
            try:
                c = _claim(f)
            except OSError as e:
                res.skipped.append(f"{f}: {e.strerror or e}")
                continue
            if c:
                files.append(c)
        else:
            files.append(f)
    recs: list[dict] = []
    unreadable = set()
    for f in files:
        try:
            got, bad = parse_lines(Path(f).read_bytes())
        except OSError as e:
            res.skipped.append(f"{f}: {e.strerror or e}")
            unreadable.add(f)
            continue
        recs += got
        res.bad_lines += bad
    res.seen = len(recs)
    conn.execute("BEGIN IMMEDIATE")
    try:
        res.inserted = insert(conn, recs)
        fb = [r for r in recs if r.get("fallback_error")]
        if fb:
            last = max(fb, key=lambda r: r["time"])
            total = (get_meta(conn, "fallback_records") or 0) + len(fb)
            set_meta(conn, "fallback_records", total)
            set_meta(conn, "fallback_last", {"time": last["time"], "error": last["fallback_error"]})
        if res.bad_lines:
            set_meta(conn, "bad_lines", (get_meta(conn, "bad_lines") or 0) + res.bad_lines)
        res.deleted = apply_retention(conn, retention_days, max_rows)
        set_meta(conn, "last_fold", journal.utc_now(time.time()))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    for f in files:
        if f not in unreadable:
            try:
                os.unlink(f)
            except FileNotFoundError:
                pass
    return res


def _why(e: BaseException) -> str:
    return getattr(e, "strerror", None) or str(e) or type(e).__name__


def fold_with_config(cfg: object = None, wait: bool = True) -> FoldResult:
    """``fold`` with the retention settings of the effective config."""
    if cfg is None:
        from guard.config.load import load

        cfg = load()
    return fold(int(getattr(cfg, "audit_retention_days", 90)), int(getattr(cfg, "audit_max_rows", 1_000_000)), wait)


# --------------------------------------------------------------------------- reading

# sqlite3 authorizer codes that a read-only query needs.
_READ_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, getattr(sqlite3, "SQLITE_RECURSIVE", 33)}
_READ_PRAGMAS = {"table_info", "table_xinfo", "index_list", "index_info", "table_list"}


class ReadOnlyError(Exception):
    """A --sql statement tried to do more than read."""


def _authorizer(action: int, arg1: object, arg2: object, db: object, trigger: object) -> int:
    if action in _READ_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and isinstance(arg1, str) and arg1.lower() in _READ_PRAGMAS:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def open_readonly(path: str) -> sqlite3.Connection:
    """The store opened read-only (mode=ro, query_only, and an authorizer that allows reads only)."""
    from urllib.parse import quote

    conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=10)
    conn.execute("PRAGMA query_only=ON")
    conn.set_authorizer(_authorizer)
    return conn


def memory_view(path: str, extra: list[dict]) -> sqlite3.Connection:
    """The store's rows plus records not yet folded, in memory: for when the store cannot be written."""
    mem = sqlite3.connect(":memory:")
    if os.path.exists(path):
        try:
            src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            src.backup(mem)
            src.close()
        except sqlite3.Error:
            pass
    create_schema(mem)
    insert(mem, extra)
    mem.commit()
    mem.execute("PRAGMA query_only=ON")
    mem.set_authorizer(_authorizer)
    return mem


def reader(cfg: object = None) -> tuple[sqlite3.Connection, FoldResult]:
    """Fold, then a read-only connection that sees every decision (in memory if the fold failed)."""
    res = fold_with_config(cfg)
    path = db_path()
    if res.error is None and os.path.exists(path):
        return open_readonly(path), res
    recs, _bad, _errors = read_pending()
    return memory_view(path, recs), res


_STARTS = ("select", "with", "values", "explain", "pragma")


def run_sql(conn: sqlite3.Connection, sql: str) -> tuple[list[str], list[tuple]]:
    """Run one read-only statement; raises ReadOnlyError for anything that would write or attach."""
    word = sql.lstrip().split(None, 1)[0].lower() if sql.strip() else ""
    if word not in _STARTS:
        raise ReadOnlyError(f"--sql is read-only: only SELECT queries are allowed, not {word.upper() or 'an empty statement'}")
    try:
        cur = conn.execute(sql)
    except sqlite3.DatabaseError as e:
        msg = str(e)
        if "not authorized" in msg or "readonly" in msg or "read-only" in msg:
            raise ReadOnlyError(f"--sql is read-only: the statement was refused ({msg})") from None
        raise
    cols = [d[0] for d in cur.description or ()]
    return cols, cur.fetchall()


def query(conn: sqlite3.Connection, since: str | None = None, verdicts: Iterable[str] | None = None, limit: int = 0) -> list[dict]:
    """Decisions newest first, as dicts."""
    where, args = [], []
    if since:
        where.append("time >= ?")
        args.append(since)
    vs = list(verdicts or ())
    if vs:
        where.append(f"verdict IN ({', '.join('?' for _ in vs)})")
        args += vs
    sql = f"SELECT {', '.join(NAMES)} FROM decisions"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY time DESC, rowid DESC"
    if limit:
        sql += " LIMIT ?"
        args.append(limit)
    return [dict(zip(NAMES, row)) for row in conn.execute(sql, args)]


def count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM decisions").fetchone()[0])


def iter_files_bytes(files: Iterable[str]) -> Iterator[tuple[str, int]]:
    for f in files:
        try:
            yield f, os.path.getsize(f)
        except OSError:
            continue
