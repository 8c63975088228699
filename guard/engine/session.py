"""Behavioural signals: dangerous sequences that no single call shows.

Every hook call is its own process, so a session's recent history lives on
disk: one small file per Claude Code session under
``user_state_dir()/sessions/``, named by a hash of the session id (never the
id itself), mode 0600 in a 0700 directory. A call locks the file, reads the
last events, derives signals from them and from the current call's tags and
verdict, appends the current event and unlocks: ~0.1 ms in process.

What an event holds: time, decision, tool name, behaviour tags (from the
tag-only rules in ``rules/session_tags.toml``, see ``verdict.tags``) and a
fingerprint made of 32-bit keyed hashes of the call's normalised words and
objects (file basenames, hosts), used to spot a denied call being rephrased
and to follow the same file from download to chmod to exec. No command text,
path or secret is stored.

Format: one text line per event, parsed in pure Python. (marshal is faster,
but a crafted marshal file could crash the guard, and a crashed hook lets the
tool run.) The file is bounded to ``MAX_EVENTS`` events; anything that does
not parse makes the state start over, with a warning.

Concurrency: Claude Code runs hooks in parallel. The read-modify-write runs
under a POSIX record lock (``posix.lockf``, the same lock ``fcntl.lockf``
takes, without importing ``fcntl`` on the hook path), waited for at most
``LOCK_WAIT_S``; a state that stays busy is skipped with a warning, never
waited on until the deadline. Windows has no lockf in ``nt``: appends there
are unlocked (best effort).
"""

from __future__ import annotations

import time

from guard.config import paths
from guard.engine.policy import Policy, combined_risk
from guard.runtime import sysio
from guard.toolcall import POST, PRE, ToolCall
from guard.verdict import ALLOW, ASK, DENY, Hit, Verdict

try:
    import posix as _os
except ImportError:  # pragma: no cover - Windows
    import nt as _os  # type: ignore[no-redef]

MAX_EVENTS = 64  # events kept per session (the file never holds more)
MAX_FILE_BYTES = 64 << 10  # a larger file is not ours: start over
WINDOW_CALLS = 20  # sequences (a), (b), (e): within the last N calls ...
WINDOW_S = 30 * 60  # ... and the last 30 minutes
DENIAL_WINDOW_S = 10 * 60  # (c) repeated denied/asked calls
DELETE_WINDOW_S = 60  # (d) burst of deletions
DELETE_BURST = 5
PRUNE_EVERY = 50  # about one call in 50 removes session files ...
MAX_AGE_S = 24 * 3600  # ... not written for a day
LOCK_WAIT_S = 0.5  # at most; and at most a quarter of deadline_ms

RISK_READ_THEN_EGRESS = 0.8
RISK_DOWNLOAD_CHMOD_EXEC = 0.85
RISK_DOWNLOAD_THEN_EXEC = 0.6
RISK_REPEATED_DENIALS = 0.6  # the 3rd denied/asked call within DENIAL_WINDOW_S
RISK_REPEATED_DENIALS_HIGH = 0.9  # from the 5th
RISK_REPHRASED = 0.3  # close to a recently denied call, below the ask threshold alone
RISK_DELETE_BURST = 0.6
RISK_PERSIST_THEN_EXEC = 0.7

CATEGORY = "behaviour"
SUBDIR = "sessions"
_SUFFIX = ".session"
_VERSION = "1"

# Decisions as stored: allow, ask, deny, and an ask the user approved (the tool ran).
_CODE = {ALLOW: "a", ASK: "k", DENY: "d"}
_RAN = "r"
_RANK = {ALLOW: 0, ASK: 1, DENY: 2}

# Marks an event on which (e) fired, so one persistence write asks once.
_FIRED_PERSIST = "!persist-exec"

_M64 = (1 << 64) - 1
_P61 = (1 << 61) - 1
_FNV128_OFFSET = 0x6C62272E07BB014262B821756295C58D
_FNV128_PRIME = 0x0000000001000000000000000000013B
_M128 = (1 << 128) - 1

_WRAPPERS = frozenset(("sudo", "doas", "nohup", "time", "command", "builtin", "nice", "exec", "env", "xargs", "then", "do", "else", "if", "while", "until", "!"))
# Words that run what a persistence write installed (e): a shell, source, service managers.
_ACTIVATORS = frozenset(("bash", "sh", "zsh", "ksh", "dash", "fish", "source", ".", "exec", "systemctl", "launchctl"))
_MAX_FP_TEXT = 1024
_MAX_WORDS = 8
_MAX_OBJS = 12


