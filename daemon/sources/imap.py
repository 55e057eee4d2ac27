"""The support mailbox over IMAP: the production way in.

Mail is found by UID, never by \\Seen (people read the mailbox in Outlook too), and
fetched with BODY.PEEK so reading changes nothing. A batch is committed to the
database first and only then moved to the processed folder (or, on a server without
MOVE, given the $OOProcessed keyword). A crash between the two leaves the mail in the
inbox; the next pass reads it again and the pipeline sees a duplicate, so there is
no second case and no second acknowledgement. The same goes for a UIDVALIDITY change:
UIDs are only used inside one pass, identity comes from the content.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import re
import select
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from imaplib import IMAP4
from types import TracebackType
from typing import TYPE_CHECKING, Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from daemon import tls
from daemon.clock import Clock
from daemon.inbound import InboundMail, IngestResult, Outcome, Prepared
from daemon.mail import LARGE_MAIL_BYTES
from daemon.mail.spooled import SpooledMail
from daemon.ops.backoff import imap_reconnect
from daemon.pipeline import Pipeline, Settle
from daemon.settings import ImapSettings
from daemon.sources import imap_login
from daemon.sources.holds import MailHolds
from daemon.sources.imap_login import (
    CONNECTION_ERRORS,
    PROCESSED_KEYWORD,
    moves,
    signed_in,
    waiting,
)
from daemon.sources.prefetch import Held, Prefetcher
from daemon.sources.prepare_pool import (
    Prepare,
    PrepareFailed,
    PreparePool,
    PrepareStopped,
    Submit,
    WorkersUnavailable,
    in_process,
    in_threads,
)
from daemon.store import repository

if TYPE_CHECKING:  # msal and requests: ~7 MB of the daemon's memory, for XOAUTH2 only
    from daemon.oauth import TokenProvider

log = logging.getLogger(__name__)

# Fetch no more than this many bytes per round trip, so a backlog of large mails
# never sits in memory at once.
_MAX_BATCH_BYTES = 8 * 1024 * 1024
# RFC822.SIZE is asked for this many UIDs at a time, as batches are cut (_batches).
_SIZE_CHUNK = 500
# A large mail (LARGE_MAIL_BYTES) is fetched in chunks of this (see _fetch_in_chunks),
# and the other mails of a batch in FETCHes of at most this many bytes (_fetch_groups).
_FETCH_CHUNK = 1024 * 1024
_FETCH_BYTES = 1024 * 1024
# Raw mail fetched and not yet stored, at most (prefetch.py): ~3 batches of small mail,
# and a mail larger than this alone (benchmarks/backlog_memory.py, issue 18). 24 MB gave
# the same peak while a big mail was held in memory (its 27 MB set the peak); spooled,
# the small mails in flight set it, and 12 MB took the daemon's VmHWM 99.0 -> 91.8 MB.
_IN_FLIGHT_BYTES = 12 * 1024 * 1024
# Batches being prepared beyond the one being stored: enough to keep the parsing workers
# busy while a batch is stored; each holds at most _MAX_BATCH_BYTES of raw mail.
LOOKAHEAD = 1


@dataclass
class PassReport:
    created: int = 0
    threaded: int = 0
    duplicate: int = 0
    ignored: int = 0
    rejected: int = 0
    deferred: int = 0
    quarantined: int = 0

    def add(self, results: Sequence[IngestResult]) -> None:
        for result in results:
            field = {
                Outcome.CREATED: "created",
                Outcome.THREADED: "threaded",
                Outcome.DUPLICATE: "duplicate",
                Outcome.IGNORED: "ignored",
                Outcome.REJECTED: "rejected",
                Outcome.DEFERRED: "deferred",
                Outcome.QUARANTINED: "quarantined",
            }[result.outcome]
            setattr(self, field, getattr(self, field) + 1)

    @property
    def total(self) -> int:
        return sum(vars(self).values())


class ImapSource:
    def __init__(
        self,
        settings: ImapSettings,
        engine: Engine,
        pipeline: Pipeline,
        clock: Clock,
        on_committed: Callable[[], None] = lambda: None,
        server_time: bool = True,
        tokens: TokenProvider | None = None,
    ) -> None:
        self.settings = settings
        self.server_time = server_time
        self.tokens = tokens  # the sign-in token for auth = "xoauth2"
        self.engine = engine
        self.pipeline = pipeline
        self.clock = clock
        self.on_committed = on_committed
        self.client: IMAPClient | None = None
        self._can_move = False
        # Set by the composition root: `beat` whenever the loop gets round (health,
        # watchdog), `on_pass` after each pass that completed (metrics).
        self.beat: Callable[[], None] = lambda: None
        self.on_pass: Callable[[PassReport], None] = lambda report: None
        # How each mail is prepared without worker processes: here, in one thread beside
        # the pass (a test may put another in its place).
        self.prepare: Prepare = in_process(pipeline)
        # The worker processes' way to begin mails (use_pool): handed to their
        # dispatcher straight from the pass thread, no thread a mail waits in, and
        # failed or given up on there when the daemon stops; None: `prepare`.
        self.submit: Submit | None = None
        # Set by a one-shot command: starts the worker processes and returns their pool;
        # called by a pass that finds a backlog of POOL_BACKLOG mails or more.
        self.start_pool: Callable[[], PreparePool] | None = None
        self._stopping: Callable[[], bool] = lambda: False  # the running loop's stop

    def use_pool(self, pool: PreparePool) -> None:
        """Prepare in `pool`'s worker processes from now on."""
        self.submit = pool.submit

    # -- connection --------------------------------------------------------

    def connect(self, client: IMAPClient | None = None) -> IMAPClient:
        """Sign in (or take `client`, a session signed in with imap_login.signed_in),
        and make the folders mail is moved to."""
        s = self.settings
        client = client or signed_in(s, self.tokens)
        self._can_move = moves(s, client)
        folders = (s.processed_folder, s.ignored_folder, s.quarantine_folder)
        for folder in folders if self._can_move else ():
            if folder:
                _ensure_folder(client, folder)
        self.client = client
        return client

    def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(*CONNECTION_ERRORS):
                self.client.logout()
            self.client = None

    # -- one pass ----------------------------------------------------------

    def _start_pool(self) -> None:
        if self.start_pool is not None:
            self.use_pool(self.start_pool())
            self.start_pool = None

    def poll_once(
        self,
        should_stop: Callable[[], bool] = lambda: False,
        on_progress: Callable[[int, int], None] = lambda done, total: None,
    ) -> PassReport:
        """Ingest everything waiting in the folder; stops between batches if asked.

        `on_progress(done, total)` is called once the folder is searched and after each
        batch, so a CLI can show how far a large backlog has come.

        The batches flow through three stages at once (see _Pass): fetched ahead by a
        thread (daemon/sources/prefetch.py), prepared by the worker processes (or `prepare`), and
        stored and moved here, one batch after the other, each committed before its move.
        """
        client = self.client or self.connect()
        folder = self.settings.folder
        selected = client.select_folder(folder)
        uidvalidity = int(selected[b"UIDVALIDITY"])
        self._note_uidvalidity(folder, uidvalidity)
        _mail_announced(client)  # from here on, an announcement is of mail after the search
        uids = sorted(client.search(waiting(self._can_move)))
        report = PassReport()
        on_progress(0, len(uids))
        if not uids:
            return report
        if len(uids) >= imap_login.POOL_BACKLOG:
            self._start_pool()
        lock = threading.Lock()
        sizes: dict[int, int] = {}

        def size_up(chunk: list[int]) -> None:
            with lock:
                sizes.update(_sizes(client.fetch(chunk, ["RFC822.SIZE"])))

        def fetch(batch: list[int]) -> list[InboundMail]:
            return self._fetch_batch(client, folder, uidvalidity, batch, sizes)

        # The sizes are asked a chunk at a time by the fetching thread, as its batches
        # are cut: asked for the whole backlog up front, they were a pause before any
        # mail was fetched, parsed or stored (imapclient reads each answer in Python).
        batches = (
            (batch, sum(sizes.get(uid, 0) for uid in batch))
            for batch in _batches(uids, sizes, self.settings.batch_size, size_up)
        )
        with (
            Prefetcher(fetch, batches, lock, _IN_FLIGHT_BYTES) as ahead,
            _Pass(self, f"imap:{folder}", uidvalidity) as stages,
        ):
            done = 0
            for mails in stages.flow(ahead, should_stop):
                self.beat()  # a backlog of thousands is one long pass: still alive
                results = stages.finish_head()
                self.on_committed()
                with lock:
                    self._move(client, mails, results)
                report.add(results)
                done += len(mails)
                on_progress(done, len(uids))
                # The head's bytes are released to the budget when the flow resumes:
                # not held here meanwhile.
                del mails, results
        log.info(
            "imap pass folder=%s %s", folder, " ".join(f"{k}={v}" for k, v in vars(report).items())
        )
        return report

    def _fetch_batch(
        self,
        client: IMAPClient,
        folder: str,
        uidvalidity: int,
        uids: list[int],
        sizes: dict[int, int],
    ) -> list[InboundMail]:
        big = {uid for uid in uids if sizes.get(uid, 0) >= LARGE_MAIL_BYTES}
        fetched: dict[int, dict[bytes, Any]] = {}
        # A FETCH costs imaplib and imapclient ~3 times its answer for a moment, and the
        # heap keeps that high-water mark: a batch is asked _FETCH_BYTES at a time.
        for group in _fetch_groups([u for u in uids if u not in big], sizes, _FETCH_BYTES):
            _merge_fetched(fetched, client.fetch(group, ["BODY.PEEK[]", "INTERNALDATE"]))
        if big:
            _merge_fetched(fetched, client.fetch(sorted(big), ["INTERNALDATE"]))
        now = self.clock()
        mails = []
        for uid in uids:
            data = fetched.get(uid)
            raw = _fetch_in_chunks(client, uid) if uid in big else (data or {}).get(b"BODY[]")
            if data is None or raw is None:
                continue  # expunged by someone else meanwhile
            mails.append(
                InboundMail(
                    raw=raw,
                    source=f"imap:{folder}",
                    received_at=_arrival(data.get(b"INTERNALDATE"), now, self.server_time),
                    uidvalidity=uidvalidity,
                    uid=uid,
                )
            )
        return mails

    def _move(
        self, client: IMAPClient, mails: list[InboundMail], results: list[IngestResult]
    ) -> None:
        """Only after the commit: a crash before this means a re-read, not a loss."""
        # A deferred mail stays in the folder, to be tried again on the next pass.
        destinations: dict[str, list[int]] = {}
        for mail, result in zip(mails, results, strict=True):
            if mail.uid is not None and result.outcome is not Outcome.DEFERRED:
                destinations.setdefault(self._destination(result.outcome), []).append(mail.uid)
        if not self._can_move:
            for uids in destinations.values():
                client.add_flags(uids, [PROCESSED_KEYWORD])  # a keyword twice is once
            return
        if not destinations:
            return
        with self._turn_to_move():
            for destination, uids in destinations.items():
                _move_left(client, uids, destination)

    @contextlib.contextmanager
    def _turn_to_move(self) -> Iterator[None]:
        """Another daemon on this mailbox and database may be moving the same mails
        right now: the moves are taken in turn, or Dovecot copies them twice
        (repository.take_turn_to_move). A transaction a batch, on PostgreSQL only."""
        if self.engine.dialect.name != "postgresql":
            yield
            return
        s = self.settings
        with self.engine.begin() as conn:
            repository.take_turn_to_move(conn, f"{s.username}\0{s.folder}")
            yield

    def _destination(self, outcome: Outcome) -> str:
        s = self.settings
        if outcome is Outcome.IGNORED and s.ignored_folder:
            return s.ignored_folder
        if outcome is Outcome.QUARANTINED and s.quarantine_folder:
            return s.quarantine_folder
        return s.processed_folder

    def _ingest_counted(
        self, source: str, uidvalidity: int, mails: list[InboundMail]
    ) -> list[IngestResult]:
        """Ingest `mails` one at a time, never-tried ones first, each counted just
        before its turn: the mails behind a poison one flow, and only its counter rises
        until `max_attempts` quarantines it. (For a batch some mail of which was tried
        before and not stored since: it failed or killed the pass that took it up.)
        """
        with self.engine.connect() as conn:
            before = repository.attempts_of(conn, source, uidvalidity, [_uid(m) for m in mails])
        by_uid: dict[int, IngestResult] = {}
        with ThreadPoolExecutor(1, thread_name_prefix="prepare") as executor:
            submit = self.submit or in_threads(executor, self.prepare)

            def preparing(fresh: list[InboundMail]) -> list[Future[Prepared]]:
                return [submit(m, self._should_stop) for m in fresh]

            for mail in sorted(mails, key=lambda m: before.get(_uid(m), 0)):
                tried = self._count(source, uidvalidity, [mail])
                by_uid |= self._settle(
                    source,
                    uidvalidity,
                    [mail],
                    functools.partial(
                        self._quarantine_or_ingest, [mail], tried, source, preparing
                    ),
                )
        return [by_uid[_uid(mail)] for mail in mails]

    def _count(
        self, source: str, uidvalidity: int, mails: list[InboundMail]
    ) -> dict[int, repository.Attempts]:
        """One more try for each of `mails`, committed before they are processed: a
        crash or a hang still counts."""
        with self.engine.begin() as conn:
            return repository.count_attempts(
                conn, source, uidvalidity, [_uid(m) for m in mails], self.clock()
            )

    def _uncount(self, source: str, uidvalidity: int, mails: list[InboundMail]) -> None:
        """Give the tries back (not the mails' fault), if the database is there."""
        with contextlib.suppress(Exception), self.engine.begin() as conn:
            repository.uncount_attempts(conn, source, uidvalidity, [_uid(m) for m in mails])

    def _settle(
        self,
        source: str,
        uidvalidity: int,
        mails: list[InboundMail],
        ingest: Callable[[SettleTries], dict[int, IngestResult]],
    ) -> dict[int, IngestResult]:
        """Run `ingest` for counted `mails`: why deferred ones failed is noted and the
        tries of the others (stored or quarantined) are forgotten, by the `settle` it is
        given, in the transaction that stores them; what it did not settle so (mails that
        no transaction stored: their preparation failed), in a transaction after.

        The tries were committed before the mails were prepared (_Pass._begin, _count),
        and that stays so: a mail that kills or hangs the daemon in its preparation or in
        the storing is still counted. Forgotten in the commit that stores the mails, the
        tries go exactly when the mails are stored; forgotten in a transaction of their
        own after it, as before, a crash between the two commits left the tries of
        stored mails behind (the next pass took them one at a time, as duplicates), and
        each batch paid a transaction more: a pool checkout and its ping, BEGIN, the
        DELETE and a commit (issue 18, benchmarks/README.md pass20)."""
        settled: set[int] = set()

        def settle(conn: Connection, results: dict[int, IngestResult]) -> None:
            _settle_tries(conn, source, uidvalidity, results)
            settled.update(results)

        try:
            results = ingest(settle)
        except (OperationalError, InterfaceError, PrepareStopped, WorkersUnavailable):
            # The database went away, the daemon is stopping, or no parsing process
            # would start: not the mail's fault.
            self._uncount(source, uidvalidity, mails)
            raise
        rest = {uid: result for uid, result in results.items() if uid not in settled}
        if rest:
            with self.engine.begin() as conn:
                _settle_tries(conn, source, uidvalidity, rest)
        return results

    def _quarantine_or_ingest(
        self,
        mails: list[InboundMail],
        tried: dict[int, repository.Attempts],
        source: str,
        preparing: Callable[[list[InboundMail]], list[Future[Prepared]]],
        settle: SettleTries,
    ) -> dict[int, IngestResult]:
        """`preparing(fresh)`: the preparation of each mail under its limit, in order
        (begun then, or earlier, while the batch before was stored); `settle`: see
        _settle, called in each transaction that stores some of `mails`."""
        limit = self.settings.max_attempts
        spent = [m for m in mails if tried[_uid(m)].count >= limit]
        fresh = [m for m in mails if tried[_uid(m)].count < limit]
        results: dict[int, IngestResult] = {}
        if spent:
            held = [(m, _quarantine_reason(tried[_uid(m)])) for m in spent]
            log.warning(
                "quarantining uids=%s of %s after %s tries", [_uid(m) for m in spent], source, limit
            )
            kept = self.pipeline.quarantine(self.engine, held, _by_uid(spent, settle))
            for mail, result in zip(spent, kept, strict=True):
                results[_uid(mail)] = result
        if fresh:
            prepared: list[Prepared] = []
            failed: dict[int, IngestResult] = {}
            futures = preparing(fresh)
            # All of them before any is looked at (the batch is stored as one anyway):
            # the pass thread is woken once for the batch, not once a mail, each a
            # take of the GIL from the dispatcher feeding the workers (issue 18, feed20).
            # A failure ends the wait at once (a stop, no workers: raised below as before).
            wait(futures, return_when=FIRST_EXCEPTION)
            for mail, future in zip(fresh, futures, strict=True):
                try:
                    prepared.append(future.result())
                except PrepareFailed as exc:
                    # A failed try: the mail stays in the folder, the reason is noted,
                    # and after max_attempts it is quarantined (the others go in now).
                    log.warning("mail not prepared source=%s uid=%s: %s", source, mail.uid, exc)
                    failed[_uid(mail)] = IngestResult(Outcome.DEFERRED, reason=str(exc))
            results |= failed
            if prepared:
                # The failed ones' reasons are noted in the same transaction too.
                stored = self.pipeline.ingest_prepared(
                    self.engine,
                    prepared,
                    _by_uid([item.mail for item in prepared], settle, failed),
                )
                for item, result in zip(prepared, stored, strict=True):
                    results[_uid(item.mail)] = result
        return results

    def _should_stop(self) -> bool:
        """True once the daemon stops; asked while a mail is prepared, so it beats too."""
        self.beat()
        return self._stopping()

    def _note_uidvalidity(self, folder: str, uidvalidity: int) -> None:
        with self.engine.begin() as conn:
            state = repository.mailbox_state_of(conn, folder)
            if state is not None and state.uidvalidity != uidvalidity:
                log.warning(
                    "UIDVALIDITY changed folder=%s old=%s new=%s: re-reading the folder,"
                    " duplicates are recognised by content",
                    folder,
                    state.uidvalidity,
                    uidvalidity,
                )
            if state is None or state.uidvalidity != uidvalidity:
                repository.save_mailbox_state(conn, folder, uidvalidity, self.clock())

    # -- the long-running loop -----------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Poll, then IDLE (or sleep) until new mail; on any failure, back off and retry.

        This thread is the mailbox: it must not end while the daemon runs, so every
        error (server gone, database gone, a bug) is logged and retried with backoff
        (daemon/ops/backoff.py).
        """
        backoff = imap_reconnect()
        self._stopping = stop.is_set
        while not stop.is_set():
            try:
                # Mail that arrives during a pass is announced in the answers to the
                # pass's own commands, which imapclient drops: so pass again while a
                # pass moved mail out, and only then wait. Deferred mail stays in the
                # folder; it is tried again after the wait, not in a tight loop.
                while not stop.is_set():
                    report = self.poll_once(should_stop=stop.is_set)
                    self.beat()
                    self.on_pass(report)
                    if report.total - report.deferred == 0:
                        break
                backoff.reset()
                self._wait_for_mail(stop)
            except PrepareStopped:
                break  # the batch in hand is left in the folder, its tries given back
            except Exception as exc:  # noqa: BLE001 - see the docstring
                self.close()
                expected = isinstance(exc, (*CONNECTION_ERRORS, OperationalError))
                # A refused certificate is retried too (it may be fixed on the server),
                # but it will not pass by itself: an error for the operator, no traceback.
                needs_operator = not expected or isinstance(exc, tls.TlsError)
                delay = backoff.next()
                log.log(
                    logging.ERROR if needs_operator else logging.WARNING,
                    "imap loop error, retrying in %.0fs: %s",
                    delay,
                    exc,
                    exc_info=not expected,
                )
                self._wait_beating(stop, delay)  # backing off is not being stuck
        self.close()

    def _wait_beating(self, stop: threading.Event, seconds: float) -> None:
        """stop.wait(seconds), beating every second: waiting is not being stuck."""
        deadline = time.monotonic() + seconds
        while not stop.is_set() and time.monotonic() < deadline:
            self.beat()
            stop.wait(min(1.0, max(0.0, deadline - time.monotonic())))

    def _wait_for_mail(self, stop: threading.Event) -> None:
        client = self.client
        if client is None or _mail_announced(client):
            return  # mail came after the pass's search: pass again, do not wait
        if not (self.settings.idle and client.has_capability("IDLE")):
            self._wait_beating(stop, self.settings.poll_interval)
            return
        server = f"{self.settings.host}:{self.settings.port}"
        line_limit = self.settings.timeout
        _begin_idle(client, line_limit, server)
        try:
            if _mail_announced(client):
                return  # announced as IDLE began, before the server's "+ idling"
            # Never longer than poll_interval: a notice lost anyway (a race with the
            # last pass) delays a mail by at most that, not by a whole IDLE period.
            wait = min(self.settings.idle_timeout, self.settings.poll_interval)
            deadline = time.monotonic() + wait
            # Short checks so a SIGTERM is noticed within a second.
            while not stop.is_set() and time.monotonic() < deadline:
                self.beat()
                lines = _idle_lines(client, 1.0, line_limit, server)
                if any(_says_bye(line) for line in lines):
                    raise ConnectionError("server ended the IDLE session (BYE)")
                if any(_announces_mail(line) for line in lines):
                    return
        finally:
            _end_idle(client, line_limit, server)


@dataclass
class _Begun:
    """A batch whose preparation has begun; None: some mail of it was tried before, and
    it goes one mail at a time (ImapSource._ingest_counted). `mails`: those of the batch
    as fetched (`fetched`) that this pass took up (MailHolds), the others being
    another daemon's."""

    fetched: list[InboundMail]
    mails: list[InboundMail]
    preparing: list[Future[Prepared]] | None = None
    tried: dict[int, repository.Attempts] = field(default_factory=dict)


