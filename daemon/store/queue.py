"""The staff console's queue: open cases, the nearest unmet deadline first, a page at a
time (daemon/web/). 10,000 open cases are sorted by the database and only one page is
read (benchmarks/web_queue.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, case, func, literal, select

from daemon.store.repository import DEADLINES, case_conditions
from daemon.store.schema import cases

# After every real deadline, for a case whose deadlines are all met (SQLite's min()
# of several arguments is NULL when one is; the stored text sorts as a time).
_NEVER = "9999-12-31 00:00:00"


@dataclass(frozen=True)
class QueueFilter:
    customer_domain: str | None = None
    priority: str | None = None
    assignee: str | None = None  # "mine": the signed-in supporter
    unassigned: bool = False
    overdue_at: datetime | None = None


def nearest_due(dialect: str) -> ColumnElement[Any]:
    """The earliest deadline of a case that is not yet met."""
    pending = [case((cases.c[done].is_(None), cases.c[due])) for due, done in DEADLINES]
    if dialect == "postgresql":
        return func.least(*pending)  # NULLs are left out; all NULL: NULL, sorted last
    return func.min(*(func.coalesce(p, literal(_NEVER)) for p in pending))


def _conditions(wanted: QueueFilter) -> list[ColumnElement[bool]]:
    return [
        cases.c.status != "closed",
        *case_conditions(
            customer_domain=wanted.customer_domain,
            priority=wanted.priority,
            assignee=wanted.assignee,
            unassigned=wanted.unassigned,
            overdue_at=wanted.overdue_at,
        ),
    ]


def open_queue(
    conn: Connection, wanted: QueueFilter, limit: int, offset: int = 0
) -> tuple[list[Row[Any]], int]:
    """One page of open cases, nearest unmet deadline first, and how many there are."""
    where = _conditions(wanted)
    due = nearest_due(conn.dialect.name)
    rows = conn.execute(
        select(cases)
        .where(*where)
        .order_by(due.asc().nulls_last(), cases.c.number)
        .limit(limit)
        .offset(offset)
    )
    total = conn.execute(select(func.count()).select_from(cases).where(*where)).scalar_one()
    return list(rows), int(total)


def customer_domains(conn: Connection) -> list[str]:
    """The customers that have open cases, for the queue's filter."""
    query = (
        select(cases.c.customer_domain)
        .where(cases.c.status != "closed")
        .group_by(cases.c.customer_domain)
        .order_by(cases.c.customer_domain)
    )
    return [r[0] for r in conn.execute(query)]