# ----------------------------------------------------------------- hashing


def _fnv128(data: bytes) -> int:
    h = _FNV128_OFFSET
    for b in data:
        h = ((h ^ b) * _FNV128_PRIME) & _M128
    return h


def file_name(session_id: str) -> str:
    """The state file's name: a 128-bit hash of the session id, never the id."""
    return f"{_fnv128(b'clampd-guard/session/' + session_id.encode('utf-8', 'surrogateescape')):032x}{_SUFFIX}"


def _key(session_id: str) -> int:
    """Per-session key for token hashes (derived from the id, which the file does not hold)."""
    return _fnv128(b"clampd-guard/tokens/" + session_id.encode("utf-8", "surrogateescape")) & _M64


def _th(tok: str, key: int) -> int:
    """A keyed 32-bit hash of one token (C-speed: one big-int reduction and a mixer)."""
    x = (int.from_bytes(tok.encode("utf-8", "surrogateescape")[:512], "little") % _P61) ^ key
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return (x ^ (x >> 31)) & 0xFFFFFFFF


# ------------------------------------------------------------- fingerprint


def _base(tok: str) -> str:
    t = tok.rstrip("/")
    if not t:
        return "/"
    return t.rsplit("/", 1)[-1] or t


def _objs_of(tok: str, homes: tuple) -> list[str]:
    """What a token names: a file's basename, a URL's host and basename, ~ for the home dir."""
    if "://" in tok:
        rest = tok.split("://", 1)[1].split("#", 1)[0].split("?", 1)[0]
        host, _, path = rest.partition("/")
        host = host.rsplit("@", 1)[-1]
        base = _base(path) if path.strip("/") else ""
        return [host, base] if base else [host]
    tok = tok.lstrip("@")
    if not tok:
        return []
    if tok.rstrip("/") in homes or tok in ("~", "~/"):
        return ["~"]
    return [_base(tok)]


def _homes() -> tuple:
    h = sysio.home().lower().rstrip("/")
    return (h, "$home", "${home}", "~") if h else ("$home", "${home}", "~")


def _shell_tokens(text: str, homes: tuple) -> tuple[list[str], list[str]]:
    """(words, objects) of a shell command: command names and flags vs. their arguments.

    Flags are split into letters (``-rf`` = ``-r -f``), quotes and redirections
    dropped, so ``rm -fr "x"`` and ``rm -r -f x`` look alike.
    """
    t = text[:_MAX_FP_TEXT].lower()
    for ch in "'\"\\<>":
        t = t.replace(ch, " ")
    for ch in ";&|(){}\n`":
        t = t.replace(ch, " ; ")
    words: list[str] = []
    objs: list[str] = []
    first = True
    for n, w in enumerate(t.split()):
        if n >= 64:
            break
        if w == ";":
            first = True
            continue
        if first:
            if "=" in w and not w.startswith("="):  # VAR=value before the command
                continue
            if "/" in w:  # ./tool, /tmp/x: the file run is an object too
                objs.append(_base(w))
            words.append(_base(w))
            if w not in _WRAPPERS:
                first = False
            continue
        if w[0] == "-" and len(w) > 1:
            if "=" in w:
                k, val = w.split("=", 1)
                words.append(k)
                objs.extend(_objs_of(val, homes))
            elif w[1] == "-" or len(w) > 6:
                words.append(w)
            else:
                words.extend("-" + c for c in w[1:])
            continue
        objs.extend(_objs_of(w, homes))
    return words, objs


def _path_obj(raw: object, homes: tuple) -> list[str]:
    return _objs_of(raw.lower(), homes) if isinstance(raw, str) and raw else []


