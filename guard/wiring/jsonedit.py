"""Format-preserving edits of a JSON document: every byte we do not touch stays as it was.

Editors' settings files are hand-edited and diffed by their owners, so install and
uninstall must not reformat them. This module parses the text once more into spans
(offsets of every value, member and item), and edits by splicing text:

- ``append`` adds a child after the last one, copying the separator and indentation
  the previous child used (or opening an empty container onto its own lines);
- ``remove`` deletes a child together with the comma and whitespace in front of it,
  which is the exact inverse of ``append``, so append-then-remove is byte-identical.

Validity is checked with the ``json`` module first, so the span parser only ever sees
valid JSON and its errors stay clear.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

_WS = " \t\r\n"


class JsonEditError(ValueError):
    """The text is not a JSON document we can edit (not JSON, or not an object at the top)."""


@dataclass
class Node:
    """One JSON value: its span ``[start, end)``, and its children when it is a container."""

    kind: str  # object | array | scalar
    start: int
    end: int
    keys: list[str] = field(default_factory=list)  # objects: member keys, in order
    key_ends: list[int] = field(default_factory=list)  # objects: where each key's string ends
    spans: list[tuple[int, int]] = field(default_factory=list)  # member (key..value end) or item spans
    values: list[Node] = field(default_factory=list)  # child values, in order

    def get(self, key: str) -> Node | None:
        """The value of the last member named ``key`` (the one ``json`` keeps)."""
        for i in range(len(self.keys) - 1, -1, -1):
            if self.keys[i] == key:
                return self.values[i]
        return None

    def index(self, key: str) -> int:
        for i in range(len(self.keys) - 1, -1, -1):
            if self.keys[i] == key:
                return i
        return -1


class _Parser:
    def __init__(self, text: str) -> None:
        self.t = text
        self.i = 0

    def ws(self) -> None:
        t, i = self.t, self.i
        while i < len(t) and t[i] in _WS:
            i += 1
        self.i = i

    def value(self) -> Node:
        self.ws()
        c = self.t[self.i]
        if c == "{":
            return self.obj()
        if c == "[":
            return self.arr()
        start = self.i
        if c == '"':
            self.string()
        else:
            while self.i < len(self.t) and self.t[self.i] not in _WS + ",]}":
                self.i += 1
        return Node("scalar", start, self.i)

    def string(self) -> str:
        start = self.i
        i = start + 1
        t = self.t
        while t[i] != '"':
            i += 2 if t[i] == "\\" else 1
        self.i = i + 1
        return json.loads(t[start : self.i])

    def obj(self) -> Node:
        node = Node("object", self.i, 0)
        self.i += 1
        self.ws()
        if self.t[self.i] == "}":
            self.i += 1
            node.end = self.i
            return node
        while True:
            self.ws()
            kstart = self.i
            node.keys.append(self.string())
            node.key_ends.append(self.i)
            self.ws()
            self.i += 1  # ':'
            v = self.value()
            node.values.append(v)
            node.spans.append((kstart, v.end))
            self.ws()
            c = self.t[self.i]
            self.i += 1
            if c == "}":
                node.end = self.i
                return node

    def arr(self) -> Node:
        node = Node("array", self.i, 0)
        self.i += 1
        self.ws()
        if self.t[self.i] == "]":
            self.i += 1
            node.end = self.i
            return node
        while True:
            v = self.value()
            node.values.append(v)
            node.spans.append((v.start, v.end))
            self.ws()
            c = self.t[self.i]
            self.i += 1
            if c == "]":
                node.end = self.i
                return node


def blank_comments(text: str) -> str:
    """``text`` with // and /* */ comments outside strings replaced by spaces (offsets kept)."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                if out[k] != "\r":
                    out[k] = " "
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] not in "\r\n":
                    out[k] = " "
            i = j
        else:
            i += 1
    return "".join(out)


