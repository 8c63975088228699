"""Hook mode: stdin -> editor adapter -> engine -> (gateway) -> verdict -> editor.

Every path ends in a defined answer. An exit code other than 0/2, a traceback
or being killed at the editor's timeout would make Claude Code run the tool,
so this module owns the deadline and the catch-all handler.
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()  # as close to process start as Python code gets (audit latency)

from guard.editors.base import Answer, BadInput, warning_lines  # noqa: E402
from guard.runtime import deadline, sysio  # noqa: E402
from guard.runtime.deadline import DeadlineExceeded  # noqa: E402
from guard.verdict import DENY, FAILSAFE, Verdict  # noqa: E402


def _agent(argv: list[str]) -> str | None:
    for i, a in enumerate(argv):
        if a == "--agent" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--agent="):
            return a.split("=", 1)[1]
    return None


def emit(ans: Answer) -> int:
    """One write per stream; stdout is empty or exactly one JSON object."""
    deadline.disarm()
    if ans.stderr:
        try:
            sysio.write_all(2, ans.stderr.encode("utf-8", "replace"))
        except OSError:
            pass
    if ans.stdout:
        try:
            sysio.write_all(1, ans.stdout.encode("utf-8"))
        except OSError:
            pass
    return ans.code


def finish(
    ans: Answer, v: Verdict, cfg: object, call: object = None, adapter: object = None, raw: str = "", rules: object = None
) -> int:
    """Every exit path ends here: emit the answer first, then record the decision.

    The answer goes out before the audit append, so nothing the audit does
    (a full disk, a read-only home, a slow file system) can change or delay
    the verdict past the deadline: the append gets its own short deadline.
    """
    code = emit(ans)
    if cfg is not None and getattr(cfg, "audit", True) is False:
        return code
    try:
        deadline.arm(_AUDIT_BUDGET_S)
        try:
            from guard.audit import journal

            journal.record(v, cfg, call, adapter, raw, rules, _T0)
        finally:
            deadline.disarm()
    except BaseException:  # noqa: BLE001 - the verdict already stands; never a traceback
        pass
    return code


_AUDIT_BUDGET_S = 1.0


def _unraisable(_info: object) -> None:
    """Exceptions Python cannot raise (in destructors, weakref callbacks) are not the editor's business.

    The one that matters, a deadline landing there, fires again (see ``deadline.REFIRE``).
    """


def main(argv: list[str]) -> int:
    """Run one hook call; returns the exit code. Never raises."""
    import sys

    sys.unraisablehook = _unraisable  # no "Exception ignored ..." text on stderr, which exit 2 shows the model
    t0 = _T0  # the deadline and the audit latency count from the same moment
    adapter = None
    call = None
    cfg = None
    try:
        from guard.config.load import Config, load
        from guard.decide import failsafe

        try:
            cfg = load()
        except Exception as e:  # pragma: no cover - load() reports problems, it should not raise
            cfg = Config()
            cfg.managed_error = f"configuration could not be loaded ({type(e).__name__})"
            cfg.fail_open = False
        from guard import editors

        agent = _agent(argv)
        if agent is not None:
            try:
                adapter = editors.get(agent)
            except KeyError:
                v = failsafe(cfg, f"unknown --agent {agent!r} (supported: {', '.join(sorted(set(editors.ADAPTERS)))})")
                return _unparsed(v, cfg)

        if sysio.isatty(0) and not sysio.getenv("CLAUDE_TOOL_NAME"):
            why = "stdin is a terminal: hook mode reads the editor's hook JSON on stdin (see clampd-guard --help)"
            return _unparsed(failsafe(cfg, why), cfg, adapter=adapter)
        deadline.arm(cfg.stdin_timeout_ms / 1000.0)
        from guard.runtime import stdin

        try:
            got = stdin.read_payload(cfg.max_input_bytes)
        except DeadlineExceeded:
            return _unparsed(failsafe(cfg, f"no complete hook payload on stdin within {cfg.stdin_timeout_ms} ms"), cfg, adapter=adapter)
        remaining = cfg.deadline_ms / 1000.0 - (time.perf_counter() - t0)
        deadline.arm(max(remaining, 0.05))

        text, warning = stdin.decode(got.data)
        if got.truncated:
            return _unparsed(
                failsafe(cfg, f"hook payload of {got.total} bytes exceeds max_input_bytes ({cfg.max_input_bytes})"),
                cfg,
                text,
                adapter,
            )
        payload = None
        if not text.strip():
            payload = (adapter or editors.get("claude")).payload_from_env()  # type: ignore[attr-defined]
            if payload is None:
                return _unparsed(failsafe(cfg, "empty hook input on stdin"), cfg, adapter=adapter)
        if payload is None:
            from guard.runtime import jsonfast

            try:
                payload = jsonfast.loads(text)
            except ValueError as e:
                return _unparsed(failsafe(cfg, f"hook input is not valid JSON ({e})"), cfg, text, adapter)
        if adapter is None:
            adapter = editors.sniff(payload)
        try:
            call = adapter.parse(payload)  # type: ignore[attr-defined]
            adapter, call = editors.reconsider(adapter, call, payload)
        except BadInput as e:
            return _unparsed(failsafe(cfg, str(e)), cfg, text, adapter)
        if warning:
            call.warnings.append(warning)
        from guard.decide import judge
        from guard.engine.ruleset import load_active

        rules = load_active(cfg, refresh=True)  # the adopted signed bundle, else the embedded rules
        v = judge(call, cfg, rules, record=True)
        return finish(adapter.render(call, v), v, cfg, call, adapter, rules=rules)
    except DeadlineExceeded:
        return _late(adapter, call, cfg, "the guard ran out of time (deadline_ms)")
    except BaseException as e:  # noqa: BLE001 - the editor must never see a traceback
        if isinstance(e, SystemExit):
            raise
        return _late(adapter, call, cfg, f"internal error ({type(e).__name__}: {_one_line(e)})")


def _one_line(e: BaseException) -> str:
    s = str(e).splitlines()[0] if str(e) else ""
    return s[:200]


def _late(adapter: object, call: object, cfg: object, why: str) -> int:
    """A failure after parsing: answer in the event's own protocol when we know it."""
    deadline.disarm()
    try:
        from guard.config.load import Config
        from guard.decide import failsafe

        v = failsafe(cfg if cfg is not None else Config(), why)
        if adapter is not None and call is not None:
            return finish(adapter.render(call, v), v, cfg, call, adapter)  # type: ignore[attr-defined]
        return _unparsed(v, cfg, adapter=adapter, scan=False)
    except BaseException:  # noqa: BLE001 - last resort: block with exit 2
        return finish(Answer("", f"clampd-guard: {why}\n", 2), Verdict(DENY, 1.0, reason=why, source=FAILSAFE), cfg, call, adapter)


