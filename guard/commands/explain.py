"""``clampd-guard explain``: one call's path through the pipeline, step by step.

For users who wonder why something was blocked (or was not): the parsed call,
the normalised forms the rules read, every candidate rule whose keyword
prefilter passed with each pattern's outcome, the risk combination, the
thresholds, which layer decided, and the reason the model would see.

The final verdict comes from the hook's own pipeline (``decide.judge``); the
per-rule trace repeats the matcher's steps (engine.match) with more detail.
Matched text is shown the way reasons show it: secrets masked.
Exit status 0 whatever the decision (``check`` is the gate).
"""

from __future__ import annotations

import argparse
import json
import sys

from guard.commands import check, common
from guard.commands.cli import UsageError

EXIT_USAGE = 2
TEXT_WIDTH = 160

EPILOG = """\
exit status:
  0  explained (whatever the decision; use 'clampd-guard check' as a gate)
  2  usage or input error (unreadable file, invalid JSON, bad options)

examples:
  clampd-guard explain --bash "r''m -rf ~"
  clampd-guard explain --fetch http://169.254.169.254/latest/meta-data/ --json
  clampd-guard explain --read .env --event post --output @.env
  clampd-guard explain payload.json
"""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "explain",
        help="show how one tool call goes through the pipeline and why it gets its verdict",
        description="Show one call's path through the guard: the parsed call, the normalised forms\n"
        "the rules read, every rule whose keywords occur and whether its patterns matched, the\n"
        "risk combination and thresholds, which layer decided, and the reason the model sees.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        usage_code=EXIT_USAGE,
    )
    common.add_call_arguments(p)
    p.add_argument("--no-color", action="store_true", help="no ANSI colours (also: NO_COLOR=1, or not a terminal)")
    return p


def _payload(args: argparse.Namespace, warnings: list[str]) -> object:
    """The payload, built exactly as ``check`` builds it (same inputs, same errors)."""
    try:
        return check.build_payload(args, warnings)
    except UsageError as e:
        msg = str(e)
        if msg.startswith("check:"):
            msg = "explain:" + msg[len("check:") :]
        raise UsageError(msg, EXIT_USAGE) from None


# --- the trace ---------------------------------------------------------------------


