"""The command line (INTERFACE.md "Command line"): parse arguments, call the app.

Data goes to stdout (exactly one JSON document with --json); logs and errors go
to stderr; failures exit non-zero with a one-line reason.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from jinja2 import TemplateError
from sqlalchemy import Connection, Row
from sqlalchemy.exc import SQLAlchemyError

from daemon import logs, reports, terminal, views
from daemon.app import App, build_app, run_daemon
from daemon.clock import fixed_clock
from daemon.domain.billing import ONCALL_FEE, Fee
from daemon.ops import memory
from daemon.scheduler import triage_pass
from daemon.settings import CONFIG_ENV, ConfigError, Settings, load_settings
from daemon.store import repository

log = logging.getLogger("daemon")

# A subject longer than this is cut in `cases list` (the whole one is in `cases show`).
_SUBJECT_CHARS = 60


class CommandError(Exception):
    """A failure to report in one line, with exit status 1."""


def _iso_instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 instant: {text!r}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no UTC offset (e.g. +01:00)")
    return value


def build_parser() -> argparse.ArgumentParser:
    # Accepted before and after the command. SUPPRESS: a subcommand's parser would
    # otherwise write its own default over `oo-support --config FILE COMMAND`'s value;
    # the defaults come from the namespace `main` starts with.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", default=argparse.SUPPRESS, help="TOML config file (else $OO_SUPPORT_CONFIG)"
    )
    common.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="debug logging"
    )
    parser = argparse.ArgumentParser(
        prog="oo-support", description="OneOffice support daemon", parents=[common]
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, target: Callable[..., int], help_text: str, sub: Any = commands) -> Any:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=target)
        return p

    command("run", cmd_run, "run the daemon until SIGTERM")
    db = commands.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True
    )
    command("upgrade", cmd_db_upgrade, "migrate the database to the newest schema", db)
    poll = command("poll", cmd_poll, "one pass over the IMAP mailbox")
    poll.add_argument("--once", action="store_true", required=True)
    poll.add_argument("--now", type=_iso_instant)
    poll.add_argument("--json", action="store_true")
    poll.add_argument("--no-send", action="store_true", help="queue acks, do not send them")
    poll.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar on stderr (default: when stderr is a terminal)",
    )
    triage = command("triage", cmd_triage, "one pass of the triage, review and SLA jobs")
    triage.add_argument("--once", action="store_true", required=True)
    triage.add_argument("--now", type=_iso_instant)
    triage.add_argument("--json", action="store_true")
    triage.add_argument("--no-send", action="store_true", help="queue mail, do not send it")
    box = commands.add_parser("outbox", help="mail waiting to be sent").add_subparsers(
        dest="outbox_command", required=True
    )
    flush = command("flush", cmd_outbox_flush, "send everything queued, then exit", box)
    flush.add_argument("--json", action="store_true")
    cases = commands.add_parser("cases", help="support cases").add_subparsers(
        dest="cases_command", required=True
    )
    listing = command("list", cmd_cases_list, "cases, newest first", cases)
    listing.add_argument("--status", choices=["open", "closed", "all"], default="open")
    listing.add_argument("--json", action="store_true")
    show = command("show", cmd_cases_show, "one case with its messages", cases)
    show.add_argument("number", type=int)
    show.add_argument("--json", action="store_true")
    new = command("new", cmd_cases_new, "register a phone inquiry as a case (BR-2)", cases)
    new.add_argument("--from", dest="sender", required=True, help="the caller's email")
    new.add_argument("--subject", required=True)
    new.add_argument("--body", required=True)
    new.add_argument("--channel", choices=["phone"], required=True)
    new.add_argument("--name", default="", help="the caller's name")
    new.add_argument("--now", type=_iso_instant)
    new.add_argument("--json", action="store_true")
    new.add_argument("--no-send", action="store_true", help="queue the ack, do not send it")
    move = command("move", cmd_cases_move, "move a case to the right customer", cases)
    move.add_argument("number", type=int)
    move.add_argument("--customer", required=True, help="the customer's email domain")
    move.add_argument("--json", action="store_true")
    fee = command("fee", cmd_cases_fee, "add a fixed charge to a case", cases)
    fee.add_argument("number", type=int)
    which = fee.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--oncall",
        action="store_true",
        help="the fee for a non-critical call to the on-call duty (BR-10)",
    )
    which.add_argument("--amount", help="DKK excl. VAT, e.g. 250.00")
    fee.add_argument("--description", default="")
    fee.add_argument("--staff", default="", help="who added it (email)")
    fee.add_argument("--json", action="store_true")
    project = command("project", cmd_cases_project, "mark a case as project work (BR-14)", cases)
    project.add_argument("number", type=int)
    project.add_argument("--off", action="store_true", help="not a project after all")
    customers_cmd = commands.add_parser("customers", help="the customer registry").add_subparsers(
        dest="customers_command", required=True
    )
    command(
        "sync",
        cmd_customers_sync,
        "write [[customers]] from the config to the database",
        customers_cmd,
    )
    time_cmd = commands.add_parser("time", help="time spent on cases").add_subparsers(
        dest="time_command", required=True
    )
    add = command("add", cmd_time_add, "log work on a case", time_cmd)
    add.add_argument("number", type=int)
    add.add_argument("minutes", type=int)
    add.add_argument("--staff", default="", help="who did the work (email)")
    add.add_argument("--at", type=_iso_instant, help="when the work started (default: now)")
    add.add_argument("--kind", choices=["support", "project", "senior"], default="support")
    add.add_argument("--json", action="store_true")
    ignored = commands.add_parser("ignored", help="mail kept without a case").add_subparsers(
        dest="ignored_command", required=True
    )
    kept = command("list", cmd_ignored_list, "mail kept but not made a case, with why", ignored)
    kept.add_argument("--json", action="store_true")
    report = command("report", cmd_report, "the monthly report per customer")
    report.add_argument("--month", required=True, help="YYYY-MM, in Danish local time")
    report.add_argument("--customer", help="one customer's email domain")
    report.add_argument("--format", choices=["csv", "json", "html"], default="json")
    report.add_argument("--now", type=_iso_instant, help="judge open deadlines as of then")
    check = command("check-config", cmd_check_config, "validate the config and reach every server")
    check.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv, argparse.Namespace(config=None, verbose=False))
    memory.tune_malloc()
    # Logs go to stderr (journald takes it as it takes stdout): stdout is for data.
    logs.configure("DEBUG" if args.verbose else "INFO")
    try:
        settings = load_settings(args.config)
        logs.configure("DEBUG" if args.verbose else settings.logging.level, settings.logging.format)
        return int(args.handler(args, settings))
    except TemplateError as exc:
        print(f"oo-support: template error: {exc}", file=sys.stderr)
        return 2
    except (ConfigError, CommandError) as exc:
        print(f"oo-support: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ConfigError) else 1
    except SQLAlchemyError as exc:
        reason = str(exc).splitlines()[0]
        print(f"oo-support: database error: {reason}", file=sys.stderr)
        return 1
    except OSError as exc:  # a port in use, a directory not writable, ...
        print(f"oo-support: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _app(args: argparse.Namespace, settings: Settings, migrate: bool = True) -> App:
    now = getattr(args, "now", None)
    app = build_app(settings, fixed_clock(now) if now else None)
    if migrate:
        app.prepare_database()
    return app


def _print_summary(args: argparse.Namespace, summary: dict[str, Any]) -> None:
    """A command's result: one JSON document with --json, else key=value on one line."""
    if args.json:
        _print_json(summary)
    else:
        print(" ".join(f"{k}={logs.kv_value(v)}" for k, v in summary.items() if v is not None))


