"""The few OS calls the hook path needs, from the builtin ``posix``/``nt`` module.

``import os`` costs ~0.8 ms (about 13 % of a bare interpreter start); the
builtin module is already loaded, so the hook path talks to it directly.
"""

from __future__ import annotations

try:
    import posix as _os

    WINDOWS = False
except ImportError:  # pragma: no cover - Windows
    import nt as _os  # type: ignore[no-redef]

    WINDOWS = True

import sys
import time

SEP = "\\" if WINDOWS else "/"
O_RDONLY = _os.O_RDONLY
read = _os.read
write = _os.write
close = _os.close
getpid = _os.getpid


def getenv(name: str) -> str | None:
    """Read an environment variable without importing ``os``."""
    env = _os.environ
    if WINDOWS:  # pragma: no cover
        return env.get(name)
    raw = env.get(name.encode())
    if raw is None:
        return None
    return raw.decode("utf-8", "surrogateescape")


def home() -> str:
    """The user's home directory (HOME, then the password database)."""
    h = getenv("USERPROFILE" if WINDOWS else "HOME")
    if h:
        return h
    if not WINDOWS:
        try:
            import pwd

            return pwd.getpwuid(_os.getuid()).pw_dir
        except (ImportError, KeyError):
            pass
    return SEP


def join(*parts: str) -> str:
    out = parts[0]
    for p in parts[1:]:
        if p.startswith(SEP) or (WINDOWS and len(p) > 1 and p[1] == ":"):
            out = p
        elif out.endswith(SEP) or out.endswith("/"):
            out += p
        else:
            out += SEP + p
    return out


def dirname(path: str) -> str:
    i = max(path.rfind("/"), path.rfind("\\"))
    return path[:i] if i > 0 else path[: i + 1]


def stat_key(path: str) -> tuple[int, int, int] | None:
    """(size, mtime_ns, inode) of a file, or None when it does not exist."""
    try:
        st = _os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def exists(path: str) -> bool:
    try:
        _os.stat(path)
    except OSError:
        return False
    return True


def read_bytes(path: str, limit: int = 1 << 24) -> bytes:
    """Read a whole (small) file; raises OSError like ``open`` would."""
    fd = _os.open(path, O_RDONLY | getattr(_os, "O_BINARY", 0))
    try:
        chunks = []
        total = 0
        while total < limit:
            b = _os.read(fd, 1 << 16)
            if not b:
                break
            chunks.append(b)
            total += len(b)
        return b"".join(chunks)
    finally:
        _os.close(fd)


def isatty(fd: int) -> bool:
    try:
        return _os.isatty(fd)
    except OSError:
        return False


def fsize(fd: int) -> int:
    return _os.fstat(fd).st_size


def open_read(path: str) -> int:
    return _os.open(path, O_RDONLY | getattr(_os, "O_BINARY", 0))


def pread(fd: int, length: int, offset: int) -> bytes:
    """Read ``length`` bytes at ``offset`` (one syscall on POSIX)."""
    if hasattr(_os, "pread"):
        out = _os.pread(fd, length, offset)
        while len(out) < length:
            more = _os.pread(fd, length - len(out), offset + len(out))
            if not more:
                raise EOFError("short read")
            out += more
        return out
    _os.lseek(fd, offset, 0)  # pragma: no cover - Windows
    return read_bytes_fd(fd, length)  # pragma: no cover


def read_bytes_fd(fd: int, length: int) -> bytes:  # pragma: no cover - Windows
    chunks, total = [], 0
    while total < length:
        b = _os.read(fd, length - total)
        if not b:
            break
        chunks.append(b)
        total += len(b)
    return b"".join(chunks)


def files_fingerprint(directory: str, suffix: str, skip_prefix: str = "") -> tuple:
    """(name, size, mtime_ns) of the matching files in ``directory``: what a cache was built from."""
    names = sorted(n for n in _os.listdir(directory) if n.endswith(suffix) and not (skip_prefix and n.startswith(skip_prefix)))
    return tuple((n,) + (stat_key(join(directory, n)) or (0, 0, 0))[:2] for n in names)


def listdir(path: str) -> list[str]:
    return _os.listdir(path)


def makedirs(path: str, mode: int = 0o700) -> None:
    """Create ``path`` and its parents (private by default)."""
    if exists(path):
        return
    parent = dirname(path)
    if parent and parent != path:
        makedirs(parent, mode)
    try:
        _os.mkdir(path, mode)
    except FileExistsError:
        pass


def unlink(path: str) -> None:
    """Remove a file; a missing file is fine."""
    try:
        _os.unlink(path)
    except FileNotFoundError:
        pass


def mtime(path: str) -> float | None:
    """Modification time in seconds since the epoch, or None when the file does not exist."""
    try:
        return _os.stat(path).st_mtime
    except FileNotFoundError:
        return None


def claim(path: str, stale_after_s: float, data: bytes = b"") -> bool:
    """Create ``path`` exclusively (0600): True for the one process that made it.

    Used as a cross-process "one of us does it" token (the breaker's probe, the
    rule refresh). A claim older than ``stale_after_s`` was left by a process
    that died: it is broken, and claimed afresh, once.
    """
    makedirs(dirname(path))
    for _ in range(2):
        try:
            fd = _os.open(path, _os.O_WRONLY | _os.O_CREAT | _os.O_EXCL, 0o600)
        except FileExistsError:
            age = mtime(path)
            if age is not None and time.time() - age < stale_after_s:
                return False
            unlink(path)
            continue
        try:
            if data:
                write_all(fd, data)
        finally:
            _os.close(fd)
        return True
    return False


def spawn_detached(argv: list[str]) -> None:
    """Start ``argv`` in its own session with stdio on the null device, and do not wait for it.

    For work a hook call starts but must never wait on (audit fold, rule refresh).
    ``posix_spawn`` needs no ``subprocess`` import; raises OSError when it cannot start.
    """
    if hasattr(_os, "posix_spawn"):
        null = "/dev/null"
        actions = [
            (_os.POSIX_SPAWN_OPEN, 0, null, _os.O_RDONLY, 0),
            (_os.POSIX_SPAWN_OPEN, 1, null, _os.O_WRONLY, 0),
            (_os.POSIX_SPAWN_OPEN, 2, null, _os.O_WRONLY, 0),
        ]
        _os.posix_spawn(argv[0], argv, _os.environ, file_actions=actions, setsid=True)
        return
    import subprocess  # pragma: no cover - Windows

    subprocess.Popen(  # pragma: no cover
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=True,
        creationflags=0x00000008 | 0x00000200,  # DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP
    )


def write_atomic(path: str, data: bytes, mode: int = 0o600) -> None:
    """Write a file via a private temp file + fsync + rename (never half-written)."""
    makedirs(dirname(path))
    tmp = f"{path}.{_os.getpid()}.tmp"
    flags = _os.O_WRONLY | _os.O_CREAT | _os.O_TRUNC | getattr(_os, "O_BINARY", 0)
    fd = _os.open(tmp, flags, mode)
    try:
        view = memoryview(data)
        while view:
            n = _os.write(fd, view)
            view = view[n:]
        _os.fsync(fd)
    finally:
        _os.close(fd)
    try:
        _os.replace(tmp, path)
    except OSError:
        try:
            _os.unlink(tmp)
        finally:
            raise


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            n = _os.write(fd, view)
        except InterruptedError:  # pragma: no cover
            continue
        view = view[n:]


def fast_exit(code: int) -> None:
    """Exit without interpreter teardown. Only for hook mode, whose output is unbuffered."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    _os._exit(code)
