"""Hook side of the audit trail: build one redacted record and append it to the journal.

Runs on every hook call, so it imports nothing beyond builtins and the guard's
own runtime helpers (no sqlite3, json, re, os or hashlib: each costs a large
share of the interpreter's start-up).

Append protocol (lock-free on the hook side):

- The hook opens the journal with O_APPEND, writes its line with ONE write,
  then ``fstat``s the descriptor. A fold claims a journal by renaming it and
  then clearing its write bits (``chmod 0400``) *before* it reads it. A hook
  that sees the write bits cleared after its write may have written after the
  fold read the file, so it writes the line again to the new journal. The
  record id makes that retry harmless: the store inserts ids at most once.
- If the journal cannot be written (read-only dir, disk full, a directory in
  its place), the line goes to a fallback file in the cache dir, then in a
  private temp dir, with the failure noted in the record. The verdict never
  depends on any of this.
- Each time the journal grows past another ``FOLD_EVERY`` bytes the hook
  starts a detached ``clampd-guard audit --fold-only`` (never waited for), so
  retention applies even to users who never run ``audit``.
"""

from __future__ import annotations

import sys
import time

from guard.config import paths
from guard.runtime import jsonfast, sysio

_os = sysio._os

FORMAT = 1
# Every record line starts with this: a fold can resynchronise after a torn line.
MARK = '{"v":%d,"id":"' % FORMAT
JOURNAL = "audit-journal.jsonl"
FALLBACK = "audit-fallback.jsonl"
CLAIMED = ".claimed"
FOLD_EVERY = 1 << 20

PREVIEW_CHARS = 160
REASON_CHARS = 300
_WINDOW = 2048  # masking looks at this much of a long text; the preview keeps only its start

_FLAGS = _os.O_WRONLY | _os.O_APPEND | _os.O_CREAT
_FLAGS |= getattr(_os, "O_CLOEXEC", 0) | getattr(_os, "O_NOFOLLOW", 0) | getattr(_os, "O_BINARY", 0)


# --------------------------------------------------------------------------- where


def journal_path() -> str:
    return sysio.join(paths.user_state_dir(), JOURNAL)


def fallback_paths() -> list[str]:
    """Where records go when the journal cannot be written: the cache dir, then a private temp dir."""
    out = [sysio.join(paths.user_cache_dir(), FALLBACK)]
    tmp = private_tmp_dir()
    if tmp:
        out.append(sysio.join(tmp, FALLBACK))
    return out


def private_tmp_dir() -> str:
    base = sysio.getenv("TMPDIR") or sysio.getenv("TEMP") or ("C:\\Windows\\Temp" if sysio.WINDOWS else "/tmp")
    uid = _os.getuid() if hasattr(_os, "getuid") else 0
    return sysio.join(base, f"clampd-guard-{uid}")


def _safe_private_dir(path: str) -> bool:
    """A shared temp dir is hostile ground: use our dir only if it is ours, private and not a link."""
    try:
        sysio.makedirs(path)
        st = _os.lstat(path)
    except OSError:
        return False
    if sysio.WINDOWS:  # pragma: no cover
        return True
    return (st.st_mode & 0o170000) == 0o040000 and st.st_uid == _os.getuid() and not (st.st_mode & 0o077)


# --------------------------------------------------------------------------- redaction

_TOKEN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-")
_DIGITS = frozenset("0123456789")
_KEYWORDS = (
    "pass", "pwd", "secret", "token", "apikey", "api_key", "api-key", "auth", "credential", "private",
    "access_key", "accesskey", "session_key", "signature",
)
_FLAG_USER = ("-u", "--user", "--proxy-user")
_SCHEMES = ("bearer", "basic", "token", "authorization")
MASK = "[MASKED]"


def _is_key(name: str) -> bool:
    n = name.lower().strip("-\"'$ ")
    return bool(n) and any(k in n for k in _KEYWORDS)