class _Pass:
    """The batches of one pass in their stages: up to LOOKAHEAD batches counted and
    being prepared ahead of the one being stored (the head).

    A batch's tries are counted (and committed) before its preparation begins, as for
    one batch alone; so a crash while the head is stored also counts a try against the
    batches begun behind it. That costs them one try, never a loss: their next pass
    sees the tries and takes them one at a time, never-tried mail first.

    A mail is counted and prepared only by the pass that took it up (MailHolds), from
    its begin until it is stored (or, left in the folder, until the pass ends): another
    daemon's pass that meets it meanwhile leaves it alone, and counts no try the mail
    did not fail.
    """

    def __init__(self, source: ImapSource, name: str, uidvalidity: int) -> None:
        self.source = source
        self.name = name
        self.uidvalidity = uidvalidity
        self._holds = MailHolds(source.engine, name, uidvalidity)
        # The pool's dispatcher takes the mails itself (feed20); `prepare` alone (in
        # process, or patched by a test) is run in one thread beside the pass.
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="prepare")
        self._submit = source.submit or in_threads(self._executor, source.prepare)
        self._begun: deque[_Begun] = deque()

    def __enter__(self) -> _Pass:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        # Batches begun and not stored (a stop, a failure): preparation dropped, tries
        # given back; the mails stay in the folder for the next pass.
        for begun in self._begun:
            for future in begun.preparing or ():
                future.cancel()
            if begun.preparing is not None:
                self.source._uncount(self.name, self.uidvalidity, begun.mails)
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._holds.close()  # after the tries are given back: no other daemon counts first

    def flow(
        self, ahead: Prefetcher, should_stop: Callable[[], bool]
    ) -> Iterator[list[InboundMail]]:
        """The mails of each batch in turn, the head, whose finish_head() is due next;
        each head's bytes are released to `ahead`'s budget once it is finished."""
        exhausted = False
        while True:
            while not exhausted and len(self._begun) <= LOOKAHEAD:
                if should_stop():
                    return
                # With a head in hand the lookahead is taken only if the budget lets
                # it be fetched (else HELD): storing the head is what releases bytes.
                mails = ahead.take(needed=not self._begun)
                if isinstance(mails, Held):
                    break
                if mails is None:
                    exhausted = True
                elif mails and (begun := self._begin(mails)).mails:
                    self._begun.append(begun)
                else:  # every mail expunged by someone else meanwhile, or being taken up
                    ahead.release(mails)
            if not self._begun or should_stop():
                return
            head = self._begun[0]
            yield head.mails
            ahead.release(head.fetched)
            del head

    def finish_head(self) -> list[IngestResult]:
        """Store the head batch (committed on return), in the order of its mails."""
        head = self._begun.popleft()
        source, name, uidvalidity = self.source, self.name, self.uidvalidity
        if head.preparing is None:
            return source._ingest_counted(name, uidvalidity, head.mails)
        preparing = head.preparing
        by_uid = source._settle(
            name,
            uidvalidity,
            head.mails,
            lambda settle: source._quarantine_or_ingest(
                head.mails, head.tried, name, lambda _fresh: preparing, settle
            ),
        )
        return [by_uid[_uid(mail)] for mail in head.mails]

    def _begin(self, mails: list[InboundMail]) -> _Begun:
        source = self.source
        fetched = mails
        # Taken up, looked up and counted in one transaction (a round trip and a pool
        # checkout fewer a batch than apart), committed before the preparation begins.
        with self._holds.transaction() as conn:
            uids = self._holds.take_up(conn, [_uid(m) for m in fetched], source.clock())
            if len(uids) < len(fetched):
                log.debug("imap uids=%s of %s: being taken up by another daemon",
                          sorted({_uid(m) for m in fetched} - set(uids)), self.name)
                taken = set(uids)
                mails = [m for m in fetched if _uid(m) in taken]
            if not uids:
                return _Begun(fetched, [])
            if repository.attempts_of(conn, self.name, self.uidvalidity, uids):
                return _Begun(fetched, mails)
            tried = repository.count_attempts(
                conn, self.name, self.uidvalidity, uids, source.clock(), untried=True
            )
        submit = self._submit
        preparing = [submit(mail, source._should_stop) for mail in mails]
        return _Begun(fetched, mails, preparing, tried)


