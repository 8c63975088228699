"""Third-party imports for the gateway path, also when the hook runs as ``python -I -S``.

Under ``-S`` site-packages is not on ``sys.path``; ``site.main()`` adds the
interpreter's own site-packages (the venv next to ``sys.executable`` or
``sys.prefix``), the same directories a normal start would use. It costs a few
milliseconds, paid only by calls that really talk to the gateway or keyring.
"""

from __future__ import annotations


def _site() -> None:
    import site

    site.main()


def httpx() -> object:
    try:
        import httpx
    except ImportError:
        _site()
        import httpx
    return httpx


def keyring() -> object:
    try:
        import keyring
    except ImportError:
        _site()
        import keyring
    return keyring
