"""``rules update``: fetch, verify, validate and adopt a rule bundle, or keep what is there.

Every outcome is one line and an exit code:
0 adopted, already current (same version, HTTP 304) or nothing published (HTTP 404);
2 not configured (no rules_public_key, no source); 4 the bundle was refused (digest, signature, schema, rules that do not compile or fail their
own examples, downgrade); 5 the source could not be read. (3 stays the CLI's "internal error".)
In every case but "adopted", the rules in force stay as they were.
"""

from __future__ import annotations

import os
import time

import msgspec

from guard.config import paths
from guard.engine import bundle
from guard.rulesync import envelope, fetch

OK, NOT_CONFIGURED, REJECTED, FETCH_FAILED = 0, 2, 4, 5


class Outcome(msgspec.Struct):
    code: int
    message: str
    adopted: bool = False


def current(public_key: str) -> tuple[envelope.Verified | None, str | None]:
    """The adopted bundle if it still verifies with the configured key, else (None, why)."""
    path = bundle.bundle_path()
    try:
        data = open(path, "rb").read(envelope.MAX_BUNDLE_BYTES + 1)  # noqa: SIM115
    except FileNotFoundError:
        return None, None
    except OSError as e:
        return None, f"{path} unreadable ({e.strerror or e})"
    try:
        return envelope.open_bundle(data, public_key), None
    except envelope.BundleError as e:
        return None, f"{path}: {e}"


def _keeping(cur: envelope.Verified | None) -> str:
    return f"keeping bundle version {cur.payload.version}" if cur else "keeping the embedded rules"


def write_state(state: dict) -> None:
    from guard.runtime.sysio import write_atomic

    write_atomic(bundle.state_path(), msgspec.json.format(msgspec.json.encode(state), indent=1) + b"\n")


def update(cfg: object, from_file: str | None = None) -> Outcome:
    key = str(getattr(cfg, "rules_public_key", "") or "")
    if not key.strip():
        return Outcome(
            NOT_CONFIGURED,
            f"refused: no rules_public_key in the managed config ({paths.MANAGED_CONFIG}), so no bundle can be "
            "verified; keeping the embedded rules",
        )
    try:
        envelope.public_key(key)
    except (envelope.BundleError, ValueError) as e:
        return Outcome(NOT_CONFIGURED, f"refused: {e}; keeping the rules in force")
    cur, problem = current(key)
    keeping = _keeping(cur) + (f" (the adopted bundle is unusable: {problem})" if problem else "")
    state = bundle.read_state()
    now = time.time()

    if from_file:
        src = os.path.abspath(from_file)
        try:
            with open(from_file, "rb") as f:
                data = f.read(envelope.MAX_BUNDLE_BYTES + 1)
        except OSError as e:
            return Outcome(FETCH_FAILED, f"cannot read {from_file}: {e.strerror or e}; {keeping}")
        etag = ""
    else:
        url = bundle.source_url(cfg)
        if not url:
            return Outcome(NOT_CONFIGURED, f"no rules source: set rules_url or gateway_url; {keeping}")
        src = fetch.redact(url)
        same = cur is not None and state.get("url") == url and state.get("sha256") == cur.sha256
        try:
            got = fetch.get(
                url,
                etag=str(state.get("etag", "")) if same else "",
                timeout_ms=int(getattr(cfg, "timeout_ms", 2000)),
                ca_bundle=str(getattr(cfg, "ca_bundle", "") or ""),
                max_bytes=envelope.MAX_BUNDLE_BYTES,
                extra_headers=fetch.auth_headers(cfg, url),
            )
        except fetch.FetchError as e:
            return Outcome(FETCH_FAILED, f"cannot fetch the rule bundle: {e}; {keeping}")
        state["checked_at"] = now
        if got.status == 304 and cur is not None:
            write_state(state)
            return Outcome(OK, f"bundle version {cur.payload.version} is current ({src}: HTTP 304 not modified)")
        if got.status == 304:
            return Outcome(FETCH_FAILED, f"{src} answered 304 to an unconditional request; {keeping}")
        if got.status == 404:
            write_state(state)
            return Outcome(OK, f"{src} has no rule bundle (HTTP 404); {keeping}")
        data, etag = got.body, got.etag
        state["url"] = url

    try:
        v = envelope.open_bundle(data, key)
    except envelope.BundleError as e:
        return Outcome(REJECTED, f"rejected the bundle from {src}: {e}; {keeping}")
    version = v.payload.version
    if cur is not None and cur.sha256 == v.sha256:
        if etag:
            state["etag"] = etag
        write_state(state)
        return Outcome(OK, f"bundle version {version} is current")
    floor = max(cur.payload.version if cur else 0, int(state.get("highest_version", 0) or 0))
    repair = cur is None and state.get("sha256") == v.sha256 and state.get("version") == version
    if version <= floor and not repair:
        what = "is the adopted version number with different content" if version == floor else f"is older than {floor}"
        return Outcome(REJECTED, f"downgrade refused: bundle version {version} from {src} {what}; {keeping}")

    try:
        count = adopt(v, data, key)
    except Exception as e:  # noqa: BLE001 - RuleError, OSError, anything: keep the old rules
        first = str(e).splitlines()[0][:300] if str(e) else type(e).__name__
        return Outcome(REJECTED, f"rejected bundle version {version} from {src}: invalid rules ({first}); {keeping}")
    state.update(
        {
            "version": version,
            "sha256": v.sha256,
            "created": v.payload.created,
            "key_id": v.key_id,
            "adopted_at": now,
            "highest_version": max(version, int(state.get("highest_version", 0) or 0)),
            "source": src,
        }
    )
    if etag:
        state["etag"] = etag
    else:
        state.pop("etag", None)
    write_state(state)
    # Keep the fallback warm: should this bundle ever be refused on disk, the hook
    # switches to the embedded rules without compiling them under its deadline.
    from guard.engine.ruleset import load_embedded

    load_embedded()
    return Outcome(OK, f"adopted bundle version {version} ({count} rules, created {v.payload.created}) from {src}", adopted=True)


def validate(v: envelope.Verified, image: bytes) -> int:
    """Every rule decoded and compiled (``image``); now each must pass its own examples. Returns the rule count."""
    from guard.engine import examples
    from guard.engine.compiler import RuleError, load_rule_texts
    from guard.engine.ruleset import RuleSet

    rs = RuleSet.from_bytes(image)
    bad = examples.failures(load_rule_texts(envelope.split(v.payload)[0]), rs)
    if bad:
        raise RuleError("rule examples fail on this guard: " + "; ".join(bad))
    return len(rs.rules)


def adopt(v: envelope.Verified, data: bytes, key: str) -> int:
    """Compile and validate the verified bundle, then install file and cache; the old ones stay if anything fails.

    The envelope goes to a temp name first: its (size, mtime, inode) survive the final rename,
    so the compiled cache can be keyed on the identity ``bundle.json`` will have.
    """
    from guard.runtime.sysio import write_atomic

    final = bundle.bundle_path()
    tmp = f"{final}.{os.getpid()}.new"
    write_atomic(tmp, data)  # a private name: a concurrent update must not swap files under us
    try:
        st = os.stat(tmp)
        image = bundle.compile_payload(v, key, (st.st_size, st.st_mtime_ns, st.st_ino), final)
        count = validate(v, image)
        write_atomic(bundle.compiled_path(), image)
        os.replace(tmp, final)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return count
