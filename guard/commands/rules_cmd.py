"""``clampd-guard rules list|show``: the embedded rules, read from their TOML files."""

from __future__ import annotations

import argparse
import json
import sys

from guard.commands import common


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "rules",
        help="list the embedded rules or show one in full",
        description="The embedded detection rules (guard/rules/*.toml).",
    )
    rs = p.add_subparsers(dest="rules_command", metavar="subcommand")
    rs.required = True
    ls = rs.add_parser("list", help="one line per rule: id, category, risk, events, title")
    ls.add_argument("--json", action="store_true", help="print one JSON object")
    ls.add_argument("--category", metavar="NAME", help="only rules of this category")
    sh = rs.add_parser("show", help="every field of one rule, with its examples")
    sh.add_argument("id", metavar="ID", help="rule id, e.g. shell.rm-vital")
    sh.add_argument("--expand", action="store_true", help="also show patterns with {{macros}} expanded")
    sh.add_argument("--json", action="store_true", help="print the rule as JSON")
    return p


def _version() -> str:
    from guard import __version__

    return __version__


def list_rules(args: argparse.Namespace) -> int:
    loaded = common.load_rules()
    rules = [(p, r) for p, r in loaded if not args.category or r.category == args.category]
    if args.json:
        out = {
            "source": "embedded",
            "version": _version(),
            "count": len(rules),
            "rules": [
                {
                    "id": r.id,
                    "category": r.category,
                    "risk": r.risk,
                    "events": list(r.events),
                    "tools": list(r.tools),
                    "title": r.title,
                    "file": p.name,
                }
                for p, r in rules
            ],
        }
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return 0
    files = len({p for p, _r in rules})
    what = f" in category {args.category}" if args.category else ""
    sys.stdout.write(
        f"{len(rules)} rules{what} from {files} file{'' if files == 1 else 's'} (source embedded, version {_version()})\n"
    )
    if not rules:
        return 0
    rows = [(r.id, r.category, f"{r.risk:.2f}", ",".join(r.events), r.title) for _p, r in rules]
    heads = ("ID", "CATEGORY", "RISK", "EVENTS", "TITLE")
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(heads[:-1])]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths) + "  {}\n"
    sys.stdout.write(fmt.format(*heads))
    for row in rows:
        sys.stdout.write(fmt.format(*row))
    return 0


def _example(ex: object) -> str:
    if isinstance(ex, str):
        return ex
    import msgspec

    d = msgspec.to_builtins(ex)
    head = f"{d.pop('event', 'PreToolUse')} {d.pop('tool', '')}".strip()
    return f"{head} {json.dumps(d, ensure_ascii=False)}"


def show_rule(args: argparse.Namespace) -> int:
    import msgspec

    loaded = common.load_rules()
    found = [(p, r) for p, r in loaded if r.id == args.id]
    if not found:
        import difflib

        near = difflib.get_close_matches(args.id, [r.id for _p, r in loaded], n=3, cutoff=0.8)
        hint = f" (did you mean {', '.join(near)}?)" if near else " (see 'clampd-guard rules list')"
        sys.stderr.write(f"clampd-guard: rules: no rule with id {args.id!r}{hint}\n")
        return 2
    path, rule = found[0]
    expanded: list[str] = []
    if args.expand:
        from guard.engine.compiler import expand, load_macros

        macros = load_macros(path.parent)
        expanded = [expand(p, macros) for p in rule.patterns]
    if args.json:
        d = msgspec.to_builtins(rule)
        d["file"] = path.name
        if args.expand:
            d["patterns_expanded"] = expanded
        sys.stdout.write(json.dumps(d, indent=2, ensure_ascii=False) + "\n")
        return 0
    out = [
        f"id:          {rule.id}",
        f"title:       {rule.title}",
        f"category:    {rule.category}",
        f"risk:        {rule.risk:.2f}",
        f"events:      {', '.join(rule.events)}",
        f"tools:       {', '.join(rule.tools)}",
        f"fields:      {', '.join(rule.fields)}",
        f"keywords:    {', '.join(rule.keywords)}",
        f"secret:      {str(rule.secret).lower()}",
        f"defuse:      {str(rule.defuse).lower()}",
        f"file:        {path.name}",
    ]
    if rule.description:
        out.append(f"description: {rule.description}")
    if rule.advice:
        out.append(f"advice:      {rule.advice}")

    def block(title: str, items: list) -> None:
        out.append("")
        out.append(f"{title} ({len(items)}):")
        out.extend(f"  {x}" for x in items)

    block("patterns", list(rule.patterns))
    if expanded:
        block("patterns, macros expanded", expanded)
    if rule.unless:
        block("unless", list(rule.unless))
    block("match (must fire)", [_example(e) for e in rule.match])
    block("no_match (must not fire)", [_example(e) for e in rule.no_match])
    sys.stdout.write("\n".join(out) + "\n")
    return 0


def run(args: argparse.Namespace) -> int:
    return {"list": list_rules, "show": show_rule}[args.rules_command](args)
