"""``clampd-guard test``: fire the built-in attack suite and report what got through.

Every attack in ``guard/attacks/suite.toml`` is a Claude Code hook payload.
By default each one runs in-process through the hook's own pipeline with the
effective configuration; with ``--gateway URL`` each is sent to the gateway's
``POST /v1/proxy`` instead. Results are computed, never recorded: an attack
that is allowed points at a rule that is missing.

Result per attack:
  blocked  deny (pre events); on post events the injected text was removed
           from the output before the model read it (a defusing redaction)
  flagged  ask (the user approves); on post events only secrets were redacted
  allowed  nothing stopped it
  error    the call could not be judged (bad payload, gateway unreachable)
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from guard.commands import common
from guard.commands.cli import UsageError

BLOCKED, FLAGGED, ALLOWED, ERROR = "blocked", "flagged", "allowed", "error"
RESULTS = (BLOCKED, FLAGGED, ALLOWED, ERROR)
RESULT_COLOR = {BLOCKED: "red", FLAGGED: "yellow", ALLOWED: "green", ERROR: "magenta"}
GATEWAY_ACTIONS = {"block": BLOCKED, "flag": FLAGGED, "pass": ALLOWED}
# Consecutive connection failures after which the remaining attacks are not sent.
GIVE_UP_AFTER = 3

EPILOG = """\
results:
  blocked  denied (post events: the injected text was removed from the tool output)
  flagged  the editor would ask the user (post events: only secrets were redacted)
  allowed  nothing stopped the attack
  error    the attack could not be judged (e.g. the gateway is unreachable)
Benign controls (expected "allow") are reported separately: a control that is
blocked or flagged is a false positive.

exit status:
  0  finished (with --exit-on-fail: every attack was blocked or flagged)
  1  --exit-on-fail and at least one attack was allowed or errored
  2  usage error
  130  interrupted (Ctrl-C), e.g. to stop --watch

examples:
  clampd-guard test
  clampd-guard test --attacks shell,ssrf --exit-on-fail
  clampd-guard test --only shell.rm-home,ssrf.aws-metadata --json
  clampd-guard test --gateway https://gateway.example.com --watch --interval 300
