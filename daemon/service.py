"""The running daemon (`oo-support run`): every enabled source, the outbox sender and
the scheduler, until SIGTERM. The objects it runs come from the App (daemon/app.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from daemon.app import App
from daemon.mail import samples
from daemon.ops import backoff
from daemon.ops import metrics as metrics_http
from daemon.ops.systemd import Notifier
from daemon.scheduler import triage_pass
from daemon.sources.smtp_listener import SupportMailHandler, start_listener

log = logging.getLogger(__name__)

# How long SIGTERM may spend delivering what is queued before the process exits.
SHUTDOWN_FLUSH_SECONDS = 10.0


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
    before, after = await asyncio.to_thread(app.prepare_database)
    if before != after:
        log.info("database schema upgraded", extra={"from": before or "none", "to": after})
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
            s = app.settings.smtp_in
            handler = SupportMailHandler(
                app.settings, app.engine, app.pipeline, app.clock, committed
            )
            server = await start_listener(handler, s.host, s.port, s.max_message_size)
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
    pause = backoff.relay_pause(settings)
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
                pause.reset()
            if report.relay_error is not None:
                paused_until = time.monotonic() + pause.next()
        except Exception:  # noqa: BLE001 - e.g. the database is down; try again later
            log.exception("outbox flush failed")
    return paused_until
