"""Alembic environment: runs on the connection the daemon hands over, or on -x url=."""

from __future__ import annotations

from alembic import context

from daemon.store.engine import make_engine
from daemon.store.schema import declared_here, metadata

config = context.config


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("no database URL: use oo-support db upgrade, or alembic -x url=...")
    with make_engine(url).connect() as conn:
        _migrate(conn)
        conn.commit()


def _migrate(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        include_name=declared_here,  # the search indexes and tables are made by hand (0012)
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
