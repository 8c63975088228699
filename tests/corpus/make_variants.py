#!/usr/bin/env python3
"""Deterministic obfuscated variants of shell commands, for attacks and benign alike.

Each transformation keeps what the shell would run (same program, same
arguments) and changes only how it is spelled:

  quote      insert an empty or partial quote into the command word  (r''m, "r"m)
  backslash  escape a letter of the command word                     (r\\m)
  ifs        spaces -> $IFS / ${IFS}      (only for commands without quotes)
  bash_c     bash -c '<cmd>'
  sh_c       sh -c "<cmd>"
  eval       eval "<cmd>"
  sudo       sudo <cmd>
  env        env X=1 <cmd>
  base64     echo <base64 of cmd> | base64 -d | sh
  abspath    /bin/rm, /usr/bin/git, ... for the command word

The same functions are applied to a sample of benign commands (labelled allow:
`eval "ls -la"` still runs `ls -la`), so a guard that blocks on the wrapper
alone pays for it in false positives.

    python3 tests/corpus/make_variants.py 'rm -rf ~'      # print every variant
"""

from __future__ import annotations

import base64
import random
import re
import shlex
import sys

# Where common programs live (for the abspath variant); default /usr/bin.
_BIN = {
    "rm", "cat", "ls", "cp", "mv", "chmod", "chown", "dd", "echo", "mkdir", "ln", "sh", "bash", "dash",
    "tar", "gzip", "sed", "grep", "mount", "umount", "kill", "ps", "date", "touch", "pwd", "df",
}
_SBIN = {"mkfs", "mkfs.ext4", "mkfs.xfs", "wipefs", "fdisk", "sfdisk", "parted", "shutdown", "reboot", "iptables"}

# A leading run of VAR=value assignments is not the command word.
_ASSIGN = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*")


def _split_head(cmd: str) -> tuple[str, str, str]:
    """(assignments, command word, rest) of the first simple command."""
    m = _ASSIGN.match(cmd)
    pre = m.group(0) if m else ""
    body = cmd[len(pre):]
    m2 = re.match(r"([^\s;&|()<>'\"`$]+)(.*)", body, re.S)
    if not m2:
        return pre, "", body
    return pre, m2.group(1), m2.group(2)


# Shell builtins have no binary: sudo/env/an absolute path cannot run them.
_BUILTINS = {"cd", "history", "export", "source", ".", "alias", "set", "unset", "ulimit", "eval", "exec", "read", "trap", ":", "wait", "jobs", "fg", "bg"}


def _runs_program(cmd: str) -> bool:
    """True when cmd starts with a plain program name (not a subshell, group or builtin)."""
    pre, w, _rest = _split_head(cmd)
    return bool(w) and not pre and w not in _BUILTINS and cmd[:1] not in "({"


def _word_ok(word: str) -> bool:
    return len(word) >= 2 and word.isascii() and re.fullmatch(r"[A-Za-z][A-Za-z0-9._-]*", word) is not None


def quote(cmd: str, rng: random.Random) -> str | None:
    pre, w, rest = _split_head(cmd)
    if not _word_ok(w):
        return None
    i = rng.randrange(1, len(w))
    if rng.random() < 0.5:
        w2 = w[:i] + "''" + w[i:]
    else:
        w2 = '"' + w[:i] + '"' + w[i:]
    return pre + w2 + rest


def backslash(cmd: str, rng: random.Random) -> str | None:
    pre, w, rest = _split_head(cmd)
    if not _word_ok(w):
        return None
    # escape a letter that has no special meaning after a backslash
    idx = [i for i, c in enumerate(w) if c.isalpha() and i > 0] or [0]
    i = rng.choice(idx)
    return pre + w[:i] + "\\" + w[i:] + rest


def ifs(cmd: str, rng: random.Random) -> str | None:
    # quoted strings would keep a literal $IFS; ~ after $IFS is no longer expanded;
    # an assignment prefix would swallow the rest of the line
    if any(c in cmd for c in "'\"`\\\n~") or " " not in cmd or "$(" in cmd or _split_head(cmd)[0]:
        return None
    sep = "${IFS}" if rng.random() < 0.7 else "$IFS"
    # keep separators' surrounding spaces tidy: a$IFS;b is still fine for the shell
    out = []
    for tok in cmd.split(" "):
        if tok:
            out.append(tok)
    if sep == "$IFS":
        # $IFS followed by a letter would be read as a longer name: use ${IFS} there
        res = out[0]
        for tok in out[1:]:
            res += ("${IFS}" if re.match(r"[A-Za-z0-9_]", tok) else "$IFS") + tok
        return res
    return sep.join(out)


def bash_c(cmd: str, rng: random.Random) -> str | None:
    return "bash -c " + shlex.quote(cmd)


def _dq(cmd: str) -> str:
    return '"' + re.sub(r'(["\\$`])', r"\\\1", cmd) + '"'


def sh_c(cmd: str, rng: random.Random) -> str | None:
    return "sh -c " + _dq(cmd)


def eval_(cmd: str, rng: random.Random) -> str | None:
    return "eval " + _dq(cmd)


def sudo(cmd: str, rng: random.Random) -> str | None:
    if cmd.startswith("sudo ") or not _runs_program(cmd):
        return None
    return "sudo " + cmd


def env(cmd: str, rng: random.Random) -> str | None:
    var = rng.choice(["X=1", "LANG=C", "DEBUG=0", "TERM=xterm"])
    if not _runs_program(cmd):
        return None
    return f"env {var} {cmd}"


def b64(cmd: str, rng: random.Random) -> str | None:
    enc = base64.b64encode(cmd.encode()).decode()
    decode = rng.choice(["base64 -d", "base64 --decode"])
    shell = rng.choice(["sh", "bash"])
    return f"echo {enc} | {decode} | {shell}"


def abspath(cmd: str, rng: random.Random) -> str | None:
    pre, w, rest = _split_head(cmd)
    if not _word_ok(w) or "/" in w or w in _BUILTINS:
        return None
    d = "/bin/" if w in _BIN else "/sbin/" if w in _SBIN else "/usr/bin/"
    return pre + d + w + rest


TRANSFORMS = {
    "quote": quote,
    "backslash": backslash,
    "ifs": ifs,
    "bash_c": bash_c,
    "sh_c": sh_c,
    "eval": eval_,
    "sudo": sudo,
    "env": env,
    "base64": b64,
    "abspath": abspath,
}


def variants(cmd: str, rng: random.Random, k: int) -> list[tuple[str, str]]:
    """Up to k distinct (transform name, variant) pairs for cmd, chosen with rng."""
    names = list(TRANSFORMS)
    rng.shuffle(names)
    out: list[tuple[str, str]] = []
    seen = {cmd}
    for name in names:
        if len(out) >= k:
            break
        v = TRANSFORMS[name](cmd, rng)
        if v and v not in seen:
            seen.add(v)
            out.append((name, v))
    return out


def all_variants(cmd: str, seed: int = 0) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    for name, fn in TRANSFORMS.items():
        v = fn(cmd, rng)
        if v:
            out.append((name, v))
    return out


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        for name, v in all_variants(arg):
            print(f"{name:10} {v}")
