"""Cases as the JSON shapes INTERFACE.md fixes (tables for people: daemon/outputs/terminal.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row

from daemon.domain.billing import (
    AFTER_HOURS_FACTOR,
    Bill,
    ProjectTerms,
    Rates,
    bill_case,
    project_terms,
    proposed_oncall_fee,
)
from daemon.domain.references import format_reference
from daemon.store import repository

if TYPE_CHECKING:
    from daemon.domain.business_calendar import BusinessCalendar


def money(amount: Decimal) -> str:
    """Amounts as strings ("547.50"): exact, where a JSON number would be a float."""
    return f"{amount.quantize(Decimal('0.01')):f}"


def iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def case_summary(row: Row[Any]) -> dict[str, Any]:
    return {
        "number": row.number,
        "reference": format_reference(row.number),
        "subject": row.subject,
        "status": row.status,
        "priority": row.priority,
        "critical": row.critical,
        "critical_reason": row.critical_reason,
        "customer_email": row.customer_email,
        "customer_domain": row.customer_domain,
        "agreement": row.agreement,
        "channel": row.channel,
        "language": row.language,
        "assignee": row.assignee,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "review_due": iso(row.review_due),
        "reviewed_at": iso(row.reviewed_at),
        "response_due": iso(row.response_due),
        "resolve_due": iso(row.resolve_due),
        "first_response_at": iso(row.first_response_at),
        "resolved_at": iso(row.resolved_at),
        "flags": list(row.flags or []),
        # Looks like new work (BR-14): the words that suggested it; staff decide.
        "possible_project": row.possible_project,
        "linked_case_id": row.linked_case_id,
    }


def case_detail(
    conn: Connection, row: Row[Any], calendar: BusinessCalendar | None = None
) -> dict[str, Any]:
    """One case as `cases show --json` prints it; `calendar` judges whether a phone case
    came in after hours, for the fee it proposes (none without a calendar)."""
    found = repository.case_messages(conn, row.id)
    files = repository.attachments_of(conn, (m.id for m in found))
    detail = case_summary(row)
    detail["messages"] = [
        {
            "direction": m.direction,
            "kind": m.kind,
            "from": m.from_addr,
            "to": m.to_addrs,
            "cc": m.cc_addrs,
            "subject": m.subject,
            "message_id": m.message_id,
            "body_text": m.body_text,
            "at": iso(m.at),
            "attachments": [
                {"filename": a.filename, "content_type": a.content_type, "size": a.size}
                for a in files.get(m.id, [])
            ],
        }
        for m in found
    ]
    inputs = repository.billing_inputs(conn, [row])[row.id]
    entries = [entry for entry in inputs.work if entry.removed_at is None]  # `time remove`
    bill = bill_case(  # BR-10, BR-13..BR-18
        entries,
        agreement=row.agreement,
        project=terms_of(row),
        fees=inputs.fees,
        rates=inputs.rates,
    )
    detail["time_entries"] = [
        {
            "id": entry.id,  # for `time remove`
            "minutes": entry.minutes,
            "staff": entry.staff,
            "at": iso(entry.at),
            "kind": entry.kind,
            "after_hours": entry.after_hours,
            "amount": money(line.amount),  # excl. VAT; 0.00 when covered
        }
        for entry, line in zip(entries, bill.lines, strict=True)
    ]
    detail["fees"] = [{"description": f.description, "amount": money(f.amount)} for f in bill.fees]
    # Suggested, not billed: staff confirm with `cases fee N --oncall` (BR-10). Only a
    # phone case asks the calendar (whose holidays cost a tenth of a second to load).
    after_hours = (
        calendar is not None and row.channel == "phone" and not calendar.is_open(row.created_at)
    )
    proposal = proposed_oncall_fee(
        channel=row.channel, after_hours=after_hours, critical=row.critical, fees=bill.fees
    )
    detail["proposed_fees"] = [
        {
            "kind": proposal.kind,
            "description": proposal.fee.description,
            "amount": money(proposal.fee.amount),
            "reason": proposal.reason,
        }
        for proposal in [proposal]
        if proposal is not None
    ]
    detail["project"] = row.project
    detail["billing"] = billing_document(bill, inputs.rates)
    # The classifier's own verdict on arrival (BR-8, BR-9), which staff may since have
    # corrected: priority and critical above are the case's now. Unknown (None) for a
    # case corrected before migration 0017 kept it.
    detail["triage"] = {
        "priority": row.triage_priority,
        "critical": row.triage_critical,
        "rule": row.triage_rule,
        "reason": row.triage_reason,
    }
    # Reminders, escalations, on-call pages and SLA breaches sent about the case.
    detail["alerts"] = [
        {"kind": a.kind, "at": iso(a.created_at)} for a in repository.alerts_of(conn, row.id)
    ]
    # Who did what to it: staff by mail or at the command line, a reopening reply.
    detail["events"] = [
        {"at": iso(e.at), "actor": e.actor, "action": e.action, "detail": e.detail}
        for e in repository.case_events_of(conn, row.id)
    ]
    return detail


def terms_of(row: Any) -> ProjectTerms | None:
    """The project terms of a cases row (or anything with its columns; one without the
    terms' columns is billed at the project rate with no estimate)."""
    return project_terms(
        bool(getattr(row, "project", False)),
        senior=bool(getattr(row, "project_senior", False)),
        estimate_minutes=getattr(row, "project_estimate_minutes", None),
    )


def terms_document(row: Any) -> dict[str, Any] | None:
    """A case's project terms as `cases project --json` prints them; None: no project."""
    terms = terms_of(row)
    if terms is None:
        return None
    return {"rate_kind": terms.rate_kind, "estimate_minutes": terms.estimate_minutes}


def billing_document(bill: Bill, rates: Rates) -> dict[str, Any]:
    """A case's `billing` (INTERFACE.md); a project adds its rate, agreed and actual time
    and, with an estimate, the agreed lines the amount is the sum of (BR-15, BR-18)."""
    found: dict[str, Any] = {
        "billable_minutes": bill.billable_minutes,
        "covered_minutes": bill.covered_minutes,
        "amount_excl_vat": money(bill.amount_excl_vat),
        "vat": money(bill.vat),
        "amount_incl_vat": money(bill.amount_incl_vat),
        "currency": bill.currency,
        "project": None,
    }
    if bill.project is not None:
        hourly = rates.hourly(bill.project.rate_kind)
        found["project"] = {
            "rate_kind": bill.project.rate_kind,
            "hourly_rate": money(hourly),
            "estimate_minutes": bill.project.estimate_minutes,
            "actual_minutes": bill.project.actual_minutes,
            "agreed_lines": [
                {
                    "minutes": line.minutes,
                    "after_hours": line.after_hours,  # BR-16: twice the hourly rate
                    "hourly_rate": money(hourly * (AFTER_HOURS_FACTOR if line.after_hours else 1)),
                    "amount": money(line.amount),
                }
                for line in bill.agreed
            ],
        }
    return found


def uncased_summary(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,  # for `ignored retry`
        "kind": row.kind,
        "reason": row.reject_reason,
        "from": row.from_addr,
        "subject": row.subject,
        "message_id": row.message_id,
        "at": iso(row.at),
        "source": row.source,
        "size": row.size,
    }


def queued_mail(row: Row[Any]) -> dict[str, Any]:
    """One mail in the outbox (repository.outbox_after), as a dry run shows it."""
    return {
        "case": row.case_number,
        "kind": row.kind,
        "to": list(row.recipients),
        "subject": row.subject,
    }


def duplicate_summary(row: Row[Any]) -> dict[str, Any]:
    """A re-delivered mail (repository.duplicate_arrivals), shaped as `uncased_summary`."""
    on_case = f" on case {row.case_number}" if row.case_number is not None else ""
    return {
        "id": None,  # a repeat: the message it repeats is the one kept
        "kind": "duplicate",
        "reason": f"duplicate of message {row.original_pk}{on_case}",
        "from": row.from_addr,
        "subject": row.subject,
        "message_id": row.message_id,
        "at": iso(row.at),
        "source": row.source,
        "size": row.size,
    }
