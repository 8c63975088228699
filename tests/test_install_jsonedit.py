"""The format-preserving JSON splicer behind install/uninstall, on the layouts people really write."""

from __future__ import annotations

import json

import pytest

from guard.wiring import base, get, jsonedit
from guard.wiring.files import WiringError

CMD = '"/opt/cg/bin/python3" -I -S "/opt/cg/guard/hookmain.py" --agent claude'

LAYOUTS = {
    "two-space": '{\n  "model": "opus",\n  "hooks": {\n    "Stop": []\n  }\n}\n',
    "compact": '{"model":"opus","hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"x"}]}]}}',
    "tabs": '{\n\t"a": [1, 2, 3],\n\t"b": {"c": null}\n}\n',
    "crlf": '{\r\n    "env": {\r\n        "A": "1"\r\n    }\r\n}\r\n',
    "bom": '\ufeff{\n  "x": true\n}\n',
    "escapes": '{\n  "k\\u00e9y": "v\\"q",\n  "hooks": {\n    "PostToolUse": [\n      {"hooks": [{"type": "command", "command": "a \\\\ b"}]}\n    ]\n  }\n}',
    "empty lists": '{\n  "hooks": {\n    "Stop": [{"hooks": []}],\n    "Notification": []\n  }\n}\n',
    "spaces everywhere": '{ "a" : 1 , "hooks" : { "Stop" : [ ] } }\n',
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_round_trip_is_byte_identical(name: str) -> None:
    ed = get("claude")
    original = LAYOUTS[name]
    installed = base.install_text(ed, original, "f", CMD, 10)
    data, _ = jsonedit.load(installed)
    assert set(base.our_commands(ed, data)) == {"PreToolUse", "PostToolUse", "PostToolUseFailure", "UserPromptSubmit"}
    before, _ = jsonedit.load(original)
    for k, v in before.items():  # type: ignore[union-attr]
        if k != "hooks":
            assert data[k] == v  # type: ignore[index]
    assert base.install_text(ed, installed, "f", CMD, 10) == installed
    if "\r\n" in original:
        assert "\n" not in installed.replace("\r\n", "")
    assert base.uninstall_text(ed, installed, "f") == original


def test_new_layout_follows_the_file() -> None:
    ed = get("cursor")
    text = '{\n    "version": 1,\n    "hooks": {\n        "stop": [\n            {"command": "a"}\n        ]\n    }\n}\n'
    out = base.install_text(ed, text, "f", CMD, 10)
    assert '\n        "beforeShellExecution": [\n            {\n                "command": ' in out


def test_an_event_list_we_emptied_goes_with_our_entry() -> None:
    """Documented limit: an empty list for one of our events that was there before install is
    indistinguishable from one we created, and uninstall removes it (it ran nothing)."""
    ed = get("claude")
    text = '{\n  "hooks": {\n    "PreToolUse": [],\n    "Stop": []\n  }\n}\n'
    out = base.uninstall_text(ed, base.install_text(ed, text, "f", CMD, 10), "f")
    assert out == '{\n  "hooks": {\n    "Stop": []\n  }\n}\n'


def test_an_empty_object_file_is_removed_by_uninstall() -> None:
    ed = get("claude")
    out = base.install_text(ed, "{}\n", "f", CMD, 10)
    assert base.uninstall_text(ed, out, "f") is None


def test_uninstall_without_our_entries_changes_nothing() -> None:
    ed = get("claude")
    text = LAYOUTS["compact"]
    assert base.uninstall_text(ed, text, "f") == text


def test_duplicate_entries_of_ours_collapse_to_one() -> None:
    ed = get("cursor")
    dup = {"version": 1, "hooks": {"preToolUse": [{"command": CMD}, {"command": "/usr/bin/clampd-guard"}, {"command": "mine"}]}}
    out = base.install_text(ed, json.dumps(dup, indent=2), "f", CMD.replace("claude", "cursor"), 10)
    pre = json.loads(out)["hooks"]["preToolUse"]
    assert [e["command"] for e in pre] == ["mine", CMD.replace("claude", "cursor")]


@pytest.mark.parametrize("text", ["", "  \n", "{", "[]", '{"hooks": 3}', '{"a": 1} trailing'])
def test_invalid_documents_are_refused(text: str) -> None:
    with pytest.raises(WiringError, match="refusing"):
        base.install_text(get("claude"), text, "f", CMD, 10)


GEMINI_WITH_COMMENTS = """{
  // my theme
  "theme": "GitHub", /* inline */
  "url": "http://example.com/a//b",
  "hooks": {
    /* keep this */
    "AfterAgent": [
      {"hooks": [{"type": "command", "command": "echo hi"}]} // trailing note
    ]
  }
}
"""


def test_gemini_settings_may_hold_comments_and_keep_them() -> None:
    ed = get("gemini")
    cmd = CMD.replace("claude", "gemini")
    out = base.install_text(ed, GEMINI_WITH_COMMENTS, "f", cmd, 10)
    assert out.count("// my theme") == 1 and out.count("/* keep this */") == 1 and out.count("// trailing note") == 1
    data, _ = jsonedit.load(out, jsonc=True)
    assert set(base.our_commands(ed, data)) == {"BeforeTool", "AfterTool", "BeforeAgent"}
    assert data["url"] == "http://example.com/a//b"  # type: ignore[index]
    assert base.uninstall_text(ed, out, "f") == GEMINI_WITH_COMMENTS
    # Claude Code's settings are strict JSON: a comment there is refused, not rewritten.
    with pytest.raises(WiringError, match="not valid JSON"):
        base.install_text(get("claude"), GEMINI_WITH_COMMENTS, "f", CMD, 10)
