"""The command line (INTERFACE.md "Command line"): parse arguments, call the app.

Data goes to stdout (exactly one JSON document with --json); logs and errors go
to stderr; failures exit non-zero with a one-line reason.

Where things are: main.py runs a command; parser.py holds every command and option
(the order `--help` shows); a handler `cmd_*` lives in the module of its command group
(operations, triage, cases, staff_work, billing, kept_mail, report, console);
arguments.py, command_context.py and errors.py hold what the handlers share.

Only what a command needs is imported, inside its handler: a read command such as
`cases list` should not pay for the IMAP client, the scheduler or MSAL at start
(benchmarks/cli_startup.py). Keep the modules' own imports light.
"""

from daemon.cli.main import main
from daemon.cli.parser import build_parser

__all__ = ["build_parser", "main"]