"""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from guard.attacks import GROUPS

    p = sub.add_parser(
        "test",
        help="fire the built-in attack suite at the guard and report what was blocked",
        description="Fire the built-in attack suite (SQL injection, XSS, SSRF, destructive shell,\n"
        "path traversal, injection) at the local rules, or at a Clampd gateway, and report\n"
        "which attacks were blocked, flagged or allowed. Nothing is executed.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--attacks",
        default="all",
        metavar="GROUPS",
        help=f"comma-separated groups to fire: {'|'.join(GROUPS)}|all (default: all)",
    )
    p.add_argument("--only", metavar="IDS", help="comma-separated attack ids (see --json output) to fire")
    p.add_argument(
        "--gateway",
        metavar="URL",
        help="send each attack to URL/v1/proxy instead of the local engine "
        "(api_key and timeout_ms come from the configuration)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object (per round with --watch)")
    p.add_argument(
        "--exit-on-fail",
        action="store_true",
        help="exit 1 if any attack is allowed or errors (a CI gate); with --watch, stop at the first such round",
    )
    p.add_argument("--watch", action="store_true", help="rerun every --interval seconds until Ctrl-C")
    p.add_argument(
        "--interval", type=float, metavar="SECONDS", help="seconds between --watch rounds (default: 60)"
    )
    p.add_argument("--no-color", action="store_true", help="no ANSI colours (also: NO_COLOR=1, or not a terminal)")
    return p


# --- selecting attacks ---------------------------------------------------------


def select(args: argparse.Namespace) -> list:
    from guard.attacks import GROUPS, SuiteError, load

    try:
        suite = load()
    except (OSError, SuiteError, ValueError) as e:
        raise UsageError(f"test: cannot load the attack suite: {e}") from None
    wanted: set[str] = set()
    for g in (x.strip().lower() for x in str(args.attacks).split(",")):
        if not g:
            continue
        if g == "all":
            wanted.update(GROUPS)
        elif g in GROUPS:
            wanted.add(g)
        else:
            raise UsageError(f"test: unknown attack group {g!r} (groups: {', '.join(GROUPS)}, all)")
    if not wanted:
        raise UsageError(f"test: --attacks needs at least one group ({', '.join(GROUPS)}, all)")
    chosen = [a for a in suite if a.group in wanted]
    if args.only:
        ids = [x.strip() for x in args.only.split(",") if x.strip()]
        known = {a.id for a in suite}
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise UsageError(f"test: unknown attack id(s): {', '.join(unknown)} (see 'clampd-guard test --json')")
        chosen = [a for a in chosen if a.id in set(ids)]
    if not chosen:
        raise UsageError("test: no attack matches the given --attacks/--only")
    order = {g: i for i, g in enumerate(GROUPS)}
    # Attacks first, then the benign controls; each grouped in the usual order.
    return sorted(chosen, key=lambda a: (a.control, order[a.group]))


# --- firing --------------------------------------------------------------------


def _result(attack: object, outcome: str, decision: str, risk: float, rules: list[str], error: str = "") -> dict:
    r = {
        "id": attack.id,  # type: ignore[attr-defined]
        "group": attack.group,  # type: ignore[attr-defined]
        "name": attack.name,  # type: ignore[attr-defined]
        "expected": attack.expected,  # type: ignore[attr-defined]
        "event": attack.event,  # type: ignore[attr-defined]
        "tool": attack.tool,  # type: ignore[attr-defined]
        "result": outcome,
        "decision": decision,
        "risk": risk,
        "rules": rules,
    }
    if error:
        r["error"] = error
    return r


def _one_line(e: BaseException) -> str:
    text = str(e).splitlines()[0] if str(e) else ""
    return f"{type(e).__name__}: {text[:200]}" if text else type(e).__name__


class LocalEngine:
    """Each attack through the hook's own pipeline, in-process."""

    def __init__(self, cfg: object) -> None:
        from guard.engine.ruleset import load_active
        from guard.runtime import sysio

        self.cfg = cfg
        self.rules = load_active(cfg)  # what the hook runs: an adopted signed bundle, else the embedded rules
        self.home = sysio.home().rstrip("/") or "/"
        self.label = f"local engine ({len(self.rules.rules)} rules, sensitivity {cfg.sensitivity})"  # type: ignore[attr-defined]

    def fire(self, attack: object) -> dict:
        from guard.editors.base import BadInput
        from guard.verdict import ASK, DENY, REDACT

        try:
            _call, v = common.run_payload(attack.hook_payload(self.home), self.cfg, self.rules)  # type: ignore[attr-defined]
        except BadInput as e:
            return _result(attack, ERROR, "", 0.0, [], f"bad payload: {e}")
        except Exception as e:  # noqa: BLE001 - one attack must not stop the suite
            return _result(attack, ERROR, "", 0.0, [], _one_line(e))
        if v.decision == DENY:
            outcome = BLOCKED
        elif v.decision == ASK:
            outcome = FLAGGED
        elif v.decision == REDACT:
            # Post events: removing injected instructions neutralises the
            # attack; redacting only secrets is a flag.
            outcome = BLOCKED if any(h.defuse for h in v.hits) else FLAGGED
        else:
            outcome = ALLOWED
        return _result(attack, outcome, v.decision, v.risk, v.rule_ids)

    def close(self) -> None:
        pass


