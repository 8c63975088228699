"""Path arithmetic shared by the subject builder and the shell normaliser (no os.path: hook path)."""

from __future__ import annotations


def collapse(path: str) -> str:
    """An absolute path with '.', '..' and repeated slashes resolved (no filesystem access)."""
    parts: list[str] = []
    for seg in path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if parts:
                parts.pop()
            continue
        parts.append(seg)
    return "/" + "/".join(parts)


def tilde(path: str, home: str) -> str:
    """``path`` with the home directory written as '~' (how rules name it)."""
    home = home.rstrip("/")
    if home and home != "/":
        if path == home:
            return "~"
        if path.startswith(home + "/"):
            return "~" + path[len(home) :]
    return path
