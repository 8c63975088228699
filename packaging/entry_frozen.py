"""Entry script of the frozen binary: the same ``guard.entry.main`` as the console script.

The spec builds with ``noarchive``: every module is a ``.pyc`` file in the bundle, which
Python's own FileFinder loads. PyInstaller's PyiFrozenFinder (pure Python; a relpath per
package directory, then a fallback to that same FileFinder) would only add start-up time
on every hook call, so it is taken out of the path hooks when the guard package is on disk.
With an ``--archive`` build the modules live in the PYZ and the finder stays.
"""

import sys


def _plain_finders() -> None:
    import os  # already imported by PyInstaller's bootstrap: no cost

    base = getattr(sys, "_MEIPASS", "")
    if not base or not os.path.isfile(os.path.join(base, "guard", "__init__.pyc")):
        return

    def is_pyi(obj: object) -> bool:
        cls = getattr(obj, "__self__", None) or type(obj)
        return getattr(cls, "__name__", "") == "PyiFrozenFinder"

    sys.path_hooks[:] = [h for h in sys.path_hooks if not is_pyi(h)]
    for path, finder in list(sys.path_importer_cache.items()):
        if is_pyi(finder):
            del sys.path_importer_cache[path]


if getattr(sys, "frozen", False):
    _plain_finders()

import gc  # noqa: E402

from guard.entry import is_hook, main  # noqa: E402

# PyInstaller's bootstrap leaves thousands of objects that every GC pass during our imports
# would walk again (measured: ~0.9 ms of a ~13 ms hook call): freeze them. In hook mode
# (bounded by the deadline, then the process exits) the collector is not needed at all;
# management commands (``test --watch`` runs for hours) keep it.
gc.freeze()
if is_hook(sys.argv[1:]):
    gc.disable()

sys.exit(main())
