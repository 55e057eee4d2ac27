"""The parsing pool's one dispatcher (daemon/sources/prepare_pool.py, issue 18, feed20):
several mails written to a worker at once, and every guarantee of a worker that takes
one mail at a time kept for the mails written behind the one in work. Against real
worker processes; a worker is held still with SIGSTOP and the dispatcher's clock
(`prepare_pool._now`) is moved by the test, so none of this depends on the machine's
speed."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from unittest import mock

import pytest
from harness import customer_mail
from test_poison_intake import SLOW_TRIAGE, slow_mail

from daemon.inbound import InboundMail, Prepared
from daemon.mail import LARGE_MAIL_BYTES
from daemon.pipeline.read import read
from daemon.settings import Settings
from daemon.sources import prepare_pool
from daemon.sources.prepare_pool import (
    PrepareFailed,
    PreparePool,
    PrepareStopped,
    WorkersUnavailable,
)


def inbound(raw: bytes, uid: int) -> InboundMail:
    return InboundMail(raw, "imap:INBOX", datetime(2026, 12, 5, 10, tzinfo=UTC), 1, uid)


def never() -> bool:
    return False


class Clock:
    """The dispatcher's clock: the real one, plus what the test adds."""

    def __init__(self) -> None:
        self.added = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.added


@dataclass
class Sent:
    uid: int | None
    pid: int
    alone: bool
    before: int  # mails in flight at the worker when it was written
    bytes_before: int
    size: int


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moved = Clock()
    monkeypatch.setattr(prepare_pool, "_now", moved)
    return moved


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[Sent]:
    """Each mail the dispatcher writes to a worker, as it writes it."""
    seen: list[Sent] = []
    original = PreparePool._send  # noqa: SLF001

    def recording(pool: PreparePool, place: prepare_pool._Place, job: prepare_pool._Job,
                  now: float) -> None:
        assert place.worker is not None
        seen.append(Sent(job.mail.uid, place.worker.process.pid, job.alone, len(place.flight),
                         place.flight_bytes, job.size))
        original(pool, place, job, now)

    monkeypatch.setattr(PreparePool, "_send", recording)
    return seen


def started(workers: int = 1, **parsing: object) -> PreparePool:
    pool = PreparePool(Settings.model_validate(
        {"parsing": {"workers": workers, **parsing}, "triage": SLOW_TRIAGE}))
    pool.start()
    return pool


@pytest.fixture
def pool(request: pytest.FixtureRequest) -> Iterator[PreparePool]:
    made = started(**getattr(request, "param", {}))
    yield made
    made.close()


def held_worker(pool: PreparePool) -> int:
    """The pool's one worker, ready (a mail prepared), then stopped: it takes nothing
    from its socket until SIGCONT or its death."""
    pool.prepare(inbound(customer_mail(0), 0), never)
    [worker] = pool.workers()
    os.kill(worker.process.pid, signal.SIGSTOP)
    return worker.process.pid


def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def in_flight(pool: PreparePool) -> int:
    return sum(len(place.flight) for place in pool._places)  # noqa: SLF001


def outcome(future: Future[Prepared]) -> Prepared | BaseException:
    try:
        return future.result(60)
    except (PrepareFailed, PrepareStopped) as exc:
        return exc


def assert_prepared(futures: list[Future[Prepared]], uids: list[int]) -> None:
    results = [future.result(60) for future in futures]
    assert [r.mail.uid for r in results] == uids
    for result in results:
        assert result.parsed is not None
        assert result.parsed.from_addr == f"kunde{result.mail.uid}@firma{result.mail.uid % 7}.dk"


