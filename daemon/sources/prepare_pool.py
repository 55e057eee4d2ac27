"""`Pipeline.prepare` (MIME parse, HTML to text, reply splitting) in worker processes.

The per-mail work that needs no database is the CPU-heavy part of intake, and hostile
mail can make it slow (a huge or deeply nested HTML body, thousands of parts) or crash
the interpreter doing it. In the daemon's own threads that held up SIGTERM and the
other loops; here it runs in `[parsing] workers` processes, and the pool keeps an eye
on the clock and on each caller's `should_stop`:
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
a mail still large after that (a big one-part text) is parsed whole, alone, and the
worker is replaced after it, which gives the memory back. The daemon's own RSS stays
what the listener and the store need.

One dispatcher thread serves every worker (issue 18, feed20): callers `submit` mails
and get a Future; the dispatcher writes several small mails to a worker at once (their
frames in one os.writev, at most _FLIGHT_BYTES of them in flight a worker) and reads
every answer waiting in a worker's socket in one read. A worker still takes one mail
at a time (daemon/sources/parse_worker.py). So one wake of the dispatcher, one take of
the GIL from a pass thread busy in Python, serves many mails, where a feeding thread a
worker took it several times a mail (benchmarks/README.md, inflight19). A mail's
timeout counts from the answer to the mail before it (or from its sending to an idle
worker); when a worker is killed or dies, only the mail in work fails, and the mails
written behind it are sent again (another worker, or its replacement).

Each worker is a process of its own (daemon/sources/worker_process.py), started, not
forked, and replaced only after a large mail, a timeout or a crash.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import pickle
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future, InvalidStateError
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from daemon.inbound import InboundMail, Prepared
from daemon.mail import LARGE_MAIL_BYTES
from daemon.reading import ReadingRules, identified_by, slim_copy
from daemon.settings import Settings
from daemon.sources.parse_worker import WorkerSetup
from daemon.sources.worker_answer import prepared_of
from daemon.sources.worker_process import Worker, complete_frames, mail_frames

if TYPE_CHECKING:  # SQLAlchemy and the pipeline: not for poll --once's early start
    from daemon.pipeline import Pipeline

__all__ = ["Prepare", "PrepareFailed", "PreparePool", "PrepareStopped",
           "Submit", "Worker", "WorkersUnavailable", "in_process", "in_threads"]

log = logging.getLogger(__name__)

# How often the dispatcher asks the callers' `should_stop` while mail is in its hands.
_CHECK_SECONDS = 0.1
# How long a new worker may take to be ready (imports, the triage rules: ~0.5 s idle,
# seconds on a loaded machine); not counted against the first mail's `timeout`.
_START_SECONDS = 120.0
# Mails written to a worker ahead of its answers: enough for the ~5 ms (a switch
# interval) the dispatcher may wait for the GIL against a busy pass thread (a corpus
# mail takes a worker ~1.3 ms), few enough bytes that the write fits the socket's
# buffer and what a worker's loss sends again stays small (issue 18, feed20).
_FLIGHT_MAILS = 16
_FLIGHT_BYTES = 256 * 1024
# One read takes every answer waiting in a socket (an answer is a few KB, a worker has
# at most _FLIGHT_MAILS), into one buffer kept for every read: a fresh 1 MB bytes a
# read was an mmap, its page faults and a munmap with the daemon's malloc (tune_malloc),
# ~8.5 us a read against ~1 (issue 18, feed21). A longer answer takes more reads.
_READ_BYTES = 64 * 1024
_IOV_MAX = 512

# The dispatcher's clock (the tests move it: no test waits on this machine's speed).
_now = time.monotonic

# A source's way to prepare one mail: raises PrepareFailed or PrepareStopped.
Prepare = Callable[[InboundMail, Callable[[], bool]], Prepared]
# The same, begun: the Future raises as Prepare would.
Submit = Callable[[InboundMail, Callable[[], bool]], "Future[Prepared]"]


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


def in_threads(executor: Executor, prepare: Prepare) -> Submit:
    """`prepare` begun in `executor`'s threads (a source's way without the pool)."""
    return lambda mail, should_stop: executor.submit(prepare, mail, should_stop)


@dataclass(eq=False)
class _Job:
    """A mail handed to the pool, and what its caller waits on."""

    mail: InboundMail
    should_stop: Callable[[], bool]
    future: Future[Prepared] = field(default_factory=Future)
    # slim_copy's, made as the mail's turn to be written comes (not for every mail
    # waiting: a spooled mail is read into memory for it), kept to be sent again.
    slim: bytes | None = None
    hidden: dict[str, int] = field(default_factory=dict)
    sent: bool = False  # running: its caller can no longer cancel it

    @property
    def alone(self) -> bool:
        """Still large after slim_copy: parsed whole, nothing beside it, the worker
        replaced after it (its heap is as large as the parse was)."""
        return self.slim is not None and len(self.slim) >= LARGE_MAIL_BYTES

    @property
    def size(self) -> int:
        return len(self.slim or b"")


class _Place:
    """A worker's place in the pool: its process (None: started when mail waits) and
    the mails written to it, the one in work first."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Empty, its worker gone (killed by the caller)."""
        self.worker: Worker | None = None
        self.flight: deque[_Job] = deque()
        self.flight_bytes = 0
        self.out: deque[memoryview] = deque()  # written to the socket as it takes them
        self.inbox = bytearray()  # read, not yet a whole frame
        self.deadline = 0.0  # the mail in work's, or the start's while not ready
        self.writing = False  # the selector watches it for room to write
        self.reserved = False  # a large mail waits for it to empty
        self.retiring = False  # a large mail went: replaced once it is answered

    def room_for(self, job: _Job) -> bool:
        worker = self.worker
        if worker is None or not worker.ready or self.retiring:
            return False
        if self.reserved:
            return job.alone and not self.flight
        if not self.flight:
            return True
        return (not job.alone and len(self.flight) < _FLIGHT_MAILS
                and self.flight_bytes + job.size <= _FLIGHT_BYTES)


