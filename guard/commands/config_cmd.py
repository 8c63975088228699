"""``clampd-guard config show|validate|schema``."""

from __future__ import annotations

import argparse
import json
import sys

MASK = "***"


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "config",
        help="show, validate or describe guard.json",
        description="Inspect the guard's configuration (defaults < user file < managed file).",
    )
    cs = p.add_subparsers(dest="config_command", metavar="subcommand")
    cs.required = True
    show = cs.add_parser("show", help="the effective configuration and where each value comes from")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    val = cs.add_parser("validate", help="validate a guard.json file (default: the user file)")
    val.add_argument("file", nargs="?", metavar="FILE", help="file to validate (default: ~/.clampd/guard.json)")
    cs.add_parser("schema", help="print the JSON Schema of guard.json")
    return p


def _shown(name: str, value: object) -> object:
    from guard.config import fields as F

    if name in F.SECRET_FIELDS:
        return MASK if value else ""
    return value


def show(args: argparse.Namespace) -> int:
    from guard.config import fields as F
    from guard.config import paths
    from guard.config.load import load

    cfg = load()
    rows = []
    for name in F.FIELDS:
        rows.append((name, _shown(name, getattr(cfg, name)), cfg.sources.get(name, "default")))
    if args.json:
        out = {
            "user_file": paths.user_config(),
            "managed_file": paths.MANAGED_CONFIG,
            "fields": {n: {"value": v, "source": s} for n, v, s in rows},
            "user_error": cfg.user_error,
            "managed_error": cfg.managed_error,
            "warnings": cfg.warnings,
        }
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return 0
    sys.stdout.write(f"user file:    {paths.user_config()}\n")
    sys.stdout.write(f"managed file: {paths.MANAGED_CONFIG}\n\n")
    width = max(len(n) for n, _v, _s in rows)
    vals = [json.dumps(v) for _n, v, _s in rows]
    vwidth = max(len(v) for v in vals)
    sys.stdout.write(f"{'field':<{width}}  {'value':<{vwidth}}  source\n")
    for (name, _v, src), val in zip(rows, vals):
        sys.stdout.write(f"{name:<{width}}  {val:<{vwidth}}  {src}\n")
    if cfg.managed_error:
        sys.stdout.write(f"\nmanaged configuration is broken, the guard fails closed: {cfg.managed_error}\n")
    for w in cfg.warnings:
        sys.stdout.write(f"warning: {w}\n")
    return 0


def validate(args: argparse.Namespace) -> int:
    import msgspec

    from guard.config import paths, schema
    from guard.config.load import parse_file

    path = args.file or paths.user_config()
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        sys.stderr.write(f"{path}: no such file\n")
        return 2
    except OSError as e:
        sys.stderr.write(f"{path}: cannot be read ({e.strerror or e})\n")
        return 2
    # The hook's loader accepts a UTF-8 byte-order mark; msgspec does not.
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        schema.validate(raw)
    except (msgspec.ValidationError, msgspec.DecodeError) as e:
        sys.stderr.write(f"{path}: invalid: {e}\n")
        return 2
    # The hook loader's view too: it also reports unknown fields (ignored, not errors).
    _values, warnings, err = parse_file(path)
    if err:
        sys.stderr.write(f"{err}\n")
        return 2
    for w in warnings:
        sys.stdout.write(f"warning: {w}\n")
    sys.stdout.write(f"{path}: OK\n")
    return 0


def schema_cmd(_args: argparse.Namespace) -> int:
    from guard.config import schema

    sys.stdout.write(json.dumps(schema.json_schema(), indent=2) + "\n")
    return 0


def run(args: argparse.Namespace) -> int:
    return {"show": show, "validate": validate, "schema": schema_cmd}[args.config_command](args)
