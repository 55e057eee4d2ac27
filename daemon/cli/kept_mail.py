"""`ignored list|retry`: mail kept without a case, and running it through again."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from daemon.cli.command_context import open_app, print_json, print_summary

if TYPE_CHECKING:
    from daemon.settings import Settings


def cmd_ignored_list(args: argparse.Namespace, settings: Settings) -> int:
    found = open_app(args, settings).reads.kept_mail()
    if args.json:
        print_json(found)
        return 0
    from daemon.outputs import terminal
    from daemon.outputs.case_tables import local

    # Local time to the minute, as every other table shows it (the JSON keeps the instant).
    tz = settings.support.timezone
    table = terminal.new_table(f"kept without a case: {len(found)}; times in {tz}")
    for header in ("at", "kind", "from", "why", "subject"):
        table.add_column(header)
    for f in found:
        why = terminal.shorten(f["reason"] or "", 50)
        subject = terminal.shorten(f["subject"], 40)
        row = (local(f["at"], tz), f["kind"], f["from"], why, subject)
        table.add_row(*map(terminal.cell, row))
    terminal.print_table(table)
    return 0


def cmd_ignored_retry(args: argparse.Namespace, settings: Settings) -> int:
    result = open_app(args, settings, "write").work.retry_kept(args.id)
    summary = {
        "id": args.id,
        "outcome": result.outcome.value,
        "case": result.case_number,
        "reason": result.reason,
    }
    print_summary(args, summary)
    return 0 if result.case_number is not None else 1
