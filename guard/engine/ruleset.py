"""Load the active rule set on the hook path: the compiled cache, rebuilt when stale.

The embedded rules are the TOML files in ``guard/rules``; their compiled form
lives in the user cache dir, keyed on the Python build and on the files'
(name, size, mtime). A missing, stale or corrupt cache is rebuilt from the
files (once, ~30 ms); it never means "no rules".
"""

from __future__ import annotations

import _sre
import marshal
import sys

from guard import __version__
from guard.config import paths
from guard.runtime import sysio

CACHE_FORMAT = 2
RULES_DIR = sysio.join(sysio.dirname(sysio.dirname(__file__)), "rules")

# Positions in a compiled rule tuple.
ID, TITLE, CATEGORY, RISK, EVENTS, TOOLS, FIELDS, KEYWORDS, PATTERNS, UNLESS, ADVICE, SECRET, DEFUSE, VALIDATOR, TAGS = range(15)


class RuleSet:
    __slots__ = ("rules", "index", "version", "source", "_compiled", "notes")

    def __init__(self, payload: dict, notes: list[str]) -> None:
        self.rules: list[tuple] = payload["rules"]
        self.index: dict[str, tuple[int, ...]] = payload["index"]
        self.version: str = payload["version"]
        self.source: str = payload["source"]
        self._compiled: dict[int, tuple[list, list]] = {}
        self.notes = notes

    def candidates(self, event: str, kind: str) -> tuple[int, ...]:
        return self.index.get(f"{event}:{kind}", ())

    def patterns(self, i: int) -> tuple[list, list]:
        """The rule's compiled (patterns, unless) lists, built on first use."""
        got = self._compiled.get(i)
        if got is None:
            r = self.rules[i]
            got = ([_build(a) for a in r[PATTERNS]], [_build(a) for a in r[UNLESS]])
            self._compiled[i] = got
        return got


def _build(args: tuple) -> object:
    return _sre.compile(*args)


_COMPILER = sysio.join(sysio.dirname(__file__), "compiler.py")


def fingerprint(rules_dir: str = RULES_DIR) -> tuple:
    """What the compiled cache was built from: the rule files and the compiler itself."""
    names = sorted(n for n in sysio.listdir(rules_dir) if n.endswith(".toml"))
    files = tuple((n,) + (sysio.stat_key(sysio.join(rules_dir, n)) or (0, 0, 0))[:2] for n in names)
    return (__version__, (sysio.stat_key(_COMPILER) or (0, 0, 0))[:2], files)


def cache_path() -> str:
    tag = sys.implementation.cache_tag or "py"
    return sysio.join(paths.user_cache_dir(), f"rules-embedded-{tag}.marshal")


def load_embedded() -> RuleSet:
    """The embedded rules, from the compiled cache when it is current."""
    notes: list[str] = []
    fp = fingerprint()
    path = cache_path()
    try:
        payload = marshal.loads(sysio.read_bytes(path, limit=64 << 20))
        if isinstance(payload, dict) and payload.get("key") == cache_key(fp):
            return RuleSet(payload, notes)
    except FileNotFoundError:
        pass
    except (OSError, ValueError, EOFError, TypeError, KeyError, IndexError) as e:
        notes.append(f"rule cache {path} unreadable ({type(e).__name__}); rebuilt from embedded rules")
    return RuleSet(_rebuild(fp, path, notes), notes)


def cache_key(fp: tuple) -> tuple:
    """Compiled code arrays are only valid for the same CPython build and sre format."""
    return (CACHE_FORMAT, sys.hexversion, sys.implementation.cache_tag, _sre.MAGIC, _sre.CODESIZE, fp)


def _rebuild(fp: tuple, path: str, notes: list[str]) -> dict:
    from pathlib import Path

    from guard.engine.compiler import compile_sources

    files = sorted(p for p in Path(RULES_DIR).glob("*.toml") if not p.name.startswith("_"))
    data = compile_sources(files, fp, __version__, "embedded")
    try:
        sysio.write_atomic(path, data)
    except OSError as e:
        notes.append(f"cannot write rule cache {path}: {e.strerror or e}")
    return marshal.loads(data)
