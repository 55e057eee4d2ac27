"""Step: where a mail goes: a new case, an existing case, or the ignored pile.

Decides, with the threading rules of daemon/domain/case_threading.py (`thread`,
`may_join`): a reply joins its case by In-Reply-To/References or by the `[OO#n]`
tag, but only for the people who belong to the case; a customer's reply to a closed
case reopens it within the reopen window, later it opens a new case that links the
old one (BR-2, BR-3). A phone call is always a new case (BR-2). Automatic mail goes
on the case it belongs to, a bounce on the mail it bounces, else to the ignored pile:
never a case of its own, never answered. A verified staff member's mail on a case
carries commands (daemon/domain/commands.py); only the new part of a reply is shown.
"""

from __future__ import annotations

from datetime import timedelta

from daemon.domain.case_threading import CaseView, may_join, staff_names_two_cases, thread
from daemon.domain.case_threading import Route as Threading
from daemon.domain.commands import held_back, split_commands
from daemon.domain.references import find_reference
from daemon.inbound import Outcome
from daemon.mail.parse import ParsedMail
from daemon.mail.quotes import new_text
from daemon.pipeline.batch import Candidates, Run, thread_ids
from daemon.pipeline.plan import Plan, PlanKind
from daemon.pipeline.step import Step

UNVERIFIED_STAFF = "unverified staff sender"
AMBIGUOUS_SENDER = "ambiguous sender"


class Route(Step):
    def process(self, run: Run, plan: Plan) -> None:
        if plan.kind is not None:  # a duplicate: goes nowhere
            return
        item, parsed = plan.item, plan.item.parsed
        if item.outcome is Outcome.QUARANTINED:
            plan.kind = PlanKind.QUARANTINED
            return
        if item.outcome is Outcome.REJECTED or parsed is None:
            plan.kind = PlanKind.REJECTED
            return
        if item.mail.channel == "phone":  # BR-2: every call is a case
            plan.kind, plan.opens_case = PlanKind.PHONE, True
            return
        found = run.candidates
        is_staff = item.is_staff
        by_headers = _case_by_headers(found, parsed, is_staff)
        number = find_reference(parsed.subject)
        by_tag = found.by_number.get(number) if number is not None else None

        if item.outcome is Outcome.IGNORED:  # automatic: recorded where it belongs
            bounce = item.bounce
            if bounce is not None and bounce.original_message_id in found.outbound:
                plan.kind = PlanKind.BOUNCE
                plan.bounced_message_pk, plan.case_id = found.outbound[
                    bounce.original_message_id
                ]
                return
            # Only onto a case its sender may join, as a person's mail (headers first):
            # anyone can write Auto-Submitted, and a leaked Message-ID must not let a
            # stranger's text onto another customer's case that way either.
            target = next(
                (
                    case
                    for case in (by_headers, by_tag)
                    if case is not None
                    and may_join(parsed.from_addr, case, is_staff, parsed.sender_ambiguous)
                ),
                None,
            )
            plan.kind, plan.case = (PlanKind.AUTO, target) if target else (PlanKind.IGNORED, None)
            return

        flags = ((UNVERIFIED_STAFF,) if item.unverified_staff else ()) + (
            (AMBIGUOUS_SENDER,) if parsed.sender_ambiguous else ()
        )
        decision = thread(
            sender=parsed.from_addr,
            is_staff=is_staff,
            by_headers=by_headers,
            by_tag=by_tag,
            now=run.now,
            reopen_within=timedelta(days=self.tools.settings.support.reopen_days),
            sender_ambiguous=parsed.sender_ambiguous,
        )
        plan.why = decision.why
        if decision.route in (Threading.NEW, Threading.NEW_LINKED):
            plan.kind, plan.opens_case, plan.flags = PlanKind.CUSTOMER, True, flags
            plan.linked = decision.case if decision.route is Threading.NEW_LINKED else None
            return
        plan.case = decision.case
        # On an existing case: only the new part of a reply is shown (the raw stays stored).
        if is_staff:
            # Quotes first: a reply holding only "#status closed" over the quoted thread
            # must relay nothing, not the history.
            said = new_text(parsed.body_text)
            block = split_commands(said)
            conflict = staff_names_two_cases(by_headers, by_tag)
            if conflict is not None and by_tag is not None:
                plan.case, plan.why = by_tag, conflict
                block = held_back(said, parsed.subject, conflict)
            plan.kind = PlanKind.NOTE if block.internal else PlanKind.STAFF
            plan.body_text, plan.commands = block.rest.strip(), block
            return
        plan.kind, plan.flags = PlanKind.CUSTOMER, flags
        plan.reopen = decision.route is Threading.REOPEN
        # A parsing worker cut the quotes already for the triage (Prepared.said): the
        # same new_text of the same body, not worked out again in the pass's thread.
        plan.body_text = item.said if item.said is not None else new_text(parsed.body_text)


def _case_by_headers(found: Candidates, parsed: ParsedMail, is_staff: bool) -> CaseView | None:
    """The case the mail's In-Reply-To/References name: the most direct id's first.

    One Message-ID may be held by several cases: one reused by a device, or a leaked
    one a stranger sent a mail under (a case of its own, never a duplicate). Then the
    first case the sender may join, in the order the ids are named; else, as with one
    case, the first named (the threading rules then keep the sender out of it). Taken
    at random, one stranger's mail under a customer's id sent the colleague's reply to
    a new case, away from the thread (BR-2).
    """
    named = [case for i in thread_ids(parsed) for case in found.by_message_id.get(i, ())]
    return next(
        (
            case
            for case in named
            if may_join(parsed.from_addr, case, is_staff, parsed.sender_ambiguous)
        ),
        named[0] if named else None,
    )
