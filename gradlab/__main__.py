"""``python -m gradlab``: the ``gradlab`` command, for when its script is not on PATH."""

import sys

from gradlab.cli import main

if __name__ == "__main__":
    sys.exit(main())
