"""What staff do to a case, whether by mail (daemon/pipeline/conversation.py) or at the command
line (`cases close`, `cases note`, `cases reply`, ...): the case changed by the rules
of daemon/domain/case_changes.py, the customer answered from the support address,
and each step written to the case's history with who did it. Everything runs in the
caller's transaction, so a change, its history and its mail commit together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from sqlalchemy import Connection, Row

from daemon.alert_queue import AlertMailer
from daemon.domain.alerts import CRITICAL_ALERT_RULE, alerts_at_once, warnings_about
from daemon.domain.business_calendar import BusinessCalendar
from daemon.domain.case_changes import (
    Applied,
    CaseState,
    CommandLimits,
    Event,
    apply_commands,
    history,
    staff_acted,
)
from daemon.domain.commands import Command
from daemon.domain.references import tagged_subject
from daemon.domain.staff import may_be_assigned
from daemon.mail import compose
from daemon.mail.render import TemplateRenderer
from daemon.settings import Settings, StaffSettings
from daemon.store import repository


def record(
    conn: Connection,
    case_id: int,
    events: Sequence[Event],
    actor: str,
    at: datetime,
    now: datetime,
) -> None:
    """Write `events` to the case's history as done by `actor` at `at`."""
    repository.insert_case_events(
        conn,
        [
            {
                "case_id": case_id,
                "at": at,
                "actor": actor,
                "action": e.action,
                "detail": e.detail,
                "created_at": now,
            }
            for e in events
        ],
    )


def command_limits(staff: StaffSettings) -> CommandLimits:
    """What `[staff]` allows: staff may be assigned; so much time one mail may log."""
    return CommandLimits(
        may_be_assigned=lambda a: may_be_assigned(a, staff.domains, staff.addresses),
        minutes_per_mail=staff.time_per_mail_minutes,
    )


def change_case(
    conn: Connection,
    row: Row[Any],
    commands: Sequence[Command],
    *,
    actor: str,
    at: datetime,
    now: datetime,
    calendar: BusinessCalendar,
    limits: CommandLimits,
    answered_customer: bool = False,
    message_pk: int | None = None,
    alerts: AlertMailer | None = None,
) -> Applied:
    """Apply staff commands to the case `row` (a cases row) as `actor` at `at`.

    What cannot apply is in the result's `errors` and changes nothing; the rest is
    written. `answered_customer`: the same action sent the customer words (BR-12).
    `alerts`: a case made critical while the office is open is told at once to its
    supporters (CRITICAL_ALERT, BR-6), in this transaction; None (commands that cannot
    make a case critical): no alert.
    """
    state = CaseState.of(row)
    applied = apply_commands(state, commands, at, calendar, limits)
    changes = staff_acted(state, applied.changes, at, answered_customer)
    if "critical" in changes and changes["critical"] != state.critical:
        # Why it is critical now (cases show, the alert); the classifier's own reason
        # stays in triage_reason.
        changes["critical_reason"] = f"marked critical by {actor}" if changes["critical"] else None
    repository.update_case(conn, row.id, updated_at=now, **changes)
    # A deadline moved (a priority changed): its warnings may come again (alerts).
    moved = [
        due
        for due, _ in repository.DEADLINES
        if due in changes and changes[due] != getattr(row, due)
    ]
    if moved:
        repository.forget_alerts(conn, row.id, warnings_about(moved))
    if alerts is not None and alerts_at_once(
        critical=changes.get("critical", state.critical),
        was_critical=state.critical,
        closed=changes.get("status", state.status) == "closed",
        office_open=calendar.is_open(now),
    ):
        alerts.claim_and_mail(conn, CRITICAL_ALERT_RULE, [row.id], now)
    repository.insert_time_entries(
        conn,
        [
            {
                "case_id": row.id,
                "minutes": t.minutes,
                "staff": actor,
                "at": t.started_at,
                "kind": t.kind,
                "after_hours": t.after_hours,
                "message_pk": message_pk,
                "created_at": now,
            }
            for t in applied.time_entries
        ],
    )
    record(conn, row.id, history(state, changes, applied.time_entries), actor, at, now)
    return applied


