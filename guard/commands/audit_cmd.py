"""``clampd-guard audit``: the local audit trail (folds the hook journal first, then reads)."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys

from guard.commands.cli import UsageError

BLOCKED = ("deny", "ask")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "audit",
        help="show or query the audit trail of the guard's decisions",
        description="Every hook decision is recorded (secrets masked) in a local SQLite store, "
        "table 'decisions' (times are UTC, 'YYYY-MM-DD HH:MM:SS.SSS'). Pending journal records are "
        "folded in first, so the output includes every decision.",
    )
    p.add_argument("--since", metavar="WHEN", help="only decisions since WHEN: 90s, 30m, 1h, 2d, 1w, a date "
                   "(2026-11-24, UTC midnight) or an ISO time (UTC unless it has an offset)")
    p.add_argument("--blocked", action="store_true", help="only decisions that stopped or held a call (deny, ask)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON array of records")
    fmt.add_argument("--csv", action="store_true", help="CSV with a header row")
    p.add_argument("--limit", type=int, metavar="N", help="newest N decisions (default 50; 0 = all); with --sql, at most N rows")
    p.add_argument("--sql", metavar="QUERY", help="run one read-only SQL query (SELECT ...) against the store")
    p.add_argument("--fold-only", action="store_true", help=argparse.SUPPRESS)  # the hook's detached fold
    return p


def parse_since(text: str, now: dt.datetime | None = None) -> str:
    """WHEN as the store's UTC time text."""
    from guard.audit.journal import utc_now

    now = now or dt.datetime.now(dt.timezone.utc)
    t = text.strip()
    if len(t) >= 2 and t[:-1].isdigit() and t[-1].lower() in _UNITS:
        return utc_now(now.timestamp() - int(t[:-1]) * _UNITS[t[-1].lower()])
    try:
        if len(t) == 10:
            when = dt.datetime.combine(dt.date.fromisoformat(t), dt.time(), dt.timezone.utc)
        else:
            when = dt.datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--since {text!r}: expected 1h, 30m, 2d, a date (2026-11-24) or an ISO time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return utc_now(when.timestamp())


def run(args: argparse.Namespace) -> int:
    from guard.audit import store

    if args.fold_only:
        res = store.fold_with_config(wait=False)
        return 0 if res.error is None or res.error == "another fold is running" else 1
    if args.limit is not None and args.limit < 0:
        raise UsageError("--limit must be 0 (all) or more")
    if args.sql and (args.since or args.blocked):
        raise UsageError("--sql cannot be combined with --since or --blocked (put them in the query)")
    from guard.config.load import load

    cfg = load()
    if not cfg.audit:
        sys.stderr.write("clampd-guard: warning: audit recording is disabled (audit: false); showing what was recorded before\n")
    conn, res = store.reader(cfg)
    if res.error:
        sys.stderr.write(f"clampd-guard: warning: {res.error}; showing the store plus unfolded records read-only\n")
    try:
        if args.sql:
            try:
                cols, rows = store.run_sql(conn, args.sql)
            except store.ReadOnlyError as e:
                raise UsageError(str(e)) from None
            except Exception as e:  # sqlite3 syntax errors and friends: one line
                raise UsageError(f"--sql failed: {e}") from None
            if args.limit:
                rows = rows[: args.limit]
            return _out(args, cols, [tuple(r) for r in rows], sql=True)
        since = parse_since(args.since) if args.since else None
        if args.limit is None:
            args.limit = 50
        recs = store.query(conn, since, BLOCKED if args.blocked else None, args.limit)
    finally:
        conn.close()
    return _out(args, list(store.NAMES), [tuple(r[n] for n in store.NAMES) for r in recs])


def _out(args: argparse.Namespace, cols: list[str], rows: list[tuple], sql: bool = False) -> int:
    if args.json:
        objs = [dict(zip(cols, r)) for r in rows]
        if not sql:
            for o in objs:
                o["rule_ids"] = [x for x in (o.get("rule_ids") or "").split(",") if x]
        sys.stdout.write(json.dumps(objs, indent=2) + "\n")
        return 0
    if args.csv:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(cols)
        w.writerows(rows)
        return 0
    if sql:
        _table(cols, [["" if c is None else str(c) for c in r] for r in rows])
        return 0
    if not rows:
        sys.stdout.write("no decisions recorded" + (" for this filter" if args.since or args.blocked else "") + "\n")
        return 0
    rec = [dict(zip(cols, r)) for r in rows]
    shown = [
        [
            (r["time"] or "")[:19],
            r["verdict"] or "",
            r["source"] or "",
            f"{r['risk']:.2f}" if isinstance(r["risk"], (int, float)) else "",
            r["event"] or "",
            (r["tool"] or "")[:24],
            (r["rule_ids"] or "-")[:40],
            (r["preview"] or r["reason"] or "")[:70],
        ]
        for r in reversed(rec)  # oldest first, so the newest is next to the prompt
    ]
    _table(["TIME (UTC)", "VERDICT", "SOURCE", "RISK", "EVENT", "TOOL", "RULES", "PREVIEW"], shown)
    more = f" (newest {args.limit}; --limit 0 for all)" if args.limit and len(rows) == args.limit else ""
    sys.stdout.write(f"{len(rows)} decision{'s' if len(rows) != 1 else ''}{more}\n")
    return 0


def _table(heads: list[str], rows: list[list[str]]) -> None:
    rows = [[c.replace("\n", " ") for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(heads)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths[:-1]) + ("  {}" if len(heads) > 1 else "{}")
    sys.stdout.write(fmt.format(*heads).rstrip() + "\n")
    for r in rows:
        sys.stdout.write(fmt.format(*r).rstrip() + "\n")
