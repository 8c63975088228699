"""The gateway contract on the wire: request bodies and the parsed reply.

Plain dicts and a ``__slots__`` class instead of msgspec Structs: this runs in
the hook process, where msgspec's import would cost more than the request.
Unknown response fields are ignored; a reply without a usable verdict is a fault.
"""

from __future__ import annotations

from guard.engine import toolkinds
from guard.toolcall import ToolCall

PROXY = "/v1/proxy"
INSPECT = "/v1/inspect"
HEALTH = "/health"

# Tools the contract's scope map does not name (other editors' names), by kind.
_KIND_SCOPES = {
    toolkinds.SHELL: "exec:shell:run",
    toolkinds.FILE_WRITE: "fs:write:file",
    toolkinds.FILE_READ: "fs:read:file",
    toolkinds.SEARCH: "fs:read:search",
    toolkinds.WEB: "net:http:outbound",
    toolkinds.WEB_SEARCH: "net:http:outbound",
    toolkinds.SUBAGENT: "agent:subagent:spawn",
}


def scope(call: ToolCall) -> str:
    """The contract's scope for this tool; Cursor-style names fall back on the tool's kind."""
    s = toolkinds.scope_of(call.tool)
    if s == "unknown":
        s = _KIND_SCOPES.get(call.kind, "unknown")
    return s


def proxy_body(call: ToolCall) -> dict:
    return {"tool": call.tool, "params": call.params, "target_url": "", "prompt_context": "scope:" + scope(call)}


def inspect_body(call: ToolCall) -> dict:
    return {"tool": call.tool, "response_data": call.output}


class BadReply(ValueError):
    """The body is JSON but not a gateway verdict."""


class Reply:
    """The fields of a gateway verdict the guard uses."""

    __slots__ = ("allowed", "action", "risk", "denial_reason", "reasoning", "matched_rules", "request_id")

    def __init__(self, allowed: bool, action: str, risk: float, denial_reason: str, reasoning: str,
                 matched_rules: list[str], request_id: str) -> None:
        self.allowed = allowed
        self.action = action
        self.risk = risk
        self.denial_reason = denial_reason
        self.reasoning = reasoning
        self.matched_rules = matched_rules
        self.request_id = request_id

    @property
    def blocked(self) -> bool:
        return not self.allowed or self.action == "block"

    @property
    def flagged(self) -> bool:
        return not self.blocked and self.action == "flag"


def _text(v: object, limit: int = 500) -> str:
    if not isinstance(v, str):
        return ""
    t = " ".join(v.split())
    return t if len(t) <= limit else t[: limit - 3] + "..."


def _rule_id(r: object) -> str:
    """A matched rule as a string id, or as an object carrying one (``id``/``rule_id``/``name``)."""
    if isinstance(r, dict):
        r = r.get("id") or r.get("rule_id") or r.get("name")
    return _text(r, 80) if isinstance(r, str) and r.strip() else ""


def parse_reply(data: object) -> Reply:
    """A Reply from the decoded JSON body; raises BadReply when no verdict can be read.

    ``allowed`` (bool) is the contract's verdict; ``action`` refines it. A body
    with neither is not a verdict. Anything else unexpected is ignored.
    """
    if not isinstance(data, dict):
        raise BadReply(f"the reply is a JSON {type(data).__name__}, not an object")
    allowed = data.get("allowed")
    action = data.get("action")
    if not isinstance(action, str) or action not in ("pass", "flag", "block"):
        action = ""
    if not isinstance(allowed, bool):
        if not action:
            raise BadReply("the reply has neither a boolean 'allowed' nor a known 'action'")
        allowed = action != "block"
    if not action:
        action = "pass" if allowed else "block"
    risk = data.get("risk_score")
    if isinstance(risk, bool) or not isinstance(risk, (int, float)) or risk != risk:
        risk = 0.0
    risk = min(max(float(risk), 0.0), 1.0)
    matched = [m for m in map(_rule_id, data.get("matched_rules") or ()) if m][:20] \
        if isinstance(data.get("matched_rules"), list) else []
    return Reply(allowed, action, risk, _text(data.get("denial_reason")), _text(data.get("reasoning")), matched,
                 _text(data.get("request_id"), 80))
