"""Several mails handed to the relay at once, one on each of `[smtp_out] connections`
connections ("lanes"), with one commit for all of them.

Each lane is an SmtpTransport and sends as one does (daemon/outbox.py): the whole mail
but the final "." of DATA, then the commit, then the ".". Here the lanes go up to that
point together, the rows that got there are committed `sent` in one transaction, and
then every lane sends its ".". So "never twice" holds as for one connection (a crash
before the commit leaves every relay with an unfinished DATA, which it discards, and
the rows `queued`); the moment between the commit and the "."s can lose the mails of
one batch instead of one mail: at most one mail a connection, since a lane holds at
most one open DATA.

A lane's "." goes out with its next mail's envelope right behind it (PIPELINING), its
answer read before that envelope's: the next batch is claimed (daemon/outbox.py, on a
second database connection) while this one is on the wire, and started on the lanes
before this one's gate opens, so a lane turns from one mail to the next in one round
trip to the relay, as the flush floor does (benchmarks/flush_floor.py). A lane with no
next mail sends its "." alone. Each lane has its own thread, which runs its mails in
order: a mail's job first ends the lane's previous mail (its "." once that batch's gate
is open, or the connection dropped if that batch's commit failed).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from daemon.oauth import TokenProvider
from daemon.outbox import CommitSent, PendingDot, SmtpTransport
from daemon.settings import SmtpOutSettings
from daemon.store.repository import ClaimedOutgoing


class CommitFailed(RuntimeError):
    """The batch was not committed: its lanes dropped their DATA (nothing of it sent)."""


class SmtpLanes:
    """`connections` SmtpTransports; start() hands one row to each."""

    def __init__(
        self, settings: SmtpOutSettings, tokens: TokenProvider | None, default_user: str
    ) -> None:
        self.lanes = [
            SmtpTransport(settings, tokens, default_user) for _ in range(settings.connections)
        ]
        # One thread per lane: a lane's mails go out in order, one at a time.
        self._threads: list[ThreadPoolExecutor] = []
        # Per lane, the mail whose "." waits for its batch's gate (its thread's only).
        self._open: list[_Open | None] = [None] * len(self.lanes)
        # Per lane, how many jobs were handed to it: a batch's gate opens only once each
        # of its lanes has a job queued behind it to send its ".".
        self._jobs = [0] * len(self.lanes)

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

    def start(self, rows: Sequence[ClaimedOutgoing]) -> Batch:
        """Row i on lane i, up to its "." (after the lane's previous mail is ended)."""
        if not self._threads:
            self._threads = [
                ThreadPoolExecutor(1, thread_name_prefix=f"smtp-lane-{index}")
                for index in range(self.width)
            ]
        batch = Batch(self, rows)
        for index, row in enumerate(rows):  # the claim gives at most one row per lane
            self._submit(index, row, batch)
        return batch

    def _submit(self, index: int, row: ClaimedOutgoing | None, batch: Batch | None) -> None:
        self._jobs[index] += 1
        self._threads[index].submit(self._step, index, row, batch)

    def _step(self, index: int, row: ClaimedOutgoing | None, batch: Batch | None) -> None:
        """One job of lane `index`: end its open mail, then take `row` up to its "."."""
        lane = self.lanes[index]
        pending, self._open[index] = self._open[index], None
        previous: PendingDot | None = None
        if pending is not None:
            error = pending.batch.wait_open()
            if error is not None:
                lane.abort()  # the relay discards the DATA: nothing of that row sent
                pending.batch.answer(pending.index, CommitFailed(str(error)))
            else:
                previous = PendingDot(
                    pending.outbox_id, functools.partial(pending.batch.answer, pending.index)
                )
        if row is None or batch is None:
            if previous is not None:  # nothing follows: the "." alone
                try:
                    lane.dot(previous.outbox_id)
                    previous.settle(None)
                except BaseException as exc:  # noqa: BLE001 - the row's outcome
                    previous.settle(exc)
            return
        try:
            lane.until_dot(row.id, row.envelope_from, list(row.recipients), row.raw, previous)
        except BaseException as exc:  # noqa: BLE001 - handed to the flush, row by row
            batch.answer(index, exc)
            batch.gate.leave()
            return
        self._open[index] = _Open(batch, index, row.id)
        batch.gate.arrive(row.id)

    def close(self) -> None:
        for thread in self._threads:  # "."s still awaiting their answers
            thread.shutdown(wait=True)
        self._threads = []
        for index, lane in enumerate(self.lanes):
            if self._open[index] is not None:  # a batch never let go: its DATA dropped
                self._open[index] = None
                lane.abort()
            lane.close()


class Batch:
    """Rows started on the lanes: each one's outcome (None: the relay took it) once known.

    wait_arrived() says which rows reached their "." and which ended before (with why);
    open(None) lets their "."s go (after the commit), open(error) makes the lanes drop
    their DATA. Every started batch must be opened, or its lanes wait for ever."""

    def __init__(self, lanes: SmtpLanes, rows: Sequence[ClaimedOutgoing]) -> None:
        self.lanes = lanes
        self.rows = rows
        self.gate = _Gate(len(rows))
        self._outcomes: list[Future[BaseException | None]] = [Future() for _ in rows]
        self._jobs = list(lanes._jobs)  # noqa: SLF001 - before this batch's own jobs
        self.is_open = False

    def answer(self, index: int, outcome: BaseException | None) -> None:
        if not self._outcomes[index].done():
            self._outcomes[index].set_result(outcome)

    def wait_arrived(self) -> tuple[list[int], dict[int, BaseException]]:
        """Ids of the rows at their "."; {index: why} of those whose lanes ended before."""
        self.gate.wait_for_all()
        arrived = set(self.gate.arrived)
        ended = {
            index: error
            for index, row in enumerate(self.rows)
            if row.id not in arrived and (error := self._outcomes[index].result()) is not None
        }
        return list(self.gate.arrived), ended

    def open(self, error: BaseException | None) -> None:
        """After the commit (error None): every arrived row's "." goes out, behind the
        next batch's envelope on its lane when one was started meanwhile."""
        if self.is_open:
            return
        lanes = self.lanes
        for index in range(len(self.rows)):
            if lanes._jobs[index] == self._jobs[index] + 1:  # noqa: SLF001 - no job behind
                lanes._submit(index, None, None)  # noqa: SLF001
        self.is_open = True
        self.gate.open(error)

    def wait_open(self) -> BaseException | None:
        return self.gate.wait_open()

    def answers(self) -> list[tuple[ClaimedOutgoing, BaseException | None]]:
        """Each row that reached its "." with the relay's answer to it (None: taken),
        waiting for them; the rows that ended before are wait_arrived()'s."""
        arrived = set(self.gate.arrived)
        return [
            (row, future.result())
            for row, future in zip(self.rows, self._outcomes, strict=True)
            if row.id in arrived
        ]


class _Open:
    def __init__(self, batch: Batch, index: int, outbox_id: int) -> None:
        self.batch = batch
        self.index = index
        self.outbox_id = outbox_id


class _Gate:
    """Where the lanes' mails stop at their point of no return for the batch's commit."""

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

    def leave(self) -> None:
        with self._condition:
            self._on_the_way -= 1
            self._condition.notify_all()

    def wait_for_all(self) -> None:
        with self._condition:
            self._condition.wait_for(lambda: self._on_the_way == 0)

    def wait_open(self) -> BaseException | None:
        with self._condition:
            self._condition.wait_for(lambda: self.is_open)
            return self._error

    def open(self, error: BaseException | None) -> None:
        with self._condition:
            self._error = error
            self.is_open = True
            self._condition.notify_all()
