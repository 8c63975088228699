"""Rules prove themselves with their examples: payloads for them, and a check that they hold.

Used by the rule tests, by ``rules bundle`` (before signing) and by ``rules
update`` (before adopting): a rule set whose rules miss their own positive
examples, or fire on their negative ones, is not adopted. Management side only.
"""

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


def fired(payload: dict, rules: object) -> set[str]:
    """Ids of the rules that fire on a Claude Code payload (tag-only rules included)."""
    from guard.editors import claude_code
    from guard.engine import evaluate, match, subject

    call = claude_code.parse(payload)
    v = evaluate.evaluate(call, rules, (0.5, 0.75))  # type: ignore[arg-type]
    got = {h.rule_id for h in v.hits}
    if v.tags:
        # Tag-only rules (risk 0) stay out of v.hits; which of them fired is read from the matcher.
        got |= {h.rule_id for h, _leaf in match.run(rules, subject.build(call)) if h.risk == 0.0}  # type: ignore[arg-type]
    return got


def failures(loaded: list[tuple[str, Rule]], rules: object, limit: int = 5) -> list[str]:
    """Up to ``limit`` examples that do not behave as their rule says, as one-line descriptions."""
    out: list[str] = []
    for _name, rule in loaded:
        for positive, examples in ((True, rule.match), (False, rule.no_match)):
            for ex in examples:
                hit = rule.id in fired(payload_for(rule, ex), rules)
                if hit != positive:
                    what = "does not match" if positive else "matches its negative example"
                    text = ex if isinstance(ex, str) else f"{ex.tool} call"
                    out.append(f"{rule.id} {what} {text[:80]!r}")
                    if len(out) >= limit:
                        return out
    return out
