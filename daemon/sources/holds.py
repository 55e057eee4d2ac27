"""The mails one IMAP pass holds: taken up by this daemon, left alone by the others.

Several daemons on one mailbox and database (two machines, a failover, an operator's
`poll --once` beside the service) meet the same mails at once. A try is counted for a
mail before it is prepared, so that one that kills or hangs the daemon is quarantined
after `[imap] max_attempts` tries; counted by each daemon that met it, a healthy mail
reached the limit without having failed (idle23). Now a mail is taken up by one daemon
at a time, which alone counts its try; the others leave it to that daemon for as long
as it lives (repository.take_up_mails: a row names the holder, an advisory lock of its
database session).

The pass keeps one connection for the hold, from its start to its end, and counts the
tries of a batch in the same transaction as it takes the batch up. A stored mail's row
goes in the commit that stores it; the others' hold ends with the pass.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from types import TracebackType

from sqlalchemy import Connection, Engine

from daemon.store import repository


class MailHolds:
    def __init__(self, engine: Engine, source: str, uidvalidity: int) -> None:
        self.engine = engine
        self.source = source
        self.uidvalidity = uidvalidity
        # None on SQLite, where one daemon has the database file: nothing to hold.
        self._held = engine.connect() if engine.dialect.name == "postgresql" else None
        self._holder = 0
        if self._held is not None:
            try:
                with self._held.begin():
                    self._holder = repository.new_holder(self._held)
            except BaseException:
                self._held.close()
                raise

    def __enter__(self) -> MailHolds:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A transaction on the holding session (committed on leaving)."""
        if self._held is None:
            with self.engine.begin() as conn:
                yield conn
            return
        with self._held.begin():
            yield self._held

    def take_up(self, conn: Connection, uids: list[int], now: datetime) -> list[int]:
        """Those of `uids` now held by this pass (`conn`: from transaction())."""
        return repository.take_up_mails(
            conn, self.source, self.uidvalidity, uids, self._holder, now
        )

    def close(self) -> None:
        """Let go of every mail still held. A session that cannot say so (the database
        went away) is closed, not given back to the pool still holding them."""
        held, self._held = self._held, None
        if held is None:
            return
        try:
            if held.in_transaction():
                held.rollback()
            with held.begin():
                repository.end_holder(held, self._holder)
        except Exception:  # noqa: BLE001 - whatever broke it, the session must go
            held.invalidate()
        finally:
            held.close()
