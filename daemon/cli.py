"""The command line (INTERFACE.md "Command line"): parse arguments, call the app.

Data goes to stdout (exactly one JSON document with --json); logs and errors go
to stderr; failures exit non-zero with a one-line reason.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from daemon import logs
from daemon.domain.billing import KINDS, MAX_MINUTES
from daemon.domain.sla import Priority

if TYPE_CHECKING:
    from daemon.app import Access, App
    from daemon.settings import Settings

# Only what a command needs is imported, inside its handler: a read command such as
# `cases list` should not pay for the IMAP client, the scheduler or MSAL at start
# (benchmarks/cli_startup.py).

log = logging.getLogger("daemon")


class CommandError(Exception):
    """A failure to report in one line, with exit status 1."""


def _iso_instant(text: str) -> datetime:
    """An ISO-8601 instant; one without an offset is local time, made aware once the
    config (and so [support] timezone) is known: see _local_instants."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO-8601 time: {text!r} (e.g. 2026-12-04T19:30 or 2026-12-04T19:30+01:00)"
        ) from None


def _local_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (e.g. 2026-12-01)") from None


# The options that take an instant; each is read in the business calendar's zone when
# it carries no offset (a supporter types the time on the office clock).
_INSTANT_OPTIONS = ("now", "at")
_INSTANT_HELP = "ISO-8601; without an offset it is local time in [support] timezone"


def _local_instants(args: argparse.Namespace, settings: Settings) -> None:
    zone = ZoneInfo(settings.support.timezone)
    for name in _INSTANT_OPTIONS:
        value = getattr(args, name, None)
        if isinstance(value, datetime) and value.tzinfo is None:
            # fold=0: an ambiguous time in the autumn DST change is read as the first one.
            setattr(args, name, value.replace(tzinfo=zone))


