"""The periodic jobs: review reminders and escalations, on-call pages, SLA warnings and
breaches. `triage_pass` is one pass at a given instant; `oo-support run`
calls it every [scheduler] interval, `oo-support triage --once` once.

Each alert is claimed with INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING on
the unique (case, kind) key, in the same transaction that queues its mail: whoever
inserts the row sends the mail, so a re-run or a second daemon never sends it again.

What is sent is coalesced: each recipient gets one mail per kind and pass
listing all its cases, not one mail per case; the on-call duty is paged as
daemon/domain/paging.py decides (a quiet period, caps per sender and customer), from
what the alerts table says was paged, so every daemon decides alike.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, and_, exists, literal, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from daemon.domain import paging
from daemon.domain.alerts import (
    ONCALL_DIGEST_SUBJECT,
    ONCALL_PAGE,
    ONCALL_SUBJECT,
    AlertRule,
    Trigger,
    alert_rules,
    mail_subject,
)
from daemon.domain.business_calendar import BusinessCalendar
from daemon.domain.references import format_reference, tagged_subject
from daemon.mail import compose
from daemon.mail.render import TemplateRenderer
from daemon.outputs.monthly_reports import send_monthly_reports
from daemon.settings import Settings
from daemon.store import repository
from daemon.store.engine import Transactions
from daemon.store.schema import UTCDateTime, alerts, cases, customers

log = logging.getLogger(__name__)

_CHUNK = 500
# The pages' decision reads what earlier pages listed: one daemon at a time (any
# constant; store/migrate.py holds 0x0051_0001).
_PAGING_LOCK = 0x0051_0002
# An on-call window is the closed spell so far, but at most a day: a sender capped on
# Friday night is paged again on Saturday night.
_WINDOW_MAX = timedelta(hours=24)


def triage_pass(
    engine: Transactions,
    settings: Settings,
    calendar: BusinessCalendar,
    renderer: TemplateRenderer,
    now: datetime,
) -> dict[str, int]:
    """Claim and queue every alert due at `now`; returns how many cases of each kind,
    `oncall_withheld` (cases a cap kept from paging) and `alert_mails` (mails queued).

    `engine` is an Engine, or a store.engine.Rehearsal for a dry run.
    """
    rules = alert_rules(
        timedelta(minutes=settings.scheduler.reminder_minutes),
        timedelta(minutes=settings.scheduler.sla_warning_minutes),
    )
    counts: dict[str, int] = {}
    mails = 0
    for rule in rules:
        counts[rule.kind] = 0
        while True:
            # In chunks, each its own transaction: a flood of alerts (after an outage)
            # never holds more than one chunk of mail in memory or in one commit.
            with engine.begin() as conn:
                claimed = _claim(conn, rule.kind, _condition(rule, now), now, notified=True)
                mails += _mail_digests(conn, settings, renderer, rule, claimed, now)
            counts[rule.kind] += len(claimed)
            if len(claimed) < _CHUNK:
                break
    if calendar.is_open(now):
        with engine.begin() as conn:
            _drop_waiting_pages(conn, "office_open")  # staff are here to read them
        counts[ONCALL_PAGE] = counts["oncall_withheld"] = 0
    else:
        with engine.begin() as conn:
            paged = _page_oncall(conn, settings, calendar, renderer, now)
        counts[ONCALL_PAGE], counts["oncall_withheld"], sent = paged
        mails += sent
    counts["alert_mails"] = mails
    counts["monthly_report"] = send_monthly_reports(engine, settings, calendar, renderer, now)
    if any(counts.values()):
        log.info("triage pass %s", " ".join(f"{k}={v}" for k, v in counts.items() if v))
    return counts


def _condition(rule: AlertRule, now: datetime) -> ColumnElement[bool]:
    due, done = cases.c[rule.due], cases.c[rule.done]
    pending = and_(done.is_(None), cases.c.status != "closed")
    if rule.trigger is Trigger.WARNING:
        return and_(pending, due <= now + rule.lead, due > now)
    if rule.trigger is Trigger.BREACH:
        # A deadline met late is a breach too, recorded even after the fact (BR-11).
        return or_(and_(pending, due <= now), done > due)
    return and_(pending, due <= now)


def _page_condition() -> ColumnElement[bool]:
    """A case the on-call duty must hear of outside hours (BR-7, BR-10)."""
    return and_(
        cases.c.critical.is_(True), cases.c.resolved_at.is_(None), cases.c.status != "closed"
    )


def _claim(
    conn: Connection, kind: str, condition: ColumnElement[bool], now: datetime, *, notified: bool
) -> list[int]:
    """Insert the (case, kind) alerts that do not exist yet; returns their case ids.

    `notified`: the caller mails them in this transaction; else (pages) they wait for
    the pager's decision with notified_at NULL.
    """
    already = exists().where(alerts.c.case_id == cases.c.id, alerts.c.kind == kind)
    candidates = (
        select(
            cases.c.id,
            literal(kind),
            literal(now, type_=UTCDateTime),
            literal(now if notified else None, type_=UTCDateTime),
        )
        .where(condition, ~already)
        .order_by(cases.c.id)
        .limit(_CHUNK)
    )
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(alerts)
        .from_select(["case_id", "kind", "created_at", "notified_at"], candidates)
        .on_conflict_do_nothing(index_elements=["case_id", "kind"])
        .returning(alerts.c.case_id)
    )
    return [case_id for (case_id,) in conn.execute(statement)]


def _mail_digests(
    conn: Connection,
    settings: Settings,
    renderer: TemplateRenderer,
    rule: AlertRule,
    case_ids: Sequence[int],
    now: datetime,
) -> int:
    """Queue the mails listing these cases of this kind, each recipient one;
    returns how many."""
    if not case_ids:
        return 0
    due = cases.c[rule.due]
    rows = conn.execute(
        select(cases, customers.c.primary_supporter, customers.c.secondary_supporter)
        .outerjoin(customers, customers.c.id == cases.c.customer_id)
        .where(cases.c.id.in_(list(case_ids)))
        .order_by(due, cases.c.number)  # the most urgent first, and in the subject
    )
    by_recipient: dict[str, list[Any]] = {}
    for row in rows:
        recipients = _recipients(row, rule.notify, settings)
        log.info("alert raised", extra={"case": row.number, "kind": rule.kind, "to": recipients})
        for address in recipients:
            by_recipient.setdefault(address, []).append(row)
    # Recipients with the same list share one mail (one case: one mail to all its
    # people, as before); the team lead, who hears of every case, gets one of their own.
    by_listing: dict[tuple[int, ...], tuple[list[str], list[Any]]] = {}
    for address, listed in by_recipient.items():
        key = tuple(row.id for row in listed)
        by_listing.setdefault(key, ([], listed))[0].append(address)
    outgoing = [
        _alert_mail(
            settings,
            renderer,
            rule.kind,
            (rule.subject, rule.digest_subject),
            addresses,
            [(row, getattr(row, rule.due)) for row in listed],
            now,
        )
        for addresses, listed in by_listing.values()
    ]
    repository.queue_outgoing(conn, outgoing, "notice", settings.support.name, now)
    return len(outgoing)


def _page_oncall(
    conn: Connection,
    settings: Settings,
    calendar: BusinessCalendar,
    renderer: TemplateRenderer,
    now: datetime,
) -> tuple[int, int, int]:
    """Claim the critical cases, then page as paging.plan_page says; returns the cases
    claimed, the cases withheld by a cap, and the pages queued (0 or 1)."""
    if conn.dialect.name == "postgresql":  # SQLite: BEGIN IMMEDIATE already serialises
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PAGING_LOCK})
    claimed = 0
    while True:
        batch = _claim(conn, ONCALL_PAGE, _page_condition(), now, notified=False)
        claimed += len(batch)
        if len(batch) < _CHUNK:
            break
    # A case resolved, or no longer critical, while its page waited needs none now.
    still_due = exists().where(cases.c.id == alerts.c.case_id, _page_condition())
    _drop_waiting_pages(conn, "settled", ~still_due)
    waiting = _waiting_pages(conn)
    if not waiting:
        return claimed, 0, 0
    window_start = max(calendar.last_closing(now), now - _WINDOW_MAX)
    plan = paging.plan_page(
        [paging.Pageable(row.id, *_who(row)) for row in waiting.values()],
        [paging.PastPage(row.notified_at, *_who(row)) for row in _paged_since(conn, window_start)],
        now,
        paging.PagingPolicy(
            timedelta(minutes=settings.scheduler.page_quiet_minutes),
            settings.scheduler.pages_per_sender,
            settings.scheduler.pages_per_customer,
        ),
    )
    return claimed, len(plan.withheld), _carry_out(conn, settings, renderer, plan, waiting, now)


def _carry_out(
    conn: Connection,
    settings: Settings,
    renderer: TemplateRenderer,
    plan: paging.PagePlan,
    waiting: dict[int, Any],
    now: datetime,
) -> int:
    """Record the plan on the alerts rows and queue its page; returns the pages (0, 1)."""
    for cap in set(plan.withheld.values()):
        _settle_pages(conn, [i for i, why in plan.withheld.items() if why == cap], withheld=cap)
    for case_id, cap in plan.withheld.items():
        row = waiting[case_id]
        log.info(
            "on-call page withheld",
            extra={"case": row.number, "cap": cap, "sender": row.customer_email},
        )
    if plan.hold:
        log.info("on-call pages wait for the quiet period", extra={"cases": len(plan.hold)})
    paged = _settle_pages(conn, plan.page, notified_at=now)
    if not paged:
        return 0
    listed = [(waiting[case_id], None) for case_id in plan.page if case_id in paged]
    page = _alert_mail(
        settings,
        renderer,
        ONCALL_PAGE,
        (ONCALL_SUBJECT, ONCALL_DIGEST_SUBJECT),
        [settings.support.oncall_address.lower()],
        listed,
        now,
        withheld=len(plan.withheld),
    )
    repository.queue_outgoing(conn, [page], "notice", settings.support.name, now)
    log.info("on-call paged", extra={"cases": [row.number for row, _ in listed]})
    return 1


def _who(row: Any) -> tuple[str, str]:
    """A case's sender and customer, as the caps count them."""
    return row.customer_email.lower(), paging.customer_key(row.customer_email, row.customer_id)


