"""Load the active rule set on the hook path: the compiled cache, rebuilt when stale.

The embedded rules are the TOML files in ``guard/rules``; their compiled form
lives in the user cache dir, keyed on the Python build and on the files'
(name, size, mtime). A missing, stale or corrupt cache is rebuilt from the
files (once, ~30 ms); it never means "no rules".

``load_active(cfg)`` is what the hook calls: an adopted, verified rule bundle
(``engine.bundle``) when the managed config names a bundle key, else the
embedded rules.
"""

from __future__ import annotations

import _sre
import marshal
import sys

from guard import __version__
from guard.config import paths
from guard.runtime import sysio

CACHE_FORMAT = 5  # 5: screen + lazily read rule tuples
RULES_DIR = sysio.join(sysio.dirname(sysio.dirname(__file__)), "rules")

# Positions in a compiled rule tuple.
ID, TITLE, CATEGORY, RISK, EVENTS, TOOLS, FIELDS, KEYWORDS, PATTERNS, UNLESS, ADVICE, SECRET, DEFUSE, VALIDATOR, TAGS = range(15)
N_FIELDS = TAGS + 1


class RuleSet:
    """The active rules: the keyword screen in memory; full rule tuples and pattern code read on demand.

    ``screen[i]`` is rule i's (FIELDS, KEYWORDS), all the prefilter needs;
    ``rules`` (the full tuples) is unmarshalled from the cache's data region on
    first access, which a call makes only when some rule's keywords occur.
    """

    __slots__ = ("_rules", "screen", "index", "version", "source", "bundle", "_compiled", "notes", "_blob", "_full", "_repaired", "rebuild")

    def __init__(self, meta: dict, notes: list[str], blob: object = None) -> None:
        self.screen: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = meta["screen"]
        self.index: dict[str, tuple[int, ...]] = meta["index"]
        self.version: str = meta["version"]
        self.source: str = meta["source"]
        # A bundle's identity (version, created, sha256, path), None for the embedded rules.
        self.bundle: dict | None = meta.get("bundle")
        self._full: tuple[int, int] = meta["full"]  # (offset, length) of the rule tuples in the data region
        self._rules: list[tuple] | None = None
        self._compiled: dict[int, tuple[list, list]] = {}
        self.notes = notes
        self._blob = blob  # callable(offset, length) -> bytes
        self._repaired = False
        # () -> fresh cache image, for a damaged data region; None: rebuild the embedded cache.
        self.rebuild: object = None

    @classmethod
    def from_bytes(cls, data: bytes, notes: list[str] | None = None) -> RuleSet:
        """A rule set from a whole cache image (see compiler.pack)."""
        n = int.from_bytes(data[:8], "little")
        meta = marshal.loads(data[8 : 8 + n])
        base = 8 + n
        return cls(meta, notes or [], lambda off, ln: data[base + off : base + off + ln])

    @property
    def rules(self) -> list[tuple]:
        """Every compiled rule tuple (fields: ``ID`` ...), unmarshalled on first access."""
        got = self._rules
        if got is None:
            got = self._repairing(self._load_rules)
        return got

    def candidates(self, event: str, kind: str) -> tuple[int, ...]:
        return self.index.get(f"{event}:{kind}", ())

    def patterns(self, i: int) -> tuple[list, list]:
        """The rule's compiled (patterns, unless) lists, built on first use."""
        got = self._compiled.get(i)
        if got is None:
            got = self._repairing(self._compile_rule, i)
            self._compiled[i] = got
        return got

    def _repairing(self, fn: object, *args: object) -> object:
        """``fn(*args)``; when the data region turns out damaged, repair the cache once and retry."""
        try:
            return fn(*args)  # type: ignore[operator]
        except (OSError, ValueError, EOFError, TypeError, IndexError) as e:
            if self._repaired or (self.rebuild is None and self.source != "embedded"):
                raise
            self._repair(e)
            return fn(*args)  # type: ignore[operator]

    def _load_rules(self) -> list[tuple]:
        off, ln = self._full
        rules = marshal.loads(self._blob(off, ln))  # type: ignore[operator]
        # Same-size garbage may still unmarshal: the tuples must agree with the screen.
        if not isinstance(rules, list) or len(rules) != len(self.screen):
            raise ValueError("rule data does not match the rule screen")
        for r, s in zip(rules, self.screen):
            if not isinstance(r, tuple) or len(r) != N_FIELDS or (r[FIELDS], r[KEYWORDS]) != s:
                raise ValueError("rule data does not match the rule screen")
        self._rules = rules
        return rules

    def _compile_rule(self, i: int) -> tuple[list, list]:
        r = self.rules[i]
        return ([self._build(ref) for ref in r[PATTERNS]], [self._build(ref) for ref in r[UNLESS]])

    def _build(self, ref: tuple[int, int]) -> object:
        pattern, flags, packed, groups, groupindex, indexgroup = marshal.loads(self._blob(*ref))  # type: ignore[misc]
        code = memoryview(packed).cast(_CODE_FORMAT).tolist()
        return _sre.compile(pattern, flags, code, groups, groupindex, indexgroup)

    def _repair(self, e: BaseException) -> None:
        """A damaged cache must never mean "no rules": rebuild it and continue with the fresh copy."""
        self._repaired = True
        if self.rebuild is not None:
            self.notes.append(f"{self.source} rule cache pattern data unreadable ({type(e).__name__}); rebuilt")
            data = self.rebuild()  # type: ignore[operator]
        else:
            self.notes.append(f"rule cache pattern data unreadable ({type(e).__name__}); rebuilt from embedded rules")
            data = _rebuild(fingerprint(), cache_path(), self.notes)
        fresh = RuleSet.from_bytes(data, self.notes)
        self.screen, self.index, self._full, self._blob = fresh.screen, fresh.index, fresh._full, fresh._blob
        self._rules = None
        self._compiled.clear()