def _tokens(call: ToolCall) -> tuple[list[str], list[str], list[str]]:
    """(words, objects, all words unhashed for activators) of a call, by tool kind."""
    p = call.params if isinstance(call.params, dict) else {}
    homes = _homes()
    kind = call.kind
    if kind == "shell":
        cmd = p.get("command")
        if isinstance(cmd, str):
            words, objs = _shell_tokens(cmd, homes)
            return words, objs, words
        return [], [], []
    if kind in ("file_read", "file_write"):
        return [], _path_obj(p.get("file_path") or p.get("notebook_path") or p.get("path"), homes), []
    if kind == "search":
        objs = _path_obj(p.get("path"), homes)
        for k in ("pattern", "glob"):
            v = p.get(k)
            if isinstance(v, str) and v:
                objs.append(v.lower()[:256])
        return [], objs, []
    if kind == "web":
        return [], _path_obj(p.get("url"), homes), []
    if kind == "web_search":
        q = p.get("query")
        return [], (q.lower()[:_MAX_FP_TEXT].split() if isinstance(q, str) else []), []
    objs = []
    for v in p.values():
        if isinstance(v, str) and v:
            objs.extend(_objs_of(v.lower()[:256], homes))
    return [], objs, []


# Objects too common to tell two calls apart (``ls ~`` is no rephrasing of ``rm -rf ~``).
_GENERIC = frozenset((".", "..", "*", "/", "~", "-", "--", ""))


def _hash_set(toks: list[str], key: int, cap: int) -> tuple[int, ...]:
    out: list[int] = []
    for t in toks:
        if t in _GENERIC or t.isdigit():
            continue
        h = _th(t, key)
        if h not in out:
            out.append(h)
            if len(out) >= cap:
                break
    return tuple(out)


def _jaccard(a: tuple, b: tuple) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb)


def similar(a: Event, b: Event) -> bool:
    """Does ``a`` look like a rephrasing of ``b``? Same objects (files, hosts), or same words when neither names any."""
    if a.objs and b.objs:
        return _jaccard(a.objs, b.objs) >= 0.5
    if a.words and b.words and not a.objs and not b.objs:
        return _jaccard(a.words, b.words) >= 0.75
    return False


# ------------------------------------------------------------------ events


class Event:
    """One recorded call. Loaded events keep their line and parse the hash lists only when asked."""

    __slots__ = ("ts", "dec", "tool", "tags", "_words", "_objs", "use", "raw")

    def __init__(self, ts: int, dec: str, tool: str, tags: frozenset, words: tuple | str, objs: tuple | str, use: int, raw: str = "") -> None:
        self.ts = ts  # milliseconds since the epoch
        self.dec = dec  # a, k, d, r (see _CODE)
        self.tool = tool
        self.tags = tags
        self._words = words  # keyed 32-bit hashes (or their stored hex text, until read)
        self._objs = objs
        self.use = use  # hash of the tool_use_id (0: none)
        self.raw = raw  # the stored line, while the event is unchanged

    @property
    def words(self) -> tuple:
        if isinstance(self._words, str):
            self._words = _hexes(self._words)
        return self._words

    @property
    def objs(self) -> tuple:
        if isinstance(self._objs, str):
            self._objs = _hexes(self._objs)
        return self._objs

    def line(self) -> str:
        if self.raw:
            return self.raw
        return "\t".join(
            (
                _VERSION,
                str(self.ts),
                self.dec,
                self.tool,
                ",".join(sorted(self.tags)),
                ",".join(f"{h:x}" for h in self.words),
                ",".join(f"{h:x}" for h in self.objs),
                f"{self.use:x}",
            )
        ) + "\n"

    def as_dict(self) -> dict:
        return {"ts": self.ts / 1000.0, "decision": self.dec, "tool": self.tool, "tags": sorted(self.tags), "words": len(self.words), "objects": len(self.objs)}


_HEX = frozenset("0123456789abcdef,")


def _hexes(s: str) -> tuple[int, ...]:
    return tuple(int(x, 16) for x in s.split(",") if x)


def _parse_line(line: str) -> Event:
    f = line.split("\t")
    if len(f) != 8 or f[0] != _VERSION or f[2] not in ("a", "k", "d", "r") or not (_HEX.issuperset(f[5]) and _HEX.issuperset(f[6])):
        raise ValueError("bad event line")
    return Event(int(f[1]), f[2], f[3], frozenset(f[4].split(",")) if f[4] else frozenset(), f[5], f[6], int(f[7], 16), line + "\n")


def parse(data: bytes) -> list[Event]:
    """The events in a state file; raises ValueError when it is not one."""
    if len(data) > MAX_FILE_BYTES:
        raise ValueError("state file too large")
    if not data:
        return []
    text = data.decode("ascii")
    if not text.endswith("\n"):
        raise ValueError("truncated state file")
    events = [_parse_line(ln) for ln in text[:-1].split("\n")]
    if len(events) > MAX_EVENTS:
        raise ValueError("too many events")
    return events


