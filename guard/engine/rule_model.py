"""The rule file format (TOML under guard/rules/), as msgspec Structs.

Used when rules are compiled, listed or tested; never on the hook path,
which reads the compiled marshal cache (see ``ruleset``).
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

import msgspec

Category = Literal[
    "destructive-shell",
    "destructive-git",
    "destructive-sql",
    "credential-access",
    "data-exfiltration",
    "remote-code",
    "persistence",
    "ssrf",
    "injection",
    "xss-traversal",
    "prompt-injection",
    "secrets",
    "pii",
    "self-protection",
]
Event = Literal["pre", "post", "prompt"]
Kind = Literal["shell", "file_read", "file_write", "search", "web", "web_search", "subagent", "mcp", "unknown", "any"]
Field = Literal["command", "path", "content", "pattern", "url", "query", "prompt", "args", "sql", "code", "raw", "tool", "output", "removed"]

Risk = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]


class CallExample(msgspec.Struct, forbid_unknown_fields=True):
    """A whole hook call, for examples a plain string cannot express."""

    tool: str
    input: dict = {}
    event: Literal["PreToolUse", "PostToolUse", "PostToolUseFailure", "UserPromptSubmit"] = "PreToolUse"
    response: Union[dict, str, None] = None
    prompt: str = ""
    cwd: str = "/home/dev/project"


Example = Union[str, CallExample]


class Rule(msgspec.Struct, forbid_unknown_fields=True):
    """One detection: what it reads, what it looks for, and proof that it works."""

    id: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(?:[.-][a-z0-9]+)+$")]
    title: NonEmpty
    category: Category
    risk: Risk
    keywords: Annotated[list[NonEmpty], msgspec.Meta(min_length=1)]
    patterns: Annotated[list[NonEmpty], msgspec.Meta(min_length=1)]
    match: Annotated[list[Example], msgspec.Meta(min_length=2)]
    no_match: Annotated[list[Example], msgspec.Meta(min_length=2)]
    events: list[Event] = msgspec.field(default_factory=lambda: ["pre"])
    tools: list[Kind] = msgspec.field(default_factory=lambda: ["shell"])
    fields: list[Field] = msgspec.field(default_factory=lambda: ["command"])
    unless: list[NonEmpty] = []
    advice: str = ""
    secret: bool = False
    defuse: bool = False
    # A checksum the matched text must pass (engine.validators), so look-alike
    # numbers do not fire: luhn, verhoeff, iban, ssn, pan, nric ...
    validator: str = ""
    # Behaviour tags recorded per session (engine.session), e.g. "sensitive-read".
    # A rule with risk 0 only tags: it never shows as a hit by itself.
    tags: list[str] = msgspec.field(default_factory=list)
    description: str = ""


class RuleFile(msgspec.Struct, forbid_unknown_fields=True):
    rules: list[Rule]
    about: str = ""


def decode_file(raw: bytes) -> RuleFile:
    """Parse and validate one TOML rule file."""
    return msgspec.toml.decode(raw, type=RuleFile)
