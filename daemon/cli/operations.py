"""The operator's commands: run the daemon, upgrade its database, write the customer
registry, one mailbox pass, one outbox flush, check the configuration.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from typing import TYPE_CHECKING

from daemon.cli.command_context import new_app, open_app, print_json, print_summary
from daemon.cli.errors import CommandError

if TYPE_CHECKING:
    from daemon.app import App
    from daemon.settings import ImapSettings, Settings
    from daemon.sources.imap import PassReport
    from daemon.sources.prepare_pool import PreparePool


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
    memory.freeze_start_up()
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


def cmd_customers_sync(args: argparse.Namespace, settings: Settings) -> int:
    open_app(args, settings, "migrate")  # the newest schema, then [[customers]] written
    domains = sum(len(c.domains) for c in settings.customers)
    print(f"{len(settings.customers)} customers, {domains} domains written", file=sys.stderr)
    return 0


def cmd_poll(args: argparse.Namespace, settings: Settings) -> int:
    from imapclient.exceptions import IMAPClientError

    from daemon.ops import memory
    from daemon.sources import imap_login

    if settings.imap is None:
        raise CommandError("no IMAP mailbox configured ([imap] is absent or disabled)")
    memory.tune_malloc()
    app = new_app(args, settings, "write")
    try:
        report = _poll_pass(args, app, settings.imap)
    except IMAPClientError as exc:  # a login or a folder refused, a lost link
        raise CommandError(imap_login.refusal(settings.imap, exc)) from exc
    summary = vars(report) | {"total": report.total}
    if not args.no_send:  # one cycle of the daemon: what the pass queued goes out
        summary["sent"] = app.flush_outbox().sent
    print_summary(args, summary)
    return 0


def _poll_pass(args: argparse.Namespace, app: App, imap: ImapSettings) -> PassReport:
    """One pass over the mailbox; what it stored is committed batch by batch, and a
    mail is moved only after its batch's commit, so an error here loses nothing."""
    from daemon.ops import memory
    from daemon.outputs import terminal
    from daemon.sources import imap_login

    # Signed in and the backlog looked for first, with only imapclient imported: a
    # backlog's parsing workers then start beside the pass's imports and the database
    # check, not after them (issue 18, start22). Below POOL_BACKLOG they start only if
    # the pass's own search finds one.
    client = imap_login.signed_in_or_why(imap, app.tokens)
    pool = app.prepare_pool()  # its processes start below, or at the pass's search
    try:
        started = imap_login.backlog(imap, client) >= imap_login.POOL_BACKLOG
        if started:
            pool.start()
        source = app.imap_source()
        source.connect(client)
        client = None  # the source's: it logs out
        try:
            if started:
                source.use_pool(pool)
            else:
                source.start_pool = lambda: _started(pool)
            app.open_database("write")
            memory.freeze_start_up()
            with terminal.mail_progress(
                f"mailbox {imap.folder}", args.progress
            ) as progress:
                report = source.poll_once(on_progress=progress)
        finally:
            source.close()
    finally:
        if client is not None:
            with contextlib.suppress(*imap_login.CONNECTION_ERRORS):
                client.logout()
        pool.close()
    return report


def _started(pool: PreparePool) -> PreparePool:
    pool.start()  # now, not when the pass's first batch is fetched
    return pool


def cmd_outbox_flush(args: argparse.Namespace, settings: Settings) -> int:
    app = open_app(args, settings, "write")
    report = app.flush_outbox(everything=True)
    counts = app.outbox_counts()
    summary = vars(report) | {"queued": counts.get("queued", 0)}
    print_summary(args, summary)
    if report.relay_error is not None:
        raise CommandError(f"sending paused: {report.relay_error}")
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
        print_json([{"check": r.name, "ok": r.ok, "detail": r.detail} for r in results])
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
