"""The composition root: builds everything from Settings, and runs the daemon.

Tests build the same App with their own settings, servers and clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import Engine

from daemon import outbox
from daemon.clock import Clock, system_clock
from daemon.domain.calendar import BusinessCalendar
from daemon.inbound import InboundMail, IngestResult
from daemon.mail import compose
from daemon.mail.render import TemplateRenderer
from daemon.pipeline import Pipeline
from daemon.scheduler import triage_pass
from daemon.settings import Settings
from daemon.sources.imap import ImapSource
from daemon.sources.smtp_listener import SupportMailHandler, start_listener
from daemon.store import repository
from daemon.store.engine import make_engine
from daemon.store.migrate import upgrade

log = logging.getLogger(__name__)

# How long SIGTERM may spend delivering what is queued before the process exits.
SHUTDOWN_FLUSH_SECONDS = 10.0


@dataclass
class App:
    settings: Settings
    engine: Engine
    clock: Clock
    calendar: BusinessCalendar
    renderer: TemplateRenderer
    pipeline: Pipeline
    # False when the clock is fixed (--now): then mail arrives "now", not at INTERNALDATE.
    server_time: bool = True

    def transport(self) -> outbox.Transport:
        return outbox.make_transport(self.settings.smtp_out, self.settings.outbox)

    def imap_source(self, on_committed: Callable[[], None] | None = None) -> ImapSource:
        if self.settings.imap is None:
            raise RuntimeError("no [imap] section is configured (or it has enabled = false)")
        return ImapSource(
            self.settings.imap,
            self.engine,
            self.pipeline,
            self.clock,
            on_committed or (lambda: None),
            self.server_time,
        )

    def prepare_database(self) -> None:
        """Newest schema, and the customer registry from the config (BR-19)."""
        upgrade(self.engine)
        with self.engine.begin() as conn:
            repository.sync_customers(conn, self.settings.customers, self.clock())

    def register_call(self, caller: str, name: str, subject: str, body: str) -> IngestResult:
        """A phone inquiry as a case (BR-2), kept as a mail-shaped record of the call."""
        now = self.clock()
        record = EmailMessage()
        record["From"] = formataddr((name, caller))
        record["To"] = self.settings.support.address
        record["Subject"] = subject
        record["Date"] = format_datetime(now)
        record["Message-ID"] = (
            f"<call.{uuid.uuid4().hex}@{self.settings.support.message_id_domain}>"
        )
        record["X-OO-Channel"] = "phone"
        record.set_content(body)
        mail = InboundMail(record.as_bytes(), "phone", now, channel="phone")
        [result] = self.pipeline.ingest_batch(self.engine, [mail])
        return result

    def flush_outbox(self, should_stop: Callable[[], bool] | None = None) -> outbox.FlushReport:
        return outbox.flush(
            self.engine, self.transport(), self.settings.outbox, self.clock, should_stop
        )


def build_app(settings: Settings, clock: Clock | None = None) -> App:
    """Everything wired from `settings`; a given `clock` fixes the time (--now, tests)."""
    engine = make_engine(settings.database.url, echo=settings.database.echo)
    hours = settings.hours
    calendar = BusinessCalendar(
        timezone=settings.support.timezone,
        hours=hours.opening_hours(),
        closed_dates=hours.closed_month_days(),
        holiday_country=hours.holiday_country,
        extra_closed=frozenset(hours.extra_closed),
    )
    renderer = TemplateRenderer(settings.templates.dir)
    pipeline = Pipeline(settings, renderer, calendar, clock or system_clock)
    return App(settings, engine, clock or system_clock, calendar, renderer, pipeline, clock is None)


async def run_daemon(app: App, stop: asyncio.Event | None = None) -> None:
    """Every enabled source and the outbox sender, until `stop` is set or SIGTERM."""
    loop = asyncio.get_running_loop()
    stop = stop or asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(
            signal.SIGHUP,
            lambda: app.renderer.reload(
                lambda r: compose.check_templates(r, app.settings.support, app.clock())
            ),
        )

    # Fail at start, not on the first customer's mail, when a template is broken.
    compose.check_templates(app.renderer, app.settings.support, app.clock())
    await asyncio.to_thread(app.prepare_database)
    wake_sender = asyncio.Event()

    def committed() -> None:  # called from worker threads after each commit
        loop.call_soon_threadsafe(wake_sender.set)

    imap_stop = threading.Event()
    sender_stop = threading.Event()
    handler = server = scheduler = imap_task = sender_task = None
    try:
        # The listener first: if its port is taken we fail before any thread runs.
        if app.settings.smtp_in.enabled:
            s = app.settings.smtp_in
            handler = SupportMailHandler(
                app.settings, app.engine, app.pipeline, app.clock, committed
            )
            server = await start_listener(handler, s.host, s.port, s.max_message_size)
        if app.settings.imap is not None:
            source = app.imap_source(committed)
            imap_task = asyncio.create_task(asyncio.to_thread(source.run, imap_stop))
        sender_task = asyncio.create_task(_send_loop(app, wake_sender, sender_stop))
        if app.settings.scheduler.enabled:
            scheduler = _start_scheduler(app, committed)
        log.info("daemon running imap=%s smtp_in=%s", imap_task is not None, server is not None)
        await stop.wait()
        log.info("stopping: no new mail is taken in")
    finally:
        # Also when start-up failed half-way: no thread may be left running.
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if handler is not None and server is not None:
            handler.accepting = False
            server.close()
        imap_stop.set()
        if imap_task is not None:
            try:
                await imap_task  # finishes the batch in hand, commits it, moves it
            except Exception:  # noqa: BLE001 - stop cleanly anyway
                log.exception("the imap loop ended with an error")
        while handler is not None and handler.in_flight:
            await asyncio.sleep(0.05)
        sender_stop.set()
        wake_sender.set()
        if sender_task is not None:
            await sender_task
    deadline = time.monotonic() + SHUTDOWN_FLUSH_SECONDS
    try:  # best effort: whatever stays queued goes out after the next start
        await asyncio.to_thread(app.flush_outbox, lambda: time.monotonic() > deadline)
    except Exception:  # noqa: BLE001
        log.exception("final outbox flush failed; the queue is kept for the next start")
    app.engine.dispose()
    log.info("stopped")


def _start_scheduler(app: App, wake_sender: Callable[[], None]) -> AsyncIOScheduler:
    """APScheduler 3 on the running loop; each pass runs in a worker thread."""

    async def triage() -> None:
        try:
            counts = await asyncio.to_thread(
                triage_pass, app.engine, app.settings, app.calendar, app.renderer, app.clock()
            )
        except Exception:  # noqa: BLE001 - e.g. the database is down: next pass retries
            log.exception("triage pass failed")
            return
        if any(counts.values()):
            wake_sender()

    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        triage,
        "interval",
        seconds=app.settings.scheduler.interval,
        next_run_time=datetime.now(UTC),  # a first pass at start, then every interval
        max_instances=1,
        coalesce=True,
    )
    scheduler.start()
    return scheduler


async def _send_loop(app: App, wake: asyncio.Event, stop: threading.Event) -> None:
    interval = app.settings.outbox.flush_interval
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=interval)
        wake.clear()
        if stop.is_set():
            break
        try:
            await asyncio.to_thread(app.flush_outbox, stop.is_set)
        except Exception:  # noqa: BLE001 - e.g. the database is down; try again later
            log.exception("outbox flush failed")
