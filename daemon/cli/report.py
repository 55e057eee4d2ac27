"""`report --month`: the monthly report per customer, as JSON, CSV or a Danish HTML page."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from daemon.cli.command_context import open_app, print_json
from daemon.cli.errors import CommandError

if TYPE_CHECKING:
    from daemon.settings import Settings


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from daemon.outputs import reports

    app = open_app(args, settings)
    try:
        found = app.reads.report(args.month, settings.support.timezone, args.customer)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if args.format == "json":
        print_json(reports.report_json(found))
    elif args.format == "csv":
        sys.stdout.write(reports.report_csv(found))
    else:
        sys.stdout.write(reports.report_html(found, app.renderer))
    return 0