def _waiting_pages(conn: Connection) -> dict[int, Any]:
    """Cases whose page waits (claimed, not yet sent), oldest first, by case id."""
    rows = conn.execute(
        select(cases)
        .join(alerts, and_(alerts.c.case_id == cases.c.id, _waiting_page()))
        .order_by(cases.c.created_at, cases.c.number)
    )
    return {row.id: row for row in rows}


def _paged_since(conn: Connection, start: datetime) -> list[Any]:
    """The cases pages listed since `start`, with when and whose."""
    return list(
        conn.execute(
            select(alerts.c.notified_at, cases.c.customer_email, cases.c.customer_id)
            .join(cases, cases.c.id == alerts.c.case_id)
            .where(alerts.c.kind == ONCALL_PAGE, alerts.c.notified_at >= start)
        )
    )


def _waiting_page() -> Any:
    return and_(
        alerts.c.kind == ONCALL_PAGE, alerts.c.notified_at.is_(None), alerts.c.withheld.is_(None)
    )


def _drop_waiting_pages(conn: Connection, why: str, *where: Any) -> None:
    """Waiting pages that will never go out (the office opened, the case settled)."""
    done = conn.execute(update(alerts).where(_waiting_page(), *where).values(withheld=why))
    if done.rowcount:
        log.info("waiting on-call pages dropped", extra={"why": why, "cases": done.rowcount})


