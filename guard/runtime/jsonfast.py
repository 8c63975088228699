"""JSON on the hook path through CPython's C scanner and encoder helpers.

``import json`` pulls in ``re`` and costs about as much as the interpreter
start. The ``_json`` extension is builtin and gives the same parser.
"""

from __future__ import annotations

import _json

_WS = " \t\n\r"


class _Ctx:
    """The attributes ``_json.make_scanner`` reads from a ``JSONDecoder``."""

    strict = False
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    memo: dict = {}

    @staticmethod
    def parse_constant(name: str) -> float:
        return float(name.replace("Infinity", "inf"))


_scan = _json.make_scanner(_Ctx())


class JSONError(ValueError):
    """Input that is not exactly one JSON value."""


def loads(text: str) -> object:
    """Parse one JSON value; trailing whitespace is allowed, trailing data is not."""
    n = len(text)
    i = 0
    while i < n and text[i] in _WS:
        i += 1
    if i == n:
        raise JSONError("empty input")
    try:
        value, end = _scan(text, i)
    except StopIteration as e:
        raise JSONError(f"invalid JSON at offset {e.value}") from None
    except RecursionError:
        raise JSONError("JSON nested too deeply") from None
    except (ValueError, SystemError):
        # _json reports most syntax errors through json.decoder, which the hook
        # path never imports; without it the scanner raises SystemError.
        raise JSONError("invalid JSON") from None
    finally:
        _Ctx.memo.clear()
    while end < n and text[end] in _WS:
        end += 1
    if end != n:
        raise JSONError(f"extra data after JSON value at offset {end}")
    return value


_enc = _json.encode_basestring_ascii


def dumps(obj: object) -> str:
    """Compact, ASCII-only JSON for dicts, lists, strings, numbers, bools and None."""
    out: list[str] = []
    _dump(obj, out, 0)
    return "".join(out)


def _dump(obj: object, out: list[str], depth: int) -> None:
    if depth > 200:
        raise JSONError("structure too deep to encode")
    if isinstance(obj, str):
        out.append(_enc(obj))
    elif obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif isinstance(obj, int):
        out.append(int.__repr__(obj))
    elif isinstance(obj, float):
        if obj != obj or obj in (float("inf"), float("-inf")):
            out.append("null")
        else:
            out.append(float.__repr__(obj))
    elif isinstance(obj, dict):
        out.append("{")
        first = True
        for k, v in obj.items():
            if not first:
                out.append(",")
            first = False
            out.append(_enc(str(k)))
            out.append(":")
            _dump(v, out, depth + 1)
        out.append("}")
    elif isinstance(obj, (list, tuple)):
        out.append("[")
        for i, v in enumerate(obj):
            if i:
                out.append(",")
            _dump(v, out, depth + 1)
        out.append("]")
    else:
        out.append(_enc(str(obj)))


def string_literals(text: str, limit: int = 10000) -> list[str]:
    """Every JSON string literal in ``text``, even when the document as a whole is broken.

    Used to inspect unparseable payloads: the command inside a truncated or
    over-nested JSON document is still a command.
    """
    out: list[str] = []
    i = text.find('"')
    n = len(text)
    while 0 <= i < n and len(out) < limit:
        try:
            s, end = _json.scanstring(text, i + 1, False)
        except (ValueError, SystemError):  # unterminated: _json can fail oddly at end of input
            break
        out.append(s)
        i = text.find('"', end)
    return out
