"""The Alembic migrations build exactly the schema daemon/store/schema.py declares,
on PostgreSQL and on SQLite, and can be taken back down."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from daemon.store.engine import make_engine
from daemon.store.migrate import alembic_config, upgrade
from daemon.store.schema import declared_here, metadata


@pytest.fixture(params=["postgresql", "sqlite"])
def url(request, tmp_path: Path, pg_url: str) -> str:
    return pg_url if request.param == "postgresql" else f"sqlite:///{tmp_path / 'm.db'}"


def _context(conn) -> MigrationContext:  # type: ignore[no-untyped-def]
    # As migrations/env.py compares: without the dialect-specific search objects.
    return MigrationContext.configure(conn, opts={"include_name": declared_here})


def test_migrations_match_the_declared_schema(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    upgrade(engine)  # a second run finds nothing to do
    with engine.connect() as conn:
        assert compare_metadata(_context(conn), metadata) == []
    engine.dispose()


def test_downgrade_to_nothing_and_up_again(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    upgrade(engine)
    with engine.connect() as conn:
        assert compare_metadata(_context(conn), metadata) == []
    engine.dispose()


def test_schema_head_constant_is_alembics_head() -> None:
    """Commands check the schema against SCHEMA_HEAD without loading Alembic; it must be
    the head of the migrations shipped, and KNOWN_REVISIONS every one of them."""
    from alembic.script import ScriptDirectory

    from daemon.store.migrate import KNOWN_REVISIONS, SCHEMA_HEAD, alembic_config

    scripts = ScriptDirectory.from_config(alembic_config())
    assert scripts.get_heads() == [SCHEMA_HEAD]
    chain = [rev.revision for rev in scripts.walk_revisions()]
    assert tuple(reversed(chain)) == KNOWN_REVISIONS


# What schema.py declares by name and columns only (a dialect option there loads the
# dialect's package on every command): each migrated database has it as the
# migrations make it.
_DIALECT_SPECIFIC = {
    "ix_messages_ack_at": {
        "sqlite": "where kind = 'ack'",
        "postgresql": "where ((kind)::text = 'ack'::text)",
    },
    "ix_outbox_queued": {
        "sqlite": "where status = 'queued'",
        "postgresql": "where ((status)::text = 'queued'::text)",
    },
    "ix_messages_message_id": {"postgresql": "using hash (message_id)"},
}


def _index_sql(conn, name: str) -> str:  # type: ignore[no-untyped-def]
    if conn.dialect.name == "sqlite":
        query = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"
    else:
        query = "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
    found = conn.execute(text(query), {"name": name}).scalar_one()
    return " ".join(str(found).lower().split())


def test_dialect_specific_indexes_are_as_the_migrations_make_them(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        for name, per_dialect in _DIALECT_SPECIFIC.items():
            made = _index_sql(conn, name)
            expected = per_dialect.get(conn.dialect.name)
            if expected is not None:
                assert expected in made, (name, made)
            else:
                assert " where " not in made, (name, made)
    engine.dispose()


def test_0017_keeps_the_verdict_of_cases_staff_never_corrected(url: str) -> None:
    """Before 0017 only the corrected priority was kept: a case staff never re-prioritised
    still shows the classifier's verdict, one they did has no known verdict (NULL)."""
    engine = make_engine(url)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0013")
        for number, priority, critical, reason in [
            (100001, "high", True, 'suspected_hack: "hack"'), (100002, "high", True, None),
        ]:
            conn.execute(text(
                "INSERT INTO cases (number, subject, status, priority, critical, critical_reason,"
                " channel, customer_email, customer_domain, agreement, language, created_at,"
                " updated_at, flags, project) VALUES (:n, 's', 'open', :p, :c, :r, 'email',"
                " 'a@b.dk', 'b.dk', false, 'da', '2026-11-23 09:00:00', '2026-11-23 09:00:00',"
                " '[]', false)"), {"n": number, "p": priority, "c": critical, "r": reason})
        conn.execute(text(
            "INSERT INTO case_events (case_id, at, actor, action, detail, created_at) SELECT id,"
            " '2026-11-23 10:00:00', 'kim@oo.dk', 'priority', '{}', '2026-11-23 10:00:00'"
            " FROM cases WHERE number = 100002"))
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT number, triage_priority, triage_critical, triage_reason"
                                 " FROM cases ORDER BY number")).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [
        (100001, "high", True, 'suspected_hack: "hack"'), (100002, None, None, None),
    ]


def _raw_setting_up_and_down(pg_url: str, attribute: str, down_to: str) -> tuple[str, str]:
    """pg_attribute's `attribute` of messages.raw at the head, then after a downgrade
    to `down_to`."""
    engine = make_engine(pg_url)
    upgrade(engine)
    query = text(
        f"SELECT {attribute} FROM pg_attribute"
        " WHERE attrelid = 'messages'::regclass AND attname = 'raw'"
    )
    with engine.connect() as conn:
        at_head = conn.execute(query).scalar()
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, down_to)
        after = conn.execute(query).scalar()
    engine.dispose()
    return at_head, after


def test_0018_compresses_raw_mail_with_lz4_where_postgresql_has_it(pg_url: str) -> None:
    """pglz spends the server's CPU on attachments it cannot shrink, in the INSERT the
    IMAP pass waits on; lz4 where the server offers it, and back to the default down."""
    engine = make_engine(pg_url)
    with engine.connect() as conn:
        offered = conn.execute(text(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings"
            " WHERE name = 'default_toast_compression'")).scalar()
    engine.dispose()
    assert _raw_setting_up_and_down(pg_url, "attcompression", "0017") == (
        "l" if offered else "", "")


def test_0020_stores_raw_mail_out_of_line_uncompressed(pg_url: str) -> None:
    """Compressing raw mail (lz4 since 0018) is ~16 % of the server's CPU in the IMAP
    pass's COPY and shrinks the attachments not at all: EXTERNAL, and EXTENDED again down."""
    assert _raw_setting_up_and_down(pg_url, "attstorage", "0019") == ("e", "x")
