"""Third-party imports on the hook path, also when the hook runs as ``python -I -S``.

Under ``-S`` site-packages is not on ``sys.path``. Rather than ``site.main()``
(which also runs every ``.pth`` file: an editable install's finder alone costs
about as much as an interpreter start), the interpreter's own site-packages
directories are appended: the venv next to ``sys.executable`` (found by its
``pyvenv.cfg``), and ``sys.prefix``'s only outside a venv or when the venv
includes system site-packages (as a normal start would). They are derived from the interpreter's
location, never from the environment or a file an agent could write. They stay
on ``sys.path`` for the rest of this short process, because httpx imports some
of its modules lazily. Only calls that need one of these packages pay for
this: the gateway (httpx), the keyring, the phrase matcher (ahocorasick) and
the rule compiler (msgspec, on a cold cache). A frozen binary bundles them
and has no site-packages to add.
"""

from __future__ import annotations

import sys

from guard.runtime import sysio


def site_dirs() -> list[str]:
    """The interpreter's own site-packages directories that exist."""
    ver = f"python{sys.version_info[0]}.{sys.version_info[1]}"

    def site_dir(root: str) -> str:
        if sysio.WINDOWS:  # pragma: no cover
            return sysio.join(root, "Lib", "site-packages")
        return sysio.join(root, "lib", ver, "site-packages")

    exe_dir = sysio.dirname(sys.executable or "")
    roots = [r for r in (sysio.dirname(exe_dir), exe_dir) if r and sysio.exists(sysio.join(r, "pyvenv.cfg"))]
    # A venv sees the base interpreter's packages only when it says so (under -S, sys.prefix is the base).
    if not roots or _system_site(sysio.join(roots[0], "pyvenv.cfg")):
        roots.append(sys.prefix)
    out = []
    for r in roots:
        d = site_dir(r)
        if d not in out and sysio.exists(d):
            out.append(d)
    return out


def _system_site(cfg_path: str) -> bool:
    """``include-system-site-packages = true`` in a venv's pyvenv.cfg."""
    try:
        text = sysio.read_bytes(cfg_path, limit=1 << 16).decode("utf-8", "replace")
    except OSError:
        return False
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip().lower() == "include-system-site-packages":
            return value.strip().lower() == "true"
    return False


def _add_site() -> None:
    for d in site_dirs():
        if d not in sys.path:
            sys.path.append(d)


def load(name: str) -> object:
    """``import name`` (a top-level module), adding the interpreter's own site-packages first when needed."""
    try:
        return __import__(name)
    except ImportError:
        if getattr(sys, "frozen", False):
            raise
        _add_site()
        return __import__(name)


def httpx() -> object:
    return load("httpx")


def keyring() -> object:
    return load("keyring")
