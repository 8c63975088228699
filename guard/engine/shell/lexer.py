"""A bash-like lexer: words (dequoted), operators, redirections, heredocs, substitutions.

It models what changes the meaning of a command for a guard: quoting and
escapes (``r''m``, ``r\\m``, ``$'\\x72m'``), ``$IFS`` word splitting, empty
positional parameters (``$9``), brace expansion (``{rm,-rf,~}``), command
substitution and heredocs. It never raises on odd input: unterminated
quotes end at end of input and are reported in ``Lexed.errors``.
"""

from __future__ import annotations

OPERATORS = ("&&", "||", ";;", "|&", ";", "|", "&", "\n", "(", ")")
REDIR_OPS = ("&>>", "&>", ">>", ">&", ">|", "<<<", "<<-", "<<", "<&", "<>", ">", "<")
META = " \t\n;&|()<>"

MAX_DEPTH = 8


class Word:
    """One shell word after quote removal."""

    __slots__ = ("text", "quoted", "expands", "subs")

    def __init__(self) -> None:
        self.text = ""
        self.quoted = False  # some part was quoted (so it is literal, not a glob/keyword)
        self.expands = False  # contains an unquoted $var or glob
        self.subs: list[str] = []  # command substitutions inside it: $(...) / `...`


class Token:
    __slots__ = ("kind", "value", "word", "fd")

    def __init__(self, kind: str, value: str, word: Word | None = None, fd: str = "") -> None:
        self.kind = kind  # "word" | "op" | "redir"
        self.value = value
        self.word = word
        self.fd = fd  # leading fd number of a redirection ("2" in 2>&1)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"{self.kind}:{self.value!r}"


class Lexed:
    __slots__ = ("tokens", "heredocs", "errors")

    def __init__(self) -> None:
        self.tokens: list[Token] = []
        # (index of the "<<" redir token, body text, quoted delimiter?)
        self.heredocs: list[tuple[int, str, bool]] = []
        self.errors: list[str] = []


_ESC = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


def ansi_c(s: str, i: int) -> tuple[str, int]:
    """Decode a $'...' body starting at ``s[i]`` (after the quote); returns (text, index after closing quote)."""
    out = []
    n = len(s)
    while i < n:
        c = s[i]
        if c == "'":
            return "".join(out), i + 1
        if c == "\\" and i + 1 < n:
            d = s[i + 1]
            if d in _ESC:
                out.append(_ESC[d])
                i += 2
                continue
            if d == "x":
                j = i + 2
                while j < n and j < i + 4 and s[j] in "0123456789abcdefABCDEF":
                    j += 1
                if j > i + 2:
                    out.append(chr(int(s[i + 2 : j], 16)))
                    i = j
                    continue
            if d in "uU":
                width = 4 if d == "u" else 8
                j = i + 2
                while j < n and j < i + 2 + width and s[j] in "0123456789abcdefABCDEF":
                    j += 1
                if j > i + 2:
                    try:
                        out.append(chr(int(s[i + 2 : j], 16)))
                    except (ValueError, OverflowError):
                        pass
                    i = j
                    continue
            if d in "01234567":
                j = i + 1
                while j < n and j < i + 4 and s[j] in "01234567":
                    j += 1
                out.append(chr(int(s[i + 1 : j], 8) & 0xFF))
                i = j
                continue
            if d == "c" and i + 2 < n:
                out.append(chr(ord(s[i + 2]) & 0x1F))
                i += 3
                continue
            out.append("\\" + d)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out), n


def _matching(s: str, i: int, open_: str, close: str) -> int:
    """Index just after the ``close`` that balances ``s[i-1] == open_`` (quote-aware)."""
    depth = 1
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            j = s.find("'", i + 1)
            i = n if j < 0 else j + 1
            continue
        if c == '"':
            i = _dq_end(s, i + 1)
            continue
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def _dq_end(s: str, i: int) -> int:
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i + 1
        if c == "$" and i + 1 < n and s[i + 1] == "(":
            i = _matching(s, i + 2, "(", ")")
            continue
        if c == "`":
            j = s.find("`", i + 1)
            i = n if j < 0 else j + 1
            continue
        i += 1
    return n


