"""api_key and secret in the OS keyring (written by ``setup``, read when a token is minted).

``import keyring`` costs about ten interpreter start-ups, so the hook only
calls in here when it has no usable cached token (see ``auth``). Every
failure reads as "not stored": the caller then reports missing credentials.
"""

from __future__ import annotations

SERVICE = "clampd-guard"
NAMES = ("api_key", "secret")


def _backend() -> tuple[object, object]:
    from guard.runtime import sitedeps as deps

    kr = deps.keyring()
    return kr, kr.get_keyring()  # type: ignore[attr-defined]


def _usable(backend: object) -> bool:
    """False for keyring's fail/null backends (no real store) and a chainer with nothing in it."""
    mod = type(backend).__module__
    if mod in ("keyring.backends.fail", "keyring.backends.null"):
        return False
    if mod == "keyring.backends.chainer":
        return bool(getattr(backend, "backends", None))
    return True


def backend_name() -> str | None:
    """The keyring backend that would store secrets, or None when there is none that works."""
    try:
        _kr, backend = _backend()
    except Exception:  # noqa: BLE001 - no keyring module or a broken backend: no keyring
        return None
    if not _usable(backend):
        return None
    return f"{type(backend).__module__}.{type(backend).__name__}"


def get(name: str) -> str:
    """The stored value, or "" when there is none or the keyring cannot be used."""
    try:
        kr, backend = _backend()
        if not _usable(backend):
            return ""
        v = kr.get_password(SERVICE, name)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - locked, absent or broken keyring: not stored
        return ""
    return v if isinstance(v, str) else ""


def put(name: str, value: str) -> None:
    """Store ``value``; raises RuntimeError (without the value) when the keyring refuses."""
    try:
        kr, backend = _backend()
    except Exception as e:  # noqa: BLE001
        raise RuntimeError(f"no keyring ({type(e).__name__})") from None
    if not _usable(backend):
        raise RuntimeError("no usable keyring backend")
    try:
        kr.set_password(SERVICE, name, value)  # type: ignore[attr-defined]
    except Exception as e:  # noqa: BLE001
        raise RuntimeError(f"the keyring refused to store {name} ({type(e).__name__})") from None


def delete(name: str) -> None:
    """Remove a stored value if there is one (errors ignored)."""
    try:
        kr, backend = _backend()
        if _usable(backend):
            kr.delete_password(SERVICE, name)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001
        pass
