"""``clampd-guard rules list|show|update|bundle|keygen``: the rules in force and signed bundles.

``list``/``show`` read the active rule set: the adopted bundle (see ``guard.rulesync``
for the format) when the managed config names a bundle key and it verifies, else the
embedded TOML files. ``update`` fetches and adopts a bundle; ``bundle`` and ``keygen``
are for the security team that publishes them.
"""

from __future__ import annotations

import argparse
import json
import sys

from guard.commands import common


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "rules",
        help="list or show the rules in force; update, build or sign rule bundles",
        description="The detection rules in force: the embedded ones (guard/rules/*.toml) or an adopted, "
        "signed rule bundle.",
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
    up = rs.add_parser(
        "update",
        help="fetch, verify and adopt the signed rule bundle",
        description="Fetch the rule bundle from rules_url (or {gateway_url}/v1/guard/rules), verify its "
        "SHA-256 digest and Ed25519 signature with the managed rules_public_key, refuse older versions, "
        "check that every rule compiles and passes its examples, then adopt it. Exit codes: 0 adopted, current (304) or nothing "
        "published (404); 2 not configured; 4 bundle refused; 5 source unreachable. The rules in force "
        "only change on 'adopted'.",
    )
    up.add_argument("--quiet", action="store_true", help="print nothing on success (errors still go to stderr)")
    up.add_argument("--from", dest="from_file", metavar="FILE", help="adopt a bundle file instead of fetching one")
    bd = rs.add_parser(
        "bundle",
        help="build and sign a rule bundle (for the security team)",
        description="Compile every rule file of --rules-dir (default: the embedded rules) and run each "
        "rule's examples, then write a bundle signed with the Ed25519 private key. Clients check the "
        "same before adopting it, and adopt it only if it is newer than theirs.",
    )
    bd.add_argument("--key", required=True, metavar="PRIVATE_KEY_FILE", help="Ed25519 private key (PEM from 'rules keygen')")
    bd.add_argument("--version", required=True, type=int, metavar="N", help="bundle version, an integer above every earlier one")
    bd.add_argument("--rules-dir", metavar="DIR", help="directory of *.toml rule files (and _macros.toml)")
    bd.add_argument("--out", required=True, metavar="FILE", help="where to write the bundle")
    bd.add_argument("--comment", default="", metavar="TEXT", help="free text stored in the signed payload")
    kg = rs.add_parser(
        "keygen",
        help="create an Ed25519 key pair for signing rule bundles",
        description="Write a new private key (PEM, mode 0600) and print the public key for the managed "
        "config's rules_public_key.",
    )
    kg.add_argument("--out", required=True, metavar="PRIVATE_KEY_FILE", help="where to write the private key")
    kg.add_argument("--force", action="store_true", help="overwrite an existing key file")
    return p


def active() -> tuple[dict, list[tuple[str, object]], dict[str, str]]:
    """(bundle.active_info, [(file name, Rule)], macros) of the rule set in force."""
    from guard.engine import bundle

    cfg = common.load_config()
    info = bundle.active_info(cfg)
    if info["source"] != "bundle":
        from pathlib import Path

        from guard.engine.compiler import load_macros
        from guard.engine.ruleset import RULES_DIR

        return info, [(p.name, r) for p, r in common.load_rules()], load_macros(Path(RULES_DIR))
    from guard.commands.cli import UsageError
    from guard.engine.compiler import RuleError, load_rule_texts, parse_macros
    from guard.rulesync import envelope

    try:
        with open(info["path"], "rb") as f:
            v = envelope.open_bundle(f.read(envelope.MAX_BUNDLE_BYTES + 1), cfg.rules_public_key)  # type: ignore[attr-defined]
        files, macros = envelope.split(v.payload)
        return info, load_rule_texts(files), parse_macros(macros) if macros is not None else {}
    except (OSError, envelope.BundleError, RuleError) as e:
        raise UsageError(f"cannot read the active rule bundle {info['path']}: {e}") from None


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    s = max(0.0, seconds)
    for unit, n in (("d", 86400), ("h", 3600), ("m", 60)):
        if s >= n:
            return f"{s / n:.1f}{unit}"
    return f"{s:.0f}s"


def describe(info: dict) -> str:
    """'source bundle, version 7, 2.0h old, from URL' / 'source embedded, version 0.5.0'."""
    if info["source"] != "bundle":
        return f"source embedded, version {info['version']}"
    origin = f", from {info['url']}" if info.get("url") else ""
    return f"source bundle, version {info['version']}, created {info['created']} ({_age(info['age_s'])} old){origin}"


def _problem(info: dict) -> None:
    if info.get("problem"):
        sys.stderr.write(f"clampd-guard: rules: warning: {info['problem']}\n")


