"""The periodic jobs: review reminders and escalations, on-call pages, SLA warnings and
breaches, and in normal hours the critical cases nobody was told of yet (BR-6; most
are told at once where they become critical). `triage_pass` is one pass at a given
instant; `oo-support run` calls it every [scheduler] interval, `oo-support triage
--once` once.

Each alert is claimed with INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING on
the unique (case, kind) key, in the same transaction that queues its mail
(daemon/alert_queue.py): whoever inserts the row sends the mail, so a re-run or a
second daemon never sends it again.

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

from sqlalchemy import ColumnElement, Connection, and_, exists, or_, select, text, update

from daemon.alert_queue import CHUNK, AlertMailer, claim
from daemon.domain import paging
from daemon.domain.alerts import (
    CRITICAL_ALERT,
    CRITICAL_ALERT_RULE,
    ONCALL_DIGEST_SUBJECT,
    ONCALL_PAGE,
    ONCALL_SUBJECT,
    AlertRule,
    Trigger,
    alert_rules,
)
from daemon.domain.business_calendar import BusinessCalendar
from daemon.domain.sla import WALL_CLOCK_PRIORITIES
from daemon.mail.render import TemplateRenderer
from daemon.outputs.monthly_reports import send_monthly_reports
from daemon.settings import Settings
from daemon.store import repository
from daemon.store.engine import Transactions
from daemon.store.schema import alerts, cases

log = logging.getLogger(__name__)

# The pages' decision reads what earlier pages listed: one daemon at a time (any
# constant; store/migrate.py holds 0x0051_0001).
_PAGING_LOCK = 0x0051_0002
# An on-call window is the closed spell so far, but at most a day: a sender capped on
# Friday night is paged again on Saturday night.
_WINDOW_MAX = timedelta(hours=24)
# A critical case nobody was told of is told at the first pass in normal hours if its
# review was due at most this long ago (_unalerted_critical).
_ALERT_AT_ONCE_WITHIN = timedelta(hours=24)


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
    mailer = AlertMailer(settings, renderer)
    counts: dict[str, int] = {}
    mails = 0
    office_open = calendar.is_open(now)
    if office_open:
        with engine.begin() as conn:
            _drop_waiting_pages(conn, "office_open")  # staff are here to read them
    for rule, condition in [(rule, _condition(rule, now, calendar)) for rule in rules] + (
        [(CRITICAL_ALERT_RULE, _unalerted_critical(now))] if office_open else []
    ):
        counts[rule.kind] = 0
        while True:
            # In chunks, each its own transaction: a flood of alerts (after an outage)
            # never holds more than one chunk of mail in memory or in one commit.
            with engine.begin() as conn:
                claimed = claim(conn, rule.kind, condition, now, notified=True)
                mails += mailer.mail_digests(conn, rule, claimed, now)
            counts[rule.kind] += len(claimed)
            if len(claimed) < CHUNK:
                break
    if office_open:
        counts[ONCALL_PAGE] = counts["oncall_withheld"] = 0
    else:
        counts[CRITICAL_ALERT] = 0
        with engine.begin() as conn:
            paged = _page_oncall(conn, mailer, calendar, now)
        counts[ONCALL_PAGE], counts["oncall_withheld"], sent = paged
        mails += sent
    counts["alert_mails"] = mails
    counts["monthly_report"] = send_monthly_reports(engine, settings, calendar, renderer, now)
    if any(counts.values()):
        log.info("triage pass %s", " ".join(f"{k}={v}" for k, v in counts.items() if v))
    return counts


def _condition(
    rule: AlertRule, now: datetime, calendar: BusinessCalendar
) -> ColumnElement[bool]:
    due, done = cases.c[rule.due], cases.c[rule.done]
    pending = and_(done.is_(None), cases.c.status != "closed")
    if rule.trigger is Trigger.WARNING:
        # A warning comes `lead` before the deadline on the clock the deadline runs on
        # (sla.runs_on_wall_clock): in open time for one in normal hours (BR-7, BR-12),
        # so a review due Friday 08:10 is reminded of at Thursday 15:55, 45 minutes
        # into its hour, not at 07:55 before anyone is in. Open time left is never
        # more than wall time left, so the first bound is the wider: the review_due
        # index scans that range, the second keeps only the wall-clock ones in it.
        in_open_time = calendar.add_business_minutes(now, rule.lead // timedelta(minutes=1))
        return and_(
            pending,
            due > now,
            due <= in_open_time,
            or_(~_runs_on_wall_clock(rule.due), due <= now + rule.lead),
        )
    if rule.trigger is Trigger.BREACH:
        # A deadline met late is a breach too, recorded even after the fact (BR-11).
        return or_(and_(pending, due <= now), done > due)
    return and_(pending, due <= now)


def _runs_on_wall_clock(due_column: str) -> ColumnElement[bool]:
    """sla.runs_on_wall_clock as SQL, for the case column `due_column`: a critical
    case's review (BR-7), a High case's response and resolution (BR-12)."""
    if due_column == "review_due":
        return cases.c.critical.is_(True)
    return cases.c.priority.in_([priority.value for priority in WALL_CLOCK_PRIORITIES])


def _unalerted_critical(now: datetime) -> ColumnElement[bool]:
    """A critical case nobody was told of yet, in normal hours (BR-6): the pipeline and
    staff actions alert at once (alert_queue), so this catches what they could not, e.g.
    a case whose on-call page still waited when the office opened, and was dropped for
    the staff who are now here to read it. Never one the on-call duty was paged about,
    nor one staff have already looked at, nor one whose review was due more than
    _ALERT_AT_ONCE_WITHIN ago (its escalation has told the team lead long since; and
    the review_due index keeps the question cheap)."""
    paged = exists().where(
        alerts.c.case_id == cases.c.id,
        alerts.c.kind == ONCALL_PAGE,
        or_(alerts.c.withheld.is_(None), alerts.c.withheld != "office_open"),
    )
    recent = cases.c.review_due > now - _ALERT_AT_ONCE_WITHIN
    return and_(recent, _page_condition(), cases.c.reviewed_at.is_(None), ~paged)


def _page_condition() -> ColumnElement[bool]:
    """A case the on-call duty must hear of outside hours (BR-7, BR-10)."""
    return and_(
        cases.c.critical.is_(True), cases.c.resolved_at.is_(None), cases.c.status != "closed"
    )


def _page_oncall(
    conn: Connection, mailer: AlertMailer, calendar: BusinessCalendar, now: datetime
) -> tuple[int, int, int]:
    """Claim the critical cases, then page as paging.plan_page says; returns the cases
    claimed, the cases withheld by a cap, and the pages queued (0 or 1)."""
    if conn.dialect.name == "postgresql":  # SQLite: BEGIN IMMEDIATE already serialises
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PAGING_LOCK})
    claimed = 0
    while True:
        batch = claim(conn, ONCALL_PAGE, _page_condition(), now, notified=False)
        claimed += len(batch)
        if len(batch) < CHUNK:
            break
    # A case resolved, or no longer critical, while its page waited needs none now.
    still_due = exists().where(cases.c.id == alerts.c.case_id, _page_condition())
    _drop_waiting_pages(conn, "settled", ~still_due)
    waiting = _waiting_pages(conn)
    if not waiting:
        return claimed, 0, 0
    window_start = max(calendar.last_closing(now), now - _WINDOW_MAX)
    settings = mailer.settings
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
    return claimed, len(plan.withheld), _carry_out(conn, mailer, plan, waiting, now)


def _carry_out(
    conn: Connection,
    mailer: AlertMailer,
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
    settings = mailer.settings
    page = mailer.alert_mail(
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
