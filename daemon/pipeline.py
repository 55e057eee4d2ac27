"""The one way an inbound mail goes: parse -> dedupe -> classify -> store -> queue replies.

Every source (IMAP, the SMTP listener) hands raw bytes to `Pipeline.ingest_batch`,
which commits them in one transaction with a savepoint per mail: a mail that fails
is recorded as rejected (its bytes kept) without losing the others, and nothing is
half-written. A mail whose identity (Message-ID, else its bytes) is already stored
is a duplicate and changes nothing, which is what makes re-reading after a crash safe.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from daemon.clock import Clock
from daemon.domain.autoreply import automatic_reason
from daemon.domain.calendar import BusinessCalendar
from daemon.domain.language import detect_language
from daemon.domain.sla import Priority, deadlines
from daemon.mail import compose
from daemon.mail.parse import (
    ParsedMail,
    ParseError,
    dedupe_key,
    header_text,
    parse,
    sniff_message_id,
)
from daemon.mail.render import TemplateRenderer
from daemon.settings import Settings
from daemon.store import repository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboundMail:
    raw: bytes
    source: str  # "imap:INBOX", "smtp"
    received_at: datetime
    uidvalidity: int | None = None
    uid: int | None = None


class Outcome(StrEnum):
    CREATED = "created"  # a new case, acknowledged
    DUPLICATE = "duplicate"  # seen before: nothing changed
    IGNORED = "ignored"  # automatic mail: kept, no case, no answer
    REJECTED = "rejected"  # cannot become a case: kept raw with the reason


@dataclass(frozen=True)
class IngestResult:
    outcome: Outcome
    case_number: int | None = None
    reason: str | None = None


class Pipeline:
    def __init__(
        self,
        settings: Settings,
        renderer: TemplateRenderer,
        calendar: BusinessCalendar,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.renderer = renderer
        self.calendar = calendar
        self.clock = clock

    def ingest_batch(self, engine: Engine, mails: Sequence[InboundMail]) -> list[IngestResult]:
        """Ingest and commit `mails`; raises only when the database is unreachable."""
        with engine.begin() as conn:
            return [self._ingest_isolated(conn, mail) for mail in mails]

    def _ingest_isolated(self, conn: Connection, mail: InboundMail) -> IngestResult:
        try:
            with conn.begin_nested():
                return self.ingest(conn, mail)
        except (OperationalError, InterfaceError):
            raise  # the database is gone: the whole batch is retried later
        except IntegrityError as exc:
            if "dedupe_key" not in str(exc.orig):
                raise
            # Another daemon committed the same mail first.
            return IngestResult(Outcome.DUPLICATE)
        except (ParseError, DBAPIError, Exception) as exc:  # noqa: BLE001
            # A mail our code or the database cannot take: keep it, say why, go on.
            log.exception("ingest failed source=%s uid=%s", mail.source, mail.uid)
            with conn.begin_nested():
                return self._reject(
                    conn, mail, None, f"internal error: {type(exc).__name__}: {exc}"
                )

    def ingest(self, conn: Connection, mail: InboundMail) -> IngestResult:
        try:
            parsed = parse(mail.raw)
        except ParseError as exc:
            return self._reject(conn, mail, None, str(exc))
        key = dedupe_key(parsed.message_id, mail.raw)
        if repository.is_known_inbound(conn, key):
            return IngestResult(Outcome.DUPLICATE)
        if not parsed.from_addr:
            return self._reject(conn, mail, parsed, "no sender address", key)
        support = self.settings.support
        reason = automatic_reason(
            lambda name: header_text(parsed.message, name),
            parsed.from_addr,
            support.address,
            support.message_id_domain,
        )
        if reason is not None:
            self._store_message(conn, mail, parsed, key, None, "ignored", reason)
            log.info("ignored automatic mail from=%s reason=%r", parsed.from_addr, reason)
            return IngestResult(Outcome.IGNORED, reason=reason)
        return self._open_case(conn, mail, parsed, key)

    def _open_case(
        self, conn: Connection, mail: InboundMail, parsed: ParsedMail, key: str
    ) -> IngestResult:
        now = self.clock()
        received_at = mail.received_at
        customer = repository.customer_by_domain(conn, parsed.sender_domain)
        language = (customer.language if customer else None) or detect_language(
            parsed.subject, parsed.body_text
        )
        due = deadlines(received_at, Priority.NORMAL, False, self.calendar)
        case_id, number = repository.insert_case(
            conn,
            subject=parsed.subject,
            status="new",
            priority=Priority.NORMAL.value,
            critical=False,
            channel="email",
            customer_id=customer.id if customer else None,
            customer_email=parsed.from_addr,
            customer_domain=parsed.sender_domain,
            agreement=bool(customer and customer.agreement),  # BR-22
            language=language,
            created_at=received_at,
            updated_at=now,
            review_due=due.review_due,
            response_due=due.response_due,
            resolve_due=due.resolve_due,
        )
        self._store_message(conn, mail, parsed, key, case_id, "customer", None)
        if self.settings.support.acknowledge:
            ack = compose.acknowledgement(
                renderer=self.renderer,
                support=self.settings.support,
                case_number=number,
                case_subject=parsed.subject,
                language=language,
                customer_name=parsed.from_name,
                customer_addr=parsed.from_addr,
                answered=compose.Answered(parsed.message_id, parsed.references),
                received_at=received_at,
                review_due=due.review_due,
                outside_hours=not self.calendar.is_open(received_at),
                now=now,
            )
            self.queue(conn, ack, case_id, "ack", now)
        log.info("case created case=%s from=%s source=%s", number, parsed.from_addr, mail.source)
        return IngestResult(Outcome.CREATED, case_number=number)

    def queue(
        self,
        conn: Connection,
        outgoing: compose.Outgoing,
        case_id: int | None,
        kind: str,
        now: datetime,
    ) -> None:
        """Record an outgoing mail on its case and queue it, in the caller's transaction."""
        message_pk = repository.insert_message(
            conn,
            case_id=case_id,
            direction="out",
            kind=kind,
            message_id=outgoing.message_id,
            in_reply_to=outgoing.in_reply_to,
            references=outgoing.references,
            from_addr=outgoing.sender,
            from_name=self.settings.support.name,
            to_addrs=outgoing.recipients,
            cc_addrs=[],
            subject=outgoing.subject,
            body_text=outgoing.body_text,
            at=now,
            size=len(outgoing.raw),
            raw=outgoing.raw,
            source="daemon",
            created_at=now,
        )
        repository.enqueue(
            conn,
            message_pk=message_pk,
            case_id=case_id,
            envelope_from=outgoing.sender,
            recipients=outgoing.recipients,
            now=now,
        )

    def _store_message(
        self,
        conn: Connection,
        mail: InboundMail,
        parsed: ParsedMail,
        key: str,
        case_id: int | None,
        kind: str,
        reason: str | None,
    ) -> int:
        message_pk = repository.insert_message(
            conn,
            case_id=case_id,
            direction="in",
            kind=kind,
            message_id=parsed.message_id,
            in_reply_to=parsed.in_reply_to,
            references=" ".join(parsed.references),
            from_addr=parsed.from_addr,
            from_name=parsed.from_name,
            to_addrs=parsed.to,
            cc_addrs=parsed.cc,
            subject=parsed.subject,
            body_text=parsed.body_text,
            at=mail.received_at,
            size=len(mail.raw),
            raw=mail.raw,
            dedupe_key=key,
            source=mail.source,
            source_uidvalidity=mail.uidvalidity,
            source_uid=mail.uid,
            reject_reason=reason,
            created_at=self.clock(),
        )
        repository.insert_attachments(conn, message_pk, parsed.attachments)
        return message_pk

    def _reject(
        self,
        conn: Connection,
        mail: InboundMail,
        parsed: ParsedMail | None,
        reason: str,
        key: str | None = None,
    ) -> IngestResult:
        key = key or dedupe_key(sniff_message_id(mail.raw), mail.raw)
        if repository.is_known_inbound(conn, key):
            return IngestResult(Outcome.DUPLICATE)
        repository.insert_message(
            conn,
            case_id=None,
            direction="in",
            kind="rejected",
            message_id=parsed.message_id if parsed else sniff_message_id(mail.raw),
            from_addr=parsed.from_addr if parsed else None,
            subject=parsed.subject if parsed else "",
            body_text=parsed.body_text if parsed else "",
            at=mail.received_at,
            size=len(mail.raw),
            raw=mail.raw,
            dedupe_key=key,
            source=mail.source,
            source_uidvalidity=mail.uidvalidity,
            source_uid=mail.uid,
            reject_reason=reason,
            created_at=self.clock(),
        )
        log.warning("mail rejected source=%s uid=%s reason=%r", mail.source, mail.uid, reason)
        return IngestResult(Outcome.REJECTED, reason=reason)
