"""The fast path: commands whose canonical form is simply their words.

``ls -la``, ``git status``, ``npm test``: no quotes, expansions, separators,
redirections or globs, and a first word that neither wraps another command,
runs code, talks SQL nor operates on files. For these the full lexer and
normaliser would return the words unchanged, so they are not even imported.
``tests/test_shell_normalise.py`` checks that the two agree.
"""

from __future__ import annotations

_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _./:=@,+-%")

# First words that the normaliser treats specially (wrappers, shells, interpreters,
# SQL clients, file operations, cd, eval, ssh ...): these always take the full path.
NEEDS_PARSE = frozenset(
    "sudo doas nohup time nice ionice timeout stdbuf command builtin exec xargs setsid chronic unbuffer "
    "caffeinate torsocks proxychains proxychains4 strace ltrace flock watch env chroot "
    "sh bash zsh dash ksh ash mksh fish rbash busybox toybox eval source . su ssh dbclient find cd "
    "python python2 python3 node nodejs perl ruby php bun osascript pwsh powershell lua Rscript "
    "psql mysql mariadb sqlite3 mongosh mongo clickhouse-client duckdb sqlcmd cqlsh "
    "rm rmdir unlink shred srm wipe truncate echo printf base64 openssl xxd rev basenc b64decode".split()
)


def plain_words(command: str) -> list[str] | None:
    """The command's words when it is plain (see module doc), else None."""
    if len(command) > 512 or "://" in command or ".." in command:
        return None
    for c in command:
        if c not in _PLAIN:
            return None
    words = command.split()
    if not words or words[0] in NEEDS_PARSE or "/" in words[0] or words[0].startswith("python"):
        return None
    for w in words[1:]:
        # Absolute paths are rewritten by the normaliser (home as ~), and so
        # are path values after = or @: those take the full path.
        if w.startswith("/") or "=/" in w or "@/" in w or w.startswith("."):
            return None
    return words
