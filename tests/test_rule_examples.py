"""Every rule's own positive and negative examples, run through the real engine.

A positive example must make that rule fire; a negative one must not. The
whole pipeline runs (adapter parse, subject building, prefilter, patterns),
so a keyword that does not occur in a positive example fails here too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.editors import claude_code
from guard.engine import compiler, evaluate, match, ruleset, subject
from tests.rule_examples import payload_for

RULES_DIR = Path(ruleset.RULES_DIR)
FILES = sorted(p for p in RULES_DIR.glob("*.toml") if not p.name.startswith("_"))
LOADED = compiler.load_rule_files(FILES)
RULESET = compiler.build_ruleset(FILES)


def fired(payload: dict) -> set[str]:
    call = claude_code.parse(payload)
    v = evaluate.evaluate(call, RULESET, (0.5, 0.75))
    got = {h.rule_id for h in v.hits}
    if v.tags:
        # Tag-only rules (risk 0) stay out of v.hits; only their tags reach the
        # verdict. Which of them fired is read from the same matcher run.
        got |= {h.rule_id for h, _leaf in match.run(RULESET, subject.build(call)) if h.risk == 0.0}
    return got


CASES = [
    pytest.param(rule, ex, positive, id=f"{rule.id}-{'match' if positive else 'no_match'}-{i}")
    for _path, rule in LOADED
    for positive, examples in ((True, rule.match), (False, rule.no_match))
    for i, ex in enumerate(examples)
]


@pytest.mark.parametrize(("rule", "example", "positive"), CASES)
def test_rule_example(rule, example, positive) -> None:
    got = fired(payload_for(rule, example))
    if positive:
        assert rule.id in got, f"{rule.id} should match {example!r}"
    else:
        assert rule.id not in got, f"{rule.id} should not match {example!r}"


def test_every_rule_has_two_of_each() -> None:
    for _p, rule in LOADED:
        assert len(rule.match) >= 2 and len(rule.no_match) >= 2, rule.id


def test_rule_ids_are_unique_and_rules_exist() -> None:
    ids = [r.id for _p, r in LOADED]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 5