def _unparsed(v: Verdict, cfg: object = None, raw: str = "", adapter: object = None, scan: bool = True) -> int:
    """Answer without a parsed event: allow (exit 0, warning) or block (exit 2, reason on stderr).

    Before giving in to fail-open, the raw text is scanned as an unknown tool:
    a payload made unparseable on purpose must not carry ``rm -rf ~`` past the rules.
    """
    if scan and raw and v.decision != DENY and cfg is not None:
        hit = _raw_scan(raw, cfg)
        if hit is not None:
            v = hit
    known = adapter
    if adapter is None:
        from guard.editors import claude_code as adapter
    if v.decision == DENY:
        if v.source == FAILSAFE:
            return finish(adapter.render_unparsed_deny(v.reason), v, cfg, adapter=known, raw=raw)  # type: ignore[attr-defined]
        from guard import reasons
        from guard.toolcall import PRE, ToolCall

        ans = adapter.render_unparsed_deny(reasons.block_reason(ToolCall("?", PRE, "?"), v))  # type: ignore[attr-defined]
        return finish(ans, v, cfg, adapter=known, raw=raw)
    msg = warning_lines(v.warnings or [v.reason])
    allow = getattr(adapter, "render_unparsed_allow", None)
    return finish(Answer(allow().stdout if allow else "", msg, 0), v, cfg, adapter=known, raw=raw)


def _raw_scan(raw: str, cfg: object) -> Verdict | None:
    from guard.decide import decide
    from guard.engine.ruleset import load_active
    from guard.toolcall import PRE, ToolCall

    from guard.runtime.jsonfast import string_literals

    strings = string_literals(raw[: 4 << 20]) or [raw[: 1 << 20]]
    call = ToolCall("?", PRE, "?", tool="", kind="unknown", params={"strings": strings})
    v = decide(call, cfg, load_active(cfg))  # type: ignore[arg-type]
    return v if v.decision == DENY else None
