"""What a message on an existing case does to it: customer replies reopen or wake it,
staff messages apply their commands and are relayed to the customer, bounces mark
the mail they bounce. Runs inside the pipeline's transaction, after the message
itself is stored (Plan.message_pk)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Connection

from daemon import staff_actions
from daemon.domain.business_calendar import BusinessCalendar
from daemon.domain.case_changes import CaseState, Event, history
from daemon.mail import compose
from daemon.mail.render import TemplateRenderer
from daemon.routing import Plan
from daemon.settings import Settings
from daemon.store import repository

log = logging.getLogger(__name__)


class Conversation:
    def __init__(
        self, settings: Settings, renderer: TemplateRenderer, calendar: BusinessCalendar
    ) -> None:
        self.settings = settings
        self.renderer = renderer
        self.calendar = calendar

    def apply(self, conn: Connection, plan: Plan, now: datetime) -> None:
        if plan.kind == "bounce":
            self._bounce(conn, plan)
        elif plan.kind in ("staff", "note"):
            self._staff(conn, plan, now)
        elif plan.kind == "customer":
            self._customer(conn, plan, now)
        elif plan.case_id is not None:
            repository.update_case(conn, plan.case_id, updated_at=now)

    def _customer(self, conn: Connection, plan: Plan, now: datetime) -> None:
        assert plan.case is not None
        row = repository.case_rows(conn, [plan.case.id])[plan.case.id]
        changes: dict[str, object] = {"updated_at": now}
        if plan.reopen or row.status == "closed":
            # Decided on the row as it is now: a staff "#status closed" earlier in the
            # same pass has already been written.
            window = timedelta(days=self.settings.support.reopen_days)
            if row.resolved_at is None or now - row.resolved_at <= window:
                changes |= {"status": "open", "resolved_at": None}
                log.info("case reopened by a customer reply", extra={"case": row.number})
        elif row.status == "waiting":
            changes["status"] = "open"  # the customer answered what we waited for
        if plan.flags and not set(plan.flags) <= set(row.flags or []):
            changes["flags"] = sorted(set(row.flags or []) | set(plan.flags))
        repository.update_case(conn, row.id, **changes)
        reopened = history(CaseState.of(row), changes)  # the status change, if any
        sender, at = plan.parsed.from_addr, plan.item.mail.received_at
        staff_actions.record(conn, row.id, reopened, sender, at, now)

    def _bounce(self, conn: Connection, plan: Plan) -> None:
        bounce = plan.item.bounce
        assert bounce is not None  # routing makes a "bounce" plan only for a bounce report
        detail = " ".join(
            part
            for part in (bounce.status, bounce.action, bounce.recipient, bounce.diagnostic)
            if part
        )
        # "delayed", "relayed" and "delivered" reports are kept on the case; only a
        # final failure (RFC 3464 action "failed", or a 5.x.x status) marks the mail.
        if bounce.action != "failed" and not (bounce.status or "").startswith("5"):
            return
        repository.mark_bounced(conn, plan.bounced_message_pk, f"bounced: {detail}".strip())
        log.warning(
            "outbound mail bounced", extra={"case": plan.case_number, "detail": detail}
        )

    def _staff(self, conn: Connection, plan: Plan, now: datetime) -> None:
        assert plan.case is not None and plan.commands is not None
        item = plan.item
        parsed = plan.parsed
        row = repository.case_rows(conn, [plan.case.id])[plan.case.id]
        at = item.mail.received_at

        support, customer = self.settings.support.address.lower(), row.customer_email.lower()
        has_text = bool((plan.body_text or "").strip())
        customer_has_it = customer in parsed.to or customer in parsed.cc  # sent or reply-all
        # Relayed: a note to support with words for the customer, who did not get it.
        relay = (
            not plan.commands.internal and has_text and support in parsed.to and not customer_has_it
        )
        to_customer = not plan.commands.internal and has_text and (relay or customer_has_it)
        applied = staff_actions.change_case(
            conn,
            row,
            plan.commands.commands,
            actor=parsed.from_addr,
            at=at,
            now=now,
            calendar=self.calendar,
            limits=staff_actions.command_limits(self.settings.staff),
            answered_customer=to_customer,
            message_pk=plan.message_pk,
        )
        errors = [f"{e.line}: {e.reason}" for e in plan.commands.errors] + applied.errors
        if plan.commands.internal and has_text:
            note = Event("note", {"message_id": parsed.message_id})
            staff_actions.record(conn, row.id, [note], parsed.from_addr, at, now)
        elif customer_has_it and has_text:  # they wrote to the customer themselves
            sent = Event("reply", {"message_id": parsed.message_id, "relayed": False})
            staff_actions.record(conn, row.id, [sent], parsed.from_addr, at, now)

        # Sent to support: we relay it. Sent to the customer with support in Cc: they
        # have it already, so it is only recorded.
        if relay:
            staff_actions.queue_reply(
                conn,
                self.settings,
                self.renderer,
                row,
                actor=parsed.from_addr,
                staff_name=parsed.from_name,
                body=plan.body_text or "",
                at=at,
                now=now,
            )
        if errors:
            notice = compose.command_errors(
                renderer=self.renderer,
                support=self.settings.support,
                case_number=row.number,
                staff_email=parsed.from_addr,
                errors=errors,
                answered=compose.Answered(parsed.message_id, parsed.references),
                now=now,
            )
            repository.queue_outgoing(
                conn, [(row.id, notice)], "notice", self.settings.support.name, now
            )
        log.info(
            "staff message",
            extra={
                "case": row.number,
                "from": parsed.from_addr,
                "commands": len(plan.commands.commands),
                "relayed": relay,
                "errors": len(errors),
            },
        )
