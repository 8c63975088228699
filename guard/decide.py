"""Combine the local verdict with configuration (and, later, the gateway's opinion).

Order matters: a broken managed config denies before anything else; a local
deny short-circuits before any network call.
"""

from __future__ import annotations

from guard.config.load import Config
from guard.engine.evaluate import evaluate
from guard.engine.policy import Policy
from guard.engine.ruleset import RuleSet
from guard.toolcall import POST, PRE, PROMPT, ToolCall
from guard.verdict import ALLOW, DENY, FAILSAFE, Verdict


def failsafe(cfg: Config, why: str) -> Verdict:
    """The verdict when no real decision can be made: follows fail_open."""
    if cfg.fail_open and not cfg.managed_error:
        v = Verdict(ALLOW, 0.0, reason=why, source=FAILSAFE)
        v.warnings.append(f"{why}; allowed because fail_open is true")
        return v
    return Verdict(DENY, 1.0, reason=f"{why}. The guard is configured to fail closed.", source=FAILSAFE)


def decide(call: ToolCall, cfg: Config, rules: RuleSet, record: bool = False) -> Verdict:
    """The local verdict; with ``record`` (hook mode only) the session's behaviour counts too."""
    if cfg.managed_error and call.event in (PRE, PROMPT):
        v = Verdict(
            DENY,
            1.0,
            reason=f"the managed configuration is broken ({cfg.managed_error}). "
            "Ask your administrator to fix it; the guard fails closed until then",
            source=FAILSAFE,
        )
        return v
    policy = Policy.from_config(cfg, call.cwd)
    v = evaluate(call, rules, cfg.thresholds, policy)
    if record and cfg.session_signals and call.session_id and _session_relevant(call, v):
        from guard.engine import session

        session.merge(v, session.observe(call, v, cfg, policy), policy)
    if cfg.managed_error and call.event == POST:
        v.warnings.append(f"managed configuration is broken: {cfg.managed_error}")
    return v


def _session_relevant(call: ToolCall, v: Verdict) -> bool:
    """Whether this call can start, continue or trip a session pattern.

    A pre call that is allowed and carries no behaviour tag (ls, git status,
    npm test) can neither complete a sequence nor count as a denial, so it
    costs no state I/O; post events mark approved asks.
    """
    if call.event == POST:
        return True
    return call.event == PRE and (v.decision != ALLOW or bool(getattr(v, "tags", None)))


def judge(call: ToolCall, cfg: Config, rules: RuleSet | None = None, record: bool = False) -> Verdict:
    """Rules + config for a parsed call: what hook mode (``record=True``) and ``check`` both run."""
    call.warnings.extend(cfg.warnings)
    if rules is None:
        from guard.engine.ruleset import load_active

        rules = load_active(cfg, refresh=record)
    v = decide(call, cfg, rules, record)
    call.warnings.extend(rules.notes)  # after deciding: a cache repair during matching adds a note
    return v


def run_payload(adapter: object, payload: object, cfg: Config, rules: RuleSet | None = None) -> tuple[ToolCall, Verdict]:
    """adapter.parse, then ``judge``. Raises ``BadInput`` when the payload cannot be read."""
    call = adapter.parse(payload)  # type: ignore[attr-defined]
    return call, judge(call, cfg, rules)
