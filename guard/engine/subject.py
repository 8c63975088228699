"""Turn a ToolCall into the named text fields that rules read.

Each field holds (text, leaf) pairs; ``leaf`` is the path of that string
inside the tool output, so post-event redactions can be written back in the
tool's own response shape. Walks are bounded in depth, count and size.
"""

from __future__ import annotations

from guard.engine import toolkinds as K
from guard.engine.pathnorm import collapse, tilde
from guard.runtime import sysio
from guard.toolcall import POST, PRE, PROMPT, ToolCall

MAX_TEXT = 2 << 20  # characters of one string that rules read
MAX_LEAVES = 5000

TEXT_FIELDS = ("command", "path", "content", "pattern", "url", "query", "prompt", "args", "sql", "code", "tool")

# Fields whose text may carry HTML character references worth decoding (not tool
# output: its redaction spans must refer to the original text).
_ENTITY_FIELDS = frozenset({"url", "args", "query", "sql", "prompt", "pattern"})

_KEYED = {
    "command": "command",
    "cmd": "command",
    "script": "command",
    "shell": "command",
    "path": "path",
    "file": "path",
    "file_path": "path",
    "filepath": "path",
    "filename": "path",
    "notebook_path": "path",
    "url": "url",
    "uri": "url",
    "sql": "sql",
    "query": "sql",
    "statement": "sql",
}


class Subject:
    __slots__ = ("event", "kind", "fields", "truncated", "notes")

    def __init__(self, event: str, kind: str) -> None:
        self.event = event
        self.kind = kind
        self.fields: dict[str, list[tuple[str, tuple]]] = {}
        self.truncated = False
        self.notes: list[str] = []

    def add(self, field: str, text: object, leaf: tuple = ()) -> None:
        if not isinstance(text, str) or not text:
            return
        if len(text) > MAX_TEXT:
            text = text[:MAX_TEXT]
            self.truncated = True
        entries = self.fields.setdefault(field, [])
        entries.append((text, leaf))
        if field in _ENTITY_FIELDS and "&" in text and ";" in text:
            # Markup hidden behind character references (&#x3c;script&#x3e;) reads as markup too.
            from guard.engine.entities import unescape

            decoded = unescape(text, keep="<>")
            if decoded != text:
                entries.append((decoded, leaf))


