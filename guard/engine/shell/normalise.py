"""From a shell command line to the canonical texts that shell rules read.

What it does, and why each step matters to a guard:
- splits pipelines and lists, and renders each with one quoting style, so that
  ``r''m -rf ~``, ``rm${IFS}-rf ~`` and ``{rm,-rf,~}`` all read ``rm -rf ~``;
- strips wrappers that run their arguments (sudo, doas, env, nohup, timeout,
  nice, xargs, command, exec, ...), so the real command is in command position;
- unwraps nested code: ``bash -c``, ``eval``, ``su -c``, ``ssh host cmd``,
  ``find -exec``, command substitutions, heredocs and here-strings fed to a
  shell, ``echo ... | sh``, and base64/hex/printf-escaped payloads decoded
  before they reach a shell;
- keeps data as data: an argument is rendered quoted, with the shell's
  separators inside it replaced by look-alike characters, so ``echo "x; rm -rf /"``
  or a commit message never puts ``rm`` in command position;
- resolves the paths of file operations against the working directory (``cd``
  is followed), collapses ``..``, and writes the home directory as ``~``.
Inline interpreter code (``python -c``, ``node -e`` ...) and SQL given to
database clients are returned separately for the rules that read them.
"""

from __future__ import annotations

from guard.engine.pathnorm import collapse
from guard.engine.pathnorm import tilde as home_as_tilde
from guard.engine.shell.lexer import MAX_DEPTH, Lexed, Token, Word, lex

