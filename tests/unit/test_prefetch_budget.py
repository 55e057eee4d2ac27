"""The prefetcher's byte budget (daemon/sources/prefetch.py, issue 18): mail fetched and
not yet released stays within the budget, a batch over it is fetched alone, and the
pass is never made to wait for a lookahead the budget holds back (it is told HELD)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from daemon.inbound import InboundMail
from daemon.sources.prefetch import HELD, Prefetcher, may_fetch

KB = 1024


def _mails(uids: list[int]) -> list[InboundMail]:
    at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    return [InboundMail(raw=b"x", source="imap:INBOX", received_at=at, uidvalidity=1, uid=u)
            for u in uids]


def test_may_fetch_within_budget_alone_or_when_needed() -> None:
    assert may_fetch(0, 100 * KB, 10 * KB, needed=False)  # over the budget, but alone
    assert may_fetch(4 * KB, 6 * KB, 10 * KB, needed=False)
    assert not may_fetch(4 * KB, 7 * KB, 10 * KB, needed=False)
    assert may_fetch(4 * KB, 7 * KB, 10 * KB, needed=True)


class _Recorder:
    """fetch() that notes what else was in flight (fetched, not released) each time."""

    def __init__(self, sizes: dict[int, int]) -> None:
        self.sizes = sizes
        self.in_flight: set[int] = set()
        self.seen: list[tuple[list[int], set[int]]] = []
        self.lock = threading.Lock()

    def fetch(self, uids: list[int]) -> list[InboundMail]:
        with self.lock:
            self.seen.append((uids, set(self.in_flight)))
            self.in_flight |= set(uids)
        return _mails(uids)

    def done(self, batch: list[InboundMail]) -> None:
        with self.lock:
            self.in_flight -= {m.uid for m in batch if m.uid is not None}


def _batches(recorder: _Recorder, plan: list[list[int]]) -> list[tuple[list[int], int]]:
    return [(uids, sum(recorder.sizes[u] for u in uids)) for uids in plan]


def test_a_batch_over_the_budget_is_fetched_alone_and_the_lookahead_is_held() -> None:
    sizes = {1: 3 * KB, 2: 3 * KB, 3: 50 * KB, 4: 3 * KB, 5: 3 * KB}
    recorder = _Recorder(sizes)
    plan = [[1], [2], [3], [4], [5]]
    order: list[object] = []
    with Prefetcher(recorder.fetch, _batches(recorder, plan), threading.Lock(), 10 * KB) as ahead:
        in_hand: list[list[InboundMail]] = []
        while True:
            # The pass: a head, and a lookahead while the budget lets it be fetched.
            taken = ahead.take(needed=not in_hand)
            order.append(taken if taken is HELD or taken is None else [m.uid for m in taken])
            if taken is None:
                break
            if taken is not HELD:
                assert isinstance(taken, list)
                in_hand.append(taken)
                if len(in_hand) < 2:
                    continue
            head = in_hand.pop(0)  # stored
            recorder.done(head)
            ahead.release(head)
        for batch in in_hand:
            recorder.done(batch)
            ahead.release(batch)
    fetched_with = {uids[0]: others for uids, others in recorder.seen}
    assert [uids for uids, _ in recorder.seen] == plan
    assert fetched_with[3] == set()  # the big one alone: what came before was stored
    assert fetched_with[4] == set()  # and nothing after it until it was
    assert HELD in order  # the pass went on without the lookahead, no deadlock


def test_needed_lets_a_batch_past_the_budget() -> None:
    sizes = {1: 8 * KB, 2: 8 * KB}
    recorder = _Recorder(sizes)
    with Prefetcher(recorder.fetch, _batches(recorder, [[1], [2]]), threading.Lock(),
                    10 * KB) as ahead:
        first = ahead.take(needed=True)
        assert first is not HELD and first is not None
        assert ahead.take(needed=False) is HELD  # 8 + 8 KB is over the budget
        second = ahead.take(needed=True)  # a pass with nothing in hand is never held
        assert isinstance(second, list) and [m.uid for m in second] == [2]
        assert ahead.take(needed=True) is None


def test_an_error_in_fetching_is_raised_by_take() -> None:
    def fetch(uids: list[int]) -> list[InboundMail]:
        raise OSError("connection reset")

    with Prefetcher(fetch, [([1], 10)], threading.Lock(), 10 * KB) as ahead:
        try:
            ahead.take(needed=True)
        except OSError as exc:
            assert "reset" in str(exc)
        else:
            raise AssertionError("the fetch's error was not raised")
