"""The queries behind `oo-support triage misses`: cases whose priority or critical flag
staff changed, the changes (the case history's "priority" events), and the first mail
of each, whose text the classifier read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

from daemon.store.schema import case_events, cases, messages

# The kinds of mail that open a case: what the classifier read (pipeline/triage.py).
OPENING_KINDS = ("customer", "phone")


def corrected_cases(conn: Connection, since: datetime | None) -> list[Row[Any]]:
    """Cases with a priority change by staff (at or after `since`), newest change first."""
    changed = select(
        case_events.c.case_id, func.max(case_events.c.at).label("last_change")
    ).where(case_events.c.action == "priority")
    if since is not None:
        changed = changed.where(case_events.c.at >= since)
    latest = changed.group_by(case_events.c.case_id).subquery()
    return list(
        conn.execute(
            select(cases, latest.c.last_change)
            .join(latest, latest.c.case_id == cases.c.id)
            .order_by(latest.c.last_change.desc(), cases.c.number.desc())
        )
    )


def priority_changes(conn: Connection, case_ids: Sequence[int]) -> dict[int, list[Row[Any]]]:
    """Every priority event of these cases, oldest first, by case id."""
    found: dict[int, list[Row[Any]]] = {}
    if not case_ids:
        return found
    rows = conn.execute(
        select(case_events)
        .where(case_events.c.case_id.in_(list(case_ids)), case_events.c.action == "priority")
        .order_by(case_events.c.at, case_events.c.id)
    )
    for row in rows:
        found.setdefault(row.case_id, []).append(row)
    return found


def opening_messages(conn: Connection, case_ids: Sequence[int]) -> dict[int, Row[Any]]:
    """The first mail (or call) of each case: its subject and text, by case id."""
    if not case_ids:
        return {}
    first = (
        select(func.min(messages.c.id))
        .where(
            messages.c.case_id.in_(list(case_ids)),
            messages.c.direction == "in",
            messages.c.kind.in_(OPENING_KINDS),
        )
        .group_by(messages.c.case_id)
    )
    columns = [c for c in messages.c if c.name != "raw"]  # raw can be megabytes
    rows = conn.execute(select(*columns).where(messages.c.id.in_(first)))
    return {row.case_id: row for row in rows}
