"""msgspec Structs for guard.json, generated from ``fields.FIELDS``.

Management path only (validation, ``status``, the MDM JSON Schema): importing
msgspec costs several times the interpreter start, so the hook uses ``load``.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from guard.config import fields as F


def _annotation(name: str) -> object:
    typ, _default, constraint, doc = F.FIELDS[name]
    if isinstance(constraint, tuple) and typ is int:
        return msgspec.Meta(ge=constraint[0], le=constraint[1], description=doc)
    if isinstance(constraint, tuple):
        return msgspec.Meta(description=doc)
    if constraint == "url":
        return msgspec.Meta(pattern=r"^(https?://.*)?$", description=doc)
    return msgspec.Meta(description=doc)


_COMPOSITE = {
    "list[str]": list[str],
    "dict[str,action]": dict[str, Literal["deny", "ask", "allow"]],
    "dict[str,list[str]]": dict[str, list[str]],
}


def _field_type(name: str) -> object:
    from typing import Annotated

    typ, _default, constraint, _doc = F.FIELDS[name]
    if typ in (list, dict):
        return Annotated[_COMPOSITE[constraint], msgspec.Meta(description=_doc)]  # type: ignore[index]
    if isinstance(constraint, tuple) and typ is str:
        typ = Literal[constraint]  # type: ignore[valid-type]
    return Annotated[typ, _annotation(name)]


def _default(spec: tuple) -> object:
    d = spec[1]
    if isinstance(d, (list, dict)):
        return msgspec.field(default_factory=type(d))
    return d


GuardConfig = msgspec.defstruct(
    "GuardConfig",
    [(name, _field_type(name), _default(spec)) for name, spec in F.FIELDS.items()],
    forbid_unknown_fields=False,
    kw_only=True,
)
GuardConfig.__doc__ = "The guard.json file, as written by users and pushed by MDM."


def validate(raw: bytes) -> object:
    """Decode and validate one guard.json; raises msgspec.ValidationError/DecodeError."""
    return msgspec.json.decode(raw, type=GuardConfig, strict=True)


def json_schema() -> dict:
    """The JSON Schema that ships in mdm/ for fleet tooling."""
    schema = msgspec.json.schema(GuardConfig)
    schema["title"] = "clampd-guard guard.json"
    return schema