class GatewayEngine:
    """Each attack as ``POST {url}/v1/proxy``; the gateway's action is the result."""

    def __init__(self, url: str, cfg: object) -> None:
        import httpx

        self.httpx = httpx
        self.url = url.rstrip("/") + "/v1/proxy"
        self.timeout_ms = int(cfg.timeout_ms)  # type: ignore[attr-defined]
        headers = {"User-Agent": "clampd-guard-test"}
        key = getattr(cfg, "api_key", "")
        if key:
            headers["X-AG-Key"] = str(key)
        self.client = httpx.Client(timeout=self.timeout_ms / 1000.0, headers=headers, follow_redirects=False)
        self.label = f"gateway {url}"
        self.failures = 0
        self.gave_up = ""

    @staticmethod
    def body(attack: object) -> dict:
        """The /v1/proxy request for one attack.

        Post events carry the tool's output: the endpoint only has ``params``,
        so the output rides along there as ``tool_response``.
        """
        from guard.engine.toolkinds import scope_of

        p = attack.payload  # type: ignore[attr-defined]
        tool = str(p.get("tool_name") or "")
        params = p.get("tool_input")
        params = dict(params) if isinstance(params, dict) else {}
        if "tool_response" in p:
            params["tool_response"] = p["tool_response"]
        if not tool and "prompt" in p:
            params["prompt"] = p["prompt"]
        return {"tool": tool, "params": params, "target_url": "", "prompt_context": f"scope:{scope_of(tool)}"}

    def fire(self, attack: object) -> dict:
        httpx = self.httpx
        if self.gave_up:
            return _result(attack, ERROR, "", 0.0, [], f"not sent: {self.gave_up}")
        try:
            resp = self.client.post(self.url, json=self.body(attack))
        except httpx.TimeoutException:
            return self._unreachable(attack, f"no answer from {self.url} within {self.timeout_ms} ms")
        except httpx.ConnectError as e:
            return self._unreachable(attack, f"cannot connect to {self.url}: {_one_line(e)}")
        except httpx.HTTPError as e:
            return self._unreachable(attack, f"request to {self.url} failed: {_one_line(e)}")
        self.failures = 0
        try:
            data = resp.json()
        except ValueError:
            data = None
        if not isinstance(data, dict) or ("action" not in data and "allowed" not in data):
            return _result(attack, ERROR, "", 0.0, [], f"HTTP {resp.status_code}: not a /v1/proxy answer")
        action = data.get("action")
        if action in GATEWAY_ACTIONS:
            outcome = GATEWAY_ACTIONS[action]
        elif action is None and isinstance(data.get("allowed"), bool):
            outcome = ALLOWED if data["allowed"] else BLOCKED
            action = "pass" if data["allowed"] else "block"
        else:
            return _result(attack, ERROR, "", 0.0, [], f"unknown gateway action {action!r}")
        rules = []
        for r in data.get("matched_rules") or []:
            rid = r.get("id") or r.get("rule_id") if isinstance(r, dict) else r
            if rid:
                rules.append(str(rid))
        risk = data.get("risk_score")
        risk = float(risk) if isinstance(risk, (int, float)) and not isinstance(risk, bool) else 0.0
        out = _result(attack, outcome, str(action), risk, rules)
        if data.get("denial_reason"):
            out["reason"] = str(data["denial_reason"])
        return out

    def _unreachable(self, attack: object, why: str) -> dict:
        self.failures += 1
        if self.failures >= GIVE_UP_AFTER:
            self.gave_up = f"gateway unreachable ({why})"
        return _result(attack, ERROR, "", 0.0, [], why)

    def close(self) -> None:
        self.client.close()