class PreparePool:
    """`[parsing] workers` processes, each preparing one mail at a time, fed by one
    dispatcher thread (started on first use)."""

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
        self._places = [_Place() for _ in range(settings.parsing.workers)]
        self._read_buffer = bytearray(_READ_BYTES)  # the dispatcher's
        self._submitted: deque[_Job] = deque()  # from the callers' threads
        self._pending: deque[_Job] = deque()  # the dispatcher's, in order
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()
        self._selector = selectors.DefaultSelector()
        # Socket objects, not bare fds: one closed at the end is refused by Python,
        # never a write into a descriptor number the process has since reused.
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._woken = False
        self._start_all = False
        self._next_check = 0.0
        self._closed = False
        self._finished = False
        # Why the dispatcher ended, when it failed (not closed): what a mail handed over
        # after it is told (review20b).
        self._failure: str | None = None

    def start(self) -> None:
        """Start every worker now, so the first mails wait for no start-up."""
        self._start_all = True
        self._wake()

    def submit(self, mail: InboundMail, should_stop: Callable[[], bool]) -> Future[Prepared]:
        """`Pipeline.prepare(mail)` in a worker, begun; the Future raises as `prepare`.
        Cancelling it before the mail is written to a worker drops it."""
        job = _Job(mail, should_stop)
        self._submitted.append(job)
        self._wake()
        if self._finished:  # ended meanwhile: the dispatcher will not take it
            self._fail_submitted(self._ended())
        return job.future

    def prepare(self, mail: InboundMail, should_stop: Callable[[], bool]) -> Prepared:
        """`Pipeline.prepare(mail)` in a worker; see the module docstring for the raises.

        A large mail's big base64 bodies are hidden from the worker (slim_copy): it is
        sent, and parses, only the rest, so its memory stays what a small mail costs
        and it is kept. Only a mail still large then (a big one-part text) costs the
        worker its size, and the worker is replaced after it.
        """
        return self.submit(mail, should_stop).result()

    def workers(self) -> list[Worker]:
        """The worker processes now in the pool (started or starting)."""
        return [place.worker for place in self._places if place.worker is not None]

    def close(self) -> None:
        """Stop the dispatcher: every mail in its hands is PrepareStopped, every worker
        killed."""
        self._closed = True
        self._wake()
        with contextlib.suppress(OSError):  # whatever the flag says: this must be seen
            self._wake_w.send(b"\0")
        with self._starting:
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    # -- the callers' side --------------------------------------------------

    def _wake(self) -> None:
        if self._thread is None:
            with self._starting:
                if self._thread is None and not self._finished:
                    self._thread = threading.Thread(
                        target=self._run, name="prepare-pool", daemon=True)
                    self._thread.start()
        # One byte while the dispatcher has not looked: a batch of mails wakes it once.
        if not self._woken:
            self._woken = True
            with contextlib.suppress(OSError):
                self._wake_w.send(b"\0")

    def _ended(self) -> BaseException:
        """What a mail handed over once the dispatcher has ended is told: a stop after
        close(); after the dispatcher failed, WorkersUnavailable, as the mails in its
        hands were told. Never a stop nobody asked for: PrepareStopped ends the IMAP
        source's loop (ImapSource.run) and has the listener answer 421 "shutting down",
        so every later mail would stop intake silently (issue 18, review20b)."""
        if self._failure is not None:
            return WorkersUnavailable(self._failure)
        return PrepareStopped("stopping: the mail was not prepared")

    def _fail_submitted(self, error: BaseException) -> None:
        while True:
            try:
                job = self._submitted.popleft()
            except IndexError:
                return
            _settle(job, error=error)

    # -- the dispatcher thread ----------------------------------------------

    def _run(self) -> None:
        try:
            # In the try too: failing here must still settle every mail handed over, or
            # the callers wait for ever (review20b).
            self._selector.register(self._wake_r, selectors.EVENT_READ, None)
            while not self._closed:
                self._turn()
        except BaseException as exc:
            log.exception("the parsing pool's dispatcher failed")
            self._failure = f"the parsing pool failed: {exc!r}"  # before _end: see submit
            self._end(WorkersUnavailable(self._failure))
        else:
            self._end(PrepareStopped("stopping: the mail's preparation was abandoned"))

    def _turn(self) -> None:
        # Asleep until woken while nothing is in hand (an idle daemon's workers).
        busy = self._pending or any(
            p.flight or (p.worker is not None and not p.worker.ready) for p in self._places)
        for key, events in self._selector.select(_CHECK_SECONDS if busy else None):
            place = key.data
            if place is None:
                with contextlib.suppress(OSError):
                    self._wake_r.recv(4096)
                # After the byte is taken (a submit's byte sent meanwhile would be taken
                # with it, and the flag left set: no wake again, ever) and before the
                # queue is read (what a submit put there before it saw the flag set is
                # taken in this turn; one after it sees it clear, and wakes us).
                self._woken = False
            else:
                if events & selectors.EVENT_WRITE:
                    self._flush(place)
                if events & selectors.EVENT_READ:
                    self._receive(place)
        self._take_submitted()
        now = _now()
        if now >= self._next_check:
            self._next_check = now + _CHECK_SECONDS
            self._look_at_stops()
        self._look_at_clocks(now)
        self._start_workers(now)
        self._dispatch(now)

    def _take_submitted(self) -> None:
        while self._submitted:
            self._pending.append(self._submitted.popleft())

    def _dispatch(self, now: float) -> None:
        """The waiting mails, in order, each to the ready worker with the fewest in
        flight that has room for it; a large one reserves a worker to wait for, and
        the small ones behind it go on to the others."""
        ready = [p for p in self._places if p.worker is not None and p.worker.ready]
        for place in ready:  # reserved again below while a large mail still waits
            place.reserved = False
        skipped: list[_Job] = []
        try:
            while self._pending and ready:
                job = self._pending[0]
                if job.future.cancelled() or not _slimmed(job):
                    self._pending.popleft()
                    continue
                places = [p for p in ready if p.room_for(job)]
                if not places:
                    if not job.alone:
                        break
                    skipped.append(self._pending.popleft())
                    if not any(p.reserved for p in ready):
                        min(ready, key=lambda p: len(p.flight)).reserved = True
                    continue
                self._pending.popleft()
                if job.sent or job.future.set_running_or_notify_cancel():
                    self._send(min(places, key=lambda p: len(p.flight)), job, now)
        finally:
            # Back in order also when the turn fails: _end settles only what it finds,
            # and a large mail skipped here would leave its caller waiting for ever
            # (issue 18, review20b).
            self._pending.extendleft(reversed(skipped))
        for place in ready:
            if place.out and place.worker is not None:
                self._flush(place)

    def _send(self, place: _Place, job: _Job, now: float) -> None:
        if not place.flight:
            place.deadline = now + self.timeout  # sent to an idle worker: its clock runs
        job.sent = True
        place.flight.append(job)
        place.flight_bytes += job.size
        if job.alone:
            place.reserved, place.retiring = False, True
        frames = mail_frames(job.mail, job.hidden, job.slim or b"")
        place.out.extend(memoryview(frame) for frame in frames if frame)

    def _flush(self, place: _Place) -> None:
        worker = place.worker
        if worker is None:
            return  # lost earlier in this turn
        while place.out:
            try:
                written = os.writev(worker.fd, list(itertools.islice(place.out, _IOV_MAX)))
            except BlockingIOError:
                break
            except OSError:
                self._lost(place, "its socket broke")
                return
            while written:
                first = place.out[0]
                if written >= len(first):
                    written -= len(first)
                    place.out.popleft()
                else:
                    place.out[0], written = first[written:], 0
        wanted = bool(place.out)
        if wanted != place.writing:
            place.writing = wanted
            events = selectors.EVENT_READ | (selectors.EVENT_WRITE if wanted else 0)
            self._selector.modify(worker.fd, events, place)

    def _receive(self, place: _Place) -> None:
        """Every answer waiting in the worker's socket, in one read."""
        worker = place.worker
        if worker is None:
            return  # lost while its write was flushed in this same turn
        try:
            size = os.readv(worker.fd, [self._read_buffer])
        except BlockingIOError:
            return
        except OSError:
            size = 0
        if not size:
            self._lost(place, "it ended before it was ready")
            return
        with memoryview(self._read_buffer) as read:
            place.inbox += read[:size]
        now = _now()
        try:
            payloads = complete_frames(place.inbox)
        except ValueError as exc:  # a broken worker: its mail in work fails, as a crash
            self._lost(place, f"it wrote a broken frame ({exc})")
            return
        for payload in payloads:
            try:
                answer = pickle.loads(payload)
            except Exception as exc:  # noqa: BLE001 - as above: the worker is broken
                self._lost(place, f"it wrote an answer that does not unpickle ({exc!r})")
                return
            if not worker.ready:
                if answer is not True:
                    self._lost(place, "the parsing process answered its setup wrongly")
                    return
                worker.ready = True
                continue
            job = place.flight.popleft()
            place.flight_bytes -= job.size
            place.deadline = now + self.timeout  # the next mail's clock starts now
            _answer(job, answer)
        if place.retiring and not place.flight:
            self._drop(place)  # its heap is as large as the large mail's parse was

    def _look_at_stops(self) -> None:
        """Each caller's should_stop, once a distinct callable: a stopped caller's mails
        waiting are dropped, and a worker with one of them in flight is killed."""
        asked: dict[Callable[[], bool], bool] = {}

        def stopping(job: _Job) -> bool:
            return _stopping_caller(job.should_stop, asked)

        # Each distinct caller asked first: while none is stopping (a pass's 100-200
        # mails waiting, one caller) the queue is left as it is, not rebuilt with each
        # mail's Future asked under its lock, ~1 us a mail waiting every 0.1 s (issue
        # 18, daemon23); a cancelled one is dropped when its turn comes (_dispatch).
        callers = {job.should_stop for job in self._pending}
        if any([_stopping_caller(caller, asked) for caller in callers]):
            waiting: deque[_Job] = deque()
            for job in self._pending:
                if stopping(job):
                    _settle(job, error=PrepareStopped("stopping: the mail was not prepared"))
                elif not job.future.cancelled():
                    waiting.append(job)
            self._pending = waiting
        for place in self._places:
            # Every caller asked before the worker is dropped: a should_stop that raises
            # then fails the dispatcher with the mails still in the place, where _end
            # finds them, not in a list of this loop's (review20b).
            stops = [stopping(job) for job in place.flight]
            if any(stops):
                again = []
                for job, stopped in zip(self._drop(place), stops, strict=True):
                    if stopped:
                        error = PrepareStopped("stopping: the mail's preparation was abandoned")
                        _settle(job, error=error)
                    else:
                        again.append(job)
                self._pending.extendleft(reversed(again))

    def _look_at_clocks(self, now: float) -> None:
        for place in self._places:
            worker = place.worker
            if worker is None or now <= place.deadline:
                continue
            if not worker.ready:
                self._lost(place, f"the parsing process was not ready in {_START_SECONDS:g} s")
            elif place.flight:
                in_work, *behind = self._drop(place)
                error = PrepareFailed(f"preparing the mail took over {self.timeout:g} s")
                _settle(in_work, error=error)
                self._pending.extendleft(reversed(behind))

    def _start_workers(self, now: float) -> None:
        if not (self._start_all or self._pending):
            return
        self._start_all = False
        for place in self._places:
            if place.worker is not None:
                continue
            try:
                worker = Worker(self._setup)
            except OSError as exc:
                self._unavailable(f"a parsing process could not start: {exc}")
                continue
            place.worker, place.deadline = worker, now + _START_SECONDS
            self._selector.register(worker.fd, selectors.EVENT_READ, place)
            if worker.unsent is not None:
                self._lost(place, f"it exited before it took its setup: {worker.unsent}")

    def _lost(self, place: _Place, why: str) -> None:
        """The worker is gone (or killed for good reason): before it was ready, the
        daemon's fault; after, the mail in work failed and the rest are sent again."""
        worker = place.worker
        assert worker is not None
        # Asked before the drop, for the reason in _look_at_stops (review20b).
        stopped = bool(place.flight) and place.flight[0].should_stop()
        jobs = self._drop(place)
        if not worker.ready:
            self._unavailable(
                f"a parsing process did not start ({why}; exit code {worker.process.poll()})")
            return
        if not jobs:
            return  # died idle (killed from outside): replaced when mail waits
        in_work, *behind = jobs
        if stopped:  # killed as part of the stop, not by the mail
            _settle(in_work, error=PrepareStopped("stopping: the parsing process is gone"))
        else:
            error = PrepareFailed(f"the parsing process died (exit code {worker.process.poll()})")
            _settle(in_work, error=error)
        self._pending.extendleft(reversed(behind))

    def _drop(self, place: _Place) -> list[_Job]:
        """Kill the place's worker and empty it; the mails that were in flight there."""
        worker = place.worker
        if worker is not None:
            with contextlib.suppress(KeyError, ValueError, OSError):
                self._selector.unregister(worker.fd)
            worker.kill()
        jobs = list(place.flight)
        place.reset()
        return jobs

    def _unavailable(self, message: str) -> None:
        """No worker: the oldest mail waiting is told (the pass then fails loudly).
        Those its callers gave up (cancelled: they stay queued until their turn,
        _look_at_stops) are dropped on the way: told, they told nobody, and the mail
        behind them waited a failed start for each (review23c)."""
        while self._pending:
            job = self._pending.popleft()
            if not job.future.cancelled():
                _settle(job, error=WorkersUnavailable(message))
                return
        log.warning("%s", message)

    def _end(self, error: BaseException) -> None:
        self._finished = True
        for place in self._places:
            for job in self._drop(place):
                _settle(job, error=error)
        for job in self._pending:
            _settle(job, error=error)
        self._pending.clear()
        self._fail_submitted(error)
        self._selector.close()
        self._wake_r.close()
        self._wake_w.close()


