"""The periodic jobs: review reminders and escalations, on-call pages, SLA warnings and
breaches (issue 4). `triage_pass` is one pass at a given instant; `oo-support run`
calls it every [scheduler] interval, `oo-support triage --once` once.

Each alert is claimed with INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING on
the unique (case, kind) key, in the same transaction that queues its mail: whoever
inserts the row sends the mail, so a re-run or a second daemon never sends it again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, and_, exists, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from daemon.domain.alerts import ONCALL_PAGE, ONCALL_SUBJECT, AlertRule, alert_rules
from daemon.domain.calendar import BusinessCalendar
from daemon.domain.references import format_reference, tagged_subject
from daemon.mail import compose
from daemon.mail.render import TemplateRenderer
from daemon.monthly_reports import send_monthly_reports
from daemon.settings import Settings
from daemon.store import repository
from daemon.store.engine import Transactions
from daemon.store.schema import UTCDateTime, alerts, cases, customers

log = logging.getLogger(__name__)

_CHUNK = 500


def triage_pass(
    engine: Transactions,
    settings: Settings,
    calendar: BusinessCalendar,
    renderer: TemplateRenderer,
    now: datetime,
) -> dict[str, int]:
    """Claim and queue every alert due at `now`; returns how many of each kind.

    `engine` is an Engine, or a store.engine.Rehearsal for a dry run.
    """
    rules = alert_rules(
        timedelta(minutes=settings.scheduler.reminder_minutes),
        timedelta(minutes=settings.scheduler.sla_warning_minutes),
    )
    counts: dict[str, int] = {}
    jobs: list[tuple[str, str, Any, AlertRule | None]] = [
        (rule.kind, rule.subject, _condition(rule, now), rule) for rule in rules
    ]
    if not calendar.is_open(now):
        paged = and_(
            cases.c.critical.is_(True), cases.c.resolved_at.is_(None), cases.c.status != "closed"
        )
        jobs.append((ONCALL_PAGE, ONCALL_SUBJECT, paged, None))
    for kind, title, condition, rule in jobs:
        counts[kind] = 0
        while True:
            # In chunks, each its own transaction: a flood of alerts (after an outage)
            # never holds more than one chunk of mail in memory or in one commit.
            with engine.begin() as conn:
                claimed = _claim(conn, kind, condition, now)
                _notify(conn, settings, renderer, kind, title, claimed, rule, now)
            counts[kind] += len(claimed)
            if len(claimed) < _CHUNK:
                break
    counts["monthly_report"] = send_monthly_reports(engine, settings, calendar, renderer, now)
    if any(counts.values()):
        log.info("triage pass %s", " ".join(f"{k}={v}" for k, v in counts.items() if v))
    return counts


def _condition(rule: AlertRule, now: datetime) -> ColumnElement[bool]:
    due, done = cases.c[rule.due], cases.c[rule.done]
    pending = and_(done.is_(None), cases.c.status != "closed")
    if rule.warning:
        return and_(pending, due <= now + rule.lead, due > now)
    if rule.kind.endswith("_breach"):
        # A deadline met late is a breach too, recorded even after the fact (BR-11).
        return or_(and_(pending, due <= now), done > due)
    return and_(pending, due <= now)


def _claim(
    conn: Connection, kind: str, condition: ColumnElement[bool], now: datetime
) -> list[int]:
    """Insert the (case, kind) alerts that do not exist yet; returns their case ids."""
    already = exists().where(alerts.c.case_id == cases.c.id, alerts.c.kind == kind)
    candidates = (
        select(cases.c.id, literal(kind), literal(now, type_=UTCDateTime))
        .where(condition, ~already)
        .order_by(cases.c.id)
        .limit(_CHUNK)
    )
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(alerts)
        .from_select(["case_id", "kind", "created_at"], candidates)
        .on_conflict_do_nothing(index_elements=["case_id", "kind"])
        .returning(alerts.c.case_id)
    )
    return [case_id for (case_id,) in conn.execute(statement)]


def _notify(
    conn: Connection,
    settings: Settings,
    renderer: TemplateRenderer,
    kind: str,
    title: str,
    case_ids: Sequence[int],
    rule: AlertRule | None,
    now: datetime,
) -> None:
    if not case_ids:
        return
    rows = conn.execute(
        select(cases, customers.c.primary_supporter, customers.c.secondary_supporter)
        .outerjoin(customers, customers.c.id == cases.c.customer_id)
        .where(cases.c.id.in_(list(case_ids)))
    )
    outgoing = []
    for row in rows:
        recipients = _recipients(row, rule.notify if rule else ("oncall",), settings)
        log.info("alert raised", extra={"case": row.number, "kind": kind, "to": recipients})
        deadline = getattr(row, rule.due) if rule else None
        outgoing.append(
            (
                row.id,
                compose.build_message(
                    support=settings.support,
                    case_number=row.number,
                    subject=tagged_subject(row.number, f"{title}: {row.subject}"),
                    recipients=recipients,
                    answered=None,
                    text=alert_text(renderer, settings, row, kind, title, deadline),
                    html=None,
                    auto_submitted="auto-generated",  # RFC 3834: it answers no message
                    language="da",
                    now=now,
                ),
            )
        )
    repository.queue_outgoing(conn, outgoing, "notice", settings.support.name, now)


def alert_text(
    renderer: TemplateRenderer,
    settings: Settings,
    row: Any,
    kind: str,
    title: str,
    deadline: datetime | None,
) -> str:
    """The body of one alert about a case; `row` is a cases row (or any object with its
    columns). Apart from `_notify` so check-config renders the template the same way."""
    tz = ZoneInfo(settings.support.timezone)
    context = {
        "title": title,
        "kind": kind,
        "case": {
            "reference": format_reference(row.number),
            "subject": row.subject,
            "customer_email": row.customer_email,
            "agreement": row.agreement,
            "priority": row.priority,
            "critical": row.critical,
            "triage_rule": row.triage_rule,
            "created": row.created_at.astimezone(tz).strftime("%d.%m.%Y %H:%M"),
        },
        "deadline": deadline.astimezone(tz).strftime("%d.%m.%Y %H:%M") if deadline else None,
        "support": settings.support.model_dump(),
    }
    return renderer.render("alert.txt.j2", context)


def _recipients(row: Any, roles: Sequence[str], settings: Settings) -> list[str]:
    staff = settings.staff
    by_role = {
        "primary": row.primary_supporter or staff.primary,
        "secondary": row.secondary_supporter or staff.secondary,
        "team_lead": staff.team_lead,
        "assignee": row.assignee,
        "oncall": settings.support.oncall_address,
    }
    found: list[str] = []
    for role in roles:
        address = by_role.get(role)
        if address and address.lower() not in found:
            found.append(address.lower())
    return found