class Tracer:
    def __init__(self, rules: object) -> None:
        self.rules = rules

    def mask(self, text: str) -> str:
        """Secrets in ``text`` replaced by markers (what reasons do with matched text)."""
        from guard.engine.evaluate import scrub

        try:
            return scrub(self.rules, text)  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 - a display helper must not fail the explanation
            return text

    def shown(self, r: tuple, field: str, text: str, start: int, end: int) -> str:
        from guard.engine import ruleset as R
        from guard.verdict import Hit

        h = Hit(r[R.ID], r[R.CATEGORY], r[R.RISK], r[R.TITLE], r[R.ADVICE], field, text, start, end, r[R.SECRET], r[R.DEFUSE], r[R.TAGS])
        if not h.secret:
            h.text = self.mask(h.text)
        return h.shown_text()

    def normalised(self, call: object) -> list[dict]:
        """Shell commands as the normaliser renders them; paths as resolved."""
        from guard.engine import subject
        from guard.engine import toolkinds as K
        from guard.runtime import sysio
        from guard.toolcall import PRE

        out: list[dict] = []
        if call.event != PRE:  # type: ignore[attr-defined]
            return out
        p = call.params  # type: ignore[attr-defined]
        cwd = call.cwd  # type: ignore[attr-defined]
        kind = call.kind  # type: ignore[attr-defined]
        commands: list[str] = []
        paths: list[str] = []
        if kind == K.SHELL and isinstance(p.get("command"), str):
            commands.append(p["command"])
        elif kind in (K.FILE_READ, K.FILE_WRITE, K.SEARCH):
            for key in ("file_path", "notebook_path", "path"):
                if isinstance(p.get(key), str) and p[key]:
                    paths.append(p[key])
                    break
        elif kind in (K.MCP, K.UNKNOWN):
            for leaf, text in subject.leaves(p):
                key = leaf[-1].lower() if leaf and isinstance(leaf[-1], str) else ""
                named = subject._KEYED.get(key)
                if named == "command" or kind == K.UNKNOWN:
                    commands.append(text)
                if named == "path":
                    paths.append(text)
        for cmd in commands:
            if not cmd:
                continue
            from guard.engine.shell.normalise import normalise

            norm = normalise(cmd, cwd, sysio.home())
            out.append(
                {
                    "type": "shell",
                    "input": self.mask(cmd),
                    "canonical": [self.mask(t) for t in norm.texts],
                    "code": [self.mask(t) for t in norm.code],
                    "sql": [self.mask(t) for t in norm.sql],
                    "errors": list(norm.errors),
                }
            )
        for raw in paths:
            out.append({"type": "path", "input": raw, "resolved": subject.expand_path(raw, cwd)})
        return out

    def rules_trace(self, subj: object) -> tuple[int, list[dict]]:
        """(number of candidate rules, one entry per (rule, text) whose keyword prefilter passed)."""
        from guard.engine import match
        from guard.engine import ruleset as R
        from guard.toolcall import POST

        rules = self.rules
        cands = rules.candidates(subj.event, subj.kind)  # type: ignore[attr-defined]
        out: list[dict] = []
        window_above = getattr(match, "WINDOW_ABOVE", None)
        windows = getattr(match, "windows", None)
        for field, entries in subj.fields.items():  # type: ignore[attr-defined]
            for n, (text, _leaf) in enumerate(entries):
                low = text.lower()
                for i in cands:
                    r = rules.rules[i]  # type: ignore[attr-defined]
                    if field not in r[R.FIELDS]:
                        continue
                    kw = next((k for k in r[R.KEYWORDS] if k in low), None)
                    if kw is None:
                        continue
                    entry: dict = {
                        "id": r[R.ID],
                        "title": r[R.TITLE],
                        "category": r[R.CATEGORY],
                        "risk": r[R.RISK],
                        "secret": bool(r[R.SECRET]),
                        "defuse": bool(r[R.DEFUSE]),
                        "field": field,
                        "text": n,
                        "keyword": kw,
                        "unless": None,
                        "patterns": [],
                        "matched": False,
                        "counts": False,
                        "note": "",
                    }
                    out.append(entry)
                    pats, unless = rules.patterns(i)  # type: ignore[attr-defined]
                    for u in unless:
                        m = u.search(text)
                        if m:
                            entry["unless"] = self.shown(r, field, m.group(0), m.start(), m.end())
                            break
                    if entry["unless"] is not None:
                        entry["note"] = "skipped: an 'unless' pattern matched this text"
                        continue
                    check = match._validator(r[R.VALIDATOR])
                    if windows is not None and window_above is not None and len(text) > window_above:
                        spans = windows(text, low, r[R.KEYWORDS])
                    else:
                        spans = [(0, len(text))]
                    for j, pat in enumerate(pats):
                        src = getattr(pat, "pattern", "")
                        res: dict = {"index": j + 1, "source": src, "matched": False, "text": None}
                        rejected = None
                        for a, b in spans:
                            for m in pat.finditer(text, a, b):
                                if m.end() == m.start():
                                    continue
                                if check is not None and not check(m.group(0)):
                                    rejected = rejected or m
                                    continue
                                res["matched"] = True
                                res["text"] = self.shown(r, field, m.group(0), m.start(), m.end())
                                break
                            if res["matched"]:
                                break
                        if not res["matched"] and rejected is not None:
                            res["rejected_by"] = r[R.VALIDATOR]
                        entry["patterns"].append(res)
                    entry["matched"] = any(p["matched"] for p in entry["patterns"])
                    if not entry["matched"]:
                        continue
                    if subj.event == POST and not (r[R.SECRET] or r[R.DEFUSE]):  # type: ignore[attr-defined]
                        entry["note"] = "ignored on post events (neither a secret nor a defuse rule)"
                    elif r[R.RISK] <= 0.0:
                        entry["note"] = "tag only (risk 0): a session signal, adds no risk"
                    else:
                        entry["counts"] = True
        return len(cands), out


