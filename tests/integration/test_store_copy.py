"""Rows inserted with binary COPY (daemon/store/repository.py `_copy_rows`, PostgreSQL)
get what an INSERT gives the columns a row leaves out, as on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from harness import run_cli, write_config
from sqlalchemy import create_engine, event, select
from sqlalchemy.exc import IntegrityError

from daemon.store import repository
from daemon.store.schema import attachments, cases, messages, outbox

AT = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
# Only the columns with no default; subject, critical, agreement, flags, project are left out.
BARE_CASE: dict[str, Any] = {
    "status": "open", "priority": "normal", "channel": "email",
    "customer_email": "bo@firma.dk", "customer_domain": "firma.dk", "language": "da",
    "created_at": AT, "updated_at": AT, "response_due": AT, "resolve_due": AT,
}


@pytest.fixture(params=["postgresql", "sqlite"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("migrated_pg_url"))
    url = f"sqlite:///{tmp_path / 'oo.db'}"
    run_cli("db", "upgrade", config=write_config(tmp_path / "oo.toml", database_url=url))
    return url


def test_a_case_row_left_without_its_defaulted_columns_gets_their_defaults(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            [(case_id, _number)] = repository.insert_cases(conn, [BARE_CASE])
            row = conn.execute(select(cases).where(cases.c.id == case_id)).one()
    finally:
        engine.dispose()
    assert (row.subject, row.critical, row.agreement, row.flags, row.project) == (
        "", False, False, [], False)


def test_a_message_stored_twice_is_refused_by_its_dedupe_key_and_the_rest_goes_on(
    url: str,
) -> None:
    # pipeline/shunt.py store_alone counts a mail as a duplicate (another daemon stored
    # it first) by an IntegrityError naming dedupe_key; COPY must raise it as INSERT did.
    message = {"direction": "in", "kind": "customer", "at": AT, "size": 3, "raw": b"Hej",
               "to_addrs": [], "cc_addrs": [], "subject": "", "body_text": "Hej",
               "dedupe_key": "sha:same", "source": "smtp", "created_at": AT}
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            [first] = repository.insert_messages(conn, [message])
            with pytest.raises(IntegrityError) as refused, conn.begin_nested():
                repository.insert_messages(conn, [message])
            assert "dedupe_key" in str(refused.value.orig)
            [other] = repository.insert_messages(conn, [{**message, "dedupe_key": "sha:other"}])
        with engine.connect() as conn:
            keys = conn.execute(select(messages.c.id, messages.c.dedupe_key)).all()
    finally:
        engine.dispose()
    assert sorted(keys) == [(first, "sha:same"), (other, "sha:other")]


def test_a_row_with_a_key_that_is_no_column_is_refused_not_dropped(url: str) -> None:
    """A misnamed field is a bug upstream: neither the COPY (PostgreSQL) nor an
    executemany INSERT (SQLite) may store the row without it."""
    engine = create_engine(url)
    try:
        with pytest.raises(ValueError, match="priorty"), engine.begin() as conn:
            repository.insert_cases(conn, [{**BARE_CASE, "priorty": "high"}])
        with engine.begin() as conn:
            assert conn.execute(select(cases.c.id)).all() == []
    finally:
        engine.dispose()


def test_case_changes_go_in_one_statement_per_set_of_columns(url: str) -> None:
    """The conversation step's case changes (repository.update_cases): each case gets
    exactly its own values, others are untouched, and a run's replies cost one UPDATE
    per set of columns changed, not one per reply (issue 18)."""
    engine = create_engine(url)
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE CASES"):
            statements.append(statement)

    later = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    try:
        with engine.begin() as conn:
            ids = [i for i, _ in repository.insert_cases(conn, [BARE_CASE] * 5)]
            event.listen(conn, "before_cursor_execute", count)
            repository.update_cases(conn, {
                ids[0]: {"updated_at": later},
                ids[1]: {"updated_at": later, "status": "open", "resolved_at": None},
                ids[2]: {"updated_at": later},
                ids[3]: {"updated_at": later, "status": "open", "resolved_at": None,
                         "flags": ["x"]},
            })
            event.remove(conn, "before_cursor_execute", count)
            rows = {row.id: row for row in conn.execute(select(cases))}
    finally:
        engine.dispose()
    assert len(statements) == 3  # {updated_at}, {+status, resolved_at}, {+flags}
    assert [rows[i].updated_at == later for i in ids] == [True, True, True, True, False]
    assert [rows[i].flags for i in ids] == [[], [], [], ["x"], []]


def test_queued_acks_and_attachments_go_in_by_copy_with_what_an_insert_gives(
    url: str,
) -> None:
    """The outbox rows and attachments of a run: on PostgreSQL one binary COPY each, no
    INSERT (issue 18); on either database the same rows, ids in the order given."""
    engine = create_engine(url)
    inserts: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(("INSERT INTO OUTBOX", "INSERT INTO ATTACH")):
            inserts.append(statement)

    message = {"direction": "out", "kind": "ack", "at": AT, "size": 3, "raw": b"Hej",
               "to_addrs": ["a@b.dk"], "cc_addrs": [], "subject": "", "body_text": "Hej",
               "source": "daemon", "created_at": AT}
    try:
        with engine.begin() as conn:
            pks = repository.insert_messages(conn, [message] * 3)
            event.listen(conn, "before_cursor_execute", count)
            repository.enqueue(conn, [
                {"message_pk": pk, "case_id": None, "envelope_from": "support@oo.dk",
                 "recipients": [f"k{i}@firma.dk", "æ@firma.dk"], "now": AT}
                for i, pk in enumerate(pks)
            ])
            repository.insert_attachments(conn, [
                {"message_pk": pks[0], "part_index": i, "filename": f"bilag {i}.pdf",
                 "content_type": "application/pdf", "size": 100 + i}
                for i in range(3)
            ])
            event.remove(conn, "before_cursor_execute", count)
            queued = conn.execute(select(outbox).order_by(outbox.c.id)).all()
            files = conn.execute(select(attachments).order_by(attachments.c.id)).all()
    finally:
        engine.dispose()
    if url.startswith("postgresql"):
        assert inserts == []
    assert [(r.message_pk, r.recipients, r.status, r.attempts, r.last_error, r.sent_at,
             r.next_attempt_at, r.created_at, r.envelope_from) for r in queued] == [
        (pk, [f"k{i}@firma.dk", "æ@firma.dk"], "queued", 0, None, None, AT, AT,
         "support@oo.dk") for i, pk in enumerate(pks)]
    assert [(f.message_pk, f.part_index, f.filename, f.content_type, f.size)
            for f in files] == [(pks[0], i, f"bilag {i}.pdf", "application/pdf", 100 + i)
                                for i in range(3)]
