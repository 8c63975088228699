"""Fast launcher: ``python -I -S /abs/path/guard/hookmain.py [hook args]``.

``-I -S`` skips site-packages processing and the environment (about half the
cost of pip's console-script wrapper), so this file puts the directory that
holds the ``guard`` package on ``sys.path`` itself.
"""

import sys

_here = __file__
_cut = max(_here.rfind("/"), _here.rfind("\\"))
_pkg = _here[:_cut]
_cut = max(_pkg.rfind("/"), _pkg.rfind("\\"))
sys.path.insert(0, _pkg[:_cut] or "/")

from guard.entry import main  # noqa: E402

sys.exit(main())
