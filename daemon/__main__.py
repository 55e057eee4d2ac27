"""`python -m daemon` is the same program as `oo-support`."""

import sys

from daemon.cli import main

sys.exit(main())
