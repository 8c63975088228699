"""The development corpus (tests/corpus/*.jsonl) is well-formed, and the scorer runs on it.

Recall and false-positive targets are checked by ``test_targets``, marked xfail
while the rules are still being written: the scorer's numbers are reported, not
asserted, until then (run ``.venv/bin/python benchmarks/score_corpus.py --show 30``).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from guard.editors import claude_code

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus"
sys.path.insert(0, str(REPO / "benchmarks"))
import score_corpus  # noqa: E402

ATTACK_CATEGORIES = set(score_corpus.CATEGORIES)
BENIGN_CATEGORIES = {
    "dev-shell", "dev-shell-obfuscated", "hard-negative", "dev-read", "dev-write", "dev-web", "dev-mcp",
    "dev-output", "secret-placeholder", "pii-lookalike", "injection-discussion", "dev-prompt",
}  # fmt: skip
EVENTS = {"PreToolUse", "PostToolUse", "UserPromptSubmit"}
MIN_PER_CATEGORY = 40
MAX_BYTES = 3 * 1024 * 1024


def _lines(name: str) -> list[str]:
    return [ln for ln in (CORPUS / name).read_text("utf-8").splitlines() if ln.strip()]


def _items(name: str) -> list[dict]:
    return [json.loads(ln) for ln in _lines(name)]


ATTACKS = _items("attacks.jsonl")
BENIGN = _items("benign.jsonl")


@pytest.mark.parametrize("name", ["attacks.jsonl", "benign.jsonl"])
def test_every_line_is_a_json_object_with_the_fields(name: str) -> None:
    bad = []
    for n, ln in enumerate(_lines(name), 1):
        try:
            it = json.loads(ln)
        except ValueError as e:
            bad.append(f"{n}: not JSON ({e})")
            continue
        if not isinstance(it, dict):
            bad.append(f"{n}: not an object")
            continue
        missing = {"id", "category", "source", "payload", "expect"} - set(it)
        if missing:
            bad.append(f"{n}: missing {sorted(missing)}")
        elif not (isinstance(it["id"], str) and isinstance(it["source"], str) and isinstance(it["payload"], dict)):
            bad.append(f"{n}: wrong field types")
    assert not bad, "\n".join(bad)


def test_attack_labels_and_categories() -> None:
    bad = [it["id"] for it in ATTACKS if it["category"] not in ATTACK_CATEGORIES or it["expect"] != "block"]
    assert not bad, f"attacks with an unknown category or expect != block: {bad[:20]}"
    counts = Counter(it["category"] for it in ATTACKS)
    small = {c: counts.get(c, 0) for c in ATTACK_CATEGORIES if counts.get(c, 0) < MIN_PER_CATEGORY}
    assert not small, f"categories under {MIN_PER_CATEGORY} items: {small}"
    assert len(ATTACKS) >= 600


def test_benign_labels_and_categories() -> None:
    bad = [it["id"] for it in BENIGN if it["category"] not in BENIGN_CATEGORIES or it["expect"] != "allow"]
    assert not bad, f"benign items with an unknown category or expect != allow: {bad[:20]}"
    assert len(BENIGN) >= 800
    kinds = Counter(score_corpus.kind_of(it["payload"]) for it in BENIGN)
    for k in ("shell", "read", "write", "web", "mcp", "post", "prompt"):
        assert kinds[k] >= 15, f"benign kind {k} has only {kinds[k]} items"


def test_ids_unique_across_both_files() -> None:
    ids = [it["id"] for it in ATTACKS + BENIGN]
    dup = [i for i, n in Counter(ids).items() if n > 1]
    assert not dup, f"duplicate ids: {dup[:20]}"


def test_no_payload_is_both_attack_and_benign() -> None:
    att = {json.dumps(it["payload"], sort_keys=True) for it in ATTACKS}
    both = [it["id"] for it in BENIGN if json.dumps(it["payload"], sort_keys=True) in att]
    assert not both, f"same payload labelled both ways: {both}"


def test_every_payload_parses_with_the_claude_code_adapter() -> None:
    bad = []
    for it in ATTACKS + BENIGN:
        p = it["payload"]
        if p.get("hook_event_name") not in EVENTS:
            bad.append(f"{it['id']}: event {p.get('hook_event_name')!r}")
            continue
        try:
            call = claude_code.parse(p)
        except Exception as e:  # noqa: BLE001 - report every failure
            bad.append(f"{it['id']}: {type(e).__name__}: {e}")
            continue
        if call.warnings:
            bad.append(f"{it['id']}: parse warnings {call.warnings}")
        if p["hook_event_name"] == "UserPromptSubmit":
            if not call.prompt:
                bad.append(f"{it['id']}: empty prompt")
        elif not call.tool:
            bad.append(f"{it['id']}: no tool_name")
        if p["hook_event_name"] == "PostToolUse" and call.output is None:
            bad.append(f"{it['id']}: PostToolUse without tool_response")
    assert not bad, "\n".join(bad[:50])


def test_corpus_size_budget() -> None:
    total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    assert total < MAX_BYTES, f"tests/corpus is {total} bytes (budget {MAX_BYTES})"


def test_corpus_files_match_the_build_script() -> None:
    """attacks.jsonl / benign.jsonl are generated: edit build.py or sources/, then rebuild."""
    import importlib.util  # noqa: PLC0415

    spec = importlib.util.spec_from_file_location("corpus_build", CORPUS / "build.py")
    assert spec and spec.loader
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    out = build.build()
    for name in ("attacks.jsonl", "benign.jsonl"):
        assert (CORPUS / name).read_text("utf-8") == out[name], f"{name} is out of date: run python3 tests/corpus/build.py"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One scorer run for the module, with the scorer's isolation (HOME=/home/dev, private XDG dirs)."""
    tmp = tmp_path_factory.mktemp("corpus-score")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", score_corpus.CORPUS_HOME)
        for var in ("XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
            mp.setenv(var, str(tmp / var.lower()))
        return score_corpus.score(ATTACKS, BENIGN)


def test_scorer_runs_and_reports(report: dict) -> None:
    assert report["attacks"] == len(ATTACKS)
    assert report["benign"] == len(BENIGN)
    assert set(report["per_category"]) == ATTACK_CATEGORIES
    assert 0.0 <= report["recall"] <= 1.0 and 0.0 <= report["fp_rate"] <= 1.0
    assert len(report["misses"]) == report["attacks"] - report["blocked"]
    assert len(report["false_positive_items"]) == report["false_positives"]
    text = score_corpus.render(report, show=5)
    assert "OVERALL" in text and "false positives" in text
    json.dumps(report)  # --json output is serialisable


def test_kind_of_and_short() -> None:
    assert score_corpus.kind_of({"hook_event_name": "PreToolUse", "tool_name": "Bash"}) == "shell"
    assert score_corpus.kind_of({"hook_event_name": "PreToolUse", "tool_name": "Grep"}) == "read"
    assert score_corpus.kind_of({"hook_event_name": "PreToolUse", "tool_name": "MultiEdit"}) == "write"
    assert score_corpus.kind_of({"hook_event_name": "PreToolUse", "tool_name": "mcp__pg__query"}) == "mcp"
    assert score_corpus.kind_of({"hook_event_name": "PostToolUse", "tool_name": "Bash"}) == "post"
    assert score_corpus.kind_of({"hook_event_name": "UserPromptSubmit", "prompt": "x"}) == "prompt"
    assert score_corpus.short({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls  -la"}}) == "$ ls -la"


def test_targets(report: dict) -> None:
    """The issue's targets on the development corpus: recall >= 95 %, false positives <= 1 %."""
    assert report["recall"] >= score_corpus.RECALL_TARGET, f"recall {report['recall']:.3f}"
    assert report["fp_rate"] <= score_corpus.FP_TARGET, f"FP rate {report['fp_rate']:.3f}"