def _mask_long_tokens(text: str) -> str:
    """Replace long token-like runs (API keys, hashes, base64 blobs) that no rule named."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] not in _TOKEN:
            j = i
            while j < n and text[j] not in _TOKEN:
                j += 1
            out.append(text[i:j])
            i = j
            continue
        j = i
        while j < n and text[j] in _TOKEN:
            j += 1
        run = text[i:j]
        out.append(MASK if _secretish(run) else run)
        i = j
    return "".join(out)


def _secretish(run: str) -> bool:
    if len(run) < 20:
        return False
    if not any(c in _DIGITS for c in run) or run.isdigit():
        return False
    if run.startswith("/") or run.startswith("-"):
        # a path or a long option: only its '/'- and '-'-free pieces can be keys
        return any(_secretish(p) for p in run.replace("-", "/").split("/") if p)
    # paths with several short segments ("src/app2/io") are not keys; base64 has few slashes
    return run.count("/") * 12 <= len(run)


def _mask_words(text: str) -> str:
    """key=value / --password value / user:pass@host / -u user:pass: the value goes."""
    words = text.split(" ")
    mask_next = False
    mysql = False
    for k, w in enumerate(words):
        if not w:
            continue
        if "mysql" in w or "mariadb" in w:
            mysql = True  # mysql -pSECRET: the password is glued to the flag
        elif mysql and w.startswith("-p") and len(w) > 2:
            words[k] = "-p" + MASK
            continue
        if mask_next:
            words[k] = MASK
            mask_next = w.lower().strip("\"'") in _SCHEMES  # "Authorization: Bearer <token>"
            continue
        low = w.lower()
        if "://" in w and "@" in w:
            head, _s, rest = w.partition("://")
            cred, at, host = rest.rpartition("@")
            if at and ":" in cred:
                words[k] = f"{head}://{cred.split(':', 1)[0]}:{MASK}@{host}"
                continue
        if low in _FLAG_USER:
            nxt = words[k + 1] if k + 1 < len(words) else ""
            if ":" in nxt:
                words[k + 1] = nxt.split(":", 1)[0] + ":" + MASK
            continue
        for sep in ("=", ":"):
            key, s, value = w.partition(sep)
            if s and value and _is_key(key):
                words[k] = key + sep + MASK
                break
        else:
            bare = low.strip("\"'").rstrip(":=")
            if bare in _SCHEMES or (_is_key(w) and (w.startswith("-") or w.endswith(":") or w.endswith("="))):
                mask_next = True
    return " ".join(words)


def redact(text: str, hits: list | None = None, limit: int = PREVIEW_CHARS) -> str:
    """One short line with every secret masked: rule hits first, then generic maskers."""
    if not text:
        return ""
    window = text[:_WINDOW]
    if len(text) > _WINDOW:
        cut = max(window.rfind(" "), window.rfind("\n"))
        window = window[:cut] if cut > 0 else ""  # never keep a torn token
    for h in hits or ():
        if getattr(h, "secret", False) and h.text and len(h.text) >= 4:
            window = window.replace(h.text, h.shown_text())
    line = " ".join(window.split())
    line = _mask_long_tokens(_mask_words(line))
    if len(line) > limit or len(window) < len(text):
        line = line[: limit - 3].rstrip() + "..."
    return line


# --------------------------------------------------------------------------- the record


def _sha256_hex(data: bytes) -> str:
    try:
        import _sha256 as mod  # a small builtin extension; hashlib costs ~3 ms (it loads OpenSSL)

        return mod.sha256(data).hexdigest()
    except ImportError:  # pragma: no cover - Python 3.12+ / unusual builds
        try:
            import _sha2 as mod2  # type: ignore[import-not-found]

            return mod2.sha256(data).hexdigest()
        except ImportError:
            import hashlib

            return hashlib.sha256(data).hexdigest()


def _canon(obj: object, depth: int = 0) -> object:
    """The params with every object's keys sorted: the same call always digests the same."""
    if depth > 100:
        return "..."
    if isinstance(obj, dict):
        return {str(k): _canon(obj[k], depth + 1) for k in sorted(obj, key=str)}
    if isinstance(obj, (list, tuple)):
        return [_canon(v, depth + 1) for v in obj]
    return obj


