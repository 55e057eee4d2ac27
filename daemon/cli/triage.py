"""`triage --once` (the scheduler's jobs, one pass; --dry-run rehearses it) and `triage
misses` (the verdicts staff corrected).
"""

from __future__ import annotations

import argparse
from datetime import datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from daemon import logs
from daemon.cli.command_context import open_app, print_json, print_summary
from daemon.cli.errors import CommandError

if TYPE_CHECKING:
    from daemon.settings import Settings


def cmd_triage(args: argparse.Namespace, settings: Settings) -> int:
    if not args.once:
        raise CommandError("triage: give --once (one pass of the jobs) or the command misses")
    if args.dry_run:
        return _triage_dry_run(args, settings)
    app = open_app(args, settings, "write")
    summary: dict[str, Any] = dict(app.triage_pass())
    if not args.no_send:
        summary["sent"] = app.flush_outbox().sent
    print_summary(args, summary)
    return 0


def _triage_dry_run(args: argparse.Namespace, settings: Settings) -> int:
    """The real pass on a rehearsal: every transaction rolled back, nothing sent."""
    counts, would_send = open_app(args, settings, "read").triage_rehearsal()
    if args.json:
        print_json({"dry_run": True, **counts, "would_send": would_send})
        return 0
    print(" ".join(f"{k}={v}" for k, v in counts.items()) + " dry_run=true")
    for mail in would_send:
        to = ",".join(mail["to"])
        print(f"would send {mail['kind']} to={to} subject={logs.kv_value(mail['subject'])}")
    return 0


def cmd_triage_misses(args: argparse.Namespace, settings: Settings) -> int:
    if args.once or args.dry_run or args.no_send or args.now:
        raise CommandError("triage misses takes no --once, --now, --no-send or --dry-run")
    since = None
    if args.since is not None:  # the start of that day on the office clock
        since = datetime.combine(args.since, time(0), ZoneInfo(settings.support.timezone))
    found = open_app(args, settings).reads.triage_misses(since)
    if args.json:
        print_json(found)
        return 0
    from daemon.outputs import terminal

    def verdict(priority: str | None, critical: bool | None) -> str:
        return "?" if priority is None else priority + ("!" if critical else "")

    table = terminal.new_table(
        f"verdicts staff changed: {len(found)}; ! = critical; times in {settings.support.timezone}"
    )
    for header in ("case", "changed", "by", "classifier", "staff", "miss", "reason", "subject"):
        table.add_column(header)
    for f in found:
        last = f["changes"][-1] if f["changes"] else {}
        classifier, staff = f["classifier"], f["staff"]
        changed_at = datetime.fromisoformat(last["at"]) if last else None
        table.add_row(
            *map(
                terminal.cell,
                (
                    f["reference"],
                    terminal.local_minutes(changed_at, settings.support.timezone),
                    last.get("by", ""),
                    verdict(classifier["priority"], classifier["critical"]),
                    verdict(staff["priority"], staff["critical"]),
                    f["miss"] or "",
                    terminal.shorten(classifier["reason"] or "", 50),
                    terminal.shorten(f["text"]["subject"], 40),
                ),
            )
        )
    terminal.print_table(table)
    return 0
