"""`python -m daemon.cli`, as `python -m daemon`."""

import sys

from daemon.cli import main

sys.exit(main())
