"""Map editor tool names to the kinds that rules target, and to gateway scopes."""

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
    "read": FILE_READ,
    "read_file": FILE_READ,
    "view": FILE_READ,
    "write": FILE_WRITE,
    "edit": FILE_WRITE,
    "multiedit": FILE_WRITE,
    "notebookedit": FILE_WRITE,
    "write_file": FILE_WRITE,
    "create": FILE_WRITE,
    "replace": FILE_WRITE,
    "delete": FILE_WRITE,
    "glob": SEARCH,
    "grep": SEARCH,
    "ls": SEARCH,
    "webfetch": WEB,
    "web_fetch": WEB,
    "websearch": WEB_SEARCH,
    "web_search": WEB_SEARCH,
    "task": SUBAGENT,
    "agent": SUBAGENT,
}

# Tools that only read (for skip_low_risk).
READ_ONLY = frozenset({FILE_READ, SEARCH, WEB_SEARCH})


def kind_of(tool: str) -> str:
    if tool.startswith("mcp__") or tool.startswith("MCP:"):
        return MCP
    return _KINDS.get(tool.lower(), UNKNOWN)


def scope_of(tool: str) -> str:
    """The gateway scope for ``prompt_context`` (DESIGN.md section 3)."""
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
