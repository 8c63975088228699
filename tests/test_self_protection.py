"""The agent cannot switch the guard off, in any agent's envelope; normal work on the same files passes.

Each case is the agent's own tool call as that agent sends it, parsed by that
agent's adapter and judged by the embedded rules (and a few through the real
hook subprocess), so a rule that only works for Claude's tool names fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guard import editors
from guard.config.load import Config
from guard.decide import run_payload
from tests.hookrun import run

CODEX = {"session_id": "s", "turn_id": "t", "transcript_path": None, "cwd": "/home/dev/project", "model": "gpt-5-codex", "permission_mode": "default"}
CURSOR = {"conversation_id": "c", "generation_id": "g", "cursor_version": "1.7.2", "workspace_roots": ["/home/dev/project"]}
GEMINI = {"session_id": "s", "cwd": "/home/dev/project", "timestamp": "2026-11-24T00:00:00Z"}
WINDSURF = {"trajectory_id": "t", "execution_id": "e", "timestamp": "2026-11-24T00:00:00Z"}
GUARD_ENTRY = '{"type": "command", "command": "/usr/local/bin/clampd-guard hook --agent claude", "timeout": 10}'


def claude_pre(tool: str, inp: dict) -> dict:
    return {"session_id": "s", "cwd": "/home/dev/project", "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": inp}


def codex_patch(patch: str) -> dict:
    return {**CODEX, "hook_event_name": "PreToolUse", "tool_name": "apply_patch", "tool_input": {"command": "*** Begin Patch\n" + patch + "*** End Patch\n"}, "tool_use_id": "c"}


def copilot(tool: str, args: dict) -> dict:
    return {"timestamp": 1, "cwd": "/home/dev/project", "toolName": tool, "toolArgs": json.dumps(args)}


BLOCKED = [
    # Hook entry taken out of project settings (Claude Edit, Codex patch, Copilot edit).
    ("claude", claude_pre("Edit", {"file_path": "/home/dev/project/.claude/settings.json", "old_string": GUARD_ENTRY, "new_string": ""}), "self.hook-entry-removed"),
    ("codex", codex_patch('*** Update File: .codex/config.toml\n@@\n-command = ["/opt/clampd/clampd-guard", "hook", "--agent", "codex"]\n+command = ["true"]\n'), "self.hook-entry-removed"),
    ("copilot", copilot("edit", {"path": "/home/dev/project/.claude/settings.json", "old_str": GUARD_ENTRY, "new_str": ""}), "self.hook-entry-removed"),
    # Dedicated hook files written.
    ("cursor", {**CURSOR, "hook_event_name": "preToolUse", "tool_name": "Write", "tool_input": {"file_path": "/home/dev/project/.cursor/hooks.json", "content": '{"version":1,"hooks":{}}'}}, "self.hook-wiring-file-edit"),
    ("windsurf", {**WINDSURF, "agent_action_name": "pre_write_code", "tool_info": {"file_path": "/home/dev/.codeium/windsurf/hooks.json", "edits": [{"old_string": "x", "new_string": "{}"}]}}, "self.hook-wiring-file-edit"),
    ("copilot", copilot("create", {"path": "/home/dev/project/.github/hooks/guard.json", "file_text": '{"version": 1, "hooks": {}}'}), "self.hook-wiring-file-edit"),
    # Hooks switched off in settings content.
    ("gemini", {**GEMINI, "hook_event_name": "BeforeTool", "tool_name": "write_file", "tool_input": {"file_path": "/home/dev/project/.gemini/settings.json", "content": '{"tools": {"enableHooks": false}}'}}, "persist.agent-guard-disabled-content"),
    ("codex", codex_patch("*** Update File: .codex/config.toml\n@@\n+[features]\n+hooks = false\n"), "persist.agent-guard-disabled-content"),
    # The shell: hook files replaced or removed, the guard uninstalled, killed, or its state redirected.
    ("windsurf", {**WINDSURF, "agent_action_name": "pre_run_command", "tool_info": {"command_line": "rm .windsurf/hooks.json", "cwd": "/home/dev/project"}}, "self.hook-wiring-shell"),
    ("codex", {**CODEX, "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "pip uninstall -y clampd-guard"}, "tool_use_id": "c"}, "self.uninstall-guard"),
    ("gemini", {**GEMINI, "hook_event_name": "BeforeTool", "tool_name": "run_shell_command", "tool_input": {"command": "pkill -f clampd-guard"}}, "self.kill-guard"),
    ("copilot", copilot("bash", {"command": "echo 'export XDG_CACHE_HOME=/tmp/x' >> \"$CLAUDE_ENV_FILE\""}), "self.guard-env-override"),
    ("cursor", {**CURSOR, "hook_event_name": "beforeShellExecution", "command": "echo '{\"enabled\": false}' > ~/.clampd/guard.json", "cwd": "/home/dev/project"}, "persist.agent-config-shell"),
    ("claude", claude_pre("Bash", {"command": "codex exec --dangerously-bypass-approvals-and-sandbox 'fix it'"}), "persist.agent-config-shell"),
    ("claude", claude_pre("Write", {"file_path": "/home/dev/project/.claude/settings.local.json", "content": '{"env": {"XDG_STATE_HOME": "/tmp/s"}}'}), "self.guard-env-settings"),
]

ALLOWED = [
    ("claude", claude_pre("Read", {"file_path": "/home/dev/project/.claude/settings.json"})),
    ("claude", claude_pre("Bash", {"command": "git diff .claude/settings.json .cursor/hooks.json"})),
    ("codex", {**CODEX, "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "cat ~/.codex/config.toml"}, "tool_use_id": "c"}),
    ("gemini", {**GEMINI, "hook_event_name": "BeforeTool", "tool_name": "read_file", "tool_input": {"file_path": "/home/dev/.gemini/settings.json"}}),
    ("cursor", {**CURSOR, "hook_event_name": "beforeReadFile", "file_path": "/home/dev/project/.cursor/hooks.json", "content": '{"version": 1, "hooks": {}}'}),
    ("copilot", copilot("edit", {"path": "/home/dev/project/package.json", "old_str": '"lint": "eslint ."', "new_str": '"lint": "eslint . --fix"'})),
    ("claude", claude_pre("Edit", {"file_path": "/home/dev/project/.claude/settings.json", "old_string": '"allow": []', "new_string": '"allow": ["Bash(npm test)"]'})),
    ("windsurf", {**WINDSURF, "agent_action_name": "pre_write_code", "tool_info": {"file_path": "/home/dev/project/tsconfig.json", "edits": [{"old_string": '"strict": false', "new_string": '"strict": true'}]}}),
]


@pytest.mark.parametrize("agent, payload, rule", BLOCKED, ids=[f"{a}-{r}-{i}" for i, (a, _p, r) in enumerate(BLOCKED)])
def test_the_agent_cannot_switch_the_guard_off(agent: str, payload: dict, rule: str, home: Path) -> None:
    _call, v = run_payload(editors.get(agent), payload, Config())
    assert v.decision == "deny" and rule in v.rule_ids, (v.decision, v.rule_ids)


@pytest.mark.parametrize("agent, payload", ALLOWED, ids=[f"{a}-{i}" for i, (a, _p) in enumerate(ALLOWED)])
def test_normal_work_on_the_same_files_passes(agent: str, payload: dict, home: Path) -> None:
    _call, v = run_payload(editors.get(agent), payload, Config())
    assert v.decision == "allow", v.rule_ids


def test_hook_file_write_is_denied_through_the_real_cursor_hook(home: Path) -> None:
    r = run(BLOCKED[3][1], home, args=["hook", "--agent", "cursor"])
    assert r.code == 0 and r.json["permission"] == "deny" and "self.hook-wiring-file-edit" in r.json["agent_message"]


def test_hook_entry_removal_is_denied_through_the_real_codex_hook(home: Path) -> None:
    r = run(BLOCKED[1][1], home, args=["hook", "--agent", "codex"])
    hso = r.json["hookSpecificOutput"]
    assert r.code == 0 and hso["permissionDecision"] == "deny" and "self.hook-entry-removed" in hso["permissionDecisionReason"]
