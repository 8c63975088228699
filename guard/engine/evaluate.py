"""Score rule hits into a local Verdict, and redact tool output on post events."""

from __future__ import annotations

from guard.engine import match, subject
from guard.engine.policy import Policy, combined_risk
from guard.engine.ruleset import RuleSet
from guard.toolcall import POST, PRE, PROMPT, ToolCall
from guard.verdict import ALLOW, LOCAL, REDACT, Hit, Verdict


def evaluate(call: ToolCall, rules: RuleSet, thresholds: tuple[float, float], policy: Policy | None = None) -> Verdict:
    """The local rules' verdict for one call (``policy`` applies the config's rule settings)."""
    policy = policy or Policy(thresholds)
    subj = subject.build(call)
    if call.event == POST:
        return _post(call, rules, subj, policy)
    if call.event not in (PRE, PROMPT):
        return Verdict(ALLOW, source=LOCAL)
    pairs = match.run(rules, subj)
    if subj.fields.get("prompt"):
        pairs += _dictionary(subj, "prompt", call.event)
    if call.event == PROMPT and call.prompt:
        pairs += _pasted_injection(rules, call.prompt)
    # Tag-only rules (risk 0) mark what a call does for the session signals
    # (engine.session); they never count as hits or add to the risk.
    tags: set[str] = set()
    for h, _leaf in pairs:
        tags.update(h.tags)
    hits = _strongest_first([h for h, _leaf in pairs if h.risk > 0.0 and policy.keeps(h)])
    for h in hits:
        if not h.secret:
            h.text = scrub(rules, h.text)
    v = Verdict(policy.decide(hits), combined_risk(hits), hits, source=LOCAL)
    v.tags = tags
    if call.event == PRE and call.output is not None:
        # The editor handed over what the tool will return (Cursor beforeReadFile):
        # secrets or injections in it are reported as a redaction the adapter can act on.
        seen = _post(call, rules, subject.build(_as_post(call)), policy)
        if seen.updated_output is not None:
            v.updated_output = seen.updated_output
            v.hits = v.hits + [h for h in seen.hits if h.rule_id not in {x.rule_id for x in v.hits}]
    if subj.truncated:
        v.warnings.append(f"input longer than {subject.MAX_TEXT} characters: only the start was scanned")
    v.warnings.extend(subj.notes)
    return v


def _as_post(call: ToolCall) -> ToolCall:
    return ToolCall(call.editor, POST, call.raw_event, call.tool, call.kind, call.params, call.output)


def scrub(rules: RuleSet, text: str) -> str:
    """``text`` with every secret the secret rules find replaced by a marker.

    Matched text goes into reasons the model and the user read (and, later,
    the audit trail); a command that carries a token must not echo it back.
    """
    probe = subject.Subject(POST, "unknown")
    probe.add("output", text)
    found = [h for h, _leaf in match.run(rules, probe, all_spans=True) if h.secret]
    return redact_text(text, found) if found else text


def _strongest_first(hits: list[Hit]) -> list[Hit]:
    best: dict[str, Hit] = {}
    for h in hits:
        if h.rule_id not in best or h.risk > best[h.rule_id].risk:
            best[h.rule_id] = h
    return sorted(best.values(), key=lambda h: -h.risk)


# Injection phrases in a prompt the user typed or pasted: the user is present
# and may mean it ("ignore my previous instructions, use tabs"), so the
# dictionary alone can ask (flag it to the model as data), never deny.
PROMPT_DICTIONARY_CAP = 0.6


def _dictionary(subj: subject.Subject, field: str, event: str) -> list[tuple[Hit, tuple]]:
    """Weighted injection phrases, matched with one automaton (engine.dictionary)."""
    from guard.engine import dictionary

    try:
        pairs = dictionary.scan_pairs(subj.fields[field], field, event)
    except (OSError, ValueError, EOFError, KeyError, TypeError, ImportError) as e:
        # A damaged phrase table must cost the phrases, not the rules: say so and go on.
        subj.notes.append(f"injection dictionary unavailable ({type(e).__name__}: {str(e)[:120]}); rules only")
        return []
    if event == PROMPT:
        for h, _leaf in pairs:
            h.risk = min(h.risk, PROMPT_DICTIONARY_CAP)
    return pairs


def _pasted_injection(rules: RuleSet, prompt: str) -> list[tuple[Hit, tuple]]:
    """Content pasted into a prompt (an email, a ticket, a log) read by the tool-output injection rules.

    Capped like the dictionary: the user is present, so this flags (ask), never blocks.
    """
    probe = subject.Subject(POST, "unknown")
    probe.add("output", prompt)
    out = []
    for h, leaf in match.run(rules, probe):
        if h.defuse and not h.secret:
            h.risk = min(h.risk, PROMPT_DICTIONARY_CAP)
            h.field = "prompt"
            out.append((h, leaf))
    return out


def _post(call: ToolCall, rules: RuleSet, subj: subject.Subject, policy: Policy) -> Verdict:
    pairs = match.run(rules, subj, all_spans=True)
    if subj.fields.get("output"):
        pairs += _dictionary(subj, "output", POST)
    pairs = [(h, leaf) for h, leaf in pairs if (h.secret or h.defuse) and policy.keeps(h)]
    hits = [h for h, _ in pairs]
    v = Verdict(ALLOW, combined_risk(hits), _strongest_first(hits), source=LOCAL)
    v.warnings.extend(subj.notes)
    if not pairs:
        return v
    by_leaf: dict[tuple, list[Hit]] = {}
    for h, leaf in pairs:
        by_leaf.setdefault(leaf, []).append(h)
    v.updated_output = rewrite(call.output, by_leaf)
    v.decision = REDACT
    return v


def marker(h: Hit) -> str:
    if h.secret:
        return f"[REDACTED:{h.rule_id}]"
    return f"[clampd-guard removed suspected prompt injection ({h.rule_id})]"


def redact_text(text: str, hits: list[Hit]) -> str:
    """Replace every hit's span; overlapping spans merge and keep the first hit's marker."""
    spans = sorted(hits, key=lambda h: (h.start, -h.end))
    merged: list[list] = []
    for h in spans:
        if merged and h.start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], h.end)
            continue
        merged.append([h.start, h.end, h])
    out = []
    pos = 0
    for start, end, h in merged:
        out.append(text[pos:start])
        out.append(marker(h))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def rewrite(obj: object, by_leaf: dict[tuple, list[Hit]], prefix: tuple = ()) -> object:
    """A copy of the tool output with the flagged strings redacted, same shape."""
    if isinstance(obj, str):
        hits = by_leaf.get(prefix)
        if not hits:
            return obj
        if len(obj) > subject.MAX_TEXT:
            return redact_text(obj[: subject.MAX_TEXT], hits) + "\n[clampd-guard: output truncated]"
        return redact_text(obj, hits)
    if isinstance(obj, dict):
        return {k: rewrite(v, by_leaf, prefix + (k,)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [rewrite(v, by_leaf, prefix + (i,)) for i, v in enumerate(obj)]
    return obj