def _safe(s: str, limit: int = 64) -> str:
    return "".join(c if (c.isascii() and (c.isalnum() or c in "_.:-!")) else "_" for c in s[:limit])


def _event_for(call: ToolCall, tags: set, key: int, now: int) -> tuple[Event, list[str]]:
    words, objs, raw_words = _tokens(call)
    ev = Event(
        now,
        "a",
        _safe(call.tool or "?"),
        frozenset(t for t in (_safe(x, 32) for x in tags) if t),
        _hash_set(words, key, _MAX_WORDS),
        _hash_set(objs, key, _MAX_OBJS),
        _th(call.tool_use_id, key) | 1 if call.tool_use_id else 0,
    )
    return ev, raw_words


# ----------------------------------------------------------------- signals


# id: (title, advice). Risks are the RISK_* constants above.
_TEXT = {
    "session.read-then-egress": (
        "Network call after reading credentials in this session",
        "Do not send credentials or secret files anywhere. If a request needs a secret, ask the user to run it.",
    ),
    "session.download-chmod-exec": (
        "Running a file that was downloaded and made executable in this session",
        "Show the downloaded file to the user and let them decide whether to run it.",
    ),
    "session.download-then-exec": (
        "Running a file that was downloaded in this session",
        "Show the downloaded file to the user and let them decide whether to run it.",
    ),
    "session.repeated-denials": (
        "Repeated attempts after denied calls in this session",
        "Stop retrying blocked actions in other forms. Tell the user what you need and why.",
    ),
    "session.rephrased-denied": (
        "A rephrasing of a call that was just denied",
        "Do not retry a blocked action in another form; ask the user instead.",
    ),
    "session.delete-burst": (
        "Many deletions in a short time",
        "Pause and confirm with the user which files should be deleted.",
    ),
    "session.persist-then-exec": (
        "Running a shell or script after writing a startup file, cron entry or service",
        "Show the user what was written to the startup, cron or service file before activating it.",
    ),
}


def _hit(rule_id: str, risk: float, text: str) -> Hit:
    title, advice = _TEXT[rule_id]
    return Hit(rule_id, CATEGORY, risk, title, advice, "session", text, 0, 0, False, False, ())


def _ago(prior: list[Event], e: Event) -> str:
    n = len(prior) - prior.index(e)
    return f"{n} call{'s' if n != 1 else ''} earlier ({e.tool})"


def _last(events: list[Event], tag: str, objs: set | None = None) -> Event | None:
    """The latest event with ``tag`` (and, when given, sharing an object with ``objs``)."""
    for e in reversed(events):
        if tag in e.tags and (objs is None or objs.intersection(e.objs)):
            return e
    return None


