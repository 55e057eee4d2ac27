"""What one inbound mail is as it goes through the pipeline: plain data, no behaviour.

Kept apart from daemon/pipeline/ so sources and steps can name these types without
importing the pipeline package that imports them.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from daemon.domain.language import Language
from daemon.domain.staff import ListenerProof
from daemon.domain.triage.model import ReplyVerdicts, Triage
from daemon.mail.dsn import Bounce
from daemon.mail.parse import ParsedMail
from daemon.mail.spooled import Raw


@dataclass(frozen=True)
class InboundMail:
    # A large mail from IMAP is spooled to a temporary file (daemon/mail/spooled.py,
    # issue 18); its readers take it a chunk at a time.
    raw: Raw
    source: str  # "imap:INBOX", "smtp"
    received_at: datetime
    uidvalidity: int | None = None
    uid: int | None = None
    channel: str = "email"  # "phone": a call staff registered (BR-2), always a new case
    # What the SMTP listener verified itself about the sender (SMTP AUTH, DKIM); its
    # mail is never judged by the Authentication-Results its sender wrote.
    listener_proof: ListenerProof | None = None


# An InboundMail but its bytes as a plain tuple, as the parsing pool's dispatcher sends
# it to a worker: pickling the dataclass (its reduce, a state dict) cost the dispatcher's
# thread ~5 us a mail alone and several times that beside the pass thread, the tuple
# of its values ~1.5 (issue 18, daemon23).
_BESIDE_RAW = tuple(field.name for field in fields(InboundMail))[1:]
_values_beside_raw = operator.attrgetter(*_BESIDE_RAW)


def beside_raw(mail: InboundMail) -> tuple[Any, ...]:
    """Every field of `mail` but `raw` (its first), in their order."""
    values: tuple[Any, ...] = _values_beside_raw(mail)
    return values


def with_raw(raw: Raw, values: tuple[Any, ...]) -> InboundMail:
    """The InboundMail of `raw` and the other fields' `values` (beside_raw's)."""
    return InboundMail(raw, *values)


class Outcome(StrEnum):
    CREATED = "created"  # a new case, acknowledged
    THREADED = "threaded"  # a message on an existing case
    DUPLICATE = "duplicate"  # seen before: nothing changed
    IGNORED = "ignored"  # automatic mail: kept, no case, no answer
    REJECTED = "rejected"  # cannot become a case: kept raw with the reason
    DEFERRED = "deferred"  # the database refused even the raw bytes: the source keeps it
    # Failed or crashed `[imap] max_attempts` times: kept raw with the reason, no case,
    # moved to the quarantine folder; `oo-support ignored retry` runs it again.
    QUARANTINED = "quarantined"


@dataclass(frozen=True)
class IngestResult:
    outcome: Outcome
    case_number: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Prepared:
    """A mail with everything decided about it that needs no database."""

    mail: InboundMail
    key: str
    parsed: ParsedMail | None
    outcome: Outcome  # CREATED, IGNORED, REJECTED or QUARANTINED, before threading and dedupe
    reason: str | None = None
    is_staff: bool = False  # verified: staff domain and trusted authentication
    unverified_staff: bool = False  # staff domain, but nothing vouches for it
    bounce: Bounce | None = None
    # Why a new case from this mail gets no acknowledgement (spam verdict, forged
    # sender); None: the rate limits decide.
    no_ack: str | None = None
    # Worked out ahead, in a parsing worker, for a mail that may open a case (the
    # pipeline's triage step does it itself when None): what the triage rules and the
    # language guess say of it. Pure, so the same wherever it is computed.
    triage: Triage | None = None
    language: Language | None = None
    said: str | None = None  # what the customer wrote now, the quoted thread cut off
    # For a mail that may be a reply (it names a case or answers a message): both verdicts
    # on its news that decide whether it makes its case critical (follow_up.chosen), so
    # the daemon's process, which learns the case, need not hold the rules (issue 18).
    reply_verdicts: ReplyVerdicts | None = None