MAX_INPUT = 64 << 10  # characters parsed structurally; longer input is also scanned raw
MAX_TEXTS = 256

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "fish", "rbash"})
INTERPRETERS = {
    "python": ("-c",),
    "node": ("-e", "--eval", "-p", "--print"),
    "nodejs": ("-e", "--eval", "-p", "--print"),
    "perl": ("-e", "-E"),
    "ruby": ("-e",),
    "php": ("-r",),
    "bun": ("-e", "--eval"),
    "osascript": ("-e",),
    "pwsh": ("-c", "-command", "-Command"),
    "powershell": ("-c", "-command", "-Command"),
    "lua": ("-e",),
    "Rscript": ("-e",),
}
SQL_CLIENTS = {
    "psql": ("-c", "--command"),
    "mysql": ("-e", "--execute"),
    "mariadb": ("-e", "--execute"),
    "sqlite3": (),
    "mongosh": ("--eval",),
    "mongo": ("--eval",),
    "clickhouse-client": ("-q", "--query"),
    "duckdb": ("-c",),
    "sqlcmd": ("-Q", "-q"),
    "cqlsh": ("-e", "--execute"),
}
# Wrappers: name -> options that take a value (the wrapped command follows the options).
WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "--user", "--group"}),
    "doas": frozenset({"-u", "-C"}),
    "nohup": frozenset(),
    "time": frozenset({"-f", "-o"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "ionice": frozenset({"-c", "-n", "-p", "-t"}),
    "timeout": frozenset({"-s", "-k", "--signal", "--kill-after"}),
    "stdbuf": frozenset({"-i", "-o", "-e"}),
    "command": frozenset(),
    "builtin": frozenset(),
    "exec": frozenset({"-a"}),
    "xargs": frozenset({"-I", "-i", "-n", "-L", "-l", "-P", "-d", "-E", "-e", "-s", "-a", "--delimiter", "--max-args", "--max-procs", "--arg-file"}),
    "setsid": frozenset(),
    "chronic": frozenset(),
    "unbuffer": frozenset(),
    "caffeinate": frozenset(),
    "torsocks": frozenset(),
    "proxychains": frozenset({"-f"}),
    "proxychains4": frozenset({"-f"}),
    "strace": frozenset({"-o", "-e", "-p", "-s", "-u"}),
    "ltrace": frozenset({"-o", "-e", "-p", "-s", "-u"}),
    "flock": frozenset({"-w", "-E", "--timeout", "--conflict-exit-code"}),
    "watch": frozenset({"-n", "-d", "--interval"}),
    "env": frozenset({"-u", "-C", "--unset", "--chdir"}),
    "chroot": frozenset({"--userspec", "--groups"}),
    "busybox": frozenset(),  # busybox rm ..., busybox nc ..., busybox sh -c ...
    "toybox": frozenset(),
}
# Wrappers whose first plain argument is not the command (timeout DURATION cmd, flock FILE cmd, chroot DIR cmd).
_WRAPPER_SKIP_FIRST = frozenset({"timeout", "flock", "chroot"})
# Commands whose plain relative arguments are resolved against the working
# directory (so `rm -rf ../../..` reads as `rm -rf /`). Other commands only
# get their ~, $HOME, / and ../ arguments normalised.
FILE_OPS = frozenset({"rm", "rmdir", "unlink", "shred", "srm", "wipe", "find", "truncate"})
_KEYWORDS = frozenset({"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time", "coproc"})
_DATA_SEPS = str.maketrans({";": "\u037e", "|": "\u00a6", "&": "\uff06", "\n": "\u2424", "(": "\uff08", ")": "\uff09", "`": "\u02cb", ">": "\u203a", "<": "\u2039"})
_DECODERS = ("base64", "openssl", "xxd", "rev", "basenc", "b64decode")


class Command:
    """One simple command after wrappers were stripped."""

    __slots__ = ("name", "argv", "words", "redirs", "stdin", "via_xargs")

    def __init__(self, words: list[Word], redirs: list[tuple[str, str, str]], stdin: str | None) -> None:
        self.via_xargs = False  # its stdin words become more arguments (echo ~ | xargs rm -rf)
        self.words = words
        self.argv = [w.text for w in words]
        self.name = _basename(self.argv[0]) if self.argv else ""
        self.redirs = redirs
        self.stdin = stdin  # heredoc / here-string text


class Normalised:
    """What rules read for one shell call."""

    __slots__ = ("texts", "code", "sql", "errors")

    def __init__(self) -> None:
        self.texts: list[str] = []  # canonical pipelines and whole scripts
        self.code: list[str] = []  # inline interpreter code (python -c, node -e, ...)
        self.sql: list[str] = []  # SQL handed to database clients
        self.errors: list[str] = []

    def add(self, bucket: list[str], text: str) -> None:
        if text and text not in bucket and len(self.texts) + len(self.code) + len(self.sql) < MAX_TEXTS:
            bucket.append(text)

    def add_code(self, code: str, ctx: _Ctx, depth: int) -> None:
        """Inline interpreter code, and the shell commands it runs (os.system, execSync ...)."""
        self.add(self.code, code)
        for cmd in code_shell_strings(code):
            _script(cmd, ctx, self, depth + 1)


def _basename(path: str) -> str:
    i = max(path.rfind("/"), path.rfind("\\"))
    name = path[i + 1 :] if i >= 0 else path
    if name.startswith("python"):
        return "python"
    if name.endswith(".exe"):
        name = name[:-4]
    return name


def normalise(command: str, cwd: str = "", home: str = "") -> Normalised:
    """Canonical texts for ``command`` run in ``cwd`` by a user whose home is ``home``."""
    out = Normalised()
    _script(command[:MAX_INPUT], _Ctx(cwd or "/", home), out, 0)
    return out


class _Ctx:
    __slots__ = ("cwd", "home", "vars")

    def __init__(self, cwd: str, home: str) -> None:
        self.vars: dict[str, str] = {}  # simple assignments seen so far (a=r; b=m; $a$b -rf ~)
        self.cwd = cwd
        self.home = home.rstrip("/") if home and home != "/" else home


def _script(text: str, ctx: _Ctx, out: Normalised, depth: int, wrap: str = "") -> None:
    """Normalise one script; ``wrap`` ("$(") marks the lines of a command substitution."""
    if depth > MAX_DEPTH or not text.strip():
        return
    lexed = lex(text)
    out.errors.extend(lexed.errors)
    pipelines = _split(lexed)
    rendered: list[str] = []
    for pipeline, op in pipelines:
        for c in pipeline:
            _record_assignments(c, ctx)
        cmds = [_unwrap(c, ctx, out, depth) for c in pipeline]
        cmds = [c for c in cmds if c is not None]
        if not cmds:
            continue
        _follow_data_into_shells(cmds, ctx, out, depth)
        line = " | ".join(_render(c, ctx) for c in cmds)
        if wrap:
            line = f"{wrap}{line})"
        out.add(out.texts, line)
        rendered.append(line + (f" {op}" if op not in ("\n", "") else " ;"))
        for c in cmds:
            if c.name == "cd":
                ctx.cwd = _resolve(c.argv[1] if len(c.argv) > 1 else "~", ctx, raw=True, tilde=False)
    if len(rendered) > 1:
        out.add(out.texts, " ".join(rendered).rstrip(" ;"))


def _split(lexed: Lexed) -> list[tuple[list[Command], str]]:
    """Tokens -> pipelines of simple commands, each with the list operator after it."""
    bodies = {idx: body for idx, body, _q in lexed.heredocs}
    pipelines: list[tuple[list[Command], str]] = []
    pipeline: list[Command] = []
    words: list[Word] = []
    redirs: list[tuple[str, str, str]] = []
    stdin: str | None = None
    toks = lexed.tokens
    i = 0

    def end_command() -> None:
        nonlocal words, redirs, stdin
        while words and words[0].text in _KEYWORDS and not words[0].quoted:
            words = words[1:]
        while words and words[-1].text == "}" and not words[-1].quoted:
            words = words[:-1]
        if words or redirs:
            pipeline.append(Command(words, redirs, stdin))
        words, redirs, stdin = [], [], None

    while i < len(toks):
        t: Token = toks[i]
        if t.kind == "word":
            words.append(t.word)  # type: ignore[arg-type]
        elif t.kind == "redir":
            target = toks[i + 1].value if i + 1 < len(toks) and toks[i + 1].kind == "word" else ""
            if t.value in ("<<", "<<-"):
                stdin = bodies.get(i, "")
            elif t.value == "<<<":
                stdin = target
            redirs.append((t.fd, t.value, target))
            i += 1
        elif t.value in ("|", "|&"):
            end_command()
        else:
            end_command()
            if pipeline:
                pipelines.append((pipeline, t.value if t.value not in ("(", ")") else ";"))
            pipeline = []
        i += 1
    end_command()
    if pipeline:
        pipelines.append((pipeline, ""))
    return pipelines


def _options_then_rest(argv: list[str], start: int, with_value: frozenset[str]) -> int:
    """Index of the first argument after a wrapper's options."""
    i = start
    while i < len(argv):
        a = argv[i]
        if a == "--":
            return i + 1
        if not a.startswith("-") or a == "-":
            return i
        if a in with_value or (a.startswith("--") and a.split("=", 1)[0] in with_value and "=" not in a):
            i += 2
            continue
        i += 1
    return i


def _record_assignments(cmd: Command, ctx: _Ctx) -> None:
    """``a=r`` / ``export a=r`` alone on a command: remember literal values for later ``$a``."""
    words = cmd.words[1:] if cmd.words and cmd.words[0].text in ("export", "local", "declare", "readonly") else cmd.words
    if not words or not all(_is_assignment(w) for w in words):
        return
    for w in words:
        if not w.subs and len(ctx.vars) < 64:
            name, _, value = w.text.partition("=")
            ctx.vars[name] = value


def _substitute(w: Word, ctx: _Ctx) -> Word:
    """``$name`` / ``${name}`` replaced by a remembered literal value."""
    text = w.text
    if "$" not in text:
        return w
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "$" and i + 1 < n:
            if text[i + 1] == "{":
                end = text.find("}", i + 2)
                name = text[i + 2 : end] if end > 0 else ""
                if name in ctx.vars:
                    out.append(ctx.vars[name])
                    i = end + 1
                    continue
            else:
                j = i + 1
                while j < n and (text[j].isalnum() or text[j] == "_"):
                    j += 1
                if text[i + 1 : j] in ctx.vars:
                    out.append(ctx.vars[text[i + 1 : j]])
                    i = j
                    continue
        out.append(c)
        i += 1
    new = Word()
    new.text, new.quoted, new.expands, new.subs = "".join(out), w.quoted, w.expands, w.subs
    return new


def _unwrap(cmd: Command, ctx: _Ctx, out: Normalised, depth: int) -> Command | None:
    """Strip wrappers and assignments; queue nested code for normalisation."""
    words = [_substitute(w, ctx) for w in cmd.words] if ctx.vars else cmd.words
    via_xargs = False
    for _ in range(16):
        while words and _is_assignment(words[0]):
            words = words[1:]
        if not words:
            return Command([], cmd.redirs, cmd.stdin) if cmd.redirs else None
        name = _basename(words[0].text)
        if name in WRAPPERS:
            argv = [w.text for w in words]
            i = _options_then_rest(argv, 1, WRAPPERS[name])
            if name == "env":
                while i < len(argv) and "=" in argv[i] and not argv[i].startswith("="):
                    i += 1
            if name in _WRAPPER_SKIP_FIRST:
                i += 1
            if name == "command" and i < len(argv) and argv[i - 1] in ("-v", "-V"):
                break
            if i >= len(words):
                break
            words = words[i:]
            via_xargs = via_xargs or name == "xargs"
            continue
        break
    cmd = Command(words, cmd.redirs, cmd.stdin)
    cmd.via_xargs = via_xargs
    # Command substitutions execute wherever they appear.
    for w in words:
        for sub in w.subs:
            _script(sub, ctx, out, depth + 1, wrap="$(")
    _nested(cmd, ctx, out, depth)
    return cmd


def _is_assignment(w: Word) -> bool:
    t = w.text
    eq = t.find("=")
    return eq > 0 and t[:eq].replace("_", "a").isalnum() and not t[0].isdigit()


def _nested(cmd: Command, ctx: _Ctx, out: Normalised, depth: int) -> None:
    name, argv = cmd.name, cmd.argv
    if name in SHELLS:
        args = argv[1:]
        for j, a in enumerate(args):
            if a.startswith("-") and not a.startswith("--") and "c" in a[1:]:
                if j + 1 < len(args):
                    _script(_resolved(cmd.words[j + 2], args[j + 1]), ctx, out, depth + 1)
                return
            if a == "--command" and j + 1 < len(args):
                _script(args[j + 1], ctx, out, depth + 1)
                return
        if cmd.stdin is not None:
            _script(cmd.stdin, ctx, out, depth + 1)
        return
    if name == "eval" or name == "source" and len(argv) > 1 and argv[1].startswith("<("):
        _script(" ".join(_resolved(w, w.text) for w in cmd.words[1:]), ctx, out, depth + 1)
        return
    if name == "su":
        for j, a in enumerate(argv):
            if a in ("-c", "--command") and j + 1 < len(argv):
                _script(argv[j + 1], ctx, out, depth + 1)
            elif a.startswith("--command="):
                _script(a.split("=", 1)[1], ctx, out, depth + 1)
        return
    if name in ("ssh", "dbclient"):
        i = _options_then_rest(argv, 1, frozenset({"-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p", "-Q", "-R", "-S", "-W", "-w"}))
        if i + 1 < len(argv):
            _script(" ".join(argv[i + 1 :]), ctx, out, depth + 1)
        return
    if name == "find":
        # {} stands for what find found: under its starting point, named as -name says.
        roots = []
        for a in argv[1:]:
            if a.startswith(("-", "(", "!")):
                break
            roots.append(a)
        named = next((argv[j + 1] for j, a in enumerate(argv[:-1]) if a in ("-name", "-iname")), "")
        found = (roots[0] if roots else ".").rstrip("/") + ("/" + named if named else "")
        for j, a in enumerate(argv):
            if a in ("-exec", "-execdir", "-ok", "-okdir"):
                k = j + 1
                while k < len(argv) and argv[k] not in (";", "+"):
                    k += 1
                sub = [found if x == "{}" else x for x in argv[j + 1 : k]]
                if sub:
                    _script(" ".join(_quote(x) for x in sub), ctx, out, depth + 1)
        return
    flags = INTERPRETERS.get(name)
    if flags is not None:
        for j, a in enumerate(argv[1:], 1):
            if a in flags and j + 1 < len(argv):
                out.add_code(argv[j + 1], ctx, depth)
                return
            attached = next((f for f in flags if len(f) == 2 and a.startswith(f) and len(a) > 2), None)
            if attached:  # ruby -e'puts 1', python -c"import os"
                out.add_code(a[2:], ctx, depth)
                return
            if name in ("pwsh", "powershell") and a.lower() in ("-encodedcommand", "-enc", "-e", "-ec") and j + 1 < len(argv):
                decoded = _b64(argv[j + 1], "utf-16-le")
                if decoded:
                    out.add_code(decoded, ctx, depth)
                return
        if cmd.stdin is not None:
            out.add_code(cmd.stdin, ctx, depth)
        return
    flags = SQL_CLIENTS.get(name)
    if flags is not None:
        for j, a in enumerate(argv[1:], 1):
            if a in flags and j + 1 < len(argv):
                out.add(out.sql, argv[j + 1])
            elif a.startswith("--") and "=" in a and a.split("=", 1)[0] in flags:
                out.add(out.sql, a.split("=", 1)[1])
        if name == "sqlite3":
            plain = [a for a in argv[1:] if not a.startswith("-")]
            for a in plain[1:]:
                out.add(out.sql, a)
        if cmd.stdin is not None:
            out.add(out.sql, cmd.stdin)


# Calls that hand a string to a shell, in the languages agents run inline.
_SHELL_CALLS = ("system(", "popen(", "exec(", "execsync(", "spawnsync(", "check_output(", "check_call(", "getoutput(", "getstatusoutput(", "run(", "call(", "Popen(", "shell_exec(", "passthru(", "proc_open(", "%x(", "`")


def code_shell_strings(code: str, limit: int = 32) -> list[str]:
    """String literals that inline code passes to a shell: os.system('...'), execSync("...") ..."""
    out: list[str] = []
    low = code.lower()
    for call in _SHELL_CALLS:
        start = 0
        needle = call.lower()
        while len(out) < limit:
            i = low.find(needle, start)
            if i < 0:
                break
            j = i + len(needle)
            if needle == "`":
                end = code.find("`", j)
                if end > j:
                    out.append(code[j:end])
                start = (end if end > j else j) + 1
                continue
            while j < len(code) and code[j] in " [(":
                j += 1
            if j < len(code) and code[j] in "'\"":
                lit = _string_literal(code, j)
                if lit:
                    out.append(lit)
            start = j + 1
    return out


def _string_literal(code: str, i: int) -> str:
    q = code[i]
    if code.startswith(q * 3, i):  # Python triple-quoted string
        end = code.find(q * 3, i + 3)
        return code[i + 3 : end] if end > 0 else ""
    out = []
    j = i + 1
    while j < len(code) and code[j] != q:
        if code[j] == "\\" and j + 1 < len(code):
            out.append(code[j + 1])
            j += 2
            continue
        out.append(code[j])
        j += 1
    return "".join(out)


def _resolved(word: Word | None, text: str) -> str:
    """A word's text with decode-pipeline substitutions replaced by what they decode to."""
    if word is None or not word.subs:
        return text
    for sub in word.subs:
        decoded = _decode_pipeline_text(sub)
        if decoded is not None:
            text = text.replace("$(" + sub + ")", decoded).replace("`" + sub + "`", decoded)
    return text


def _decode_pipeline_text(script: str) -> str | None:
    """What ``$(script)`` expands to, when that is knowable: echo/printf, or a decoder chain."""
    lexed = lex(script)
    pipes = _split(lexed)
    if len(pipes) != 1:
        return None
    cmds = pipes[0][0]
    if len(cmds) == 1:
        return _producer_text(cmds[0])
    return _run_decoders(cmds)


def _producer_text(cmd: Command) -> str | None:
    """What echo/printf/cat<<< writes to stdout (escapes decoded), or None."""
    if cmd.name == "echo":
        args = cmd.argv[1:]
        interpret = False
        while args and args[0] in ("-e", "-n", "-E", "-ne", "-en"):
            interpret = interpret or "e" in args[0]
            args = args[1:]
        text = " ".join(args)
        return _unescape(text) if interpret else text
    if cmd.name == "printf" and len(cmd.argv) > 1:
        fmt = cmd.argv[1]
        if fmt.startswith("-"):
            return None
        text = _unescape(fmt)
        if "%s" in text and len(cmd.argv) > 2:
            text = text.replace("%s", " ".join(cmd.argv[2:]), 1)
        return text
    if cmd.stdin is not None and cmd.name in ("cat", "base64", "xxd", "openssl", "rev", "tr"):
        return cmd.stdin
    return None


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    from guard.engine.shell.lexer import ansi_c

    decoded, _end = ansi_c(text.replace("'", "\\'") + "'", 0)
    return decoded


def _is_decoder(cmd: Command) -> bool:
    a = cmd.argv
    if cmd.name in ("base64", "basenc", "b64decode"):
        return any(x in ("-d", "--decode", "-D") or (x.startswith("-") and not x.startswith("--") and "d" in x) for x in a[1:]) or cmd.name == "b64decode"
    if cmd.name == "openssl":
        return ("base64" in a or "enc" in a) and "-d" in a
    if cmd.name == "xxd":
        return "-r" in a or "-r -p" in " ".join(a) or any(x.startswith("-r") for x in a[1:])
    return cmd.name == "rev"


def _run_decoders(cmds: list[Command]) -> str | None:
    """``echo X | base64 -d [| ...]``: the decoded text, when the pipeline is a decoder chain."""
    if len(cmds) < 2:
        return None
    text = _producer_text(cmds[0])
    if text is None:
        if cmds[0].stdin is not None and _is_decoder(cmds[0]):
            text = cmds[0].stdin
            cmds = [cmds[0]] + cmds
        else:
            return None
    decoded_any = False
    for c in cmds[1:]:
        if not _is_decoder(c):
            break
        text = _decode_one(c, text)
        if text is None:
            return None
        decoded_any = True
    return text if decoded_any else None


def _decode_one(cmd: Command, text: str) -> str | None:
    if cmd.name == "rev":
        return "\n".join(line[::-1] for line in text.split("\n"))
    if cmd.name == "xxd":
        import binascii

        hexchars = "".join(ch for ch in text if ch in "0123456789abcdefABCDEF")
        try:
            return binascii.unhexlify(hexchars[: len(hexchars) // 2 * 2]).decode("utf-8", "replace")
        except (ValueError, binascii.Error):
            return None
    return _b64(text)


def _b64(text: str, encoding: str = "utf-8") -> str | None:
    import binascii

    data = "".join(text.split())
    data += "=" * (-len(data) % 4)
    try:
        raw = binascii.a2b_base64(data.encode("ascii", "ignore"))
    except (binascii.Error, ValueError):
        return None
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def _follow_data_into_shells(cmds: list[Command], ctx: _Ctx, out: Normalised, depth: int) -> None:
    """Text piped into a shell or interpreter is code: ``echo ... | sh``, ``... | base64 -d | bash``.

    Piped into ``xargs CMD`` it becomes CMD's arguments: ``echo ~ | xargs rm -rf`` is ``rm -rf ~``.
    """
    for k in range(1, len(cmds)):
        sink = cmds[k]
        upstream = cmds[:k]
        text = _run_decoders(upstream) if len(upstream) > 1 else _producer_text(upstream[0])
        if text is None:
            continue
        if sink.via_xargs and sink.words:
            extra = []
            for tok in text.split()[:64]:
                w = Word()
                w.text, w.expands = tok, True
                extra.append(w)
            fed = Command(sink.words + extra, sink.redirs, sink.stdin)
            cmds[k] = fed
            continue
        if sink.name in SHELLS and not any(a.startswith("-") and "c" in a[1:] for a in sink.argv[1:]):
            _script(text, ctx, out, depth + 1)
        elif sink.name in INTERPRETERS:
            out.add_code(text, ctx, depth)
        elif sink.name in SQL_CLIENTS:
            out.add(out.sql, text)
        elif sink.name == "xargs" or (k == len(cmds) - 1 and _is_decoder(cmds[k - 1]) and False):
            pass
        if len(upstream) > 1 and text and sink.name not in SHELLS:
            # A decoded payload that is not executed is still worth reading (exfiltration, keys).
            out.add(out.texts, text)


def _render(cmd: Command, ctx: _Ctx) -> str:
    parts: list[str] = []
    is_file_op = cmd.name in FILE_OPS
    skip_first = False
    end_opts = False
    seen_plain = False
    for j, w in enumerate(cmd.words):
        a = w.text
        if j == 0:
            parts.append(_quote_code(w) if w.subs else _quote(_command_word(a)))
            continue
        if w.subs:
            parts.append(_quote_code(w))
            continue
        if a == "--":
            end_opts = True
            parts.append(a)
            continue
        if cmd.name == "find" and (a.startswith(("-", "(", "!")) or a in ("{}", ";", "+")):
            is_file_op = False  # find: only the leading arguments are paths
        if is_file_op and a != "{}" and (end_opts or not a.startswith("-")):
            if skip_first and not seen_plain:
                seen_plain = True
                parts.append(_quote(a))
                continue
            parts.append(_quote(_resolve(a, ctx, raw=w.expands or not w.quoted)))
            continue
        parts.append(_quote(_path_like(a, ctx, w)))
    for fd, op, target in cmd.redirs:
        if op in ("<<", "<<-"):
            parts.append(op + "EOF")
            continue
        parts.append(f"{fd}{op}{_quote(_path_like(target, ctx, None)) if op != '<<<' else _quote(target)}")
    return " ".join(parts)


_BIN_DIRS = ("/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/usr/local/bin/", "/usr/local/sbin/", "/opt/homebrew/bin/")


def _command_word(a: str) -> str:
    """``/usr/bin/rm`` reads as ``rm``; ``./tool`` and other paths keep their path."""
    if a.startswith(_BIN_DIRS):
        return _basename(a)
    if a.startswith("\\"):
        return a[1:]
    return a


def _path_like(a: str, ctx: _Ctx, w: Word | None) -> str:
    """Arguments that are clearly paths are resolved, URLs canonicalised; others are left alone."""
    if "://" in a:
        from guard.engine.urlnorm import canonical

        forms = canonical(a)
        return forms[0] if forms else a
    if a.startswith(("/", "~", "$HOME", "${HOME}", "./", "../")):
        return _resolve(a, ctx, raw=True)
    if a.startswith("@") and len(a) > 1 and a[1] in "/~.$":
        return "@" + _resolve(a[1:], ctx, raw=True)
    eq = a.find("=")
    if eq > 0 and a.startswith("-") and len(a) > eq + 1 and a[eq + 1] in "/~$":
        return a[: eq + 1] + _resolve(a[eq + 1 :], ctx, raw=True)
    return a


def _resolve(path: str, ctx: _Ctx, raw: bool = True, tilde: bool = True) -> str:
    """Absolute, '..'-free path; with ``tilde``, the home directory is written as '~'."""
    p = path
    home = ctx.home
    if raw:
        if p == "~" or p.startswith("~/"):
            p = (home or "~") + p[1:]
        elif p.startswith("${HOME}"):
            p = (home or "~") + p[7:]
        elif p.startswith("$HOME") and (len(p) == 5 or p[5] == "/"):
            p = (home or "~") + p[5:]
    if p.startswith("~"):
        if tilde:
            return p
        p = "/" + p[1:].lstrip("/")  # no home known: best effort
    if not p.startswith("/"):
        colon = p.find(":")
        if not p or p.startswith("-") or (colon > 0 and ("/" not in p[:colon])):
            return path  # options, URLs and remote specs (host:path, user@host:dir)
        p = ctx.cwd.rstrip("/") + "/" + p
    out = collapse(p)
    if tilde and home:
        short = home_as_tilde(out, home)
        if short != out:
            return short
    if path.endswith("/") and out != "/":
        out += "/"
    return out


def _quote_code(w: Word) -> str:
    """A word holding command substitutions: the substitutions stay visible as code."""
    text = w.text
    marks: list[tuple[str, str]] = []
    for k, sub in enumerate(w.subs):
        for form in ("$(" + sub + ")", "<(" + sub + ")", ">(" + sub + ")", "`" + sub + "`"):
            if form in text:
                mark = f"\x00{k}\x00"
                text = text.replace(form, mark)
                marks.append((mark, "$(" + " ".join(sub.split()) + ")" if form[0] in "$`" else form[:2] + " ".join(sub.split()) + ")"))
    text = text.translate(_DATA_SEPS)
    for mark, code in marks:
        text = text.replace(mark, code)
    return '"' + text.replace('"', '\\"') + '"' if any(c in text for c in " \t") else text


def _quote(a: str) -> str:
    """Render one argument: separators inside it become look-alikes (data stays data)."""
    if not a:
        return "''"
    a = a.translate(_DATA_SEPS)
    if any(c in a for c in " \t'\""):
        return "'" + a.replace("'", "'\\''") + "'"
    return a
