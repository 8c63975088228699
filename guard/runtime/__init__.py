"""Hook-path plumbing that uses builtin modules only (no os, re or json).

Every module here is imported on each tool call, so each one avoids the
stdlib modules whose import alone costs as much as the interpreter start.
"""