def build_parser() -> argparse.ArgumentParser:
    # Accepted before and after the command. SUPPRESS: a subcommand's parser would
    # otherwise write its own default over `oo-support --config FILE COMMAND`'s value;
    # the defaults come from the namespace `main` starts with.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        default=argparse.SUPPRESS,
        metavar="PATH",
        help="TOML config file (else $OO_SUPPORT_CONFIG, else the embedded defaults)",
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="debug logging, including the libraries' (Alembic, IMAP, SMTP)",
    )
    parser = argparse.ArgumentParser(
        prog="oo-support", description="OneOffice support daemon", parents=[common]
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, target: Callable[..., int], help_text: str, sub: Any = commands) -> Any:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=target)
        return p

    def json_flag(p: Any) -> None:
        p.add_argument("--json", action="store_true", help="print one JSON document")

    def now_option(p: Any, what: str) -> None:
        p.add_argument("--now", type=_iso_instant, metavar="T", help=f"{what} ({_INSTANT_HELP})")

    def group(name: str, help_text: str) -> Any:
        return commands.add_parser(name, help=help_text, description=help_text).add_subparsers(
            dest=f"{name}_command", required=True, metavar="COMMAND"
        )

    command("run", cmd_run, "run the daemon until SIGTERM")
    db = group("db", "the database schema")
    command("upgrade", cmd_db_upgrade, "migrate the database to the newest schema", db)
    poll = command("poll", cmd_poll, "one pass over the IMAP mailbox, then send what it queued")
    poll.add_argument("--once", action="store_true", required=True, help="one pass, then exit")
    now_option(poll, "act as if it were then: mail arrives at T")
    json_flag(poll)
    poll.add_argument("--no-send", action="store_true", help="queue acks, do not send them")
    poll.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar on stderr (default: when stderr is a terminal)",
    )
    triage = command(
        "triage",
        cmd_triage,
        "one pass of the reminder, escalation, on-call and SLA jobs (--once); "
        "`triage misses`: the verdicts staff corrected",
    )
    # Not required=True: `triage misses` is the other form (checked in cmd_triage).
    triage.add_argument("--once", action="store_true", help="one pass, then exit")
    now_option(triage, "judge the deadlines as of T")
    json_flag(triage)
    triage.add_argument("--no-send", action="store_true", help="queue mail, do not send it")
    triage.add_argument(
        "--dry-run",
        action="store_true",
        help="show what the pass would send; record and send nothing",
    )
    misses = command(
        "misses",
        cmd_triage_misses,
        "cases whose priority or critical flag staff changed: the text the classifier"
        " read, its verdict and reason, and the correction (training data for the rules)",
        triage.add_subparsers(dest="triage_command", metavar="COMMAND"),
    )
    misses.add_argument(
        "--since",
        type=_local_date,
        metavar="DATE",
        help="only corrections made on or after DATE (YYYY-MM-DD, in [support] timezone)",
    )
    # SUPPRESS: `triage --json misses` keeps the --json given before the subcommand.
    misses.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document"
    )
    box = group("outbox", "mail waiting to be sent")
    flush = command("flush", cmd_outbox_flush, "send everything that is due, then exit", box)
    json_flag(flush)
    cases = group("cases", "support cases")
    listing = command("list", cmd_cases_list, "cases, newest first", cases)
    listing.add_argument(
        "--status",
        choices=["open", "closed", "all"],
        default="open",
        help="open (every case not closed, the default), closed or all",
    )
    _case_filters(listing)
    now_option(listing, "judge --overdue as of T")
    json_flag(listing)
    show = command(
        "show",
        cmd_cases_show,
        "one case: messages, attachments, time, billing, alerts and history",
        cases,
    )
    show.add_argument("number", type=int, help="the case number (as in [OO#NUMBER])")
    json_flag(show)
    _staff_commands(cases, command, json_flag, now_option)
    new = command("new", cmd_cases_new, "register a phone inquiry as a case (BR-2)", cases)
    new.add_argument("--from", dest="sender", required=True, help="the caller's email")
    new.add_argument("--subject", required=True, help="what the call is about, one line")
    new.add_argument("--body", required=True, help="the caller's words as noted")
    new.add_argument("--channel", choices=["phone"], required=True, help="how it came in")
    new.add_argument("--name", default="", help="the caller's name")
    now_option(new, "when the call came in")
    json_flag(new)
    new.add_argument("--no-send", action="store_true", help="queue the ack, do not send it")
    move = command("move", cmd_cases_move, "put a case under the right customer", cases)
    move.add_argument("number", type=int, help="the case number")
    move.add_argument(
        "--customer", required=True, help="the customer's email domain, one of [[customers]]"
    )
    _staff_option(move, "who moved it")
    json_flag(move)
    fee = command("fee", cmd_cases_fee, "add a fixed charge to a case", cases)
    fee.add_argument("number", type=int, help="the case number")
    which = fee.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--oncall",
        action="store_true",
        help="the fee for a non-critical call to the on-call duty (BR-10)",
    )
    which.add_argument("--amount", help="DKK excl. VAT, e.g. 250.00")
    fee.add_argument("--description", default="", help="what the charge is for (with --amount)")
    fee.add_argument(
        "--force",
        action="store_true",
        help="add the on-call fee where BR-10 does not put it (a critical case, or one that"
        " came in during business hours); the history keeps why",
    )
    _staff_option(fee, "who added it")
    json_flag(fee)
    project = command("project", cmd_cases_project, "mark a case as project work (BR-14)", cases)
    project.add_argument("number", type=int, help="the case number")
    project.add_argument("--off", action="store_true", help="not a project after all")
    project.add_argument(
        "--senior",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="bill at the senior rate (senior consultant / IT strategy, BR-15); --no-senior:"
        " the project rate; default: as it was",
    )
    project.add_argument(
        "--estimate",
        metavar="DURATION",
        help="the agreed time, billed instead of the time logged (BR-18 example 4), e.g."
        " 4h, 90m, 1h30m, 1.5h; default: as it was",
    )
    project.add_argument(
        "--no-estimate", action="store_true", help="no agreed time: bill the time logged"
    )
    _staff_option(project, "who marked it")
    json_flag(project)
    customers_cmd = group("customers", "the customer registry")
    command(
        "sync",
        cmd_customers_sync,
        "write [[customers]] from the config to the database",
        customers_cmd,
    )
    time_cmd = group("time", "time spent on cases")
    add = command("add", cmd_time_add, "log work on a case", time_cmd)
    add.add_argument("number", type=int, help="the case number")
    add.add_argument("minutes", type=int, help=f"minutes worked, 1..{MAX_MINUTES}")
    _staff_option(add, "who did the work")
    add.add_argument(
        "--at",
        type=_iso_instant,
        metavar="T",
        help=f"when the work started, which decides after-hours (BR-16); default now; "
        f"{_INSTANT_HELP}",
    )
    add.add_argument(
        "--kind",
        choices=KINDS,
        default="support",
        help="the rate (BR-15; default support)",
    )
    json_flag(add)
    ignored = group("ignored", "mail kept without a case")
    kept = command("list", cmd_ignored_list, "mail kept but not made a case, with why", ignored)
    json_flag(kept)
    retry = command(
        "retry",
        cmd_ignored_retry,
        "run a rejected or quarantined mail through the pipeline again (once its cause is"
        " fixed); the kept copy is then marked retried. Exit status 1 when it is still no"
        " case",
        ignored,
    )
    retry.add_argument("id", type=int, help="the message id, as `ignored list --json` shows it")
    json_flag(retry)
    files = group("attachments", "the files customers sent with their mail")
    get = command(
        "get",
        cmd_attachments_get,
        "write a case's attachments to files (names made safe; an existing file is never"
        " overwritten)",
        files,
    )
    get.add_argument("number", type=int, help="the case number")
    get.add_argument(
        "--out", type=Path, default=Path("."), metavar="DIR",
        help="the directory to write to (default: the current one; created if missing)",
    )
    json_flag(get)
    report = command("report", cmd_report, "the monthly report per customer")
    report.add_argument("--month", required=True, help="YYYY-MM, in Danish local time")
    report.add_argument("--customer", metavar="DOMAIN", help="one customer's email domain")
    report.add_argument(
        "--format",
        choices=["csv", "json", "html"],
        default="json",
        help="json (the default), csv, or a Danish HTML page",
    )
    now_option(report, "judge open deadlines as of T")
    _web_commands(commands, command, group, json_flag)
    check = command("check-config", cmd_check_config, "validate the config and reach every server")
    json_flag(check)
    return parser