def _layer(v: object, cfg: object) -> str:
    from guard.verdict import FAILSAFE, LOCAL

    src = v.source  # type: ignore[attr-defined]
    if src == FAILSAFE and cfg.managed_error:  # type: ignore[attr-defined]
        return "managed config"
    if src == FAILSAFE:
        return "failsafe"
    if src == LOCAL:
        return "rules"
    return str(src)


def explain(payload: object, cfg: object, rules: object) -> dict:
    from guard.decide import judge
    from guard.editors import claude_code
    from guard.editors.base import BadInput
    from guard.engine import subject
    from guard.toolcall import POST

    try:
        call = claude_code.parse(payload)
        traced = claude_code.parse(payload)
    except BadInput as e:
        raise UsageError(f"explain: {e}", EXIT_USAGE) from None
    v = judge(call, cfg, rules)  # type: ignore[arg-type]
    tr = Tracer(rules)
    subj = subject.build(traced)
    n_cands, trace = tr.rules_trace(subj)

    fields = {f: [common.one_line(tr.mask(t), 10_000) for t, _leaf in entries] for f, entries in subj.fields.items()}
    distinct: list[dict] = []
    for h in v.hits:  # type: ignore[attr-defined]
        if h.rule_id not in {d["id"] for d in distinct}:
            distinct.append({"id": h.rule_id, "risk": h.risk})
    if distinct:
        formula = "1 - " + "".join(f"(1 - {d['risk']:.2f})" for d in distinct) + f" = {v.risk:.4g}"  # type: ignore[attr-defined]
    else:
        formula = "no rule counted: risk 0"
    ask_at, deny_at = cfg.thresholds  # type: ignore[attr-defined]
    post = call.event == POST
    return {
        "call": {
            "editor": call.editor,
            "event": call.raw_event.lstrip("?"),
            "event_kind": call.event,
            "tool": call.tool,
            "kind": call.kind,
            "cwd": call.cwd,
        },
        "normalised": tr.normalised(traced),
        "fields": fields,
        "candidates": n_cands,
        "index": f"{subj.event}:{subj.kind}",
        "rules": trace,
        "risk": {"rules": distinct, "combined": v.risk, "formula": formula},  # type: ignore[attr-defined]
        "thresholds": {
            "sensitivity": cfg.sensitivity,  # type: ignore[attr-defined]
            "from": cfg.sources.get("sensitivity", "default"),  # type: ignore[attr-defined]
            "ask": ask_at,
            "deny": deny_at,
            "applies": not post,
        },
        "layer": _layer(v, cfg),
        "source": v.source,  # type: ignore[attr-defined]
        "managed_error": cfg.managed_error,  # type: ignore[attr-defined]
        "decision": v.decision,  # type: ignore[attr-defined]
        "reason": common.model_reason(call, v),  # type: ignore[arg-type]
        "updated_output": v.updated_output,  # type: ignore[attr-defined]
        "warnings": call.warnings + v.warnings,  # type: ignore[attr-defined]
    }


# --- text rendering -----------------------------------------------------------------------


