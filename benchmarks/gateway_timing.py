#!/usr/bin/env python3
"""What consulting the Clampd gateway adds to one hook call, measured whole-process.

Runs a contract gateway (``tests/gateway_server.py``) on loopback in this
process and times, each in its own hyperfine run next to ``python -I -S -c
pass`` (ratios use the baseline of the same run):

  local          the hook with no gateway configured (allow payload)
  gw-http        the hook consulting the loopback gateway over HTTP (cached token)
  gw-https       the same over HTTPS (trustme CA as ca_bundle): TLS context + handshake
  gw-httpclient  the hook over HTTP with the request made by a minimal ``http.client``
                 exchange instead of httpx (a what-if launcher patches
                 ``guard.gateway.client.exchange``; same breaker, auth, parsing)

It then breaks the added time down with ``-X importtime`` (site.main, httpx,
ssl, http.client) and measures in-process round trips on a warm keep-alive
connection, a fresh httpx client per request and a fresh http.client
connection: the first is what a resident helper would pay per call.

Every gateway case is checked before and after timing: the server must have
answered every timed run (a run that went offline would be faster and wrong).

    .venv/bin/python benchmarks/gateway_timing.py [--runs 40] [--rounds 2] [--json out.json]

Needs the test extras (trustme) and httpx: run it with the repo's .venv python.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import hook_timing as ht  # noqa: E402

from tests.gateway_server import Gateway, gateway_config, tls_contexts  # noqa: E402

HTTPCLIENT_LAUNCHER = '''import sys
sys.path.insert(0, {repo!r})
import guard.gateway.client as gc


def exchange(cfg, method, path, body, headers, seconds):
    """Minimal what-if: one http.client request, no cap, no proxy support."""
    import http.client
    url = cfg.gateway_url.rstrip("/")
    scheme, _, rest = url.partition("://")
    host, _, port = rest.split("/", 1)[0].partition(":")
    conn = http.client.HTTPConnection(host, int(port or 80), timeout=seconds)
    try:
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read(gc.MAX_REPLY + 1)
        if not 200 <= r.status < 300:
            raise gc.Fault("http", "HTTP %d" % r.status)
        return r.status, data
    except OSError as e:
        raise gc.Fault("network", type(e).__name__)
    finally:
        conn.close()


gc.exchange = exchange
from guard.entry import main
sys.exit(main())
'''


def make_home(root: Path, name: str, cfg: dict | None) -> Path:
    home = root / name
    (home / ".clampd").mkdir(parents=True)
    if cfg is not None:
        (home / ".clampd" / "guard.json").write_text(json.dumps(cfg))
    return home


def run_hook(argv: list[str], payload: Path, home: Path) -> subprocess.CompletedProcess:
    return ht.run_once(argv, payload, ht.private_env(home))


def importtime_breakdown(python: str, payload: Path, home: Path, argv_tail: list[str], n: int = 15) -> dict:
    """Median cumulative -X importtime (ms) of top-level modules on the hook's gateway path."""
    want = ("site", "httpx", "ssl", "http.client", "guard.gateway.client", "guard.gateway.consult", "hmac")
    got: dict[str, list[float]] = {w: [] for w in want}
    totals: list[float] = []
    for _ in range(n):
        r = ht.run_once([python, "-X", "importtime", "-I", "-S"] + argv_tail, payload, ht.private_env(home))
        seen = dict.fromkeys(want, 0.0)
        total = 0.0
        for line in r.stderr.decode().splitlines():
            if not line.startswith("import time:") or "|" not in line or "imported package" in line:
                continue
            _self, cum, name = line[len("import time:"):].split("|")
            indent = len(name) - len(name.lstrip())
            name = name.strip()
            if indent == 1:  # a top-level import: its cumulative time counts once
                total += int(cum) / 1000.0
            if name in seen:  # the largest entry: a failed first attempt (before site.main) is logged too
                seen[name] = max(seen[name], int(cum) / 1000.0)
        for k, v in seen.items():
            got[k].append(v)
        totals.append(total)
    out = {k: round(statistics.median(v), 2) for k, v in got.items()}
    out["all imports"] = round(statistics.median(totals), 2)
    return out


