"""``clampd-guard status``: is the guard set up and healthy, and what did it decide lately.

The report is a list of sections; each is a function ``(Context) -> dict``
whose dict may carry a ``problems`` list. Adding a section (gateway health,
breaker, rule bundle) is one function and one entry in ``SECTIONS``. Exit
code 0 when no section reports a problem, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable

RECENT = 5


class Context:
    """What several sections share: the effective config and one fold of the audit journal."""

    def __init__(self) -> None:
        from guard.config.load import load

        self.cfg = load()
        self._fold: object = None
        self._conn: object = None

    def audit_reader(self) -> tuple[object, object]:
        """(read-only connection, fold result), folded once per status run."""
        if self._conn is None:
            from guard.audit import store

            self._conn, self._fold = store.reader(self.cfg)
        return self._conn, self._fold

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()  # type: ignore[attr-defined]


def config_section(ctx: Context) -> dict:
    from guard.config import paths

    cfg = ctx.cfg
    problems = []
    if cfg.managed_error:
        problems.append(f"managed config is broken: {cfg.managed_error} (the guard fails closed)")
    if cfg.user_error:
        problems.append(f"user config ignored: {cfg.user_error}")
    return {
        "user_file": paths.user_config(),
        "user_file_exists": os.path.exists(paths.user_config()),
        "user_fields": sorted(k for k, s in cfg.sources.items() if s == "user"),
        "managed_file": paths.MANAGED_CONFIG,
        "managed_file_exists": os.path.exists(paths.MANAGED_CONFIG),
        "managed_forces": sorted(cfg.managed_forced),
        "fail_open": cfg.fail_open,
        "warnings": list(cfg.warnings),
        "problems": problems,
    }


def gateway_section(ctx: Context) -> dict:
    """Configured or not, a live ``GET /health`` and the cross-process breaker state."""
    cfg = ctx.cfg
    url = cfg.gateway_url
    out: dict = {
        "configured": bool(url),
        "url": url or None,
        "fail_open": cfg.fail_open,
        "skip_low_risk": cfg.skip_low_risk,
        "timeout_ms": cfg.timeout_ms,
        "problems": [],
    }
    if not url:
        return out
    from guard.gateway import breaker, client

    ok, detail, ms = client.health(cfg)
    out["reachable"] = ok
    out["health"] = detail
    out["latency_ms"] = round(ms, 1)
    st = breaker.state(cfg)
    out["breaker"] = {k: st[k] for k in ("state", "failures", "last_error", "opened_at", "retry_at", "probing")}
    for k in ("opened_at", "retry_at"):  # epoch seconds for scripts, UTC text for people
        if st[k]:
            out["breaker"][k + "_utc"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(st[k]))
    if not ok:
        mode = "local rules decide (fail_open)" if cfg.fail_open else "calls are denied (fail closed)"
        out["problems"].append(f"gateway {url} is unreachable ({detail}): {mode}")
    if st["state"] != "closed":
        out["problems"].append(
            f"circuit breaker is {st['state']} after {st['failures']} failure(s) ({st['last_error'] or 'no detail'}): "
            "hook calls decide offline until it closes"
        )
    return out


def rules_section(ctx: Context) -> dict:
    """The rule set in force: embedded or an adopted signed bundle, its version, age and origin."""
    from guard.engine import bundle, ruleset

    problems = []
    try:
        info = bundle.active_info(ctx.cfg)
    except Exception as e:  # noqa: BLE001 - status reports, it does not crash
        info = {"source": "embedded", "version": None, "rules": 0}
        problems.append(f"rules cannot be loaded: {type(e).__name__}: {e}")
    if info.get("problem"):
        problems.append(str(info["problem"]))
    max_age = int(ctx.cfg.rules_max_age_hours or 0) * 3600
    checked = info.get("checked_age_s")
    if info.get("refresh") and max_age and (checked is None or checked > 2 * max_age):
        problems.append("the rule bundle has not been checked for twice rules_max_age_hours: run `clampd-guard rules update`")
    info["cache"] = ruleset.cache_path()
    info["cache_exists"] = os.path.exists(ruleset.cache_path())
    info["problems"] = problems
    return info


def audit_section(ctx: Context) -> dict:
    from guard.audit import journal, store

    cfg = ctx.cfg
    conn, res = ctx.audit_reader()
    problems = []
    out: dict = {
        "enabled": bool(cfg.audit),
        "enabled_source": cfg.sources.get("audit", "default"),
        "store": store.db_path(),
        "journal": journal.journal_path(),
        "fallback_files": journal.fallback_paths(),
        "retention_days": cfg.audit_retention_days,
        "max_rows": cfg.audit_max_rows,
    }
    try:
        out["rows"] = store.count(conn)  # type: ignore[arg-type]
    except Exception as e:  # noqa: BLE001
        out["rows"] = None
        problems.append(f"audit store cannot be read: {e}")
    if res.error:  # type: ignore[attr-defined]
        problems.append(f"{res.error}; records wait in the journal/fallback files")  # type: ignore[attr-defined]
    out["folded_now"] = res.inserted  # type: ignore[attr-defined]  # journal records this status run moved into the store
    backlog = [{"file": f, "bytes": n} for f, n in store.iter_files_bytes(store.pending_files()) if n]
    out["backlog"] = backlog
    if backlog and not res.error:  # type: ignore[attr-defined]
        problems.append("journal records could not be folded: " + ", ".join(b["file"] for b in backlog))
    out["skipped"] = list(res.skipped)  # type: ignore[attr-defined]
    for s in res.skipped:  # type: ignore[attr-defined]
        problems.append(f"cannot fold {s}")
    fb = None
    try:
        fb = store.get_meta(conn, "fallback_last")  # type: ignore[arg-type]
        out["fallback_records"] = store.get_meta(conn, "fallback_records") or 0  # type: ignore[arg-type]
        out["last_fold"] = store.get_meta(conn, "last_fold")  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - an old or foreign store without meta
        out["fallback_records"] = 0
    pending_fb = [b for b in backlog if b["file"].startswith(tuple(journal.fallback_paths()))]
    if fb or pending_fb:
        out["write_failure"] = fb
        when = f" (last {fb['time']} UTC: {fb['error']})" if isinstance(fb, dict) else ""
        problems.append(f"the audit journal could not be written; records went to a fallback file{when}")
    if not cfg.audit:
        problems.append("audit recording is disabled (audit: false)")
    out["problems"] = problems
    return out


def recent_section(ctx: Context) -> dict:
    from guard.audit import store

    conn, _res = ctx.audit_reader()
    try:
        rows = store.query(conn, limit=RECENT)  # type: ignore[arg-type]
    except Exception as e:  # noqa: BLE001
        return {"decisions": [], "problems": [f"cannot read recent decisions: {e}"]}
    keep = ("time", "verdict", "source", "tool", "rule_ids", "preview")
    return {"decisions": [{k: r[k] for k in keep} for r in rows], "problems": []}


# (name, function): the order is the report's order. Other sections plug in here.
SECTIONS: list[tuple[str, Callable[[Context], dict]]] = [
    ("config", config_section),
    ("gateway", gateway_section),
    ("rules", rules_section),
    ("audit", audit_section),
    ("recent", recent_section),
]


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "status",
        help="config sources, gateway, rules, audit store and the last decisions",
        description="Health report of the guard. Exit code 0 when nothing needs attention, 1 otherwise.",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def collect(ctx: Context) -> dict:
    report = {}
    for name, fn in SECTIONS:
        try:
            report[name] = fn(ctx)
        except Exception as e:  # noqa: BLE001 - one broken section must not hide the others
            report[name] = {"problems": [f"section failed: {type(e).__name__}: {e}"]}
    return report


def run(args: argparse.Namespace) -> int:
    ctx = Context()
    try:
        report = collect(ctx)
    finally:
        ctx.close()
    problems = [p for sec in report.values() for p in sec.get("problems", [])]
    if args.json:
        sys.stdout.write(json.dumps({"ok": not problems, **report}, indent=2) + "\n")
    else:
        sys.stdout.write(render(report))
    return 1 if problems else 0


def render(report: dict) -> str:
    lines = []
    for name, sec in report.items():
        lines.append(f"{name}:")
        for k, v in sec.items():
            if k == "problems":
                continue
            if isinstance(v, list) and v and isinstance(v[0], dict):
                lines.append(f"  {k}:")
                for item in v:
                    lines.append("    - " + "  ".join("" if x is None else str(x) for x in item.values()))
            elif isinstance(v, list):
                lines.append(f"  {k}: {', '.join(map(str, v)) if v else '-'}")
            elif isinstance(v, dict):
                lines.append(f"  {k}: " + ", ".join(f"{a}={b}" for a, b in v.items()))
            else:
                lines.append(f"  {k}: {'-' if v is None else v}")
        for p in sec.get("problems", []):
            lines.append(f"  PROBLEM: {p}")
        lines.append("")
    problems = sum(len(s.get("problems", [])) for s in report.values())
    lines.append("ok" if not problems else f"{problems} problem{'s' if problems != 1 else ''} need attention")
    return "\n".join(lines) + "\n"
