"""Reading ahead: the next batches of an IMAP pass fetched while the one in hand is parsed
and stored, so the mailbox, the parsing workers and the database work at the same time.

One thread fetches; what it may hold is bounded twice: `depth` batches waiting in its
queue, and a byte budget over all mail fetched and not yet released by the pass (the
sizes the server announced, RFC822.SIZE). A backlog of thousands never sits in memory
at once, and a big mail (27 MB in benchmarks/backlog_memory.py) is not held beside
four batches of small ones: it waits until the mail before it was stored, and the
mail after it waits for it (issue 18: ~20 MB of the daemon's peak).

The budget never blocks the pass. The pass waits for the batch it must have (nothing
else in hand: `take(needed=True)` lets the fetcher past the budget); the batch it would
only like to have ahead it takes if it is fetched or being fetched, and is told HELD
when the fetcher waits for the budget, so it stores what it has, which releases bytes.
(A lookahead that waited for the budget waited for its own head: a deadlock.)

The IMAP session is shared with the pass (which MOVEs what it committed): `lock` keeps
their commands apart.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Final

from daemon.inbound import InboundMail

# How long a waiting thread sleeps before it looks at whether the pass ended.
_CHECK_SECONDS = 0.1


class Held:
    """take()'s answer when the next batch waits for bytes to be released."""


HELD: Final = Held()


class _End:
    """Queued after the last batch, or with the exception that ended the fetching."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


def may_fetch(in_flight: int, size: int, budget: int, needed: bool) -> bool:
    """Whether a batch of `size` bytes may be fetched with `in_flight` bytes held: within
    the budget, or alone (a mail over the budget is fetched once nothing else is held),
    or because the pass has nothing else in hand and waits for it."""
    return in_flight == 0 or in_flight + size <= budget or needed


class Prefetcher:
    """`with Prefetcher(fetch, batches, lock, budget) as ahead:` then, in the pass,
    `ahead.take(needed)` for each batch and `ahead.release(batch)` once it is done
    with (stored, or empty).

    `batches` yields (uids, bytes): the UIDs of a batch and their announced size.
    `fetch(uids)` reads one batch (called under `lock`); an exception in it ends the
    iteration with that exception, raised by take() in the pass's thread.
    """

    def __init__(
        self,
        fetch: Callable[[list[int]], list[InboundMail]],
        batches: Iterable[tuple[list[int], int]],
        lock: threading.Lock,
        budget: int,
        depth: int = 1,
    ) -> None:
        self._fetch = fetch
        self._batches = batches
        self._lock = lock
        self._budget = budget
        self._depth = depth
        self._state = threading.Condition()
        self._queue: deque[list[InboundMail] | _End] = deque()
        # Each batch's bytes, fetched or being fetched, by the list fetched (by identity).
        self._reserved: list[tuple[int, list[InboundMail] | None]] = []
        self._in_flight = 0
        self._needed = False  # the pass waits with nothing in hand
        self._held = False  # the fetcher waits for the budget
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="imap-prefetch", daemon=True)

    def __enter__(self) -> Prefetcher:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def take(self, needed: bool) -> list[InboundMail] | Held | None:
        """The next batch; None after the last. `needed`: the pass has nothing in hand
        (every batch taken was released), so the budget must let it through. Else HELD
        while the fetcher waits for the budget and nothing is queued."""
        with self._state:
            self._needed = needed
            self._state.notify_all()
            try:
                while not self._queue:
                    if self._held and not needed:
                        return HELD
                    self._state.wait(_CHECK_SECONDS)
                item = self._queue.popleft()
            finally:
                self._needed = False
            self._state.notify_all()
        if isinstance(item, _End):
            self._queue.appendleft(item)  # every later take() ends the same way
            if item.error is not None:
                raise item.error
            return None
        return item

    def release(self, batch: list[InboundMail]) -> None:
        """`batch` (as take() gave it) is done with: its bytes leave the budget."""
        with self._state:
            index = next(i for i, (_, held) in enumerate(self._reserved) if held is batch)
            size, _ = self._reserved.pop(index)
            self._in_flight -= size
            self._state.notify_all()

    def close(self) -> None:
        """Stop fetching (a batch being fetched is finished first, then dropped)."""
        with self._state:
            self._closed = True
            self._state.notify_all()
        self._thread.join()

    def _run(self) -> None:
        try:
            for uids, size in self._batches:
                if not self._reserve(size):
                    return
                with self._lock:
                    mails = self._fetch(uids)
                if not self._put(mails):
                    return
            self._put(_End())
        except BaseException as exc:  # noqa: BLE001 - handed to the pass, raised there
            self._put(_End(exc))

    def _reserve(self, size: int) -> bool:
        with self._state:
            # The pass's need is for the batch it waits for: the next one fetched, not
            # any after it (so not once something is queued for it).
            while not self._closed and not may_fetch(
                self._in_flight, size, self._budget, self._needed and not self._queue
            ):
                self._held = True
                self._state.notify_all()  # a take() waiting for the lookahead: HELD
                self._state.wait(_CHECK_SECONDS)
            self._held = False
            if self._closed:
                return False
            self._in_flight += size
            self._reserved.append((size, None))
            return True

    def _put(self, item: list[InboundMail] | _End) -> bool:
        with self._state:
            while not self._closed and len(self._queue) >= self._depth:
                self._state.wait(_CHECK_SECONDS)
            if self._closed:
                return False
            if not isinstance(item, _End):  # the reservation made last is this batch's
                self._reserved[-1] = (self._reserved[-1][0], item)
            self._queue.append(item)
            self._state.notify_all()
            return True