_PRIORITIES = tuple(level.value for level in Priority)  # BR-11


def _staff_option(p: Any, what: str) -> None:
    p.add_argument(
        "--staff",
        default="",
        metavar="EMAIL",
        help=f"{what}, for the case history (default: [staff] cli_user, else the login name)",
    )


def _case_filters(listing: Any) -> None:
    listing.add_argument("--customer", metavar="DOMAIN", help="only this customer's cases")
    listing.add_argument("--priority", choices=_PRIORITIES, help="only cases of this priority")
    listing.add_argument(
        "--assigned",
        metavar="EMAIL",
        help="only cases assigned to EMAIL; 'none': only cases assigned to nobody",
    )
    listing.add_argument(
        "--overdue",
        action="store_true",
        help="only cases with a deadline (review, response, resolution) passed and not met",
    )


def _staff_commands(cases: Any, command: Any, json_flag: Any, now_option: Any) -> None:
    """`cases close|reopen|assign|priority|critical|note|reply|search`: staff work without
    mail."""

    def action(name: str, handler: Callable[..., int], help_text: str, who: str) -> Any:
        """A staff action on one case: NUMBER, then what is particular to it, then
        --staff (who, for the history), --now and --json."""
        p = command(name, handler, help_text, cases)
        p.add_argument("number", type=int, help="the case number")
        _staff_option(p, who)
        now_option(p, "act as if it were then")
        json_flag(p)
        return p

    action("close", cmd_cases_close, "close a case: it is resolved now (BR-11)", "who did it")
    action("reopen", cmd_cases_reopen, "reopen a closed case: open and unresolved again",
           "who did it")
    assign = action("assign", cmd_cases_assign, "assign a case to a supporter", "who assigned it")
    assign.add_argument("email", help="the supporter's address, of [staff] domains")
    priority = action("priority", cmd_cases_priority,
                      "change a case's priority; its deadlines follow", "who changed it")
    priority.add_argument("priority", choices=_PRIORITIES, help="the new SLA level (BR-11)")
    action("critical", cmd_cases_critical,
           "mark a case critical (as #critical): priority high, its supporters told at once"
           " in normal hours (BR-6, BR-9)", "who marked it")
    note = action("note", cmd_cases_note, "add an internal note (never sent to the customer)",
                  "who wrote it")
    note.add_argument("--text", required=True, help="the note")
    reply = action("reply", cmd_cases_reply,
                   "answer the customer from the support address, as a relayed staff mail is",
                   "who wrote it; signs the mail")
    reply.add_argument("--text", required=True, help="what the customer reads")
    reply.add_argument("--no-send", action="store_true", help="queue the reply, do not send it")
    search = command(
        "search",
        cmd_cases_search,
        "cases whose subject or messages match, best first (Danish word forms)",
        cases,
    )
    search.add_argument(
        "query",
        help='words (all must occur), "or" between words, -word to leave out; a case number',
    )
    search.add_argument(
        "--limit", type=int, default=50, help="at most this many cases (default 50)"
    )
    json_flag(search)


