"""Several mails handed to the relay at once, one on each of `[smtp_out] connections`
connections ("lanes"), with one commit for all of them.

Each lane is an SmtpTransport and sends as one does (daemon/outbox.py): the whole mail
but the final "." of DATA, then the commit, then the ".". Here the lanes go up to that
point together, the rows that got there are committed `sent` in one transaction, and
then every lane sends its ".". So "never twice" holds as for one connection (a crash
before the commit leaves every relay with an unfinished DATA, which it discards, and
the rows `queued`); the moment between the commit and the "."s can lose the mails of
one batch instead of one mail. What a batch costs is a few round trips, not a few per
mail: one claim, the envelopes of every lane at once (PIPELINING), one commit.

The relay's answers to the "."s (its 250s: a fsync of its queue file each, for
Postfix) are awaited in the lanes' threads after start_batch returns, so the next
batch's claim goes on meanwhile. Each lane has its own thread: its next mail waits for
the previous one's answer, and the next batch is committed only once every lane of it
reached its "." (daemon/outbox.py collects the answers before that commit).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlalchemy import Row

from daemon.oauth import TokenProvider
from daemon.outbox import CommitSent, SmtpTransport
from daemon.settings import SmtpOutSettings

# commit(ids that reached the "." point, {index of a row: why its lane ended before})
CommitBatch = Callable[[list[int], dict[int, BaseException]], None]


class SmtpLanes:
    """`connections` SmtpTransports; send_batch hands one row to each."""

    def __init__(
        self, settings: SmtpOutSettings, tokens: TokenProvider | None, default_user: str
    ) -> None:
        self.lanes = [
            SmtpTransport(settings, tokens, default_user) for _ in range(settings.connections)
        ]
        # One thread per lane: a lane's mails go out in order, one at a time.
        self._threads: list[ThreadPoolExecutor] = []

    @property
    def width(self) -> int:
        return len(self.lanes)

    def send(
        self,
        outbox_id: int,
        envelope_from: str,
        recipients: list[str],
        raw: bytes,
        commit: CommitSent,
    ) -> None:
        """One mail on the first lane (the Transport protocol)."""
        self.lanes[0].send(outbox_id, envelope_from, recipients, raw, commit)

    def start_batch(
        self,
        rows: Sequence[Row[Any]],
        commit: CommitBatch,
        meanwhile: Callable[[], None] | None = None,
    ) -> Tails:
        """Row i on lane i up to its ".", `commit` once every lane got there or ended,
        then the "."s go out; returns the rows committed (the others were `commit`'s to
        settle) without waiting for the relay's answers to their "."s. A failure
        raised by `commit` is every waiting lane's (they abandon their DATA) and is
        raised here once every lane has ended. `meanwhile` runs while the lanes send
        (before `commit`); if it fails, every lane abandons its DATA."""
        if not self._threads:
            self._threads = [
                ThreadPoolExecutor(1, thread_name_prefix=f"smtp-lane-{index}")
                for index in range(self.width)
            ]
        gate = _Gate(len(rows))
        # The claim gives at most one row per lane.
        futures: list[Future[BaseException | None]] = [
            thread.submit(_lane, lane, row, gate)
            for thread, lane, row in zip(self._threads, self.lanes, rows, strict=False)
        ]
        try:
            if meanwhile is not None:
                meanwhile()
        except BaseException as exc:
            gate.open(exc)
            for future in futures:
                future.exception()
            raise
        try:
            gate.wait_for_all()
        except BaseException as exc:  # an interrupt: the lanes that arrived wait no more
            gate.open(exc)
            raise
        ended = {
            i: error
            for i, (row, future) in enumerate(zip(rows, futures, strict=True))
            if row.id not in gate.arrived and (error := future.result()) is not None
        }
        try:
            commit(list(gate.arrived), ended)
        except BaseException as exc:
            gate.open(exc)
            for future in futures:
                future.exception()  # every lane has dropped its DATA
            raise
        gate.open(None)
        arrived = set(gate.arrived)
        return Tails(
            [row for row in rows if row.id in arrived],
            [future for row, future in zip(rows, futures, strict=True) if row.id in arrived],
        )

    def close(self) -> None:
        for thread in self._threads:  # a batch's "."s still awaiting their answers
            thread.shutdown(wait=True)
        self._threads = []
        for lane in self.lanes:
            lane.close()


class Tails:
    """The committed rows of a batch, their "."s out: the relay's answers once they came
    (each row's failure, None for a mail handed over)."""

    def __init__(
        self, rows: Sequence[Row[Any]], futures: list[Future[BaseException | None]]
    ) -> None:
        self.rows = rows
        self._futures = futures

    def outcomes(self) -> list[BaseException | None]:
        return [future.result() for future in self._futures]


class _Gate:
    """Where the lanes wait at their point of no return for the batch's commit."""

    def __init__(self, lanes: int) -> None:
        self._condition = threading.Condition()
        self._on_the_way = lanes
        self.arrived: list[int] = []
        self.is_open = False
        self._error: BaseException | None = None

    def arrive(self, outbox_id: int) -> None:
        with self._condition:
            self.arrived.append(outbox_id)
            self._on_the_way -= 1
            self._condition.notify_all()
            self._condition.wait_for(lambda: self.is_open)
            if self._error is not None:
                raise RuntimeError(f"the batch's commit failed: {self._error}")

    def leave(self) -> None:
        with self._condition:
            self._on_the_way -= 1
            self._condition.notify_all()

    def wait_for_all(self) -> None:
        with self._condition:
            self._condition.wait_for(lambda: self._on_the_way == 0)

    def open(self, error: BaseException | None) -> None:
        with self._condition:
            self._error = error
            self.is_open = True
            self._condition.notify_all()


def _lane(lane: SmtpTransport, row: Row[Any], gate: _Gate) -> BaseException | None:
    arrived = False

    def commit() -> None:
        nonlocal arrived
        arrived = True
        gate.arrive(row.id)

    try:
        lane.send(row.id, row.envelope_from, list(row.recipients), row.raw, commit)
        return None
    except BaseException as exc:  # noqa: BLE001 - handed to the flush, row by row
        return exc
    finally:
        if not arrived:
            gate.leave()
