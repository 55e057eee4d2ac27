"""An alert claimed on its unique (case, kind) key, and the mail about it queued in the
same transaction: whoever inserts the alerts row sends the mail, so a re-run, a
restart or a second daemon never sends it again.

Used by the scheduler's periodic jobs (daemon/scheduler.py) and by whatever makes a
case critical in business hours, at once: a new case (daemon/pipeline/alert_critical.py)
or staff (daemon/staff_actions.py). What is sent is coalesced: each recipient gets one
mail per kind listing all its cases, not one mail per case.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, exists, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from daemon.domain.alerts import AlertRule, mail_subject
from daemon.domain.references import format_reference, tagged_subject
from daemon.mail import compose
from daemon.mail.render import TemplateRenderer
from daemon.settings import Settings
from daemon.store import repository
from daemon.store.schema import UTCDateTime, alerts, cases, customers

log = logging.getLogger(__name__)

# One claim inserts at most this many alerts: a flood (after an outage) never holds
# more than one chunk of mail in memory or in one commit.
CHUNK = 500


def claim(
    conn: Connection, kind: str, condition: ColumnElement[bool], now: datetime, *, notified: bool
) -> list[int]:
    """Insert the (case, kind) alerts that do not exist yet for the cases meeting
    `condition`, at most CHUNK; returns their case ids.

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
        .limit(CHUNK)
    )
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(alerts)
        .from_select(["case_id", "kind", "created_at", "notified_at"], candidates)
        .on_conflict_do_nothing(index_elements=["case_id", "kind"])
        .returning(alerts.c.case_id)
    )
    return [case_id for (case_id,) in conn.execute(statement)]


def withhold(
    conn: Connection, kind: str, case_ids: Sequence[int], now: datetime, why: str
) -> list[int]:
    """Claim the (case, kind) alerts of these cases as never to be sent, with why: the
    claim keeps anyone from sending them later. Returns the case ids claimed."""
    if not case_ids:
        return []
    claimed = claim(conn, kind, cases.c.id.in_(list(case_ids)), now, notified=False)
    if claimed:
        conn.execute(
            update(alerts)
            .where(alerts.c.kind == kind, alerts.c.case_id.in_(claimed))
            .values(withheld=why)
        )
    return claimed


@dataclass(frozen=True)
class AlertMailer:
    """What alert mails are written with."""

    settings: Settings
    renderer: TemplateRenderer

    def claim_and_mail(
        self, conn: Connection, rule: AlertRule, case_ids: Sequence[int], now: datetime
    ) -> int:
        """Claim `rule`'s alert for each of these cases that has none yet and mail the
        ones claimed; returns the mails queued."""
        mails = 0
        for start in range(0, len(case_ids), CHUNK):
            chunk = list(case_ids[start : start + CHUNK])
            claimed = claim(conn, rule.kind, cases.c.id.in_(chunk), now, notified=True)
            mails += self.mail_digests(conn, rule, claimed, now)
        return mails

    def mail_digests(
        self, conn: Connection, rule: AlertRule, case_ids: Sequence[int], now: datetime
    ) -> int:
        """Queue the mails listing these cases of this kind, each recipient one;
        returns how many."""
        if not case_ids:
            return 0
        settings = self.settings
        due = cases.c[rule.due]
        rows = conn.execute(
            select(cases, customers.c.primary_supporter, customers.c.secondary_supporter)
            .outerjoin(customers, customers.c.id == cases.c.customer_id)
            .where(cases.c.id.in_(list(case_ids)))
            .order_by(due, cases.c.number)  # the most urgent first, and in the subject
        )
        by_recipient: dict[str, list[Any]] = {}
        for row in rows:
            recipients = recipients_of(row, rule.notify, settings)
            log.info(
                "alert raised", extra={"case": row.number, "kind": rule.kind, "to": recipients}
            )
            for address in recipients:
                by_recipient.setdefault(address, []).append(row)
        # Recipients with the same list share one mail (one case: one mail to all its
        # people, as before); the team lead, who hears of every case, gets one of their own.
        by_listing: dict[tuple[int, ...], tuple[list[str], list[Any]]] = {}
        for address, listed in by_recipient.items():
            key = tuple(row.id for row in listed)
            by_listing.setdefault(key, ([], listed))[0].append(address)
        outgoing = [
            self.alert_mail(
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

    def alert_mail(
        self,
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
            support=self.settings.support,
            case_number=first.number,
            subject=tagged_subject(first.number, subject),
            recipients=recipients,
            answered=None,
            text=alert_text(self.renderer, self.settings, kind, heading, listed, withheld),
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
    from `alert_mail` so check-config renders the template the same way."""
    tz = ZoneInfo(settings.support.timezone)

    def local(at: datetime) -> str:
        shown = at.astimezone(tz)
        text = shown.strftime("%d.%m.%Y %H:%M")
        # The night the clocks go back, 02:00-03:00 is shown twice: name the zone
        # ("02:30 CEST", "02:30 CET"), or a review due an hour after arrival (BR-7)
        # reads as due when it arrived.
        if shown.replace(fold=1 - shown.fold).utcoffset() != shown.utcoffset():
            text += f" {shown.tzname()}"
        return text

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
                "critical_reason": getattr(row, "critical_reason", None),
                "created": local(row.created_at),
                "deadline": local(deadline) if deadline else None,
            }
            for row, deadline in listed
        ],
        "withheld": withheld,  # pages: cases a cap kept from this page
        "support": settings.support.model_dump(),
    }
    return renderer.render("alert.txt.j2", context)


def recipients_of(row: Any, roles: Sequence[str], settings: Settings) -> list[str]:
    """The addresses of `roles` for a case row joined with its customer's supporters."""
    staff = settings.staff
    by_role = {
        "primary": row.primary_supporter or staff.primary,
        "secondary": row.secondary_supporter or staff.secondary,
        "team_lead": staff.team_lead,
        "team": staff.team,
        "assignee": row.assignee,
    }
    found: list[str] = []
    for role in roles:
        address = by_role.get(role)
        if address and address.lower() not in found:
            found.append(address.lower())
    return found