# Notes why deferred mails failed and forgets the others' tries, in the caller's
# transaction (ImapSource._settle): UID -> result.
SettleTries = Callable[[Connection, dict[int, IngestResult]], None]


def _settle_tries(
    conn: Connection, source: str, uidvalidity: int, results: dict[int, IngestResult]
) -> None:
    """A deferred mail's reason noted on its try; the tries of the others (stored or
    quarantined) forgotten: they no longer matter."""
    for uid, result in results.items():
        if result.outcome is Outcome.DEFERRED:
            repository.note_attempt_error(
                conn, source, uidvalidity, uid, result.reason or "deferred"
            )
    done = [uid for uid, r in results.items() if r.outcome is not Outcome.DEFERRED]
    repository.forget_attempts(conn, source, uidvalidity, done)


def _by_uid(
    mails: list[InboundMail],
    settle: SettleTries,
    also: dict[int, IngestResult] | None = None,
) -> Settle:
    """`settle` for a pipeline that gives the results of `mails` in their order
    (Pipeline.ingest_prepared, quarantine), with `also` settled in the same call."""

    def settle_stored(conn: Connection, results: list[IngestResult]) -> None:
        by_uid = {_uid(mail): result for mail, result in zip(mails, results, strict=True)}
        settle(conn, (also or {}) | by_uid)

    return settle_stored


