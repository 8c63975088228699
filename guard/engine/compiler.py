"""Compile the TOML rule files into the marshal cache the hook path loads.

Compiling ~200 regexes costs tens of milliseconds with ``re``; the hook does
it never. Here each pattern goes through ``re`` once, and the arguments that
``re`` hands to ``_sre.compile`` (the engine's code array) are recorded, so
the hook can rebuild any pattern with one C call and without importing ``re``.
The cache is keyed on the Python build and ``_sre.MAGIC``.
"""

from __future__ import annotations

import _sre
import marshal
from pathlib import Path


def _site() -> None:
    """The hook runs as ``python -I -S``; compiling rules needs msgspec from site-packages."""
    from guard.runtime import sitedeps

    sitedeps.load("msgspec")


_site()

from guard.engine.rule_model import Rule, decode_file  # noqa: E402
from guard.engine.ruleset import RuleSet, cache_key  # noqa: E402


class _Recorder:
    """Stands in for ``_sre`` inside ``re._compiler`` to capture compile() arguments."""

    def __init__(self) -> None:
        self.last: tuple | None = None

    def __getattr__(self, name: str) -> object:
        return getattr(_sre, name)

    def compile(self, *args: object) -> object:
        self.last = args
        return _sre.compile(*args)


def sre_args(pattern: str) -> tuple:
    """The ``_sre.compile`` arguments for ``pattern`` (raises re.error if invalid)."""
    import re._compiler as rc

    rec = _Recorder()
    real = rc._sre
    rc._sre = rec  # type: ignore[assignment]
    try:
        rc.compile(pattern, 0)
    finally:
        rc._sre = real
    assert rec.last is not None
    pat, flags, code, groups, groupindex, indexgroup = rec.last
    # marshal keeps lists, dicts and tuples; groupindex may be a mappingproxy.
    # Code words packed as native unsigned ints: marshal then loads one bytes
    # object (a memcpy) instead of thousands of int objects; the hook unpacks
    # only the rules whose keywords occur (ruleset._build).
    import array

    packed = array.array("I" if _sre.CODESIZE == 4 else "L", [int(c) for c in code]).tobytes()
    return (pat, int(flags), packed, int(groups), dict(groupindex), tuple(indexgroup))


class RuleError(ValueError):
    """A rule file that cannot be used, with the file and rule named."""


MACRO_FILE = "_macros.toml"


def load_macros(rules_dir: Path) -> dict[str, str]:
    """Named regex fragments (``{{name}}`` in patterns), e.g. what "command position" means."""
    path = rules_dir / MACRO_FILE
    if not path.exists():
        return {}
    return parse_macros(path.read_bytes())


def parse_macros(data: bytes) -> dict[str, str]:
    """The ``[macros]`` table of a macro file's bytes (rule bundles carry it as text)."""
    import tomllib

    try:
        table = tomllib.loads(data.decode("utf-8")).get("macros", {})
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise RuleError(f"{MACRO_FILE}: {e}") from None
    if not isinstance(table, dict):
        raise RuleError(f"{MACRO_FILE}: [macros] must be a table")
    return {str(k): str(v) for k, v in table.items()}


def expand(pattern: str, macros: dict[str, str]) -> str:
    out = pattern
    for _ in range(4):  # macros may use macros, a few levels deep
        if "{{" not in out:
            break
        for name, frag in macros.items():
            out = out.replace("{{" + name + "}}", frag)
    if "{{" in out and "}}" in out:
        raise RuleError(f"unknown macro in pattern {pattern!r}")
    return out


def load_rule_files(paths: list[Path]) -> list[tuple[Path, Rule]]:
    by_name = {p.name: p for p in paths}
    return [(by_name[name], rule) for name, rule in load_rule_texts([(p.name, p.read_bytes()) for p in paths])]


def load_rule_texts(files: list[tuple[str, bytes]]) -> list[tuple[str, Rule]]:
    """(file name, Rule) for rule files given as bytes: embedded files or a bundle's."""
    import msgspec

    out: list[tuple[str, Rule]] = []
    seen: dict[str, str] = {}
    for name, data in files:
        try:
            rf = decode_file(data)
        except (msgspec.ValidationError, msgspec.DecodeError) as e:
            raise RuleError(f"{name}: {e}") from None
        for rule in rf.rules:
            if rule.id in seen:
                raise RuleError(f"{name}: rule id {rule.id!r} already defined in {seen[rule.id]}")
            seen[rule.id] = name
            out.append((name, rule))
    return out