def signals(prior: list[Event], cur: Event, kind: str = "shell", raw_words: list[str] | None = None, rules_decision: str = ALLOW) -> list[Hit]:
    """The behaviour hits for ``cur`` given the session's earlier events (oldest first)."""
    now = cur.ts
    out: list[Hit] = []
    recent = [e for e in prior[-WINDOW_CALLS:] if now - e.ts <= WINDOW_S * 1000]
    done = [e for e in recent if e.dec != "d"]  # denied calls never ran
    tags = cur.tags

    # (a) a credential read, then traffic to another host.
    if "egress" in tags:
        src = _last(done, "sensitive-read")
        if src is not None:
            out.append(_hit("session.read-then-egress", RISK_READ_THEN_EGRESS, f"credential read {_ago(prior, src)}, now a call to another host"))

    # (b) download, chmod +x, run: the same file (by basename), across calls.
    # Download in an earlier call; chmod earlier or in this call; run now.
    if "exec-local" in tags and cur.objs:
        run = set(cur.objs)
        hit = None
        for i in range(len(done) - 1, -1, -1):
            ch = done[i]
            common = run.intersection(ch.objs)
            if "chmod-exec" in ch.tags and common:
                dl = _last(done[: i + 1], "download", common)
                if dl is not None:
                    hit = _hit("session.download-chmod-exec", RISK_DOWNLOAD_CHMOD_EXEC, f"download {_ago(prior, dl)}, chmod {_ago(prior, ch)}, now run")
                    break
        dl = _last(done, "download", run) if hit is None else None
        if dl is not None and "chmod-exec" in tags:
            hit = _hit("session.download-chmod-exec", RISK_DOWNLOAD_CHMOD_EXEC, f"download {_ago(prior, dl)}, now chmod and run")
        elif dl is not None:
            hit = _hit("session.download-then-exec", RISK_DOWNLOAD_THEN_EXEC, f"download {_ago(prior, dl)}, now run")
        if hit is not None:
            out.append(hit)

    # (c) probing: repeated denied or unapproved calls, or rephrasing a denied one.
    attempts = [e for e in prior if e.dec in ("d", "k") and now - e.ts <= DENIAL_WINDOW_S * 1000]
    like = None
    if attempts and (cur.objs or cur.words):
        like = next((e for e in reversed(attempts) if similar(cur, e)), None)
    if rules_decision in (ASK, DENY) or like is not None:
        n = len(attempts) + 1
        how = f"; close to the call denied {_ago(prior, like)}" if like is not None else ""
        if n >= 3:
            risk = RISK_REPEATED_DENIALS_HIGH if n >= 5 else RISK_REPEATED_DENIALS
            out.append(_hit("session.repeated-denials", risk, f"{n} denied or unapproved calls in the last {DENIAL_WINDOW_S // 60} minutes{how}"))
        elif like is not None:
            out.append(_hit("session.rephrased-denied", RISK_REPHRASED, f"close to the call denied {_ago(prior, like)}"))

    # (d) a burst of deletions.
    if "delete" in tags:
        n = 1 + sum(1 for e in prior if "delete" in e.tags and e.dec != "d" and now - e.ts <= DELETE_WINDOW_S * 1000)
        if n >= DELETE_BURST:
            out.append(_hit("session.delete-burst", RISK_DELETE_BURST, f"{n} deleting calls within {DELETE_WINDOW_S} s"))

    # (e) a persistence write, then a shell call that runs a script or a shell:
    # once per write (the event that fired is marked).
    if kind == "shell" and ("exec-local" in tags or any(w in _ACTIVATORS for w in (raw_words or ()))):
        pw = _last(done, "persist-write")
        if pw is not None and not any(_FIRED_PERSIST in e.tags for e in prior[prior.index(pw) + 1 :]):
            out.append(_hit("session.persist-then-exec", RISK_PERSIST_THEN_EXEC, f"persistence write {_ago(prior, pw)}, now a shell call"))
    return out


# ------------------------------------------------------------------ verdict


def _as_policy(policy: Policy | tuple | None) -> Policy:
    if isinstance(policy, Policy):
        return policy
    return Policy(policy) if isinstance(policy, tuple) else Policy()


def _merged(v: Verdict, extra: list[Hit], policy: Policy) -> tuple[list[Hit], list[Hit], str]:
    """(kept extra hits, all hits, decision): the config's exclusions and rule_actions apply to behaviour hits too."""
    extra = [h for h in extra if policy.keeps(h)]
    if not extra:
        return extra, v.hits, v.decision
    hits = sorted(v.hits + extra, key=lambda h: -h.risk)
    level = policy.decide(hits)
    decision = level if v.decision in _RANK and _RANK[level] > _RANK[v.decision] else v.decision
    return extra, hits, decision


def merge(v: Verdict, extra: list[Hit], policy: Policy | tuple | None = None) -> Verdict:
    """Add behaviour hits to a verdict: risk by noisy-or, the decision only ever raised.

    ``policy`` is the call's ``engine.policy.Policy`` (or just the (ask, deny) thresholds).
    """
    extra, hits, decision = _merged(v, extra, _as_policy(policy))
    if extra:
        v.hits = hits
        v.risk = combined_risk(hits)
        v.decision = decision
    return v


def _policy_of(cfg: object, cwd: str) -> Policy:
    if cfg is None:
        return Policy()
    try:
        return Policy.from_config(cfg, cwd)
    except (AttributeError, TypeError, KeyError):
        return Policy(getattr(cfg, "thresholds", (0.5, 0.75)))


# ------------------------------------------------------------------- files


def sessions_dir() -> str:
    return sysio.join(paths.user_state_dir(), SUBDIR)


