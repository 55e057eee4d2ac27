"""Database connections: one engine per process, configured per dialect."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine, make_url


class NoDatabase(Exception):
    """A read-only command found no SQLite database file; the message says what to do."""


def make_engine(url: str, echo: bool = False, create_dir: bool = True) -> Engine:
    """An engine for `url`; SQLite gets its directory, WAL and immediate transactions.

    With `create_dir=False` (read-only commands) a missing SQLite file is an error
    (NoDatabase) instead of a new, empty database.
    """
    parsed = make_url(url)
    # hide_parameters: a failed statement's text goes into logs and rejection reasons,
    # and its parameters are mail bodies and raw bytes.
    if parsed.get_backend_name() != "sqlite":
        connect_args = {} if "connect_timeout" in parsed.query else {"connect_timeout": 10}
        return create_engine(
            url, echo=echo, pool_pre_ping=True, hide_parameters=True, connect_args=connect_args
        )
    if parsed.database and parsed.database != ":memory:":
        if create_dir:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        elif not Path(parsed.database).is_file():
            raise NoDatabase(
                f"no database at {parsed.database}: `oo-support db upgrade` (or `run`) creates it"
            )
    engine = create_engine(url, echo=echo, hide_parameters=True, connect_args={"timeout": 30})
    _use_immediate_transactions(engine)
    return engine


def _use_immediate_transactions(engine: Engine) -> None:
    # pysqlite begins transactions lazily and as readers; a reader that later writes
    # fails at once with "database is locked" when another process wrote meanwhile.
    # Taking the write lock at BEGIN makes writers queue on the busy timeout instead.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class Transactions(Protocol):
    """What the periodic jobs need of a database: a transaction on demand (an Engine)."""

    def begin(self) -> AbstractContextManager[Connection]: ...


class Rehearsal:
    """Transactions that are savepoints on one connection, all rolled back at the end.

    `triage --once --dry-run` runs the real pass on it: the same queries decide what
    would be sent, and nothing is recorded.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.conn.begin_nested():
            yield self.conn


@contextmanager
def rehearsal(engine: Engine) -> Iterator[Rehearsal]:
    with engine.connect() as conn:
        outer = conn.begin()
        try:
            yield Rehearsal(conn)
        finally:
            outer.rollback()
