"""The hold-out set (tests/holdout/) stays above the targets.

It was built blind (without reading the rules) and scored once that way:
86.4 % recall, 1.4 % false positives. Rules were then grown by the mechanisms
its misses revealed, so it is no longer blind; it now guards against regressions.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import score_corpus  # noqa: E402

HOLDOUT = REPO / "tests" / "holdout"


def test_holdout_targets(home: Path) -> None:
    attacks = score_corpus.load(HOLDOUT / "attacks.jsonl")
    benign = score_corpus.load(HOLDOUT / "benign.jsonl")
    assert len(attacks) > 300 and len(benign) > 400
    rep = score_corpus.score(attacks, benign)
    assert rep["recall"] >= 0.95, f"recall {rep['recall']:.3f}"
    assert rep["fp_rate"] <= 0.01, f"FP rate {rep['fp_rate']:.3f}"