def roundtrips(url: str, body: bytes, headers: dict, n: int = 200) -> dict:
    """In-process median ms per POST: warm keep-alive (httpx), new httpx client, new http.client connection."""
    import http.client

    import httpx

    def med(f) -> float:  # type: ignore[no-untyped-def]
        for _ in range(10):
            f()
        ts = []
        for _ in range(n):
            t0 = time.perf_counter()
            f()
            ts.append((time.perf_counter() - t0) * 1000.0)
        return round(statistics.median(ts), 3)

    keep = httpx.Client(trust_env=False)
    warm = med(lambda: keep.post(url + "/v1/proxy", content=body, headers=headers).read())
    keep.close()

    def fresh_httpx() -> None:
        with httpx.Client(trust_env=False) as c:
            c.post(url + "/v1/proxy", content=body, headers=headers).read()

    host, port = url.split("://")[1].split(":")

    def fresh_httpclient() -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=5)
        conn.request("POST", "/v1/proxy", body=body, headers=headers)
        conn.getresponse().read()
        conn.close()

    return {"keep-alive httpx": warm, "new httpx client": med(fresh_httpx), "new http.client conn": med(fresh_httpclient)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--python", default=ht.default_python())
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--hyperfine", default=shutil.which("hyperfine") or "/usr/bin/hyperfine")
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args(argv)
    python = args.python

    tmp = Path(tempfile.mkdtemp(prefix="clampd-gwbench-"))
    try:
        payload = tmp / "allow.json"
        payload.write_text(json.dumps(ht.payloads()["allow"]) + "\n")
        ctx, ca, _other = tls_contexts(tmp)
        launcher = tmp / "hookmain_httpclient.py"
        launcher.write_text(HTTPCLIENT_LAUNCHER.format(repo=str(REPO)))
        hook = ht.hook_cmd(python)
        with Gateway() as gw, Gateway(tls=ctx) as gws:
            extra = {"breaker_backoff_ms": 3600000, "timeout_ms": 3000}
            cases = [
                ("local", make_home(tmp, "local", None), hook, None),
                ("gw-http", make_home(tmp, "http", gateway_config(gw, **extra)), hook, gw),
                ("gw-https", make_home(tmp, "https", gateway_config(gws, ca_bundle=str(ca), **extra)), hook, gws),
                ("gw-httpclient", make_home(tmp, "httpclient", gateway_config(gw, **extra)),
                 [python, "-I", "-S", str(launcher)], gw),
            ]
            # Warm the rule cache and the token cache in every HOME, and check the path taken.
            for name, home, argv_, server in cases:
                for _ in range(2):
                    r = run_hook(argv_, payload, home)
                if r.returncode != 0 or r.stdout or r.stderr:
                    raise SystemExit(f"{name}: unexpected answer {r.returncode} {r.stdout[:200]!r} {r.stderr[:300]!r}")
            before = {id(s): len(s.posts()) for s in (gw, gws)}

            results = []
            method = ""
            for name, home, argv_, server in cases:
                base = {"name": "baseline", "argv": [python, "-I", "-S", "-c", "pass"], "input": str(payload)}
                case = {"name": name, "argv": argv_, "input": str(payload)}
                n0 = len(server.posts()) if server else 0
                got, method = ht.time_hyperfine(args.hyperfine, [base, case], args.runs, args.warmup, tmp,
                                                ht.private_env(home), args.rounds)
                by = {r["name"]: r for r in got}
                row = by[name]
                row["baseline_ms"] = by["baseline"]["median_ms"]
                row["ratio"] = round(row["median_ms"] / row["baseline_ms"], 3)
                if server is not None:
                    answered = len(server.posts()) - n0
                    row["gateway_requests"] = answered
                    if answered < args.runs:
                        raise SystemExit(f"{name}: the gateway answered {answered} of {args.runs}+ runs (offline?)")
                results.append(row)

            body = json.dumps({"tool": "Bash", "params": {"command": "ls -la"}, "target_url": "",
                               "prompt_context": "scope:exec:shell:run"}).encode()
            last = gw.posts()[-1]
            headers = {"Authorization": last.headers["authorization"], "X-AG-Key": last.headers["x-ag-key"],
                       "Content-Type": "application/json"}
            rt = roundtrips(gw.url, body, headers)
            imports = {
                "gw-http": importtime_breakdown(python, payload, cases[1][1], [str(ht.HOOKMAIN)]),
                "gw-httpclient": importtime_breakdown(python, payload, cases[3][1], [str(launcher)]),
                "local": importtime_breakdown(python, payload, cases[0][1], [str(ht.HOOKMAIN)]),
            }
            del before
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    meta = dict(ht.machine(), python=python, method=method, runs=args.runs, rounds=args.rounds, warmup=args.warmup)
    local = next(r for r in results if r["name"] == "local")
    lines = [
        f"clampd-guard gateway timing  {meta['date']}  nproc={meta['nproc']}  {meta['platform']}",
        f"method: {method}; runs={args.runs} per case (each case in its own hyperfine run with its own baseline)",
        "",
        f"{'case':<15} {'median ms':>9} {'base ms':>8} {'ratio':>6} {'adds ms':>8}  gateway requests",
    ]
    for r in results:
        add = r["median_ms"] - r["baseline_ms"] * (local["median_ms"] / local["baseline_ms"])
        r["adds_ms_vs_local"] = round(add, 2) if r is not local else 0.0
        lines.append(f"{r['name']:<15} {r['median_ms']:9.2f} {r['baseline_ms']:8.2f} {r['ratio']:5.2f}x "
                     f"{(add if r is not local else 0.0):8.2f}  {r.get('gateway_requests', '-')}")
    lines += ["", "'adds ms' = case median - local median scaled to the case's own baseline", "",
              "import cost on the path (median cumulative ms, -X importtime, 15 runs):"]
    for case, d in imports.items():
        lines.append(f"  {case:<14} " + ", ".join(f"{k} {v}" for k, v in d.items() if v))
    lines += ["", "in-process loopback POST round trip (median ms of 200):"]
    lines.append("  " + ", ".join(f"{k} {v}" for k, v in rt.items()))
    print("\n".join(lines))
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, "results": results, "imports": imports,
                                               "roundtrips_ms": rt}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
