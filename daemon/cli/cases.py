"""`cases list|show|search|new|move` and `attachments get`: finding, showing and
registering cases.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from daemon.cli.command_context import acting_staff, open_app, print_json
from daemon.cli.errors import CommandError

if TYPE_CHECKING:
    from daemon.settings import Settings


def cmd_cases_list(args: argparse.Namespace, settings: Settings) -> int:
    unassigned = (args.assigned or "").strip().lower() == "none"
    found = open_app(args, settings).reads.cases(
        args.status,
        customer_domain=args.customer.strip().lstrip("@") if args.customer else None,
        priority=args.priority,
        assignee=None if unassigned else args.assigned,
        unassigned=unassigned,
        overdue=args.overdue,
    )
    if args.json:
        print_json(found)
        return 0
    which = ", ".join(
        [args.status]
        + [
            f"{name} {value}"
            for name in ("customer", "priority", "assigned")
            if (value := getattr(args, name))
        ]
        + (["overdue"] if args.overdue else [])
    )
    _print_case_list(found, f" ({which})", settings)
    return 0


def cmd_cases_show(args: argparse.Namespace, settings: Settings) -> int:
    detail = open_app(args, settings).reads.case(args.number)
    if args.json:
        print_json(detail)
        return 0
    from daemon.outputs import case_tables

    case_tables.print_case_detail(detail, settings.support.timezone)
    return 0


def cmd_cases_search(args: argparse.Namespace, settings: Settings) -> int:
    if args.limit < 1:
        raise CommandError(f"--limit must be at least 1, not {args.limit}")
    found = open_app(args, settings).reads.search(args.query, args.limit)
    if args.json:
        print_json(found)
        return 0
    _print_case_list(found, f" matching {args.query!r}, best first", settings)
    return 0


def _print_case_list(found: Sequence[dict[str, Any]], which: str, settings: Settings) -> None:
    """The table of `found`, captioned "N cases{which}; ! = critical; times in TZ"."""
    from daemon.outputs import case_tables  # rich: only for a table

    tz = settings.support.timezone
    count = f"{len(found)} case" + ("" if len(found) == 1 else "s")
    case_tables.print_case_list(found, f"{count}{which}; ! = critical; times in {tz}", tz)


def cmd_cases_new(args: argparse.Namespace, settings: Settings) -> int:
    from email.utils import getaddresses

    from daemon.domain.mail_address import is_mail_address

    if any("\n" in v or "\r" in v for v in (args.sender, args.name, args.subject)):
        raise CommandError("--from, --name and --subject must be one line each")
    # One caller's address, bare or as a mail client writes it ("Søren <s@x.dk>",
    # '"Kunde, Søren" <s@x.dk>': a quoted comma is the name's): the case's customer and
    # the ack's recipient. "foo@" got as far as the record's From header, and the mail
    # library's traceback; "a@x.dk, b@x.dk" is two.
    found = getaddresses([args.sender])
    name, caller = found[0] if len(found) == 1 else ("", "")
    if not is_mail_address(caller):
        raise CommandError(f"--from {args.sender!r} is not an email address")
    app = open_app(args, settings, "write")
    result = app.register_call(caller, args.name or name, args.subject, args.body)
    if result.case_number is None:
        raise CommandError(f"the call was not registered: {result.reason or result.outcome}")
    if not args.no_send:
        app.flush_outbox()
    detail = app.reads.summary(result.case_number)
    if args.json:
        print_json(detail)
    else:
        print(f"{detail['reference']} {detail['subject']} ({detail['priority']})")
    return 0


def cmd_cases_move(args: argparse.Namespace, settings: Settings) -> int:
    actor = acting_staff(args, settings)
    moved = open_app(args, settings, "write").work.move(args.number, args.customer, actor)
    if args.json:
        print_json(moved)
    else:
        domain, agreement = moved["customer_domain"], moved["agreement"]
        print(f"{moved['reference']} now belongs to {domain} (agreement: {agreement})")
    return 0


def cmd_attachments_get(args: argparse.Namespace, settings: Settings) -> int:
    from daemon.outputs.attachment_files import CannotWrite, write_attachments

    found = open_app(args, settings).reads.attachment_files(args.number)
    try:
        written = write_attachments(found, args.out)
    except CannotWrite as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        print_json(written)
    elif not written:
        print(f"[OO#{args.number}] has no attachments")
    else:
        for w in written:
            print(f"{w['path']}  ({w['written_bytes']} bytes, {w['content_type']})")
    return 0
