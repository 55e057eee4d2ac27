"""Reading and writing cases, messages and the outbox: plain functions on a Connection.

Callers own the transaction (`with engine.begin() as conn:`), so one unit of work
can write a case, its message and its acknowledgement atomically.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, NamedTuple, TypeGuard

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    Connection,
    Integer,
    LargeBinary,
    Row,
    Select,
    String,
    Table,
    and_,
    any_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

from daemon.domain.billing import Fee, Rates, rates_for
from daemon.domain.domain_names import canonical_domain
from daemon.mail import LARGE_MAIL_BYTES
from daemon.mail.spooled import Raw, SpooledMail, raw_chunks, whole
from daemon.store.schema import (
    FIRST_CASE_NUMBER,
    UTCDateTime,
    alerts,
    attachments,
    case_events,
    case_fees,
    case_number_seq,
    cases,
    customers,
    duplicates,
    mail_attempts,
    mailbox_state,
    messages,
    outbox,
    time_entries,
)


def _one_of(conn: Connection, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column = ANY(array)`, one parameter: an IN
    list is a parameter a value, which SQLAlchemy renders and psycopg parses and
    converts anew for each length, several times in every batch of the IMAP pass
    (issue 18). The same rows: PostgreSQL plans an IN list as `= ANY` of its values.
    The array is of the column's type without its length: a cast to VARCHAR(255)[] cuts
    a longer value, which then finds the row its first 255 characters name (review19)."""
    if conn.dialect.name == "postgresql":
        kind = type(column.type)() if isinstance(column.type, String) else column.type
        return column == any_(  # type: ignore[no-any-return]
            bindparam(None, list(values), type_=ARRAY(kind))
        )
    return column.in_(list(values))  # type: ignore[no-any-return]


def _any_of(dialect: str, column: Any, name: str) -> ColumnElement[bool]:
    """_one_of with the values bound at execution as the parameter `name`, for a
    statement built once a dialect (the `@functools.cache`d `_query_*` below) and run
    many times: building a select and its clauses again for every call cost the IMAP
    pass's thread ~70 us of its ~130 a look-up, and the pass makes ~25 a batch
    (issue 18, pass20). An IN list on SQLite (an expanding parameter), `= ANY(array)`
    on PostgreSQL, the array of the column's type without its length as in _one_of."""
    if dialect == "postgresql":
        kind = type(column.type)() if isinstance(column.type, String) else column.type
        return column == any_(bindparam(name, type_=ARRAY(kind)))  # type: ignore[no-any-return]
    return column.in_(bindparam(name, expanding=True))  # type: ignore[no-any-return]


def next_case_number_expression(conn: Connection) -> Any:
    """A SQL expression that yields a fresh case number inside the INSERT itself."""
    if conn.dialect.name == "postgresql":
        return case_number_seq.next_value()
    # SQLite runs one writer at a time, so MAX+1 inside the INSERT cannot collide;
    # the unique constraint on cases.number is the backstop.
    return select(
        func.coalesce(func.max(cases.c.number), FIRST_CASE_NUMBER - 1) + 1
    ).scalar_subquery()


@dataclass(frozen=True)
class Drawn:
    """Ids drawn ahead, in one round trip, for the rows a run is about to insert
    (PostgreSQL): the new cases' (id, number) and the messages' ids, each ascending."""

    cases: list[tuple[int, int]]
    messages: list[int]


def draw_ids(conn: Connection, new_cases: int, new_messages: int) -> Drawn | None:
    """The ids of `new_cases` cases (with their numbers) and of `new_messages` messages,
    drawn from their sequences in one statement; None on SQLite, where the INSERT
    gives them. The store step inserts a run's cases and then its messages, and drew
    each table's ids in a statement of its own before its COPY: one round trip more a
    run, for the same values, the sequences being apart (issue 18, pass20). Each as an
    array in one row: a row a value cost the pass's thread ~70 us more a draw."""
    if conn.dialect.name != "postgresql":
        return None
    if not new_cases and not new_messages:
        return Drawn([], [])
    ids, numbers, pks = conn.execute(
        _DRAWING_IDS, {"cases": new_cases, "messages": new_messages}
    ).one()
    return Drawn(list(zip(sorted(ids), sorted(numbers), strict=True)), sorted(pks))


_DRAWING_IDS = text(
    "SELECT ARRAY(SELECT nextval(pg_get_serial_sequence('cases', 'id'))"
    " FROM generate_series(1, :cases)),"
    f" ARRAY(SELECT nextval('{case_number_seq.name}') FROM generate_series(1, :cases)),"
    " ARRAY(SELECT nextval(pg_get_serial_sequence('messages', 'id'))"
    " FROM generate_series(1, :messages))"
)