def queue_reply(
    conn: Connection,
    settings: Settings,
    renderer: TemplateRenderer,
    row: Row[Any],
    *,
    actor: str,
    staff_name: str,
    body: str,
    at: datetime,
    now: datetime,
) -> compose.Outgoing:
    """Send `body` to the case's customer from the support address, as a reply to
    their last mail, recorded on the case and queued in the outbox (kind "reply")."""
    # A call is answered as a mail is (its ack does so too): the reply threads with both.
    last = repository.last_inbound(conn, row.id, ["customer", "phone"])
    answered = compose.Answered(last.message_id, (last.references or "").split()) if last else None
    mail = compose.staff_reply(
        renderer=renderer,
        support=settings.support,
        case_number=row.number,
        case_subject=row.subject,
        staff_name=staff_name,
        staff_email=actor,
        body=body,
        customer_addr=row.customer_email,
        answered=answered,
        language=row.language,
        now=now,
    )
    repository.queue_outgoing(conn, [(row.id, mail)], "reply", settings.support.name, now)
    reply = Event("reply", {"message_id": mail.message_id, "to": mail.recipients})
    record(conn, row.id, [reply], actor, at, now)
    return mail


def answer_customer(
    conn: Connection,
    settings: Settings,
    renderer: TemplateRenderer,
    calendar: BusinessCalendar,
    row: Row[Any],
    *,
    actor: str,
    body: str,
    now: datetime,
) -> compose.Outgoing:
    """`cases reply`: what a relayed staff mail does, without the mail: the customer
    gets `body`, and the case counts as reviewed and answered (BR-6, BR-12)."""
    _acted_on(conn, settings, calendar, row, actor, now, answered_customer=True)
    return queue_reply(
        conn, settings, renderer, row, actor=actor, staff_name="", body=body, at=now, now=now
    )


def add_note(
    conn: Connection,
    settings: Settings,
    calendar: BusinessCalendar,
    row: Row[Any],
    *,
    actor: str,
    text: str,
    now: datetime,
) -> str:
    """`cases note`: an internal note on the case, stored as an #internal mail would be
    (a message of kind "note" that never reaches the customer). Returns its Message-ID."""
    support = settings.support
    message_id = compose.new_message_id(row.number, support.message_id_domain)
    subject = tagged_subject(row.number, f"Intern note: {row.subject}")
    # A mail-shaped record, as a phone call is kept: messages.raw is RFC 5322 bytes.
    raw = compose.mime_bytes(
        [
            ("From", actor),
            ("To", support.address),
            ("Subject", subject),
            ("Date", format_datetime(now)),
            ("Message-ID", message_id),
            ("X-OO-Channel", "cli"),
            ("MIME-Version", "1.0"),
        ],
        text,
        None,
    )
    repository.insert_messages(
        conn,
        [
            {
                "case_id": row.id,
                "direction": "in",
                "kind": "note",
                "message_id": message_id,
                "from_addr": actor,
                "from_name": "",
                "to_addrs": [support.address],
                "cc_addrs": [],
                "subject": subject,
                "body_text": text,
                "at": now,
                "size": len(raw),
                "raw": raw,
                "source": "cli",
                "created_at": now,
            }
        ],
    )
    _acted_on(conn, settings, calendar, row, actor, now)
    record(conn, row.id, [Event("note", {"message_id": message_id})], actor, now, now)
    return message_id


def _acted_on(
    conn: Connection,
    settings: Settings,
    calendar: BusinessCalendar,
    row: Row[Any],
    actor: str,
    now: datetime,
    answered_customer: bool = False,
) -> None:
    """Staff wrote on the case without a command: it counts as reviewed (BR-6), and as
    answered when the words went to the customer (BR-12)."""
    change_case(
        conn,
        row,
        (),
        actor=actor,
        at=now,
        now=now,
        calendar=calendar,
        limits=command_limits(settings.staff),
        answered_customer=answered_customer,
    )