def _move_left(client: IMAPClient, uids: list[int], destination: str) -> None:
    """MOVE `uids`; those another session (a second daemon on the mailbox) moved away
    meanwhile are not an error: Dovecot answers NO [EXPUNGEISSUED] and moves the rest,
    or not, so the move is asked once more and then left to the next pass."""
    for last_try in (False, True):
        try:
            client.move(uids, destination)
            return
        except IMAP4.error as exc:
            if "EXPUNGEISSUED" not in str(exc):
                raise
            log.info("imap move: some mails were moved by another session: %s", exc)
            if last_try:
                return


def _says_bye(line: bytes) -> bool:
    return line[:5].upper() == b"* BYE"


def _begin_idle(client: IMAPClient, line_limit: float, server: str) -> None:
    """Send IDLE (RFC 2177) and read up to the server's "+" continuation.

    A server may send untagged data at any time (RFC 3501 7), so "* 4 EXISTS" may come
    before the "+". imapclient's idle() takes the first line for the "+" and raised
    "Unexpected IDLE response": the session dropped and signed in again after a backoff,
    with an error, and the mail waited that long (idle23). Read here, imaplib keeps such
    an answer (an EXISTS for _mail_announced, which ends the wait at once); a BYE, or
    the command refused, is an error. Each line within `line_limit` (_whole_lines)."""
    imap = client._imap  # noqa: SLF001 - imaplib's command and reader, as idle() uses them
    with _whole_lines(client, line_limit, server) as next_line:
        tag = imap._command("IDLE")  # noqa: SLF001
        while imap._get_response() is not None:  # noqa: SLF001 - None: the continuation
            next_line()
            if imap.tagged_commands.get(tag):
                raise IMAPClientError(f"IDLE refused: {imap.tagged_commands.pop(tag)}")
            if "BYE" in imap.untagged_responses:
                raise ConnectionError(f"imap server {server} ended the session (BYE)")
    client._idle_tag = tag  # noqa: SLF001 - for idle_done(), as idle() sets it


