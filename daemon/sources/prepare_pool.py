"""`Pipeline.prepare` (MIME parse, HTML to text, reply splitting) in worker processes.

The per-mail work that needs no database is the CPU-heavy part of intake, and hostile
mail can make it slow (a huge or deeply nested HTML body, thousands of parts) or crash
the interpreter doing it. In the daemon's own threads that held up SIGTERM and the
other loops; here it runs in `[parsing] workers` processes, and the caller waits with
an eye on the clock and on `should_stop`:
  - past `[parsing] timeout` seconds the worker is killed and the mail's try has
    failed (`PrepareFailed`); its source counts the try and quarantines the mail after
    max_attempts, as for any other failure;
  - when the daemon stops, the worker is killed and `PrepareStopped` tells the caller
    that nothing was decided about the mail (its try is given back);
  - a worker that dies (out of its `[parsing] max_memory_mb`, a crash in lxml) is a
    failed try too, and is replaced.
The parsing of a large mail happens in the worker, so its memory (the standard
library's parser holds a mail as a list of lines) is the worker's, which is replaced
after such a mail: the daemon's own RSS stays what the listener and the store need.

Workers are forked from a forkserver (`multiprocessing`), never from the daemon itself:
the daemon runs threads, and a fork of a threaded process may inherit a held lock.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import logging
import multiprocessing
import queue
import resource
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess

from daemon.inbound import InboundMail, Prepared
from daemon.mail import LARGE_MAIL_BYTES
from daemon.pipeline import Pipeline
from daemon.settings import DatabaseSettings, Settings

log = logging.getLogger(__name__)

# How often a waiting caller looks at `should_stop` and the clock.
_CHECK_SECONDS = 0.1
_PR_SET_PDEATHSIG = 1  # linux/prctl.h

# A source's way to prepare one mail: raises PrepareFailed or PrepareStopped.
Prepare = Callable[[InboundMail, Callable[[], bool]], Prepared]


class PrepareFailed(Exception):
    """The mail's preparation failed (too slow, the worker died): a failed try."""


class PrepareStopped(Exception):
    """The daemon is stopping: the mail was not prepared, and that is not its fault."""


def in_process(pipeline: Pipeline) -> Prepare:
    """Prepare in the calling thread (one-shot commands and tests that patch the parser)."""
    return lambda mail, _should_stop: pipeline.prepare(mail)


class PreparePool:
    """`[parsing] workers` processes, each preparing one mail at a time."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.timeout = settings.parsing.timeout
        self._context: ForkServerContext = multiprocessing.get_context("forkserver")
        # The forkserver imports the pipeline once; each worker forked from it is ready
        # in milliseconds, which matters when one is replaced after a timeout.
        self._context.set_forkserver_preload(["daemon.sources.worker_start"])
        # Idle workers; None is a free place whose worker is started on first use.
        self._idle: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        for _ in range(settings.parsing.workers):
            self._idle.put(None)
        self._closed = False

    def start(self) -> None:
        """Start every worker now, so the first mails wait for no start-up."""
        started = []
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            started.append(worker or _Worker(self._context, self.settings))
        for worker in started:
            self._idle.put(worker)

    def prepare(self, mail: InboundMail, should_stop: Callable[[], bool]) -> Prepared:
        """`Pipeline.prepare(mail)` in a worker; see the module docstring for the raises."""
        worker = self._acquire(should_stop)
        keep: _Worker | None = None
        try:
            prepared = self._ask(worker, mail, should_stop)
            # After a large mail the worker's heap is as large as the mail's parse
            # was; a fresh worker gives the memory back.
            keep = worker if len(mail.raw) < LARGE_MAIL_BYTES and not self._closed else None
        finally:
            if keep is None:
                worker.kill()
            self._idle.put(keep)
        return dataclasses.replace(prepared, mail=mail)

    def close(self) -> None:
        """Kill the idle workers (a busy one is killed by its caller, who is stopping)."""
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            if worker is not None:
                worker.kill()

    def _acquire(self, should_stop: Callable[[], bool]) -> _Worker:
        while True:
            if should_stop() or self._closed:
                raise PrepareStopped("stopping: the mail was not prepared")
            try:
                worker = self._idle.get(timeout=_CHECK_SECONDS)
            except queue.Empty:
                continue
            if worker is not None and worker.alive():
                return worker
            if worker is not None:
                worker.kill()  # died while idle (killed from outside): replaced
            try:
                return _Worker(self._context, self.settings)
            except BaseException:
                self._idle.put(None)  # the place stays, to be tried again
                raise

    def _ask(
        self, worker: _Worker, mail: InboundMail, should_stop: Callable[[], bool]
    ) -> Prepared:
        deadline = time.monotonic() + self.timeout
        try:
            # The bytes as they are, not inside a pickle: no copy of a 40 MB mail here.
            worker.conn.send(dataclasses.replace(mail, raw=b""))
            worker.conn.send_bytes(mail.raw)
            while not worker.conn.poll(_CHECK_SECONDS):
                if should_stop():
                    raise PrepareStopped("stopping: the mail's preparation was abandoned")
                if time.monotonic() > deadline:
                    raise PrepareFailed(f"preparing the mail took over {self.timeout:g} s")
            answer = worker.conn.recv()
        except (EOFError, OSError) as exc:
            worker.kill()
            if should_stop():  # killed as part of the stop, not by the mail
                raise PrepareStopped("stopping: the parsing process is gone") from exc
            raise PrepareFailed(
                f"the parsing process died (exit code {worker.process.exitcode})"
            ) from exc
        if not isinstance(answer, Prepared):
            raise PrepareFailed(f"the parsing process answered {type(answer).__name__}")
        return answer


class _Worker:
    def __init__(self, context: ForkServerContext, settings: Settings) -> None:
        ours, theirs = context.Pipe()
        self.conn: Connection = ours
        self.process: BaseProcess = context.Process(
            target=_serve, args=(theirs, settings), name="oo-support-parse", daemon=True
        )
        self.process.start()
        theirs.close()

    def alive(self) -> bool:
        return self.process.is_alive()

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(5)
            self.conn.close()


def _serve(conn: Connection, settings: Settings) -> None:
    """A worker: prepare each mail sent, answer the Prepared without the raw bytes (the
    caller has them). Ends when the daemon closes its end (or dies)."""
    from daemon import logs
    from daemon.app import App

    # The daemon decides when a worker stops (it kills the one in use, which must not
    # count as the mail's failure): systemd's SIGTERM to the whole unit, or a Ctrl-C
    # to the terminal's group, would otherwise end a worker first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # ...and a worker must not outlive the daemon: the forkserver, its parent, ends
    # with the daemon, and then the kernel kills the worker (Linux PR_SET_PDEATHSIG).
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    # The memory one mail may cost is bounded here, not by the kernel's OOM killer
    # choosing among the daemon's processes.
    heap = settings.parsing.max_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (heap, heap))
    logs.configure(settings.logging.level, settings.logging.format)
    # The App builds the pipeline as the daemon does; a worker never opens a database,
    # so it gets none (the daemon's SQLite file may not be its to create).
    app = App(settings.model_copy(update={"database": DatabaseSettings(url="sqlite://")}))
    pipeline = Pipeline(settings, app.renderer, app.calendar, app.clock)
    while True:
        try:
            bare = conn.recv()
            mail = dataclasses.replace(bare, raw=conn.recv_bytes())
        except (EOFError, OSError):
            return
        prepared = dataclasses.replace(pipeline.prepare_ahead(mail), mail=bare)
        del mail  # the raw bytes go before the answer is pickled
        conn.send(prepared)
