#!/usr/bin/env python3
"""In-process cost of the engine per hook call, and where a hook process spends its time.

Part 1 (engine, in this process): the rules are loaded once
(``guard.engine.ruleset.load_embedded``), then every call of a mixed corpus is
run through ``guard.editors.claude_code.parse`` + ``guard.engine.evaluate.evaluate``
with thresholds (0.5, 0.75). Reported as p50/p99/max microseconds per call:

* warm: the rule set's patterns already built (a long-lived process);
* cold: a freshly loaded RuleSet per call, timed from ``load_embedded()``
  (what each hook process really pays: marshal load + lazy ``_sre`` rebuilds).

Corpus: tests/corpus/benign_commands.txt if it exists (else a built-in list of
everyday commands), every rule's match/no_match examples from guard/rules/*.toml
(``compiler.load_rule_files`` + ``tests.rule_examples.payload_for``), and the
payloads of hook_timing.py (allow, deny, post-read, prompt, write-50k).

Part 2 (stages, fresh ``python -I -S`` processes): the hook path split into
imports / config / stdin+JSON / parse / rules load / decide / render, plus the
rest (launcher, interpreter teardown), against a bare ``python -I -S -c pass``
timed in the same loop. Needs msgspec for the corpus, so it re-runs itself
with the repo's venv python when started elsewhere.

    python3 benchmarks/inprocess.py [--rounds 20] [--stage-runs 30] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import hook_timing as ht  # noqa: E402

BENIGN_FILE = REPO / "tests" / "corpus" / "benign_commands.txt"
BUILTIN_BENIGN = [
    "ls -la", "git status", "git diff --stat", "git log --oneline -20", "git add -A && git commit -m 'wip'",
    "pytest -q tests/", "python -m pytest -x -k settings", "npm install", "npm run build", "npm test",
    "cargo build --release", "cargo test", "make -j4", "go test ./...", "pip install -e .[test]",
    "rm -rf ./build dist", "rm -rf node_modules", "find . -name '*.pyc' -delete", "grep -rn TODO src/",
    "cat README.md", "head -50 src/app.py", "mkdir -p tests/fixtures", "cp config.example.toml config.toml",
    "mv old_name.py new_name.py", "docker compose up -d db", "docker ps", "kubectl get pods -n dev",
    "curl -s http://localhost:8080/health", "ruff check . --fix", "black src tests", "mypy src",
    "wc -l src/**/*.py", "du -sh .", "echo $PATH", "which python3", "tar czf backup.tgz src",
    "chmod +x scripts/release.sh", "sed -i 's/foo/bar/g' src/config.py", "python3 scripts/migrate.py --dry-run",
    "ps aux | grep node", "git checkout -b feature/settings", "git stash && git pull --rebase && git stash pop",
]


def ensure_interpreter() -> None:
    """Re-run under the venv python when this one lacks the project (msgspec, guard)."""
    try:
        import msgspec  # noqa: F401

        sys.path.insert(0, str(REPO))
        import guard  # noqa: F401
    except ImportError:
        target = ht.default_python()
        if os.environ.get("CLAMPD_BENCH_REEXEC") or Path(target) == Path(sys.executable):
            raise
        os.environ["CLAMPD_BENCH_REEXEC"] = "1"
        os.execv(target, [target, __file__, *sys.argv[1:]])


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


def summary(xs: list[float]) -> str:
    return f"p50 {pct(xs, 50):8.1f}   p99 {pct(xs, 99):8.1f}   max {max(xs):8.1f}   (n={len(xs)})"


def corpus() -> tuple[list[tuple[str, dict]], list[str]]:
    """(group, payload) pairs, plus notes on what was used."""
    notes = []
    items: list[tuple[str, dict]] = []
    if BENIGN_FILE.exists():
        lines = BENIGN_FILE.read_text("utf-8").splitlines()
        cmds = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]
        notes.append(f"benign: {len(cmds)} commands from {BENIGN_FILE.relative_to(REPO)}")
    else:
        cmds = BUILTIN_BENIGN
        notes.append(f"benign: {len(cmds)} built-in commands ({BENIGN_FILE.relative_to(REPO)} does not exist)")
    for i, c in enumerate(cmds):
        items.append(("benign", ht.pre_bash(c, "benchmark", f"toolu_bench{i:04d}")))

    from guard.engine import compiler, ruleset

    files = sorted(p for p in Path(ruleset.RULES_DIR).glob("*.toml") if not p.name.startswith("_"))
    loaded = compiler.load_rule_files(files)
    try:
        from tests.rule_examples import payload_for
    except ImportError as e:
        notes.append(f"tests.rule_examples not importable ({e}); examples sent as Bash commands")

        def payload_for(rule, ex):  # type: ignore[no-redef]
            return ht.pre_bash(str(ex), "example", "toolu_example")

    n = 0
    for _p, rule in loaded:
        for group, exs in (("rule-match", rule.match), ("rule-no_match", rule.no_match)):
            for ex in exs:
                items.append((group, payload_for(rule, ex)))
                n += 1
    notes.append(f"rule examples: {n} from {len(loaded)} rules in {len(files)} files")
    for name, p in ht.payloads().items():
        items.append((f"bench:{name}", p))
    return items, notes


def engine_bench(rounds: int) -> tuple[dict, list[str]]:
    from guard.editors.claude_code import parse
    from guard.engine.evaluate import evaluate
    from guard.engine.ruleset import load_embedded

    thresholds = (0.5, 0.75)
    items, notes = corpus()
    pc = time.perf_counter

    t = pc()
    rules = load_embedded()  # builds the cache in the private HOME on first use
    notes.append(f"first load_embedded (may rebuild the cache): {(pc() - t) * 1e6:.0f} us; {len(rules.rules)} rules")

    warm: dict[str, list[float]] = {}
    decisions: dict[str, int] = {}
    for group, p in items:  # first pass builds every pattern the corpus needs
        v = evaluate(parse(p), rules, thresholds)
        decisions[v.decision] = decisions.get(v.decision, 0) + 1
    for _ in range(rounds):
        for group, p in items:
            t0 = pc()
            evaluate(parse(p), rules, thresholds)
            warm.setdefault(group, []).append((pc() - t0) * 1e6)

    cold: dict[str, list[float]] = {}
    for _ in range(max(3, rounds // 4)):
        for group, p in items:
            t0 = pc()
            evaluate(parse(p), load_embedded(), thresholds)
            cold.setdefault(group, []).append((pc() - t0) * 1e6)

    t_load = []
    for _ in range(50):
        t0 = pc()
        load_embedded()
        t_load.append((pc() - t0) * 1e6)
    notes.append(f"decisions over the corpus: {decisions}")
    return {"warm": warm, "cold": cold, "load_embedded_us": t_load, "items": len(items)}, notes


STAGE_CODE = r"""
import sys, time
pc = time.perf_counter
t0 = pc()
sys.path.insert(0, REPO)
import guard.entry, guard.hook
from guard.config.load import load
from guard.decide import decide
from guard import editors
from guard.runtime import stdin, jsonfast, deadline
from guard.engine.ruleset import load_embedded
from guard.editors import claude_code
t1 = pc()
cfg = load()
t2 = pc()
ad = editors.get("claude")
deadline.arm(cfg.stdin_timeout_ms / 1000.0)
got = stdin.read_payload(cfg.max_input_bytes)
text, _w = stdin.decode(got.data)
payload = jsonfast.loads(text)
t3 = pc()
call = ad.parse(payload)
t4 = pc()
rules = load_embedded()
t5 = pc()
v = decide(call, cfg, rules)
t6 = pc()
ans = ad.render(call, v)
deadline.disarm()
t7 = pc()
ts = (t0, t1, t2, t3, t4, t5, t6, t7)
sys.stderr.write("STAGES " + " ".join(repr((b - a) * 1e6) for a, b in zip(ts, ts[1:])) + "\n")
"""
STAGES = ("imports", "config", "stdin+json", "parse", "rules load", "decide", "render")


def stage_bench(python: str, runs: int, env: dict, tmp: Path) -> dict:
    """Per-stage medians in fresh processes, with the unaccounted rest against a bare start."""
    code = f"REPO = {str(REPO)!r}\n" + STAGE_CODE
    files = {}
    for name, p in ht.payloads().items():
        if name in ("allow", "deny", "write-50k"):
            files[name] = tmp / f"{name}.json"
            files[name].write_text(json.dumps(p) + "\n")
    ht.warm_and_check(python, {"allow": files["allow"]}, env, Path(env["HOME"]))
    walls: dict[str, list[float]] = {k: [] for k in ["baseline", *files, *(f"{k}/hookmain" for k in files)]}
    stages: dict[str, list[list[float]]] = {k: [] for k in files}

    def wall(cmd: list[str], f: Path) -> tuple[float, bytes]:
        with open(f, "rb") as fh:
            t = time.perf_counter()
            r = subprocess.run(cmd, stdin=fh, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
            return (time.perf_counter() - t) * 1e6, r.stderr

    for i in range(runs + 3):
        w_b, _ = wall([python, "-I", "-S", "-c", "pass"], files["allow"])
        row = {"baseline": w_b}
        for name, f in files.items():
            w, err = wall([python, "-I", "-S", "-c", code], f)
            line = [ln for ln in err.decode().splitlines() if ln.startswith("STAGES ")]
            if not line:
                raise RuntimeError(f"stage script failed: {err.decode()[-500:]}")
            row[name] = w
            row[f"{name}/hookmain"] = wall(ht.hook_cmd(python), f)[0]
            if i >= 3:
                stages[name].append([float(x) for x in line[0].split()[1:]])
        if i >= 3:
            for k, v in row.items():
                walls[k].append(v)
    out = {"baseline_us": statistics.median(walls["baseline"]), "cases": {}}
    for name in files:
        med = [statistics.median(s[j] for s in stages[name]) for j in range(len(STAGES))]
        w = statistics.median(walls[name])
        out["cases"][name] = {
            "stages_us": dict(zip(STAGES, med)),
            "wall_us": w,
            "hookmain_wall_us": statistics.median(walls[f"{name}/hookmain"]),
            "rest_us": w - out["baseline_us"] - sum(med),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=20, help="timed passes over the corpus (warm)")
    ap.add_argument("--stage-runs", type=int, default=30, help="fresh processes per case for the stage split")
    ap.add_argument("--python", default=ht.default_python(), help="interpreter for the stage split")
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args(argv)

    ensure_interpreter()  # may re-exec: before anything needs cleaning up
    tmp = Path(tempfile.mkdtemp(prefix="clampd-inprocess-"))
    home = tmp / "home"
    home.mkdir()
    env = ht.private_env(home)
    os.environ.update({"HOME": str(home)})
    for k in ("XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME"):
        os.environ.pop(k, None)

    try:
        return _run(args, tmp, env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run(args: argparse.Namespace, tmp: Path, env: dict) -> int:
    res, notes = engine_bench(args.rounds)
    print(f"in-process engine cost per call (parse + evaluate), microseconds; python {sys.version.split()[0]}")
    for n in notes:
        print(f"  {n}")
    for mode in ("warm", "cold"):
        allx = [x for xs in res[mode].values() for x in xs]
        label = "warm (patterns built)" if mode == "warm" else "cold (fresh load_embedded() per call)"
        print(f"\n{label}:")
        print(f"  {'ALL':<20} {summary(allx)}")
        for g, xs in res[mode].items():
            print(f"  {g:<20} {summary(xs)}")
    print(f"\nload_embedded() alone (marshal cache read + unmarshal): {summary(res['load_embedded_us'])}")

    st = stage_bench(args.python, args.stage_runs, env, tmp)
    b = st["baseline_us"]
    print(f"\nhook path in fresh `python -I -S` processes (median of {args.stage_runs}; us and x of the bare start)")
    print(f"  bare `python -I -S -c pass`: {b:.0f} us (python subprocess wall, incl. spawn overhead)")
    names = list(st["cases"])
    print(f"  {'stage':<22}" + "".join(f"{n:>20}" for n in names))
    rows = list(STAGES) + ["rest (launch/teardown)"]
    for s in rows:
        cells = []
        for n in names:
            c = st["cases"][n]
            us = c["rest_us"] if s.startswith("rest") else c["stages_us"][s]
            flag = " *" if us > 0.1 * b else "  "
            cells.append(f"{us:9.0f} {us / b:5.2f}x{flag}")
        print(f"  {s:<22}" + "".join(f"{x:>20}" for x in cells))
    cells = [f"{st['cases'][n]['wall_us'] - b:9.0f} {(st['cases'][n]['wall_us'] - b) / b:5.2f}x  " for n in names]
    print(f"  {'= over bare start':<22}" + "".join(f"{x:>20}" for x in cells))
    cells = [f"{st['cases'][n]['hookmain_wall_us'] / b:16.2f}x  " for n in names]
    print(f"  {'real hookmain.py':<22}" + "".join(f"{x:>20}" for x in cells))
    print("  (* = more than 0.1x of the bare start; 'real hookmain.py' = the launcher itself, whole process / bare)")

    if args.json:
        Path(args.json).write_text(json.dumps({"engine": res, "notes": notes, "stages": st}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
