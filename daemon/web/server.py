"""Serving the console with uvicorn: alone (`oo-support web`) or on the daemon's loop.

The socket is bound here, before uvicorn starts, so a port in use is an OSError with
the address in it (uvicorn itself would exit the process). uvicorn's own signal
handling is off: the daemon's loop owns SIGTERM, and stopping the console is
`ConsoleServer.stop()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING

import uvicorn

from daemon.web.console import Console

if TYPE_CHECKING:
    from daemon.app import App

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # the caller's loop handles SIGTERM and SIGINT


class ConsoleServer:
    def __init__(self, app: App, after_commit: Callable[[], None] | None = None) -> None:
        self.console = Console(app, after_commit=after_commit)
        host, port = app.settings.web.host_port()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            self.socket = socket.create_server((host, port), family=family, backlog=128)
        except OSError as exc:
            raise OSError(exc.errno, f"[web] listen {host}:{port}: {exc.strerror}") from None
        self.socket.setblocking(False)
        config = uvicorn.Config(
            self.console.asgi(),
            log_level="warning",
            access_log=False,
            lifespan="off",
            server_header=False,
            # X-Forwarded-For and -Proto are believed from a proxy on this machine only.
            proxy_headers=True,
            forwarded_allow_ips="127.0.0.1,::1",
            timeout_graceful_shutdown=5,
        )
        self._server = _Server(config)
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        return int(self.socket.getsockname()[1])

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(sockets=[self.socket]))
        while not self._server.started:
            if self._task.done():  # failed to start: its error goes up
                await self._task
                raise RuntimeError("the web console stopped while starting")
            await asyncio.sleep(0.01)
        log.info("web console listening", extra={"port": self.port})

    async def stop(self) -> None:
        """Requests in hand finish (at most 5 s), then the socket closes."""
        if self._task is None:
            self.socket.close()
            return
        self._server.should_exit = True
        try:
            await asyncio.wait_for(self._task, timeout=10)
        except TimeoutError:
            log.warning("web console did not stop in time")
        finally:
            self.socket.close()


class OutboxFlusher:
    """`oo-support web` alone: what an action queued is sent at once, one flush at a time,
    as `cases reply` does (inside `run`, the daemon's sender does this)."""

    def __init__(self, app: App, loop: asyncio.AbstractEventLoop) -> None:
        self.app = app
        self.loop = loop
        self._wake = asyncio.Event()
        self._task = loop.create_task(self._run())

    def wake(self) -> None:  # from the worker thread that committed
        self.loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await asyncio.to_thread(self.app.flush_outbox)
            except Exception:  # noqa: BLE001 - the mail stays queued for the next flush
                log.exception("outbox flush failed")

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def run_console(app: App, stop: asyncio.Event | None = None) -> None:
    """`oo-support web`: the console until SIGTERM (or `stop`)."""
    loop = asyncio.get_running_loop()
    stop = stop or asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    flusher = OutboxFlusher(app, loop)
    server = ConsoleServer(app, flusher.wake)
    try:
        await server.start()
        await stop.wait()
    finally:
        await server.stop()
        await flusher.close()
