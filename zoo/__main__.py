"""``python -m zoo`` is the ``zoo`` command (also what torchrun runs)."""

import sys

from zoo.cli import main

sys.exit(main())
