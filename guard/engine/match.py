"""Run the rule set over a Subject: keyword prefilter, then the rule's patterns.

A rule's regexes are only rebuilt when one of its keywords occurs in the
text, so a benign call usually builds none at all.
"""

from __future__ import annotations

from guard.engine import ruleset as R
from guard.engine.subject import Subject
from guard.verdict import Hit

MAX_HITS_PER_RULE = 200


def run(rules: R.RuleSet, subj: Subject, all_spans: bool = False) -> list[tuple[Hit, tuple]]:
    """Every (hit, leaf) for the subject. ``all_spans`` finds every occurrence (for redaction)."""
    out: list[tuple[Hit, tuple]] = []
    cands = rules.candidates(subj.event, subj.kind)
    if not cands:
        return out
    for field, entries in subj.fields.items():
        for text, leaf in entries:
            low = text.lower()
            for i in cands:
                r = rules.rules[i]
                if field not in r[R.FIELDS]:
                    continue
                for kw in r[R.KEYWORDS]:
                    if kw in low:
                        break
                else:
                    continue
                pats, unless = rules.patterns(i)
                if unless and any(u.search(text) for u in unless):
                    continue
                for pat in pats:
                    if all_spans:
                        n = 0
                        for m in pat.finditer(text):
                            if m.end() == m.start():
                                continue
                            out.append((_hit(r, field, m), leaf))
                            n += 1
                            if n >= MAX_HITS_PER_RULE:
                                break
                    else:
                        m = pat.search(text)
                        if m is not None:
                            out.append((_hit(r, field, m), leaf))
                            break
    return out


def _hit(r: tuple, field: str, m: object) -> Hit:
    return Hit(
        r[R.ID],
        r[R.CATEGORY],
        r[R.RISK],
        r[R.TITLE],
        r[R.ADVICE],
        field,
        m.group(0),  # type: ignore[attr-defined]
        m.start(),  # type: ignore[attr-defined]
        m.end(),  # type: ignore[attr-defined]
        r[R.SECRET],
        r[R.DEFUSE],
    )
