"""The hand-written lexer splits and dequotes words exactly as real bash does.

Only separator-free strings are sent to bash (no ; | & $( or backquotes), so
nothing but ``printf`` ever runs.
"""

from __future__ import annotations

import random
import shutil
import subprocess

import pytest

from guard.engine.shell.lexer import lex

BASH = shutil.which("bash")

CASES = [
    "r''m -rf x",
    'r""m -rf x',
    "r\\m -rf x",
    "\"a b\"'c d' e",
    "$'\\x72\\x6d' -r",
    "$'\\162\\155'",
    "$'a\\tb'",
    "a\\ b c",
    "{rm,-rf,x}",
    "x${IFS}y",
    "cat$IFS$9/etc/passwd",
    "\"$HOME\"/x",
    "'$HOME'",
    "a'b'\"c\"d",
    "\"a\\\"b\"",
    "'a\\b'",
    "-rf -- --x",
    "\\$HOME",
    "\"\"",
    "''x''",
]


def bash_words(s: str) -> list[str] | None:
    proc = subprocess.run(
        [BASH, "--norc", "--noprofile", "-c", "for w in " + s + "; do printf '%s\\0' \"$w\"; done"],
        capture_output=True,
        env={"HOME": "$HOME", "PATH": "/usr/bin:/bin"},  # expansions then read back as $HOME
        timeout=10,
    )
    if proc.returncode != 0 or proc.stderr:
        return None
    return proc.stdout.decode("utf-8", "replace").split("\0")[:-1]


def lexer_words(s: str) -> list[str]:
    words = []
    for t in lex(s).tokens:
        assert t.kind == "word", t
        words.append(t.value)
    return words


@pytest.mark.skipif(BASH is None, reason="bash not installed")
@pytest.mark.parametrize("s", CASES)
def test_words_match_bash(s: str) -> None:
    expected = bash_words(s)
    assert expected is not None, s
    assert lexer_words(s) == expected


@pytest.mark.skipif(BASH is None, reason="bash not installed")
def test_random_quoting_matches_bash() -> None:
    rng = random.Random(1234)
    # ${IFS}, not $IFS: "$IFSb" names another (unset) variable, which the lexer keeps literally.
    alphabet = ["a", "b", "r", "m", " ", "'", '"', "\\", "-", "x", "$'\\x41'", "${IFS}"]
    compared = 0
    for _ in range(300):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))).strip()
        if not s or s.endswith("\\"):
            continue
        lexed = lex(s)
        if lexed.errors:
            continue
        expected = bash_words(s)
        if expected is None:
            continue
        assert lexer_words(s) == expected, repr(s)
        compared += 1
    assert compared > 100


def test_operators_redirections_and_heredocs() -> None:
    lexed = lex("cat <<'EOF' > out.txt && echo done\nrm -rf ~ is just text\nEOF\nls")
    kinds = [(t.kind, t.value) for t in lexed.tokens]
    assert ("redir", "<<") in kinds and ("redir", ">") in kinds and ("op", "&&") in kinds
    assert lexed.heredocs and lexed.heredocs[0][1] == "rm -rf ~ is just text"
    assert kinds[-1] == ("word", "ls")


def test_never_raises_on_garbage() -> None:
    rng = random.Random(7)
    chars = "ab$(){}[]'\"`\\;|&<>\n #=~*?!"
    for _ in range(2000):
        s = "".join(rng.choice(chars) for _ in range(rng.randint(0, 40)))
        lex(s)


def test_substitutions_are_recorded() -> None:
    toks = lex('echo "$(cat ~/.ssh/id_rsa)" `whoami` <(curl -s x)').tokens
    subs = [sub for t in toks if t.word for sub in t.word.subs]
    assert subs == ["cat ~/.ssh/id_rsa", "whoami", "curl -s x"]
