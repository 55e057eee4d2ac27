"""Step: for a mail that opens a case, what the case is: its criticality, priority and
deadlines, its customer and language.

Decides, as the mail arrives (BR-6): criticality and priority by the triage rules
(daemon/domain/triage, BR-8, BR-9) on what the customer wrote now, not the quoted
thread; review, response and resolve deadlines from its arrival (daemon/domain/sla.py,
BR-7, BR-11, BR-12); whether the sender's domain has an agreement (BR-22).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from daemon.domain.language import detect_language
from daemon.domain.references import strip_references
from daemon.domain.sla import Priority, deadlines
from daemon.domain.triage import Rule, classify
from daemon.domain.triage.model import Triage as TriageResult
from daemon.inbound import Outcome, Prepared
from daemon.mail.parse import ParsedMail
from daemon.mail.quotes import new_text
from daemon.pipeline.batch import Run
from daemon.pipeline.plan import NewCase, Plan
from daemon.pipeline.step import Step


class Triage(Step):
    def process(self, run: Run, plan: Plan) -> None:
        if not plan.opens_case:
            return
        parsed, received_at = plan.parsed, plan.item.mail.received_at
        customer = run.customers.get(parsed.sender_domain)
        found = plan.item.triage or classified(parsed, self.tools.triage_rules)
        due = deadlines(
            received_at, Priority(found.priority), found.critical, self.tools.calendar
        )
        plan.new_case = NewCase(
            subject=case_subject(parsed.subject),
            status="new",
            priority=found.priority,
            critical=found.critical,
            triage_rule=found.rule,
            critical_reason=found.reason if found.critical else None,  # rule and the words (BR-8)
            channel=plan.item.mail.channel,
            customer_id=customer.id if customer else None,
            customer_email=parsed.from_addr,
            customer_domain=parsed.sender_domain,
            agreement=bool(customer and customer.agreement),  # BR-22
            language=(customer.language if customer else None)
            or plan.item.language
            or detect_language(parsed.subject, parsed.body_text),
            created_at=received_at,
            updated_at=run.now,
            review_due=due.review_due,
            response_due=due.response_due,
            resolve_due=due.resolve_due,
            flags=list(plan.flags),
            linked_case_id=plan.linked.id if plan.linked else None,
        )


def classified(parsed: ParsedMail, rules: Sequence[Rule]) -> TriageResult:
    """The triage rules on the mail (BR-8, BR-9): only what the customer wrote now, as a
    quoted "konto er låst" from last year's thread must not page the on-call duty."""
    return classify(parsed.subject, new_text(parsed.body_text), rules)


def worked_out_ahead(prepared: Prepared, rules: Sequence[Rule]) -> Prepared:
    """`prepared` with its triage and language, if it may open a case: done in a
    parsing worker, so the step finds them (Prepared.triage, .language)."""
    parsed = prepared.parsed
    if parsed is None or prepared.outcome is not Outcome.CREATED or prepared.is_staff:
        return prepared
    return dataclasses.replace(
        prepared,
        triage=classified(parsed, rules),
        language=detect_language(parsed.subject, parsed.body_text),
    )


# Outlook shows at most 255 characters of a subject; a longer one (seen: 1 MB) would
# be copied into every mail about the case. The whole subject stays on the message.
MAX_CASE_SUBJECT = 255


def case_subject(subject: str) -> str:
    subject = strip_references(subject)
    if len(subject) <= MAX_CASE_SUBJECT:
        return subject
    return subject[: MAX_CASE_SUBJECT - 1].rstrip() + "…"