def test_mails_handed_at_once_go_several_a_write_and_each_gets_its_own_answer(
    sent: list[Sent],
) -> None:
    pool = started(workers=2)
    try:
        until(lambda: len(pool.workers()) == 2 and all(w.ready for w in pool.workers()),
              "both workers ready")
        mails = [inbound(customer_mail(uid), uid) for uid in range(1, 61)]
        with mock.patch.object(prepare_pool.os, "writev", wraps=os.writev) as writev:
            futures = [pool.submit(mail, never) for mail in mails]
            results = [future.result(60) for future in futures]
        for mail, result in zip(mails, results, strict=True):
            whole = read(mail, pool.settings)
            assert result.mail is mail
            assert (result.key, result.outcome) == (whole.key, whole.outcome)
            assert result.parsed == whole.parsed
        assert len({s.pid for s in sent}) == 2  # both workers fed
        # Several mails in one write (two buffers a mail: the frames, the bytes).
        assert max(len(call.args[1]) for call in writev.call_args_list) > 2
        assert max(s.before for s in sent) > 1  # written ahead of their answers
    finally:
        pool.close()


class _SubmitWhileWoken:
    """The dispatcher's end of its wake-up socket, with a mail handed to the pool just
    as the dispatcher takes the wake-up byte (the race of a pass thread's submit)."""

    def __init__(self, pool: PreparePool) -> None:
        self.pool, self.wake = pool, pool._wake_r  # noqa: SLF001
        self.raced: list[Future[Prepared]] = []

    def fileno(self) -> int:
        return self.wake.fileno()

    def recv(self, size: int) -> bytes:
        if not self.raced:
            self.raced.append(self.pool.submit(inbound(customer_mail(1), 1), never))
        return self.wake.recv(size)

    def close(self) -> None:
        self.wake.close()


def test_a_mail_handed_over_as_the_dispatcher_wakes_does_not_stop_later_wake_ups() -> None:
    pool = PreparePool(Settings.model_validate({"parsing": {"workers": 1}}))
    racing = _SubmitWhileWoken(pool)
    pool._wake_r = racing  # type: ignore[assignment] # noqa: SLF001 - before its thread runs
    try:
        first = pool.submit(inbound(customer_mail(0), 0), never)
        assert first.result(60).mail.uid == 0
        until(lambda: bool(racing.raced), "a mail handed over during the wake-up")
        assert racing.raced[0].result(60).mail.uid == 1
        later = pool.submit(inbound(customer_mail(2), 2), never)
        assert later.result(30).mail.uid == 2  # woken for it: not a lost wake-up
    finally:
        pool.close()


@pytest.mark.parametrize("pool", [{"timeout": 5}], indirect=True)
def test_a_timeout_fails_only_the_mail_in_work_and_those_behind_it_are_prepared(
    pool: PreparePool, clock: Clock
) -> None:
    pid = held_worker(pool)
    futures = [pool.submit(inbound(customer_mail(uid), uid), never) for uid in (1, 2, 3)]
    until(lambda: in_flight(pool) == 3, "the three mails written to the worker")
    clock.added = 6.0
    error = outcome(futures[0])
    assert isinstance(error, PrepareFailed) and "took over 5 s" in str(error)
    assert_prepared(futures[1:], [2, 3])
    assert [w.process.pid for w in pool.workers()] != [pid]  # replaced


def test_a_worker_that_dies_fails_only_the_mail_in_work(pool: PreparePool) -> None:
    pid = held_worker(pool)
    futures = [pool.submit(inbound(customer_mail(uid), uid), never) for uid in (1, 2, 3)]
    until(lambda: in_flight(pool) == 3, "the three mails written to the worker")
    os.kill(pid, signal.SIGKILL)
    error = outcome(futures[0])
    assert isinstance(error, PrepareFailed) and "died" in str(error)
    assert_prepared(futures[1:], [2, 3])