def _web_commands(commands: Any, command: Any, group: Any, json_flag: Any) -> None:
    """`web` (the staff console) and `staff add|list|remove` (its accounts)."""
    command("web", cmd_web, "serve the staff console on [web] listen until SIGTERM")
    staff = group("staff", "staff accounts of the web console")
    add = command(
        "add", cmd_staff_add,
        "make a console account for an address of [staff] domains, or set its new password"
        " (read from --password-file, else standard input, else asked for)",
        staff,
    )
    add.add_argument("email", help="the supporter's address")
    add.add_argument("--password-file", type=Path, metavar="FILE",
                     help="a file whose first line is the password")
    add.add_argument("--microsoft-only", action="store_true",
                     help="no password: the account signs in with Microsoft 365 only"
                     " ([web] microsoft_sign_in)")
    listing = command("list", cmd_staff_list, "the console accounts", staff)
    json_flag(listing)
    remove = command("remove", cmd_staff_remove, "delete a console account; its sessions end",
                     staff)
    remove.add_argument("email", help="the supporter's address")


def main(argv: Sequence[str] | None = None) -> int:
    # What the daemon writes holds customers' mail (the database, ./var/outbox/*.eml,
    # spooled DATA): readable by this user only, 0600 files in 0700 directories,
    # whatever umask it was started with (a login shell's 022 included).
    os.umask(os.umask(0) | 0o077)
    args = build_parser().parse_args(argv, argparse.Namespace(config=None, verbose=False))
    # Logs go to stderr (journald takes it as it takes stdout): stdout is for data.
    logs.configure("DEBUG" if args.verbose else "WARNING")
    try:
        from daemon.settings import load_settings  # pydantic: not for --help

        settings = load_settings(args.config)
        logs.configure(_log_level(args, settings), settings.logging.format)
        _local_instants(args, settings)
        return int(args.handler(args, settings))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - worded below, or re-raised
        status, reason = _failure(exc)
        if status is None:
            raise
        print(f"oo-support: {reason}", file=sys.stderr)
        return status


