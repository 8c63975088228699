#!/usr/bin/env python3
"""Whole-process timing of the clampd-guard hook against a bare interpreter.

Claude Code spawns the hook as a new process before/after every tool call, so
the number that matters is the wall time of one whole process: interpreter
start + imports + reading stdin + rules + answer. Absolute milliseconds depend
on the machine, so each case is reported as a ratio to ``python -I -S -c pass``
run with the SAME interpreter in the SAME hyperfine run (same load, same CPU
frequency). Medians, not means: a few slow outliers from a busy machine should
not decide the result.

Stdlib only; run it with any python3.11+::

    python3 benchmarks/hook_timing.py                # table + targets
    python3 benchmarks/hook_timing.py --json out.json --runs 60
    python3 benchmarks/hook_timing.py --check        # exit 1 if a target fails

Nothing here touches the real user's config: HOME points at a private
temporary directory (the rule cache is warmed there once before timing).

The audit trail is on (the default): every timed hook call appends its record
to the journal, as it does for users. ``--audit off`` writes ``{"audit": false}``
into the private HOME to measure what the append costs.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
HOOKMAIN = REPO / "guard" / "hookmain.py"

# Targets from the issue: whole-process time / bare interpreter, same run (audit on).
TARGETS = {"allow": 1.6, "deny": 2.0, "write-50k": 5.0}

SESSION = "3f9c2a7e-5b1d-4c8e-9a2f-7d6e1b0c4a58"
CWD = "/home/dev/project"
TRANSCRIPT = f"/home/dev/.claude/projects/-home-dev-project/{SESSION}.jsonl"


# --------------------------------------------------------------------------- payloads


def _base(event: str) -> dict:
    """The fields Claude Code sends with every hook event."""
    return {
        "session_id": SESSION,
        "transcript_path": TRANSCRIPT,
        "cwd": CWD,
        "permission_mode": "default",
        "hook_event_name": event,
    }


def pre_bash(command: str, description: str, use_id: str) -> dict:
    p = _base("PreToolUse")
    p["tool_name"] = "Bash"
    p["tool_input"] = {"command": command, "description": description}
    p["tool_use_id"] = use_id
    return p


CLEAN_FILE = '''"""Small settings loader for the demo service."""

from __future__ import annotations

import dataclasses
import pathlib
import tomllib


@dataclasses.dataclass
class Settings:
    name: str = "demo"
    port: int = 8080
    debug: bool = False
    workers: int = 4
    allowed_hosts: list[str] = dataclasses.field(default_factory=lambda: ["localhost"])


def load(path: pathlib.Path) -> Settings:
    """Read settings from a TOML file; missing keys keep their defaults."""
    if not path.exists():
        return Settings()
    data = tomllib.loads(path.read_text("utf-8"))
    section = data.get("service", {})
    known = {f.name for f in dataclasses.fields(Settings)}
    unknown = sorted(set(section) - known)
    if unknown:
        raise ValueError(f"unknown settings: {', '.join(unknown)}")
    return Settings(**section)


def describe(settings: Settings) -> str:
    mode = "debug" if settings.debug else "production"
    hosts = ", ".join(settings.allowed_hosts)
    return f"{settings.name} on port {settings.port} ({mode}, {settings.workers} workers, hosts: {hosts})"


if __name__ == "__main__":
    print(describe(load(pathlib.Path("service.toml"))))
'''


def post_read() -> dict:
    p = _base("PostToolUse")
    path = f"{CWD}/src/settings.py"
    n = CLEAN_FILE.count("\n")
    p["tool_name"] = "Read"
    p["tool_input"] = {"file_path": path}
    p["tool_response"] = {
        "type": "text",
        "file": {"filePath": path, "content": CLEAN_FILE, "numLines": n, "startLine": 1, "totalLines": n},
    }
    p["tool_use_id"] = "toolu_01HbR7wq2VQ8p3t5Xk9Lm4Cd"
    return p


def prompt() -> dict:
    p = _base("UserPromptSubmit")
    p["prompt"] = (
        "Refactor src/settings.py so that load() validates the port range and the worker count, "
        "add unit tests for the error paths in tests/test_settings.py, and run the test suite."
    )
    return p


_NOUNS = [
    "order", "invoice", "customer", "session", "report", "account", "payment", "ticket", "widget",
    "schedule", "upload", "profile", "metric", "event", "batch", "record", "token", "message",
]
_VERBS = ["load", "save", "validate", "render", "merge", "sync", "parse", "export", "archive", "refresh"]


def code_text(size: int = 50 * 1024) -> str:
    """Deterministic, realistic-looking Python source of about ``size`` characters."""
    out = [
        '"""Service layer for the back-office application (generated for benchmarks)."""\n\n',
        "from __future__ import annotations\n\n",
        "import dataclasses\nimport datetime\nimport logging\nfrom collections.abc import Iterable\n\n",
        "log = logging.getLogger(__name__)\n\n",
    ]
    total = sum(map(len, out))
    i = 0
    while total < size:
        noun = _NOUNS[i % len(_NOUNS)]
        verb = _VERBS[(i // len(_NOUNS)) % len(_VERBS)]
        cls = noun.capitalize() + str(i)
        block = f'''
@dataclasses.dataclass
class {cls}:
    """A {noun} as stored by the {verb} pipeline."""

    id: int
    owner: str
    created: datetime.datetime
    amount: float = 0.0
    tags: list[str] = dataclasses.field(default_factory=list)

    def is_recent(self, now: datetime.datetime, days: int = {7 + i % 23}) -> bool:
        return (now - self.created).days < days


def {verb}_{noun}s_{i}(items: Iterable[{cls}], limit: int = {50 + i}) -> list[{cls}]:
    """{verb.capitalize()} up to ``limit`` {noun}s, newest first, skipping empty owners."""
    result: list[{cls}] = []
    for item in sorted(items, key=lambda x: x.created, reverse=True):
        if not item.owner.strip():
            log.debug("skipping {noun} %s without owner", item.id)
            continue
        if item.amount < 0:
            raise ValueError(f"{noun} {{item.id}} has a negative amount: {{item.amount:.2f}}")
        result.append(item)
        if len(result) >= limit:
            break
    log.info("{verb} %d {noun}s", len(result))
    return result

'''
        out.append(block)
        total += len(block)
        i += 1
    text = "".join(out)
    return text[: text.rfind("\n", 0, size) + 1]


def write_50k() -> dict:
    p = _base("PreToolUse")
    p["tool_name"] = "Write"
    p["tool_input"] = {"file_path": f"{CWD}/src/service/records.py", "content": code_text()}
    p["tool_use_id"] = "toolu_01NfT6yq8Zc2Wm4Hx7Rk3Jp9"
    return p


def payloads() -> dict[str, dict]:
    """Case name -> hook payload, in report order."""
    return {
        "allow": pre_bash("ls -la", "List files in current directory", "toolu_01A9kQmZ7xVbN3cR5tYw8LpE"),
        "deny": pre_bash("rm -rf ~", "Clean up the home directory", "toolu_01Dq4sLx9WbE2nM6vKc8Tr7Y"),
        "post-read": post_read(),
        "prompt": prompt(),
        "write-50k": write_50k(),
    }


# What each case must do (checked once before timing, so the timing is of the intended path).
EXPECT = {
    "allow": ("empty", 0),
    "deny": ('"permissionDecision":"deny"', 0),
    "post-read": ("empty", 0),
    "prompt": ("empty", 0),
    "write-50k": ("empty", 0),
}


# What-if launcher (--what-if): guard/hookmain.py, but ending with posix._exit() so the
# interpreter's finalization (module teardown, GC, freeing memory) is skipped. Safe only
# because the hook path writes its answer with posix.write (nothing buffered in sys.stdout).
EXIT_LAUNCHER = '''import sys
sys.path.insert(0, {repo!r})
from guard.entry import main
rc = main()
import posix
posix._exit(rc if isinstance(rc, int) else 1)
'''


# --------------------------------------------------------------------------- environment


def default_python() -> str:
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def private_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["HOME"] = str(home)
    for k in ("XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "CLAUDE_TOOL_NAME"):
        env.pop(k, None)
    return env


def hook_cmd(python: str) -> list[str]:
    return [python, "-I", "-S", str(HOOKMAIN)]


def run_once(cmd: list[str], payload_file: Path, env: dict) -> subprocess.CompletedProcess:
    with open(payload_file, "rb") as f:
        return subprocess.run(cmd, stdin=f, capture_output=True, env=env, timeout=60)


def journal_lines(home: Path) -> int:
    j = home / ".local" / "state" / "clampd-guard" / "audit-journal.jsonl"
    return j.read_bytes().count(b"\n") if j.exists() else 0


def warm_and_check(python: str, files: dict[str, Path], env: dict, home: Path, audit: bool = True) -> list[str]:
    """Build the rule cache in the private HOME; check every case answers (and is audited) as expected."""
    problems = []
    lines_before = journal_lines(home)
    for _ in range(2):  # first call builds the cache (and .pyc files), second uses it
        r = run_once(hook_cmd(python), files["allow"], env)
    cache = list((home / ".cache" / "clampd-guard").glob("rules-embedded-*.marshal"))
    if not cache:
        problems.append(f"rule cache was not built under {home}/.cache/clampd-guard")
    for name, f in files.items():
        r = run_once(hook_cmd(python), f, env)
        want, code = EXPECT[name]
        out = r.stdout.decode("utf-8", "replace")
        ok = r.returncode == code and ((not out) if want == "empty" else want in out)
        if not ok:
            problems.append(
                f"{name}: exit {r.returncode}, stdout {out[:120]!r}, stderr {r.stderr[:200]!r} (expected {want!r})"
            )
        elif r.stderr:
            problems.append(f"{name}: hook wrote to stderr: {r.stderr[:200]!r}")
    got = journal_lines(home) - lines_before
    want = len(files) + 2 if audit else 0
    if got != want:
        problems.append(f"audit {'on' if audit else 'off'}: expected {want} journal records from the checks, found {got}")
    return problems


# --------------------------------------------------------------------------- engines


def hyperfine_version(exe: str) -> str:
    try:
        return subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def hyperfine_has_input(exe: str) -> bool:
    """``--input`` arrived in hyperfine 1.16; Debian 12 ships 1.15."""
    try:
        return "--input" in subprocess.run([exe, "--help"], capture_output=True, text=True).stdout
    except OSError:
        return False


def _stats(name: str, cmd: str, times_s: list[float], case_input: str) -> dict:
    ms = [t * 1000.0 for t in times_s]
    return {
        "name": name,
        "command": cmd,
        "input": case_input,
        "runs": len(ms),
        "median_ms": statistics.median(ms),
        "mean_ms": statistics.fmean(ms),
        "stddev_ms": statistics.stdev(ms) if len(ms) > 1 else 0.0,
        "min_ms": min(ms),
        "max_ms": max(ms),
    }


HF_WARNINGS: list[int] = []  # hyperfine's outlier warnings per run, summarised in the report


def _hyperfine_run(exe: str, cmds: list[tuple[str, str]], extra: list[str], runs: int, warmup: int, tmp: Path,
                   env: dict, tag: str) -> list[dict]:
    out = tmp / f"hyperfine-{tag}.json"
    argv = [exe, "--warmup", str(warmup), "--runs", str(runs), "--style", "none", "--export-json", str(out)] + extra
    for name, cmd in cmds:
        argv += ["--command-name", name, cmd]
    r = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        raise SystemExit(f"hyperfine failed (exit {r.returncode})")
    HF_WARNINGS.append(r.stderr.count("Warning:"))
    data = json.loads(out.read_text())
    return [r for r in data["results"]]


def time_hyperfine(exe: str, cases: list[dict], runs: int, warmup: int, tmp: Path, env: dict,
                   rounds: int = 1) -> tuple[list[dict], str]:
    """Time every case; the baseline shares each hyperfine run with the cases it is compared to.

    ``rounds`` > 1 splits the runs over that many hyperfine invocations (each with all cases
    and the baseline, each with its own warmup) and pools the times: hyperfine runs a case's
    runs back to back, so on a shared machine a burst of load can otherwise hit one case only.
    """
    per_round = max(1, -(-runs // rounds))
    times: dict[str, list[float]] = {}
    shown: dict[str, tuple[str, str]] = {}  # name -> (command as hyperfine ran it, input)
    if hyperfine_has_input(exe):
        # --input is one file per hyperfine run: one run per payload, each with its own baseline.
        method = "hyperfine -N --input FILE (one run per payload, baseline in each run)"
        by_input: dict[str, list[dict]] = {}
        for c in cases:
            if c["name"] != "baseline":
                by_input.setdefault(c["input"], []).append(c)
        base = next(c for c in cases if c["name"] == "baseline")
        refs = {}
        for rnd in range(rounds):
            for n, (inp, group) in enumerate(by_input.items()):
                names = [f"baseline@{n}"] + [c["name"] for c in group]
                cmds = list(zip(names, [shlex.join(_env_argv(c)) for c in [base] + group]))
                got = _hyperfine_run(exe, cmds, ["-N", "--input", inp], per_round, warmup, tmp, env, f"{rnd}-{n}")
                for name, r in zip(names, got):
                    times.setdefault(name, []).extend(r["times"])
                    shown[name] = (r["command"], inp)
                    refs[name] = f"baseline@{n}"
        order = ["baseline"] + [c["name"] for c in cases if c["name"] != "baseline"]
        extra = sorted(k for k in times if k.startswith("baseline@"))
        results = []
        for name in order + extra:
            src = "baseline@0" if name == "baseline" else name
            st = _stats(name, *shown[src][:1], times[src], shown[src][1])
            if name in refs and not name.startswith("baseline"):
                st["baseline_ref"] = refs[name]  # ratios use the baseline of the same run
            results.append(st)
        return results, method + (f", {rounds} rounds pooled" if rounds > 1 else "")
    # No --input: feed stdin through `sh -c 'exec CMD < FILE'` (dash). hyperfine measures the
    # shell's own spawn time and subtracts it; `exec` means the shell does nothing else.
    method = "hyperfine --shell=sh 'exec CMD < FILE' (hyperfine <1.16 has no --input; shell spawn time subtracted)"
    cmds = [(c["name"], f"{_sh_prefix(c)}exec {shlex.join(c['argv'])} < {shlex.quote(c['input'])}") for c in cases]
    for rnd in range(rounds):
        got = _hyperfine_run(exe, cmds, ["--shell", "sh"], per_round, warmup, tmp, env, f"all-{rnd}")
        for c, r in zip(cases, got):
            times.setdefault(c["name"], []).extend(r["times"])
            shown[c["name"]] = (r["command"], c["input"])
    results = [_stats(c["name"], shown[c["name"]][0], times[c["name"]], c["input"]) for c in cases]
    return results, method + (f", {rounds} rounds pooled" if rounds > 1 else ", one hyperfine run")


def _case_env(c: dict, env: dict) -> dict:
    """A case may run with its own HOME (``--compare-audit``: a HOME whose config turns the audit off)."""
    return dict(env, HOME=c["home"]) if c.get("home") else env


def _sh_prefix(c: dict) -> str:
    # dash: an assignment before the special builtin `exec` changes the exported HOME for the program
    return f"HOME={shlex.quote(c['home'])} " if c.get("home") else ""


def _env_argv(c: dict) -> list[str]:
    # no shell with -N: env(1) sets HOME (one extra exec, so this case reads slightly high)
    return ["env", f"HOME={c['home']}", *c["argv"]] if c.get("home") else c["argv"]


def time_python(cases: list[dict], runs: int, warmup: int, env: dict) -> tuple[list[dict], str]:
    """Fallback without hyperfine: subprocess + perf_counter, cases interleaved round-robin."""
    method = "python subprocess loop (no hyperfine; includes ~fork/exec overhead of subprocess, ratios compressed)"
    times: dict[str, list[float]] = {c["name"]: [] for c in cases}
    for rnd in range(warmup + runs):
        for c in cases:
            with open(c["input"], "rb") as f:
                t0 = time.perf_counter()
                subprocess.run(c["argv"], stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_case_env(c, env))
                dt = time.perf_counter() - t0
            if rnd >= warmup:
                times[c["name"]].append(dt)
    return [_stats(c["name"], shlex.join(c["argv"]), times[c["name"]], c["input"]) for c in cases], method


def time_cpu(cases: list[dict], runs: int, warmup: int, env: dict) -> tuple[list[dict], str]:
    """CPU time (user + sys, from wait4's rusage) per process, cases interleaved round-robin.

    Not what the user waits for, but steady on a machine that other jobs keep busy, where
    wall-clock medians mostly measure the scheduler. Use it to compare cases, not to claim ms.
    """
    method = "CPU time per process (user+sys via wait4 rusage), cases interleaved (for busy machines)"
    times: dict[str, list[float]] = {c["name"]: [] for c in cases}
    for rnd in range(warmup + runs):
        for c in cases:
            with open(c["input"], "rb") as f:
                p = subprocess.Popen(c["argv"], stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env=_case_env(c, env))
                _pid, _status, ru = os.wait4(p.pid, 0)
                p.returncode = 0
            if rnd >= warmup:
                times[c["name"]].append(ru.ru_utime + ru.ru_stime)
    return [_stats(c["name"], shlex.join(c["argv"]), times[c["name"]], c["input"]) for c in cases], method


# --------------------------------------------------------------------------- report


def machine() -> dict:
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "platform": platform.platform(),
        "machine": platform.machine(),
    }


def report(results: list[dict], meta: dict) -> tuple[str, bool]:
    by_name = {r["name"]: r for r in results}
    lines = [
        f"clampd-guard hook timing  {meta['date']}  nproc={meta['nproc']}  {meta['platform']}",
        f"interpreter: {meta['python']} ({meta['python_version']})",
        f"method: {meta['method']}; runs={meta['runs']} warmup={meta['warmup']}; audit {meta.get('audit', 'on')}",
        "",
        f"{'case':<16} {'median ms':>9} {'min ms':>8} {'sd ms':>7} {'ratio':>6} {'ratio(min)':>10}  target",
    ]
    all_ok = True
    for r in results:
        if r["name"].startswith("baseline@"):
            continue
        base = by_name[r.get("baseline_ref", "baseline")]
        ratio = r["median_ms"] / base["median_ms"]
        rmin = r["min_ms"] / base["min_ms"]
        r["ratio"] = round(ratio, 3)
        r["ratio_min"] = round(rmin, 3)
        tgt = TARGETS.get(r["name"])
        mark = ""
        if tgt is not None:
            r["target"] = tgt
            r["pass"] = ratio <= tgt
            all_ok &= r["pass"]
            mark = f"<= {tgt:.1f}x  {'PASS' if r['pass'] else 'FAIL'}"
        lines.append(
            f"{r['name']:<16} {r['median_ms']:9.2f} {r['min_ms']:8.2f} {r['stddev_ms']:7.2f} "
            f"{ratio:5.2f}x {rmin:9.2f}x  {mark}"
        )
    noisy = [r["name"] for r in results if r["stddev_ms"] > 0.1 * r["median_ms"] and "@" not in r["name"]]
    if noisy:
        lines.append(f"NOISY (sd > 10% of median): {', '.join(noisy)} - the machine was busy; rerun, or use --rounds 5")
    lines.append("")
    lines.append("targets (median / median of `python -I -S -c pass`, same run): " + ", ".join(
        f"{k} <= {v}x" for k, v in TARGETS.items()) + f"  ->  {'ALL PASS' if all_ok else 'SOME FAIL'}")
    return "\n".join(lines), all_ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--python", default=default_python(), help="interpreter for the hook and the baseline")
    ap.add_argument("--runs", type=int, default=50, help="timed runs per case (>= 40 recommended)")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=1,
                    help="split the runs over N hyperfine runs and pool them (steadier on a busy machine)")
    ap.add_argument("--json", metavar="FILE", help="write machine-readable results here")
    ap.add_argument("--engine", choices=("auto", "hyperfine", "python", "cpu"), default="auto",
                    help="cpu = per-process CPU time instead of wall time (steadier when other jobs load the machine)")
    ap.add_argument("--hyperfine", default=shutil.which("hyperfine") or "/usr/bin/hyperfine")
    ap.add_argument("--no-console-script", action="store_true", help="skip the pip console-script wrapper case")
    ap.add_argument("--what-if", action="store_true",
                    help="also time allow/deny through a launcher that ends with posix._exit() (skips finalization)")
    ap.add_argument("--audit", choices=("on", "off"), default="on",
                    help="audit trail on (default, as users run it) or off (to see what the journal append costs)")
    ap.add_argument("--compare-audit", action="store_true",
                    help="also time the allow payload with a second HOME whose config has audit: false (same run)")
    ap.add_argument("--check", action="store_true", help="exit 1 if a target fails")
    ap.add_argument("--keep", action="store_true", help="keep the temporary HOME and payload files")
    args = ap.parse_args(argv)

    python = args.python
    tmp = Path(tempfile.mkdtemp(prefix="clampd-bench-"))
    home = tmp / "home"
    home.mkdir()
    env = private_env(home)
    if args.audit == "off":
        (home / ".clampd").mkdir()
        (home / ".clampd" / "guard.json").write_text('{"audit": false}')
    try:
        files: dict[str, Path] = {}
        for name, p in payloads().items():
            files[name] = tmp / f"{name}.json"
            files[name].write_text(json.dumps(p) + "\n", "utf-8")

        problems = warm_and_check(python, files, env, home, args.audit == "on")
        for p in problems:
            print(f"warning: {p}", file=sys.stderr)

        cases = [{"name": "baseline", "argv": [python, "-I", "-S", "-c", "pass"], "input": str(files["allow"])}]
        for name, f in files.items():
            cases.append({"name": name, "argv": hook_cmd(python), "input": str(f)})
        if args.compare_audit:
            home_off = tmp / "home-audit-off"
            (home_off / ".clampd").mkdir(parents=True)
            (home_off / ".clampd" / "guard.json").write_text('{"audit": false}')
            problems += warm_and_check(python, {"allow": files["allow"]}, private_env(home_off), home_off, False)
            cases.append({"name": "allow:audit-off", "argv": hook_cmd(python), "input": str(files["allow"]),
                          "home": str(home_off)})
        script = Path(python).parent / "clampd-guard"
        if not args.no_console_script and script.exists():
            cases.append({"name": "console-script", "argv": [str(script)], "input": str(files["allow"])})
        if args.what_if:
            launcher = tmp / "hookmain_exit.py"
            launcher.write_text(EXIT_LAUNCHER.format(repo=str(REPO)))
            cases.append({"name": "baseline:_exit", "argv": [python, "-I", "-S", "-c", "import posix; posix._exit(0)"],
                          "input": str(files["allow"])})
            for name in ("allow", "deny"):
                cases.append({"name": f"{name}:_exit", "argv": [python, "-I", "-S", str(launcher)],
                              "input": str(files[name])})

        use_hf = args.engine == "hyperfine" or (args.engine == "auto" and Path(args.hyperfine).exists())
        if args.engine == "cpu":
            results, method = time_cpu(cases, args.runs, args.warmup, env)
        elif use_hf:
            results, method = time_hyperfine(args.hyperfine, cases, args.runs, args.warmup, tmp, env, args.rounds)
            method += f" [{hyperfine_version(args.hyperfine)}]"
        else:
            results, method = time_python(cases, args.runs, args.warmup, env)

        ver = subprocess.run([python, "-I", "-S", "-c", "import sys; print(sys.version.split()[0])"],
                             capture_output=True, text=True).stdout.strip()
        meta = dict(machine(), python=python, python_version=ver, method=method, runs=args.runs, audit=args.audit,
                    warmup=args.warmup, payload_bytes={k: f.stat().st_size for k, f in files.items()},
                    problems=problems)
        text, ok = report(results, meta)
        print(text)
        if any(r["name"] == "console-script" for r in results):
            print("console-script = the pip wrapper .venv/bin/clampd-guard (site + `import re`) with the allow payload")
        if sum(HF_WARNINGS):
            print(f"hyperfine warned about statistical outliers {sum(HF_WARNINGS)} time(s); medians are robust to them")
        if args.what_if:
            print("NAME:_exit = what-if launcher: hookmain.py + posix._exit(rc) after the answer (no finalization);"
                  " baseline:_exit = `python -I -S -c 'import posix; posix._exit(0)'`")
        if args.json:
            Path(args.json).write_text(json.dumps({"meta": meta, "targets": TARGETS, "results": results}, indent=2))
        if args.check and (not ok or problems):
            return 1
        return 0
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
