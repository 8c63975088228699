"""Hook side of rule bundles: use the adopted, verified bundle, or fall back to the embedded rules.

Files, in ``{user_cache_dir}/bundle/`` (all written atomically, 0600):

- ``bundle.json``: the signed envelope as adopted by ``rules update`` (format: ``guard.rulesync``).
- ``rules-<python tag>.marshal``: its compiled form, like the embedded cache. Its key binds
  the guard and compiler version, the Python build, the configured ``rules_public_key`` and
  the identity of ``bundle.json`` (size, mtime_ns, inode).
- ``rejected-<python tag>.marshal``: the same key plus why the bundle was refused, so a bad
  bundle costs one failed verification, not one per hook call.
- ``state.json``: what ``rules update`` knows (source URL, ETag, version, digest, highest
  version seen, last check). Not read on the hook path.
- ``refresh.stamp`` / ``refresh.lock``: when the last background refresh started, and who runs it.

The hook never verifies Ed25519 on the warm path: it stats ``bundle.json`` and reads the
compiled cache (~the cost of the embedded one). When the file's identity no longer matches
the cache (edited, replaced, truncated, restored from backup), a new Python, a new guard, or
a rotated key), the hook re-verifies the envelope's digest and signature against the managed
key before compiling it again; a bundle that fails is refused and the embedded rules apply,
with a warning on every call until ``rules update`` adopts a good one. Never "no rules".

What this protects against, honestly:

- The network, a spoofed or compromised rules server, a mirror: nothing unsigned by the
  managed key is adopted; older signed bundles are refused (downgrade / replay).
- Accidents: truncation, partial writes, disk corruption, stale caches: detected and repaired
  or refused, falling back to the embedded rules, reported as a warning.
- Replacing or editing ``bundle.json`` (by hand, by a tool): its identity changes, so it is
  verified again before use, and rejected; a validly signed but older bundle put back there
  (a restored backup) is refused against the highest version recorded in ``state.json``.

What it does not protect against: a process running as the user that targets this
directory. It can delete the bundle (-> embedded rules), or write a compiled cache together
with a matching key (every input of the key is public) and so make the hook run rules of its
choosing, exactly as it already can with the embedded rules cache in the same directory or
the user's editor settings. The user's cache dir is not a trust boundary against the user's
own processes; only root-owned files (e.g. rules deployed by MDM next to the managed config)
could be, and that is not built yet. Signature checks on every call would not change this:
the same attacker can rewrite the cache of the verification result or the rules themselves.
"""

from __future__ import annotations

import marshal
import sys
import time

from guard import __version__
from guard.config import paths
from guard.engine import ruleset
from guard.engine.ruleset import RuleSet
from guard.runtime import sysio

BUNDLE_FILE = "bundle.json"
STATE_FILE = "state.json"
STAMP_FILE = "refresh.stamp"
LOCK_FILE = "refresh.lock"
LOCK_TTL_S = 900  # a refresh lock older than this belongs to a process that died
# Argument vector of the background refresh; None = this guard's own ``rules update --quiet``.
# (Tests point it at their launcher, which fixes the managed-config path.)
REFRESH_ARGV: list[str] | None = None


def bundle_dir() -> str:
    return sysio.join(paths.user_cache_dir(), "bundle")


def bundle_path() -> str:
    return sysio.join(bundle_dir(), BUNDLE_FILE)


def state_path() -> str:
    return sysio.join(bundle_dir(), STATE_FILE)


def _tag() -> str:
    return sys.implementation.cache_tag or "py"


def compiled_path() -> str:
    return sysio.join(bundle_dir(), f"rules-{_tag()}.marshal")


def rejected_path() -> str:
    return sysio.join(bundle_dir(), f"rejected-{_tag()}.marshal")


def fingerprint(public_key: str, ident: tuple) -> tuple:
    """What a compiled bundle cache was built from (see the module docstring)."""
    return ("bundle", __version__, (sysio.stat_key(ruleset._COMPILER) or (0, 0, 0))[:2], public_key.strip(), ident)


# ------------------------------------------------------------------ loading


def load(cfg: object, refresh: bool = False) -> RuleSet:
    """The adopted bundle when it is intact and verifies, else the embedded rules (with a note)."""
    key = str(getattr(cfg, "rules_public_key", "") or "")
    notes: list[str] = []
    rs = _load_bundle(key, notes) if key else None
    if rs is None:
        rs = ruleset.load_embedded()
        rs.notes[:0] = notes
    if refresh:
        try:
            maybe_refresh(cfg)
        except Exception as e:  # noqa: BLE001 - a refresh problem must not cost the verdict
            rs.notes.append(f"background rule refresh not started ({type(e).__name__}: {e})")
    return rs


