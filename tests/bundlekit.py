"""Test helpers for rule bundles: keys, bundles with an extra rule, a loopback rules server, a launcher.

The launcher (run this file as a script) fixes the managed-config path like
``tests/launcher.py`` and also points the hook's background refresh at itself,
so the detached ``rules update`` reads the same managed file.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REPO = Path(__file__).resolve().parent.parent
THIS = Path(__file__).resolve()
RULES_DIR = REPO / "guard" / "rules"
CANARY = "echo clampd-bundle-canary"

EXTRA_RULE = '''
about = "Bundle test rule"

[[rules]]
id = "bundle.canary"
title = "Bundle canary command"
category = "destructive-shell"
risk = 0.95
keywords = ["clampd-bundle-canary"]
patterns = ['\\bclampd-bundle-canary\\b']
advice = "This rule exists only in test bundles."
match = ["echo clampd-bundle-canary", "ls; echo clampd-bundle-canary now"]
no_match = ["echo clampd-bundle", "echo canary"]
'''


def keypair(tmp: Path, name: str = "k") -> tuple[Path, str]:
    """(private key file, public key text) via the real ``rules keygen``."""
    out = tmp / f"{name}.pem"
    r = cli(tmp / "home-keygen", None, "rules", "keygen", "--out", str(out))
    assert r.returncode == 0, r.stderr
    line = [x for x in r.stdout.splitlines() if "rules_public_key" in x][0]
    return out, line.split('"')[3]


def rules_dir(tmp: Path, extra: bool = True, name: str = "rules") -> Path:
    """A copy of the embedded rules, optionally with the canary rule added."""
    d = tmp / name
    if d.exists():
        shutil.rmtree(d)
    shutil.copytree(RULES_DIR, d, ignore=shutil.ignore_patterns("dictionaries"))
    if extra:
        (d / "zz_canary.toml").write_text(EXTRA_RULE, "utf-8")
    return d


def make_bundle(tmp: Path, key: Path, version: int, rules: Path, name: str | None = None) -> Path:
    out = tmp / (name or f"bundle-v{version}.json")
    r = cli(tmp / "home-admin", None, "rules", "bundle", "--key", str(key), "--version", str(version), "--rules-dir", str(rules), "--out", str(out))
    assert r.returncode == 0, r.stderr
    return out


def managed(tmp: Path, **fields: object) -> Path:
    """A managed guard.json. A generous deadline by default: some of these hook calls verify and
    compile a bundle (a one-off cost) on a machine busy with parallel tests."""
    fields.setdefault("deadline_ms", 30000)
    p = tmp / "managed.json"
    p.write_text(json.dumps(fields), "utf-8")
    return p


def env_for(home: Path) -> dict:
    import os

    return {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}


def cli(home: Path, managed_path: Path | None, *args: str, stdin: bytes = b"", timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the guard (CLI or hook) through this launcher; stdout/stderr decoded; no traceback allowed."""
    home.mkdir(parents=True, exist_ok=True)
    m = managed_path or (home / "no-managed.json")
    proc = subprocess.run(
        [sys.executable, str(THIS), "--managed", str(m), "--", *args],
        input=stdin,
        capture_output=True,
        env=env_for(home),
        timeout=timeout,
    )
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert "Traceback" not in err and "Traceback" not in out, err
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def cache(home: Path) -> Path:
    return home / ".cache" / "clampd-guard" / "bundle"


class RulesServer:
    """A loopback HTTP server for ``/v1/guard/rules`` with ETag / If-None-Match and a request log."""

    def __init__(self) -> None:
        self.body: bytes | None = None  # None: 404
        self.status: int | None = None  # force a status
        self.redirect: str | None = None
        self.requests: list[dict] = []
        self.gate: threading.Event | None = None  # when set: requests wait until it is released
        self.arrived = threading.Event()
        srv = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                srv.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}})
                srv.arrived.set()
                if srv.gate is not None:
                    srv.gate.wait(60)
                if srv.redirect and self.path == "/v1/guard/rules":
                    self.send_response(302)
                    self.send_header("Location", srv.redirect)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if srv.status is not None:
                    self._send(srv.status, b"{}")
                    return
                if srv.body is None or not self.path.startswith("/v1/guard/rules"):
                    self._send(404, b'{"error":"not found"}')
                    return
                etag = '"' + hashlib.sha256(srv.body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self._send(200, srv.body, etag)

            def _send(self, code: int, body: bytes, etag: str = "") -> None:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                if etag:
                    self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> RulesServer:
        self.thread.start()
        return self

    def __exit__(self, *a: object) -> None:
        if self.gate is not None:
            self.gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def _launch() -> int:
    argv = sys.argv[1:]
    rest = argv[argv.index("--") + 1 :] if "--" in argv else []
    head = argv[: argv.index("--")] if "--" in argv else argv
    opts = dict(zip(head[::2], head[1::2]))
    import guard.config.paths as paths
    from guard.engine import bundle

    paths.MANAGED_CONFIG = opts["--managed"]
    bundle.REFRESH_ARGV = [sys.executable, str(THIS), "--managed", opts["--managed"], "--", "rules", "update", "--quiet"]
    from guard.entry import main as entry_main

    return entry_main(rest)


if __name__ == "__main__":
    sys.exit(_launch())