def _settle_pages(
    conn: Connection,
    case_ids: Sequence[int],
    *,
    notified_at: datetime | None = None,
    withheld: str | None = None,
) -> set[int]:
    """Settle waiting pages; returns the case ids that were still waiting."""
    if not case_ids:
        return set()
    statement = (
        update(alerts)
        .where(_waiting_page(), alerts.c.case_id.in_(list(case_ids)))
        .values(notified_at=notified_at, withheld=withheld)
        .returning(alerts.c.case_id)
    )
    return {case_id for (case_id,) in conn.execute(statement)}


def _alert_mail(
    settings: Settings,
    renderer: TemplateRenderer,
    kind: str,
    titles: tuple[str, str],
    recipients: list[str],
    listed: Sequence[tuple[Any, datetime | None]],
    now: datetime,
    withheld: int = 0,
) -> tuple[int, compose.Outgoing]:
    """One mail about the `listed` (case row, deadline) pairs, recorded on the first
    case: its reference is in the Subject, as on every mail the daemon sends.
    `titles`: the subject for one case, and for several ("{count}" of them)."""
    first = listed[0][0]
    title, digest_title = titles
    heading = title if len(listed) == 1 else digest_title.format(count=len(listed))
    subject = mail_subject(title, digest_title, len(listed), first.subject)
    mail = compose.build_message(
        support=settings.support,
        case_number=first.number,
        subject=tagged_subject(first.number, subject),
        recipients=recipients,
        answered=None,
        text=alert_text(renderer, settings, kind, heading, listed, withheld),
        html=None,
        auto_submitted="auto-generated",  # RFC 3834: it answers no message
        language="da",
        now=now,
    )
    return first.id, mail


def alert_text(
    renderer: TemplateRenderer,
    settings: Settings,
    kind: str,
    title: str,
    listed: Sequence[tuple[Any, datetime | None]],
    withheld: int = 0,
) -> str:
    """The body of one alert mail about one or more cases: `listed` holds (row,
    deadline) pairs, a row being a cases row (or any object with its columns). Apart
    from `_alert_mail` so check-config renders the template the same way."""
    tz = ZoneInfo(settings.support.timezone)

    def local(at: datetime) -> str:
        return at.astimezone(tz).strftime("%d.%m.%Y %H:%M")

    context = {
        "title": title,
        "kind": kind,
        "cases": [
            {
                "reference": format_reference(row.number),
                "subject": row.subject,
                "customer_email": row.customer_email,
                "agreement": row.agreement,
                "priority": row.priority,
                "critical": row.critical,
                "triage_rule": row.triage_rule,
                "created": local(row.created_at),
                "deadline": local(deadline) if deadline else None,
            }
            for row, deadline in listed
        ],
        "withheld": withheld,  # pages: cases a cap kept from this page
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
    }
    found: list[str] = []
    for role in roles:
        address = by_role.get(role)
        if address and address.lower() not in found:
            found.append(address.lower())
    return found
