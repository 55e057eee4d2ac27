"""Faults of the database during a batch's claim (repository.claim_due_outgoing_as_sent
on psycopg's own cursor, issue 18 ack24): the flush's connection killed in the claim,
a statement timeout, a lock timeout. Each time the flush says so (it raises, as the
sender loop expects: "outbox flush failed"), nothing is sent or marked, and the next
flush, on whatever connection the pool hands it, sends every row once.

The apps are test_outbox_lanes' (make_app), disposed by its autouse fixture `_engines`,
imported here for that."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import psycopg
import pytest
from harness import customer_mail
from sqlalchemy.exc import DBAPIError, OperationalError
from test_outbox_lanes import _engines, captured_ids, make_app  # noqa: F401 (autouse)

from daemon.app import App
from daemon.outbox_lanes import SmtpLanes
from daemon.pipeline import InboundMail
from daemon.store.schema import outbox


def queue_acks(app: App, count: int, first: int = 0) -> None:
    mails = [InboundMail(customer_mail(i), "test", app.clock())
             for i in range(first, first + count)]
    app.pipeline.ingest_batch(app.engine, mails)


def sql(pg_url: str, statement: str) -> None:
    with psycopg.connect(pg_url.replace("postgresql+psycopg", "postgresql"),
                         autocommit=True) as conn:
        conn.execute(statement)


def statuses(app: App) -> Counter[tuple[str, int]]:
    with app.engine.connect() as conn:
        return Counter((row.status, row.attempts) for row in conn.execute(outbox.select()))


# The first claim's UPDATE (a statement trigger: it fires even when nothing is due)
# runs `fault`; later claims run clean (a sequence: not undone by the rollback).
FAULT_ONCE = """
CREATE SEQUENCE fault_once;
CREATE FUNCTION fault() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF nextval('fault_once') = 1 THEN {fault}; END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER fault BEFORE UPDATE ON outbox FOR EACH STATEMENT EXECUTE FUNCTION fault();
"""

KILL_OWN_BACKEND = "PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(5)"
SLEEP = "PERFORM pg_sleep(5)"
# The first claim (on the flush's first connection) kills the second one, idle between
# its SET and its claim: the claim after goes to a dead connection.
KILL_OTHER_BACKENDS = (
    "PERFORM pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


def flush_fails_then_next_sends_each_once(app: App, sink) -> BaseException:
    with pytest.raises(DBAPIError) as failed:
        app.flush_outbox()
    assert sink.messages == [], "a mail went out of a claim that was never committed"
    assert statuses(app) == {("queued", 0): 8}, "the failed claim left rows marked"
    assert app.flush_outbox().sent == 8
    ids = captured_ids(sink)
    assert len(ids) == len(set(ids)) == 8
    assert statuses(app) == {("sent", 1): 8}
    return failed.value


@pytest.mark.parametrize("connections", [2, 4])
def test_the_flush_connection_killed_in_the_claim(
    tmp_path: Path, migrated_pg_url: str, smtp_sink, connections: int
) -> None:
    app = make_app(tmp_path, migrated_pg_url, smtp_sink, connections)
    assert isinstance(app.transport(), SmtpLanes)
    queue_acks(app, 8)
    sql(migrated_pg_url, FAULT_ONCE.format(fault=KILL_OWN_BACKEND))
    error = flush_fails_then_next_sends_each_once(app, smtp_sink)
    # The cause, not the rollback's "the connection is lost" on the dead connection.
    assert isinstance(error, OperationalError) and error.connection_invalidated
    assert "terminating connection" in str(error)


def test_the_flush_second_connection_dead_at_its_claim(
    tmp_path: Path, migrated_pg_url: str, smtp_sink
) -> None:
    app = make_app(tmp_path, migrated_pg_url, smtp_sink, connections=4)
    queue_acks(app, 8)
    sql(migrated_pg_url, FAULT_ONCE.format(fault=KILL_OTHER_BACKENDS))
    error = flush_fails_then_next_sends_each_once(app, smtp_sink)
    assert isinstance(error, OperationalError) and error.connection_invalidated


def test_a_statement_timeout_in_the_claim(
    tmp_path: Path, migrated_pg_url: str, smtp_sink
) -> None:
    database = migrated_pg_url.rsplit("/", 1)[1]
    sql(migrated_pg_url, f'ALTER DATABASE "{database}" SET statement_timeout = 300')
    app = make_app(tmp_path, migrated_pg_url, smtp_sink, 4)
    queue_acks(app, 8)
    sql(migrated_pg_url, FAULT_ONCE.format(fault=SLEEP))
    error = flush_fails_then_next_sends_each_once(app, smtp_sink)
    assert isinstance(error.orig, psycopg.errors.QueryCanceled)
    assert error.hide_parameters  # as the engine hides them (make_engine)


def test_a_lock_timeout_in_the_claim(tmp_path: Path, migrated_pg_url: str, smtp_sink) -> None:
    database = migrated_pg_url.rsplit("/", 1)[1]
    sql(migrated_pg_url, f'ALTER DATABASE "{database}" SET lock_timeout = 300')
    app = make_app(tmp_path, migrated_pg_url, smtp_sink, 4)
    queue_acks(app, 8)
    url = migrated_pg_url.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(url) as holder:
        holder.execute("LOCK TABLE outbox IN EXCLUSIVE MODE")
        with pytest.raises(DBAPIError) as failed:
            app.flush_outbox()
        holder.rollback()
    assert isinstance(failed.value.orig, psycopg.errors.LockNotAvailable)
    assert smtp_sink.messages == []
    assert statuses(app) == {("queued", 0): 8}
    assert app.flush_outbox().sent == 8
    assert len(set(captured_ids(smtp_sink))) == 8


def test_every_backend_killed_between_flushes(
    tmp_path: Path, migrated_pg_url: str, smtp_sink
) -> None:
    """As a restart of PostgreSQL leaves the pool: every connection in it dead."""
    app = make_app(tmp_path, migrated_pg_url, smtp_sink, 4)
    queue_acks(app, 4)
    assert app.flush_outbox().sent == 4
    database = migrated_pg_url.rsplit("/", 1)[1]
    sql(migrated_pg_url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                         f" WHERE datname = '{database}' AND pid <> pg_backend_pid()")
    queue_acks(app, 4, first=4)
    assert app.flush_outbox().sent == 4
    assert len(set(captured_ids(smtp_sink))) == 8


def test_the_connection_killed_in_a_copy(tmp_path: Path, migrated_pg_url: str, smtp_sink) -> None:
    """_copy_rows (the acks' outbox rows COPYed by Acknowledge.finish) raises a psycopg
    error the claim's way: the ingest hears the cause, and the mail taken again later
    queues its ack once."""
    app = make_app(tmp_path, migrated_pg_url, smtp_sink, 4)
    sql(migrated_pg_url, FAULT_ONCE.format(fault=KILL_OWN_BACKEND).replace(
        "BEFORE UPDATE ON outbox", "BEFORE INSERT ON outbox"))
    with pytest.raises(OperationalError) as failed:
        queue_acks(app, 2)
    assert failed.value.connection_invalidated
    assert "terminating connection" in str(failed.value)
    assert statuses(app) == {}
    queue_acks(app, 2)
    assert statuses(app) == {("queued", 0): 2}
