"""A scripted Anthropic Messages API on loopback, for driving the real Claude Code CLI.

The CLI streams every turn (``POST /v1/messages?beta=true`` with ``stream: true``)
and reads Server-Sent Events. The script is stateless, as the protocol notes
recommend: the next answer is chosen by counting the assistant messages that
already hold a ``tool_use`` block, so a retried request gets the same answer.
Every request is recorded (path, headers, parsed body, raw bytes) so a test
can assert exactly what the model was shown.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ToolCall = tuple[str, dict]  # (tool name, tool input)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    raw: bytes
    body: Any = None

    @property
    def is_main_loop(self) -> bool:
        """Main-loop requests carry the tool list (with Bash); helper calls (summaries) do not."""
        tools = self.body.get("tools") if isinstance(self.body, dict) else None
        return bool(tools) and any(isinstance(t, dict) and t.get("name") == "Bash" for t in tools)


@dataclass
class Script:
    """turns[n] is the list of tool calls for the n-th tool-use turn; then a final text."""

    turns: list[list[ToolCall]] = field(default_factory=list)
    final_text: str = "All done."

    @staticmethod
    def tool_id(turn: int, index: int) -> str:
        return f"toolu_e2e_{turn}_{index}"


def _sse(event: str, data: dict) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def _tool_turns_so_far(body: dict) -> int:
    n = 0
    for msg in body.get("messages") or []:
        if not isinstance(msg, dict) or msg.get("role") != "assistant":
            continue
        content = msg.get("content")
        if isinstance(content, list) and any(isinstance(b, dict) and b.get("type") == "tool_use" for b in content):
            n += 1
    return n


def _blocks_for(script: Script, body: dict, main: bool) -> tuple[list[dict], str]:
    """The content blocks of the answer and its stop reason."""
    if main:
        n = _tool_turns_so_far(body)
        if n < len(script.turns):
            blocks = [
                {"type": "tool_use", "id": Script.tool_id(n, i), "name": name, "input": inp}
                for i, (name, inp) in enumerate(script.turns[n])
            ]
            return blocks, "tool_use"
        return [{"type": "text", "text": script.final_text}], "end_turn"
    return [{"type": "text", "text": "ok"}], "end_turn"


def stream_body(blocks: list[dict], stop_reason: str, msg_id: str) -> bytes:
    """The SSE events the CLI accepts: tool input only through input_json_delta."""
    out = [
        _sse(
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": msg_id,
                    "type": "message",
                    "role": "assistant",
                    "model": "fake-model",
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {"input_tokens": 1, "output_tokens": 1},
                },
            },
        )
    ]
    for i, b in enumerate(blocks):
        if b["type"] == "tool_use":
            start = {"type": "tool_use", "id": b["id"], "name": b["name"], "input": {}}
            delta = {"type": "input_json_delta", "partial_json": json.dumps(b["input"])}
        else:
            start = {"type": "text", "text": ""}
            delta = {"type": "text_delta", "text": b["text"]}
        out.append(_sse("content_block_start", {"type": "content_block_start", "index": i, "content_block": start}))
        out.append(_sse("content_block_delta", {"type": "content_block_delta", "index": i, "delta": delta}))
        out.append(_sse("content_block_stop", {"type": "content_block_stop", "index": i}))
    out.append(
        _sse(
            "message_delta",
            {"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": None}, "usage": {"output_tokens": 1}},
        )
    )
    out.append(_sse("message_stop", {"type": "message_stop"}))
    return b"".join(out)


class FakeModel:
    """``with FakeModel(script) as fm:`` serves on ``fm.base_url`` until the block ends."""

    def __init__(self, script: Script | None = None) -> None:
        self.script = script or Script()
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-model", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeModel:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- what the model was shown -------------------------------------------------

    @property
    def message_requests(self) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST" and r.path.split("?")[0] == "/v1/messages"]

    def main_requests(self) -> list[Request]:
        return [r for r in self.message_requests if r.is_main_loop]

    def request_after(self, tool_use_id: str) -> Request:
        """The first main-loop request that reports the result of this tool call to the model."""
        for r in self.main_requests():
            if tool_use_id in tool_results(r):
                return r
        raise AssertionError(f"the model never received a tool_result for {tool_use_id}")

    def _record(self, req: Request) -> int:
        with self._lock:
            self.requests.append(req)
            return len(self.requests)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
                pass

            def _read_body(self) -> bytes:
                if self.headers.get("transfer-encoding", "").lower() == "chunked":
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("content-length") or 0))

            def _send(self, code: int, ctype: str, payload: bytes) -> None:
                self.send_response(code)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            def do_HEAD(self) -> None:  # 2.1.197 probes HEAD / at start
                fake._record(Request("HEAD", self.path, dict(self.headers), b""))
                self._send(200, "text/plain", b"")

            def do_GET(self) -> None:
                fake._record(Request("GET", self.path, dict(self.headers), b""))
                self._send(404, "application/json", b'{"type":"error","error":{"type":"not_found_error","message":"fake"}}')

            def do_POST(self) -> None:
                raw = self._read_body()
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                req = Request("POST", self.path, dict(self.headers), raw, body)
                seq = fake._record(req)
                if self.path.split("?")[0] != "/v1/messages" or not isinstance(body, dict):
                    self._send(404, "application/json", b'{"type":"error","error":{"type":"not_found_error","message":"fake"}}')
                    return
                blocks, stop = _blocks_for(fake.script, body, req.is_main_loop)
                msg_id = f"msg_e2e_{seq}"
                if body.get("stream"):
                    self._send(200, "text/event-stream", stream_body(blocks, stop, msg_id))
                else:  # the CLI's non-streaming fallback
                    message = {
                        "id": msg_id,
                        "type": "message",
                        "role": "assistant",
                        "model": "fake-model",
                        "content": blocks,
                        "stop_reason": stop,
                        "stop_sequence": None,
                        "usage": {"input_tokens": 1, "output_tokens": 1},
                    }
                    self._send(200, "application/json", json.dumps(message).encode())

        return Handler


# --- helpers to read a recorded request ------------------------------------------------


def content_text(content: object) -> str:
    """A tool_result's content as one string (it may be a string or a list of text blocks)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(content_text(b.get("text", b.get("content", ""))) for b in content if isinstance(b, dict))
    return ""


