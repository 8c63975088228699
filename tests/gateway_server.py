"""A contract Clampd gateway for tests: real HTTP(S) on loopback, in-process, in threads.

It records every request exactly (method, path, headers, raw body), verifies
the bearer token (an HS256 agent JWT under the contract's key rule, or a known
employee token) and the X-AG-Key, and can be told to fail in every way the
guard must survive: see ``MODES``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# ok          answer `reply` (proxy) / `inspect_reply` (inspect) after checking the credentials (401 if bad)
# sleep       wait `delay` seconds before answering (past the guard's timeout)
# 500/401/403 that status with a small JSON body
# garbage     200 with an HTML body
# truncated   200 with a JSON body cut in the middle (Content-Length matches what is sent)
# short       200 announcing more bytes than it sends, then closing the connection
# redirect    307 to another host (127.0.0.2); redirect_same: 307 to the same host
# drip        200 whose body arrives one byte every `drip_interval` seconds
# not_verdict 200 with JSON that is not a verdict
# huge        200 with a 2 MiB body (over the guard's answer size cap)
MODES = ("ok", "sleep", "500", "401", "403", "garbage", "truncated", "short", "redirect", "redirect_same", "drip",
         "not_verdict", "huge")

PASS = {"request_id": "req-pass", "allowed": True, "action": "pass", "risk_score": 0.05, "matched_rules": [],
        "latency_ms": 3}


def b64url_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def jwt_key(secret: str) -> bytes:
    """The contract's key rule (written independently of the guard's code)."""
    if secret.startswith("ags_"):
        return hashlib.sha256(secret.encode()).hexdigest().encode()
    return secret.encode()


def verify_jwt(token: str, secret: str) -> tuple[dict | None, dict | None, str]:
    """(header, claims, problem); problem is "" when the signature and the header are right."""
    parts = token.split(".")
    if len(parts) != 3:
        return None, None, "not three parts"
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        sig = b64url_decode(parts[2])
    except ValueError as e:
        return None, None, f"undecodable: {e}"
    want = hmac.new(jwt_key(secret), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(sig, want):
        return header, claims, "bad signature"
    if header != {"alg": "HS256", "typ": "JWT"}:
        return header, claims, f"bad header {header}"
    return header, claims, ""


class Recorded:
    def __init__(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.method = method
        self.path = path
        self.header_list = headers
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body
        self.auth = ""  # "agent" | "employee" | "" (rejected)
        self.claims: dict | None = None
        self.jwt_header: dict | None = None
        self.auth_problem = ""

    @property
    def json(self) -> object:
        return json.loads(self.body)


class Gateway:
    """``with Gateway(...) as gw:`` serves on 127.0.0.1; ``gw.url`` is the gateway_url to configure."""

    def __init__(self, *, tls: object = None, secret: str = "ags_test_secret_0123456789", agent_id: str = "agent-7",
                 api_key: str = "ak_test_key_abcdef", employee_tokens: tuple[str, ...] = ()) -> None:
        self.tls = tls  # an ssl.SSLContext (server side) or None for plain HTTP
        self.secret = secret
        self.agent_id = agent_id
        self.api_key = api_key
        self.employee_tokens = set(employee_tokens)
        self.mode = "ok"
        self.reply: dict = dict(PASS)
        self.inspect_reply: dict = dict(PASS)
        self.delay = 3.0
        self.drip_interval = 0.1
        self.requests: list[Recorded] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> "Gateway":
        gw = self

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def get_request(self):  # type: ignore[no-untyped-def]
                sock, addr = self.socket.accept()
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as real servers do: no Nagle stalls
                with gw._lock:
                    gw.connections += 1  # counted before TLS, so rejected handshakes count too
                if gw.tls is not None:
                    sock = gw.tls.wrap_socket(sock, server_side=True)  # type: ignore[attr-defined]
                return sock, addr

            def handle_error(self, request, client_address):  # type: ignore[no-untyped-def]
                pass  # clients that give up (timeouts, TLS rejections) are expected

        self._server = Server(("127.0.0.1", 0), _handler(self))
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"{'https' if self.tls is not None else 'http'}://127.0.0.1:{self.port}"

    def posts(self) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    # ------------------------------------------------------------------ auth

    def check_auth(self, rec: Recorded) -> bool:
        authz = rec.headers.get("authorization", "")
        if rec.headers.get("x-ag-key") != self.api_key:
            rec.auth_problem = "bad X-AG-Key"
            return False
        if not authz.startswith("Bearer "):
            rec.auth_problem = "no bearer token"
            return False
        token = authz[len("Bearer "):]
        if token in self.employee_tokens:
            rec.auth = "employee"
            return True
        header, claims, problem = verify_jwt(token, self.secret)
        rec.jwt_header, rec.claims = header, claims
        if problem:
            rec.auth_problem = problem
            return False
        now = time.time()
        if claims.get("sub") != self.agent_id or claims.get("iss") != "clampd-guard":  # type: ignore[union-attr]
            rec.auth_problem = f"wrong claims {claims}"
            return False
        if not claims["iat"] - 5 <= now < claims["exp"]:  # type: ignore[index]
            rec.auth_problem = "expired or from the future"
            return False
        rec.auth = "agent"
        return True


def _handler(gw: Gateway) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
            self.send_response(status)
            hs = {"Content-Type": "application/json", "Content-Length": str(len(body))}
            hs.update(headers or {})
            for k, v in hs.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()

        def _json(self, status: int, obj: object) -> None:
            self._send(status, json.dumps(obj).encode())

        def _record(self) -> Recorded:
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            rec = Recorded(self.command, self.path, list(self.headers.items()), body)
            with gw._lock:
                gw.requests.append(rec)
            return rec

        def do_GET(self) -> None:  # noqa: N802
            self._record()
            if self.path == "/health" and gw.mode == "ok":
                self._json(200, {"status": "ok", "version": "test"})
            else:
                self._serve_mode()

        def do_POST(self) -> None:  # noqa: N802
            rec = self._record()
            if gw.mode == "ok":
                if not gw.check_auth(rec):
                    self._json(401, {"error": "unauthorized", "detail": rec.auth_problem})
                    return
                reply = gw.inspect_reply if self.path == "/v1/inspect" else gw.reply
                self._json(200, reply)
                return
            self._serve_mode()

        def _serve_mode(self) -> None:
            mode = gw.mode
            try:
                if mode == "sleep":
                    time.sleep(gw.delay)
                    self._json(200, gw.reply)
                elif mode in ("500", "401", "403"):
                    self._json(int(mode), {"error": f"test mode {mode}"})
                elif mode == "garbage":
                    self._send(200, b"<html><body>Service temporarily unavailable</body></html>")
                elif mode == "truncated":
                    self._send(200, json.dumps(gw.reply).encode()[:25])
                elif mode == "short":
                    body = json.dumps(gw.reply).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body) + 500))
                    self.end_headers()
                    self.wfile.write(body[:20])
                    self.wfile.flush()
                    self.close_connection = True
                elif mode in ("redirect", "redirect_same"):
                    host = "127.0.0.2" if mode == "redirect" else "127.0.0.1"
                    scheme = "https" if gw.tls is not None else "http"
                    self._send(307, b"", {"Location": f"{scheme}://{host}:{gw.port}{self.path}"})
                elif mode == "drip":
                    body = json.dumps(gw.reply).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.flush()
                    for i in range(len(body)):
                        self.wfile.write(body[i : i + 1])
                        self.wfile.flush()
                        time.sleep(gw.drip_interval)
                elif mode == "huge":
                    self._send(200, b'{"allowed": true, "pad": "' + b"x" * (2 << 20) + b'"}')
                elif mode == "not_verdict":
                    self._json(200, {"hello": "world", "items": [1, 2, 3]})
                else:
                    self._json(500, {"error": f"unknown test mode {mode}"})
            except OSError:
                pass  # the guard gave up first, as it should

    return Handler


# --------------------------------------------------------------------------- helpers


def closed_port() -> int:
    """A loopback port with nothing listening (connection refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def tls_contexts(tmp: Path) -> tuple[ssl.SSLContext, Path, Path]:
    """(server context with a trustme cert for 127.0.0.1, the CA's PEM, another CA's PEM)."""
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    good = tmp / "gateway-ca.pem"
    ca.cert_pem.write_to_path(str(good))
    other = tmp / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    return ctx, good, other


def write_config(home: Path, **fields: object) -> Path:
    p = home / ".clampd" / "guard.json"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(fields))
    return p