def compile_rule(rule: Rule, macros: dict[str, str] | None = None) -> tuple:
    """One rule as a marshal-friendly tuple (field order: ``ruleset.ID`` ...)."""
    import re

    def comp(p: str) -> tuple:
        try:
            return sre_args(expand(p, macros or {}))
        except re.error as e:
            raise RuleError(f"rule {rule.id}: bad pattern {p!r}: {e}") from None

    return (
        rule.id,
        rule.title,
        rule.category,
        float(rule.risk),
        tuple(rule.events),
        tuple(rule.tools),
        tuple(rule.fields),
        tuple(k.lower() for k in rule.keywords),
        tuple(comp(p) for p in rule.patterns),
        tuple(comp(p) for p in rule.unless),
        rule.advice,
        rule.secret,
        rule.defuse,
        rule.validator,
        tuple(rule.tags),
    )


def build_index(compiled: list[tuple]) -> dict[str, tuple[int, ...]]:
    """'event:kind' -> rule positions, so a call only considers rules for its kind."""
    kinds = ("shell", "file_read", "file_write", "search", "web", "web_search", "subagent", "mcp", "unknown")
    index: dict[str, list[int]] = {}
    for i, r in enumerate(compiled):
        events, tools = r[4], r[5]
        for ev in events:
            targets = list(kinds if "any" in tools else tools)
            if ev == "pre":
                # Unknown and MCP tools are read by every rule: their strings are
                # mapped onto the rule fields (see engine.subject), so a new or
                # renamed tool cannot carry a dangerous command past the rules.
                targets += [k for k in ("unknown", "mcp") if k not in targets]
            for k in targets:
                index.setdefault(f"{ev}:{k}", []).append(i)
    return {k: tuple(v) for k, v in index.items()}


def pack(payload: dict) -> bytes:
    """Cache layout: 8-byte length, the marshalled screen, then the data region.

    The screen (key, version, source, bundle info, index, and per rule its
    FIELDS and KEYWORDS) is all an allowed call reads: the keyword prefilter.
    The data region holds one marshalled blob per pattern, then the full rule
    tuples (``screen["full"]`` = their (offset, length)); the hook preads and
    unmarshals those only when some rule's keywords occur.
    """
    from guard.engine.ruleset import FIELDS, KEYWORDS

    blobs = bytearray()

    def ref(args: tuple) -> tuple[int, int]:
        data = marshal.dumps(args)
        off = len(blobs)
        blobs.extend(data)
        return (off, len(data))

    rules = []
    for r in payload["rules"]:
        r = list(r)
        r[8] = tuple(ref(a) for a in r[8])
        r[9] = tuple(ref(a) for a in r[9])
        rules.append(tuple(r))
    full = marshal.dumps(rules)
    # Equal tuples and strings made one object: marshal then writes a back
    # reference instead of a copy, so the hook creates fewer objects.
    canon: dict = {}
    screen = tuple(_shared((r[FIELDS], r[KEYWORDS]), canon) for r in rules)
    index = {k: _shared(v, canon) for k, v in payload["index"].items()}
    head = {k: v for k, v in payload.items() if k not in ("rules", "index")}
    meta = marshal.dumps({**head, "index": index, "screen": screen, "full": (len(blobs), len(full)), "blob_size": len(blobs) + len(full)})
    return len(meta).to_bytes(8, "little") + meta + bytes(blobs) + full


def _shared(x: object, canon: dict) -> object:
    """One object per distinct value (tuples of strings and ints, recursively)."""
    if isinstance(x, tuple):
        x = tuple(_shared(y, canon) for y in x)
    return canon.setdefault(x, x)


def compile_sources(paths: list[Path], fingerprint: tuple, version: str, source: str) -> bytes:
    macros = load_macros(paths[0].parent) if paths else {}
    return compile_texts([(p.name, p.read_bytes()) for p in paths], macros, fingerprint, version, source)


def compile_texts(
    files: list[tuple[str, bytes]],
    macros: dict[str, str],
    fingerprint: tuple,
    version: str,
    source: str,
    extra: dict | None = None,
) -> bytes:
    """Rule files (name, bytes) -> a cache image; ``extra`` adds metadata (a bundle's identity)."""
    loaded = load_rule_texts(files)
    from guard.engine import validators

    for _p, r in loaded:
        if r.validator and r.validator not in validators.NAMES:
            raise RuleError(f"rule {r.id}: unknown validator {r.validator!r} (known: {', '.join(sorted(validators.NAMES))})")
    rules = [compile_rule(r, macros) for _p, r in loaded]
    payload = {
        "key": cache_key(fingerprint),
        "version": version,
        "source": source,
        "rules": rules,
        "index": build_index(rules),
        **(extra or {}),
    }
    return pack(payload)


def embedded_files() -> list[Path]:
    from guard.engine.ruleset import RULES_DIR

    return sorted(p for p in Path(RULES_DIR).glob("*.toml") if not p.name.startswith("_"))


def build_ruleset(paths: list[Path] | None = None, source: str = "test") -> RuleSet:
    """A RuleSet compiled in memory (tests, tools); the hook uses the on-disk cache."""
    return RuleSet.from_bytes(compile_sources(paths or embedded_files(), (), source, source))