def _log_level(args: argparse.Namespace, settings: Settings) -> str:
    """The daemon logs at [logging] level; a one-shot command prints its result on
    stdout and, on stderr, only warnings and errors (its error is then the one line
    INTERFACE.md promises), unless -v."""
    if args.verbose:
        return "DEBUG"
    if args.command in ("run", "web"):
        return settings.logging.level
    configured: int = logging.getLevelName(settings.logging.level)
    return str(logging.getLevelName(max(configured, logging.WARNING)))


def _failure(exc: Exception) -> tuple[int | None, str]:
    """(exit status, one-line reason) for a failure a user can act on; (None, "") for
    a bug, which keeps its traceback. The libraries' errors are recognised without
    importing them: a command that never touched Jinja2 need not load it to say so."""
    from daemon.case_reads import NoSuchCase
    from daemon.case_work import Refused
    from daemon.settings import ConfigError
    from daemon.store.engine import NoDatabase
    from daemon.store.migrate import SchemaError

    if isinstance(exc, ConfigError):
        return 2, str(exc)
    if isinstance(exc, CommandError | Refused | NoSuchCase | SchemaError | NoDatabase):
        return 1, str(exc)
    jinja2 = sys.modules.get("jinja2")
    if jinja2 is not None and isinstance(exc, jinja2.TemplateError):
        return 2, f"template error: {exc}"
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_exc is not None and isinstance(exc, sqlalchemy_exc.SQLAlchemyError):
        cause = str(getattr(exc, "orig", None) or exc).strip()
        return 1, f"database error: {cause.splitlines()[0] if cause else type(exc).__name__}"
    if isinstance(exc, OSError):  # a port in use, a directory not writable, ...
        return 1, str(exc)
    return None, ""


def _app(args: argparse.Namespace, settings: Settings, access: Access = "read") -> App:
    """The App for one command, its database checked for `access` (App.open_database).

    Only `run`, `db upgrade` and `customers sync` migrate and write [[customers]]: a
    read command with a wrong or empty --config must not switch every agreement off.
    """
    from daemon.app import App
    from daemon.clock import fixed_clock

    now = getattr(args, "now", None)
    app = App(settings, fixed_clock(now) if now else None, create_database_dir=access != "read")
    app.open_database(access)
    return app


def _print_summary(args: argparse.Namespace, summary: dict[str, Any]) -> None:
    """A command's result: one JSON document with --json, else key=value on one line."""
    if args.json:
        _print_json(summary)
    else:
        print(" ".join(f"{k}={logs.kv_value(v)}" for k, v in summary.items() if v is not None))


def _actor(args: argparse.Namespace, settings: Settings) -> str:
    """Who a staff command is recorded as: --staff, else [staff] cli_user, else the login
    name of whoever runs it. Never "unknown": the history must say who did it."""
    import getpass

    chosen = (getattr(args, "staff", "") or settings.staff.cli_user).strip()
    if not chosen:
        try:
            chosen = getpass.getuser()
        except (OSError, KeyError):  # no login name in the environment or passwd
            chosen = f"uid {os.getuid()}"
    if any(c in chosen for c in "\r\n") or len(chosen) > 320:
        raise CommandError(f"--staff {chosen!r}: one line of at most 320 characters")
    return chosen.lower()


def _print_json(document: Any) -> None:
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from daemon.app import build_app
    from daemon.ops import memory
    from daemon.service import run_daemon
    from daemon.settings import load_settings

    memory.tune_malloc()
    # Until the event loop takes over SIGTERM, a stop request during start-up ends
    # the process cleanly (exit 0); nothing is in hand yet.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
    app = build_app(settings)
    app.reload_settings = lambda: load_settings(args.config)  # SIGHUP
    asyncio.run(run_daemon(app))  # migrates first; refuses a database newer than the code
    return 0


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from daemon.app import App

    before, after = App(settings).prepare_database()
    if before == after:
        print(f"database schema is at {after}, the newest", file=sys.stderr)
    else:
        print(f"database schema upgraded from {before or 'none'} to {after}", file=sys.stderr)
    return 0