def gateway_config(gw: Gateway, **extra: object) -> dict:
    """guard.json fields for ``gw`` with credentials in the file (tests of the keyring set their own).

    Generous timeout and deadline: a loaded CI machine must not turn a test of one fault into another.
    """
    cfg = {"gateway_url": gw.url, "api_key": gw.api_key, "agent_id": gw.agent_id, "secret": gw.secret,
           "timeout_ms": 5000, "deadline_ms": 30000}
    cfg.update(extra)
    return cfg


# --------------------------------------------------------------------------- running the hook

FAIL_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}  # never the real keyring


def pre_bash(command: str) -> dict:
    return {"session_id": "gw-test", "cwd": "/tmp/project", "hook_event_name": "PreToolUse", "tool_name": "Bash",
            "tool_input": {"command": command}, "tool_use_id": "toolu_gw"}


def pre_tool(tool: str, tool_input: dict) -> dict:
    return {"session_id": "gw-test", "cwd": "/tmp/project", "hook_event_name": "PreToolUse", "tool_name": tool,
            "tool_input": tool_input, "tool_use_id": "toolu_gw"}


def post_read(path: str, content: str) -> dict:
    return {"session_id": "gw-test", "cwd": "/tmp/project", "hook_event_name": "PostToolUse", "tool_name": "Read",
            "tool_input": {"file_path": path},
            "tool_response": {"type": "text", "file": {"filePath": path, "content": content, "numLines": 1,
                                                       "startLine": 1, "totalLines": 1}},
            "tool_use_id": "toolu_gw"}