def _param(s: str, i: int, word: Word, quoted: bool) -> tuple[int, bool]:
    """Handle ``$...`` at s[i]; append to word. Returns (new index, split_here)."""
    n = len(s)
    nxt = s[i + 1] if i + 1 < n else ""
    if nxt == "(":
        if i + 2 < n and s[i + 2] == "(":  # $(( arithmetic ))
            end = _matching(s, i + 3, "(", ")")
            end = end + 1 if end < n and s[end - 1 : end + 1] == "))" else end
            word.text += s[i:end]
            return end, False
        end = _matching(s, i + 2, "(", ")")
        inner = s[i + 2 : end - 1] if end <= n and s[end - 1 : end] == ")" else s[i + 2 : end]
        word.subs.append(inner)
        word.text += "$(" + inner + ")"
        return end, False
    if nxt == "{":
        end = _matching(s, i + 2, "{", "}")
        name = s[i + 2 : end - 1]
        if name == "IFS" or (name.startswith("IFS") and not name[3:4].isalnum() and name[3:4] != "_"):
            if quoted:
                word.text += " \t\n"  # inside double quotes IFS is its value, not a split
                return end, False
            return end, True
        if not quoted and name in ("@", "*") or (name.isdigit() and name != "0"):
            return end, False
        word.text += s[i:end]
        word.expands = True
        return end, False
    if nxt == "'" and not quoted:
        text, end = ansi_c(s, i + 2)
        word.text += text
        word.quoted = True
        return end, False
    if nxt == '"' and not quoted:  # $"..." locale string = double quotes
        return i + 1, False
    if nxt.isdigit() or nxt in "@*":
        if nxt == "0":
            word.text += "$0"
            return i + 2, False
        return i + 2, False  # positional parameters are empty in an agent's one-off shell
    j = i + 1
    while j < n and (s[j].isalnum() or s[j] == "_"):
        j += 1
    name = s[i + 1 : j]
    if name == "IFS":
        if quoted:
            word.text += " \t\n"
            return j, False
        return j, True
    if not name:
        word.text += "$"
        return i + 1, False
    word.text += "$" + name
    word.expands = True  # "$HOME" expands inside double quotes too (only single quotes keep it literal)
    return j, False