def as_text(x: dict, color: bool) -> str:
    b = lambda s: common.paint(s, "bold", color)  # noqa: E731
    dim = lambda s: common.paint(s, "dim", color)  # noqa: E731
    lines: list[str] = []
    c = x["call"]
    lines.append(b("1. parsed call"))
    lines.append(f"  editor  {c['editor']}")
    lines.append(f"  event   {c['event']} ({c['event_kind']})")
    lines.append(f"  tool    {c['tool'] or '-'}")
    lines.append(f"  kind    {c['kind']}")
    if c["cwd"]:
        lines.append(f"  cwd     {c['cwd']}")

    lines.append("")
    lines.append(b("2. normalised forms"))
    if not x["normalised"]:
        lines.append("  (none: no shell command or path in this call)")
    for n in x["normalised"]:
        if n["type"] == "shell":
            lines.append(f"  shell command: {common.one_line(n['input'], TEXT_WIDTH)}")
            for t in n["canonical"]:
                lines.append(f"    canonical: {common.one_line(t, TEXT_WIDTH)}")
            for t in n["code"]:
                lines.append(f"    inline code: {common.one_line(t, TEXT_WIDTH)}")
            for t in n["sql"]:
                lines.append(f"    sql: {common.one_line(t, TEXT_WIDTH)}")
            for e in n["errors"]:
                lines.append(f"    parse problem: {e} (the raw text is read too)")
        else:
            lines.append(f"  path: {n['input']}  ->  resolved: {n['resolved']}")

    lines.append("")
    lines.append(b("3. fields the rules read"))
    if not x["fields"]:
        lines.append("  (none)")
    for f, texts in x["fields"].items():
        for i, t in enumerate(texts):
            lines.append(f"  {f}[{i}]: {common.one_line(t, TEXT_WIDTH)}")

    lines.append("")
    passed = x["rules"]
    lines.append(
        b("4. rules")
        + f"  ({x['candidates']} candidates for {x['index']}; keyword prefilter passed for {len(passed)})"
    )
    if not passed:
        lines.append("  no candidate rule's keywords occur in the fields above")
    for e in passed:
        if e["matched"] and e["counts"]:
            state = common.paint("MATCHED", "red", color)
        elif e["matched"]:
            state = common.paint("matched", "yellow", color)
        else:
            state = dim("no match")
        lines.append(f"  {e['id']}  [{e['category']}, risk {e['risk']:.2f}]  {state}")
        lines.append(dim(f"      {e['title']}"))
        lines.append(f"      field {e['field']}[{e['text']}], keyword {e['keyword']!r}")
        if e["unless"] is not None:
            lines.append(f"      unless pattern matched {e['unless']!r}: rule skipped for this text")
        for p in e["patterns"]:
            if p["matched"]:
                lines.append(f"      pattern {p['index']}: matched {p['text']!r}")
            elif p.get("rejected_by"):
                lines.append(f"      pattern {p['index']}: matched, but the {p['rejected_by']} check rejected it")
            else:
                lines.append(dim(f"      pattern {p['index']}: no match"))
        if e["note"] and e["unless"] is None:
            lines.append(f"      note: {e['note']}")

    lines.append("")
    lines.append(b("5. risk"))
    for d in x["risk"]["rules"]:
        lines.append(f"  {d['id']}  {d['risk']:.2f}")
    lines.append(f"  noisy-or of the distinct rules: {x['risk']['formula']}")
    t = x["thresholds"]
    lines.append(
        f"  thresholds (sensitivity {t['sensitivity']}, from {t['from']}): ask at >= {t['ask']:.2f}, deny at >= {t['deny']:.2f}"
    )
    if not t["applies"]:
        lines.append("  post event: the tool already ran, so thresholds do not apply; secret and")
        lines.append("  injection matches are redacted from the output instead")

    lines.append("")
    lines.append(b("6. decision"))
    layer = x["layer"]
    if layer == "managed config":
        lines.append(f"  decided by: managed config ({x['managed_error']})")
    elif layer == "failsafe":
        lines.append("  decided by: failsafe (no real decision could be made)")
    else:
        lines.append(f"  decided by: {layer}")
    dec = x["decision"]
    lines.append("  " + common.paint(dec.upper(), common.VERDICT_COLOR.get(dec, ""), color) + f"  risk {x['risk']['combined']:.2f}")
    if x["reason"]:
        lines.append("")
        lines.append("the model would see:")
        lines.extend("  " + ln for ln in x["reason"].splitlines())
    if x["updated_output"] is not None:
        lines.append("")
        lines.append("tool output after redaction:")
        shown = json.dumps(x["updated_output"], indent=2, ensure_ascii=False)
        lines.extend("  " + ln for ln in shown.splitlines())
    for w in x["warnings"]:
        lines.append(dim(f"warning: {w}"))
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from guard.engine.compiler import RuleError
    from guard.engine.ruleset import load_active

    warnings: list[str] = []
    payload = _payload(args, warnings)
    cfg = common.load_config()
    try:
        rules = load_active(cfg)  # the rules the hook uses: an adopted signed bundle, else the embedded ones
    except RuleError as e:
        raise UsageError(f"explain: cannot load the rules: {e}") from None
    x = explain(payload, cfg, rules)
    x["warnings"] = warnings + x["warnings"]
    if args.json:
        sys.stdout.write(json.dumps(x, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(as_text(x, common.use_color(args.no_color)))
    return 0