_TEMPLATE: list[Path] = []


def warm(home: Path) -> None:
    """Give ``home`` a built rule cache (copied from one built once per test process).

    The first hook call in a fresh HOME compiles the rules, which on a loaded
    machine can take longer than the default deadline; these tests are about
    the gateway, so they start warm.
    """
    import shutil
    import tempfile

    from tests import hookrun

    dest = cache_dir(home)
    if dest.exists():
        return
    if not _TEMPLATE:
        t = Path(tempfile.mkdtemp(prefix="clampd-gw-template-")) / "home"
        write_config(t, deadline_ms=60000, stdin_timeout_ms=60000)
        hookrun.run(pre_bash("ls"), t, how="fast", env=FAIL_KEYRING)
        hookrun.run({"hook_event_name": "UserPromptSubmit", "prompt": "warm the dictionary"}, t, how="fast",
                    env=FAIL_KEYRING)
        _TEMPLATE.append(t)
    shutil.copytree(cache_dir(_TEMPLATE[0]), dest)


def hook(payload: dict, home: Path, env: dict | None = None):  # type: ignore[no-untyped-def]
    """The real hook launcher (``python -I -S guard/hookmain.py``) as the editor runs it."""
    from tests import hookrun

    warm(home)
    return hookrun.run(payload, home, how="fast", env={**FAIL_KEYRING, **(env or {})})


def state_dir(home: Path) -> Path:
    return home / ".local" / "state" / "clampd-guard"


def cache_dir(home: Path) -> Path:
    return home / ".cache" / "clampd-guard"
