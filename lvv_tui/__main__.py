"""``python -m lvv_tui``: the same as the ``lvv-tui`` command."""

import sys

from lvv_tui.cli import main

sys.exit(main())