class _NoWholeLine(ConnectionError):
    """The server sent no whole line in time (_whole_lines)."""


@contextlib.contextmanager
def _whole_lines(client: IMAPClient, seconds: float, server: str) -> Iterator[Callable[[], None]]:
    """Each line read meanwhile must come whole within `seconds` (the block calls the
    callable it is given as a line begins), else the connection is shut down and
    _NoWholeLine, naming `server`, raised.

    imaplib waits for a line's end with the socket's timeout a read: a server that
    trickled a byte every few seconds and never ended the line held the IDLE wait,
    which beat no more, until the watchdog restarted the daemon (idle23). One thread a
    block watches the deadline and shuts the socket down (the plain socket's shutdown,
    also under TLS: the reading thread's TLS state is not touched), and the blocked
    read ends at once with an EOF."""
    sock = client.socket()
    watch = threading.Condition()
    deadline = [time.monotonic() + seconds]  # [] once the block ended
    expired = threading.Event()

    def next_line() -> None:
        with watch:
            deadline[0] = time.monotonic() + seconds

    def watching() -> None:
        with watch:
            while deadline and (left := deadline[0] - time.monotonic()) > 0:
                watch.wait(left)
            if deadline:
                expired.set()
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)

    watcher = threading.Thread(target=watching, name="imap-line-deadline", daemon=True)
    watcher.start()
    try:
        yield next_line
    except Exception as exc:
        if expired.is_set():
            raise _NoWholeLine(_no_whole_line(server, seconds)) from exc
        raise
    finally:
        with watch:
            deadline.clear()
            watch.notify()
        watcher.join()
    if expired.is_set():
        raise _NoWholeLine(_no_whole_line(server, seconds))


