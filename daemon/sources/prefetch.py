"""Reading ahead: the next batches of an IMAP pass fetched while the one in hand is parsed
and stored, so the mailbox, the parsing workers and the database work at the same time.

One thread fetches; the queue between it and the pass is bounded (`depth` batches), so
a backlog of thousands never sits in memory at once. The IMAP session is shared with the
pass (which MOVEs what it committed): `lock` keeps their commands apart.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType

from daemon.inbound import InboundMail

# How long a blocked put waits before it looks at whether the pass ended.
_CHECK_SECONDS = 0.1


class _End:
    """Put after the last batch, or with the exception that ended the fetching."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class Prefetcher:
    """`with Prefetcher(fetch, batches, lock) as ahead: for mails in ahead: ...`

    `fetch(uids)` reads one batch (called under `lock`); an exception in it ends the
    iteration with that exception, in the pass's thread.
    """

    def __init__(
        self,
        fetch: Callable[[list[int]], list[InboundMail]],
        batches: Iterable[list[int]],
        lock: threading.Lock,
        depth: int = 1,
    ) -> None:
        self._fetch = fetch
        self._batches = batches
        self._lock = lock
        self._queue: queue.Queue[list[InboundMail] | _End] = queue.Queue(maxsize=depth)
        self._closed = threading.Event()
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

    def __iter__(self) -> Iterator[list[InboundMail]]:
        while True:
            item = self._queue.get()
            if isinstance(item, _End):
                if item.error is not None:
                    raise item.error
                return
            yield item

    def close(self) -> None:
        """Stop fetching (a batch being fetched is finished first, then dropped)."""
        self._closed.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            for uids in self._batches:
                if self._closed.is_set():
                    return
                with self._lock:
                    mails = self._fetch(uids)
                if not self._put(mails):
                    return
            self._put(_End())
        except BaseException as exc:  # noqa: BLE001 - handed to the pass, raised there
            self._put(_End(exc))

    def _put(self, item: list[InboundMail] | _End) -> bool:
        while not self._closed.is_set():
            try:
                self._queue.put(item, timeout=_CHECK_SECONDS)
                return True
            except queue.Full:
                continue
        return False
