#!/usr/bin/env python3
"""What the hook imports, and what each import costs (``python -X importtime``).

Runs one allow call (``ls -la``) and one deny call (``rm -rf ~``) exactly as
Claude Code launches the hook (``python -I -S guard/hookmain.py``, payload on
stdin), with a private HOME whose rule cache is warmed first. Modules that a
bare ``python -I -S -c pass`` already imports at startup are left out; the
rest are listed with self and cumulative microseconds (median of ``--repeat``
runs), sorted by cumulative time.

The allow path must not import any of FORBIDDEN (each costs as much as a
large part of the interpreter start, or belongs to the management CLI).

    python3 benchmarks/importtime.py            # report
    python3 benchmarks/importtime.py --check    # exit 1 if the allow path imports a forbidden module
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hook_timing as ht  # noqa: E402

FORBIDDEN = ("httpx", "keyring", "msgspec", "platformdirs", "re", "json", "argparse", "guard.commands",
             "sqlite3", "hashlib", "guard.audit.store")
# Not forbidden, but worth seeing at a glance when they show up.
NOTABLE = ("os", "pathlib", "typing", "tomllib", "site", "subprocess", "time", "enum", "functools", "dataclasses")


def is_under(name: str, roots: tuple[str, ...]) -> str | None:
    for r in roots:
        if name == r or name.startswith(r + "."):
            return r
    return None


def parse_importtime(stderr: str) -> list[tuple[str, int, int, int]]:
    """(module, self_us, cumulative_us, depth) in import order."""
    out = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        _, rest = line.split(":", 1)
        self_us, cum_us, name = rest.split("|", 2)
        depth = (len(name) - len(name.lstrip(" "))) // 2
        out.append((name.strip(), int(self_us), int(cum_us), depth))
    return out


Row = tuple[str, int, int, int]


def run(cmd: list[str], payload: Path | None, env: dict) -> tuple[list[Row], subprocess.CompletedProcess]:
    stdin = open(payload, "rb") if payload else subprocess.DEVNULL
    try:
        r = subprocess.run(cmd, stdin=stdin, capture_output=True, env=env, timeout=60)
    finally:
        if payload:
            stdin.close()
    return parse_importtime(r.stderr.decode("utf-8", "replace")), r


def profile(cmd: list[str], payload: Path | None, env: dict, repeat: int, startup: set[str]) -> tuple[list[dict], str]:
    """Modules beyond ``startup``, with median self/cumulative us over ``repeat`` runs."""
    samples: dict[str, list[tuple[int, int]]] = {}
    order: list[tuple[str, int]] = []
    stdout = ""
    for i in range(repeat):
        mods, r = run(cmd, payload, env)
        stdout = r.stdout.decode("utf-8", "replace")
        for name, s, c, d in mods:
            if name in startup:
                continue
            if name not in samples:
                samples[name] = []
                order.append((name, d))
            samples[name].append((s, c))
    rows = []
    for name, d in order:
        ss = samples[name]
        rows.append({
            "module": name,
            "depth": d,
            "self_us": int(statistics.median(s for s, _ in ss)),
            "cumulative_us": int(statistics.median(c for _, c in ss)),
            "seen_in_runs": len(ss),
        })
    return rows, stdout


EMPTY_PROBE = """
import sys, time
sys.path.insert(0, {root!r})
t = time.perf_counter()
import pkg
for i in range({n}):
    __import__("pkg.m%d" % i)
