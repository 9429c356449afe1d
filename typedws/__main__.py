"""``python -m typedws``: the ``typedws`` command."""

import sys

from typedws.cli import main

sys.exit(main())
