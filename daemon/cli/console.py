"""`web` (the staff console) and `staff add|list|remove` (its accounts)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from daemon.cli.command_context import open_app, print_json
from daemon.cli.errors import CommandError

if TYPE_CHECKING:
    from daemon.app import Access
    from daemon.settings import Settings


def cmd_web(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from daemon.web.server import run_console

    app = open_app(args, settings, "write")
    asyncio.run(run_console(app))
    return 0


def _staff_accounts(args: argparse.Namespace, settings: Settings, access: Access) -> Any:
    from daemon.web.accounts import StaffAccounts
    from daemon.web.console import wall_clock

    app = open_app(args, settings, access)
    return StaffAccounts(app.engine, settings.staff, settings.web, wall_clock)


def _new_password(args: argparse.Namespace) -> str:
    import getpass

    if args.password_file is not None:
        try:
            lines = args.password_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"--password-file: {exc}") from None
        return lines[0] if lines else ""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Once more: ") != first:
        raise CommandError("the two passwords differ")
    return first


def cmd_staff_add(args: argparse.Namespace, settings: Settings) -> int:
    from daemon.web.accounts import AccountError

    password = None if args.microsoft_only else _new_password(args)
    try:
        created = _staff_accounts(args, settings, "write").add(args.email, password)
    except AccountError as exc:
        raise CommandError(str(exc)) from None
    done = "added" if created else "password changed"
    print(f"{args.email.strip().lower()}: {done}", file=sys.stderr)
    return 0


def cmd_staff_list(args: argparse.Namespace, settings: Settings) -> int:
    found = _staff_accounts(args, settings, "read").listing()
    if args.json:
        print_json(found)
        return 0
    from daemon.outputs.case_tables import local

    for account in found:
        note = "" if account["staff_domain"] else "  (not of [staff] domains: cannot sign in)"
        since = local(account["created_at"], settings.support.timezone)
        print(f"{account['email']}  since {since}{note}")
    return 0


def cmd_staff_remove(args: argparse.Namespace, settings: Settings) -> int:
    if not _staff_accounts(args, settings, "write").remove(args.email):
        raise CommandError(f"no console account {args.email!r}")
    print(f"{args.email.strip().lower()}: removed", file=sys.stderr)
    return 0