def state_path(session_id: str) -> str:
    return sysio.join(sessions_dir(), file_name(session_id))


_FLAGS = _os.O_RDWR | _os.O_CREAT | getattr(_os, "O_NOFOLLOW", 0) | getattr(_os, "O_CLOEXEC", 0) | getattr(_os, "O_NONBLOCK", 0) | getattr(_os, "O_BINARY", 0)


def _unsafe(fd: int) -> str:
    """Why an opened state file must not be used (not a regular private file of ours), or ''."""
    if sysio.WINDOWS:  # pragma: no cover
        return ""
    st = _os.fstat(fd)
    if st.st_mode & 0o170000 != 0o100000:
        return "not a regular file"
    if st.st_nlink != 1:
        return "has other hard links"
    if st.st_uid != _os.getuid():
        return "owned by another user"
    if st.st_mode & 0o077:
        _os.fchmod(fd, 0o600)
    return ""


def _open(path: str) -> int:
    """Open (creating) the state file; an unsafe entry (symlink, hard link, fifo) is replaced once."""
    for attempt in (0, 1):
        try:
            fd = _os.open(path, _FLAGS, 0o600)
        except FileNotFoundError:
            sysio.makedirs(sysio.dirname(path), 0o700)
            fd = _os.open(path, _FLAGS, 0o600)
        except OSError:
            if attempt:
                raise
            _os.unlink(path)  # a symlink (O_NOFOLLOW: ELOOP) or similar: remove the entry, not its target
            continue
        why = _unsafe(fd)
        if not why:
            return fd
        _os.close(fd)
        if attempt:
            raise OSError(f"state file {why}")
        _os.unlink(path)
    raise OSError("state file cannot be opened")  # pragma: no cover


_lockf = getattr(_os, "lockf", None)


def _lock(fd: int, wait_s: float) -> bool:
    """Take the file's write lock, polling for at most ``wait_s`` (the deadline must never hit a blocked lock)."""
    if _lockf is None:  # pragma: no cover - Windows
        return True
    end = time.monotonic() + wait_s
    delay = 0.0001
    while True:
        try:
            _lockf(fd, _os.F_TLOCK, 0)
            return True
        except (BlockingIOError, PermissionError):
            if time.monotonic() >= end:
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.002)


def _read(fd: int) -> bytes:
    _os.lseek(fd, 0, 0)
    chunks = []
    total = 0
    while total <= MAX_FILE_BYTES:
        b = _os.read(fd, 1 << 16)
        if not b:
            break
        chunks.append(b)
        total += len(b)
    return b"".join(chunks)


def _write_at_end(fd: int, data: bytes) -> None:
    _os.lseek(fd, 0, 2)
    sysio.write_all(fd, data)


def _rewrite(fd: int, data: bytes) -> None:
    # Write over, then cut to length. (Truncating to 0 first makes ext4 flush
    # the file on close, auto_da_alloc: milliseconds instead of microseconds.)
    _os.lseek(fd, 0, 0)
    sysio.write_all(fd, data)
    _os.ftruncate(fd, len(data))


def _locked(session_id: str, warnings: list[str], cfg: object) -> int | None:
    try:
        fd = _open(state_path(session_id))
    except OSError as e:
        warnings.append(f"session state unavailable ({e.strerror or e}); behaviour signals skipped")
        return None
    deadline_ms = getattr(cfg, "deadline_ms", 5000)
    if not _lock(fd, min(LOCK_WAIT_S, deadline_ms / 4000.0) if isinstance(deadline_ms, int) else LOCK_WAIT_S):
        _os.close(fd)
        warnings.append("session state busy; behaviour signals skipped for this call")
        return None
    return fd


def _load(fd: int, warnings: list[str]) -> tuple[list[Event], bool]:
    """(events, clean). A state that does not parse is dropped with a warning."""
    try:
        return parse(_read(fd)), True
    except (ValueError, UnicodeDecodeError, OSError) as e:
        warnings.append(f"session state was unreadable ({e}); started a fresh one")
        return [], False


# ------------------------------------------------------------------ public