def params_digest(params: object) -> str:
    """SHA-256 of the canonical JSON of the params (sorted keys, compact, ASCII)."""
    return _sha256_hex(jsonfast.dumps(_canon(params)).encode("ascii"))


_PREVIEW_KEYS = ("command", "file_path", "path", "notebook_path", "url", "query", "pattern", "prompt", "description")


def preview_text(call: object) -> str:
    """What the call was about, before redaction: the command, path, URL or prompt."""
    if call is None:
        return ""
    prompt = getattr(call, "prompt", "")
    params = getattr(call, "params", None) or {}
    if not params and prompt:
        return prompt
    for k in _PREVIEW_KEYS:
        v = params.get(k)
        if isinstance(v, str) and v:
            return v
    # key=value words, so that the key=value masker sees every field of an unknown tool
    parts = []
    for k, v in params.items():
        try:
            parts.append(f"{k}={v if isinstance(v, str) else jsonfast.dumps(v)}")
        except ValueError:
            continue
        if sum(map(len, parts)) > _WINDOW:
            break
    return " ".join(parts)


def rules_label(rules: object) -> str:
    """What identifies the active rule set: source and version ("bundle:bundle-7", "embedded:0.1.0")."""
    if rules is None:
        return ""
    return f"{getattr(rules, 'source', '') or '?'}:{getattr(rules, 'version', '') or '?'}"


def utc_now(t: float) -> str:
    """SQLite's own datetime format in UTC, so ``time > datetime('now','-1 hour')`` works."""
    ms = int((t - int(t)) * 1000)
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) + ".%03d" % ms


def _clip(s: object, n: int = 120) -> str:
    s = s if isinstance(s, str) else ""
    return s[:n]


def build(v: object, call: object = None, editor: str = "", raw: str = "", rules: object = None, t0: float | None = None) -> dict:
    """The record for one decision. Only masked text leaves this function."""
    now = time.time()
    hits = getattr(v, "hits", None) or []
    reason = getattr(v, "reason", "") or ""
    if not reason and hits:
        top = hits[0]
        reason = f"{top.title}: {top.shown_text(80)}"
    if getattr(v, "source", "") == "offline":  # why the gateway had no say (decide adds an "offline: ..." warning)
        why = next((w for w in getattr(v, "warnings", ()) if isinstance(w, str) and w.startswith("offline:")), "")
        if why and why not in reason:
            reason = f"{reason} [{why}]" if reason else why
    ids = []
    # local hits, then the gateway's matched rules when the verdict carries them (``gateway_rules``)
    for rid in [h.rule_id for h in hits] + list(getattr(v, "gateway_rules", None) or ()):
        if isinstance(rid, str) and rid not in ids:
            ids.append(rid[:100])
    tool = _clip(getattr(call, "tool", ""))
    if call is not None:
        params = call.params if call.params or not call.prompt else {"prompt": call.prompt}  # type: ignore[attr-defined]
        digest = params_digest(params)
    else:
        digest = _sha256_hex(raw.encode("utf-8", "surrogatepass")) if raw else ""
    rec = {
        "v": FORMAT,
        "id": _os.urandom(16).hex(),
        "time": utc_now(now),
        "editor": _clip(getattr(call, "editor", "") or editor or "?", 40),
        "event": _clip(getattr(call, "event", "") or "?", 20),
        "raw_event": _clip(getattr(call, "raw_event", ""), 60),
        "session_id": _clip(getattr(call, "session_id", "")),
        "tool_use_id": _clip(getattr(call, "tool_use_id", "")),
        "tool": tool,
        "scope": _scope(tool),
        "verdict": getattr(v, "decision", "?"),
        "source": getattr(v, "source", "?"),
        "risk": round(float(getattr(v, "risk", 0.0) or 0.0), 3),
        "rule_ids": ",".join(ids),
        "reason": redact(reason, hits, REASON_CHARS),
        "latency_ms": round((time.perf_counter() - t0) * 1000.0, 2) if t0 is not None else None,
        "ruleset": rules_label(rules),
        "params_sha256": digest,
        "preview": redact(preview_text(call) if call is not None else "", hits),
        "cwd": redact(getattr(call, "cwd", "") or "", None, 300),
    }
    return rec


