"""Run the rule set over a Subject: keyword prefilter, then the rule's patterns.

Only the screen (each rule's fields and keywords) is read up front; a rule's
full tuple and its regexes are loaded when one of its keywords occurs in the
text, so a benign call usually loads neither.
"""

from __future__ import annotations

from guard.engine import ruleset as R
from guard.engine.subject import Subject
from guard.verdict import Hit

MAX_HITS_PER_RULE = 200
# Texts longer than this are matched only in windows around keyword
# occurrences: a secret or a command is short, and running every pattern over
# a megabyte of tool output costs seconds (every start position is tried).
WINDOW_ABOVE = 16 << 10
BEFORE = 256  # a match starts at most this far before its keyword
AFTER = 4096  # ... and ends within this far after it (a PEM private key block fits)
MAX_WINDOWS = 512


def _word_at(low: str, i: int, n: int) -> bool:
    return (i == 0 or not low[i - 1].isalnum()) and (i + n >= len(low) or not low[i + n].isalnum())


def windows(text: str, low: str, keywords: tuple[str, ...], after: int = AFTER) -> list[tuple[int, int]]:
    """Merged (start, end) spans around every keyword occurrence (BEFORE/``after`` characters).

    Short alphabetic keywords ("ai", "dan") only count as whole words here:
    inside "main" or "dangerous" they would put a window on every line.
    """
    spans: list[tuple[int, int]] = []
    n = len(text)
    for kw in keywords:
        wordy = len(kw) <= 3 and kw.isalpha()
        i = low.find(kw)
        while i >= 0 and len(spans) < MAX_WINDOWS * 4:
            if wordy and not _word_at(low, i, len(kw)):
                i = low.find(kw, i + 1)
                continue
            spans.append((max(0, i - BEFORE), min(n, i + len(kw) + after)))
            i = low.find(kw, i + max(1, after))
    spans.sort()
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged[:MAX_WINDOWS]]


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
                fields, keywords = rules.screen[i]
                if field not in fields:
                    continue
                for kw in keywords:
                    if kw in low:
                        break
                else:
                    continue
                r = rules.rules[i]  # the full tuple: read from the cache on the first keyword hit
                pats, unless = rules.patterns(i)
                if unless and any(u.search(text) for u in unless):
                    continue
                check = _validator(r[R.VALIDATOR])
                if all_spans and len(text) > WINDOW_ABOVE:
                    # Tool output only: a command must be read whole, or padding
                    # could push its command position out of the window.
                    spans = windows(text, low, r[R.KEYWORDS], AFTER if r[R.SECRET] else 1024)
                else:
                    spans = [(0, len(text))]
                found = False
                for pat in pats:
                    n = 0
                    for a, b in spans:
                        for m in pat.finditer(text, a, b):
                            if m.end() == m.start() or (check is not None and not check(m.group(0))):
                                continue
                            out.append((_hit(r, field, m), leaf))
                            found = True
                            n += 1
                            if not all_spans or n >= MAX_HITS_PER_RULE:
                                break
                        if n and (not all_spans or n >= MAX_HITS_PER_RULE):
                            break
                    if found and not all_spans:
                        break
    return out


def _validator(name: str) -> object:
    """The checksum function for a rule, imported only when such a rule's keywords occur."""
    if not name:
        return None
    from guard.engine import validators

    return validators.get(name)


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
        r[R.TAGS],
    )