sys.stderr.write("PROBE %r\\n" % ((time.perf_counter() - t) * 1e6))
"""


def empty_module_cost(python: str, n: int, tmp: Path, env: dict, repeat: int) -> float:
    """Median us to import a package + ``n`` one-line modules (the fixed cost per module file)."""
    pkg = tmp / "probe" / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    for i in range(n):
        (pkg / f"m{i}.py").write_text(f"X = {i}\n")
    code = EMPTY_PROBE.format(root=str(tmp / "probe"), n=n)
    got = []
    for _ in range(repeat + 1):  # the first run writes the .pyc files
        r = subprocess.run([python, "-I", "-S", "-c", code], capture_output=True, text=True, env=env)
        got += [float(ln.split()[1]) for ln in r.stderr.splitlines() if ln.startswith("PROBE ")]
    return statistics.median(got[1:])


def table(rows: list[dict]) -> str:
    lines = [f"  {'cumul us':>9} {'self us':>8}  module"]
    for r in sorted(rows, key=lambda r: -r["cumulative_us"]):
        lines.append(f"  {r['cumulative_us']:9d} {r['self_us']:8d}  {'  ' * r['depth']}{r['module']}")
    total = sum(r["self_us"] for r in rows)
    lines.append(f"  {total:9d} {'':8}  = total import time beyond startup (sum of self, {len(rows)} modules)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--python", default=ht.default_python())
    ap.add_argument("--repeat", type=int, default=7, help="runs per path; medians are reported")
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--check", action="store_true", help="exit 1 if a forbidden module is on the allow path")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="clampd-importtime-") as d:
        tmp = Path(d)
        home = tmp / "home"
        home.mkdir()
        env = ht.private_env(home)
        pl = ht.payloads()
        files = {}
        for name in ("allow", "deny"):
            files[name] = tmp / f"{name}.json"
            files[name].write_text(json.dumps(pl[name]) + "\n")
        problems = ht.warm_and_check(args.python, files, env, home)
        for p in problems:
            print(f"warning: {p}", file=sys.stderr)

        base_cmd = [args.python, "-X", "importtime", "-I", "-S"]
        startup_mods, _ = run(base_cmd + ["-c", "pass"], None, env)
        startup = {m for m, *_ in startup_mods}
        hook = base_cmd + [str(ht.HOOKMAIN)]
        allow, allow_out = profile(hook, files["allow"], env, args.repeat, startup)
        deny, deny_out = profile(hook, files["deny"], env, args.repeat, startup)
        n_py = sum(1 for r in allow if r["module"].startswith("guard"))
        probe_us = empty_module_cost(args.python, n_py - 1, tmp, env, args.repeat)

    print(f"interpreter: {args.python}; startup set of `python -I -S -c pass`: {len(startup)} modules (not listed)")
    print(f"medians of {args.repeat} runs per path; cumulative includes the module's own imports\n")
    print(f"ALLOW path (Bash `ls -la`, stdout {'empty' if not allow_out else 'NOT empty'}):")
    print(table(allow))
    deny_ok = '"permissionDecision":"deny"' in deny_out
    print(f"\nDENY path (Bash `rm -rf ~`, {'deny JSON on stdout' if deny_ok else 'NO deny on stdout'}):")
    print(table(deny))
    allow_names = {r["module"] for r in allow}
    deny_only = [r["module"] for r in deny if r["module"] not in allow_names]
    print(f"\ndeny path adds: {', '.join(deny_only) or '(nothing)'}")

    bad_allow = sorted(m for m in allow_names if is_under(m, FORBIDDEN))
    bad_deny = sorted(r["module"] for r in deny if is_under(r["module"], FORBIDDEN))
    notable = sorted(m for m in allow_names if is_under(m, NOTABLE))
    print(f"fixed cost of the module count alone: a package + {n_py - 1} one-line modules import in "
          f"{probe_us:.0f} us without -X importtime (the allow path has {n_py} guard.* module files)")
    print(f"notable stdlib on the allow path: {', '.join(notable) or '(none)'}")
    print(f"forbidden on the deny path: {', '.join(bad_deny) or '(none)'}")
    verdict = "PASS" if not bad_allow else "FAIL"
    print(f"VERDICT {verdict}: forbidden modules ({', '.join(FORBIDDEN)}) on the ALLOW path: "
          f"{', '.join(bad_allow) or 'none'}")

    if args.json:
        Path(args.json).write_text(json.dumps({
            "python": args.python, "repeat": args.repeat, "startup": sorted(startup),
            "allow": allow, "deny": deny, "empty_module_probe_us": probe_us,
            "forbidden_allow": bad_allow, "forbidden_deny": bad_deny,
            "problems": problems,
        }, indent=2))
    return 1 if args.check and bad_allow else 0


if __name__ == "__main__":
    sys.exit(main())