def _scope(tool: str) -> str:
    if not tool:
        return ""
    from guard.engine.toolkinds import scope_of

    return scope_of(tool)


def encode(rec: dict) -> bytes:
    line = jsonfast.dumps(rec)
    if not line.startswith(MARK):  # pragma: no cover - build() always puts v and id first
        raise ValueError("record must start with v and id")
    return (line + "\n").encode("ascii")


# --------------------------------------------------------------------------- append


class AppendResult:
    """Where the line went, the file's size after it, the line's length and why the journal was skipped."""

    __slots__ = ("path", "size", "length", "fallback_error")

    def __init__(self, path: str, size: int, length: int, fallback_error: str = "") -> None:
        self.path = path
        self.size = size
        self.length = length
        self.fallback_error = fallback_error


def append_line(path: str, line: bytes) -> int:
    """Append one line with one write; returns the file size after it. Raises OSError."""
    for _attempt in range(4):
        try:
            fd = _os.open(path, _FLAGS, 0o600)
        except FileNotFoundError:
            sysio.makedirs(sysio.dirname(path))
            fd = _os.open(path, _FLAGS, 0o600)
        try:
            n = _os.write(fd, line)
            if n != len(line):
                raise OSError(28, "short write (disk full?)")
            st = _os.fstat(fd)
        finally:
            _os.close(fd)
        if st.st_mode & 0o200:
            return st.st_size
        # A fold claimed this file while we wrote: it may not have seen our line. Write it again
        # to the fresh journal; the record id keeps the store from counting it twice.
    raise OSError(11, "journal kept being claimed by folds")


def append(rec: dict, journal: str | None = None, fallbacks: list[str] | None = None) -> AppendResult:
    """Append to the journal, else to the first fallback file that takes it. Raises OSError if none does."""
    journal = journal or journal_path()
    line = encode(rec)
    try:
        return AppendResult(journal, append_line(journal, line), len(line))
    except OSError as e:
        why = f"{journal}: {e.strerror or e}"
    rec["fallback_error"] = why[:300]
    line = encode(rec)
    last: OSError | None = None
    for fb in fallbacks if fallbacks is not None else fallback_paths():
        if fb.startswith(private_tmp_dir()) and not _safe_private_dir(sysio.dirname(fb)):
            continue
        try:
            return AppendResult(fb, append_line(fb, line), len(line), why)
        except OSError as e:
            last = e
    raise last or OSError(why)


def record(
    v: object, cfg: object, call: object = None, adapter: object = None, raw: str = "", rules: object = None,
    t0: float | None = None,
) -> AppendResult | None:
    """Record one decision (hook mode). Never raises: the verdict is already on its way."""
    if cfg is not None and getattr(cfg, "audit", True) is False:
        return None
    try:
        rec = build(v, call, getattr(adapter, "NAME", "") if adapter is not None else "", raw, rules, t0)
        res = append(rec)
    except Exception:  # noqa: BLE001 - nothing here may break the verdict
        return None
    if not res.fallback_error and (res.size - res.length) // FOLD_EVERY != res.size // FOLD_EVERY:
        spawn_fold()
    return res


# --------------------------------------------------------------------------- detached fold


def fold_command() -> list[str]:
    """How to run ``clampd-guard audit --fold-only`` with this very installation."""
    if getattr(sys, "frozen", False):  # pragma: no cover - PyInstaller build
        return [sys.executable, "audit", "--fold-only"]
    hookmain = sysio.join(sysio.dirname(sysio.dirname(__file__)), "hookmain.py")
    return [sys.executable, "-I", "-S", hookmain, "audit", "--fold-only"]


def spawn_fold() -> bool:
    """Start a detached fold (own session, stdio on /dev/null) and do not wait for it."""
    if not hasattr(_os, "posix_spawn"):  # pragma: no cover - Windows: the next `audit` folds
        return False
    try:
        sysio.spawn_detached(fold_command())
    except (OSError, TypeError, ValueError):
        return False
    return True