def load(text: str, jsonc: bool = False) -> tuple[object, Node]:
    """(the parsed data, the span tree). Raises JsonEditError for invalid JSON or a non-object.

    ``jsonc``: the editor strips comments before parsing (Gemini CLI), so they are
    allowed here too; they are kept in the text like any other byte.
    """
    if jsonc:
        text = blank_comments(text)
    body = text.removeprefix("\ufeff")
    try:
        data = json.loads(body)
    except ValueError as e:
        raise JsonEditError(f"not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise JsonEditError(f"the top level is a JSON {type(data).__name__}, expected an object")
    p = _Parser(text)
    if text.startswith("\ufeff"):
        p.i = 1
    return data, p.value()


# --- layout ---------------------------------------------------------------------


def indent_unit(text: str) -> str:
    """The document's indentation step (the smallest indentation of any line), default 2 spaces."""
    best = None
    for line in text.splitlines():
        stripped = line.lstrip(" \t")
        if stripped and len(stripped) < len(line):
            lead = line[: len(line) - len(stripped)]
            if best is None or len(lead) < len(best):
                best = lead
    return best or "  "


def _line_indent(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    j = start
    while j < pos and text[j] in " \t":
        j += 1
    return text[start:j]


def _key_sep(text: str, node: Node) -> str:
    """What separates key and value in this object (or the document's first object): ': ' by default."""
    for i, key_end in enumerate(node.key_ends):
        sep = text[key_end : node.values[i].start]
        if ":" in sep and len(sep) <= 3:
            return sep
    return ": "


def _dump(value: object, indent: str | None, base: str, nl: str = "\n") -> str:
    if indent is None:
        return json.dumps(value, ensure_ascii=False)
    s = json.dumps(value, indent=indent, ensure_ascii=False)
    return s.replace("\n", nl + base)


def _child_text(text: str, node: Node, key: str | None, value: object, child_indent: str | None) -> str:
    unit = indent_unit(text) if child_indent is not None else None
    body = _dump(value, unit, child_indent or "", "\r\n" if "\r\n" in text else "\n")
    if key is None:
        return body
    return json.dumps(key, ensure_ascii=False) + _key_sep(text, node) + body


def append(text: str, node: Node, value: object, key: str | None = None) -> str:
    """Add ``value`` (as member ``key`` of an object, or an item of an array) after the last child."""
    if node.kind == "object" and key is None:
        raise ValueError("an object member needs a key")
    if node.spans:
        last_start, last_end = node.spans[-1]
        prev = node.spans[-2][1] if len(node.spans) > 1 else node.start + 1
        between = text[prev:last_start]
        ws = between[between.rfind(",") + 1 :] if "," in between else between
        child_indent = ws[ws.rfind("\n") + 1 :] if "\n" in ws else None
        if child_indent is not None:  # one line break, not the blank lines or comments above the last child
            ws = ("\r\n" if "\r\n" in ws else "\n") + child_indent
            if child_indent.strip(" \t"):  # a comment shares the line: fall back to the line's indentation
                child_indent = _line_indent(text, last_start)
                ws = ws[: ws.rfind("\n") + 1] + child_indent
        return text[:last_end] + "," + ws + _child_text(text, node, key, value, child_indent) + text[last_end:]
    open_, close = node.start + 1, node.end - 1
    if "\n" in text.strip(_WS):
        nl = "\r\n" if "\r\n" in text else "\n"
        own = _line_indent(text, node.start)
        child_indent = own + indent_unit(text)
        inner = nl + child_indent + _child_text(text, node, key, value, child_indent) + nl + own
    else:
        inner = _child_text(text, node, key, value, None)
    return text[:open_] + inner + text[close:]


def remove(text: str, node: Node, index: int) -> str:
    """Delete child ``index`` with the separator in front of it (the inverse of ``append``)."""
    spans = node.spans
    if len(spans) == 1:
        return text[: node.start + 1] + text[node.end - 1 :]
    if index > 0:
        return text[: spans[index - 1][1]] + text[spans[index][1] :]
    return text[: spans[0][0]] + text[spans[1][0] :]


def new_document(value: dict, indent: str = "  ") -> str:
    """A fresh file's text: ``value`` indented, with a trailing newline."""
    return json.dumps(value, indent=indent, ensure_ascii=False) + "\n"