@pytest.mark.parametrize("pool", [{"timeout": 30}], indirect=True)
def test_a_mails_timeout_counts_from_the_answer_to_the_mail_before_it(
    pool: PreparePool, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The second mail (~1 s to parse, written behind the first) has its 30 s from the
    # first one's answer: 27 s pass while both wait in the held worker, 5 more once
    # the first is answered (held again then, with the second in work). Counted from
    # its writing, 32 s > 30 would fail it.
    monkeypatch.setattr(prepare_pool, "_FLIGHT_BYTES", 8 * 1024 * 1024)
    slow = slow_mail(2, 24)
    assert len(slow) < LARGE_MAIL_BYTES  # not a mail that goes alone
    pid = held_worker(pool)
    first = pool.submit(inbound(customer_mail(1), 1), never)
    second = pool.submit(inbound(slow, 2), never)
    until(lambda: in_flight(pool) == 2, "both mails written to the worker")
    clock.added = 27.0

    def held_again(_done: Future[Prepared]) -> None:  # in the dispatcher, at the answer
        os.kill(pid, signal.SIGSTOP)
        clock.added += 5.0

    first.add_done_callback(held_again)
    os.kill(pid, signal.SIGCONT)
    assert first.result(60).mail.uid == 1
    time.sleep(3 * prepare_pool._CHECK_SECONDS)  # the dispatcher looks at its clocks
    os.kill(pid, signal.SIGCONT)
    prepared = outcome(second)
    assert isinstance(prepared, Prepared) and prepared.mail.uid == 2


def test_a_stop_abandons_every_mail_of_the_stopped_caller_and_no_other(
    pool: PreparePool,
) -> None:
    held_worker(pool)
    stop = threading.Event()
    stopped = [pool.submit(inbound(customer_mail(uid), uid), stop.is_set)
               for uid in range(1, 21)]  # more than are written ahead: some still wait
    other = pool.submit(inbound(customer_mail(21), 21), never)
    until(lambda: in_flight(pool) == prepare_pool._FLIGHT_MAILS, "the worker's socket full")
    stop.set()
    assert all(isinstance(outcome(f), PrepareStopped) for f in stopped)
    assert_prepared([other], [21])


def test_a_mail_still_large_goes_alone_and_its_worker_is_replaced(
    pool: PreparePool, sent: list[Sent]
) -> None:
    held_worker(pool)
    text = "Hej\n\n" + "Loggen fra printeren følger her.\n" * (LARGE_MAIL_BYTES // 30)
    large = customer_mail(2, body=text)
    assert len(large) > LARGE_MAIL_BYTES
    uids = [1, 2, 3, 4]
    raws = {uid: customer_mail(uid) for uid in uids} | {2: large}
    futures = [pool.submit(inbound(raws[uid], uid), never) for uid in uids]
    until(lambda: len(sent) >= 2, "mails written")
    [worker] = pool.workers()
    os.kill(worker.process.pid, signal.SIGCONT)
    assert_prepared(futures, uids)
    [alone] = [s for s in sent if s.uid == 2]
    assert alone.alone and alone.before == 0
    after = [s for s in sent[sent.index(alone) + 1 :]]
    assert after and all(s.pid != alone.pid for s in after)  # nothing beside it there
    assert all(w.process.pid != alone.pid for w in pool.workers())  # replaced


def test_a_large_mail_given_up_while_it_waits_holds_up_no_worker(
    pool: PreparePool, sent: list[Sent]
) -> None:
    pid = held_worker(pool)
    text = "Hej\n\n" + "Loggen fra printeren følger her.\n" * (LARGE_MAIL_BYTES // 30)
    first = pool.submit(inbound(customer_mail(1), 1), never)
    large = pool.submit(inbound(customer_mail(2, body=text), 2), never)
    until(lambda: pool._places[0].reserved, "the worker reserved for the large mail")  # noqa: SLF001
    assert large.cancel()  # its caller gave up (a pass ending) before its turn came
    after = pool.submit(inbound(customer_mail(3), 3), never)
    os.kill(pid, signal.SIGCONT)
    assert_prepared([first, after], [1, 3])
    assert 2 not in [s.uid for s in sent]


def test_what_waits_in_a_workers_socket_is_bounded(pool: PreparePool, sent: list[Sent]) -> None:
    body = "Hej\n\n" + "Fejlkoden står her.\n" * 1500  # ~30 KB a mail
    futures = [pool.submit(inbound(customer_mail(uid, body=body), uid), never)
               for uid in range(1, 41)]
    assert_prepared(futures, list(range(1, 41)))
    assert max(s.before for s in sent) > 1
    for s in sent:
        assert s.before == 0 or (s.before < prepare_pool._FLIGHT_MAILS
                                 and s.bytes_before + s.size <= prepare_pool._FLIGHT_BYTES)


def test_answers_longer_than_one_read_are_put_together_across_reads(pool: PreparePool) -> None:
    # The dispatcher reads into one buffer of _READ_BYTES (feed21): an answer longer than
    # it (a long text body, ~3x the buffer) comes in pieces, and the answers written
    # behind it after it, each to its own caller.
    body = "Hej\n\n" + "Printeren i kælderen skriver fejlkode 0x42 igen.\n" * 4000
    assert len(body.encode()) > 3 * prepare_pool._READ_BYTES
    mails = [inbound(customer_mail(uid, body=body if uid % 2 else "Hej"), uid)
             for uid in range(1, 7)]
    futures = [pool.submit(mail, never) for mail in mails]
    assert_prepared(futures, list(range(1, 7)))
    for mail, future in zip(mails, futures, strict=True):
        prepared, whole = future.result(), read(mail, pool.settings)
        assert prepared.parsed is not None and whole.parsed is not None
        assert prepared.parsed.body_text == whole.parsed.body_text


def test_a_mail_waiting_for_its_turn_is_not_read_into_memory_yet(pool: PreparePool) -> None:
    # Its slim copy (for a spooled mail: its bytes read from the file) is made when it
    # is written to a worker, so the waiting mails of a pass's batches cost no memory.
    pid = held_worker(pool)
    futures = [pool.submit(inbound(customer_mail(uid), uid), never) for uid in range(1, 21)]
    # Both: the dispatcher may have written the first 16 in a turn that began before the
    # last submits, which it takes from the callers' queue in its next turn.
    until(lambda: in_flight(pool) == prepare_pool._FLIGHT_MAILS
          and len(pool._pending) == 20 - prepare_pool._FLIGHT_MAILS,  # noqa: SLF001
          "the worker's socket full, the rest waiting")
    waiting = list(pool._pending)  # noqa: SLF001
    assert len(waiting) == 20 - prepare_pool._FLIGHT_MAILS
    assert all(job.slim is None for job in waiting[1:])  # the first's turn was looked at
    os.kill(pid, signal.SIGCONT)
    assert_prepared(futures, list(range(1, 21)))


def test_a_mail_cancelled_before_it_is_written_is_never_prepared(
    pool: PreparePool, sent: list[Sent]
) -> None:
    pid = held_worker(pool)
    futures = [pool.submit(inbound(customer_mail(uid), uid), never) for uid in range(1, 21)]
    until(lambda: in_flight(pool) == prepare_pool._FLIGHT_MAILS, "the worker's socket full")
    waiting = futures[prepare_pool._FLIGHT_MAILS :]
    assert all(f.cancel() for f in waiting)
    assert not futures[0].cancel()  # written: its caller waits for it
    os.kill(pid, signal.SIGCONT)
    assert_prepared(futures[: prepare_pool._FLIGHT_MAILS], list(range(1, 17)))
    assert all(s.uid in range(0, 17) for s in sent)


def test_close_stops_the_mails_in_hand_and_those_handed_after() -> None:
    pool = started()
    held_worker(pool)
    futures = [pool.submit(inbound(customer_mail(uid), uid), never) for uid in (1, 2, 3)]
    until(lambda: in_flight(pool) == 3, "the mails written to the worker")
    pool.close()
    assert all(isinstance(outcome(f), PrepareStopped) for f in futures)
    assert pool.workers() == []
    assert isinstance(outcome(pool.submit(inbound(customer_mail(4), 4), never)), PrepareStopped)


# -- the dispatcher's own failure (review20b) ------------------------------------------
# A bug in the dispatcher's turn ends it; every mail in its hands is then told
# WorkersUnavailable (the pass fails loudly, the tries are given back). These check that
# no mail is left out of that, wherever the turn had it, and what comes after.


def test_after_the_dispatcher_failed_a_mail_handed_over_is_workers_unavailable_not_a_stop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # PrepareStopped ends ImapSource.run's loop and has the listener answer 421
    # "shutting down" while the daemon runs on: every later mail would stop intake
    # silently. (Failed before the fix: the later mail was PrepareStopped.)
    def failing(pool: PreparePool, now: float) -> None:
        raise RuntimeError("a bug in the dispatcher")

    monkeypatch.setattr(PreparePool, "_start_workers", failing)
    pool = PreparePool(Settings.model_validate({"parsing": {"workers": 1}}))
    try:
        first = pool.submit(inbound(customer_mail(1), 1), never)
        with pytest.raises(WorkersUnavailable, match="the parsing pool failed"):
            first.result(30)
        later = pool.submit(inbound(customer_mail(2), 2), never)
        with pytest.raises(WorkersUnavailable, match="the parsing pool failed.*a bug"):
            later.result(30)
    finally:
        pool.close()


def test_a_large_mail_waiting_for_its_worker_is_told_when_the_dispatcher_fails(
    pool: PreparePool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The large mail is skipped (its worker busy) into a list of the turn's own when the
    # turn fails on the mail behind it. (Failed before the fix: its Future was never
    # settled, and a pass waits for its batch without a timeout.)
    pid = held_worker(pool)
    first = pool.submit(inbound(customer_mail(1), 1), never)
    until(lambda: in_flight(pool) == 1, "a mail written to the worker")
    slimmed = prepare_pool._slimmed  # noqa: SLF001

    def failing_at_99(job: prepare_pool._Job) -> bool:
        if job.mail.uid == 99:
            raise RuntimeError("a bug in the dispatcher")
        return slimmed(job)

    monkeypatch.setattr(prepare_pool, "_slimmed", failing_at_99)
    text = "Hej\n\n" + "Loggen fra printeren følger her.\n" * (LARGE_MAIL_BYTES // 30)
    large = pool.submit(inbound(customer_mail(2, body=text), 2), never)
    until(lambda: pool._places[0].reserved, "the worker reserved for the large mail")  # noqa: SLF001
    behind = pool.submit(inbound(customer_mail(99), 99), never)
    for future in (first, large, behind):
        with pytest.raises(WorkersUnavailable, match="a bug"):
            future.result(30)
    assert pid not in [w.process.pid for w in pool.workers()]


def test_a_should_stop_that_raises_leaves_no_mail_of_the_stopped_worker_unsettled(
    pool: PreparePool,
) -> None:
    # A stop kills the worker with the stopping caller's mail; another caller's mail on
    # it, whose should_stop raises, fails the dispatcher. (Failed before the fix: that
    # mail was out of the dropped worker and not yet back in the queue: never settled.)
    held_worker(pool)
    stop = threading.Event()

    def broken() -> bool:
        if stop.is_set():
            raise RuntimeError("a should_stop that raises")
        return False

    stopped = pool.submit(inbound(customer_mail(1), 1), stop.is_set)
    other = pool.submit(inbound(customer_mail(2), 2), broken)
    until(lambda: in_flight(pool) == 2, "both mails written to the worker")
    stop.set()
    assert isinstance(stopped.exception(30), (PrepareStopped, WorkersUnavailable))
    with pytest.raises(WorkersUnavailable, match="a should_stop that raises"):
        other.result(30)


def test_a_dispatcher_that_fails_as_it_starts_tells_the_mails_handed_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # (Failed before the fix: the thread ended on the exception before its try, and
    # the mail's Future was never settled.)
    pool = PreparePool(Settings.model_validate({"parsing": {"workers": 1}}))

    def failing(*args: object) -> None:
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(pool._selector, "register", failing)  # noqa: SLF001
    try:
        first = pool.submit(inbound(customer_mail(1), 1), never)
        with pytest.raises(WorkersUnavailable, match="Cannot allocate memory"):
            first.result(30)
    finally:
        pool.close()
