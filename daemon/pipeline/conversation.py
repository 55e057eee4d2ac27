"""Step: what a message on an existing case does to the case.

Decides (daemon/domain/case_mail.py): a customer's reply reopens a closed case within
the reopen window and wakes a waiting one (BR-2: one inquiry stays one case); a
verified staff member's mail applies its commands (daemon/staff_actions.py: status,
priority, time for billing BR-13..18) and is relayed to the customer by the relay
rule (`staff_mail_delivery`), with a notice back for commands it could not apply; a
bounce marks the mail it bounces failed when the failure is final; other automatic
mail only touches the case. Runs per mail in arrival order, after the store step,
so a staff "#status closed" is written before a customer's reply behind it is judged.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from daemon import staff_actions
from daemon.alert_queue import AlertMailer
from daemon.domain.alerts import CRITICAL_ALERT, CRITICAL_ALERT_RULE, ONCALL_PAGE, alerts_at_once
from daemon.domain.case_changes import CaseState, Event, critical_news, history
from daemon.domain.case_mail import (
    ReplyEffect,
    bounce_is_final,
    customer_reply_effect,
    staff_mail_delivery,
)
from daemon.domain.case_threading import CaseView
from daemon.domain.commands import CommandBlock
from daemon.domain.sla import Deadlines
from daemon.domain.triage.follow_up import chosen, follow_up_verdict
from daemon.domain.triage.learned import NAME as LEARNED_RULE
from daemon.mail import compose
from daemon.pipeline.batch import Run
from daemon.pipeline.plan import Plan, PlanKind
from daemon.pipeline.step import Step
from daemon.pipeline.triage import said_now
from daemon.reading import triage_text
from daemon.store import repository

log = logging.getLogger(__name__)


class Conversation(Step):
    def process(self, run: Run, plan: Plan) -> None:
        if not plan.on_existing_case:
            return
        match plan.kind:
            case PlanKind.BOUNCE:
                self._bounce(run, plan)
            case PlanKind.STAFF | PlanKind.NOTE if plan.case and plan.commands:
                run.write_cases()  # staff commands read and write cases themselves
                self._staff(run, plan, plan.case, plan.commands)
            case PlanKind.CUSTOMER if plan.case:
                self._customer(run, plan, plan.case)
            case _ if plan.case_id is not None:
                run.change_case(plan.case_id, updated_at=run.now)

    def finish(self, run: Run) -> None:
        run.write_cases()  # the replies' case changes, one statement per set of columns

    def _customer(self, run: Run, plan: Plan, case: CaseView) -> None:
        conn, now = run.conn, run.now
        # The row as it is now: a staff "#status closed" earlier in the same pass has
        # already been written.
        row = run.case_row(case.id)
        changes: dict[str, object] = {"updated_at": now}
        effect = customer_reply_effect(
            status=row.status,
            resolved_at=row.resolved_at,
            routed_to_reopen=plan.reopen,
            now=now,
            reopen_within=timedelta(days=self.tools.settings.support.reopen_days),
        )
        if effect is ReplyEffect.REOPEN:
            changes |= {"status": "open", "resolved_at": None}
            log.info("case reopened by a customer reply", extra={"case": row.number})
        elif effect is ReplyEffect.WAKE:
            changes["status"] = "open"  # the customer answered what we waited for
        if plan.flags and not set(plan.flags) <= set(row.flags or []):
            changes["flags"] = sorted(set(row.flags or []) | set(plan.flags))
        sender, at = plan.parsed.from_addr, plan.item.mail.received_at
        calendar = self.tools.calendar
        # A case that was not critical, and what the customer writes now is (BR-8,
        # BR-9: "nu kan ingen logge på"): critical from now. Only on a rule's match,
        # not the learned wording's guess: a follow-up is short and generic ("my
        # colleague has the same issue, details about the error below" scored 0.75),
        # and a wrong guess pages someone at night. Not for mail the border MTA called
        # spam or the sender's domain disowns (read.py): no ack, no alarm.
        # A critical case the reply reopens is judged afresh: its emergency was
        # resolved, and the on-call duty is paged (again) only if the reply brings it
        # back; a "Tak for hjælpen, alt virker igen" reopening it paged the duty at night
        # for the old emergency (BR-10: the duty is for critical inquiries only).
        reopened_critical = row.critical and effect is ReplyEffect.REOPEN
        found = None
        # Nor for a sender of a staff domain nothing vouches for (read.py): our own
        # side writing about the customer's trouble ("din konto var låst; jeg har
        # nulstillet din adgangskode") reports no emergency, and a forger of our
        # domain must not page the duty.
        if (
            (not row.critical or reopened_critical)
            and not plan.item.no_ack
            and not plan.item.unverified_staff
        ):
            # What is news in the reply: not the case's own subject (unless it reopens
            # that emergency), the signature, a problem told as over or long past.
            if plan.item.reply_verdicts is not None:  # worked out in a parsing worker
                found = chosen(plan.item.reply_verdicts, plan.parsed.subject, row.subject,
                               subject_is_news=reopened_critical)
            else:
                found = follow_up_verdict(
                    plan.parsed.subject,
                    triage_text(plan.parsed.subject, plan.parsed.body_text, said_now(plan)),
                    row.subject,
                    self.tools.reply_rules,
                    subject_is_news=reopened_critical,
                )
        critical_news_now = (
            found is not None
            and found.critical
            and found.rule != LEARNED_RULE
            and changes.get("status", row.status) != "closed"
        )
        turned_critical = critical_news_now and not row.critical
        if turned_critical and found is not None:
            current = Deadlines(row.review_due, row.response_due, row.resolve_due)
            changes |= critical_news(current, at, calendar)
            changes["critical_reason"] = found.reason
            log.info("case made critical by a customer's mail", extra={"case": row.number})
        elif reopened_critical and found is not None:
            if critical_news_now:
                turned_critical = True  # the emergency is back: told and paged anew
                repository.forget_alerts(conn, row.id, (ONCALL_PAGE, CRITICAL_ALERT))
            else:
                changes |= {"critical": False, "critical_reason": None}
        run.change_case(row.id, **changes)
        # The status change, if any, and the priority when the case became critical.
        staff_actions.record(conn, row.id, history(CaseState.of(row), changes), sender, at, now)
        if turned_critical and alerts_at_once(
            critical=True, was_critical=False, closed=False, office_open=calendar.is_open(now)
        ):
            # In hours the people at work are told at once (BR-6), as of a new critical
            # case; outside hours the scheduler's next pass pages the on-call duty
            # (BR-7, BR-10), which pages every critical case not yet paged.
            run.write_cases()  # the alert reads the case as it is now
            mailer = AlertMailer(self.tools.settings, self.tools.renderer)
            mailer.claim_and_mail(conn, CRITICAL_ALERT_RULE, [row.id], now)

    def _bounce(self, run: Run, plan: Plan) -> None:
        bounce = plan.item.bounce
        if bounce is None or not bounce_is_final(bounce.action, bounce.status):
            return  # a delay or a success report: kept on the case, nothing marked
        detail = " ".join(
            part
            for part in (bounce.status, bounce.action, bounce.recipient, bounce.diagnostic)
            if part
        )
        repository.mark_bounced(run.conn, plan.bounced_message_pk, f"bounced: {detail}".strip())
        log.warning("outbound mail bounced", extra={"case": plan.case_number, "detail": detail})

    def _staff(self, run: Run, plan: Plan, case: CaseView, block: CommandBlock) -> None:
        conn, now = run.conn, run.now
        settings = self.tools.settings
        item, parsed = plan.item, plan.parsed
        row = run.case_row(case.id)
        run.case_changed()  # commands may write more than this case's row
        at = item.mail.received_at
        has_text = bool((plan.body_text or "").strip())
        delivery = staff_mail_delivery(
            internal=block.internal,
            has_text=has_text,
            support_address=settings.support.address,
            customer_address=row.customer_email,
            to=parsed.to,
            cc=parsed.cc,
        )
        applied = staff_actions.change_case(
            conn,
            row,
            block.commands,
            actor=parsed.from_addr,
            at=at,
            now=now,
            calendar=self.tools.calendar,
            limits=staff_actions.command_limits(settings.staff),
            answered_customer=delivery.to_customer,
            message_pk=plan.message_pk,
            alerts=AlertMailer(settings, self.tools.renderer),
        )
        # A command-like line outside the block is not applied, and said so (stray).
        errors = [f"{e.line}: {e.reason}" for e in block.errors + block.stray] + applied.errors
        if block.internal and has_text:
            note = Event("note", {"message_id": parsed.message_id})
            staff_actions.record(conn, row.id, [note], parsed.from_addr, at, now)
        elif delivery.customer_has_it and has_text:  # they wrote to the customer themselves
            sent = Event("reply", {"message_id": parsed.message_id, "relayed": False})
            staff_actions.record(conn, row.id, [sent], parsed.from_addr, at, now)
        if delivery.relay:
            staff_actions.queue_reply(
                conn,
                settings,
                self.tools.renderer,
                row,
                actor=parsed.from_addr,
                staff_name=parsed.from_name,
                body=plan.body_text or "",
                at=at,
                now=now,
            )
        if errors:
            notice = compose.command_errors(
                renderer=self.tools.renderer,
                support=settings.support,
                case_number=row.number,
                staff_email=parsed.from_addr,
                errors=errors,
                answered=compose.Answered(parsed.message_id, parsed.references),
                now=now,
            )
            name = settings.support.name
            repository.queue_outgoing(conn, [(row.id, notice)], "notice", name, now)
        log.info(
            "staff message",
            extra={
                "case": row.number,
                "from": parsed.from_addr,
                "commands": len(block.commands),
                "relayed": delivery.relay,
                "errors": len(errors),
            },
        )