def _end_idle(client: IMAPClient, line_limit: float, server: str) -> None:
    """DONE, and the server's answers up to its OK, within `line_limit` (_whole_lines).
    A connection already lost is not this one's error (the next pass reports it)."""
    try:
        with _whole_lines(client, line_limit, server):
            client.idle_done()
    except _NoWholeLine:
        raise
    except CONNECTION_ERRORS:
        pass


def _no_whole_line(server: str, seconds: float) -> str:
    return (
        f"imap server {server} sent no whole line within {seconds:g} s in IDLE:"
        " the session is dropped and signed in again"
    )


def _idle_lines(
    client: IMAPClient, timeout: float, line_limit: float = 30.0, server: str = "the server"
) -> list[bytes]:
    """What the server said in IDLE within `timeout` seconds, in whole lines.

    A line is read whole, waiting for its rest (for `line_limit` seconds at most,
    _whole_lines): a slow network delivers a line in two parts, and imapclient's
    idle_check, which reads without waiting, ends in an error at the first part
    ("unterminated line", its issue 519; seen with Dovecot and an Outlook user changing
    flags) and so did our wait: the session dropped and logged in again. What imaplib
    or the TLS layer already read is looked at first (_read_ahead: "+ idling" and an
    EXISTS come in one packet). A closed connection is an error, as a BYE is."""
    if not _read_ahead(client):
        if not _readable(client.socket(), timeout):
            return []
        if not _read_ahead(client):
            if _at_eof(client):
                raise ConnectionError("server closed the connection during IDLE")
            return []  # TLS bytes that are no text yet: the rest of a record comes
    imap = client._imap  # noqa: SLF001 - see _read_ahead
    lines = []
    with _whole_lines(client, line_limit, server) as next_line:
        while True:
            next_line()
            line = imap._get_line()  # noqa: SLF001 - imaplib's reader: waits for the line's end
            lines.append(line)
            literal = _LITERAL_AT_END.search(line)
            if literal:  # a string sent as a literal: its bytes are no line of their own
                imap.read(int(literal.group(1)))
            elif not _read_ahead(client):
                return lines


