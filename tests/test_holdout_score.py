"""The hold-out sets (tests/holdout/, tests/holdout2/) stay above the targets.

Each was built blind (by an engineer who never read the rules) and scored once
that way: hold-out 86.4 % recall / 1.4 % false positives, hold-out 2 92.8 % /
2.3 %. Rules were then grown by the mechanisms their misses revealed, so they
are no longer blind; they now guard against regressions.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import score_corpus  # noqa: E402

import pytest  # noqa: E402


@pytest.mark.parametrize("name", ["holdout", "holdout2"])
def test_holdout_targets(name: str, home: Path) -> None:
    attacks = score_corpus.load(REPO / "tests" / name / "attacks.jsonl")
    benign = score_corpus.load(REPO / "tests" / name / "benign.jsonl")
    assert len(attacks) > 200 and len(benign) > 250
    rep = score_corpus.score(attacks, benign)
    assert rep["recall"] >= 0.95, f"recall {rep['recall']:.3f}"
    assert rep["fp_rate"] <= 0.01, f"FP rate {rep['fp_rate']:.3f}"