def _load_bundle(key: str, notes: list[str]) -> RuleSet | None:
    path = bundle_path()
    ident = sysio.stat_key(path)
    if ident is None:
        return None
    fp = fingerprint(key, ident)
    cpath = compiled_path()
    try:
        rs = ruleset._open_cache(cpath, fp)
        if rs is not None:
            rs.rebuild = lambda: _repair(key)
            return rs
    except FileNotFoundError:
        pass
    except (OSError, ValueError, EOFError, TypeError, KeyError, IndexError) as e:
        notes.append(f"rule bundle cache {cpath} unreadable ({type(e).__name__}); verifying the bundle again")
    why = _rejected(fp)
    if why is None:
        try:
            data = compile_verified(key, path)
        except Exception as e:  # noqa: BLE001 - any failure means: not this bundle
            why = _one_line(e)
            _remember_rejection(fp, why)
        else:
            rs = RuleSet.from_bytes(data, notes)
            rs.rebuild = lambda: _repair(key)
            return rs
    notes.append(f"rule bundle {path} refused ({why}); using the embedded rules. Run 'clampd-guard rules update'")
    return None


def compile_verified(public_key: str, path: str | None = None) -> bytes:
    """Verify the bundle file, compile it and write its cache; returns the cache image.

    Raises ``envelope.BundleError`` (or ``compiler.RuleError``, ``OSError``) when the
    bundle cannot be used.
    """
    from guard.engine import compiler  # noqa: F401 - first: makes site-packages importable under -I -S
    from guard.rulesync import envelope

    path = path or bundle_path()
    before = sysio.stat_key(path)
    data = sysio.read_bytes(path, limit=envelope.MAX_BUNDLE_BYTES + 1)
    if before is None or sysio.stat_key(path) != before or len(data) != before[0]:
        raise OSError(f"{path} changed while it was read")
    v = envelope.open_bundle(data, public_key)
    highest = read_state().get("highest_version", 0)
    if isinstance(highest, int) and v.payload.version < highest:
        # A validly signed but older bundle put in place behind ``rules update``'s back
        # (a backup restored, a replay): the same downgrade rule applies.
        raise envelope.BundleError(f"bundle version {v.payload.version} is older than version {highest}, adopted before")
    image = compile_payload(v, public_key, before, path)
    try:
        sysio.write_atomic(compiled_path(), image)
    except OSError:
        pass  # still usable from memory; the next call tries again
    return image


def compile_payload(v: object, public_key: str, ident: tuple, path: str) -> bytes:
    """The cache image of a verified bundle (``envelope.Verified``) stored at ``path``."""
    from guard.engine import compiler
    from guard.rulesync import envelope

    p = v.payload  # type: ignore[attr-defined]
    files, macros = envelope.split(p)
    info = {"version": p.version, "created": p.created, "sha256": v.sha256, "key_id": v.key_id, "path": path}  # type: ignore[attr-defined]
    return compiler.compile_texts(
        files,
        compiler.parse_macros(macros) if macros is not None else {},
        fingerprint(public_key, ident),
        f"bundle-{p.version}",
        "bundle",
        extra={"bundle": info},
    )


def _repair(key: str) -> bytes:
    """A damaged pattern blob in the bundle cache: verify and compile again (same rules, same order)."""
    try:
        return compile_verified(key)
    except Exception:
        try:
            sysio.unlink(compiled_path())
        except OSError:
            pass
        raise


def _rejected(fp: tuple) -> str | None:
    try:
        got = marshal.loads(sysio.read_bytes(rejected_path(), limit=1 << 16))
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if isinstance(got, dict) and got.get("key") == ruleset.cache_key(fp):
        return str(got.get("why", "rejected"))
    return None


def _remember_rejection(fp: tuple, why: str) -> None:
    """Later calls skip straight to the embedded rules (and still report why)."""
    try:
        sysio.write_atomic(rejected_path(), marshal.dumps({"key": ruleset.cache_key(fp), "why": why}))
        sysio.unlink(compiled_path())  # a stale cache would only be read and found not to match
    except (OSError, ValueError):
        pass


def _one_line(e: BaseException) -> str:
    s = str(e).splitlines()[0] if str(e) else type(e).__name__
    return s[:300]


# ------------------------------------------------------------------ background refresh


def source_url(cfg: object) -> str:
    """Where bundles come from: ``rules_url``, else the gateway's rules endpoint, else ''."""
    url = str(getattr(cfg, "rules_url", "") or "")
    if url:
        return url
    gw = str(getattr(cfg, "gateway_url", "") or "")
    return gw.rstrip("/") + "/v1/guard/rules" if gw else ""