_LITERAL_AT_END = re.compile(rb"\{(\d+)\}\Z")  # imaplib gives lines without their CRLF


def _readable(sock: socket.socket, timeout: float) -> bool:
    """Has `sock` something to read (or an EOF) within `timeout` seconds?"""
    poller = select.poll()  # not select(): a descriptor above 1,024 is fine
    poller.register(sock.fileno(), select.POLLIN)
    return bool(poller.poll(timeout * 1000))


def _at_eof(client: IMAPClient) -> bool:
    sock = client.socket()
    timeout = sock.gettimeout()
    try:
        sock.setblocking(False)
        # The plain socket's recv, also under TLS: a peek at the raw bytes consumes nothing.
        return socket.socket.recv(sock, 1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.settimeout(timeout)


def _read_ahead(client: IMAPClient) -> bool:
    """Are there bytes from the server that imaplib has read but not yet handed out?

    imaplib reads the socket through a buffer, a whole packet at a time. When a mail
    arrives just before IDLE, Dovecot's "+ idling" and "* n EXISTS" come in one packet:
    reading the first line for `idle()` takes both, and a wait that polls the socket
    never sees the second. Under TLS the same holds for bytes the
    TLS layer has decrypted and not yet given to that buffer. Peeking can read the
    socket once, never blocking: what it reads stays buffered for the next reader.
    """
    imap = client._imap  # noqa: SLF001 - imaplib's reader, which imapclient does not expose
    sock = client.socket()
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True
    # Python 3.14's imaplib reads the socket into a buffer of its own and leaves `file`
    # unused (its reads would then hide the EXISTS just as 3.11's BufferedReader does).
    # The buffer is a list of chunks, and a line that ends its chunk leaves b"" at its
    # head: [b""] holds nothing (taken for something, the wait read a line not coming).
    own_buffer: list[bytes] | None = imap.__dict__.get("_readbuf")
    if own_buffer is not None and any(own_buffer):
        return True
    reader = None if own_buffer is not None else getattr(imap, "file", None)
    if own_buffer is None and not isinstance(reader, io.BufferedReader):
        return False
    timeout = sock.gettimeout()
    try:
        sock.setblocking(False)
        if isinstance(reader, io.BufferedReader):
            return bool(reader.peek(1))
        # As peek does: what the socket holds now goes to the end of imaplib's buffer,
        # where its own reader would have put it (over TLS: the decrypted text, if any).
        chunk = sock.recv(io.DEFAULT_BUFFER_SIZE)
        if chunk and own_buffer is not None:
            own_buffer.append(chunk)
        return bool(chunk)
    except (BlockingIOError, ssl.SSLWantReadError):
        return False
    except OSError:
        return False  # a broken connection: _idle_lines and _at_eof report it
    finally:
        sock.settimeout(timeout)


def _mail_announced(client: IMAPClient) -> bool:
    """Did the server announce new mail (EXISTS, RECENT) in the answers to our own
    commands since the last call? imaplib keeps such untagged answers and imapclient
    hands them to nobody, so a mail arriving between a pass's search and IDLE would
    otherwise wait a whole poll_interval. Taking them also forgets them."""
    kept = client._imap.untagged_responses  # noqa: SLF001 - see the docstring
    return bool(kept.pop("EXISTS", None)) | bool(kept.pop("RECENT", None))


def _announces_mail(line: bytes) -> bool:
    """Is `line` an EXISTS or RECENT (new mail), "* 12 EXISTS"?"""
    words = line.split()
    return len(words) == 3 and words[0] == b"*" and words[2].upper() in (b"EXISTS", b"RECENT")


def _arrival(internaldate: object, now: datetime, server_time: bool) -> datetime:
    """When the mail arrived: SLA clocks start then (BR-11).

    In service, that is the server's INTERNALDATE, so mail that waited out a daemon
    outage keeps its real arrival time; never later than now (a server clock ahead of
    ours). With a fixed clock (`--now`), the mail arrives "now", as the command says.
    """
    if server_time and isinstance(internaldate, datetime):
        return min(internaldate.astimezone(UTC), now)
    return now


def _uid(mail: InboundMail) -> int:
    assert mail.uid is not None  # every mail from the mailbox has one
    return mail.uid


def _quarantine_reason(tried: repository.Attempts) -> str:
    why = tried.last_error or "processing never finished (the daemon crashed, hung or was stopped)"
    return f"quarantined after {tried.count} tries: {why}"


def _sizes(fetched: dict[int, dict[bytes, object]]) -> dict[int, int]:
    """Each UID's RFC822.SIZE (0 if the server gave none), as plain ints: imapclient's
    answer, a dict of two entries per mail, held through a pass of 10,000 mails was
    ~3 MB of the daemon's memory more (issue 18)."""
    sizes = {}
    for uid, data in fetched.items():
        size = data.get(b"RFC822.SIZE", 0)
        sizes[uid] = size if isinstance(size, int) else 0
    return sizes


def _fetch_in_chunks(client: IMAPClient, uid: int) -> SpooledMail | bytes | None:
    """A big mail in partial fetches (BODY.PEEK[]<offset.length>, RFC 3501 6.4.5),
    each written to a temporary file as it comes (daemon/mail/spooled.py).

    One FETCH of a 27 MB literal costs imaplib and imapclient three copies of it at
    once (+84 MB, measured); in chunks the peak is the mail and one chunk, and spooled
    one chunk: the mail held in memory from its FETCH to its commit sat on top of the
    small mails' working set, and the daemon's peak was that sum (issue 18,
    benchmarks/backlog_memory.py). A crash meanwhile loses only the file, which is
    unnamed: the mail stays in the mailbox until its row is committed.

    When the temporary directory cannot take the file (full, not writable), the mail
    is held in memory as before spooling: an OSError here would pass for a broken
    connection, and every pass would stop at this mail, the mail behind it waiting too.
    """
    spooled = _new_spool(uid)
    try:
        return _fetch_chunks_into(client, uid, spooled)
    except BaseException:
        # A connection lost half way: the pass tries the mail again later; its half
        # file goes now, not when the collector comes by.
        if spooled is not None:
            spooled.close()
        raise


def _fetch_chunks_into(
    client: IMAPClient, uid: int, spooled: SpooledMail | None
) -> SpooledMail | bytes | None:
    """_fetch_in_chunks' loop: into `spooled`, or into memory once it cannot take more."""
    buffer = io.BytesIO()  # the mail, when it cannot be spooled; getvalue() copies nothing
    while True:
        fetched = len(spooled) if spooled is not None else buffer.tell()
        answer = client.fetch([uid], [f"BODY.PEEK[]<{fetched}.{_FETCH_CHUNK}>"]).get(uid)
        if answer is None:
            if spooled is not None:
                spooled.close()
            return None  # expunged meanwhile
        chunk = next((v for k, v in answer.items() if k.startswith(b"BODY[]")), None)
        if not isinstance(chunk, bytes):
            if fetched:
                return spooled if spooled is not None else buffer.getvalue()
            if spooled is not None:
                spooled.close()
            return None
        if spooled is not None:
            try:
                spooled.append(chunk)
            except OSError as exc:
                log.warning("large mail uid=%s held in memory, not spooled: %s", uid, exc)
                buffer.write(spooled.read_at(0, len(spooled)))  # what was written whole
                spooled.close()
                spooled = None
        if spooled is None:
            buffer.write(chunk)
        if len(chunk) < _FETCH_CHUNK:
            return spooled if spooled is not None else buffer.getvalue()
        del answer, chunk  # not held while the next chunk is fetched


def _new_spool(uid: int) -> SpooledMail | None:
    """A temporary file for a large mail, or None (held in memory) if none can be made."""
    try:
        return SpooledMail()
    except OSError as exc:
        log.warning("large mail uid=%s held in memory, not spooled: %s", uid, exc)
        return None


def _merge_fetched(
    fetched: dict[int, dict[bytes, Any]], answer: dict[int, dict[bytes, Any]]
) -> None:
    """One FETCH's answer added to those before, item by item. An answer also holds the
    unsolicited FETCH responses the server sent meanwhile (RFC 3501 7.4.2: another
    client set \\Seen on a mail of an earlier group: "UID 5 FLAGS (...)"); replacing a
    mail's items with those dropped its body, and the mail was passed over as expunged."""
    for uid, items in answer.items():
        fetched.setdefault(uid, {}).update(items)


def _fetch_groups(uids: list[int], sizes: dict[int, int], limit: int) -> Iterator[list[int]]:
    """`uids` in order, cut into runs of at most `limit` bytes (a larger mail alone)."""
    return _batches(uids, sizes, max_count=len(uids), max_bytes=limit)


def _batches(
    uids: list[int],
    sizes: dict[int, int],
    max_count: int,
    size_up: Callable[[list[int]], None] = lambda chunk: None,
    max_bytes: int = _MAX_BATCH_BYTES,
) -> Iterator[list[int]]:
    """`uids` cut into batches of at most `max_count` mails and `max_bytes` (a larger
    mail alone); `size_up(chunk)` is called to fill `sizes` before the chunk's sizes
    are needed."""
    batch: list[int] = []
    batch_bytes = 0
    for index, uid in enumerate(uids):
        if index % _SIZE_CHUNK == 0:
            size_up(uids[index : index + _SIZE_CHUNK])
        size = sizes.get(uid, 0)
        if batch and (len(batch) >= max_count or batch_bytes + size > max_bytes):
            yield batch
            batch, batch_bytes = [], 0
        batch.append(uid)
        batch_bytes += size
    if batch:
        yield batch


def _ensure_folder(client: IMAPClient, folder: str) -> None:
    """Create `folder` unless it exists. Two daemons starting together (or a mail
    client) may both find it missing and both create it; the one that comes second
    gets NO [ALREADYEXISTS] (or a server's own wording of it), which is not an error
    here: the folder is there, and that is all the daemon needs."""
    if client.folder_exists(folder):
        return
    try:
        client.create_folder(folder)
    except IMAPClientError:
        if not client.folder_exists(folder):
            raise