def insert_cases(
    conn: Connection, rows: Sequence[dict[str, Any]], drawn: Sequence[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """Insert cases in one statement; returns (id, number) in the order of `rows`,
    those `drawn` (draw_ids) when given."""
    if not rows:
        return []
    _refuse_unknown_keys(cases, rows)
    if conn.dialect.name == "postgresql":
        given = list(drawn) or _drawn(conn, len(rows), 0).cases
        _copy_rows(conn, cases, rows, ["id", "number"], [[pk, number] for pk, number in given])
        return given
    number = next_case_number_expression(conn)
    result = conn.execute(
        insert(cases)
        .values(number=number)
        .returning(cases.c.id, cases.c.number, sort_by_parameter_order=True),
        list(rows),
    )
    return [(row.id, row.number) for row in result]


MESSAGE_COLUMNS = tuple(c.name for c in messages.c if c.name != "id")


def insert_messages(
    conn: Connection, rows: Sequence[dict[str, Any]], drawn: Sequence[int] = ()
) -> list[int]:
    """Insert messages in one statement; returns their ids in the order of `rows`,
    those `drawn` (draw_ids) when given."""
    if not rows:
        return []
    _refuse_unknown_keys(messages, rows)
    full = [{name: row.get(name) for name in MESSAGE_COLUMNS} for row in rows]
    streamed = conn.dialect.name == "postgresql"
    if not streamed:  # a parameter needs the bytes (SQLite: tests, small installs)
        full = [row | {"raw": whole(row["raw"])} if _is_spooled(row["raw"]) else row
                for row in full]
    big = {i: row["raw"] for i, row in enumerate(full) if streamed and _is_big(row["raw"])}
    for i in big:
        full[i]["raw"] = b""  # streamed in below
    if streamed:
        ids = list(drawn) or _drawn(conn, 0, len(full)).messages
        _copy_rows(conn, messages, full, ["id"], [[pk] for pk in ids])
    else:
        result = conn.execute(
            insert(messages).returning(messages.c.id, sort_by_parameter_order=True), full
        )
        ids = [row.id for row in result]
    for i, raw in big.items():
        stream_raw(conn, ids[i], raw)
    return ids


# A bytea parameter costs two full copies in the client (psycopg's, then libpq's send
# buffer, which libpq keeps at that size): 54 MB for a 27 MB mail. COPY in chunks
# costs one chunk. (benchmarks/backlog_memory.py)
_CHUNK = 1024 * 1024
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)


def _is_big(raw: object) -> TypeGuard[Raw]:
    return isinstance(raw, bytes | SpooledMail) and len(raw) >= LARGE_MAIL_BYTES


def _is_spooled(raw: object) -> TypeGuard[SpooledMail]:
    return isinstance(raw, SpooledMail)


def stream_raw(conn: Connection, message_pk: int, raw: Raw) -> None:
    """Set messages.raw of one row by a binary COPY into a temp table, chunk by chunk,
    in the caller's transaction (PostgreSQL only). A spooled mail (daemon/mail/spooled.py)
    goes from its file a chunk at a time, never whole in memory."""
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS oo_raw_upload (raw bytea) ON COMMIT DELETE ROWS"
        )
        with cursor.copy("COPY oo_raw_upload (raw) FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(_COPY_HEADER + struct.pack("!hi", 1, len(raw)))
            for chunk in raw_chunks(raw, 0, _CHUNK):
                copy.write(chunk)
            copy.write(struct.pack("!h", -1))
        cursor.execute(
            "UPDATE messages SET raw = (SELECT raw FROM oo_raw_upload) WHERE id = %s",
            (message_pk,),
        )
        cursor.execute("DELETE FROM oo_raw_upload")


def _refuse_unknown_keys(table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """A key that is no column of `table` is a bug upstream (a misnamed field): COPY and
    an executemany INSERT would both store the row without it, without a word."""
    unknown = sorted({key for row in rows for key in row} - set(table.c.keys()))
    if unknown:
        raise ValueError(f"{table.name}: no such column(s) {', '.join(unknown)}")


def _drawn(conn: Connection, new_cases: int, new_messages: int) -> Drawn:
    drawn = draw_ids(conn, new_cases, new_messages)
    assert drawn is not None  # PostgreSQL
    return drawn


def _copy_rows(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    given: Sequence[str] = (),
    leading: Sequence[list[Any]] | None = None,
) -> None:
    """One binary COPY of `rows` into `table` (PostgreSQL only): the columns `given`
    from `leading` (one list a row), every other column but `id` from the row, bound
    as an INSERT binds it; `id`, when not given, from its sequence (the column's
    default), in the order of `rows` as an INSERT of them would draw it.

    The new cases and messages are COPYed with their ids (and case numbers) given,
    drawn ahead from the tables' own sequences (draw_ids), ascending in the order of
    `rows`: their callers need them. A multi-row INSERT of a batch of mails is a
    statement of thousands of parameters that SQLAlchemy builds and psycopg splits and
    converts anew for every batch; in the IMAP pass that cost the daemon's thread more
    than PostgreSQL's work on the rows (benchmarks/README.md, issue 18)."""
    import psycopg  # here: a command on SQLite never loads the driver (cli_startup)

    if leading is not None and len(leading) != len(rows):
        raise ValueError(f"{table.name}: {len(leading)} ids drawn for {len(rows)} rows")

    names, converted, statement, types = _copy_plan(conn.dialect, table, tuple(given))
    # What an INSERT gives a column a row leaves out: its default, else NULL. The
    # columns every row has are found by set intersection, not by asking each row for
    # each column (the rows of a batch of messages carry every column).
    present = set(rows[0]).intersection(*rows[1:])
    defaults = {name: _default_of(table.c[name]) for name in names if name not in present}
    driver = conn.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types(list(types))
            for i, row in enumerate(rows):
                values = list(leading[i]) if leading is not None else []
                if defaults:
                    values += [row[n] if n in row else defaults[n]() for n in names]
                else:
                    values += [row[n] for n in names]
                # None too, as an INSERT binds it (a JSON column's None is JSON null).
                for at, bind in converted:
                    values[at] = bind(values[at])
                copy.write_row(values)
    except psycopg.Error as exc:
        raise _driver_error(conn, statement, None, exc) from exc


def _driver_error(
    conn: Connection, statement: str, parameters: dict[str, Any] | None, exc: Any
) -> DBAPIError:
    """A psycopg error of a statement run on the connection's own cursor, as SQLAlchemy
    makes one of its own statements': wrapped in DBAPIError, the parameters hidden as the
    engine hides them, and a lost connection invalidated. Without that, the caller's
    rollback goes to the dead connection and raises "the connection is lost" in place of
    the cause (review24a: a flush whose backend was killed in its claim logged that).
    `exc` is a psycopg.Error (the driver is not imported here: see _claim_as_sent_pg)."""
    driver = conn.connection.driver_connection
    lost = conn.dialect.is_disconnect(exc, driver, None)
    error = DBAPIError.instance(
        statement, parameters, exc, conn.dialect.loaded_dbapi.Error,
        hide_parameters=conn.engine.hide_parameters, dialect=conn.dialect,
        connection_invalidated=lost,
    )
    assert isinstance(error, DBAPIError)  # what instance() makes of a driver's error
    if lost:
        conn.invalidate(error)
    return error


# A few dialects a process at most (one engine in the daemon; tests make more).
@functools.lru_cache(maxsize=16)
def _copy_plan(
    dialect: Any, table: Table, given: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[tuple[int, Callable[[Any], Any]], ...], str, tuple[str, ...]]:
    """What a COPY into `table` needs besides its rows, worked out once a table (see
    _any_of: issue 18): the columns taken from the rows, the bind processors of those
    that have one (UTC datetimes, JSON) by their place in a row of values, the
    statement, and the columns' COPY types."""
    names = tuple(c.name for c in table.c if c.name not in given and c.name != "id")
    process = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    skip = len(given)
    converted = tuple((skip + i, f) for i, f in enumerate(process) if f is not None)
    columns = ", ".join(dialect.identifier_preparer.quote(name) for name in [*given, *names])
    statement = f"COPY {table.name} ({columns}) FROM STDIN (FORMAT BINARY)"
    types = tuple(_copy_type(table.c[name].type) for name in [*given, *names])
    return names, converted, statement, types


def _default_of(column: Any) -> Callable[[], Any]:
    """The value an INSERT gives `column` when a row leaves it out, made anew for each
    row as an INSERT makes it (cases.flags: a new list)."""
    default = column.default
    if default is None:
        if column.server_default is not None:  # COPY would store NULL, not the default
            raise TypeError(f"COPY cannot give {column.name} its server default")
        return lambda: None
    if default.is_scalar:
        return lambda: default.arg
    if default.is_callable:  # SQLAlchemy's wrapper takes the execution context
        return lambda: default.arg(None)
    raise TypeError(f"COPY cannot give {column.name} its default")


def _copy_type(column_type: Any) -> str:
    """The binary COPY type of a column (varchar's binary form is text's)."""
    if isinstance(column_type, LargeBinary):
        return "bytea"
    if isinstance(column_type, BigInteger):
        return "int8"
    if isinstance(column_type, Integer):
        return "int4"
    if isinstance(column_type, UTCDateTime):
        return "timestamptz"
    if isinstance(column_type, Boolean):
        return "bool"
    if isinstance(column_type, JSON):  # bound as psycopg's Json, as for an INSERT
        return "json"
    if isinstance(column_type, String):  # Text is a String
        return "text"
    raise TypeError(f"no COPY format for {column_type!r}")


def insert_attachments(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    _refuse_unknown_keys(attachments, rows)
    if conn.dialect.name == "postgresql":
        _copy_rows(conn, attachments, rows)  # ids not needed: no round trip to draw them
    else:
        conn.execute(insert(attachments), list(rows))


def known_inbound(
    conn: Connection, dedupe_keys: Iterable[str]
) -> dict[str, Row[*tuple[Any, ...]]]:
    """Which of these mail identities are stored already: key -> (id, source,
    source_uidvalidity, source_uid, subject, in_reply_to, references) of the stored
    message."""
    keys = list(set(dedupe_keys))
    if not keys:
        return {}
    found = conn.execute(_query_known_inbound(conn.dialect.name), {"keys": keys})
    return {row.dedupe_key: row for row in found}


def inbound_heads(conn: Connection, pks: Iterable[int], size: int) -> dict[int, bytes]:
    """The first `size` bytes of the stored bytes of these messages, by id: their header
    sections, without reading megabytes of attachments."""
    ids = list(set(pks))
    if not ids:
        return {}
    head = func.substr(messages.c.raw, 1, size)
    found = conn.execute(select(messages.c.id, head).where(messages.c.id.in_(ids)))
    return {pk: bytes(data) for pk, data in found}


@functools.cache
def _query_known_inbound(dialect: str) -> Select[Any]:
    return select(
        messages.c.dedupe_key,
        messages.c.id,
        messages.c.source,
        messages.c.source_uidvalidity,
        messages.c.source_uid,
        messages.c.subject,
        messages.c.in_reply_to,
        messages.c.references,
        messages.c.at,
    ).where(_any_of(dialect, messages.c.dedupe_key, "keys"))


def insert_duplicates(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(duplicates), list(rows))


def duplicate_arrivals(conn: Connection) -> list[Row[Any]]:
    """Each recorded re-delivery, newest first, with what it repeats: the original
    message's id, case, sender, subject and Message-ID."""
    return list(
        conn.execute(
            select(
                duplicates.c.at,
                duplicates.c.source,
                duplicates.c.size,
                messages.c.id.label("original_pk"),
                cases.c.number.label("case_number"),
                messages.c.from_addr,
                messages.c.subject,
                messages.c.message_id,
            )
            .join(messages, messages.c.id == duplicates.c.message_pk)
            .outerjoin(cases, cases.c.id == messages.c.case_id)
            .order_by(duplicates.c.at.desc(), duplicates.c.id.desc())
        )
    )


def customers_by_domain(conn: Connection, domains: Iterable[str]) -> dict[str, Row[Any]]:
    wanted = list({canonical_domain(d) for d in domains if d})
    if not wanted:
        return {}
    rows = conn.execute(_query_customers(conn.dialect.name), {"domains": wanted})
    return {row.domain: row for row in rows}


@functools.cache
def _query_customers(dialect: str) -> Select[Any]:
    return select(customers).where(_any_of(dialect, customers.c.domain, "domains"))


def sync_customers(conn: Connection, registry: Sequence[Any], now: datetime) -> int:
    """Write the configured customers (BR-19) into the customers table, one row a domain.

    Domains no longer configured keep their row (old cases point at it) but lose the
    agreement: a customer who left is no longer covered (BR-22).
    """
    configured: dict[str, dict[str, Any]] = {}
    for customer in registry:
        for domain in customer.domains:
            configured[canonical_domain(domain)] = {
                "name": customer.name,
                "agreement": customer.agreement,
                "primary_supporter": customer.primary,
                "secondary_supporter": customer.secondary,
                "language": customer.language,
                "rate_support": customer.rates.get("support"),
                "rate_project": customer.rates.get("project"),
                "rate_senior": customer.rates.get("senior"),
            }
    existing = {
        row.domain: row.id for row in conn.execute(select(customers.c.domain, customers.c.id))
    }
    for domain, values in configured.items():
        if domain in existing:
            conn.execute(update(customers).where(customers.c.domain == domain).values(**values))
        else:
            conn.execute(insert(customers).values(domain=domain, created_at=now, **values))
    gone = [domain for domain in existing if domain not in configured]
    if gone:
        conn.execute(update(customers).where(customers.c.domain.in_(gone)).values(agreement=False))
    return len(configured)


def enqueue(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Queue outgoing mail (rows: message_pk, case_id, envelope_from, recipients, now)."""
    if not rows:
        return
    queued = [
        {
            "message_pk": row["message_pk"],
            "case_id": row["case_id"],
            "envelope_from": row["envelope_from"],
            "recipients": row["recipients"],
            "status": "queued",
            "attempts": 0,
            "next_attempt_at": row["now"],
            "created_at": row["now"],
        }
        for row in rows
    ]
    if conn.dialect.name == "postgresql":
        # One binary COPY, as the acks' messages go in (queue_outgoing): an executemany
        # INSERT is built by SQLAlchemy and split by psycopg for every run (issue 18).
        _copy_rows(conn, outbox, queued)
    else:
        conn.execute(insert(outbox), queued)


def queue_outgoing(
    conn: Connection,
    outgoing: Sequence[tuple[int | None, Any]],
    kind: str,
    sender_name: str,
    now: datetime,
) -> list[int]:
    """Record outgoing mail (case_id, compose.Outgoing) on its case and queue it."""
    rows = [
        {
            "case_id": case_id,
            "direction": "out",
            "kind": kind,
            "message_id": mail.message_id,
            "in_reply_to": mail.in_reply_to,
            "references": mail.references,
            "from_addr": mail.sender,
            "from_name": sender_name,
            "to_addrs": mail.recipients,
            "cc_addrs": [],
            "subject": mail.subject,
            "body_text": mail.body_text,
            "at": now,
            "size": len(mail.raw),
            "raw": mail.raw,
            "source": "daemon",
            "created_at": now,
        }
        for case_id, mail in outgoing
    ]
    pks = insert_messages(conn, rows)
    enqueue(
        conn,
        [
            {
                "message_pk": pk,
                "case_id": case_id,
                "envelope_from": mail.sender,
                "recipients": mail.recipients,
                "now": now,
            }
            for pk, (case_id, mail) in zip(pks, outgoing, strict=True)
        ],
    )
    return pks


def cases_by_number(conn: Connection, numbers: Iterable[int]) -> dict[int, int]:
    """Case number -> case id, for the numbers that exist."""
    wanted = list(set(numbers))
    if not wanted:
        return {}
    rows = conn.execute(_query_cases_by_number(conn.dialect.name), {"numbers": wanted})
    return {number: case_id for number, case_id in rows}


@functools.cache
def _query_cases_by_number(dialect: str) -> Select[Any]:
    return select(cases.c.number, cases.c.id).where(_any_of(dialect, cases.c.number, "numbers"))


def cases_by_message_id(
    conn: Connection, message_ids: Iterable[str]
) -> dict[str, tuple[int, ...]]:
    """Message-ID -> the ids of the cases holding a message (in or out) of it, the
    case of its first stored message first. Usually one; a reused or leaked Message-ID
    (a stranger's mail under a customer's id is a case of its own) names several."""
    wanted = list(set(message_ids))
    if not wanted:
        return {}
    rows = conn.execute(_query_cases_by_message_id(conn.dialect.name), {"ids": wanted})
    found: dict[str, tuple[int, ...]] = {}
    for message_id, case_id in rows:
        held = found.get(message_id, ())
        if case_id not in held:
            found[message_id] = (*held, case_id)
    return found


@functools.cache
def _query_cases_by_message_id(dialect: str) -> Select[Any]:
    return (
        select(messages.c.message_id, messages.c.case_id)
        .where(_any_of(dialect, messages.c.message_id, "ids"), messages.c.case_id.is_not(None))
        .order_by(messages.c.id)
    )


def case_rows(
    conn: Connection, case_ids: Iterable[int], *, locked: bool = False
) -> dict[int, Row[Any]]:
    """The rows of these cases; `locked`: locked until the transaction ends, so another
    transaction's change to one waits for it, and the rows stay as read (the mail
    pipeline decides on them and writes them later in its transaction)."""
    wanted = list(set(case_ids))
    if not wanted:
        return {}
    rows = conn.execute(_query_case_rows(conn.dialect.name, locked), {"ids": wanted})
    return {row.id: row for row in rows}


@functools.cache
def _query_case_rows(dialect: str, locked: bool) -> Select[Any]:
    query = select(cases).where(_any_of(dialect, cases.c.id, "ids"))
    # In one order (by id), so two transactions that lock the same cases cannot each
    # hold one the other waits for.
    return query.order_by(cases.c.id).with_for_update() if locked else query


def case_addresses(conn: Connection, case_ids: Iterable[int]) -> dict[int, set[str]]:
    """Every address seen in From/To/Cc of the mail that came in on these cases."""
    wanted = list(set(case_ids))
    found: dict[int, set[str]] = {case_id: set() for case_id in wanted}
    if not wanted:
        return found
    rows = conn.execute(_query_case_addresses(conn.dialect.name), {"ids": wanted})
    for case_id, sender, to, cc in rows:
        found[case_id].update(a.lower() for a in [sender, *(to or []), *(cc or [])] if a)
    return found


@functools.cache
def _query_case_addresses(dialect: str) -> Select[Any]:
    return select(
        messages.c.case_id, messages.c.from_addr, messages.c.to_addrs, messages.c.cc_addrs
    ).where(_any_of(dialect, messages.c.case_id, "ids"), messages.c.direction == "in")


# Row[*tuple[Any, ...]]: a row of any width. SQLAlchemy 2.1 types the row of a select
# of columns column by column (Row[Any, Any, Any]); Row[Any] is a row of one column.
def outbound_by_message_id(
    conn: Connection, message_ids: Iterable[str]
) -> dict[str, Row[*tuple[Any, ...]]]:
    wanted = list(set(message_ids))
    if not wanted:
        return {}
    rows = conn.execute(_query_outbound(conn.dialect.name), {"ids": wanted})
    return {row.message_id: row for row in rows}


@functools.cache
def _query_outbound(dialect: str) -> Select[Any]:
    return select(messages.c.id, messages.c.case_id, messages.c.message_id).where(
        _any_of(dialect, messages.c.message_id, "ids"), messages.c.direction == "out"
    )


def last_inbound(
    conn: Connection, case_id: int, kinds: Sequence[str]
) -> Row[*tuple[Any, ...]] | None:
    """The newest inbound message of these kinds on the case (for threading replies)."""
    return conn.execute(
        select(messages.c.message_id, messages.c.references, messages.c.from_addr)
        .where(
            messages.c.case_id == case_id, messages.c.direction == "in", messages.c.kind.in_(kinds)
        )
        .order_by(messages.c.at.desc(), messages.c.id.desc())
        .limit(1)
    ).first()


def mark_bounced(conn: Connection, message_pk: int | None, error: str) -> None:
    """A delivery report says this outbound message failed: its outbox row says so too."""
    if message_pk is not None:
        conn.execute(
            update(outbox)
            .where(outbox.c.message_pk == message_pk)
            .values(status="failed", last_error=error)
        )


def update_case(conn: Connection, case_id: int, **values: Any) -> None:
    conn.execute(update(cases).where(cases.c.id == case_id).values(**values))


def forget_alerts(conn: Connection, case_id: int, kinds: Sequence[str]) -> None:
    """Drop these kinds of the case's alerts, so the scheduler may claim them again."""
    if kinds:
        conn.execute(delete(alerts).where(alerts.c.case_id == case_id, alerts.c.kind.in_(kinds)))


def update_cases(conn: Connection, changes: dict[int, dict[str, Any]]) -> None:
    """Apply `changes` (case id -> column values) with one executemany UPDATE per set
    of columns changed, not one statement per case: psycopg sends an executemany's
    statements together, in one round trip (the conversation step, issue 18)."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for case_id, values in changes.items():
        params = {"case_pk": case_id} | {f"new_{name}": value for name, value in values.items()}
        by_columns.setdefault(tuple(sorted(values)), []).append(params)
    for columns, rows in by_columns.items():
        conn.execute(_updating_cases(columns), rows)


@functools.cache
def _updating_cases(columns: tuple[str, ...]) -> Any:
    """The UPDATE of these columns of a case, built once (see _any_of: issue 18)."""
    return (
        update(cases)
        .where(cases.c.id == bindparam("case_pk"))
        .values({name: bindparam(f"new_{name}", type_=cases.c[name].type) for name in columns})
    )


def ack_recipients_since(conn: Connection, since: datetime) -> list[tuple[str, int]]:
    """Each customer acknowledged since `since`, as stored, with how many acks.

    The rate limits keep this to a few hundred an hour; ix_messages_ack_at finds them.
    Counted by the database (issue 18): a backlog's pass looks this up for every batch,
    and one row per ack was every ack of the pass so far each time. The addresses are
    folded for the limits by the caller (ack_policy.fold_address), not here.
    """
    rows = conn.execute(_QUERY_ACK_RECIPIENTS, {"since": since})
    return [(address, count) for address, count in rows]


_QUERY_ACK_RECIPIENTS = (
    select(cases.c.customer_email, func.count())
    .join(messages, messages.c.case_id == cases.c.id)
    .where(messages.c.kind == "ack", messages.c.at >= bindparam("since", type_=messages.c.at.type))
    .group_by(cases.c.customer_email)
)


@dataclass(frozen=True)
class BillingInputs:
    """Everything the billing rules need of a case besides its own row."""

    work: list[Row[Any]]
    fees: list[Fee]
    rates: Rates
    # When each of `fees` was added, in the same order (the monthly report's month).
    fees_added: list[datetime] = field(default_factory=list)
    # The case's "project" events, (instant known, detail), in the order written: the
    # monthly report prices each month by the terms of then (`with_project_events`).
    project_events: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)


def billing_inputs(conn: Connection, case_rows: Sequence[Row[Any]]) -> dict[int, BillingInputs]:
    """Time entries, fees and the customer's rates of these cases, in three queries."""
    ids = [row.id for row in case_rows]
    found = {row.id: BillingInputs([], [], Rates()) for row in case_rows}
    if not ids:
        return found
    for entry in conn.execute(
        select(time_entries)
        .where(time_entries.c.case_id.in_(ids))
        .order_by(time_entries.c.at, time_entries.c.id)
    ):
        found[entry.case_id].work.append(entry)
    for fee in conn.execute(
        select(case_fees).where(case_fees.c.case_id.in_(ids)).order_by(case_fees.c.id)
    ):
        found[fee.case_id].fees.append(Fee(fee.description, Decimal(fee.amount)))
        found[fee.case_id].fees_added.append(fee.created_at)
    customer_ids = {row.customer_id for row in case_rows if row.customer_id is not None}
    if customer_ids:
        rates = {
            c.id: rates_for(c.rate_support, c.rate_project, c.rate_senior)
            for c in conn.execute(select(customers).where(customers.c.id.in_(customer_ids)))
        }
        for row in case_rows:
            if row.customer_id in rates:
                found[row.id] = replace(found[row.id], rates=rates[row.customer_id])
    return found


def with_project_events(
    conn: Connection, found: dict[int, BillingInputs]
) -> dict[int, BillingInputs]:
    """`found` with each case's "project" events (case_changes.history), in one query.
    An event is known from the later of when it happened and when it was written, as a
    time entry (monthly_billing.billed_from): a mail's #project processed late is not
    known to a report made in between."""
    if not found:
        return found
    events: dict[int, list[tuple[datetime, dict[str, Any]]]] = {i: [] for i in found}
    for row in conn.execute(
        select(case_events.c.case_id, case_events.c.at, case_events.c.created_at,
               case_events.c.detail)
        .where(case_events.c.case_id.in_(list(found)), case_events.c.action == "project")
        .order_by(case_events.c.id)
    ):
        events[row.case_id].append((max(row.at, row.created_at), dict(row.detail or {})))
    return {i: replace(inputs, project_events=events[i]) for i, inputs in found.items()}


def add_fee(conn: Connection, case_id: int, fee: Fee, added_by: str, now: datetime) -> None:
    conn.execute(
        insert(case_fees).values(
            case_id=case_id,
            description=fee.description,
            amount=fee.amount,
            added_by=added_by,
            created_at=now,
        )
    )


def insert_time_entries(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(time_entries), list(rows))


def time_entry_of(conn: Connection, case_id: int, entry_id: int) -> Row[Any] | None:
    """The case's time entry `entry_id`, locked for this transaction; None if none."""
    if not 1 <= entry_id < 2**63:  # no row has it; the driver fails on it (the console's form)
        return None
    return conn.execute(
        select(time_entries)
        .where(time_entries.c.case_id == case_id, time_entries.c.id == entry_id)
        .with_for_update()
    ).first()


def remove_time_entry(conn: Connection, entry_id: int, at: datetime, actor: str) -> None:
    conn.execute(
        update(time_entries)
        .where(time_entries.c.id == entry_id)
        .values(removed_at=at, removed_by=actor)
    )


def time_entries_of(conn: Connection, case_id: int) -> list[Row[Any]]:
    return list(
        conn.execute(
            select(time_entries)
            .where(time_entries.c.case_id == case_id)
            .order_by(time_entries.c.at, time_entries.c.id)
        )
    )


def make_queued_due(conn: Connection, now: datetime) -> int:
    """Every queued row that waits for a later attempt is due at `now`: `outbox flush`
    sends all that is queued (INTERFACE.md), as `postqueue -f` does. How many.

    The early try is the operator's, on top of the back-off: it is given back its
    attempt (the failure that follows counts it again), so a relay still refusing
    (451, greylisting) puts the row off by the delay it had, never past max_attempts
    into "failed" (a few flushes in a minute did so, where the back-off waits hours).
    A row is pulled forward once: it is then due, and no later flush takes one again."""
    return conn.execute(
        update(outbox)
        .where(outbox.c.status == "queued", outbox.c.next_attempt_at > now)
        .values(
            next_attempt_at=now,
            attempts=case((outbox.c.attempts > 0, outbox.c.attempts - 1), else_=0),
        )
    ).rowcount


def claim_next_outgoing(conn: Connection, now: datetime) -> Row[*tuple[Any, ...]] | None:
    """The oldest due row, locked for this transaction; other senders skip it."""
    return conn.execute(
        _outgoing_columns()
        .where(outbox.c.status == "queued", outbox.c.next_attempt_at <= now)
        # The order of ix_outbox_queued: the first due row is the first index entry,
        # not the result of sorting the whole queue.
        .order_by(outbox.c.next_attempt_at, outbox.c.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=outbox)
    ).first()


def claim_due_outgoing(conn: Connection, now: datetime, limit: int) -> list[Row[Any]]:
    """Up to `limit` of the oldest due rows, as claim_next_outgoing, in one query."""
    return list(
        conn.execute(
            _outgoing_columns()
            .where(outbox.c.status == "queued", outbox.c.next_attempt_at <= now)
            .order_by(outbox.c.next_attempt_at, outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=outbox)
        )
    )


class ClaimedOutgoing(NamedTuple):
    """An outbox row as a flush's batch claims it (the columns of _outgoing_columns())."""

    id: int
    envelope_from: str
    recipients: list[str]
    attempts: int
    last_error: str | None
    case_id: int | None
    raw: bytes
    message_id: str
    kind: str
    case_number: int | None


def claim_due_outgoing_as_sent(
    conn: Connection, now: datetime, limit: int, sent_at: datetime
) -> list[ClaimedOutgoing]:
    """claim_due_outgoing and mark_sent of the rows it claimed, in one round trip on
    PostgreSQL (a data-modifying WITH); the rows as they were claimed (attempts and
    last_error before the mark). Only for a transaction that commits the mark once the
    mails reached their final "." and undoes it for those that did not."""
    if conn.dialect.name != "postgresql":
        rows = claim_due_outgoing(conn, now, limit)
        mark_sent(conn, [row.id for row in rows], sent_at)
        return [ClaimedOutgoing._make(row) for row in rows]
    return _claim_as_sent_pg(conn, now, limit, sent_at)


def _claim_as_sent_pg(
    conn: Connection, now: datetime, limit: int, sent_at: datetime
) -> list[ClaimedOutgoing]:
    """_CLAIM_AS_SENT on the connection's psycopg cursor, in the caller's transaction.

    A flush runs it once a batch of `[smtp_out] connections` rows (4): through
    SQLAlchemy, its result's metadata (the cursor's description, each column's name
    and processor matched again) cost the flush's thread more than psycopg's own
    execute and fetch (issue 18, ack24). The values are psycopg's as SQLAlchemy passed
    them on (no column here has a result processor on PostgreSQL: JSON is psycopg's
    loader, bytea bytes); the times are bound in UTC, as UTCDateTime binds them."""
    import psycopg  # here: a command on SQLite never loads the driver (cli_startup)

    driver = conn.connection.driver_connection
    assert driver is not None
    if now.tzinfo is None or sent_at.tzinfo is None:  # as UTCDateTime refuses them
        raise ValueError(f"naive datetime {now!r} / {sent_at!r}: pass an aware datetime")
    parameters = {"now": now.astimezone(UTC), "limit": limit, "sent_at": sent_at.astimezone(UTC)}
    try:
        with driver.cursor(row_factory=_claimed_rows) as cursor:
            cursor.execute(_CLAIM_AS_SENT_SQL, parameters)
            rows: list[ClaimedOutgoing] = cursor.fetchall()
            return rows
    except psycopg.Error as exc:
        raise _driver_error(conn, _CLAIM_AS_SENT_SQL, parameters, exc) from exc


def _claimed_rows(_cursor: Any) -> Callable[[Sequence[Any]], ClaimedOutgoing]:
    # psycopg's row factory: the statement's columns are ClaimedOutgoing's, in order.
    return ClaimedOutgoing._make


# claim_due_outgoing_as_sent on PostgreSQL, written once: a batch of a flush runs it.
# The rows are _outgoing_columns()'s. The outer SELECT reads the statement's snapshot:
# the rows before the UPDATE (data-modifying WITH statements run once, whether read or
# not).
_CLAIM_AS_SENT_SQL = """
    WITH claimed AS (
        SELECT id FROM outbox
        WHERE status = 'queued' AND next_attempt_at <= %(now)s
        ORDER BY next_attempt_at, id
        LIMIT %(limit)s
        FOR UPDATE SKIP LOCKED
    ), marked AS (
        UPDATE outbox
        SET status = 'sent', attempts = attempts + 1, sent_at = %(sent_at)s, last_error = NULL
        WHERE id IN (SELECT id FROM claimed)
        RETURNING id
    )
    SELECT o.id, o.envelope_from, o.recipients, o.attempts, o.last_error, o.case_id,
           m.raw, m.message_id, m.kind, c.number AS case_number
    FROM outbox o
    JOIN messages m ON m.id = o.message_pk
    LEFT OUTER JOIN cases c ON c.id = o.case_id
    WHERE o.id IN (SELECT id FROM claimed)
    ORDER BY o.next_attempt_at, o.id
    """


def _outgoing_columns() -> Select[Any]:
    return (
        select(
            outbox.c.id,
            outbox.c.envelope_from,
            outbox.c.recipients,
            outbox.c.attempts,
            outbox.c.last_error,
            outbox.c.case_id,
            messages.c.raw,
            messages.c.message_id,
            messages.c.kind,
            cases.c.number.label("case_number"),
        )
        .join(messages, messages.c.id == outbox.c.message_pk)
        .outerjoin(cases, cases.c.id == outbox.c.case_id)
    )


def mark_sent(conn: Connection, outbox_ids: Sequence[int], sent_at: datetime) -> None:
    """Rows handed over: `sent`, one more attempt, no error; one statement for all."""
    if outbox_ids:
        conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(list(outbox_ids)))
            .values(status="sent", attempts=outbox.c.attempts + 1, sent_at=sent_at, last_error=None)
        )


def mark_outgoing(conn: Connection, outbox_id: int, **values: Any) -> None:
    conn.execute(update(outbox).where(outbox.c.id == outbox_id).values(**values))


def outbox_counts(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status))
    return {status: count for status, count in rows}