def _existing_case(conn: Connection, number: int) -> Row[Any]:
    row = repository.case_by_number(conn, number)
    if row is None:
        raise CommandError(f"no case {number}")
    return row


def _print_json(document: Any) -> None:
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    # Until the event loop takes over SIGTERM, a stop request during start-up ends
    # the process cleanly (exit 0); nothing is in hand yet.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
    app = build_app(settings)
    app.reload_settings = lambda: load_settings(args.config)  # SIGHUP
    asyncio.run(run_daemon(app))
    return 0


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    _app(args, settings)
    print("database is at the newest schema", file=sys.stderr)
    return 0


def cmd_poll(args: argparse.Namespace, settings: Settings) -> int:
    if settings.imap is None:
        raise CommandError("no IMAP mailbox configured ([imap] is absent or disabled)")
    app = _app(args, settings)
    source = app.imap_source()
    with terminal.mail_progress(f"mailbox {settings.imap.folder}", args.progress) as progress:
        try:
            report = source.poll_once(on_progress=progress)
        finally:
            source.close()
    summary = vars(report) | {"total": report.total}
    if not args.no_send:  # one cycle of the daemon: what the pass queued goes out
        summary["sent"] = app.flush_outbox().sent
    _print_summary(args, summary)
    return 0


def cmd_triage(args: argparse.Namespace, settings: Settings) -> int:
    app = _app(args, settings)
    counts = triage_pass(app.engine, settings, app.calendar, app.renderer, app.clock())
    summary: dict[str, int] = dict(counts)
    if not args.no_send:
        summary["sent"] = app.flush_outbox().sent
    _print_summary(args, summary)
    return 0


