"""The running daemon (`oo-support run`): every enabled source, the outbox sender and
the scheduler, until SIGTERM.

The objects it runs come from the App (daemon/app.py); a `Service` owns the loops that
run them, and `run_daemon` is what the command calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from wsgiref.simple_server import WSGIServer

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from daemon.app import App
from daemon.mail import samples
from daemon.ops import backoff
from daemon.ops import metrics as metrics_http
from daemon.ops.systemd import Notifier
from daemon.scheduler import triage_pass
from daemon.sources.prepare_pool import PreparePool
from daemon.sources.smtp_listener import SupportMailHandler, start_listener

if TYPE_CHECKING:
    from daemon.web.server import ConsoleServer

log = logging.getLogger(__name__)

# How long SIGTERM may spend delivering what is queued before the process exits.
SHUTDOWN_FLUSH_SECONDS = 10.0


async def run_daemon(app: App, stop: asyncio.Event | None = None) -> None:
    """Every enabled source and the outbox sender, until `stop` is set or SIGTERM."""
    loop = asyncio.get_running_loop()
    stop = stop or asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGHUP, lambda: loop.run_in_executor(None, _reload, app))
    service = Service(app)
    try:
        await service.start()
        await service.run_until(stop)
    finally:
        await service.stop()  # also when start-up failed half-way: no thread is left


class Service:
    """The daemon's loops, owned together: the SMTP listener, the IMAP loop, the outbox
    sender, the scheduler, the metrics server, and the systemd watchdog and status.

    `start()` migrates the database and starts them, `run_until(stop)` runs until
    `stop` is set, and `stop()` ends them in the order that loses no mail.
    """

    def __init__(self, app: App, systemd: Notifier | None = None) -> None:
        self.app = app
        self.systemd = systemd or Notifier()
        self._wake_sender = asyncio.Event()
        self._imap_stop = threading.Event()
        self._sender_stop = threading.Event()
        self._handler: SupportMailHandler | None = None
        self._pool: PreparePool | None = None
        self._listener: asyncio.AbstractServer | None = None
        self._http: WSGIServer | None = None
        self._web: ConsoleServer | None = None
        self._imap: asyncio.Task[None] | None = None
        self._sender: asyncio.Task[float] | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._systemd_tasks: list[asyncio.Task[None]] = []
        self._stop_requested = False  # stop() delivers what it can only after a stop
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- start ---------------------------------------------------------------------

    async def start(self) -> None:
        """Migrate the database, then start every loop; READY=1 once all run. Raises
        if one cannot start (stop() then ends those that did)."""
        app = self.app
        self._loop = asyncio.get_running_loop()
        # Fail at start, not on the first customer's mail, when a template is broken.
        samples.render_all(app.renderer, app.settings, app.clock())
        before, after = await asyncio.to_thread(app.prepare_database)
        if before != after:
            log.info("database schema upgraded", extra={"from": before or "none", "to": after})
        if app.settings.smtp_in.enabled or app.settings.imap is not None:
            self._pool = PreparePool(app.settings)
            await asyncio.to_thread(self._pool.start)
        # The listener first: if its port is taken we fail before any thread runs.
        if app.settings.smtp_in.enabled:
            await self._start_listener()
        if app.settings.metrics.enabled:
            m = app.settings.metrics
            self._http = metrics_http.serve(app.metrics, app.health, m.host, m.port)
        if app.settings.web.enabled:  # the staff console on this loop, this App
            from daemon.web.server import ConsoleServer

            self._web = ConsoleServer(app, self._committed)
            await self._web.start()
        if app.settings.imap is not None:
            self._start_imap()
        self._start_sender()
        if app.settings.scheduler.enabled:
            self._scheduler = self._start_scheduler()
        self._systemd_tasks = [
            asyncio.create_task(self._pet_watchdog()),
            asyncio.create_task(self._report_status()),
        ]
        log.info(
            "daemon running imap=%s smtp_in=%s", self._imap is not None, self._listener is not None
        )
        self.systemd.notify(READY=1, STATUS="running")

    def _committed(self) -> None:
        """Called from worker threads after each commit: the sender has mail."""
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._wake_sender.set)

    async def _start_listener(self) -> None:
        app, s = self.app, self.app.settings.smtp_in
        self._handler = SupportMailHandler(
            app.settings, app.engine, app.pipeline, app.clock, self._committed
        )
        if self._pool is not None:
            self._handler.prepare = self._pool.prepare
        self._listener = await start_listener(self._handler, s)

    def _start_imap(self) -> None:
        app = self.app
        source = app.imap_source(self._committed)
        source.beat = app.health.register("imap", app.settings.metrics.stall_seconds)
        source.on_pass = lambda _report: app.metrics.imap_pass_done(app.clock().timestamp())
        if self._pool is not None:
            source.use_pool(self._pool)
        self._imap = asyncio.create_task(asyncio.to_thread(source.run, self._imap_stop))

    def _start_sender(self) -> None:
        settings = self.app.settings
        beat = self.app.health.register(
            "outbox", settings.metrics.stall_seconds + settings.outbox.flush_interval
        )
        self._sender = asyncio.create_task(self._send_loop(beat))

    def _start_scheduler(self) -> AsyncIOScheduler:
        """APScheduler 3 on the running loop; each pass runs in a worker thread."""
        app = self.app
        stall = app.settings.metrics.stall_seconds
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
                self._committed()

        scheduler = AsyncIOScheduler(timezone="UTC")
        scheduler.add_job(
            triage,
            "interval",
            seconds=app.settings.scheduler.interval,
            next_run_time=app.clock(),  # a first pass at start, then every interval
            max_instances=1,
            coalesce=True,
        )
        scheduler.start()
        return scheduler

    # -- run -----------------------------------------------------------------------

    async def run_until(self, stop: asyncio.Event) -> None:
        """Until `stop` is set (SIGTERM); then STOPPING=1, and stop() may deliver."""
        await stop.wait()
        self._stop_requested = True
        self.systemd.notify(STOPPING=1, STATUS="stopping: finishing the mail in hand")
        log.info("stopping: no new mail is taken in")

    async def _send_loop(self, beat: Callable[[], None]) -> float:
        """Flush when woken or every flush_interval; returns until when sending is paused
        (time.monotonic), for the final flush at shutdown to respect."""
        app = self.app
        settings = app.settings.outbox
        # While nothing can be handed over (relay down, login or token refused, disk
        # full), new mail does not trigger a try: the next one waits out a backoff.
        pause = backoff.relay_pause(settings)
        paused_until = 0.0
        stop = self._sender_stop

        def should_stop() -> bool:  # asked before each mail: a long flush still beats
            beat()
            return stop.is_set()

        while not stop.is_set():
            beat()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake_sender.wait(), timeout=settings.flush_interval)
            self._wake_sender.clear()
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

    async def _pet_watchdog(self) -> None:
        """WATCHDOG=1 at half of WatchdogSec, but only while no loop is stalled.

        This task runs on the event loop, so a blocked loop stops the pets too. It asks
        nothing of the database: a slow one must not look like a hung daemon.
        """
        interval = self.systemd.watchdog_interval or 10.0
        while True:
            stalled = self.app.health.stalled()
            if not stalled and self.systemd.watchdog_interval:
                self.systemd.notify(WATCHDOG=1)
            elif stalled:
                log.error("loop stalled, not petting the watchdog", extra={"stalled": stalled})
            await asyncio.sleep(interval)

    async def _report_status(self) -> None:
        """STATUS= for `systemctl status`, every 10 s, apart from the pets (it queries)."""
        while True:
            depth = await asyncio.to_thread(self.app.outbox_depth)
            stalled = self.app.health.stalled()
            self.systemd.notify(
                STATUS=f"running; outbox depth {depth:.0f}"
                + (f"; STALLED {stalled}" if stalled else "")
            )
            await asyncio.sleep(10.0)

    # -- stop ----------------------------------------------------------------------

    async def stop(self) -> None:
        """End every loop that runs, in the order that loses nothing: no new mail, the
        IMAP batch in hand committed and moved (or, if a mail of it is still being
        prepared, left in the folder), the SMTP sessions in flight answered (421 for a
        mail still being prepared), the parsing workers, then the sender and the HTTP
        server. After a stop (not a failed start), the
        outbox is flushed for at most SHUTDOWN_FLUSH_SECONDS, unless the relay is
        known to be down; whatever stays queued goes out after the next start."""
        for task in self._systemd_tasks:
            task.cancel()
        if self._web is not None:  # no new staff action once stopping
            await self._web.stop()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
        if self._handler is not None and self._listener is not None:
            self._handler.accepting = False
            self._listener.close()
        self._imap_stop.set()
        if self._imap is not None:
            try:
                await self._imap  # finishes the batch in hand, commits it, moves it
            except Exception:  # noqa: BLE001 - stop cleanly anyway
                log.exception("the imap loop ended with an error")
        while self._handler is not None and self._handler.in_flight:
            await asyncio.sleep(0.05)
        if self._pool is not None:  # no mail is being prepared now: a mail in hand was
            self._pool.close()  # given up when `accepting` went false or IMAP stopped
        self._sender_stop.set()
        self._wake_sender.set()
        paused_until = await self._sender if self._sender is not None else 0.0
        if self._http is not None:  # serve_forever notices within 0.5 s; never wait longer
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.to_thread(self._http.shutdown), timeout=5)
            self._http.server_close()
        if not self._stop_requested:
            return  # start-up failed (or we were cancelled): the error goes up as it is
        await self._final_flush(paused_until)
        self.app.engine.dispose()
        self.systemd.close()
        log.info("stopped")

    async def _final_flush(self, paused_until: float) -> None:
        deadline = time.monotonic() + SHUTDOWN_FLUSH_SECONDS
        try:  # best effort: whatever stays queued goes out after the next start
            if time.monotonic() >= paused_until:  # not while the relay is known to be down
                await asyncio.to_thread(self.app.flush_outbox, lambda: time.monotonic() > deadline)
        except Exception:  # noqa: BLE001
            log.exception("final outbox flush failed; the queue is kept for the next start")


def _reload(app: App) -> None:
    try:
        app.reload()
    except Exception:  # noqa: BLE001 - e.g. the database is down: keep running as we are
        log.exception("reload failed")
