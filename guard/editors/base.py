"""What every editor adapter shares: the bad-input error and the rendered answer."""

from __future__ import annotations


class BadInput(ValueError):
    """The hook payload cannot be understood; the message is one line for stderr."""


def warning_lines(warnings: list[str]) -> str:
    """Warnings as stderr lines (stderr only: stdout is reserved for the one answer object)."""
    return "".join(f"clampd-guard: warning: {w}\n" for w in warnings)


class Answer:
    """Exactly what the guard writes: stdout (empty or one JSON object), stderr, exit code."""

    __slots__ = ("stdout", "stderr", "code")

    def __init__(self, stdout: str = "", stderr: str = "", code: int = 0) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.code = code


def json_line(obj: dict) -> str:
    """One JSON object and a newline: the only thing an adapter ever writes to stdout."""
    from guard.runtime import jsonfast

    return jsonfast.dumps(obj) + "\n"


def text(v: object) -> str:
    """``v`` if it is a string, else "" (hook payloads are untrusted: fields may be any type)."""
    return v if isinstance(v, str) else ""


def event_name(payload: dict, warnings: list[str], post: str, prompt: str, pre: str) -> str:
    """The payload's ``hook_event_name``; when it is missing, the event its keys suggest, marked "?".

    A "?" event is answered with exit 2 (valid for every event), since its own form is a guess.
    """
    raw = payload.get("hook_event_name")
    if isinstance(raw, str) and raw:
        return raw
    if "tool_response" in payload:
        raw = "?" + post
    elif "prompt" in payload and "tool_name" not in payload:
        raw = "?" + prompt
    else:
        raw = "?" + pre
    warnings.append("hook_event_name missing or not a string; treated as " + raw[1:])
    return raw


def tool_name(payload: dict, warnings: list[str]) -> str:
    """``tool_name`` as a string ("" with a warning when it is some other type)."""
    tool = payload.get("tool_name")
    if isinstance(tool, str):
        return tool
    if tool is not None:
        warnings.append("tool_name is not a string")
    return ""


def maybe_json(v: object) -> object:
    """A JSON-encoded string decoded (Cursor/Copilot send some arguments that way); anything else as is."""
    if isinstance(v, str):
        from guard.runtime import jsonfast

        try:
            return jsonfast.loads(v)
        except ValueError:
            return v
    return v


def as_params(v: object, warnings: list[str], what: str = "tool_input") -> dict:
    """Tool arguments as a dict (decoded from a JSON string when needed); other values wrapped."""
    v = maybe_json(v)
    if v is None:
        return {}
    if isinstance(v, dict):
        return v
    warnings.append(f"{what} is a {type(v).__name__}, not an object")
    return {"value": v}


def kind_for(kind: str, params: dict) -> str:
    """The rule kind for a call, or "unknown" when its arguments arrived in no readable shape.

    Arguments that were not an object (or not decodable JSON) are wrapped as
    ``{"value": ...}``; a shell or file rule would look for ``command`` or
    ``file_path`` there and find nothing, so such a call is read as an
    unknown tool instead (every string read by every rule).
    """
    if set(params) == {"value"}:
        return "unknown"
    return kind


_OUTPUT_TEXT_KEYS = ("llmContent", "textResultForLlm", "stdout", "output", "content", "text", "result")


def output_text(out: object) -> str:
    """Redacted tool output as the text an agent can show its model in place of the original.

    For agents that can only *replace* a result with a message (Codex, Gemini):
    the message carries the redacted output itself, so the model keeps the
    useful part of the result without the secret.
    """
    if isinstance(out, str):
        return out
    if isinstance(out, dict):
        parts = [out[k] for k in _OUTPUT_TEXT_KEYS if isinstance(out.get(k), str) and out[k]]
        if isinstance(out.get("stderr"), str) and out["stderr"]:
            parts.append(out["stderr"])
        if isinstance(out.get("file"), dict) and isinstance(out["file"].get("content"), str):
            parts.append(out["file"]["content"])
        if parts:
            return "\n".join(parts)
    from guard.runtime import jsonfast

    try:
        return jsonfast.dumps(out)
    except (TypeError, ValueError):
        return str(out)


def no_ask_reason(agent: str, reason: str) -> str:
    """The deny text for an ask on an agent whose hooks cannot ask the user."""
    return (
        reason
        + f"\n{agent} hooks cannot ask the user, so clampd-guard blocked this call instead. "
        "If the user approves it, they can run it themselves."
    )
