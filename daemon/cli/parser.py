"""Every command, option and help text of the command line, in the order `--help` lists
them; the handlers are in the modules named after their command group.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from daemon.cli.arguments import (
    INSTANT_HELP,
    PRIORITIES,
    case_number,
    iso_instant,
    local_date,
    staff_option,
    stored_id,
)
from daemon.cli.billing import cmd_cases_fee, cmd_cases_project, cmd_time_add, cmd_time_remove
from daemon.cli.cases import (
    cmd_attachments_get,
    cmd_cases_list,
    cmd_cases_move,
    cmd_cases_new,
    cmd_cases_search,
    cmd_cases_show,
)
from daemon.cli.console import cmd_staff_add, cmd_staff_list, cmd_staff_remove, cmd_web
from daemon.cli.kept_mail import cmd_ignored_list, cmd_ignored_retry
from daemon.cli.operations import (
    cmd_check_config,
    cmd_customers_sync,
    cmd_db_upgrade,
    cmd_outbox_flush,
    cmd_poll,
    cmd_run,
)
from daemon.cli.report import cmd_report
from daemon.cli.staff_work import (
    cmd_cases_assign,
    cmd_cases_close,
    cmd_cases_critical,
    cmd_cases_note,
    cmd_cases_priority,
    cmd_cases_reopen,
    cmd_cases_reply,
)
from daemon.cli.triage import cmd_triage, cmd_triage_misses
from daemon.domain.billing import KINDS, MAX_MINUTES


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
    parser = _Parser(
        prog="oo-support", description="OneOffice support daemon", parents=[common]
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    # In the order `--help` lists them.
    c = _Commands(common, commands)
    _daemon_commands(c)
    _triage_commands(c)
    box = c.group("outbox", "mail waiting to be sent")
    flush = c.command(
        "flush", cmd_outbox_flush,
        "send everything queued (also what waits for a retry), then exit", box,
    )
    c.json_flag(flush)
    _case_commands(c)
    customers_cmd = c.group("customers", "the customer registry")
    c.command(
        "sync",
        cmd_customers_sync,
        "write [[customers]] from the config to the database",
        customers_cmd,
    )
    _time_commands(c)
    _kept_mail_commands(c)
    _attachment_commands(c)
    _report_command(c)
    _web_commands(c)
    check = c.command(
        "check-config", cmd_check_config, "validate the config and reach every server"
    )
    c.json_flag(check)
    return parser


def _daemon_commands(c: _Commands) -> None:
    """`run`, `db upgrade`, `poll`."""
    c.command("run", cmd_run, "run the daemon until SIGTERM")
    db = c.group("db", "the database schema")
    c.command("upgrade", cmd_db_upgrade, "migrate the database to the newest schema", db)
    poll = c.command("poll", cmd_poll, "one pass over the IMAP mailbox, then send what it queued")
    poll.add_argument("--once", action="store_true", required=True, help="one pass, then exit")
    c.now_option(poll, "act as if it were then: mail arrives at T")
    c.json_flag(poll)
    poll.add_argument("--no-send", action="store_true", help="queue acks, do not send them")
    poll.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar on stderr (default: when stderr is a terminal)",
    )


def _triage_commands(c: _Commands) -> None:
    """`triage --once` and `triage misses`."""
    triage = c.command(
        "triage",
        cmd_triage,
        "one pass of the reminder, escalation, on-call and SLA jobs (--once); "
        "`triage misses`: the verdicts staff corrected",
    )
    # Not required=True: `triage misses` is the other form (checked in cmd_triage).
    triage.add_argument("--once", action="store_true", help="one pass, then exit")
    c.now_option(triage, "judge the deadlines as of T")
    c.json_flag(triage)
    triage.add_argument("--no-send", action="store_true", help="queue mail, do not send it")
    triage.add_argument(
        "--dry-run",
        action="store_true",
        help="show what the pass would send; record and send nothing",
    )
    misses = c.command(
        "misses",
        cmd_triage_misses,
        "cases whose priority or critical flag staff changed: the text the classifier"
        " read, its verdict and reason, and the correction (training data for the rules)",
        triage.add_subparsers(dest="triage_command", metavar="COMMAND"),
    )
    misses.add_argument(
        "--since",
        type=local_date,
        metavar="DATE",
        help="only corrections made on or after DATE (YYYY-MM-DD, in [support] timezone)",
    )
    # SUPPRESS: `triage --json misses` keeps the --json given before the subcommand.
    misses.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document"
    )


def _case_commands(c: _Commands) -> None:
    """`cases list|show|...|new|move`; then the billing ones."""
    cases = c.group("cases", "support cases")
    listing = c.command("list", cmd_cases_list, "cases, newest first", cases)
    listing.add_argument(
        "--status",
        choices=["open", "closed", "all"],
        default="open",
        help="open (every case not closed, the default), closed or all",
    )
    _case_filters(listing)
    c.now_option(listing, "judge --overdue as of T")
    c.json_flag(listing)
    show = c.command(
        "show",
        cmd_cases_show,
        "one case: messages, attachments, time, billing, alerts and history",
        cases,
    )
    show.add_argument("number", type=case_number, help="the case number (as in [OO#NUMBER])")
    c.json_flag(show)
    _staff_commands(c, cases)
    new = c.command("new", cmd_cases_new, "register a phone inquiry as a case (BR-2)", cases)
    new.add_argument("--from", dest="sender", required=True, help="the caller's email")
    new.add_argument("--subject", required=True, help="what the call is about, one line")
    new.add_argument("--body", required=True, help="the caller's words as noted")
    new.add_argument("--channel", choices=["phone"], required=True, help="how it came in")
    new.add_argument("--name", default="", help="the caller's name")
    c.now_option(new, "when the call came in")
    c.json_flag(new)
    new.add_argument("--no-send", action="store_true", help="queue the ack, do not send it")
    move = c.command("move", cmd_cases_move, "put a case under the right customer", cases)
    move.add_argument("number", type=case_number, help="the case number")
    move.add_argument(
        "--customer", required=True, help="the customer's email domain, one of [[customers]]"
    )
    c.staff_act(move, "who moved it")
    _case_billing_commands(c, cases)


def _case_billing_commands(c: _Commands, cases: Any) -> None:
    """`cases fee|project`."""
    fee = c.command("fee", cmd_cases_fee, "add a fixed charge to a case", cases)
    fee.add_argument("number", type=case_number, help="the case number")
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
    c.staff_act(fee, "who added it")
    project = c.command("project", cmd_cases_project, "mark a case as project work (BR-14)", cases)
    project.add_argument("number", type=case_number, help="the case number")
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
    c.staff_act(project, "who marked it")


def _time_commands(c: _Commands) -> None:
    """`time add|remove`."""
    time_cmd = c.group("time", "time spent on cases")
    add = c.command("add", cmd_time_add, "log work on a case", time_cmd)
    add.add_argument("number", type=case_number, help="the case number")
    add.add_argument("minutes", type=int, help=f"minutes worked, 1..{MAX_MINUTES}")
    staff_option(add, "who did the work")
    add.add_argument(
        "--at",
        type=iso_instant,
        metavar="T",
        help=f"when the work started, which decides after-hours (BR-16); default MINUTES "
        f"before now (work just done, as #time by mail); {INSTANT_HELP}",
    )
    add.add_argument(
        "--kind",
        choices=KINDS,
        default="support",
        help="the rate (BR-15; default support)",
    )
    # INTERFACE.md: a command that depends on the time takes --now; without --at, the
    # work ended then (and started MINUTES before it).
    c.now_option(add, "act as if it were then")
    c.json_flag(add)
    remove = c.command(
        "remove",
        cmd_time_remove,
        "take back a time entry logged by mistake: billed no more, and the month it is"
        " taken back in credits what earlier monthly reports billed of it",
        time_cmd,
    )
    remove.add_argument("number", type=case_number, help="the case number")
    remove.add_argument(
        "entry", type=stored_id, help="the entry's id, as `cases show --json` shows it"
    )
    # The removal's instant (--now) decides the month that credits it.
    c.staff_act(remove, "who takes it back")


def _kept_mail_commands(c: _Commands) -> None:
    """`ignored list|retry`."""
    ignored = c.group("ignored", "mail kept without a case")
    kept = c.command("list", cmd_ignored_list, "mail kept but not made a case, with why", ignored)
    c.json_flag(kept)
    retry = c.command(
        "retry",
        cmd_ignored_retry,
        "run a rejected or quarantined mail through the pipeline again (once its cause is"
        " fixed); the kept copy is then marked retried. Exit status 1 when it is still no"
        " case",
        ignored,
    )
    retry.add_argument(
        "id", type=stored_id, help="the message id, as `ignored list --json` shows it"
    )
    c.json_flag(retry)


def _attachment_commands(c: _Commands) -> None:
    """`attachments get`."""
    files = c.group("attachments", "the files customers sent with their mail")
    get = c.command(
        "get",
        cmd_attachments_get,
        "write a case's attachments to files (names made safe; an existing file is never"
        " overwritten)",
        files,
    )
    get.add_argument("number", type=case_number, help="the case number")
    get.add_argument(
        "--out", type=Path, default=Path("."), metavar="DIR",
        help="the directory to write to (default: the current one; created if missing)",
    )
    c.json_flag(get)


def _report_command(c: _Commands) -> None:
    """`report`."""
    report = c.command("report", cmd_report, "the monthly report per customer")
    report.add_argument("--month", required=True, help="YYYY-MM, in Danish local time")
    report.add_argument("--customer", metavar="DOMAIN", help="one customer's email domain")
    # INTERFACE.md: every command that prints data takes --json; here it is the
    # same as --format json (the default), so the two are one choice.
    shape = report.add_mutually_exclusive_group()
    shape.add_argument(
        "--format",
        choices=["csv", "json", "html"],
        default="json",
        help="json (the default), csv, or a Danish HTML page",
    )
    shape.add_argument(
        "--json", dest="format", action="store_const", const="json",
        help="print one JSON document (as --format json)",
    )
    c.now_option(report, "judge open deadlines as of T")


def _case_filters(listing: Any) -> None:
    listing.add_argument("--customer", metavar="DOMAIN", help="only this customer's cases")
    listing.add_argument("--priority", choices=PRIORITIES, help="only cases of this priority")
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


def _staff_commands(c: _Commands, cases: Any) -> None:
    """`cases close|reopen|assign|priority|critical|note|reply|search`: staff work without
    mail."""

    def action(name: str, handler: Callable[..., int], help_text: str, who: str) -> Any:
        """A staff action on one case: NUMBER, then what is particular to it, then
        --staff (who, for the history), --now and --json."""
        p = c.command(name, handler, help_text, cases)
        p.add_argument("number", type=case_number, help="the case number")
        c.staff_act(p, who)
        return p

    action("close", cmd_cases_close, "close a case: it is resolved now (BR-11)", "who did it")
    action("reopen", cmd_cases_reopen, "reopen a closed case: open and unresolved again",
           "who did it")
    assign = action("assign", cmd_cases_assign, "assign a case to a supporter", "who assigned it")
    assign.add_argument("email", help="the supporter's address, of [staff] domains")
    priority = action("priority", cmd_cases_priority,
                      "change a case's priority; its deadlines follow", "who changed it")
    priority.add_argument("priority", choices=PRIORITIES, help="the new SLA level (BR-11)")
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
    search = c.command(
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
        "--limit",
        type=lambda text: stored_id(text, "limit"),
        default=50,
        help="at most this many cases (default 50)",
    )
    c.json_flag(search)


def _web_commands(c: _Commands) -> None:
    """`web` (the staff console) and `staff add|list|remove` (its accounts)."""
    c.command("web", cmd_web, "serve the staff console on [web] listen until SIGTERM")
    staff = c.group("staff", "staff accounts of the web console")
    add = c.command(
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
    listing = c.command("list", cmd_staff_list, "the console accounts", staff)
    c.json_flag(listing)
    remove = c.command("remove", cmd_staff_remove, "delete a console account; its sessions end",
                     staff)
    remove.add_argument("email", help="the supporter's address")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is the one line INTERFACE.md promises on stderr
    (argparse prints the whole usage first, several lines for most commands); the
    usage itself stays one `--help` away. Subcommands' parsers are of this class too
    (add_subparsers makes them of their parent's class)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see: {self.prog} --help)\n")


class _Commands:
    """How every command is added: it takes --config and -v (`common`) before and after
    its name, its help is its description, and it runs `handler`."""

    def __init__(self, common: argparse.ArgumentParser, commands: Any) -> None:
        self.common = common
        self.commands = commands

    def command(
        self, name: str, target: Callable[..., int], help_text: str, sub: Any = None
    ) -> Any:
        where = self.commands if sub is None else sub
        p = where.add_parser(name, parents=[self.common], help=help_text, description=help_text)
        p.set_defaults(handler=target)
        return p

    def group(self, name: str, help_text: str) -> Any:
        # With `common` too: `oo-support cases --config F list` is a command taking
        # --config as much as `oo-support cases list --config F` (INTERFACE.md).
        return self.commands.add_parser(
            name, parents=[self.common], help=help_text, description=help_text
        ).add_subparsers(dest=f"{name}_command", required=True, metavar="COMMAND")

    @staticmethod
    def json_flag(p: Any) -> None:
        p.add_argument("--json", action="store_true", help="print one JSON document")

    @staticmethod
    def now_option(p: Any, what: str) -> None:
        p.add_argument("--now", type=iso_instant, metavar="T", help=f"{what} ({INSTANT_HELP})")

    def staff_act(self, p: Any, who: str) -> None:
        """--staff (`who` did it), --now and --json: what every command that records a
        staff member's act takes (INTERFACE.md: a command that depends on the time takes
        --now; one that prints data takes --json)."""
        staff_option(p, who)
        self.now_option(p, "act as if it were then")
        self.json_flag(p)