def _stopping_caller(caller: Callable[[], bool], asked: dict[Callable[[], bool], bool]) -> bool:
    """`caller()`, asked once for all its mails (kept in `asked`)."""
    if caller not in asked:
        asked[caller] = bool(caller())
    return asked[caller]


def _slimmed(job: _Job) -> bool:
    """The job's slim copy made; False if making it failed (the caller is told)."""
    if job.slim is None:
        try:
            job.slim, job.hidden = slim_copy(job.mail.raw)
        except Exception as exc:  # noqa: BLE001 - the caller's, as prepare() raised it
            _settle(job, error=exc)
            return False
    return True


def _answer(job: _Job, answer: object) -> None:
    try:
        prepared = prepared_of(answer, job.mail)
    except Exception as exc:  # noqa: BLE001 - only a broken worker answers so
        _settle(job, error=PrepareFailed(f"the parsing process answered wrongly: {exc}"))
        return
    try:
        if job.hidden:
            prepared = identified_by(prepared, job.mail.raw)
    except Exception as exc:  # noqa: BLE001 - the caller's, as prepare() raised it
        _settle(job, error=exc)
        return
    _settle(job, result=prepared)


def _settle(job: _Job, *, result: Prepared | None = None,
            error: BaseException | None = None) -> None:
    """The job's Future done (unless its caller cancelled it while it waited)."""
    with contextlib.suppress(InvalidStateError):
        if error is not None:
            job.future.set_exception(error)
        else:
            job.future.set_result(result)  # type: ignore[arg-type]