def refresh_due(cfg: object, now: float | None = None) -> bool:
    """A source and a key are configured, refresh is on, and the last attempt is older than the max age."""
    hours = int(getattr(cfg, "rules_max_age_hours", 0) or 0)
    if hours <= 0 or not getattr(cfg, "rules_public_key", "") or not source_url(cfg):
        return False
    st = sysio.stat_key(sysio.join(bundle_dir(), STAMP_FILE))
    now = time.time() if now is None else now
    return st is None or now - st[1] / 1e9 >= hours * 3600


def maybe_refresh(cfg: object) -> bool:
    """Start one detached ``rules update --quiet`` when due; True when this call started it."""
    if not refresh_due(cfg):
        return False
    if not _claim():
        return False
    _touch_stamp()
    try:
        sysio.spawn_detached(REFRESH_ARGV or refresh_argv())
    except BaseException:
        release_lock()
        raise
    return True


def _claim() -> bool:
    """Create the lock file exclusively: of many parallel hooks, one starts the refresh."""
    return sysio.claim(sysio.join(bundle_dir(), LOCK_FILE), LOCK_TTL_S, str(sysio.getpid()).encode())


def _touch_stamp() -> None:
    sysio.write_atomic(sysio.join(bundle_dir(), STAMP_FILE), str(time.time()).encode())


def finish_refresh() -> None:
    """``rules update`` ends (any outcome): restart the max-age clock and let the next refresh run."""
    try:
        _touch_stamp()
    except OSError:
        pass
    release_lock()


def release_lock() -> None:
    """The refresh lock goes when ``rules update`` ends (or a spawn failed)."""
    try:
        sysio.unlink(sysio.join(bundle_dir(), LOCK_FILE))
    except OSError:
        pass


def refresh_argv() -> list[str]:
    """This guard's own ``rules update --quiet``: the frozen binary, or the package's launcher."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "rules", "update", "--quiet"]
    hookmain = sysio.join(sysio.dirname(sysio.dirname(__file__)), "hookmain.py")
    # -I without -S: isolated from the environment, but site-packages (httpx, cryptography) load.
    return [sys.executable, "-I", hookmain, "rules", "update", "--quiet"]


# ------------------------------------------------------------------ status


def active_info(cfg: object) -> dict:
    """The rule set in force, for ``status``, ``doctor`` and ``rules list``.

    Keys: source ("bundle" | "embedded"), version (bundle int, or the guard's version),
    ruleset_version, rules (count), age_s (since the bundle was created; None for
    embedded), checked_age_s (since the last update check), path, url (the bundle's origin or the
    configured source, without credentials), sha256, created, problem
    (why a bundle on disk is not used, or None), refresh (whether auto refresh is on).
    """
    rs = load(cfg, refresh=False)
    key = str(getattr(cfg, "rules_public_key", "") or "")
    now = time.time()
    problem = None
    if rs.source != "bundle":
        if sysio.exists(bundle_path()) and not key:
            problem = "a rule bundle is on disk but no rules_public_key is configured in the managed config"
        elif rs.notes:
            problem = "; ".join(rs.notes)
    state = read_state()
    checked = state.get("checked_at")
    from guard.rulesync.fetch import redact

    configured = source_url(cfg)
    origin = (state.get("source") if rs.bundle else None) or (redact(configured) if configured else None)
    info: dict = {
        "source": rs.source,
        "version": rs.bundle["version"] if rs.bundle else __version__,
        "ruleset_version": rs.version,
        "rules": len(rs.rules),
        "age_s": None,
        "checked_age_s": round(now - checked, 1) if isinstance(checked, (int, float)) else None,
        "path": rs.bundle["path"] if rs.bundle else ruleset.RULES_DIR,
        "url": origin,  # where the bundle came from (URL without credentials, or a file), or the configured source
        "sha256": rs.bundle["sha256"] if rs.bundle else None,
        "created": rs.bundle["created"] if rs.bundle else None,
        "problem": problem,
        "refresh": bool(key and source_url(cfg) and int(getattr(cfg, "rules_max_age_hours", 0) or 0) > 0),
    }
    if rs.bundle:
        info["age_s"] = round(now - _parse_utc(rs.bundle["created"]), 1)
    return info


def _parse_utc(s: str) -> float:
    import calendar

    return float(calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ")))


def read_state() -> dict:
    """``state.json`` (management side), {} when absent or unreadable."""
    from guard.runtime import jsonfast

    try:
        got = jsonfast.loads(sysio.read_bytes(state_path(), limit=1 << 20).decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    return got if isinstance(got, dict) else {}
