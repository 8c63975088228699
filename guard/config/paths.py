"""Where configuration and state live, per platform, without importing platformdirs.

The managed path is a constant on purpose: no environment variable can point
the guard away from it (an agent can set environment variables). Tests
replace ``MANAGED_CONFIG`` in-process through their own launcher.
The per-user dirs mirror ``platformdirs.user_*_dir("clampd-guard")``; a test
keeps them equal.
"""

from __future__ import annotations

import sys

from guard.runtime import sysio

APP = "clampd-guard"

if sys.platform == "darwin":  # pragma: no cover
    MANAGED_CONFIG = "/Library/Application Support/clampd/guard.json"
elif sys.platform == "win32":  # pragma: no cover
    MANAGED_CONFIG = (sysio.getenv("ProgramData") or r"C:\ProgramData") + r"\clampd\guard.json"
else:
    MANAGED_CONFIG = "/etc/clampd/guard.json"


def user_config() -> str:
    return sysio.join(sysio.home(), ".clampd", "guard.json")


def user_cache_dir() -> str:
    if sys.platform == "darwin":  # pragma: no cover
        return sysio.join(sysio.home(), "Library", "Caches", APP)
    if sys.platform == "win32":  # pragma: no cover
        base = sysio.getenv("LOCALAPPDATA") or sysio.join(sysio.home(), "AppData", "Local")
        return sysio.join(base, APP, "Cache")
    base = sysio.getenv("XDG_CACHE_HOME") or ""
    if not base.strip():
        base = sysio.join(sysio.home(), ".cache")
    return sysio.join(base, APP)


def user_state_dir() -> str:
    if sys.platform == "darwin":  # pragma: no cover
        return sysio.join(sysio.home(), "Library", "Application Support", APP)
    if sys.platform == "win32":  # pragma: no cover
        base = sysio.getenv("LOCALAPPDATA") or sysio.join(sysio.home(), "AppData", "Local")
        return sysio.join(base, APP)
    base = sysio.getenv("XDG_STATE_HOME") or ""
    if not base.strip():
        base = sysio.join(sysio.home(), ".local", "state")
    return sysio.join(base, APP)


def cache_tag() -> str:
    """Suffix for compiled caches: the interpreter's cache tag, plus ``-frozen`` in the frozen binary.

    A frozen binary's bundled rule files carry their own mtimes, so if it shared a cache
    file with a pip install of the same Python, each would rebuild it on every switch.
    """
    tag = sys.implementation.cache_tag or "py"
    return tag + "-frozen" if getattr(sys, "frozen", False) else tag


def frozen_build_id() -> str:
    """The frozen binary's source hash ('' otherwise): its caches are keyed on it.

    A bundle's files never change after the build, but each build (and each copy of one)
    gives them new mtimes; keying on the source instead lets every copy of one build share
    its caches, and saves the listdir + stat of the rule files on every call.
    """
    if not getattr(sys, "frozen", False):
        return ""
    try:
        from _clampd_build import SOURCE_HASH  # written by packaging/build.py
    except ImportError:
        return ""
    return str(SOURCE_HASH)