def tool_results(req: Request) -> dict[str, dict]:
    """Every tool_result block in the request, by tool_use_id."""
    found: dict[str, dict] = {}
    for msg in req.body.get("messages") or []:
        content = msg.get("content") if isinstance(msg, dict) else None
        if isinstance(content, list):
            for b in content:
                if isinstance(b, dict) and b.get("type") == "tool_result":
                    found[b.get("tool_use_id", "")] = b
    return found


def message_text(msg: object) -> str:
    """What the model reads in one message: its text blocks and tool_result contents."""
    content = msg.get("content") if isinstance(msg, dict) else None
    if isinstance(content, str):
        return content
    parts = []
    for b in content if isinstance(content, list) else []:
        if isinstance(b, dict) and b.get("type") == "tool_result":
            parts.append(content_text(b.get("content")))
        elif isinstance(b, dict) and b.get("type") == "text":
            parts.append(str(b.get("text", "")))
    return "\n".join(parts)


def text_after_tool_result(req: Request, tool_use_id: str) -> str:
    """All text the model sees from the tool_result onwards (the result, then hook context or reminders)."""
    msgs = req.body.get("messages") or []
    for i, msg in enumerate(msgs):
        content = msg.get("content") if isinstance(msg, dict) else None
        if isinstance(content, list) and any(
            isinstance(b, dict) and b.get("type") == "tool_result" and b.get("tool_use_id") == tool_use_id
            for b in content
        ):
            return "\n".join(message_text(m) for m in msgs[i:])
    raise AssertionError(f"no tool_result for {tool_use_id} in this request")