def cmd_outbox_flush(args: argparse.Namespace, settings: Settings) -> int:
    app = _app(args, settings)
    report = app.flush_outbox()
    with app.engine.connect() as conn:
        counts = repository.outbox_counts(conn)
    summary = vars(report) | {"queued": counts.get("queued", 0)}
    _print_summary(args, summary)
    if report.relay_error is not None:
        raise CommandError(f"sending paused: {report.relay_error}")
    return 0


def cmd_cases_list(args: argparse.Namespace, settings: Settings) -> int:
    app = _app(args, settings)
    with app.engine.connect() as conn:
        rows = repository.list_cases(conn, args.status)
    if args.json:
        _print_json([views.case_summary(row) for row in rows])
        return 0
    tz = settings.support.timezone
    cases_shown = f"{len(rows)} case" + ("" if len(rows) == 1 else "s")
    table = terminal.new_table(f"{cases_shown} ({args.status}); ! = critical; times in {tz}")
    # Never wrapped or cut: what one scans the list for. The rest wraps on a narrow
    # terminal (a date and its time on two lines) rather than losing a column.
    for header in ("case", "status", "priority", "!"):
        table.add_column(header, no_wrap=True)
    table.add_column("customer", overflow="fold")
    for header in ("subject", "created", "response due"):
        table.add_column(header)
    for r in rows:
        table.add_row(
            *map(
                terminal.cell,
                (
                    r.number,
                    r.status,
                    r.priority,
                    "!" if r.critical else "",
                    r.customer_email,
                    terminal.shorten(r.subject, _SUBJECT_CHARS),
                    terminal.local_minutes(r.created_at, tz),
                    terminal.local_minutes(r.response_due, tz),
                ),
            ),
            style="bold red" if r.critical else None,
        )
    terminal.print_table(table)
    return 0


def cmd_cases_show(args: argparse.Namespace, settings: Settings) -> int:
    app = _app(args, settings)
    with app.engine.connect() as conn:
        row = _existing_case(conn, args.number)
        detail = views.case_detail(conn, row)
    if args.json:
        _print_json(detail)
        return 0
    print(f"{detail['reference']} {detail['subject']}")
    facts = terminal.new_table()
    facts.show_header = False
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column()
    for key in (
        "status",
        "priority",
        "critical",
        "customer_email",
        "assignee",
        "created_at",
        "review_due",
        "response_due",
        "resolve_due",
    ):
        value = detail[key]
        shown = ("yes" if value else "no") if isinstance(value, bool) else value
        facts.add_row(terminal.cell(key), terminal.cell(shown))
    terminal.print_table(facts)
    for message in detail["messages"]:
        print(
            f"\n--- {message['at']} {message['direction']} {message['kind']} from {message['from']}"
        )
        print(message["body_text"])
    return 0


def cmd_cases_new(args: argparse.Namespace, settings: Settings) -> int:
    if "@" not in args.sender:
        raise CommandError(f"--from {args.sender!r} is not an email address")
    if any("\n" in v or "\r" in v for v in (args.sender, args.name, args.subject)):
        raise CommandError("--from, --name and --subject must be one line each")
    app = _app(args, settings)
    result = app.register_call(args.sender, args.name, args.subject, args.body)
    if result.case_number is None:
        raise CommandError(f"the call was not registered: {result.reason or result.outcome}")
    if not args.no_send:
        app.flush_outbox()
    with app.engine.connect() as conn:
        row = repository.case_by_number(conn, result.case_number)
        assert row is not None
        detail = views.case_summary(row)
    if args.json:
        _print_json(detail)
    else:
        print(f"{detail['reference']} {detail['subject']} ({detail['priority']})")
    return 0


def cmd_cases_move(args: argparse.Namespace, settings: Settings) -> int:
    app = _app(args, settings)
    domain = args.customer.lower().lstrip("@")
    with app.engine.begin() as conn:
        row = _existing_case(conn, args.number)
        customer = repository.customers_by_domain(conn, [domain]).get(domain)
        repository.update_case(
            conn,
            row.id,
            customer_domain=domain,
            updated_at=app.clock(),
            customer_id=customer.id if customer else None,
            agreement=bool(customer and customer.agreement),  # BR-22: unknown, no agreement
        )
        moved = views.case_summary(_existing_case(conn, args.number))
    if args.json:
        _print_json(moved)
    else:
        print(f"{moved['reference']} now belongs to {domain} (agreement: {moved['agreement']})")
    return 0