def cmd_poll(args: argparse.Namespace, settings: Settings) -> int:
    from daemon.ops import memory
    from daemon.outputs import terminal

    if settings.imap is None:
        raise CommandError("no IMAP mailbox configured ([imap] is absent or disabled)")
    memory.tune_malloc()
    app = _app(args, settings, "write")
    source = app.imap_source()
    pool = app.prepare_pool()  # its processes start only for a backlog (POOL_BACKLOG)
    source.start_pool = lambda: (pool.prepare, settings.parsing.workers)
    with terminal.mail_progress(f"mailbox {settings.imap.folder}", args.progress) as progress:
        try:
            report = source.poll_once(on_progress=progress)
        finally:
            source.close()
            pool.close()
    summary = vars(report) | {"total": report.total}
    if not args.no_send:  # one cycle of the daemon: what the pass queued goes out
        summary["sent"] = app.flush_outbox().sent
    _print_summary(args, summary)
    return 0


def cmd_triage(args: argparse.Namespace, settings: Settings) -> int:
    if not args.once:
        raise CommandError("triage: give --once (one pass of the jobs) or the command misses")
    if args.dry_run:
        return _triage_dry_run(args, settings)
    app = _app(args, settings, "write")
    summary: dict[str, Any] = dict(app.triage_pass())
    if not args.no_send:
        summary["sent"] = app.flush_outbox().sent
    _print_summary(args, summary)
    return 0


def _triage_dry_run(args: argparse.Namespace, settings: Settings) -> int:
    """The real pass on a rehearsal: every transaction rolled back, nothing sent."""
    counts, would_send = _app(args, settings, "read").triage_rehearsal()
    if args.json:
        _print_json({"dry_run": True, **counts, "would_send": would_send})
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
    found = _app(args, settings).reads.triage_misses(since)
    if args.json:
        _print_json(found)
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


def cmd_outbox_flush(args: argparse.Namespace, settings: Settings) -> int:
    app = _app(args, settings, "write")
    report = app.flush_outbox()
    counts = app.outbox_counts()
    summary = vars(report) | {"queued": counts.get("queued", 0)}
    _print_summary(args, summary)
    if report.relay_error is not None:
        raise CommandError(f"sending paused: {report.relay_error}")
    return 0


def cmd_cases_list(args: argparse.Namespace, settings: Settings) -> int:
    unassigned = (args.assigned or "").strip().lower() == "none"
    found = _app(args, settings).reads.cases(
        args.status,
        customer_domain=args.customer.strip().lstrip("@") if args.customer else None,
        priority=args.priority,
        assignee=None if unassigned else args.assigned,
        unassigned=unassigned,
        overdue=args.overdue,
    )
    if args.json:
        _print_json(found)
        return 0
    from daemon.outputs import case_tables  # rich: only for a table

    tz = settings.support.timezone
    cases_shown = f"{len(found)} case" + ("" if len(found) == 1 else "s")
    which = ", ".join(
        [args.status]
        + [
            f"{name} {value}"
            for name in ("customer", "priority", "assigned")
            if (value := getattr(args, name))
        ]
        + (["overdue"] if args.overdue else [])
    )
    case_tables.print_case_list(found, f"{cases_shown} ({which}); ! = critical; times in {tz}", tz)
    return 0


def cmd_cases_show(args: argparse.Namespace, settings: Settings) -> int:
    detail = _app(args, settings).reads.case(args.number)
    if args.json:
        _print_json(detail)
        return 0
    from daemon.outputs import case_tables

    case_tables.print_case_detail(detail, settings.support.timezone)
    return 0


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
    actor = _actor(args, settings)
    changed = _app(args, settings, "write").work.apply(args.number, name, value, actor)
    if args.json:
        _print_json(changed)
    else:
        critical = ", critical" if changed["critical"] else ""
        print(
            f"{changed['reference']} {changed['status']}, priority {changed['priority']}"
            f"{critical}, assigned to {changed['assignee'] or 'nobody'}"
        )
    return 0


