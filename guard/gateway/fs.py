"""The three file operations the gateway state needs beyond ``runtime.sysio``.

From the builtin ``posix``/``nt`` module, like sysio, so the hook never imports ``os``.
"""

from __future__ import annotations

try:
    import posix as _os
except ImportError:  # pragma: no cover - Windows
    import nt as _os  # type: ignore[no-redef]

from guard.runtime import sysio


def unlink(path: str) -> None:
    """Remove a file; a missing file is fine."""
    try:
        _os.unlink(path)
    except FileNotFoundError:
        pass


def create_exclusive(path: str) -> bool:
    """Create an empty private file; False when it already exists (the atomic claim)."""
    sysio.makedirs(sysio.dirname(path))
    try:
        fd = _os.open(path, _os.O_WRONLY | _os.O_CREAT | _os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    _os.close(fd)
    return True


def mtime(path: str) -> float | None:
    """Modification time in seconds since the epoch, or None when the file does not exist."""
    try:
        return _os.stat(path).st_mtime
    except FileNotFoundError:
        return None
