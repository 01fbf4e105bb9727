"""``python -m credit``: see :mod:`credit.cli`."""

import sys

from credit.cli import main

sys.exit(main())