def last_outbox_id(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(outbox.c.id), 0))).scalar_one())


def outbox_after(conn: Connection, last_id: int) -> list[Row[Any]]:
    """Mail queued after outbox row `last_id` (what a dry run would have sent)."""
    return list(
        conn.execute(
            select(
                outbox.c.id,
                outbox.c.recipients,
                messages.c.kind,
                messages.c.subject,
                cases.c.number.label("case_number"),
            )
            .join(messages, messages.c.id == outbox.c.message_pk)
            .outerjoin(cases, cases.c.id == outbox.c.case_id)
            .where(outbox.c.id > last_id)
            .order_by(outbox.c.id)
        )
    )


def outbox_depth(conn: Connection) -> int:
    """Rows still to send (the partial index ix_outbox_queued answers it)."""
    return conn.execute(
        select(func.count()).select_from(outbox).where(outbox.c.status == "queued")
    ).scalar_one()


def take_turn_to_move(conn: Connection, mailbox: str) -> None:
    """Wait for, and hold until `conn`'s transaction ends, the turn to move mail out of
    `mailbox` (any string naming it): one daemon at a time on one PostgreSQL database.

    Two daemons on one mailbox store the same batch (one as new mail, the other as a
    re-read) and both MOVE it, often at the same moment; Dovecot copies a mail that two
    sessions move at once into the destination twice, while a MOVE after the other's
    is answered NO [EXPUNGEISSUED] and copies nothing (review20, issue 18's two daemons
    on one mailbox). Nothing to wait for on SQLite: one daemon a database file."""
    if conn.dialect.name == "postgresql":
        conn.execute(_TAKING_TURN_TO_MOVE, {"key": _advisory_key(f"imap move\0{mailbox}")})


