"""``clampd-guard install --editor NAME``: wire this guard into an editor's hook config.

Every other setting and hook in the file is kept byte for byte; running it twice
changes nothing the second time; a guard that moved replaces our old entry. The old
file is kept as ``<file>.clampd-backup-<UTC time>`` (0600) and the new one is
written atomically with the old file's permissions.
"""

from __future__ import annotations

import argparse
import os
import sys

from guard.wiring import NAMES

SCOPE_HELP = (
    "user (default: your home directory), project (the repository at --project, shared with "
    "the team), local (Claude Code only: .claude/settings.local.json), managed (the system-wide "
    "file MDM tools own, e.g. /etc/claude-code/managed-settings.json or /etc/cursor/hooks.json; needs root)"
)


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--editor", required=True, choices=NAMES, help="which editor's hook config to edit")
    p.add_argument("--scope", default="user", choices=("user", "project", "local", "managed"), help=SCOPE_HELP)
    p.add_argument("--project", metavar="DIR", default=".", help="project directory for --scope project/local (default: .)")
    p.add_argument("--dry-run", action="store_true", help="print a unified diff of the change and write nothing")
    p.add_argument(
        "--root",
        metavar="DIR",
        help="edit the files of a system image rooted at DIR instead of this machine "
        "(e.g. DIR/etc/claude-code/managed-settings.json); for building images and MDM packages",
    )


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "install",
        help="wire the guard into an editor's hooks (claude, cursor, codex, gemini, copilot)",
        description="Write the editor's hook config so that it runs this guard (absolute path, "
        "--agent NAME) on every event the guard handles. Other settings and hooks are kept "
        "byte for byte, the previous file is backed up, and running it twice changes nothing.",
        epilog="Files: claude ~/.claude/settings.json | cursor ~/.cursor/hooks.json | "
        "codex ~/.codex/hooks.json | gemini ~/.gemini/settings.json | "
        "copilot ~/.copilot/hooks/clampd-guard.json (project scope: the same under the "
        "repository, copilot .github/hooks/clampd-guard.json). Exit 0 on success, 2 when a "
        "file cannot be edited safely (for example it is not valid JSON).",
    )
    add_common(p)
    p.add_argument(
        "--exe",
        metavar="PATH",
        help="wire the guard binary at PATH ('PATH hook --agent NAME') instead of this "
        "installation (for images where the binary lives elsewhere)",
    )
    return p


def _home() -> str:
    from guard.runtime import sysio

    return sysio.home()


def _deadline_ms(root: str | None) -> int:
    from guard.config import paths
    from guard.config.load import load

    managed = os.path.join(root, paths.MANAGED_CONFIG.lstrip("/")) if root else None
    try:
        return int(load(managed_path=managed).deadline_ms)
    except Exception:  # noqa: BLE001 - a broken config is doctor's business, not install's
        from guard.config.fields import FIELDS

        return int(FIELDS["deadline_ms"][1])  # type: ignore[call-overload]


def _warn_agent(agent: str) -> None:
    from guard import editors

    if agent not in editors.ADAPTERS:
        sys.stderr.write(
            f"clampd-guard: warning: this guard build has no --agent {agent} adapter yet; "
            f"the wired hook will answer with its fail-safe verdict until it has one\n"
        )


def run(args: argparse.Namespace) -> int:
    from guard.commands.cli import UsageError
    from guard.wiring import apply, files, get

    ed = get(args.editor)
    if args.exe and not os.path.isabs(args.exe):
        raise UsageError("install: --exe must be an absolute path")
    try:
        plan = apply.plan_install(
            ed,
            args.scope,
            home=_home(),
            project=args.project,
            deadline_ms=_deadline_ms(args.root),
            root=args.root,
            exe=args.exe,
        )
    except files.WiringError as e:
        raise UsageError(f"install: {e}") from None
    if args.dry_run:
        sys.stdout.write(plan.diff() if plan.changed else f"{plan.path}: already up to date; nothing to change\n")
        return 0
    if not plan.changed:
        sys.stdout.write(f"{ed.label}: already wired in {plan.path}; nothing to change\n")
        return 0
    try:
        backup = apply.commit(plan)
    except OSError as e:
        raise UsageError(f"install: cannot write {plan.path}: {e.strerror or e}") from None
    events = ", ".join(ed.events(plan.command, 0))
    sys.stdout.write(f"{ed.label}: wired {events} in {plan.path}\n  command: {plan.command}\n")
    if backup:
        sys.stdout.write(f"  previous file kept as {backup}\n")
    if not args.exe:
        _warn_agent(ed.agent)
    return 0
