"""Step: for a mail that opens a case, what the case is: its criticality, priority and
deadlines, its customer and language, and whether it looks like a project.

Decides, as the mail arrives (BR-6): criticality and priority by the triage rules
(daemon/domain/triage, BR-8, BR-9) on what the customer wrote now, not the quoted
thread; review, response and resolve deadlines from its arrival (daemon/domain/sla.py,
BR-7, BR-11, BR-12); whether the sender's domain has an agreement (BR-22); whether it
is about something new, a possible project (daemon/domain/new_work.py, BR-14).
"""

from __future__ import annotations

from daemon.domain.language import detect_language
from daemon.domain.new_work import possible_project
from daemon.domain.references import strip_references
from daemon.domain.sla import Priority, deadlines
from daemon.domain.triage import classify
from daemon.domain.triage.model import Triage as Verdict
from daemon.mail.quotes import new_text
from daemon.pipeline.batch import Run
from daemon.pipeline.plan import NewCase, Plan
from daemon.pipeline.step import Step, Tools
from daemon.reading import triage_text
from daemon.reading import worked_out_ahead as worked_out_ahead  # the workers' part


class Triage(Step):
    def process(self, run: Run, plan: Plan) -> None:
        if not plan.opens_case:
            return
        parsed, received_at = plan.parsed, plan.item.mail.received_at
        customer = run.customers.get(parsed.sender_domain)
        said = said_now(plan)
        found = judged(self.tools, plan, said)
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
            triage_priority=found.priority,
            triage_critical=found.critical,
            triage_reason=found.reason,
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
            possible_project=possible_project(parsed.subject, said),  # staff decide (BR-14)
        )


def said_now(plan: Plan) -> str:
    """What the customer wrote now, without the quoted thread; worked out ahead in a
    parsing worker when the mail came through one."""
    return plan.item.said if plan.item.said is not None else new_text(plan.parsed.body_text)


def judged(tools: Tools, plan: Plan, said: str) -> Verdict:
    """The triage rules' verdict (BR-8, BR-9) on what the customer wrote now (`said`),
    not the quoted thread: a quoted "konto er låst" from last year's thread must not
    page the on-call duty tonight. Worked out ahead in a parsing worker when the mail
    came through one."""
    parsed = plan.parsed
    return plan.item.triage or classify(
        parsed.subject, triage_text(parsed.subject, parsed.body_text, said), tools.triage_rules
    )


# Outlook shows at most 255 characters of a subject; a longer one (seen: 1 MB) would
# be copied into every mail about the case. The whole subject stays on the message.
MAX_CASE_SUBJECT = 255


def case_subject(subject: str) -> str:
    subject = strip_references(subject)
    if len(subject) <= MAX_CASE_SUBJECT:
        return subject
    return subject[: MAX_CASE_SUBJECT - 1].rstrip() + "…"
