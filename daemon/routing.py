"""Where each mail of a batch goes (a new case, an existing case, the ignored pile),
decided within the pipeline's store step (daemon/pipeline.py, `_store_run`) with a
few lookups for the whole batch.

The decisions themselves are the pure rules of daemon/domain/case_threading.py; this
module only finds the candidate cases and turns each mail into a Plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection

from daemon.domain.case_threading import CaseView, Route, may_join, participants, thread
from daemon.domain.commands import CommandBlock, split_commands
from daemon.domain.references import find_reference
from daemon.inbound import Outcome, Prepared
from daemon.mail.parse import ParsedMail
from daemon.mail.quotes import new_text
from daemon.store import repository

UNVERIFIED_STAFF = "unverified staff sender"
AMBIGUOUS_SENDER = "ambiguous sender"


@dataclass
class Plan:
    """What to do with one fresh (not duplicate) mail."""

    item: Prepared
    kind: str  # the kind of the inbound message row
    opens_case: bool = False
    case: CaseView | None = None  # the existing case it goes on
    linked: CaseView | None = None  # NEW_LINKED: the old case
    reopen: bool = False
    body_text: str | None = None  # what to show, when not the whole body
    commands: CommandBlock | None = None  # verified staff only
    flags: tuple[str, ...] = ()
    bounced_message_pk: int | None = None
    why: str = ""
    # Filled in while storing:
    case_id: int | None = None
    case_number: int | None = None
    message_pk: int | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def parsed(self) -> ParsedMail:
        """The parsed mail: every plan but a "rejected" one has it (see plan())."""
        assert self.item.parsed is not None, f"a {self.kind!r} plan without a parsed mail"
        return self.item.parsed


@dataclass(frozen=True)
class Candidates:
    by_number: dict[int, CaseView]
    by_message_id: dict[str, CaseView]
    outbound: dict[str, tuple[int, int | None]]  # Message-ID -> (message pk, case id)


def independent_runs(batch: Sequence[Prepared]) -> list[list[Prepared]]:
    """The batch cut before any mail that answers, or names the case of, an earlier one.

    Cases are looked up once per run, so a reply that arrives in the same batch as the
    mail it answers (or a customer's reply after a staff "#status closed") must be
    stored after it, when the earlier mail's case exists and its state is written.
    """
    runs: list[list[Prepared]] = []
    current: list[Prepared] = []
    ids: set[str] = set()
    numbers: set[int] = set()
    for item in batch:
        parsed = item.parsed
        mine = set(_thread_ids(parsed)) if parsed else set()
        number = find_reference(parsed.subject) if parsed else None
        if current and (mine & ids or (number is not None and number in numbers)):
            runs.append(current)
            current, ids, numbers = [], set(), set()
        current.append(item)
        if parsed is not None:
            ids |= mine | ({parsed.message_id} if parsed.message_id else set())
            if number is not None:
                numbers.add(number)
    if current:
        runs.append(current)
    return runs


def find_candidates(conn: Connection, batch: Sequence[Prepared]) -> Candidates:
    numbers: set[int] = set()
    ids: set[str] = set()
    bounced: set[str] = set()
    for item in batch:
        parsed = item.parsed
        if parsed is None:
            continue
        number = find_reference(parsed.subject)
        if number is not None:
            numbers.add(number)
        ids.update(_thread_ids(parsed))
        bounce = item.bounce
        if bounce is not None and bounce.original_message_id:
            bounced.add(bounce.original_message_id)
    id_by_number = repository.cases_by_number(conn, numbers)
    id_by_message = repository.cases_by_message_id(conn, ids)
    case_ids = set(id_by_number.values()) | set(id_by_message.values())
    rows = repository.case_rows(conn, case_ids)
    addresses = repository.case_addresses(conn, case_ids)
    views = {
        case_id: CaseView(
            id=row.id,
            number=row.number,
            status=row.status,
            customer_email=row.customer_email,
            customer_domain=row.customer_domain,
            resolved_at=row.resolved_at,
            participants=participants(addresses.get(case_id, set()) | {row.customer_email}),
            registered_customer=row.customer_id is not None,
        )
        for case_id, row in rows.items()
    }
    outbound = repository.outbound_by_message_id(conn, bounced)
    return Candidates(
        by_number={n: views[i] for n, i in id_by_number.items()},
        by_message_id={m: views[i] for m, i in id_by_message.items()},
        outbound={m: (row.id, row.case_id) for m, row in outbound.items()},
    )


def plan(item: Prepared, found: Candidates, now: datetime, reopen_within: timedelta) -> Plan:
    """The route of one mail that is not a duplicate."""
    parsed = item.parsed
    if item.outcome is Outcome.QUARANTINED:
        return Plan(item, "quarantined")
    if item.outcome is Outcome.REJECTED or parsed is None:
        return Plan(item, "rejected")
    if item.mail.channel == "phone":
        return Plan(item, "phone", opens_case=True)  # BR-2: every call is a case
    by_headers = next(
        (found.by_message_id[i] for i in _thread_ids(parsed) if i in found.by_message_id), None
    )
    number = find_reference(parsed.subject)
    by_tag = found.by_number.get(number) if number is not None else None
    is_staff = item.is_staff

    if item.outcome is Outcome.IGNORED:  # automatic mail: recorded where it belongs, never answered
        bounce = item.bounce
        if bounce is not None and bounce.original_message_id in found.outbound:
            message_pk, case_id = found.outbound[bounce.original_message_id]
            p = Plan(item, "bounce", bounced_message_pk=message_pk)
            p.case_id = case_id
            return p
        target = by_headers or (
            by_tag if by_tag and may_join(parsed.from_addr, by_tag, is_staff) else None
        )
        return Plan(item, "auto", case=target) if target else Plan(item, "ignored")

    flags = ((UNVERIFIED_STAFF,) if item.unverified_staff else ()) + (
        (AMBIGUOUS_SENDER,) if parsed.sender_ambiguous else ()
    )
    decision = thread(
        sender=parsed.from_addr,
        is_staff=is_staff,
        by_headers=by_headers,
        by_tag=by_tag,
        now=now,
        reopen_within=reopen_within,
        sender_ambiguous=parsed.sender_ambiguous,
    )
    if decision.route is Route.NEW:
        return Plan(item, "customer", opens_case=True, flags=flags, why=decision.why)
    if decision.route is Route.NEW_LINKED:
        return Plan(
            item, "customer", opens_case=True, linked=decision.case, flags=flags, why=decision.why
        )
    # On an existing case: only the new part of a reply is shown (the raw stays stored).
    if is_staff:
        # Quotes first: a reply holding only "#status closed" over the quoted thread
        # must relay nothing, not the history.
        block = split_commands(new_text(parsed.body_text))
        return Plan(
            item,
            "note" if block.internal else "staff",
            case=decision.case,
            body_text=block.rest.strip(),
            commands=block,
            why=decision.why,
        )
    return Plan(
        item,
        "customer",
        case=decision.case,
        reopen=decision.route is Route.REOPEN,
        body_text=new_text(parsed.body_text),
        flags=flags,
        why=decision.why,
    )


def _thread_ids(parsed: ParsedMail) -> list[str]:
    """Message-IDs a mail answers, the most direct first."""
    ids = [parsed.in_reply_to] if parsed.in_reply_to else []
    return ids + list(reversed(parsed.references))