def observe(call: ToolCall, verdict: Verdict, cfg: object, policy: Policy | None = None) -> list[Hit]:
    """Record this call in its session and return behaviour hits (category "behaviour").

    Pre events: signals from the history plus this call's tags, then the call
    is recorded with the decision it will get. Post events: an asked call that
    ran is marked as approved (it no longer counts as a denied attempt).
    ``policy`` (default: built from ``cfg``) decides the decision recorded
    for this call, the same way ``merge`` will.
    Never raises (apart from the deadline): problems become warnings.
    """
    sid = call.session_id
    if not sid or not isinstance(sid, str) or call.event not in (PRE, POST):
        return []
    if not getattr(cfg, "session_signals", True):
        return []
    try:
        if call.event == POST:
            _mark_ran(call, verdict.warnings, cfg)
            return []
        return _observe_pre(call, verdict, cfg, policy or _policy_of(cfg, call.cwd))
    except Exception as e:  # noqa: BLE001 - signals are an extra; a bug here must not fail the call
        verdict.warnings.append(f"session signals skipped ({type(e).__name__}: {str(e)[:200]})")
        return []


def _observe_pre(call: ToolCall, verdict: Verdict, cfg: object, policy: Policy) -> list[Hit]:
    now = int(time.time() * 1000)
    key = _key(call.session_id)
    cur, raw_words = _event_for(call, getattr(verdict, "tags", None) or set(), key, now)
    fd = _locked(call.session_id, verdict.warnings, cfg)
    if fd is None:
        return []
    try:
        prior, clean = _load(fd, verdict.warnings)
        replaced = False
        if cur.use:
            # The same tool call seen twice (PermissionRequest after PreToolUse): one event.
            for i in range(len(prior) - 1, max(len(prior) - 9, -1), -1):
                if prior[i].use == cur.use:
                    del prior[i]
                    replaced = True
                    break
        extra = signals(prior, cur, call.kind, raw_words, verdict.decision)
        cur.dec = _CODE.get(_merged(verdict, extra, policy)[2], "a")
        if any(h.rule_id == "session.persist-then-exec" for h in extra):
            cur.tags = cur.tags | {_FIRED_PERSIST}
        if clean and not replaced and len(prior) < MAX_EVENTS:
            _write_at_end(fd, cur.line().encode("ascii"))
        else:
            keep = (prior + [cur])[-MAX_EVENTS:]
            _rewrite(fd, "".join(e.line() for e in keep).encode("ascii"))
    finally:
        _os.close(fd)  # also releases the lock
    if int.from_bytes(_os.urandom(2), "little") % PRUNE_EVERY == 0:
        prune(keep=file_name(call.session_id))
    return extra


def _mark_ran(call: ToolCall, warnings: list[str], cfg: object) -> None:
    if not call.tool_use_id:
        return
    use = _th(call.tool_use_id, _key(call.session_id)) | 1
    path = state_path(call.session_id)
    if not sysio.exists(path):
        return
    fd = _locked(call.session_id, warnings, cfg)
    if fd is None:
        return
    try:
        try:
            events = parse(_read(fd))
        except (ValueError, UnicodeDecodeError):
            return  # the next pre event reports and resets it
        for e in reversed(events[-16:]):
            if e.use == use:
                if e.dec == "k":
                    e.dec = _RAN
                    e.raw = ""
                    _rewrite(fd, "".join(x.line() for x in events).encode("ascii"))
                break
    finally:
        _os.close(fd)


def load(session_id: str) -> list[dict]:
    """The recorded events of a session (for tests and the CLI); raises ValueError if the state is corrupt."""
    try:
        data = sysio.read_bytes(state_path(session_id), limit=MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return []
    return [e.as_dict() for e in parse(data)]


def reset(session_id: str) -> bool:
    """Forget a session's history. True when there was one."""
    try:
        _os.unlink(state_path(session_id))
        return True
    except FileNotFoundError:
        return False


def prune(max_age_s: float = MAX_AGE_S, now: float | None = None, keep: str = "") -> int:
    """Remove session files not written for ``max_age_s`` (but ``keep``); returns how many. Never raises."""
    d = sessions_dir()
    cutoff = (time.time() if now is None else now) - max_age_s
    n = 0
    try:
        names = sysio.listdir(d)
    except OSError:
        return 0
    for name in names:
        if name == keep or not (name.endswith(_SUFFIX) or name.endswith(".tmp")):
            continue
        p = sysio.join(d, name)
        try:
            st = _os.lstat(p)
            if st.st_mtime < cutoff:
                _os.unlink(p)
                n += 1
        except OSError:
            continue
    return n
