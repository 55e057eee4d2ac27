"""The monthly report mail: on the first business day of a month, each
customer's contact (and the account manager) gets the report of the month before.

Off unless `[reports] monthly_email = true`. Runs with the scheduler's passes, from
the first pass in business hours of that day; a unique (month, domain) row decides
who sends, so a second daemon or a re-run never sends a report twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from daemon.domain.business_calendar import BusinessCalendar
from daemon.mail import compose
from daemon.mail.render import TemplateRenderer
from daemon.outputs import reports
from daemon.settings import Settings
from daemon.store import repository
from daemon.store.engine import Transactions
from daemon.store.schema import report_runs

log = logging.getLogger(__name__)


def previous_month_if_due(now: datetime, calendar: BusinessCalendar, tz: str) -> str | None:
    """ "YYYY-MM" of last month when `now` is in the first business day's hours, else None."""
    if not calendar.is_open(now):
        return None
    local = now.astimezone(ZoneInfo(tz))
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if calendar.next_opening(month_start).date() != local.date():
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
    queued = 0
    for customer in settings.customers:
        recipients = [a for a in (customer.contact, settings.reports.account_manager) if a]
        if not recipients:
            continue
        for domain in customer.domains:
            with engine.begin() as conn:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(report_runs).values(
                                month=month, customer_domain=domain.lower(), created_at=now
                            )
                        )
                except IntegrityError:
                    continue  # sent already, by us or another daemon
                found = reports.build_report(conn, month, tz, domain, now=now)
                mail = compose.build_message(
                    support=settings.support,
                    case_number=0,  # about no single case
                    subject=f"Supportrapport {month} - {customer.name}",
                    recipients=recipients,
                    answered=None,
                    text=_summary(found, month),
                    html=reports.report_html(found, renderer),
                    auto_submitted="auto-generated",
                    language="da",
                    now=now,
                )
                repository.queue_outgoing(
                    conn, [(None, mail)], "report", settings.support.name, now
                )
                queued += 1
                log.info("monthly report queued month=%s domain=%s", month, domain)
    return queued


def _summary(found: reports.Report, month: str) -> str:
    data = reports.report_json(found)
    totals = data["totals"]
    return (
        f"Supportrapport for {month}.\n\n"
        f"Beløb ekskl. moms: {totals['amount_excl_vat']} kr.\n"
        f"Beløb inkl. moms: {totals['amount_incl_vat']} kr.\n\n"
        "Hele rapporten med sager og SLA står i HTML-delen af denne mail.\n"
    )
