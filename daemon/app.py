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

from daemon import oauth, outbox
from daemon.clock import Clock, system_clock
from daemon.domain.calendar import BusinessCalendar
from daemon.inbound import InboundMail, IngestResult
from daemon.mail import samples
from daemon.mail.render import TemplateRenderer
from daemon.ops import metrics as metrics_http
from daemon.ops.health import Health
from daemon.ops.metrics import Metrics
from daemon.ops.systemd import Notifier
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
# The longest pause between tries of a relay that takes nothing (see _send_loop).
RELAY_PAUSE_MAX_SECONDS = 300.0


@dataclass
class App:
    settings: Settings
    engine: Engine
    clock: Clock
    calendar: BusinessCalendar
    renderer: TemplateRenderer
    pipeline: Pipeline
    metrics: Metrics
    health: Health
    # False when the clock is fixed (--now): then mail arrives "now", not at INTERNALDATE.
    server_time: bool = True
    # Re-reads the config file on SIGHUP (set by `run`; None: templates only).
    reload_settings: Callable[[], Settings] | None = None

    def transport(self) -> outbox.Transport:
        s = self.settings
        return outbox.make_transport(
            s.smtp_out, s.outbox, oauth.shared_provider(s.oauth), s.support.address
        )

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
            tokens=oauth.shared_provider(self.settings.oauth),  # one per process, with SMTP
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
            self.engine,
            self.transport(),
            self.settings.outbox,
            self.clock,
            should_stop,
            on_result=self.metrics.outbox_result,
        )

    def outbox_depth(self) -> float:
        try:
            with self.engine.connect() as conn:
                return float(repository.outbox_depth(conn))
        except Exception:  # noqa: BLE001 - a scrape while the database is down
            return float("nan")

    def reload(self) -> None:
        """SIGHUP: templates and the customer registry, without dropping connections.

        Only `[[customers]]` is taken from the re-read file; other changed keys (a
        server, a port) need a restart, and the log says so.
        """
        self.renderer.reload(lambda r: samples.render_all(r, self.settings, self.clock()))
        if self.reload_settings is None:
            return
        try:
            fresh = self.reload_settings()
        except Exception as exc:  # noqa: BLE001 - a broken edit must not stop the daemon
            log.error("config not reloaded: %s", exc)
            return
        with self.engine.begin() as conn:
            synced = repository.sync_customers(conn, fresh.customers, self.clock())
        self.settings = self.settings.model_copy(update={"customers": fresh.customers})
        self.pipeline.use_settings(self.settings)
        others = fresh.model_dump(exclude={"customers"}) != self.settings.model_dump(
            exclude={"customers"}
        )
        log.info(
            "customer registry reloaded",
            extra={"customers": len(fresh.customers), "synced": synced},
        )
        if others:
            log.warning("config changes other than [[customers]] take effect after a restart")


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
    app = App(
        settings,
        engine,
        clock or system_clock,
        calendar,
        renderer,
        pipeline,
        Metrics(lambda: app.outbox_depth()),
        Health(),
        clock is None,
    )
    pipeline.observers.append(app.metrics.ingested)
    return app


async def run_daemon(app: App, stop: asyncio.Event | None = None) -> None:
    """Every enabled source and the outbox sender, until `stop` is set or SIGTERM."""
    loop = asyncio.get_running_loop()
    stop = stop or asyncio.Event()
    systemd = Notifier()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGHUP, lambda: loop.run_in_executor(None, _reload, app))

    # Fail at start, not on the first customer's mail, when a template is broken.
    samples.render_all(app.renderer, app.settings, app.clock())
    await asyncio.to_thread(app.prepare_database)
    wake_sender = asyncio.Event()

    def committed() -> None:  # called from worker threads after each commit
        loop.call_soon_threadsafe(wake_sender.set)

    imap_stop = threading.Event()
    sender_stop = threading.Event()
    handler = server = scheduler = imap_task = sender_task = http = watchdog = status = None
    paused_until = 0.0
    try:
        # The listener first: if its port is taken we fail before any thread runs.
        if app.settings.smtp_in.enabled:
            handler = SupportMailHandler(
                app.settings, app.engine, app.pipeline, app.clock, committed
            )
            server = await start_listener(handler, app.settings.smtp_in)
        if app.settings.metrics.enabled:
            m = app.settings.metrics
            http = metrics_http.serve(app.metrics, app.health, m.host, m.port)
        stall = app.settings.metrics.stall_seconds
        if app.settings.imap is not None:
            source = app.imap_source(committed)
            source.beat = app.health.register("imap", stall)
            source.on_pass = lambda _report: app.metrics.imap_pass_done(time.time())
            imap_task = asyncio.create_task(asyncio.to_thread(source.run, imap_stop))
        sender_beat = app.health.register("outbox", stall + app.settings.outbox.flush_interval)
        sender_task = asyncio.create_task(_send_loop(app, wake_sender, sender_stop, sender_beat))
        if app.settings.scheduler.enabled:
            scheduler = _start_scheduler(app, committed, stall)
        watchdog = asyncio.create_task(_pet_watchdog(app, systemd))
        status = asyncio.create_task(_report_status(app, systemd))
        log.info("daemon running imap=%s smtp_in=%s", imap_task is not None, server is not None)
        systemd.notify(READY=1, STATUS="running")
        await stop.wait()
        systemd.notify(STOPPING=1, STATUS="stopping: finishing the mail in hand")
        log.info("stopping: no new mail is taken in")
    finally:
        # Also when start-up failed half-way: no thread may be left running.
        for task in (watchdog, status):
            if task is not None:
                task.cancel()
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
            paused_until = await sender_task
        if http is not None:  # serve_forever notices within 0.5 s; never wait longer
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.to_thread(http.shutdown), timeout=5)
            http.server_close()
    deadline = time.monotonic() + SHUTDOWN_FLUSH_SECONDS
    try:  # best effort: whatever stays queued goes out after the next start
        if time.monotonic() >= paused_until:  # not while the relay is known to be down
            await asyncio.to_thread(app.flush_outbox, lambda: time.monotonic() > deadline)
    except Exception:  # noqa: BLE001
        log.exception("final outbox flush failed; the queue is kept for the next start")
    app.engine.dispose()
    systemd.close()
    log.info("stopped")


