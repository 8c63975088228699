"""Filters that merge the guard's hooks into existing managed editor settings.

An organisation's managed-settings.json or enterprise hooks.json may already
hold other keys and other hooks: they are kept. Handlers that run this guard's
binary (whatever their arguments or timeout) are replaced by the current ones,
so a changed path, timeout or event list converges instead of piling up, and a
second run produces the same bytes (idempotence). The entries are the ones
`clampd-guard install --scope managed` writes (quoted path, same events and
timeout), so that command finds them already in place.
"""

from __future__ import annotations

import copy

from ansible.errors import AnsibleFilterError

CLAUDE_TOOL_EVENTS = ("PreToolUse", "PostToolUse", "PostToolUseFailure")
CLAUDE_PROMPT_EVENTS = ("UserPromptSubmit",)
# Cursor: the tool events that can block carry failClosed (a crashed or missing
# guard blocks instead of letting the action run); postToolUse only adds context,
# and beforeSubmitPrompt blocks on the guard's verdict but not on a crash (as in
# `clampd-guard install`: a broken guard should not stop the user typing). preToolUse has no matcher: it also sees tools no before* event
# covers (and MCP calls in cloud agents, which skip beforeMCPExecution), at the
# price of checking shell commands twice. Same wiring as `clampd-guard install`.
CURSOR_EVENTS = (
    ("beforeShellExecution", True, None),
    ("beforeMCPExecution", True, None),
    ("beforeReadFile", True, None),
    ("preToolUse", True, None),
    ("postToolUse", False, None),
    ("beforeSubmitPrompt", False, None),
)


def _runs(handler: object, exe: str) -> bool:
    """Whether a hook handler runs the guard binary at ``exe``."""
    if not isinstance(handler, dict):
        return False
    cmd = handler.get("command")
    if not isinstance(cmd, str):
        return False
    cmd = cmd.strip()
    return cmd == exe or cmd.startswith(exe + " ") or cmd.startswith(f'"{exe}"')


def _as_dict(existing: object, what: str) -> dict:
    if existing in (None, ""):
        return {}
    if not isinstance(existing, dict):
        raise AnsibleFilterError(f"{what} must hold a JSON object, not {type(existing).__name__}")
    return copy.deepcopy(existing)


def claude_managed_settings(existing: object, exe: str, timeout: int, managed_only: bool = True) -> dict:
    """Claude Code managed-settings.json with the guard wired on its four events."""
    out = _as_dict(existing, "managed-settings.json")
    hooks = out.get("hooks") or {}
    if not isinstance(hooks, dict):
        raise AnsibleFilterError("managed-settings.json: 'hooks' must be an object")
    for event, groups in list(hooks.items()):
        if not isinstance(groups, list):
            continue
        kept = []
        for group in groups:
            if isinstance(group, dict) and isinstance(group.get("hooks"), list):
                handlers = [h for h in group["hooks"] if not _runs(h, exe)]
                if not handlers:
                    continue
                group = {**group, "hooks": handlers}
            kept.append(group)
        hooks[event] = kept
    handler = {"type": "command", "command": f'"{exe}" hook --agent claude', "timeout": int(timeout)}
    for event in CLAUDE_TOOL_EVENTS:
        hooks.setdefault(event, []).append({"matcher": "*", "hooks": [dict(handler)]})
    for event in CLAUDE_PROMPT_EVENTS:
        hooks.setdefault(event, []).append({"hooks": [dict(handler)]})
    out["hooks"] = hooks
    if managed_only:
        out["allowManagedHooksOnly"] = True
    return out


def cursor_enterprise_hooks(existing: object, exe: str, timeout: int) -> dict:
    """Cursor's enterprise hooks.json (version 1, flat entries) with the guard on its events."""
    out = _as_dict(existing, "hooks.json")
    out["version"] = 1
    hooks = out.get("hooks") or {}
    if not isinstance(hooks, dict):
        raise AnsibleFilterError("hooks.json: 'hooks' must be an object")
    for event, entries in list(hooks.items()):
        if isinstance(entries, list):
            hooks[event] = [e for e in entries if not _runs(e, exe)]
    command = f'"{exe}" hook --agent cursor'
    for event, blocking, matcher in CURSOR_EVENTS:
        entry: dict = {"command": command, "timeout": int(timeout)}
        if blocking:
            entry["failClosed"] = True
        if matcher:
            entry["matcher"] = matcher
        hooks.setdefault(event, []).append(entry)
    out["hooks"] = hooks
    return out


class FilterModule:
    def filters(self) -> dict:
        return {
            "clampd_claude_managed_settings": claude_managed_settings,
            "clampd_cursor_enterprise_hooks": cursor_enterprise_hooks,
        }
