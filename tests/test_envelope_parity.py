"""The same call gets the same verdict in Claude Code's and in Cursor's hook envelope.

Every item of the development corpus is replayed in both envelopes; an item
blocked in one and allowed in the other is a bug in an adapter.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import score_corpus  # noqa: E402


def test_claude_and_cursor_envelopes_agree(home: Path) -> None:
    claude, cursor = score_corpus.Scorer("claude"), score_corpus.Scorer("cursor")
    items = score_corpus.load(score_corpus.CORPUS / "attacks.jsonl") + score_corpus.load(score_corpus.CORPUS / "benign.jsonl")
    assert len(items) > 1000
    differ = []
    for it in items:
        a = claude.run(it["payload"])[0]
        b = cursor.run(it["payload"])[0]
        if a != b:
            differ.append((it["id"], a, b))
    assert differ == []