def _reload(app: App) -> None:
    try:
        app.reload()
    except Exception:  # noqa: BLE001 - e.g. the database is down: keep running as we are
        log.exception("reload failed")


async def _pet_watchdog(app: App, systemd: Notifier) -> None:
    """WATCHDOG=1 at half of WatchdogSec, but only while no loop is stalled.

    This task runs on the event loop, so a blocked loop stops the pets too. It asks
    nothing of the database: a slow one must not look like a hung daemon.
    """
    interval = systemd.watchdog_interval or 10.0
    while True:
        stalled = app.health.stalled()
        if not stalled and systemd.watchdog_interval:
            systemd.notify(WATCHDOG=1)
        elif stalled:
            log.error("loop stalled, not petting the watchdog", extra={"stalled": stalled})
        await asyncio.sleep(interval)


async def _report_status(app: App, systemd: Notifier) -> None:
    """STATUS= for `systemctl status`, every 10 s, apart from the pets (it queries)."""
    while True:
        depth = await asyncio.to_thread(app.outbox_depth)
        stalled = app.health.stalled()
        systemd.notify(
            STATUS=f"running; outbox depth {depth:.0f}"
            + (f"; STALLED {stalled}" if stalled else "")
        )
        await asyncio.sleep(10.0)


def _start_scheduler(app: App, wake_sender: Callable[[], None], stall: float) -> AsyncIOScheduler:
    """APScheduler 3 on the running loop; each pass runs in a worker thread."""
    beat = app.health.register("scheduler", app.settings.scheduler.interval + stall)

    async def triage() -> None:
        try:
            counts = await asyncio.to_thread(
                triage_pass, app.engine, app.settings, app.calendar, app.renderer, app.clock()
            )
        except Exception:  # noqa: BLE001 - e.g. the database is down: next pass retries
            log.exception("triage pass failed")
            return
        finally:
            beat()
        app.metrics.alerts_raised(counts)
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


async def _send_loop(
    app: App, wake: asyncio.Event, stop: threading.Event, beat: Callable[[], None]
) -> float:
    """Flush when woken or every flush_interval; returns until when sending is paused
    (time.monotonic), for the final flush at shutdown to respect."""
    settings = app.settings.outbox
    interval = settings.flush_interval
    # While nothing can be handed over (relay down, login or token refused, disk
    # full), new mail does not trigger a try: the next one waits out a backoff.
    pause = min(settings.retry_base_seconds, RELAY_PAUSE_MAX_SECONDS)
    paused_until = 0.0

    def should_stop() -> bool:  # asked before each mail: a long flush still beats
        beat()
        return stop.is_set()

    while not stop.is_set():
        beat()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=interval)
        wake.clear()
        if stop.is_set():
            break
        if time.monotonic() < paused_until:
            continue
        try:
            report = await asyncio.to_thread(app.flush_outbox, should_stop)
            if report.relay_error is None or report.sent:  # it took mail: not down
                pause = min(settings.retry_base_seconds, RELAY_PAUSE_MAX_SECONDS)
            if report.relay_error is not None:
                paused_until = time.monotonic() + pause
                pause = min(pause * 2, settings.retry_max_seconds, RELAY_PAUSE_MAX_SECONDS)
        except Exception:  # noqa: BLE001 - e.g. the database is down; try again later
            log.exception("outbox flush failed")
    return paused_until
