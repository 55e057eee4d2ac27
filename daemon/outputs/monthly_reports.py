"""The monthly report mail: from the first business day of a month, each
customer's contact (and the account manager) gets the report of the month before,
once per customer and month.

Off unless `[reports] monthly_email = true`. Due from the opening of the month's
first business day until it is sent: a daemon that was down that whole day (or
crashed) sends it at its next pass in business hours, not never.

Exactly once, across restarts and daemons: one transaction claims the customer's
month, a report_runs row per domain of the customer under the unique key (month,
domain), and queues the mail in the outbox; whoever commits the claim sends, a
second daemon's INSERT waits for that commit and then fails on the key. A crash
before the commit leaves neither claim nor mail (the next pass sends it); after it,
the mail is in the outbox, whose sending survives restarts on its own (outbox.py).
A customer any of whose domains is claimed for the month has had its report: a
domain added to it later does not make a second one.

A pass reads the month once for every customer still due (four queries, not four a
customer) and makes at most `REPORTS_PER_PASS` mails; the rest go in the next passes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from daemon.domain.business_calendar import BusinessCalendar
from daemon.mail import compose
from daemon.mail.render import TemplateRenderer
from daemon.outputs import reports
from daemon.outputs.views import money
from daemon.settings import Settings
from daemon.store import repository
from daemon.store.engine import Transactions
from daemon.store.schema import report_runs

log = logging.getLogger(__name__)

# Report mails made in one scheduler pass (the rest in the next ones, a minute
# apart): the pass also sends alerts, which must not wait for 300 reports.
REPORTS_PER_PASS = 50


def previous_month_if_due(now: datetime, calendar: BusinessCalendar, tz: str) -> str | None:
    """ "YYYY-MM" of last month when `now` is in business hours on or after the month's
    first business day, else None."""
    if not calendar.is_open(now):
        return None
    local = now.astimezone(ZoneInfo(tz))
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if now < calendar.next_opening(month_start):
        return None
    last = month_start - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def send_monthly_reports(
    engine: Transactions,
    settings: Settings,
    calendar: BusinessCalendar,
    renderer: TemplateRenderer,
    now: datetime,
) -> int:
    """Queue the report mails that are due now; returns how many were queued."""
    if not settings.reports.monthly_email:
        return 0
    tz = settings.support.timezone
    month = previous_month_if_due(now, calendar, tz)
    if month is None:
        return 0
    with engine.begin() as conn:
        claimed = set(
            conn.execute(
                select(report_runs.c.customer_domain).where(report_runs.c.month == month)
            ).scalars()
        )
    due = []
    for customer in settings.customers:
        recipients = [a for a in (customer.contact, settings.reports.account_manager) if a]
        domains = sorted({d.strip().lower() for d in customer.domains})
        if recipients and domains and not claimed.intersection(domains):
            due.append((customer.name, recipients, domains))
    due = due[:REPORTS_PER_PASS]
    if not due:
        return 0
    # One report of every due customer (four queries), cut into each customer's below.
    with engine.begin() as conn:
        month_report = reports.build_report(
            conn, month, tz, [d for *_, domains in due for d in domains], now=now
        )
    queued = 0
    for name, recipients, domains in due:
        with engine.begin() as conn:
            if not _claim(conn, month, domains, now):
                continue  # sent already, by another daemon
            found = reports.report_of(month_report, domains)
            mail = compose.build_message(
                support=settings.support,
                case_number=0,  # about no single case
                subject=f"Supportrapport {month} - {name}",
                recipients=recipients,
                answered=None,
                text=_summary(found, month),
                html=reports.report_html(found, renderer),
                auto_submitted="auto-generated",
                language="da",
                now=now,
            )
            repository.queue_outgoing(conn, [(None, mail)], "report", settings.support.name, now)
        queued += 1
        log.info("monthly report queued month=%s customer=%s", month, name)
    return queued


def _claim(conn: Connection, month: str, domains: list[str], now: datetime) -> bool:
    """Claim the customer's month in this transaction: False when another daemon (or
    an earlier pass) has. Domains in sorted order, so two claimants never deadlock."""
    try:
        with conn.begin_nested():
            conn.execute(
                insert(report_runs),
                [{"month": month, "customer_domain": d, "created_at": now} for d in domains],
            )
    except IntegrityError:
        return False
    return True


def _summary(found: reports.Report, month: str) -> str:
    totals = found.totals
    return (
        f"Supportrapport for {month}.\n\n"
        f"Beløb ekskl. moms: {money(totals.amount_excl_vat)} kr.\n"
        f"Beløb inkl. moms: {money(totals.amount_incl_vat)} kr.\n\n"
        "Hele rapporten med sager og SLA står i HTML-delen af denne mail.\n"
    )
