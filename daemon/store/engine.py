"""Database connections: one engine per process, configured per dialect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url


def make_engine(url: str, echo: bool = False) -> Engine:
    """An engine for `url`; SQLite gets its directory, WAL and immediate transactions."""
    parsed = make_url(url)
    # hide_parameters: a failed statement's text goes into logs and rejection reasons,
    # and its parameters are mail bodies and raw bytes.
    if parsed.get_backend_name() != "sqlite":
        connect_args = {} if "connect_timeout" in parsed.query else {"connect_timeout": 10}
        return create_engine(
            url, echo=echo, pool_pre_ping=True, hide_parameters=True, connect_args=connect_args
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
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
