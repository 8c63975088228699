"""HTML character references (``&lt;``, ``&#60;``, ``&#x3c;``) decoded, for parameters that may hide markup.

``html.unescape`` would import ``re`` on the hook path; numeric references
and the handful of named ones that matter for markup and quoting are enough here.
"""

from __future__ import annotations

_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'", "nbsp": " ", "sol": "/", "colon": ":", "lpar": "(", "rpar": ")", "period": ".", "tab": "\t", "newline": "\n", "bsol": "\\", "semi": ";", "equals": "="}


def unescape(s: str, rounds: int = 2, keep: str = "") -> str:
    """Decode character references (twice, for double encoding); other text unchanged.

    Characters in ``keep`` stay encoded: ``&lt;script&gt;`` in a page body is
    escaped text, the normal way to show markup safely, not markup.
    """
    for _ in range(rounds):
        if "&" not in s:
            return s
        out: list[str] = []
        i = 0
        n = len(s)
        changed = False
        while i < n:
            c = s[i]
            if c != "&":
                out.append(c)
                i += 1
                continue
            end = s.find(";", i + 1, i + 12)
            body = s[i + 1 : end] if end > 0 else ""
            ch = None
            if body.startswith("#x") or body.startswith("#X"):
                try:
                    ch = chr(int(body[2:], 16))
                except (ValueError, OverflowError):
                    ch = None
            elif body.startswith("#") and body[1:].isdigit():
                try:
                    ch = chr(int(body[1:]))
                except (ValueError, OverflowError):
                    ch = None
            elif body:
                ch = _NAMED.get(body.lower())
            if ch is None or ch in keep:
                out.append(c)
                i += 1
                continue
            out.append(ch)
            i = end + 1
            changed = True
        s = "".join(out)
        if not changed:
            break
    return s
