"""`python -m p2pshare ...`: the command line, as the console script runs it."""

import sys

from .cli import main

sys.exit(main())
