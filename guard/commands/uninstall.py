"""``clampd-guard uninstall --editor NAME``: remove this guard's hook entries, and nothing else.

After ``install`` then ``uninstall`` with no other change in between, the file is
byte-identical to what it was (a file that only existed for our entries is removed).
"""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from guard.commands.install import add_common

    p = sub.add_parser(
        "uninstall",
        help="remove the guard's hook entries from an editor's config",
        description="Remove every clampd-guard hook entry (any install path) from the editor's "
        "config file and keep everything else byte for byte; the previous file is backed up. "
        "A file left with no settings at all is deleted.",
    )
    add_common(p)
    return p


def run(args: argparse.Namespace) -> int:
    from guard.commands.cli import UsageError
    from guard.commands.install import _home
    from guard.wiring import apply, files, get

    ed = get(args.editor)
    try:
        plan = apply.plan_uninstall(ed, args.scope, home=_home(), project=args.project, root=args.root)
    except files.WiringError as e:
        raise UsageError(f"uninstall: {e}") from None
    if args.dry_run:
        sys.stdout.write(plan.diff() if plan.changed else f"{plan.path}: no clampd-guard entries; nothing to change\n")
        return 0
    if not plan.changed:
        sys.stdout.write(f"{ed.label}: no clampd-guard entries in {plan.path}; nothing to change\n")
        return 0
    try:
        backup = apply.commit(plan)
    except OSError as e:
        raise UsageError(f"uninstall: cannot write {plan.path}: {e.strerror or e}") from None
    what = "removed the file (it held only our entries)" if plan.new is None else "removed our entries"
    sys.stdout.write(f"{ed.label}: {what}: {plan.path}\n")
    if backup:
        sys.stdout.write(f"  previous file kept as {backup}\n")
    return 0
