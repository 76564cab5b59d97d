"""`python -m tui`: the same as the `p2pshare` command."""

import sys

from .launch import main

sys.exit(main())
