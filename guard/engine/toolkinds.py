"""Map editor tool names to the kinds that rules target, and to gateway scopes.

Adapters keep each agent's own tool name (``run_shell_command``, ``apply_patch``,
``bash``...) so audit rows and the gateway see what really ran; this table is
where those names meet the kinds that rules read and the scopes of DESIGN §3.
"""

from __future__ import annotations

SHELL = "shell"
FILE_READ = "file_read"
FILE_WRITE = "file_write"
SEARCH = "search"
WEB = "web"
WEB_SEARCH = "web_search"
SUBAGENT = "subagent"
MCP = "mcp"
UNKNOWN = "unknown"

_KINDS = {
    "bash": SHELL,
    "powershell": SHELL,
    "shell": SHELL,
    "run_shell_command": SHELL,
    "execute": SHELL,
    # Codex CLI (shell-like tools are reported as Bash; older names kept for safety)
    "local_shell": SHELL,
    "exec_command": SHELL,
    "unified_exec": SHELL,
    "container.exec": SHELL,
    # GitHub Copilot CLI: write_bash types input into a running shell session
    "write_bash": SHELL,
    # Windsurf (Cascade) has no tool names; its adapter names calls after the hook event
    "run_command": SHELL,
    "read": FILE_READ,
    "read_file": FILE_READ,
    "view": FILE_READ,
    "read_many_files": FILE_READ,
    "read_code": FILE_READ,
    "write": FILE_WRITE,
    "edit": FILE_WRITE,
    "multiedit": FILE_WRITE,
    "notebookedit": FILE_WRITE,
    "write_file": FILE_WRITE,
    "create": FILE_WRITE,
    "replace": FILE_WRITE,
    "delete": FILE_WRITE,
    "apply_patch": FILE_WRITE,
    "write_code": FILE_WRITE,
    "glob": SEARCH,
    "grep": SEARCH,
    "ls": SEARCH,
    "list_directory": SEARCH,
    "search_file_content": SEARCH,
    "grep_search": SEARCH,
    "webfetch": WEB,
    "web_fetch": WEB,
    "websearch": WEB_SEARCH,
    "web_search": WEB_SEARCH,
    "google_web_search": WEB_SEARCH,
    "task": SUBAGENT,
    "agent": SUBAGENT,
}

# Tools that only read (for skip_low_risk).
READ_ONLY = frozenset({FILE_READ, SEARCH, WEB_SEARCH})


def kind_of(tool: str) -> str:
    if tool.startswith("mcp__") or tool.startswith("MCP:"):
        return MCP
    return _KINDS.get(tool.lower(), UNKNOWN)


# Other agents' names for Claude Code's tools: the gateway scope is the one of
# the Claude tool they stand for (DESIGN.md section 3 is written in Claude's names).
_SCOPE_ALIASES = {
    # Codex CLI
    "apply_patch": "Edit",
    "local_shell": "Bash",
    "exec_command": "Bash",
    "unified_exec": "Bash",
    "container.exec": "Bash",
    # Gemini CLI
    "run_shell_command": "Bash",
    "write_file": "Write",
    "replace": "Edit",
    "read_file": "Read",
    "read_many_files": "Read",
    "glob": "Glob",
    "search_file_content": "Grep",
    "grep_search": "Grep",
    "list_directory": "Glob",
    "web_fetch": "WebFetch",
    "google_web_search": "WebSearch",
    # GitHub Copilot CLI
    "bash": "Bash",
    "powershell": "Bash",
    "write_bash": "Bash",
    "view": "Read",
    "edit": "Edit",
    "create": "Write",
    "grep": "Grep",
    # Cursor (preToolUse names) and Windsurf (event-derived names)
    "Shell": "Bash",
    "run_command": "Bash",
    "read_code": "Read",
    "write_code": "Write",
}


def scope_of(tool: str) -> str:
    """The gateway scope for ``prompt_context`` (DESIGN.md section 3).

    Claude Code's names map as the design says; other agents' names map
    through the Claude tool they stand for, so one gateway policy covers all.
    """
    tool = _SCOPE_ALIASES.get(tool, tool)
    if tool.startswith("mcp__"):
        server = tool[5:].split("__", 1)[0]
        if server == "github":
            return "scm:git:api"
        if server == "slack":
            return "comms:slack:send"
        return "agent:mcp:tool"
    return {
        "Bash": "exec:shell:run",
        "Write": "fs:write:file",
        "Edit": "fs:write:file",
        "MultiEdit": "fs:write:file",
        "Read": "fs:read:file",
        "Glob": "fs:read:search",
        "Grep": "fs:read:search",
        "NotebookEdit": "exec:eval:notebook",
        "WebFetch": "net:http:outbound",
        "WebSearch": "net:http:outbound",
        "Agent": "agent:subagent:spawn",
        "Task": "agent:subagent:spawn",
    }.get(tool, "unknown")
