"""``clampd-guard doctor``: is the guard really protecting this machine? A checklist, one line per check.

Each check is a small function in ``CHECKS`` taking the context and returning lines
(ok / warn / fail / skip, with a fix hint), so checks from other modules slot in.
Exit 0 when nothing failed (warnings allowed), 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guard.wiring.base import Editor

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"

ROOT_HELP = """\
--root DIR checks a system image rooted at DIR instead of this user's setup
(what an MDM package or Ansible role installed): the managed config
DIR/etc/clampd/guard.json, Claude Code's DIR/etc/claude-code/managed-settings.json,
Cursor's DIR/etc/cursor/hooks.json and Gemini CLI's DIR/etc/gemini-cli/settings.json.
At least one managed editor file must wire the guard for every required event.
Absolute paths in a wired command are looked up inside DIR first (the image names
its binary as it will be installed, e.g. /usr/local/bin/clampd-guard, and doctor runs
DIR/usr/local/bin/clampd-guard), then on this machine. The self-test runs that
command; the guard it starts reads this machine's /etc/clampd/guard.json, not the
image's. User-level checks (user config, audit store, ~ wiring) are skipped, and a
missing DIR/etc/clampd/guard.json is a warning (built-in defaults apply)."""


@dataclass
class Line:
    name: str
    status: str
    detail: str
    fix: str = ""


@dataclass
class Ctx:
    home: str
    project: str
    root: str | None
    repair: bool
    cfg: object = None
    repaired: list[str] = field(default_factory=list)


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    import textwrap

    p = sub.add_parser(
        "doctor",
        help="check that the guard is wired, configured and really blocking (checklist)",
        description=textwrap.fill(
            "Check that the guard resolves, that every editor installed here (found by its config "
            "directory or its program on PATH) runs it on all the events it needs, that its config "
            "is valid, that its audit store is writable, its rules and its gateway; then run each "
            "wired command line as the editor would, with a destructive call that must be denied "
            "and a benign one that must be allowed.",
            width=88,
        ),
        epilog=ROOT_HELP + "\n\nExit status: 0 when nothing failed (warnings allowed), 1 otherwise.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the checklist")
    p.add_argument(
        "--repair",
        action="store_true",
        help="re-install missing or broken wiring in the user scope (install --editor NAME) and check again; not with --root",
    )
    p.add_argument("--root", metavar="DIR", help="check the system image rooted at DIR (see below)")
    p.add_argument("--project", metavar="DIR", default=".", help="also check this project's wiring (default: .)")
    p.add_argument("--no-color", action="store_true", help="no ANSI colours")
    return p


# --- checks ---------------------------------------------------------------------------


def check_launcher(ctx: Ctx) -> list[Line]:
    """The command this guard would wire points at files that exist."""
    if ctx.root:
        return []
    from guard.commands import hook_command
    from guard.wiring.command import executable_ok

    exe = os.path.abspath(sys.executable or "")
    if not sys.executable or not executable_ok(exe):
        return [Line("guard", FAIL, f"the interpreter {exe!r} is not an executable file", "reinstall clampd-guard")]
    if hook_command.frozen():
        return [Line("guard", OK, f"frozen binary {exe}")]
    hm = hook_command.hookmain_path()
    if not os.path.isfile(hm):
        return [Line("guard", FAIL, f"launcher {hm} is missing", "reinstall clampd-guard")]
    return [Line("guard", OK, f"{exe} -I -S {hm}")]


def _managed_config_path(ctx: Ctx) -> str:
    from guard.config import paths
    from guard.wiring.command import map_root

    return map_root(paths.MANAGED_CONFIG, ctx.root)


def _validate_config(label: str, path: str, required: bool) -> Line:
    from guard.config import schema
    from guard.config.load import parse_file

    if not os.path.exists(path):
        if required:
            return Line(label, WARN, f"{path} does not exist: built-in defaults apply", "write the managed guard.json")
        return Line(label, OK, f"{path} absent (defaults)")
    values, warns, err = parse_file(path)
    if err:
        return Line(label, FAIL, err, f"fix {path} (clampd-guard config validate)")
    try:
        with open(path, "rb") as f:
            schema.validate(f.read())
    except Exception as e:  # noqa: BLE001 - msgspec.ValidationError and friends
        return Line(label, FAIL, f"{path}: {e}", f"fix {path} (clampd-guard config validate)")
    if warns:
        return Line(label, WARN, f"{path}: " + "; ".join(w.split(": ", 1)[-1] for w in warns), f"edit {path}")
    return Line(label, OK, f"{path} valid ({len(values or {})} settings)")


def check_config(ctx: Ctx) -> list[Line]:
    from guard.config import paths

    out = []
    if not ctx.root:
        out.append(_validate_config("user config", paths.user_config(), False))
    out.append(_validate_config("managed config", _managed_config_path(ctx), bool(ctx.root)))
    return out


def check_audit(ctx: Ctx) -> list[Line]:
    if ctx.root:
        return [Line("audit store", SKIP, "per-user; not checked in an image")]
    if ctx.cfg is not None and getattr(ctx.cfg, "audit", True) is False:
        return [Line("audit store", WARN, "audit is off in the config: decisions are not recorded", 'set "audit": true')]
    import tempfile

    from guard.config import paths

    d = paths.user_state_dir()
    try:
        os.makedirs(d, mode=0o700, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=d, prefix=".doctor-"):
            pass
    except OSError as e:
        return [Line("audit store", FAIL, f"{d} is not writable ({e.strerror or e})", f"fix the permissions of {d}")]
    return [Line("audit store", OK, f"{d} writable")]


def check_rules(ctx: Ctx) -> list[Line]:
    try:
        from guard.engine.bundle import active_info  # type: ignore[import-not-found]
    except ImportError:
        return [Line("rules", OK, "embedded rules (this build has no signed bundle support)")]
    try:  # pragma: no cover - wired once the bundle module lands
        info = active_info(ctx.cfg)
        return [Line("rules", OK, str(info))]
    except Exception as e:  # noqa: BLE001  # pragma: no cover
        return [Line("rules", WARN, f"bundle state unknown ({type(e).__name__}: {e})", "clampd-guard rules update")]


def check_gateway(ctx: Ctx) -> list[Line]:
    url = getattr(ctx.cfg, "gateway_url", "") if ctx.cfg is not None else ""
    if not url:
        return [Line("gateway", OK, "not configured: local rules only")]
    try:
        from guard.gateway.client import health  # type: ignore[import-not-found]
    except ImportError:
        return [Line("gateway", WARN, f"{url} configured; this build cannot probe it")]
    try:  # pragma: no cover - wired once the gateway client lands
        ok = health(ctx.cfg)
    except Exception as e:  # noqa: BLE001  # pragma: no cover
        return [Line("gateway", FAIL, f"{url} unreachable ({type(e).__name__})", "check gateway_url and the network")]
    return [Line("gateway", OK if ok else FAIL, f"{url} {'reachable' if ok else 'unhealthy'}")]  # pragma: no cover


# --- editor wiring -------------------------------------------------------------------------


def _files_to_check(ctx: Ctx, ed: Editor) -> list[tuple[str, str]]:
    """(scope, path) of every config file of this editor that doctor looks at."""
    from guard.wiring import base
    from guard.wiring.command import map_root

    if ctx.root:
        p = ed.paths(base.MANAGED, ctx.home, ctx.project) if base.MANAGED in ed.scopes else None
        return [(base.MANAGED, map_root(p, ctx.root))] if p else []
    out = []
    for scope in ed.scopes:
        p = ed.paths(scope, ctx.home, os.path.abspath(ctx.project))
        if p and all(p != q for _s, q in out):
            out.append((scope, p))
    return out


def _program_problem(cmd: str, root: str | None) -> str | None:
    """Why a wired command cannot start this guard, or None."""
    from guard.wiring.command import executable_ok, launcher, map_root, program

    prog = program(cmd) or ""
    if os.path.isabs(prog):
        mapped = map_root(prog, root)
        path = mapped if os.path.exists(mapped) else prog
        if not executable_ok(path):
            return f"{prog} does not exist or is not executable (the editor would get exit 127 and run every tool)"
    else:
        import shutil

        if shutil.which(prog) is None:
            return f"{prog!r} is not on PATH"
    lm = launcher(cmd)
    if lm:
        mapped = map_root(lm, root)
        if not (os.path.isfile(mapped) or os.path.isfile(lm)):
            return f"launcher {lm} does not exist"
    return None


def _timeout_of(ed: Editor, data: dict, event: str) -> float:
    """The editor-side timeout (seconds) of our first handler for ``event``; 10 if none is set."""
    from guard.wiring import base
    from guard.wiring.command import is_ours

    for entry in data.get("hooks", {}).get(event, []):
        for h in base.handlers(ed, entry):
            if not is_ours(h.get(ed.command_key)):
                continue
            v = h.get("timeoutSec", h.get("timeout"))
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0:
                return v / 1000 if ed.name == "gemini" else float(v)  # Gemini counts milliseconds
    return 10.0


ALL_MATCHERS = (None, "", "*", ".*")


def _handler_problems(ed: Editor, data: dict, deadline_ms: int) -> list[str]:
    """Our entries that run too narrowly (a matcher) or too briefly (a timeout under the deadline)."""
    from guard.wiring import base
    from guard.wiring.command import is_ours

    out = []
    for ev, lst in data.get("hooks", {}).items():
        if not isinstance(lst, list):
            continue
        for entry in lst:
            mine = [h for h in base.handlers(ed, entry) if is_ours(h.get(ed.command_key))]
            if not mine:
                continue
            matcher = entry.get("matcher") if isinstance(entry, dict) else None
            if matcher not in ALL_MATCHERS:
                out.append(f"{ev} runs the guard only for tools matching {matcher!r}")
            for h in mine:
                t = h.get("timeoutSec", h.get("timeout"))
                if isinstance(t, (int, float)) and not isinstance(t, bool):
                    ms = t if ed.name == "gemini" else t * 1000
                    if ms <= deadline_ms:
                        out.append(
                            f"{ev} timeout {t}{'ms' if ed.name == 'gemini' else 's'} is not above the guard's "
                            f"deadline_ms {deadline_ms}: the editor may kill it first and run the tool"
                        )
    return out


def check_file(ctx: Ctx, ed: Editor, scope: str, path: str) -> list[Line]:
    """Wiring and self-test lines for one editor config file that holds our entries."""
    from guard.wiring import base, files, jsonedit, selftest
    from guard.wiring.command import guard_command, program, rooted_command, words

    name = f"{ed.name} wiring"
    try:
        text = files.read_text(path)
        data, _ = jsonedit.load(text or "", ed.jsonc)
    except (files.WiringError, jsonedit.JsonEditError) as e:
        return [Line(name, FAIL, f"{path}: {e}", f"fix {path}; the editor cannot read it either")]
    ours = base.our_commands(ed, data)
    want = list(ed.events("x", 10))
    missing = [ev for ev in want if ev not in ours]
    out: list[Line] = []
    fix = f"clampd-guard install --editor {ed.name}" + ("" if scope == "user" else f" --scope {scope}")
    if missing:
        out.append(Line(name, FAIL, f"{path} ({scope}): no clampd-guard hook for {', '.join(missing)}", fix))
    cmds = sorted({c for lst in ours.values() for c in lst})
    for cmd in cmds:
        problem = _program_problem(cmd, ctx.root)
        if problem:
            out.append(Line(name, FAIL, f"{path} ({scope}): {problem}", fix))
    for cmd in cmds:
        prog = program(cmd) or ""
        if not out and not os.path.isabs(prog):
            out.append(
                Line(name, WARN, f"{path} ({scope}): {prog!r} is found through PATH, which the editor may not share", fix)
            )
    if not out:
        detail = f"{path} ({scope}): {len(want)} events -> {cmds[0]}"
        expected = words(guard_command(ed.agent))
        if not ctx.root and any(words(c) != expected for c in cmds):
            out.append(Line(name, WARN, detail + " (another clampd-guard installation than this one)", fix))
        else:
            out.append(Line(name, OK, detail))
    for status, detail, hint in ed.notes(data, path) if ed.notes else []:
        out.append(Line(name, status, f"{path}: {detail}", hint))
    for detail in _handler_problems(ed, data, getattr(ctx.cfg, "deadline_ms", 5000)):
        out.append(Line(name, WARN, f"{path}: {detail}", fix))
    if any(x.status == FAIL for x in out if x.detail.startswith(f"{path} ({scope}): ")):
        return out
    first = want[0]
    cmd = ours[first][0]
    ok, detail = selftest.self_test(ed, rooted_command(cmd, ctx.root), _timeout_of(ed, data, first) + 5)
    hint = ""
    if not ok:
        from guard import editors

        if ed.agent not in editors.ADAPTERS:
            hint = f"this clampd-guard has no --agent {ed.agent} adapter: upgrade clampd-guard"
        else:
            hint = f"{fix} (or see what the wired command answers: clampd-guard check --bash 'rm -rf ~')"
    out.append(Line(f"{ed.name} self-test", OK if ok else FAIL, f"{path}: {detail}", hint))
    return out


def check_editor(ctx: Ctx, ed: Editor) -> list[Line]:
    from guard.wiring import base, files, jsonedit

    wired: list[tuple[str, str]] = []
    for scope, path in _files_to_check(ctx, ed):
        try:
            text = files.read_text(path)
        except files.WiringError as e:
            return [Line(f"{ed.name} wiring", FAIL, str(e), f"fix {path}")]
        if text is None:
            continue
        try:
            data, _ = jsonedit.load(text, ed.jsonc)
        except jsonedit.JsonEditError as e:
            if scope in ("user", "managed"):
                return [Line(f"{ed.name} wiring", FAIL, f"{path}: {e}", f"fix {path}")]
            continue
        if base.our_commands(ed, data):
            wired.append((scope, path))
    present = bool(wired) or (not ctx.root and ed.detect(ctx.home))
    if not present:
        return []
    if not wired:
        if ctx.root:
            return []
        return [
            Line(
                f"{ed.name} wiring",
                FAIL,
                f"{ed.label} is installed here but does not run the guard",
                f"clampd-guard install --editor {ed.name}",
            )
        ]
    out: list[Line] = []
    for scope, path in wired:
        out += check_file(ctx, ed, scope, path)
    if ed.name == "claude":
        out += _claude_policy(ctx, wired)
    return out


def _claude_policy(ctx: Ctx, wired: list[tuple[str, str]]) -> list[Line]:
    """Managed switches that silence the hooks wired elsewhere."""
    from guard.wiring import claude, files, jsonedit
    from guard.wiring.command import map_root

    path = map_root(claude.MANAGED_PATH, ctx.root)
    try:
        text = files.read_text(path)
        data, _ = jsonedit.load(text) if text else ({}, None)
    except (files.WiringError, jsonedit.JsonEditError):
        return []
    if not isinstance(data, dict):
        return []
    if data.get("disableAllHooks") is True:
        return [Line("claude wiring", FAIL, f"{path}: disableAllHooks turns off every hook, the guard's too", "ask your administrator")]
    if data.get("allowManagedHooksOnly") is True and all(scope != "managed" for scope, _p in wired):
        return [
            Line(
                "claude wiring",
                FAIL,
                f"{path}: allowManagedHooksOnly blocks user and project hooks, so this wiring never runs",
                "the guard must be in the managed settings: clampd-guard install --editor claude --scope managed",
            )
        ]
    return []


def check_editors(ctx: Ctx) -> list[Line]:
    from guard.wiring import all_editors

    out: list[Line] = []
    for ed in all_editors():
        lines = check_editor(ctx, ed)
        broken = any(x.status == FAIL for x in lines)
        if broken and ctx.repair and not ctx.root and _repair(ctx, ed):
            lines = check_editor(ctx, ed)
        out += lines
    if ctx.root and not any(x.name.endswith("wiring") for x in out):
        out.append(
            Line(
                "editor wiring",
                FAIL,
                f"no managed editor settings under {ctx.root} run the guard",
                f"clampd-guard install --editor claude --scope managed --root {ctx.root} --exe /usr/local/bin/clampd-guard",
            )
        )
    elif not ctx.root and not out:
        out.append(Line("editor wiring", WARN, "no supported editor found on this machine", "clampd-guard install --editor NAME"))
    return out


def _repair(ctx: Ctx, ed: Editor) -> bool:
    from guard.commands.install import _deadline_ms
    from guard.wiring import apply, files

    try:
        plan = apply.plan_install(ed, "user", home=ctx.home, project=ctx.project, deadline_ms=_deadline_ms(None))
        if plan.changed:
            apply.commit(plan)
    except (files.WiringError, OSError) as e:
        ctx.repaired.append(f"{ed.name}: repair failed: {e}")
        return False
    ctx.repaired.append(f"{ed.name}: re-installed in {plan.path}")
    return True


CHECKS = [check_launcher, check_config, check_editors, check_audit, check_rules, check_gateway]


# --- output ---------------------------------------------------------------------------------

MARK = {OK: "ok", WARN: "warn", FAIL: "FAIL", SKIP: "skip"}
COLOR = {OK: "green", WARN: "yellow", FAIL: "red", SKIP: "dim"}


def collect(ctx: Ctx) -> list[Line]:
    from guard.commands.common import load_config
    from guard.config.load import load

    if ctx.root:
        try:
            ctx.cfg = load(user_path=os.path.join(ctx.root, ".no-user-config"), managed_path=_managed_config_path(ctx))
        except Exception:  # noqa: BLE001
            ctx.cfg = None
    else:
        ctx.cfg = load_config()
    lines: list[Line] = []
    for check in CHECKS:
        try:
            lines += check(ctx)
        except Exception as e:  # noqa: BLE001 - one broken check must not hide the others
            lines.append(Line(check.__name__.removeprefix("check_"), FAIL, f"check crashed: {type(e).__name__}: {e}"))
    return lines


def run(args: argparse.Namespace) -> int:
    from guard.commands.cli import UsageError
    from guard.commands.common import paint, use_color
    from guard.runtime import sysio

    root = os.path.abspath(args.root) if args.root else None
    if root and args.repair:
        raise UsageError("doctor: --repair works on this machine's user wiring, not with --root")
    if root and not os.path.isdir(root):
        raise UsageError(f"doctor: --root {args.root} is not a directory")
    ctx = Ctx(home=sysio.home(), project=os.path.abspath(args.project), root=root, repair=args.repair)
    lines = collect(ctx)
    failed = any(x.status == FAIL for x in lines)
    if args.json:
        sys.stdout.write(
            json.dumps({"ok": not failed, "root": root, "repaired": ctx.repaired, "checks": [asdict(x) for x in lines]}, indent=2)
            + "\n"
        )
        return 1 if failed else 0
    color = use_color(args.no_color)
    for r in ctx.repaired:
        sys.stdout.write(f"repair: {r}\n")
    for x in lines:
        mark = paint(f"[{MARK[x.status]:>4}]", COLOR[x.status], color)
        sys.stdout.write(f"{mark} {x.name}: {x.detail}\n")
        if x.fix and x.status in (WARN, FAIL):
            sys.stdout.write(f"       fix: {x.fix}\n")
    n_fail = sum(x.status == FAIL for x in lines)
    n_warn = sum(x.status == WARN for x in lines)
    summary = "all green" if not n_fail and not n_warn else f"{n_fail} failed, {n_warn} warnings"
    sys.stdout.write(paint(summary, "red" if n_fail else ("yellow" if n_warn else "green"), color) + "\n")
    return 1 if failed else 0
