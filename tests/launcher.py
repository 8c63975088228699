"""Test-only launcher: run hook mode with an injected managed-config path.

The guard deliberately has no environment variable for the managed file (an
agent could set one), so tests replace the module constant in-process here.
``--slow SECONDS`` makes the engine stall, to exercise the deadline.

Usage: python tests/launcher.py --managed PATH [--slow S] -- [hook args]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    argv = sys.argv[1:]
    rest = argv[argv.index("--") + 1 :] if "--" in argv else []
    head = argv[: argv.index("--")] if "--" in argv else argv
    opts = dict(zip(head[::2], head[1::2]))

    import guard.config.paths as paths

    if "--managed" in opts:
        paths.MANAGED_CONFIG = opts["--managed"]
    if "--slow" in opts:
        import guard.decide as decide

        real = decide.decide
        delay = float(opts["--slow"])

        def slow(*a, **k):
            time.sleep(delay)
            return real(*a, **k)

        decide.decide = slow
    from guard.entry import main as entry_main

    return entry_main(rest)


if __name__ == "__main__":
    sys.exit(main())