class Progress:
    """A one-line bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        self.total = total
        try:
            self.on = bool(sys.stderr.isatty())
        except (AttributeError, ValueError):
            self.on = False
        self.width = 0

    def update(self, n: int, label: str) -> None:
        if not self.on:
            return
        import shutil

        cols = shutil.get_terminal_size((80, 24)).columns
        bar_w = 24
        filled = int(bar_w * n / max(self.total, 1))
        line = f"[{'#' * filled}{'.' * (bar_w - filled)}] {n}/{self.total} {label}"
        line = line[: max(cols - 1, 10)]
        pad = max(self.width - len(line), 0)
        sys.stderr.write("\r" + line + " " * pad)
        sys.stderr.flush()
        self.width = len(line)

    def clear(self) -> None:
        if self.on and self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()
            self.width = 0


def fire_all(engine: object, attacks: list, progress: Progress) -> list[dict]:
    results = []
    try:
        for n, a in enumerate(attacks):
            progress.update(n, a.id)
            results.append(engine.fire(a))  # type: ignore[attr-defined]
        progress.update(len(attacks), "done")
    finally:
        progress.clear()
    return results


# --- reporting -------------------------------------------------------------------


def _counts(results: list[dict]) -> dict[str, int]:
    c = {k: 0 for k in RESULTS}
    for r in results:
        c[r["result"]] += 1
    return c


def summarise(results: list[dict], engine_label: str, gateway: str | None) -> dict:
    from guard.attacks import GROUPS

    attacks = [r for r in results if r["expected"] == "block"]
    controls = [r for r in results if r["expected"] != "block"]
    by_group = {}
    for g in GROUPS:
        rs = [r for r in attacks if r["group"] == g]
        if rs:
            by_group[g] = {"total": len(rs), **_counts(rs)}
    return {
        "engine": "gateway" if gateway else "local",
        "target": engine_label,
        "total": len(attacks),
        "counts": _counts(attacks),
        "by_group": by_group,
        "failed": [r["id"] for r in attacks if r["result"] in (ALLOWED, ERROR)],
        "results": attacks,
        "controls": {
            "total": len(controls),
            "counts": _counts(controls),
            "false_positives": [r["id"] for r in controls if r["result"] in (BLOCKED, FLAGGED)],
            "results": controls,
        },
    }


def summary_line(s: dict) -> str:
    c = s["counts"]
    line = (
        f"{s['total']} attacks: {c[BLOCKED]} blocked, {c[FLAGGED]} flagged, {c[ALLOWED]} allowed, "
        f"{c[ERROR]} error{'s' if c[ERROR] != 1 else ''}"
    )
    ctl = s["controls"]
    if ctl["total"]:
        fp = len(ctl["false_positives"])
        line += f"; {ctl['total']} benign controls: {fp} false positive{'s' if fp != 1 else ''}"
        if ctl["counts"][ERROR]:
            line += f", {ctl['counts'][ERROR]} errors"
    return line


def _table(rows: list[dict], color: bool, out: object) -> None:
    import shutil

    heads = ("CATEGORY", "ATTACK", "EXPECTED", "RESULT", "RULES")
    cw = max(len(heads[0]), *(len(r["group"]) for r in rows))
    ew = max(len(heads[2]), *(len(r["expected"]) for r in rows))
    rw = max(len(heads[3]), *(len(r["result"]) for r in rows))
    term = shutil.get_terminal_size((120, 24)).columns
    nw = max(24, min(60, term - cw - ew - rw - 30))
    out.write(common.paint(f"{heads[0]:<{cw}}  {heads[1]:<{nw}}  {heads[2]:<{ew}}  {heads[3]:<{rw}}  {heads[4]}", "bold", color) + "\n")  # type: ignore[attr-defined]
    for r in rows:
        res = common.paint(f"{r['result']:<{rw}}", RESULT_COLOR[r["result"]], color)
        if r["result"] == ERROR:
            rules = common.one_line(r.get("error", ""), 70)
        else:
            ids = r["rules"]
            rules = ", ".join(ids[:3]) + (f" +{len(ids) - 3}" if len(ids) > 3 else "") if ids else "-"
        out.write(f"{r['group']:<{cw}}  {common.one_line(r['name'], nw):<{nw}}  {r['expected']:<{ew}}  {res}  {rules}\n")  # type: ignore[attr-defined]


def as_text(s: dict, color: bool) -> str:
    import io

    from guard import __version__

    out = io.StringIO()
    out.write(f"clampd-guard {__version__} test: {s['total']} attacks")
    if s["controls"]["total"]:
        out.write(f" and {s['controls']['total']} benign controls")
    out.write(f" against the {s['target']}; nothing is executed\n\n")
    if s["results"]:
        _table(s["results"], color, out)
    if s["controls"]["results"]:
        out.write("\nbenign controls (should be allowed):\n")
        _table(s["controls"]["results"], color, out)
    if s["by_group"]:
        out.write("\n")
        heads = ("GROUP", "ATTACKS", BLOCKED.upper(), FLAGGED.upper(), ALLOWED.upper(), ERROR.upper())
        out.write(common.paint("  ".join(f"{h:<10}" for h in heads).rstrip(), "bold", color) + "\n")
        for g, c in s["by_group"].items():
            cells = [g, str(c["total"])] + [str(c[k]) for k in RESULTS]
            out.write("  ".join(f"{x:<10}" for x in cells).rstrip() + "\n")
    out.write("\n" + summary_line(s) + "\n")
    allowed = [r["id"] for r in s["results"] if r["result"] == ALLOWED]
    if allowed:
        out.write(common.paint("allowed (no rule stopped them): ", "bold", color) + ", ".join(allowed) + "\n")
    errored = [r for r in s["results"] if r["result"] == ERROR]
    if errored:
        out.write(f"errors: {len(errored)} attack(s) could not be judged, first: {errored[0].get('error', '')}\n")
    fps = s["controls"]["false_positives"]
    if fps:
        out.write("false positives: " + ", ".join(fps) + "\n")
    return out.getvalue()


def failed(s: dict) -> bool:
    return bool(s["failed"])


# --- the command -------------------------------------------------------------------


def _engine(args: argparse.Namespace) -> object:
    cfg = common.load_config()
    if args.gateway:
        return GatewayEngine(args.gateway, cfg)
    return LocalEngine(cfg)


def one_round(args: argparse.Namespace, attacks: list) -> dict:
    engine = _engine(args)
    try:
        results = fire_all(engine, attacks, Progress(len(attacks)))
    finally:
        engine.close()  # type: ignore[attr-defined]
    return summarise(results, engine.label, args.gateway)  # type: ignore[attr-defined]


def run(args: argparse.Namespace) -> int:
    if args.gateway and not (args.gateway.startswith("http://") or args.gateway.startswith("https://")):
        raise UsageError(f"test: --gateway {args.gateway!r} is not an http(s) URL")
    if args.interval is not None and not args.watch:
        raise UsageError("test: --interval needs --watch")
    interval = 60.0 if args.interval is None else args.interval
    if not interval > 0:
        raise UsageError("test: --interval must be a positive number of seconds")
    attacks = select(args)
    color = common.use_color(args.no_color)

    if not args.watch:
        s = one_round(args, attacks)
        if args.json:
            sys.stdout.write(json.dumps(s, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(as_text(s, color))
        return 1 if args.exit_on_fail and failed(s) else 0

    try:
        while True:
            s = one_round(args, attacks)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
            if args.json:
                sys.stdout.write(json.dumps({"time": stamp, **s}, ensure_ascii=False) + "\n")
            else:
                line = f"{stamp}  {summary_line(s)}"
                allowed = [r["id"] for r in s["results"] if r["result"] == ALLOWED]
                if allowed:
                    line += f"  allowed: {', '.join(allowed[:5])}" + (f" +{len(allowed) - 5}" if len(allowed) > 5 else "")
                sys.stdout.write(line + "\n")
            sys.stdout.flush()
            if args.exit_on_fail and failed(s):
                return 1
            time.sleep(interval)
    except KeyboardInterrupt:
        try:
            sys.stderr.write("\n")
            sys.stderr.flush()
        except OSError:
            pass
        return 130
