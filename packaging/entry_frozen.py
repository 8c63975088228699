"""Entry script of the frozen binary: the same ``guard.entry.main`` as the console script.

Kept to one import so the frozen hook path is exactly the Python hook path.
"""

import sys

from guard.entry import main

sys.exit(main())
