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
The parsing of a large mail happens in the worker too, so its memory (the standard
library's parser holds a mail as a list of lines) is the worker's. The worker is sent
only a slim copy of it, its big base64 bodies hidden (daemon/reading.py slim_copy);
a mail still large after that (a big one-part text) is parsed whole, and the worker
is replaced after it, which gives the memory back. The daemon's own RSS stays what
the listener and the store need.

Each worker is a process of its own, `python -m daemon.sources.parse_worker`
(started, not forked: the daemon runs threads, and a fork of a threaded process may
inherit a held lock), which imports only the parsing and triage code. There is no
forkserver and no resource tracker (multiprocessing's, which cost two more processes'
memory, issue 18); a worker is started in ~0.5 s, and replaced only after a large mail,
a timeout or a crash.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import pickle
import queue
import site
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

import daemon
from daemon.inbound import InboundMail, Prepared
from daemon.mail import LARGE_MAIL_BYTES
from daemon.ops.memory import MMAP_THRESHOLD
from daemon.pipeline import Pipeline
from daemon.reading import ReadingRules, identified_by, slim_copy
from daemon.settings import Settings
from daemon.sources.parse_worker import WorkerSetup

log = logging.getLogger(__name__)

# How often a waiting caller looks at `should_stop` and the clock.
_CHECK_SECONDS = 0.1
# How long a new worker may take to be ready (imports, the triage rules: ~0.5 s idle,
# seconds on a loaded machine); not counted against the first mail's `timeout`.
_START_SECONDS = 120.0

# A source's way to prepare one mail: raises PrepareFailed or PrepareStopped.
Prepare = Callable[[InboundMail, Callable[[], bool]], Prepared]


class PrepareFailed(Exception):
    """The mail's preparation failed (too slow, the worker died): a failed try."""


class PrepareStopped(Exception):
    """The daemon is stopping: the mail was not prepared, and that is not its fault."""


class WorkersUnavailable(Exception):
    """No parsing process could be started or made ready (a broken install, no memory,
    no processes left): the daemon's fault, never the mail's, which is sent only to a
    ready worker. Its try is given back and the pass fails as for a lost database, so a
    bad deploy is an error for the operator, not every mail quarantined."""


def in_process(pipeline: Pipeline) -> Prepare:
    """Prepare in the calling thread (one-shot commands and tests that patch the parser)."""
    return lambda mail, _should_stop: pipeline.prepare(mail)


class PreparePool:
    """`[parsing] workers` processes, each preparing one mail at a time."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.timeout = settings.parsing.timeout
        triage = settings.triage
        self._setup = WorkerSetup(
            reading=ReadingRules.of(settings),
            custom_rules=tuple(triage.rules),
            replace_defaults=triage.replace_defaults,
            outside_services=tuple(triage.outside_services),
            max_memory_mb=settings.parsing.max_memory_mb,
            log_level=settings.logging.level,
            log_format=settings.logging.format,
        )
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
            started.append(worker or _Worker(self._setup))
        for worker in started:
            self._idle.put(worker)

    def prepare(self, mail: InboundMail, should_stop: Callable[[], bool]) -> Prepared:
        """`Pipeline.prepare(mail)` in a worker; see the module docstring for the raises.

        A large mail's big base64 bodies are hidden from the worker (slim_copy): it is
        sent, and parses, only the rest, so its memory stays what a small mail costs
        and it is kept. Only a mail still large then (a big one-part text) costs the
        worker its size, and the worker is replaced after it.
        """
        slim, hidden = slim_copy(mail.raw)
        worker = self._acquire(should_stop)
        keep: _Worker | None = None
        try:
            prepared = self._ask(worker, mail, slim, hidden, should_stop)
            # After a large mail the worker's heap is as large as the mail's parse
            # was; a fresh worker gives the memory back.
            keep = worker if len(slim) < LARGE_MAIL_BYTES and not self._closed else None
        finally:
            if keep is None:
                worker.kill()
            self._idle.put(keep)
        prepared = dataclasses.replace(prepared, mail=mail)
        return identified_by(prepared, mail.raw) if hidden else prepared

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
                return _Worker(self._setup)
            except OSError as exc:
                self._idle.put(None)  # the place stays, to be tried again
                raise WorkersUnavailable(f"a parsing process could not start: {exc}") from exc
            except BaseException:
                self._idle.put(None)
                raise

    def _ask(
        self,
        worker: _Worker,
        mail: InboundMail,
        slim: bytes,
        hidden: dict[str, int],
        should_stop: Callable[[], bool],
    ) -> Prepared:
        try:
            worker.wait_ready(should_stop)
        except (EOFError, OSError) as exc:
            worker.kill()
            raise WorkersUnavailable(
                f"a parsing process did not start ({exc}; exit code {worker.process.poll()})"
            ) from exc
        try:
            deadline = time.monotonic() + self.timeout
            send_mail(worker.conn, dataclasses.replace(mail, raw=b""), hidden, slim)
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
                f"the parsing process died (exit code {worker.process.poll()})"
            ) from exc
        if not isinstance(answer, Prepared):
            raise PrepareFailed(f"the parsing process answered {type(answer).__name__}")
        return answer


class _Worker:
    """One `python -m daemon.sources.parse_worker` and the daemon's end of its socket."""

    def __init__(self, setup: WorkerSetup) -> None:
        ours, theirs = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                # -P: not the working directory first on sys.path, as `python -m` puts
                # it; a module file there must not replace one the worker imports.
                [sys.executable, "-P", "-m", "daemon.sources.parse_worker",
                 str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # its log goes to stderr, as the daemon's
                env=_worker_environment(),
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.ready = False
        # A process that ran and exited before it read its setup (a broken install:
        # the interpreter fails at once) breaks this pipe, or not, by how fast it
        # exits: either way it is told by wait_ready as one that did not start, not
        # as one that could not be started (no program to run, Popen's OSError).
        self._unsent: OSError | None = None
        try:
            self.conn.send(setup)
        except OSError as exc:
            self._unsent = exc

    def wait_ready(self, should_stop: Callable[[], bool]) -> None:
        """Until the worker said it is ready; raises EOFError if it died first."""
        if self._unsent is not None:
            raise EOFError(f"it exited before it took its setup: {self._unsent}")
        deadline = time.monotonic() + _START_SECONDS
        while not self.ready:
            if self.conn.poll(_CHECK_SECONDS):
                self.ready = self.conn.recv() is True
                if not self.ready:
                    raise EOFError("the parsing process answered its setup wrongly")
            elif should_stop():
                raise PrepareStopped("stopping: the parsing process was starting")
            elif time.monotonic() > deadline:
                raise EOFError(f"the parsing process was not ready in {_START_SECONDS:g} s")

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.wait(5)
        with contextlib.suppress(Exception):
            self.conn.close()


# A mail's bytes up to this size are sent in one write with the frame before them.
_JOINED_BYTES = 64 * 1024


def send_mail(conn: Connection, bare: InboundMail, hidden: dict[str, int], slim: bytes) -> None:
    """The mail without its bytes and the sizes hidden from them (one frame), then the
    bytes (a second frame), as `Connection.send` and `send_bytes` frame them (the
    worker's _Channel reads them so): in one write when the bytes are small, so the
    worker wakes once for a mail, not once a frame (issue 18); a big mail's bytes as
    they are, not copied behind the frame header."""
    described = pickle.dumps((bare, hidden))
    head = _frame_header(described) + described + _frame_header(slim)
    if len(slim) <= _JOINED_BYTES:
        _write_all(conn.fileno(), head + slim)
    else:
        _write_all(conn.fileno(), head)
        _write_all(conn.fileno(), slim)


def _frame_header(payload: bytes) -> bytes:
    """multiprocessing.connection's frame header (Connection._send_bytes): a 4-byte
    signed big-endian length, or -1 and an 8-byte one."""
    size = len(payload)
    return struct.pack("!i", size) if size <= 0x7FFFFFFF else struct.pack("!iQ", -1, size)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _worker_environment() -> dict[str, str]:
    """The daemon's environment; when its code was imported from a checkout (not from
    site-packages, which every interpreter of this environment finds anyway), that
    directory first on the path: a worker must run the same code. And glibc's mmap
    threshold fixed as the daemon fixes its own (daemon/ops/memory.py), by glibc's
    environment variable, so the worker imports no ctypes for it: a buffer of a mail
    (the bytes received, the parser's copies) goes back to the kernel when freed, not
    to a heap that stays resident (issue 18). Other C libraries ignore the variable."""
    environment = {**os.environ, "MALLOC_MMAP_THRESHOLD_": str(MMAP_THRESHOLD)}
    code = Path(daemon.__file__).resolve().parent.parent
    installed = {Path(p).resolve() for p in [*site.getsitepackages(), site.getusersitepackages()]}
    if code in installed:
        return environment
    path = os.environ.get("PYTHONPATH")
    return {**environment, "PYTHONPATH": f"{code}{os.pathsep}{path}" if path else str(code)}
