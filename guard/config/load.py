"""Load and merge guard.json on the hook path (no msgspec: its import costs ~4x a bare start).

Precedence: defaults < user file < managed file. Every field the managed file
sets wins. A managed file that exists but cannot be read or parsed is an
attack or an accident, and makes the guard fail closed with a reason naming it.
"""

from __future__ import annotations

from guard.config import fields as F
from guard.config import paths
from guard.runtime import jsonfast, sysio


MANAGED_ONLY = tuple(n for n, spec in F.FIELDS.items() if spec[2] == "managed")


class Config:
    """The effective configuration, plus where each value came from."""

    def __init__(self) -> None:
        for name, (_t, default, _c, _d) in F.FIELDS.items():
            setattr(self, name, type(default)(default) if isinstance(default, (list, dict)) else default)
        self.sources: dict[str, str] = {}
        self.managed_forced: list[str] = []
        self.managed_error: str | None = None
        self.user_error: str | None = None
        self.warnings: list[str] = []

    def __getattr__(self, name: str) -> object:  # pragma: no cover - typo guard
        raise AttributeError(f"no config field {name!r}")

    @property
    def thresholds(self) -> tuple[float, float]:
        return F.SENSITIVITY[self.sensitivity]  # type: ignore[index]


def _check_composite(name: str, value: object, spec: str) -> str | None:
    if spec == "list[str]":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"{name}: expected a list of strings"
        return None
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        return f"{name}: expected an object with string keys"
    for k, v in value.items():
        if spec == "dict[str,action]" and v not in F.ACTIONS:
            return f"{name}: {k!r} must be one of {', '.join(F.ACTIONS)}"
        if spec == "dict[str,list[str]]" and (not isinstance(v, list) or not all(isinstance(x, str) for x in v)):
            return f"{name}: {k!r} must map to a list of strings"
    return None


def check_value(name: str, value: object) -> str | None:
    """Why ``value`` is not valid for field ``name``, or None."""
    typ, _default, constraint, _doc = F.FIELDS[name]
    if typ in (list, dict):
        return _check_composite(name, value, constraint)  # type: ignore[arg-type]
    if typ is bool:
        ok = isinstance(value, bool)
    elif typ is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, typ)
    if not ok:
        return f"{name}: expected {typ.__name__}, got {type(value).__name__}"
    if isinstance(constraint, tuple) and typ is int:
        lo, hi = constraint
        if not lo <= value <= hi:  # type: ignore[operator]
            return f"{name}: {value} is outside {lo}..{hi}"
    elif isinstance(constraint, tuple):
        if value not in constraint:
            return f"{name}: {value!r} is not one of {', '.join(constraint)}"
    elif constraint == "url" and value:
        v = str(value)
        if not (v.startswith("https://") or v.startswith("http://")):
            return f"{name}: {v!r} is not an http(s) URL"
    return None


def parse_file(path: str) -> tuple[dict | None, list[str], str | None]:
    """(values, warnings, error) for one guard.json; values is None if absent."""
    try:
        raw = sysio.read_bytes(path, limit=1 << 20)
    except FileNotFoundError:
        return None, [], None
    except OSError as e:
        return None, [], f"{path}: cannot be read ({e.strerror or e})"
    try:
        text = raw.decode("utf-8-sig")
        data = jsonfast.loads(text)
    except (UnicodeDecodeError, ValueError) as e:
        return None, [], f"{path}: not valid JSON ({e})"
    if not isinstance(data, dict):
        return None, [], f"{path}: must hold a JSON object, not {type(data).__name__}"
    values: dict = {}
    warnings: list[str] = []
    for key, value in data.items():
        if key not in F.FIELDS:
            if not key.startswith("$") and not key.startswith("_"):
                warnings.append(f"{path}: unknown field {key!r} ignored")
            continue
        problem = check_value(key, value)
        if problem:
            return None, warnings, f"{path}: {problem}"
        values[key] = value
    return values, warnings, None


def load(user_path: str | None = None, managed_path: str | None = None) -> Config:
    """The effective config for this call (both files are re-read: they are tiny)."""
    cfg = Config()
    user_path = user_path or paths.user_config()
    managed_path = managed_path or paths.MANAGED_CONFIG

    user, warn, err = parse_file(user_path)
    cfg.warnings += warn
    if err:
        cfg.user_error = err
        cfg.warnings.append(f"{err}; using managed/default settings instead")
    elif user:
        for k, v in user.items():
            setattr(cfg, k, v)
            cfg.sources[k] = "user"

    managed, warn, err = parse_file(managed_path)
    cfg.warnings += warn
    if err:
        cfg.managed_error = err
        cfg.fail_open = False
    elif managed:
        if user and managed.get("forbid_loosening") is True:
            _drop_loosening(cfg, user, managed)
        for k, v in managed.items():
            setattr(cfg, k, v)
            cfg.sources[k] = "managed"
            cfg.managed_forced.append(k)
    if user:
        for name in MANAGED_ONLY:
            if name in user and cfg.sources.get(name) != "managed":
                setattr(cfg, name, F.FIELDS[name][1])  # only the managed file may set it
                cfg.sources.pop(name, None)
                cfg.warnings.append(f"{user_path}: {name} may only be set by the managed config; ignored")
    return cfg


def _drop_loosening(cfg: Config, user: dict, managed: dict) -> None:
    """Undo user settings that weaken protection, when the managed file forbids it."""
    defaults = {n: spec[1] for n, spec in F.FIELDS.items()}
    dropped = []
    for name in ("exclude_rule_ids", "project_allow"):
        if user.get(name):
            setattr(cfg, name, type(defaults[name])())
            cfg.sources.pop(name, None)
            dropped.append(name)
    if user.get("fail_open") is True:
        cfg.fail_open = False
        dropped.append("fail_open")
    if user.get("skip_low_risk") is True and "skip_low_risk" not in managed:
        cfg.skip_low_risk = False  # fewer calls reach the gateway
        dropped.append("skip_low_risk")
    if user.get("audit") is False and "audit" not in managed:
        cfg.audit = True
        dropped.append("audit")
    order = F.SENSITIVITY_ORDER
    base = managed.get("sensitivity", defaults["sensitivity"])
    if "sensitivity" in user and order.index(user["sensitivity"]) < order.index(base):
        cfg.sensitivity = base
        dropped.append("sensitivity")
    weak = {k: v for k, v in user.get("rule_actions", {}).items() if v != "deny"}
    if weak:
        cfg.rule_actions = {k: v for k, v in user["rule_actions"].items() if k not in weak}
        dropped.append("rule_actions (" + ", ".join(sorted(weak)) + ")")
    if dropped:
        cfg.warnings.append("managed config forbids loosening; ignored user settings: " + ", ".join(dropped))
