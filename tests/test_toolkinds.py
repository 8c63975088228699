"""Every agent's tool names reach the same rule kinds and gateway scopes (DESIGN.md section 3)."""

from __future__ import annotations

import pytest

from guard.engine.toolkinds import kind_of, scope_of

# DESIGN.md section 3, in Claude Code's names: these must never change.
DESIGN = {
    "Bash": "exec:shell:run",
    "Write": "fs:write:file",
    "Edit": "fs:write:file",
    "Read": "fs:read:file",
    "Glob": "fs:read:search",
    "Grep": "fs:read:search",
    "NotebookEdit": "exec:eval:notebook",
    "WebFetch": "net:http:outbound",
    "WebSearch": "net:http:outbound",
    "Agent": "agent:subagent:spawn",
    "Task": "agent:subagent:spawn",
    "mcp__github__create_issue": "scm:git:api",
    "mcp__slack__post_message": "comms:slack:send",
    "mcp__postgres__query": "agent:mcp:tool",
    "SomethingNew": "unknown",
}


@pytest.mark.parametrize("tool, scope", sorted(DESIGN.items()))
def test_design_scopes_are_unchanged(tool: str, scope: str) -> None:
    assert scope_of(tool) == scope


@pytest.mark.parametrize(
    "tool, like",
    [
        ("run_shell_command", "Bash"),  # Gemini
        ("write_file", "Write"),
        ("replace", "Edit"),
        ("read_file", "Read"),
        ("web_fetch", "WebFetch"),
        ("google_web_search", "WebSearch"),
        ("apply_patch", "Edit"),  # Codex
        ("bash", "Bash"),  # Copilot
        ("view", "Read"),
        ("create", "Write"),
        ("edit", "Edit"),
        ("run_command", "Bash"),  # Windsurf (event-derived names)
        ("read_code", "Read"),
        ("write_code", "Write"),
    ],
)
def test_other_agents_tools_get_the_kind_and_scope_of_their_claude_twin(tool: str, like: str) -> None:
    assert kind_of(tool) == kind_of(like)
    assert scope_of(tool) == scope_of(like)
