"""Turn a rule's example (a string or a CallExample) into a hook payload for that rule."""

from __future__ import annotations

from guard.engine.rule_model import CallExample, Rule

_PRE_TOOL = {
    "shell": ("Bash", "command"),
    "file_read": ("Read", "file_path"),
    "search": ("Grep", "pattern"),
    "web": ("WebFetch", "url"),
    "web_search": ("WebSearch", "query"),
    "subagent": ("Task", "prompt"),
    "unknown": ("SomeNewTool", "input"),
}


def payload_for(rule: Rule, example: str | CallExample) -> dict:
    if isinstance(example, CallExample):
        p: dict = {
            "hook_event_name": example.event,
            "tool_name": example.tool,
            "tool_input": example.input,
            "cwd": example.cwd,
            "session_id": "examples",
        }
        if example.response is not None:
            p["tool_response"] = example.response
        if example.prompt:
            p["prompt"] = example.prompt
        return p
    event = rule.events[0]
    base = {"session_id": "examples", "cwd": "/home/dev/project"}
    if event == "prompt":
        return {**base, "hook_event_name": "UserPromptSubmit", "prompt": example}
    if event == "post":
        return {
            **base,
            "hook_event_name": "PostToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": "cat output.txt"},
            "tool_response": {"stdout": example, "stderr": "", "interrupted": False, "isImage": False},
        }
    kind = rule.tools[0] if rule.tools[0] != "any" else "shell"
    field = rule.fields[0]
    if kind == "file_write":
        if field == "path":
            inp = {"file_path": example, "content": "x = 1\n"}
        else:
            inp = {"file_path": "/home/dev/project/app.py", "content": example}
        return {**base, "hook_event_name": "PreToolUse", "tool_name": "Write", "tool_input": inp}
    if kind == "search" and field == "path":
        return {**base, "hook_event_name": "PreToolUse", "tool_name": "Grep", "tool_input": {"pattern": "x", "path": example}}
    if kind == "mcp":
        key = {"sql": "sql", "path": "path", "url": "url", "command": "command"}.get(field, "text")
        return {**base, "hook_event_name": "PreToolUse", "tool_name": "mcp__db__query", "tool_input": {key: example}}
    tool, key = _PRE_TOOL[kind]
    inp = {key: example}
    if tool == "WebFetch":
        inp["prompt"] = "Summarise the page"
    return {**base, "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": inp}
