"""The intake's look-ups keep their indexes on a database that was never analysed
(daemon/store/statistics.py): a plan PostgreSQL made and cached while `messages` was
empty is made again, with statistics, once the intake has stored a batch."""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.dialects import postgresql

from daemon.store import repository
from daemon.store.engine import make_engine
from daemon.store.migrate import upgrade
from daemon.store.statistics import IntakeStatistics, analyse_stale

# The look-ups the pipeline makes for every run of a batch, as the daemon sends them.
LOOKUPS = {
    "known_inbound": (repository._query_known_inbound("postgresql"), "'{k1,k2,k3}'", "keys"),
    "by_message_id": (
        repository._query_cases_by_message_id("postgresql"), "'{<m1@x>,<m2@x>}'", "ids"),
    "case_addresses": (repository._query_case_addresses("postgresql"), "'{1,2,3}'", "ids"),
}
BIG_BATCH = 3000


def _prepare(conn: Connection, name: str) -> None:
    """PREPARE the look-up and run it past the 5 custom plans, as psycopg's prepared
    statements are, so PostgreSQL caches a generic plan made on the table as it is."""
    query, _, param = LOOKUPS[name]
    compiled = query.compile(dialect=postgresql.dialect())
    # The array as $1, any other parameter (a constant of the query) as $2, $3...
    others = [key for key in compiled.params if key != param]
    sql = str(compiled).replace(f"%({param})s", "$1")
    for number, key in enumerate(others, start=2):
        sql = sql.replace(f"%({key})s", f"${number}")
    conn.exec_driver_sql(f"PREPARE {name} AS {sql}")
    ARGS[name] = ", ".join([LOOKUPS[name][1], *(f"'{compiled.params[k]}'" for k in others)])
    for _ in range(6):
        conn.exec_driver_sql(f"EXECUTE {name}({ARGS[name]})")


ARGS: dict[str, str] = {}


def _plan(conn: Connection, name: str) -> str:
    return "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN EXECUTE {name}({ARGS[name]})"))


def _store_big_batch(conn: Connection) -> None:
    conn.execute(text(
        "INSERT INTO messages (source, direction, kind, message_id, dedupe_key, raw, body_text,"
        " subject, size, at, created_at, to_addrs, cc_addrs)"
        " SELECT 'imap', 'in', 'new_case', '<m' || i || '@x>', 'k' || i,"
        " convert_to(repeat('x', 3000), 'UTF8'), repeat('body ', 300), 'subject', 3000,"
        " now(), now(), '{}', '{}' FROM generate_series(1, :n) AS i"), {"n": BIG_BATCH})


@pytest.fixture
def conn(pg_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(pg_url)
    upgrade(engine)
    with engine.connect() as connection:
        connection.commit()
        connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection
    engine.dispose()


def test_lookups_prepared_on_the_empty_table_use_their_indexes_after_a_big_batch(
    conn: Connection,
) -> None:
    for name in LOOKUPS:
        _prepare(conn, name)
        # An empty table is read whole: a page or so (no index plan is cheaper there).
        assert "Seq Scan on messages" in _plan(conn, name)
    _store_big_batch(conn)
    # What main had: the plan cached on the empty table scans all 3,000 rows each time.
    assert all("Seq Scan on messages" in _plan(conn, name) for name in LOOKUPS)

    assert analyse_stale(conn.engine, BIG_BATCH // 2) == ["cases", "messages"]

    for name in LOOKUPS:
        plan = _plan(conn, name)
        assert "Seq Scan" not in plan, plan
        assert re.search(r"Index|Bitmap", plan), plan
    # Analysed once: a second look leaves messages be (cases, still empty, is small).
    assert analyse_stale(conn.engine, BIG_BATCH // 2) == ["cases"]


def test_a_role_that_is_no_superuser_analyses_the_tables_it_owns(pg_url: str) -> None:
    """A daemon's role owns its tables but is no superuser, and may not read pg_statistic:
    the look failed there ("permission denied", found by CI's role `oo_ci`) and nothing
    was ever analysed. Run as such a role: as this one when it is none (CI), else as a
    role made for the test that owns the intake tables."""
    engine = make_engine(pg_url)
    upgrade(engine)
    with engine.begin() as c:
        superuser = c.execute(text(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar()
        me = c.execute(text("SELECT current_user")).scalar()
        c.execute(text(
            "INSERT INTO messages (source, direction, kind, message_id, dedupe_key, raw,"
            " body_text, subject, size, at, created_at, to_addrs, cc_addrs)"
            " SELECT 'imap', 'in', 'new_case', '<r' || i || '@x>', 'r' || i, '\\x00',"
            " 'body', 'subject', 1, now(), now(), '{}', '{}' FROM generate_series(1, 200) i"))
    role = f"oo_stats_probe_{os.getpid()}"
    if superuser:
        with engine.begin() as c:
            c.exec_driver_sql(f"CREATE ROLE {role} NOSUPERUSER NOLOGIN")
            for table in ("messages", "cases"):
                c.exec_driver_sql(f"ALTER TABLE {table} OWNER TO {role}")
    as_role = (create_engine(engine.url, connect_args={"options": f"-c role={role}"})
               if superuser else engine)
    try:
        with as_role.connect() as c:
            assert c.execute(text("SELECT rolsuper FROM pg_roles"
                                  " WHERE rolname = current_user")).scalar() is False
        assert analyse_stale(as_role, 100) == ["cases", "messages"]
        with engine.connect() as c:
            assert c.execute(text(
                "SELECT count(*) FROM pg_stats WHERE tablename = 'messages'")).scalar()
    finally:
        as_role.dispose()
        if superuser:
            with engine.begin() as c:
                for table in ("messages", "cases"):
                    c.exec_driver_sql(f"ALTER TABLE {table} OWNER TO {me}")
                c.exec_driver_sql(f"DROP ROLE {role}")
        engine.dispose()


class _CountingEngine:
    """Just what IntakeStatistics asks of an engine, counting the looks."""

    class dialect:  # noqa: N801 - mirrors Engine.dialect.name
        name = "postgresql"

    def __init__(self) -> None:
        self.looks = 0


def test_the_intake_looks_once_and_only_past_enough_mail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = _CountingEngine()

    def look(seen: _CountingEngine, rows: int) -> list[str]:
        seen.looks += 1
        return []

    monkeypatch.setattr("daemon.store.statistics.analyse_stale", look)
    statistics = IntakeStatistics(enough=250)
    statistics.stored(engine, 100)  # type: ignore[arg-type]
    statistics.stored(engine, 100)  # type: ignore[arg-type]
    assert engine.looks == 0
    statistics.stored(engine, 100)  # type: ignore[arg-type]
    statistics.stored(engine, 100)  # type: ignore[arg-type]
    assert engine.looks == 1
