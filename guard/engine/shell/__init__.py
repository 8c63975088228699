"""Shell normalisation: turn a command line into the canonical commands that rules read.

``lexer`` splits bash-like text into words and operators (quotes, escapes,
ANSI-C strings, substitutions, heredocs); ``normalise`` strips wrappers
(sudo, env, bash -c, eval, xargs, find -exec, ssh ...), decodes payloads fed
to a shell (base64, printf escapes), resolves paths, and renders one
canonical text per pipeline.

Hand-written on purpose: it runs on every shell call, and the maintained
parsers cost more than the whole hook budget to import (bashlex ~13x and
tree-sitter-bash ~4x a bare interpreter start, measured in DESIGN.md section
6). ``tests/test_shell_lexer.py`` checks its word splitting against real bash.
"""