def _walk(obj: object, prefix: tuple = ()):
    """Every scalar inside ``obj`` (and every empty object) with its key path.

    Iterative and bounded by count, not depth: a command buried 500 levels
    deep in an MCP argument is still a command.
    """
    stack: list[tuple[tuple, object]] = [(prefix, obj)]
    n = 0
    while stack and n < 2 * MAX_LEAVES:
        path, node = stack.pop()
        if isinstance(node, dict):
            if not node and path:
                yield path, node  # an empty filter matches everything
                n += 1
            stack.extend((path + (k,), v) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend((path + (i,), v) for i, v in reversed(list(enumerate(node))))
        else:
            yield path, node
            n += 1


def leaves(obj: object, prefix: tuple = ()) -> list[tuple[tuple, str]]:
    """Every string inside ``obj`` with its key path (bounded)."""
    return [(path, v) for path, v in _walk(obj, prefix) if isinstance(v, str)][:MAX_LEAVES]


def scalars(obj: object) -> list[tuple[tuple, str]]:
    """Every boolean, number, null and empty object inside ``obj`` as JSON text, with its key path."""
    out: list[tuple[tuple, str]] = []
    for path, v in _walk(obj):
        if isinstance(v, str):
            continue
        if v is True or v is False or v is None:
            out.append((path, "true" if v is True else "false" if v is False else "null"))
        elif isinstance(v, (int, float)):
            out.append((path, repr(v)))
        elif isinstance(v, dict):
            out.append((path, "{}"))
    return out[:MAX_LEAVES]


def tool_line(tool: str, params: dict) -> str:
    """``mcp__github__update_ref owner=acme ref=heads/main``: the call at a glance, for tool rules."""
    parts = [tool]
    for k, v in list(params.items())[:32]:
        if isinstance(v, str):
            if len(v) <= 120 and "\n" not in v:
                parts.append(f"{k}={v}")
        elif v is True or v is False or v is None:
            parts.append(f"{k}={'true' if v is True else 'false' if v is False else 'null'}")
        elif isinstance(v, (int, float)):
            parts.append(f"{k}={v!r}")
        elif isinstance(v, (dict, list)) and not v:
            parts.append(f"{k}={'{}' if isinstance(v, dict) else '[]'}")
    return " ".join(parts)


def expand_path(path: str, cwd: str) -> str:
    """~, $HOME and ${HOME} expanded, relative paths joined to cwd, '.' and '..' resolved."""
    p = path.strip()
    if "\\" in p or (len(p) > 2 and p[1] == ":" and p[0].isalpha() and p[2] in "\\/"):
        # A Windows path (C:\Users\dev\.aws\credentials, ..\..\Windows): read it with
        # forward slashes so the same rules apply, the drive letter kept as the root.
        p = p.replace("\\", "/")
        if len(p) > 1 and p[1] == ":" and p[0].isalpha():
            return "/" + p[0].lower() + ":" + collapse(p[2:])
    home = sysio.home()
    if p == "~" or p.startswith("~/"):
        p = home + p[1:]
    elif p.startswith("$HOME") and (len(p) == 5 or p[5] == "/"):
        p = home + p[5:]
    elif p.startswith("${HOME}"):
        p = home + p[7:]
    if not p.startswith("/") and not (sysio.WINDOWS and len(p) > 1 and p[1] == ":"):
        p = (cwd or "/").rstrip("/") + "/" + p
    return collapse(p)


def _s(v: object) -> str:
    return v if isinstance(v, str) else ""


def _strs(v: object) -> list[str]:
    """The strings of a list argument (bounded); anything else gives none."""
    return [x for x in v[:MAX_LEAVES] if isinstance(x, str) and x] if isinstance(v, list) else []


def build(call: ToolCall) -> Subject:
    subj = Subject(call.event, call.kind)
    if call.event == PROMPT:
        subj.add("prompt", call.prompt)
        return subj
    if call.event == POST:
        for leaf, text in leaves(call.output):
            subj.add("output", text, leaf)
        return subj
    if call.event != PRE:
        return subj

    p = call.params
    kind = call.kind
    if kind == K.SHELL:
        add_shell(subj, _s(p.get("command")), call.cwd)
    elif kind == K.FILE_READ:
        _add_path(subj, _s(p.get("file_path") or p.get("path")), call.cwd)
    elif kind == K.FILE_WRITE:
        main = _s(p.get("file_path") or p.get("notebook_path") or p.get("path"))
        _add_path(subj, main, call.cwd)
        # One call that writes several files (a Codex apply_patch): every path is read.
        for other in _strs(p.get("files")):
            if other != main:
                _add_path(subj, other, call.cwd)
        for key in ("content", "new_string", "new_source"):
            subj.add("content", _s(p.get(key)))
        # What an edit takes out ("removed"): only rules that name the field read it
        # (taking the guard's own hook entry out of an agent's settings, for one).
        subj.add("removed", _s(p.get("old_string")))
        edits = p.get("edits")
        if isinstance(edits, list):
            for e in edits[:MAX_LEAVES]:
                if isinstance(e, dict):
                    subj.add("content", _s(e.get("new_string")))
                    subj.add("removed", _s(e.get("old_string")))
    elif kind == K.SEARCH:
        subj.add("pattern", _s(p.get("pattern")))
        subj.add("pattern", _s(p.get("glob")))
        if p.get("path"):
            _add_path(subj, _s(p.get("path")), call.cwd)
    elif kind == K.WEB:
        add_url(subj, _s(p.get("url")))
        # One call that fetches several URLs (Gemini's web_fetch takes them inside a prompt).
        for other in _strs(p.get("urls")):
            if other != p.get("url"):
                add_url(subj, other)
        subj.add("prompt", _s(p.get("prompt")))
    elif kind == K.WEB_SEARCH:
        subj.add("query", _s(p.get("query")))
    elif kind == K.SUBAGENT:
        subj.add("prompt", _s(p.get("prompt")))
    elif kind == K.MCP:
        # The tool name says what an MCP call does (mcp__github__delete_repository);
        # booleans and numbers matter too (force: true), read as key=value.
        subj.add("tool", tool_line(call.tool, p))
        for leaf, value in scalars(p):
            subj.add("args", f"{leaf[-1] if leaf else 'value'}={value}", leaf)
        for leaf, text in leaves(p):
            subj.add("args", text, leaf)
            key = leaf[-1] if leaf and isinstance(leaf[-1], str) else ""
            named = _KEYED.get(key.lower())
            if named == "path":
                _add_path(subj, text, call.cwd)
            elif named == "command":
                add_shell(subj, text, call.cwd)
            elif named == "url":
                add_url(subj, text, leaf)
            elif named:
                subj.add(named, text, leaf)
    else:
        subj.add("tool", call.tool)
        # Unknown tool: every string is read as every kind of text, so that a
        # renamed or new tool cannot carry a dangerous command past the rules.
        for leaf, text in leaves(p):
            for f in TEXT_FIELDS:
                if f == "command":
                    add_shell(subj, text, call.cwd)
                else:
                    subj.add(f, text, leaf)
    return subj


def add_url(subj: Subject, url: str, leaf: tuple = ()) -> None:
    """The URL as given, plus its canonical forms (host spellings and %-encoding undone)."""
    url = url.strip()
    subj.add("url", url, leaf)
    if "://" in url:
        from guard.engine.urlnorm import canonical

        for form in canonical(url):
            if form != url:
                subj.add("url", form, leaf)


def add_shell(subj: Subject, command: str, cwd: str) -> None:
    """A shell command as the rules read it: canonical pipelines, nested code, SQL.

    The raw text is read too only when the command could not be fully parsed
    (unbalanced quotes, longer than the structural limit), so that data inside
    quotes does not look like a command.
    """
    if not command:
        return
    subj.add("raw", command)  # only rules that name the "raw" field read it
    from guard.engine.shell.plain import plain_words

    words = plain_words(command)
    if words is not None:
        subj.add("command", " ".join(words))
        return
    from guard.engine.shell.normalise import MAX_INPUT, normalise

    norm = normalise(command, cwd, sysio.home())
    for t in norm.texts:
        subj.add("command", t)
    for t in norm.code:
        subj.add("code", t)
    for t in norm.sql:
        subj.add("sql", t)
    if norm.errors or len(command) > MAX_INPUT or not norm.texts:
        subj.add("command", command)


def _add_path(subj: Subject, raw: str, cwd: str) -> None:
    """The absolute path, and the same path with the home directory written as ~ (as shell texts are)."""
    if not raw:
        return
    full = expand_path(raw, cwd)
    subj.add("path", full)
    if ".." in raw:
        subj.add("path", raw)  # the climb itself is a signal (../../../etc/passwd)
    short = tilde(full, sysio.home())
    if short != full:
        subj.add("path", short)
