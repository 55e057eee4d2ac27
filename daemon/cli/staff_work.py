"""`cases close|reopen|assign|priority|critical|note|reply`: what staff do to a case by
mail (the `#` commands, a note, a reply), done from the command line.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from daemon.cli.command_context import acting_staff, open_app, print_json, print_summary
from daemon.cli.errors import CommandError

if TYPE_CHECKING:
    from daemon.settings import Settings


def cmd_cases_close(args: argparse.Namespace, settings: Settings) -> int:
    return _change_case(args, settings, "status", "closed")


def cmd_cases_reopen(args: argparse.Namespace, settings: Settings) -> int:
    return _change_case(args, settings, "status", "open")


def cmd_cases_assign(args: argparse.Namespace, settings: Settings) -> int:
    return _change_case(args, settings, "assign", args.email.strip())


def cmd_cases_priority(args: argparse.Namespace, settings: Settings) -> int:
    return _change_case(args, settings, "priority", args.priority)


def cmd_cases_critical(args: argparse.Namespace, settings: Settings) -> int:
    return _change_case(args, settings, "critical", None)


def _change_case(
    args: argparse.Namespace, settings: Settings, name: str, value: str | None
) -> int:
    """What the staff command `#name value` does by mail, done from the command line."""
    actor = acting_staff(args, settings)
    changed = open_app(args, settings, "write").work.apply(args.number, name, value, actor)
    if args.json:
        print_json(changed)
    else:
        critical = ", critical" if changed["critical"] else ""
        print(
            f"{changed['reference']} {changed['status']}, priority {changed['priority']}"
            f"{critical}, assigned to {changed['assignee'] or 'nobody'}"
        )
    return 0


def cmd_cases_note(args: argparse.Namespace, settings: Settings) -> int:
    text = _text(args)
    actor = acting_staff(args, settings)
    message_id = open_app(args, settings, "write").work.note(args.number, actor, text)
    print_summary(
        args, {"case": args.number, "action": "note", "by": actor, "message_id": message_id}
    )
    return 0


def cmd_cases_reply(args: argparse.Namespace, settings: Settings) -> int:
    text = _text(args)
    actor = acting_staff(args, settings)
    app = open_app(args, settings, "write")
    mail = app.work.reply(args.number, actor, text)
    summary: dict[str, Any] = {
        "case": args.number,
        "action": "reply",
        "by": actor,
        "to": mail.recipients,
        "message_id": mail.message_id,
    }
    if not args.no_send:
        summary["sent"] = app.flush_outbox().sent
    print_summary(args, summary)
    return 0


def _text(args: argparse.Namespace) -> str:
    if not args.text.strip():
        raise CommandError("--text is empty")
    text: str = args.text
    return text.replace("\r\n", "\n").strip("\n")