_TAKING_TURN_TO_MOVE = text("SELECT pg_advisory_xact_lock(:key)")


def _advisory_key(name: str) -> int:
    """A PostgreSQL advisory lock's bigint for `name`, the same in every process."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def mailbox_state_of(conn: Connection, mailbox: str) -> Row[Any] | None:
    return conn.execute(select(mailbox_state).where(mailbox_state.c.mailbox == mailbox)).first()


def save_mailbox_state(conn: Connection, mailbox: str, uidvalidity: int, now: datetime) -> None:
    # One statement, not UPDATE-then-INSERT: two daemons starting on a new mailbox both
    # found no row and both inserted; the second's unique-key error ended its pass.
    upsert = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(mailbox_state)
    conn.execute(
        upsert.values(mailbox=mailbox, uidvalidity=uidvalidity, updated_at=now)
        .on_conflict_do_update(
            index_elements=["mailbox"],
            set_={"uidvalidity": upsert.excluded.uidvalidity,
                  "updated_at": upsert.excluded.updated_at},
        )
    )


# Each deadline of a case and the column that, once set, means it was met (BR-6, BR-11).
DEADLINES = (
    ("review_due", "reviewed_at"),
    ("response_due", "first_response_at"),
    ("resolve_due", "resolved_at"),
)


def list_cases(
    conn: Connection,
    status: str = "open",
    *,
    customer_domain: str | None = None,
    priority: str | None = None,
    assignee: str | None = None,
    unassigned: bool = False,
    overdue_at: datetime | None = None,
) -> list[Row[Any]]:
    """Cases newest first; "open" means every case that is not closed.

    `overdue_at`: only cases with a deadline passed by then and not met, as the
    scheduler judges a breach that is still running (a closed case has none).
    """
    query = select(cases).order_by(cases.c.created_at.desc(), cases.c.number.desc())
    if status == "open":
        query = query.where(cases.c.status != "closed")
    elif status == "closed":
        query = query.where(cases.c.status == "closed")
    wanted = case_conditions(
        customer_domain=customer_domain,
        priority=priority,
        assignee=assignee,
        unassigned=unassigned,
        overdue_at=overdue_at,
    )
    return list(conn.execute(query.where(*wanted)))


def case_conditions(
    *,
    customer_domain: str | None = None,
    priority: str | None = None,
    assignee: str | None = None,
    unassigned: bool = False,
    overdue_at: datetime | None = None,
) -> list[ColumnElement[bool]]:
    """The filters of `cases list` and the console's queue (daemon/store/queue.py)."""
    found: list[ColumnElement[bool]] = []
    if customer_domain is not None:
        found.append(cases.c.customer_domain == canonical_domain(customer_domain.lstrip("@")))
    if priority is not None:
        found.append(cases.c.priority == priority)
    if unassigned:
        found.append(cases.c.assignee.is_(None))
    elif assignee is not None:
        found.append(func.lower(cases.c.assignee) == assignee.lower())
    if overdue_at is not None:
        found.append(cases.c.status != "closed")
        at = overdue_at
        passed = (and_(cases.c[due] <= at, cases.c[done].is_(None)) for due, done in DEADLINES)
        found.append(or_(*passed))
    return found