def cmd_cases_note(args: argparse.Namespace, settings: Settings) -> int:
    text = _text(args)
    actor = _actor(args, settings)
    message_id = _app(args, settings, "write").work.note(args.number, actor, text)
    _print_summary(
        args, {"case": args.number, "action": "note", "by": actor, "message_id": message_id}
    )
    return 0


def cmd_cases_reply(args: argparse.Namespace, settings: Settings) -> int:
    text = _text(args)
    actor = _actor(args, settings)
    app = _app(args, settings, "write")
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
    _print_summary(args, summary)
    return 0


def _text(args: argparse.Namespace) -> str:
    if not args.text.strip():
        raise CommandError("--text is empty")
    text: str = args.text
    return text.replace("\r\n", "\n").strip("\n")


def cmd_cases_search(args: argparse.Namespace, settings: Settings) -> int:
    if args.limit < 1:
        raise CommandError(f"--limit must be at least 1, not {args.limit}")
    found = _app(args, settings).reads.search(args.query, args.limit)
    if args.json:
        _print_json(found)
        return 0
    from daemon.outputs import case_tables

    tz = settings.support.timezone
    shown = f"{len(found)} case" + ("" if len(found) == 1 else "s")
    caption = f"{shown} matching {args.query!r}, best first; ! = critical; times in {tz}"
    case_tables.print_case_list(found, caption, tz)
    return 0


def cmd_cases_new(args: argparse.Namespace, settings: Settings) -> int:
    if "@" not in args.sender:
        raise CommandError(f"--from {args.sender!r} is not an email address")
    if any("\n" in v or "\r" in v for v in (args.sender, args.name, args.subject)):
        raise CommandError("--from, --name and --subject must be one line each")
    app = _app(args, settings, "write")
    result = app.register_call(args.sender, args.name, args.subject, args.body)
    if result.case_number is None:
        raise CommandError(f"the call was not registered: {result.reason or result.outcome}")
    if not args.no_send:
        app.flush_outbox()
    detail = app.reads.summary(result.case_number)
    if args.json:
        _print_json(detail)
    else:
        print(f"{detail['reference']} {detail['subject']} ({detail['priority']})")
    return 0


def cmd_cases_move(args: argparse.Namespace, settings: Settings) -> int:
    actor = _actor(args, settings)
    moved = _app(args, settings, "write").work.move(args.number, args.customer, actor)
    if args.json:
        _print_json(moved)
    else:
        domain, agreement = moved["customer_domain"], moved["agreement"]
        print(f"{moved['reference']} now belongs to {domain} (agreement: {agreement})")
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
    actor = _actor(args, settings)
    _app(args, settings, "write").work.add_fee(
        args.number, charge, actor, oncall=args.oncall, force=args.force
    )
    shown = {
        "case": args.number,
        "description": charge.description,
        "amount": views.money(charge.amount),
    }
    _print_summary(args, shown)
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
    actor = _actor(args, settings)
    marked = _app(args, settings, "write").work.mark_project(
        args.number,
        actor,
        on=not args.off,
        senior=args.senior,
        estimate_minutes=minutes,
        no_estimate=args.no_estimate,
    )
    if args.json:
        _print_json(marked)
        return 0
    terms = marked["project_terms"]
    shown = f"[OO#{args.number}] project={'yes' if terms else 'no'}"
    if terms:
        agreed = terms["estimate_minutes"]
        shown += f" rate={terms['rate_kind']}"
        shown += f" estimate={format_duration(agreed) if agreed else 'none'}"
    print(shown, file=sys.stderr)
    return 0


def cmd_customers_sync(args: argparse.Namespace, settings: Settings) -> int:
    _app(args, settings, "migrate")  # the newest schema, then [[customers]] written
    domains = sum(len(c.domains) for c in settings.customers)
    print(f"{len(settings.customers)} customers, {domains} domains written", file=sys.stderr)
    return 0