_CODE_FORMAT = "I" if _sre.CODESIZE == 4 else "L"
_COMPILER = sysio.join(sysio.dirname(__file__), "compiler.py")


def fingerprint(rules_dir: str = RULES_DIR) -> tuple:
    """What the compiled cache was built from: the rule files and the compiler itself."""
    build = paths.frozen_build_id() if rules_dir == RULES_DIR else ""
    if build:
        return (__version__, "frozen", build)
    files = sysio.files_fingerprint(rules_dir, ".toml")
    return (__version__, (sysio.stat_key(_COMPILER) or (0, 0, 0))[:2], files)


def cache_path() -> str:
    return sysio.join(paths.user_cache_dir(), f"rules-embedded-{paths.cache_tag()}.marshal")


def load_embedded() -> RuleSet:
    """The embedded rules, from the compiled cache when it is current."""
    notes: list[str] = []
    fp = fingerprint()
    path = cache_path()
    try:
        rs = _open_cache(path, fp)
        if rs is not None:
            return rs
    except FileNotFoundError:
        pass
    except (OSError, ValueError, EOFError, TypeError, KeyError, IndexError) as e:
        notes.append(f"rule cache {path} unreadable ({type(e).__name__}); rebuilt from embedded rules")
    return RuleSet.from_bytes(_rebuild(fp, path, notes), notes)


def load_active(cfg: object, refresh: bool = False) -> RuleSet:
    """The rules in force: the adopted rule bundle when one is configured and intact, else the embedded ones.

    ``refresh`` (hook mode) may start a detached ``rules update`` when the
    bundle is due; it never waits for it.
    """
    if not getattr(cfg, "rules_public_key", ""):
        return load_embedded()  # no bundle key: nothing else to look at, nothing else to import
    from guard.engine import bundle

    return bundle.load(cfg, refresh)


def _open_cache(path: str, fp: tuple) -> RuleSet | None:
    """Read the screen part of the cache; rule tuples and pattern blobs are read later with pread.

    None when the cache was built from something else (its key differs).
    """
    fd = sysio.open_read(path)
    head = sysio.read(fd, 1 << 15)
    n = int.from_bytes(head[:8], "little")
    if n <= 0 or n > 64 << 20:
        raise ValueError("bad cache header")
    meta_bytes = head[8 : 8 + n]
    while len(meta_bytes) < n:
        more = sysio.read(fd, n - len(meta_bytes))
        if not more:
            raise EOFError("truncated rule cache")
        meta_bytes += more
    meta = marshal.loads(meta_bytes)
    if not isinstance(meta, dict) or meta.get("key") != cache_key(fp):
        sysio.close(fd)
        return None
    if sysio.fsize(fd) != 8 + n + meta.get("blob_size", -1):
        sysio.close(fd)
        raise EOFError("rule cache is truncated")
    base = 8 + n
    return RuleSet(meta, [], lambda off, ln: sysio.pread(fd, ln, base + off))


def cache_key(fp: tuple) -> tuple:
    """Compiled code arrays are only valid for the same CPython build and sre format."""
    return (CACHE_FORMAT, sys.hexversion, sys.implementation.cache_tag, _sre.MAGIC, _sre.CODESIZE, fp)


def _rebuild(fp: tuple, path: str, notes: list[str]) -> bytes:
    from pathlib import Path

    from guard.engine.compiler import compile_sources

    files = sorted(p for p in Path(RULES_DIR).glob("*.toml") if not p.name.startswith("_"))
    data = compile_sources(files, fp, __version__, "embedded")
    try:
        sysio.write_atomic(path, data)
    except OSError as e:
        notes.append(f"cannot write rule cache {path}: {e.strerror or e}")
    return data