def lex(s: str, depth: int = 0) -> Lexed:
    """Tokenise ``s``. Never raises; problems are listed in ``errors``."""
    out = Lexed()
    n = len(s)
    i = 0
    word: Word | None = None
    pending_heredocs: list[tuple[int, str, bool, bool]] = []  # (token idx, delim, quoted, strip tabs)

    def flush() -> None:
        nonlocal word
        if word is not None:
            out.tokens.append(Token("word", word.text, word))
            word = None

    while i < n:
        c = s[i]
        if c == "\\":
            if i + 1 < n and s[i + 1] == "\n":  # line continuation
                i += 2
                continue
            if word is None:
                word = Word()
            if i + 1 < n:
                word.text += s[i + 1]
                word.quoted = True
            i += 2
            continue
        if c == "'":
            if word is None:
                word = Word()
            j = s.find("'", i + 1)
            if j < 0:
                out.errors.append("unterminated single quote")
                j = n
            word.text += s[i + 1 : j]
            word.quoted = True
            i = j + 1
            continue
        if c == '"':
            if word is None:
                word = Word()
            word.quoted = True
            i += 1
            while i < n and s[i] != '"':
                d = s[i]
                if d == "\\" and i + 1 < n and s[i + 1] in '$`"\\\n':
                    if s[i + 1] != "\n":
                        word.text += s[i + 1]
                    i += 2
                    continue
                if d == "$":
                    i, _split = _param(s, i, word, True)
                    continue
                if d == "`":
                    j = s.find("`", i + 1)
                    j = n if j < 0 else j
                    word.subs.append(s[i + 1 : j])
                    word.text += s[i : j + 1]
                    i = j + 1
                    continue
                word.text += d
                i += 1
            if i >= n:
                out.errors.append("unterminated double quote")
            i += 1
            continue
        if c == "$":
            if word is None:
                word = Word()
            i, split = _param(s, i, word, False)
            if split:
                if word.text or word.quoted:
                    flush()
                else:
                    word = None
            continue
        if c == "`":
            if word is None:
                word = Word()
            j = s.find("`", i + 1)
            if j < 0:
                out.errors.append("unterminated backquote")
                j = n
            word.subs.append(s[i + 1 : j])
            word.text += s[i : j + 1]
            i = j + 1
            continue
        if c == "#" and word is None:
            j = s.find("\n", i)
            i = n if j < 0 else j
            continue
        if c in " \t":
            flush()
            i += 1
            continue
        if c in "<>" and i + 1 < n and s[i + 1] == "(":  # process substitution <(...) / >(...)
            if word is None:
                word = Word()
            end = _matching(s, i + 2, "(", ")")
            inner = s[i + 2 : end - 1] if s[end - 1 : end] == ")" else s[i + 2 : end]
            word.subs.append(inner)
            word.text += c + "(" + inner + ")"
            i = end
            continue
        if c in "<>" or (c == "&" and i + 1 < n and s[i + 1] == ">"):
            fd = ""
            if word is not None and word.text.isdigit() and not word.quoted:
                fd = word.text
                word = None
            flush()
            op = next(o for o in REDIR_OPS if s.startswith(o, i))
            out.tokens.append(Token("redir", op, fd=fd))
            i += len(op)
            if op in ("<<", "<<-"):
                while i < n and s[i] in " \t":
                    i += 1
                j = i
                dw = Word()
                while j < n and s[j] not in META:
                    if s[j] in "'\"":
                        q = s[j]
                        k = s.find(q, j + 1)
                        k = n if k < 0 else k
                        dw.text += s[j + 1 : k]
                        dw.quoted = True
                        j = k + 1
                    elif s[j] == "\\" and j + 1 < n:
                        dw.text += s[j + 1]
                        dw.quoted = True
                        j += 2
                    else:
                        dw.text += s[j]
                        j += 1
                out.tokens.append(Token("word", dw.text, dw))
                pending_heredocs.append((len(out.tokens) - 2, dw.text, dw.quoted, op == "<<-"))
                i = j
            continue
        if c in ";&|()\n":
            flush()
            op = next(o for o in OPERATORS if s.startswith(o, i))
            out.tokens.append(Token("op", op))
            i += len(op)
            if op == "\n" and pending_heredocs:
                i = _read_heredocs(s, i, pending_heredocs, out)
                pending_heredocs = []
            continue
        if c == "{" and word is None:
            end = _brace_end(s, i)
            if end > 0:
                for w in _brace_words(s[i + 1 : end - 1]):
                    out.tokens.append(Token("word", w.text, w))
                i = end
                continue
        if word is None:
            word = Word()
        if c in "*?[" and not word.quoted:
            word.expands = True
        word.text += c
        i += 1
    flush()
    if pending_heredocs:
        out.errors.append("heredoc without body")
    return out


def _read_heredocs(s: str, i: int, pending: list, out: Lexed) -> int:
    n = len(s)
    for tok_idx, delim, quoted, strip in pending:
        body: list[str] = []
        while i < n:
            j = s.find("\n", i)
            line = s[i:] if j < 0 else s[i:j]
            i = n if j < 0 else j + 1
            check = line.lstrip("\t") if strip else line
            if check == delim:
                break
            body.append(check if strip else line)
        out.heredocs.append((tok_idx, "\n".join(body), quoted))
    return i


def _brace_end(s: str, i: int) -> int:
    """End of a brace expansion ``{a,b,c}`` (no spaces inside), or -1."""
    j = i + 1
    n = len(s)
    depth = 1
    while j < n and j < i + 4096:
        c = s[j]
        if c in " \t\n;|&<>":
            return -1
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return j + 1 if "," in s[i + 1 : j] and (j + 1 >= n or s[j + 1] in META) else -1
        j += 1
    return -1


def _brace_words(inner: str) -> list[Word]:
    """``{rm,-rf,~}`` as a command: bash expands it to the words rm -rf ~."""
    parts = inner.split(",")
    words = []
    for p in parts:
        sub = lex(p)
        for t in sub.tokens:
            if t.kind == "word" and t.word is not None:
                words.append(t.word)
    return words
