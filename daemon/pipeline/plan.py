"""What the pipeline decided about one mail, filled in step by step: plain typed data.

A step reads the fields earlier steps set and sets its own; the comment on each field
names the step that sets it (the order is `STEPS` in daemon/pipeline/__init__.py).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from daemon.domain.case_threading import CaseView
from daemon.domain.commands import CommandBlock
from daemon.domain.language import Language
from daemon.inbound import IngestResult, Outcome, Prepared
from daemon.mail.compose import Outgoing
from daemon.mail.parse import ParsedMail


class PlanKind(StrEnum):
    """Where a mail goes; all but DUPLICATE are the `kind` of its stored message row."""

    DUPLICATE = "duplicate"  # seen before: recorded as a re-delivery, nothing else
    QUARANTINED = "quarantined"  # failed too often: kept raw with why (the failure path)
    REJECTED = "rejected"  # cannot become a case: kept raw with why
    IGNORED = "ignored"  # automatic mail that belongs to no case: kept, never answered
    AUTO = "auto"  # automatic mail on the case it belongs to: recorded, never answered
    BOUNCE = "bounce"  # a delivery report about one of our mails
    PHONE = "phone"  # a call staff registered: always a new case (BR-2)
    CUSTOMER = "customer"  # from a customer (or anyone not verified staff)
    STAFF = "staff"  # verified staff on a case: commands, maybe relayed
    NOTE = "note"  # verified staff, #internal: never sent to the customer


# Inbound mail kept without a case, with the reason (`oo-support ignored list`).
KEPT_KINDS = (PlanKind.IGNORED.value, PlanKind.REJECTED.value, PlanKind.QUARANTINED.value)


@dataclass(frozen=True)
class NewCase:
    """The row of the case a mail opens (set by the triage step). Field names are the
    columns of `cases`."""

    subject: str
    status: str
    priority: str
    critical: bool
    triage_rule: str | None
    critical_reason: str | None
    triage_priority: str  # the classifier's verdict, kept when staff correct it
    triage_critical: bool
    triage_reason: str
    channel: str
    customer_id: int | None
    customer_email: str
    customer_domain: str
    agreement: bool
    language: Language
    created_at: datetime
    updated_at: datetime
    review_due: datetime
    response_due: datetime
    resolve_due: datetime
    flags: list[str]
    linked_case_id: int | None
    # Looks like new work (BR-14): the words that suggested it; staff decide.
    possible_project: str | None = None

    def row(self) -> dict[str, Any]:
        # Not dataclasses.asdict: that deep-copies every value, for nothing here.
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class StoredOriginal:
    """The stored message a repeat repeats (set by the dedupe step)."""

    message_pk: int
    position: tuple[str, int | None, int | None]  # source, UIDVALIDITY, UID


@dataclass
class Plan:
    """What to do with one mail, and what was done."""

    item: Prepared
    # dedupe: what a repeat repeats; the stored original, or the plan of the first
    # copy earlier in this batch (its message_pk is known once the store step ran).
    repeats: StoredOriginal | Plan | None = None
    # route:
    kind: PlanKind | None = None
    opens_case: bool = False
    case: CaseView | None = None  # the existing case it goes on
    linked: CaseView | None = None  # a new case that links this (long closed) one
    reopen: bool = False
    body_text: str | None = None  # what to show, when not the whole body
    commands: CommandBlock | None = None  # verified staff only
    flags: tuple[str, ...] = ()
    bounced_message_pk: int | None = None
    why: str = ""
    # triage (new cases only):
    new_case: NewCase | None = None
    # store:
    case_id: int | None = None
    case_number: int | None = None
    message_pk: int | None = None
    # acknowledge (new cases only): queued by that step once the run is through it.
    acknowledgement: Outgoing | None = None

    @property
    def parsed(self) -> ParsedMail:
        """The parsed mail: every plan routed past REJECTED/QUARANTINED has it."""
        assert self.item.parsed is not None, f"a {self.kind!r} plan without a parsed mail"
        return self.item.parsed

    @property
    def stored_as_message(self) -> bool:
        """Does this mail become a row of `messages`? Every routed mail but a repeat."""
        return self.kind is not None and self.kind is not PlanKind.DUPLICATE

    @property
    def on_existing_case(self) -> bool:
        return self.stored_as_message and not self.opens_case and self.case_id is not None

    def result(self) -> IngestResult:
        """What the source is told about this mail once the run is through."""
        if self.kind is PlanKind.DUPLICATE:
            return IngestResult(Outcome.DUPLICATE)
        if self.opens_case:  # why: e.g. a stranger may not join the case they quoted
            return IngestResult(Outcome.CREATED, self.case_number, self.why or None)
        if self.case_id is not None:
            return IngestResult(Outcome.THREADED, self.case_number, self.kind and self.kind.value)
        return IngestResult(self.item.outcome, reason=self.item.reason)
