"""Reading and writing an editor's config file safely: atomic, backed up, mode kept, symlinks followed."""

from __future__ import annotations

import difflib
import os
import time

from guard.runtime import sysio

MAX_BYTES = 4 << 20
KEEP_BACKUPS = 5  # per file: enough to undo a few runs without littering the editor's directory


class WiringError(Exception):
    """A config file we must not touch (unreadable, not valid JSON, unexpected shape)."""


def real(path: str) -> str:
    """Where a write really lands: a symlinked settings file (dotfile managers) is written through."""
    return os.path.realpath(path) if os.path.islink(path) else path


def read_text(path: str) -> str | None:
    """The file's text, or None when it does not exist."""
    try:
        raw = sysio.read_bytes(path, limit=MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise WiringError(f"{path} is a directory, not a file") from None
    except OSError as e:
        raise WiringError(f"{path}: cannot be read ({e.strerror or e})") from None
    if len(raw) > MAX_BYTES:
        raise WiringError(f"{path}: larger than {MAX_BYTES >> 20} MiB; refusing to edit it")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise WiringError(f"{path}: not UTF-8 text; refusing to edit it") from None


def backup_path(path: str) -> str:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    base = f"{path}.clampd-backup-{stamp}"
    candidate, n = base, 1
    while os.path.exists(candidate):
        candidate = f"{base}-{n}"
        n += 1
    return candidate


def prune_backups(path: str, keep: int = KEEP_BACKUPS) -> None:
    """Delete all but the newest ``keep`` of our backups of ``path`` (names sort by time)."""
    d, base = os.path.split(path)
    prefix = base + ".clampd-backup-"
    try:
        names = sorted(n for n in os.listdir(d or ".") if n.startswith(prefix))
    except OSError:
        return
    for n in names[: max(len(names) - keep, 0)]:
        try:
            os.unlink(os.path.join(d, n))
        except OSError:
            pass


def write(path: str, text: str | None, *, dir_mode: int = 0o700, new_mode: int = 0o600) -> str | None:
    """Replace ``path`` with ``text`` (None deletes it) after backing the old file up.

    Returns the backup's path (None when there was no previous file, or when the file
    is deleted: it then held nothing but our entries). The backup
    is private (0600: settings files can hold tokens); the new file keeps the old
    one's permission bits, and a file we create gets ``new_mode`` (0600; system-wide
    files that every user's editor must read are created 0644).
    """
    target = real(path)
    old_mode = None
    backup = None
    try:
        st = os.stat(target)
        old_mode = st.st_mode & 0o7777
    except FileNotFoundError:
        pass
    if old_mode is not None and text is not None:
        backup = backup_path(target)
        data = sysio.read_bytes(target, limit=MAX_BYTES + 1)
        sysio.write_atomic(backup, data, 0o600)
        os.chmod(backup, 0o600)
        prune_backups(target)
    if text is None:
        if old_mode is not None:
            os.unlink(target)
        return backup
    parent = os.path.dirname(target)
    if parent and not os.path.isdir(parent):
        os.makedirs(parent, mode=dir_mode, exist_ok=True)
    mode = new_mode if old_mode is None else old_mode
    sysio.write_atomic(target, text.encode("utf-8"), mode)
    os.chmod(target, mode)  # exact bits, whatever the umask
    return backup


def diff(path: str, old: str | None, new: str | None) -> str:
    """A unified diff between two versions of ``path`` (/dev/null for a missing side)."""
    a = (old or "").splitlines(keepends=True)
    b = (new or "").splitlines(keepends=True)
    for lines in (a, b):
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n\\ No newline at end of file\n"
    return "".join(
        difflib.unified_diff(
            a,
            b,
            fromfile=path if old is not None else "/dev/null",
            tofile=path if new is not None else "/dev/null",
        )
    )