def cmd_time_add(args: argparse.Namespace, settings: Settings) -> int:
    from daemon.outputs import views

    if not 0 < args.minutes <= MAX_MINUTES:
        raise CommandError(f"minutes must be 1..{MAX_MINUTES}, not {args.minutes}")
    actor = _actor(args, settings)
    app = _app(args, settings, "write")
    entry = app.work.add_time(args.number, args.minutes, args.kind, actor, args.at)
    shown = {"case": args.number, **entry, "at": views.iso(entry["at"])}
    shown.pop("created_at")
    _print_summary(args, shown)
    return 0


def cmd_ignored_list(args: argparse.Namespace, settings: Settings) -> int:
    found = _app(args, settings).reads.kept_mail()
    if args.json:
        _print_json(found)
        return 0
    from daemon.outputs import terminal

    table = terminal.new_table(f"kept without a case: {len(found)}")
    for header in ("at", "kind", "from", "why", "subject"):
        table.add_column(header)
    for f in found:
        why = terminal.shorten(f["reason"] or "", 50)
        subject = terminal.shorten(f["subject"], 40)
        table.add_row(*map(terminal.cell, (f["at"], f["kind"], f["from"], why, subject)))
    terminal.print_table(table)
    return 0


def cmd_ignored_retry(args: argparse.Namespace, settings: Settings) -> int:
    result = _app(args, settings, "write").work.retry_kept(args.id)
    summary = {
        "id": args.id,
        "outcome": result.outcome.value,
        "case": result.case_number,
        "reason": result.reason,
    }
    _print_summary(args, summary)
    return 0 if result.case_number is not None else 1


def cmd_attachments_get(args: argparse.Namespace, settings: Settings) -> int:
    from daemon.outputs.attachment_files import CannotWrite, write_attachments

    found = _app(args, settings).reads.attachment_files(args.number)
    try:
        written = write_attachments(found, args.out)
    except CannotWrite as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        _print_json(written)
    elif not written:
        print(f"[OO#{args.number}] has no attachments")
    else:
        for w in written:
            print(f"{w['path']}  ({w['written_bytes']} bytes, {w['content_type']})")
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from daemon.outputs import reports

    app = _app(args, settings)
    try:
        found = app.reads.report(args.month, settings.support.timezone, args.customer)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if args.format == "json":
        _print_json(reports.report_json(found))
    elif args.format == "csv":
        sys.stdout.write(reports.report_csv(found))
    else:
        sys.stdout.write(reports.report_html(found, app.renderer))
    return 0


def cmd_web(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from daemon.web.server import run_console

    app = _app(args, settings, "write")
    asyncio.run(run_console(app))
    return 0


def _staff_accounts(args: argparse.Namespace, settings: Settings, access: Access) -> Any:
    from daemon.web.accounts import StaffAccounts
    from daemon.web.console import wall_clock

    app = _app(args, settings, access)
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
        _print_json(found)
        return 0
    for account in found:
        note = "" if account["staff_domain"] else "  (not of [staff] domains: cannot sign in)"
        print(f"{account['email']}  since {account['created_at']}{note}")
    return 0


def cmd_staff_remove(args: argparse.Namespace, settings: Settings) -> int:
    if not _staff_accounts(args, settings, "write").remove(args.email):
        raise CommandError(f"no console account {args.email!r}")
    print(f"{args.email.strip().lower()}: removed", file=sys.stderr)
    return 0


def cmd_check_config(args: argparse.Namespace, settings: Settings) -> int:
    from daemon.app import App
    from daemon.ops.check import run_checks
    from daemon.outputs import terminal
    from daemon.settings import CONFIG_ENV

    source = args.config or os.environ.get(CONFIG_ENV) or "the embedded defaults"
    # check-config changes nothing: no ./var, no database file.
    results = run_checks(App(settings, create_database_dir=False), str(source))
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