def list_rules(args: argparse.Namespace) -> int:
    info, loaded, _macros = active()
    _problem(info)
    rules = [(p, r) for p, r in loaded if not args.category or r.category == args.category]
    if args.json:
        out = {
            "source": info["source"],
            "version": info["version"],
            "age_s": info["age_s"],
            "path": info["path"],
            "url": info["url"],
            "problem": info["problem"],
            "count": len(rules),
            "rules": [
                {
                    "id": r.id,
                    "category": r.category,
                    "risk": r.risk,
                    "events": list(r.events),
                    "tools": list(r.tools),
                    "title": r.title,
                    "file": p,
                }
                for p, r in rules
            ],
        }
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return 0
    files = len({p for p, _r in rules})
    what = f" in category {args.category}" if args.category else ""
    sys.stdout.write(f"{len(rules)} rules{what} from {files} file{'' if files == 1 else 's'} ({describe(info)})\n")
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

    info, loaded, macros = active()
    _problem(info)
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
        from guard.engine.compiler import expand

        expanded = [expand(p, macros) for p in rule.patterns]
    if args.json:
        d = msgspec.to_builtins(rule)
        d["file"] = path
        d["source"] = info["source"]
        d["ruleset_version"] = info["version"]
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
        f"file:        {path}",
        f"rule set:    {describe(info)}",
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


def update_rules(args: argparse.Namespace) -> int:
    from guard.engine import bundle
    from guard.rulesync.update import update

    try:
        out = update(common.load_config(), args.from_file)
    finally:
        bundle.finish_refresh()
    if out.code == 0:
        if not args.quiet:
            sys.stdout.write(f"clampd-guard: rules: {out.message}\n")
    else:
        sys.stderr.write(f"clampd-guard: rules: {out.message}\n")
    return out.code


def make_bundle(args: argparse.Namespace) -> int:
    from pathlib import Path

    from guard.commands.cli import UsageError
    from guard.engine import compiler
    from guard.engine.ruleset import RULES_DIR
    from guard.rulesync import envelope

    rules_dir = Path(args.rules_dir or RULES_DIR)
    files = sorted(p for p in rules_dir.glob("*.toml") if not p.name.startswith("_"))
    if not files:
        raise UsageError(f"rules bundle: no *.toml rule files in {rules_dir}")
    texts = {p.name: p.read_text("utf-8") for p in files}
    macro_file = rules_dir / envelope.MACROS
    if macro_file.exists():
        texts[envelope.MACROS] = macro_file.read_text("utf-8")
    try:
        key = envelope.private_key(Path(args.key).read_bytes())
        payload = envelope.make_payload(texts, args.version, comment=args.comment)
        # The same compile the clients run before adopting: a broken rule fails here, not on laptops.
        image = compiler.compile_texts(
            [(n, t.encode("utf-8")) for n, t in sorted(texts.items()) if n != envelope.MACROS],
            compiler.parse_macros(texts[envelope.MACROS].encode("utf-8")) if envelope.MACROS in texts else {},
            (),
            "check",
            "check",
        )
    except OSError as e:
        raise UsageError(f"rules bundle: {e.strerror or e}: {getattr(e, 'filename', '')}") from None
    except (envelope.BundleError, compiler.RuleError, ValueError) as e:
        raise UsageError(f"rules bundle: {e}") from None
    from guard.engine import examples
    from guard.engine.ruleset import RuleSet

    rs = RuleSet.from_bytes(image)
    bad = examples.failures(compiler.load_rule_texts([(p.name, p.read_bytes()) for p in files]), rs)
    if bad:
        raise UsageError("rules bundle: rule examples fail, nothing written: " + "; ".join(bad))
    count = len(rs.rules)
    data = envelope.seal(payload, key)
    Path(args.out).write_bytes(data)
    kid = envelope.key_id(key.public_key())  # type: ignore[attr-defined]
    sys.stdout.write(
        f"wrote {args.out}: bundle version {args.version}, {count} rules from {len(files)} files, "
        f"signed with key {kid}\n"
    )
    return 0


def keygen(args: argparse.Namespace) -> int:
    import os

    from guard.commands.cli import UsageError
    from guard.rulesync import envelope

    if os.path.exists(args.out) and not args.force:
        raise UsageError(f"rules keygen: {args.out} exists (use --force to overwrite)")
    pem, pub = envelope.generate()
    from guard.runtime.sysio import write_atomic

    write_atomic(os.path.abspath(args.out), pem)
    sys.stdout.write(
        f"wrote private key {args.out} (mode 0600; keep it off developer machines)\n"
        f"public key for the managed config:\n  \"rules_public_key\": \"{pub}\"\n"
    )
    return 0


def run(args: argparse.Namespace) -> int:
    handlers = {"list": list_rules, "show": show_rule, "update": update_rules, "bundle": make_bundle, "keygen": keygen}
    return handlers[args.rules_command](args)