def case_by_number(conn: Connection, number: int) -> Row[Any] | None:
    return conn.execute(select(cases).where(cases.c.number == number)).first()


def case_messages(conn: Connection, case_id: int) -> list[Row[Any]]:
    columns = [c for c in messages.c if c.name != "raw"]  # raw can be megabytes
    return list(
        conn.execute(
            select(*columns)
            .where(messages.c.case_id == case_id)
            .order_by(messages.c.id)  # storage order is causal; INTERNALDATE has 1 s steps
        )
    )


def attachments_of(conn: Connection, message_pks: Iterable[int]) -> dict[int, list[Row[Any]]]:
    found: dict[int, list[Row[Any]]] = {}
    pks = list(message_pks)
    if not pks:
        return found
    rows = conn.execute(
        select(attachments)
        .where(attachments.c.message_pk.in_(pks))
        .order_by(attachments.c.part_index)
    )
    for row in rows:
        found.setdefault(row.message_pk, []).append(row)
    return found


def uncased_messages(conn: Connection, kinds: Sequence[str]) -> list[Row[Any]]:
    """Mail kept without a case (rejected or ignored), newest first."""
    columns = [c for c in messages.c if c.name != "raw"]
    return list(
        conn.execute(
            select(*columns)
            .where(messages.c.case_id.is_(None), messages.c.kind.in_(kinds))
            .order_by(messages.c.at.desc(), messages.c.id.desc())
        )
    )


