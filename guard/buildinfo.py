"""The version line, with the build stamp of a frozen (PyInstaller) binary.

``packaging/build.py`` writes a module ``_clampd_build`` (source hash, git commit, UTC
build time) that only the frozen binary contains; a pip install has no stamp.
"""

from __future__ import annotations

import sys

from guard import __version__


def frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def stamp() -> dict[str, str]:
    """The frozen build's stamp fields ({} when not frozen or not built by packaging/build.py)."""
    if not frozen():
        return {}
    try:
        import _clampd_build  # type: ignore[import-not-found]
    except ImportError:
        return {}
    return {k: str(getattr(_clampd_build, k, "")) for k in ("SOURCE_HASH", "GIT_COMMIT", "BUILT_AT")}


def version_line() -> str:
    """``clampd-guard 0.1.0`` or ``clampd-guard 0.1.0 (frozen; source 1a2b3c4d5e6f, git a539397, built ...)``."""
    line = f"clampd-guard {__version__}"
    if not frozen():
        return line
    s = stamp()
    parts = []
    if s.get("SOURCE_HASH"):
        parts.append(f"source {s['SOURCE_HASH'][:12]}")
    commit = s.get("GIT_COMMIT", "")
    if commit:
        parts.append(f"git {commit[:12]}{'+dirty' if commit.endswith('+dirty') else ''}")
    if s.get("BUILT_AT"):
        parts.append(f"built {s['BUILT_AT']}")
    return f"{line} (frozen{'; ' + ', '.join(parts) if parts else ''})"
