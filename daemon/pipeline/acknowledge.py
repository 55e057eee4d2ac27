"""Step: answer a new case with its acknowledgement.

Decides (daemon/domain/ack_policy.py): every new case is acknowledged with its number
and when it will be reviewed (BR-3, BR-6, BR-7; outside hours what the on-call duty
is for, BR-10), also without an agreement (BR-22), unless `[support] acknowledge` is
off, the mail was judged spam or its sender forged, or the sender, their domain or
all senders together had their hourly share: then the case is flagged
ACK_SUPPRESSED instead. The acknowledgements of a run are queued in one statement.
"""

from __future__ import annotations

import logging

from daemon.domain.ack_policy import AckLimits, ack_hours, rate_limited
from daemon.mail import compose
from daemon.pipeline.batch import Run
from daemon.pipeline.plan import NewCase, Plan
from daemon.pipeline.step import Step
from daemon.store import repository

log = logging.getLogger(__name__)

ACK_SUPPRESSED = "acknowledgement suppressed"


class Acknowledge(Step):
    def process(self, run: Run, plan: Plan) -> None:
        support = self.tools.settings.support
        case, case_id, number = plan.new_case, plan.case_id, plan.case_number
        if case is None or case_id is None or number is None or not support.acknowledge:
            return  # not a new case (the store step numbers those), or acks are off
        limits = AckLimits(
            support.ack_limit_per_hour,
            support.ack_limit_per_domain_per_hour,
            support.ack_limit_total_per_hour,
        )
        sender = plan.parsed.from_addr
        why = plan.item.no_ack or rate_limited(sender, run.acks_sent, limits)
        if why is not None:
            repository.update_case(run.conn, case_id, flags=[*plan.flags, ACK_SUPPRESSED])
            log.warning("ack suppressed", extra={"case": number, "to": sender, "why": why})
            return
        run.acks_sent.count(sender)
        plan.acknowledgement = self._acknowledgement(plan, case, number, run)

    def finish(self, run: Run) -> None:
        acks = [(p.case_id, p.acknowledgement) for p in run.plans if p.acknowledgement]
        if acks:
            support = self.tools.settings.support
            repository.queue_outgoing(run.conn, acks, "ack", support.name, run.now)

    def _acknowledgement(
        self, plan: Plan, case: NewCase, number: int, run: Run
    ) -> compose.Outgoing:
        parsed = plan.parsed
        return compose.acknowledgement(
            renderer=self.tools.renderer,
            support=self.tools.settings.support,
            case_number=number,
            case_subject=case.subject,
            language=case.language,
            customer_name=parsed.from_name,
            customer_addr=parsed.from_addr,
            answered=compose.Answered(parsed.message_id, parsed.references),
            received_at=case.created_at,
            review_due=case.review_due,
            hours=ack_hours(self.tools.calendar, case.created_at, run.now, case.language),
            now=run.now,
            channel=case.channel,
            critical=case.critical,
        )