def insert_case_events(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """History entries (case_id, at, actor, action, detail, created_at)."""
    if rows:
        conn.execute(insert(case_events), list(rows))


def case_events_of(conn: Connection, case_id: int) -> list[Row[Any]]:
    """A case's history, oldest first."""
    return list(
        conn.execute(
            select(case_events)
            .where(case_events.c.case_id == case_id)
            .order_by(case_events.c.at, case_events.c.id)
        )
    )


def alerts_of(conn: Connection, case_id: int) -> list[Row[Any]]:
    """The reminders, escalations, pages and breaches raised on a case, oldest first."""
    return list(
        conn.execute(
            select(alerts)
            .where(alerts.c.case_id == case_id)
            .order_by(alerts.c.created_at, alerts.c.id)
        )
    )


@dataclass(frozen=True)
class Attempts:
    """How often a mailbox message was taken up before this time, and why it failed."""

    count: int
    last_error: str | None


def attempts_of(
    conn: Connection, source: str, uidvalidity: int, uids: Sequence[int]
) -> dict[int, int]:
    """The tries so far of those of `uids` that have any (a row of count 0: a mail held
    and not yet counted, or a try given back)."""
    found = conn.execute(
        _query_attempts_of(conn.dialect.name),
        {"source": source, "uidvalidity": uidvalidity, "uids": list(uids)},
    )
    return {uid: count for uid, count in found}


@functools.cache
def _query_attempts_of(dialect: str) -> Select[Any]:
    return select(mail_attempts.c.uid, mail_attempts.c.count).where(
        mail_attempts.c.source == bindparam("source"),
        mail_attempts.c.uidvalidity == bindparam("uidvalidity"),
        _any_of(dialect, mail_attempts.c.uid, "uids"),
        mail_attempts.c.count > 0,  # 0: held, not yet tried (take_up_mails)
    )


def count_attempts(
    conn: Connection,
    source: str,
    uidvalidity: int,
    uids: Sequence[int],
    now: datetime,
    *,
    untried: bool = False,
) -> dict[int, Attempts]:
    """Add one try to each of `uids`; returns the tries each had before this one.

    `untried`: the caller read in this transaction that none of `uids` has a try yet
    (attempts_of), so they are not looked up again (a round trip a batch, issue 18); a
    row another daemon added since is counted on by the upsert all the same."""
    where = and_(
        mail_attempts.c.source == source,
        mail_attempts.c.uidvalidity == uidvalidity,
        _one_of(conn, mail_attempts.c.uid, uids),
    )
    before = {} if untried else {
        uid: Attempts(count, last_error)
        for uid, count, last_error in conn.execute(
            select(mail_attempts.c.uid, mail_attempts.c.count, mail_attempts.c.last_error).where(
                where
            )
        )
    }
    if before:
        conn.execute(
            update(mail_attempts)
            .where(where)
            .values(count=mail_attempts.c.count + 1, updated_at=now)
        )
    # Each UID once, as the UPDATE counts one there already: a try is a mail's, however
    # often it is named (and a second row for one UID in one INSERT is an error here).
    fresh = list(dict.fromkeys(uid for uid in uids if uid not in before))
    if fresh and conn.dialect.name == "postgresql":
        # One row of parameters, the UIDs as one array: an executemany of a row a mail
        # is a statement SQLAlchemy builds and psycopg splits anew for every batch.
        upsert = pg_insert(mail_attempts).from_select(
            ["source", "uidvalidity", "uid", "count", "updated_at"],
            select(
                bindparam("source", source, type_=mail_attempts.c.source.type),
                bindparam("uidvalidity", uidvalidity, type_=BigInteger),
                func.unnest(bindparam("uids", fresh, type_=ARRAY(BigInteger))),
                literal(1),
                bindparam("now", now, type_=mail_attempts.c.updated_at.type),
            ),
        )
        conn.execute(_counted_on(upsert))
    elif fresh:
        conn.execute(_counted_on(sqlite_insert(mail_attempts)), [
            {"source": source, "uidvalidity": uidvalidity, "uid": uid, "count": 1,
             "updated_at": now}
            for uid in fresh
        ])
    return {uid: before.get(uid, Attempts(0, None)) for uid in uids}


def _counted_on(upsert: Any) -> Any:
    """Another daemon on the same mailbox may count the same mail at the same time:
    its row is then counted on, not a unique-key error that ends this pass."""
    return upsert.on_conflict_do_update(
        index_elements=["source", "uidvalidity", "uid"],
        set_={"count": mail_attempts.c.count + 1, "updated_at": upsert.excluded.updated_at},
    )


def new_holder(conn: Connection) -> int:
    """A key for an IMAP pass to take mails up as (take_up_mails), held by `conn`'s
    session until end_holder or the session's end; 0 on SQLite (one daemon a file).

    The session's end must come soon after its daemon's: a holder whose host lost power
    or was cut off the network closes no TCP connection, and with Linux's defaults
    (keepalive after 7200 s idle) the server kept its session, and so its key, for over
    two hours while every other daemon left its mails (review23a). The holding session
    asks the server to probe an idle peer (it is idle while its batch is processed) and
    to give up on unacknowledged data: a dead holder's key ends within HOLDER_DEAD_AFTER
    seconds. Ignored on a Unix socket (one host: its death ends the server too)."""
    if conn.dialect.name != "postgresql":
        return 0
    conn.execute(_PROBING_THE_HOLDER)
    while True:  # a key another session holds (1 in 2**62) is drawn again
        key = secrets.randbits(62) + 1
        if conn.execute(_HOLDING, {"key": key}).scalar_one():
            return key


def end_holder(conn: Connection, holder: int) -> None:
    """`holder` (new_holder, this session's) ends: its mails may be taken up again."""
    if conn.dialect.name == "postgresql":
        conn.execute(_ENDING_HOLDER, {"key": holder})


def take_up_mails(
    conn: Connection,
    source: str,
    uidvalidity: int,
    uids: Sequence[int],
    holder: int,
    now: datetime,
) -> list[int]:
    """Those of `uids` now held by `holder` (new_holder), in their order; the others
    are held by another live pass and left to it.

    Several daemons on one mailbox and database (two machines, a failover, an
    operator's `poll --once` beside the service) meet the same mail at once. Each
    counted a try for it before preparing it (count_attempts), so a healthy mail
    reached `[imap] max_attempts` without having failed and was quarantined (idle23).
    Now a mail is tried by the pass that holds it: its row's `holder` names the pass's
    advisory lock, which ends with the pass or with its daemon (a crash or a SIGKILL
    closes the session; the watchdog's restart of a hung daemon too). A mail whose
    holder is gone is taken up again, and the try that holder counted stays counted.
    A held mail with no try yet has a row of count 0 (attempts_of passes it over).
    On SQLite every mail is taken: one daemon a database file (take_turn_to_move)."""
    if conn.dialect.name != "postgresql" or not uids:
        return list(uids)
    params = {"source": source, "uidvalidity": uidvalidity, "holder": holder, "now": now}
    wanted = list(dict.fromkeys(uids))
    taken = set(conn.execute(_TAKING_UP_NEW, {**params, "uids": wanted}).scalars())
    rest = [uid for uid in wanted if uid not in taken]
    if rest:  # rows there already: taken unless their holder lives
        taken.update(conn.execute(_TAKING_UP_LEFT, {**params, "uids": rest}).scalars())
    return [uid for uid in uids if uid in taken]


# How long a holder's session outlives its host, at most: the server probes it after
# 20 s of silence, then every 5 s, and drops it after 4 unanswered probes (or after
# data it sent stayed unacknowledged that long). Per session (is_local false).
HOLDER_DEAD_AFTER = 40
_PROBING_THE_HOLDER = text(f"""
    SELECT set_config('tcp_keepalives_idle', '20', false),
           set_config('tcp_keepalives_interval', '5', false),
           set_config('tcp_keepalives_count', '4', false),
           set_config('tcp_user_timeout', '{HOLDER_DEAD_AFTER * 1000}', false)
""")
_HOLDING = text("SELECT pg_try_advisory_lock(:key)")
_ENDING_HOLDER = text("SELECT pg_advisory_unlock(:key)")
# A row another session inserts meanwhile is a conflict, waited for and then left.
_TAKING_UP_NEW = text("""
    INSERT INTO mail_attempts (source, uidvalidity, uid, count, updated_at, holder)
    SELECT :source, :uidvalidity, u, 0, :now, :holder FROM unnest(CAST(:uids AS bigint[])) AS u
    ON CONFLICT (source, uidvalidity, uid) DO NOTHING
    RETURNING uid
""")
# The holders alive: the session-level advisory locks on this database. A bigint key
# is held as classid (its high half), objid (its low half) and objsubid 1.
_TAKING_UP_LEFT = text("""
    WITH alive AS (
        SELECT (l.classid::bigint << 32) | l.objid::bigint AS holder
        FROM pg_locks AS l
        WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    )
    UPDATE mail_attempts SET holder = :holder
    WHERE source = :source AND uidvalidity = :uidvalidity
      AND uid = ANY(CAST(:uids AS bigint[]))
      AND (holder IS NULL OR holder = :holder OR holder NOT IN (SELECT holder FROM alive))
    RETURNING uid
""")


def uncount_attempts(conn: Connection, source: str, uidvalidity: int, uids: Sequence[int]) -> None:
    """Take back the try `count_attempts` added (the failure was not the mail's)."""
    conn.execute(
        update(mail_attempts)
        .where(
            mail_attempts.c.source == source,
            mail_attempts.c.uidvalidity == uidvalidity,
            _one_of(conn, mail_attempts.c.uid, uids),
            mail_attempts.c.count > 0,
        )
        .values(count=mail_attempts.c.count - 1)
    )


def note_attempt_error(
    conn: Connection, source: str, uidvalidity: int, uid: int, error: str
) -> None:
    conn.execute(
        update(mail_attempts)
        .where(
            mail_attempts.c.source == source,
            mail_attempts.c.uidvalidity == uidvalidity,
            mail_attempts.c.uid == uid,
        )
        .values(last_error=error[:2000])
    )


def forget_attempts(conn: Connection, source: str, uidvalidity: int, uids: Sequence[int]) -> None:
    """The mails are stored (or quarantined): their tries no longer matter."""
    if uids:
        conn.execute(
            _forgetting_attempts(conn.dialect.name),
            {"source": source, "uidvalidity": uidvalidity, "uids": list(uids)},
        )


@functools.cache
def _forgetting_attempts(dialect: str) -> Any:
    return delete(mail_attempts).where(
        mail_attempts.c.source == bindparam("source"),
        mail_attempts.c.uidvalidity == bindparam("uidvalidity"),
        _any_of(dialect, mail_attempts.c.uid, "uids"),
    )


def raw_of(conn: Connection, message_pks: Iterable[int]) -> dict[int, bytes]:
    """The stored raw bytes of each message, in one query (attachments are read from
    them again: the raw mail is their only copy)."""
    pks = list(message_pks)
    if not pks:
        return {}
    rows = conn.execute(select(messages.c.id, messages.c.raw).where(messages.c.id.in_(pks)))
    return {pk: bytes(raw) for pk, raw in rows}


def kept_message(conn: Connection, pk: int) -> Row[Any] | None:
    """An inbound message kept without a case, with its raw bytes (`ignored retry`)."""
    return conn.execute(
        select(messages).where(
            messages.c.id == pk, messages.c.direction == "in", messages.c.case_id.is_(None)
        )
    ).first()


def set_kept_state(conn: Connection, pk: int, kind: str, dedupe_key: str | None) -> None:
    conn.execute(
        update(messages).where(messages.c.id == pk).values(kind=kind, dedupe_key=dedupe_key)
    )
