"""`time add`, `cases fee` and `cases project`: what a case is billed (BR-13..BR-18)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from daemon.cli.command_context import acting_staff, open_app, print_json, print_summary
from daemon.cli.errors import CommandError
from daemon.domain.billing import MAX_MINUTES

if TYPE_CHECKING:
    from daemon.settings import Settings


def cmd_time_add(args: argparse.Namespace, settings: Settings) -> int:
    from daemon.outputs import views

    if not 0 < args.minutes <= MAX_MINUTES:
        raise CommandError(f"minutes must be 1..{MAX_MINUTES}, not {args.minutes}")
    actor = acting_staff(args, settings)
    app = open_app(args, settings, "write")
    entry = app.work.add_time(args.number, args.minutes, args.kind, actor, args.at)
    shown = {"case": args.number, **entry, "at": views.iso(entry["at"])}
    shown.pop("created_at")
    print_summary(args, shown)
    return 0


def cmd_time_remove(args: argparse.Namespace, settings: Settings) -> int:
    actor = acting_staff(args, settings)
    removed = open_app(args, settings, "write").work.remove_time(args.number, args.entry, actor)
    print_summary(args, {"case": args.number, "removed": removed})
    return 0


def cmd_cases_fee(args: argparse.Namespace, settings: Settings) -> int:
    from daemon.domain.billing import ONCALL_FEE, Fee, fee_amount
    from daemon.outputs import views

    if args.oncall:
        charge = ONCALL_FEE
    else:
        try:
            amount = fee_amount(args.amount)
        except ValueError as exc:
            raise CommandError(f"--amount {exc}") from None
        if not args.description.strip():
            raise CommandError("--description is needed with --amount")
        charge = Fee(args.description.strip(), amount)
    actor = acting_staff(args, settings)
    open_app(args, settings, "write").work.add_fee(
        args.number, charge, actor, oncall=args.oncall, force=args.force
    )
    shown = {
        "case": args.number,
        "description": charge.description,
        "amount": views.money(charge.amount),
    }
    print_summary(args, shown)
    return 0


def cmd_cases_project(args: argparse.Namespace, settings: Settings) -> int:
    from daemon.domain.billing import MAX_ESTIMATE_MINUTES
    from daemon.domain.durations import DurationError, format_duration, parse_duration

    terms_given = args.senior is not None or args.estimate is not None or args.no_estimate
    if args.off and terms_given:
        raise CommandError("--off takes no --senior, --estimate or --no-estimate")
    if args.estimate is not None and args.no_estimate:
        raise CommandError("--estimate and --no-estimate exclude each other")
    minutes = None
    if args.estimate is not None:
        try:
            minutes = parse_duration(args.estimate)
        except DurationError as exc:
            raise CommandError(f"--estimate {exc}") from None
        if minutes > MAX_ESTIMATE_MINUTES:
            raise CommandError(f"--estimate is at most {MAX_ESTIMATE_MINUTES // 60}h")
    actor = acting_staff(args, settings)
    marked = open_app(args, settings, "write").work.mark_project(
        args.number,
        actor,
        on=not args.off,
        senior=args.senior,
        estimate_minutes=minutes,
        no_estimate=args.no_estimate,
    )
    if args.json:
        print_json(marked)
        return 0
    terms = marked["project_terms"]
    shown = f"[OO#{args.number}] project={'yes' if terms else 'no'}"
    if terms:
        agreed = terms["estimate_minutes"]
        shown += f" rate={terms['rate_kind']}"
        shown += f" estimate={format_duration(agreed) if agreed else 'none'}"
    print(shown, file=sys.stderr)
    return 0
