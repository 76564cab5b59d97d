"""`python -m p2pshare ...`: the command line, as the console script runs it."""

import sys

from p2pshare.cli.main import main

sys.exit(main())