def cmd_cases_fee(args: argparse.Namespace, settings: Settings) -> int:
    if args.oncall:
        charge = ONCALL_FEE
    else:
        try:
            amount = Decimal(args.amount)
        except InvalidOperation:
            raise CommandError(f"--amount {args.amount!r} is not an amount") from None
        if not args.description.strip():
            raise CommandError("--description is needed with --amount")
        if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise CommandError(f"--amount {args.amount!r}: use DKK with at most two decimals")
        charge = Fee(args.description.strip(), amount.quantize(Decimal("0.01")))
    app = _app(args, settings)
    with app.engine.begin() as conn:
        row = _existing_case(conn, args.number)
        repository.add_fee(conn, row.id, charge, args.staff.lower() or "unknown", app.clock())
    shown = {
        "case": args.number,
        "description": charge.description,
        "amount": views.money(charge.amount),
    }
    _print_summary(args, shown)
    return 0


def cmd_cases_project(args: argparse.Namespace, settings: Settings) -> int:
    app = _app(args, settings)
    with app.engine.begin() as conn:
        row = _existing_case(conn, args.number)
        repository.update_case(conn, row.id, project=not args.off, updated_at=app.clock())
    print(f"[OO#{args.number}] project={'no' if args.off else 'yes'}", file=sys.stderr)
    return 0


def cmd_customers_sync(args: argparse.Namespace, settings: Settings) -> int:
    _app(args, settings)  # syncs as every command does; this one says what it did
    domains = sum(len(c.domains) for c in settings.customers)
    print(f"{len(settings.customers)} customers, {domains} domains written", file=sys.stderr)
    return 0


def cmd_time_add(args: argparse.Namespace, settings: Settings) -> int:
    if not 0 < args.minutes <= 24 * 60:
        raise CommandError(f"minutes must be 1..1440, not {args.minutes}")
    app = _app(args, settings)
    at = args.at or app.clock()
    entry = {
        "minutes": args.minutes,
        "staff": args.staff.lower() or "unknown",
        "at": at,
        "kind": args.kind,
        "after_hours": not app.calendar.is_open(at),  # BR-16: when the work started
        "created_at": app.clock(),
    }
    with app.engine.begin() as conn:
        row = _existing_case(conn, args.number)
        repository.insert_time_entries(conn, [{"case_id": row.id, **entry}])
    shown = {"case": args.number, **entry, "at": views.iso(at)}
    shown.pop("created_at")
    _print_summary(args, shown)
    return 0


def cmd_ignored_list(args: argparse.Namespace, settings: Settings) -> int:
    app = _app(args, settings)
    with app.engine.connect() as conn:
        rows = repository.uncased_messages(conn, ["ignored", "rejected"])
    found = [views.uncased_summary(row) for row in rows]
    if args.json:
        _print_json(found)
        return 0
    table = terminal.new_table(f"kept without a case: {len(found)}")
    for header in ("at", "kind", "from", "why", "subject"):
        table.add_column(header)
    for f in found:
        why = terminal.shorten(f["reason"] or "", 50)
        subject = terminal.shorten(f["subject"], 40)
        table.add_row(*map(terminal.cell, (f["at"], f["kind"], f["from"], why, subject)))
    terminal.print_table(table)
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    app = _app(args, settings)
    try:
        with app.engine.connect() as conn:
            found = reports.build_report(
                conn, args.month, settings.support.timezone, args.customer, now=app.clock()
            )
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if args.format == "json":
        _print_json(reports.report_json(found))
    elif args.format == "csv":
        sys.stdout.write(reports.report_csv(found))
    else:
        sys.stdout.write(reports.report_html(found, app.renderer))
    return 0


def cmd_check_config(args: argparse.Namespace, settings: Settings) -> int:
    from daemon.ops.check import run_checks  # only this command needs it

    source = args.config or os.environ.get(CONFIG_ENV) or "the embedded defaults"
    results = run_checks(settings, str(source))
    if args.json:
        _print_json([{"check": r.name, "ok": r.ok, "detail": r.detail} for r in results])
    else:
        table = terminal.new_table()
        table.add_column("check", no_wrap=True)
        table.add_column("result", no_wrap=True)
        table.add_column("detail")
        for r in results:
            table.add_row(
                terminal.cell(r.name),
                terminal.verdict(r.ok),
                terminal.cell(r.detail),
            )
        terminal.print_table(table)
    failed = [r.name for r in results if not r.ok]
    if failed:
        print(
            f"oo-support: {len(failed)} of {len(results)} checks failed: {', '.join(failed)}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
