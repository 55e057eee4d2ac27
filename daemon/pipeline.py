"""The one way an inbound mail goes: parse -> dedupe -> classify -> store -> queue replies.

Every source (IMAP, the SMTP listener) hands raw bytes to `Pipeline.ingest_batch`:

1. `prepare` each mail (pure: parse, identity, is it automatic?);
2. `_store` the batch in one transaction, with a handful of bulk statements: the
   cases, every inbound message with its attachments, the acknowledgements and
   their outbox rows. Nothing is half-written: the batch commits whole, or not.

A mail whose identity (Message-ID, else its bytes) is stored already is a duplicate
and changes nothing, which is what makes re-reading after a crash safe. If the batch
cannot be stored (a mail the database refuses, another daemon racing us to the same
mail), it is stored again one mail at a time, each in a savepoint: a mail that still
fails is kept raw as rejected, with the reason, and the others go in.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from daemon.clock import Clock
from daemon.domain.autoreply import automatic_reason
from daemon.domain.calendar import BusinessCalendar
from daemon.domain.language import detect_language
from daemon.domain.sla import Priority, deadlines
from daemon.mail import compose
from daemon.mail.parse import ParsedMail, ParseError, dedupe_key, parse, sniff_message_id
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
    DEFERRED = "deferred"  # the database refused even the raw bytes: the source keeps it


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
    outcome: Outcome  # CREATED, IGNORED or REJECTED, before the duplicate check
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
        prepared = [self.prepare(mail) for mail in mails]
        try:
            with engine.begin() as conn:
                return self._store(conn, prepared)
        except (OperationalError, InterfaceError):
            raise  # the database is gone: the caller retries the batch later
        except Exception as exc:  # noqa: BLE001 - narrowed down one mail at a time below
            log.warning("batch of %s not stored at once (%s); one by one", len(mails), exc)
        with engine.begin() as conn:
            return [self._store_alone(conn, item) for item in prepared]

    # -- 1. prepare: pure ----------------------------------------------------------

    def prepare(self, mail: InboundMail) -> Prepared:
        try:
            parsed = parse(mail.raw)
        except ParseError as exc:
            return self._rejected(mail, None, str(exc))
        except Exception as exc:  # noqa: BLE001 - a parser bug must not lose the mail
            log.exception("parser failed source=%s uid=%s", mail.source, mail.uid)
            return self._rejected(mail, None, f"internal error: {type(exc).__name__}: {exc}")
        key = dedupe_key(parsed.message_id, mail.raw)
        if not parsed.from_addr:
            return Prepared(mail, key, parsed, Outcome.REJECTED, "no sender address")
        support = self.settings.support
        reason = automatic_reason(
            parsed.headers.text, parsed.from_addr, support.address, support.message_id_domain
        )
        if reason is not None:
            return Prepared(mail, key, parsed, Outcome.IGNORED, reason)
        return Prepared(mail, key, parsed, Outcome.CREATED)

    @staticmethod
    def _rejected(mail: InboundMail, parsed: ParsedMail | None, reason: str) -> Prepared:
        key = dedupe_key(sniff_message_id(mail.raw), mail.raw)
        return Prepared(mail, key, parsed, Outcome.REJECTED, reason)

    # -- 2. store: a few bulk statements per batch -----------------------------------

    def _store(self, conn: Connection, batch: Sequence[Prepared]) -> list[IngestResult]:
        now = self.clock()
        seen = repository.known_inbound(conn, (item.key for item in batch))
        results: list[IngestResult] = []
        fresh: list[Prepared] = []
        for item in batch:
            if item.key in seen:
                results.append(IngestResult(Outcome.DUPLICATE))
                continue
            seen.add(item.key)
            fresh.append(item)
            results.append(IngestResult(item.outcome, reason=item.reason))

        to_open = [item for item in fresh if item.outcome is Outcome.CREATED]
        customers = repository.customers_by_domain(
            conn, (item.parsed.sender_domain for item in to_open if item.parsed)
        )
        case_rows = [self._case_row(item, customers, now) for item in to_open]
        opened = repository.insert_cases(conn, case_rows)
        case_ids = {id(item): case_id for item, (case_id, _n) in zip(to_open, opened, strict=True)}

        inbound = [self._message_row(item, case_ids.get(id(item)), now) for item in fresh]
        inbound_pks = repository.insert_messages(conn, inbound)
        repository.insert_attachments(
            conn,
            [
                {
                    "message_pk": pk,
                    "part_index": a.part_index,
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "size": a.size,
                }
                for item, pk in zip(fresh, inbound_pks, strict=True)
                if item.parsed
                for a in item.parsed.attachments
            ],
        )
        if self.settings.support.acknowledge:
            acks = [
                (case_id, self._acknowledgement(item, row, number, now))
                for item, row, (case_id, number) in zip(to_open, case_rows, opened, strict=True)
            ]
            self.queue(conn, acks, "ack", now)

        numbers = iter(number for _id, number in opened)
        for index, result in enumerate(results):
            if result.outcome is Outcome.CREATED:
                results[index] = IngestResult(Outcome.CREATED, case_number=next(numbers))
        self._log(batch, results)
        return results

    def _store_alone(self, conn: Connection, item: Prepared) -> IngestResult:
        try:
            with conn.begin_nested():
                return self._store(conn, [item])[0]
        except (OperationalError, InterfaceError):
            raise
        except IntegrityError as exc:
            if "dedupe_key" in str(exc.orig):
                return IngestResult(Outcome.DUPLICATE)  # another daemon stored it first
            error: Exception = exc
        except Exception as exc:  # noqa: BLE001 - keep it raw and say why
            error = exc
        log.error("mail not storable source=%s uid=%s: %s", item.mail.source, item.mail.uid, error)
        # Only the bytes and the reason this time: the least the database must accept.
        reason = f"internal error: {type(error).__name__}: {error}".splitlines()[0]
        try:
            with conn.begin_nested():
                return self._store(conn, [self._rejected(item.mail, None, reason)])[0]
        except (OperationalError, InterfaceError):
            raise
        except Exception:  # noqa: BLE001
            log.exception("not even the raw mail is storable; left at its source")
            return IngestResult(Outcome.DEFERRED, reason=reason)

    def queue(
        self,
        conn: Connection,
        outgoing: Sequence[tuple[int | None, compose.Outgoing]],
        kind: str,
        now: datetime,
    ) -> None:
        """Record outgoing mail on its case and queue it, in the caller's transaction."""
        rows = [
            {
                "case_id": case_id,
                "direction": "out",
                "kind": kind,
                "message_id": mail.message_id,
                "in_reply_to": mail.in_reply_to,
                "references": mail.references,
                "from_addr": mail.sender,
                "from_name": self.settings.support.name,
                "to_addrs": mail.recipients,
                "cc_addrs": [],
                "subject": mail.subject,
                "body_text": mail.body_text,
                "at": now,
                "size": len(mail.raw),
                "raw": mail.raw,
                "source": "daemon",
                "created_at": now,
            }
            for case_id, mail in outgoing
        ]
        pks = repository.insert_messages(conn, rows)
        repository.enqueue(
            conn,
            [
                {
                    "message_pk": pk,
                    "case_id": case_id,
                    "envelope_from": mail.sender,
                    "recipients": mail.recipients,
                    "now": now,
                }
                for pk, (case_id, mail) in zip(pks, outgoing, strict=True)
            ],
        )

    # -- rows ----------------------------------------------------------------------

    def _case_row(self, item: Prepared, customers: dict[str, Any], now: datetime) -> dict[str, Any]:
        parsed = item.parsed
        assert parsed is not None
        customer = customers.get(parsed.sender_domain)
        due = deadlines(item.mail.received_at, Priority.NORMAL, False, self.calendar)
        return {
            "subject": parsed.subject,
            "status": "new",
            "priority": Priority.NORMAL.value,
            "critical": False,
            "channel": "email",
            "customer_id": customer.id if customer else None,
            "customer_email": parsed.from_addr,
            "customer_domain": parsed.sender_domain,
            "agreement": bool(customer and customer.agreement),  # BR-22
            "language": (customer.language if customer else None)
            or detect_language(parsed.subject, parsed.body_text),
            "created_at": item.mail.received_at,
            "updated_at": now,
            "review_due": due.review_due,
            "response_due": due.response_due,
            "resolve_due": due.resolve_due,
        }

    def _message_row(self, item: Prepared, case_id: int | None, now: datetime) -> dict[str, Any]:
        parsed, mail = item.parsed, item.mail
        kind = {Outcome.CREATED: "customer", Outcome.IGNORED: "ignored"}.get(
            item.outcome, "rejected"
        )
        row: dict[str, Any] = {
            "case_id": case_id,
            "direction": "in",
            "kind": kind,
            "at": mail.received_at,
            "size": len(mail.raw),
            "raw": mail.raw,
            "dedupe_key": item.key,
            "source": mail.source,
            "source_uidvalidity": mail.uidvalidity,
            "source_uid": mail.uid,
            "reject_reason": item.reason,
            "created_at": now,
            "to_addrs": [],
            "cc_addrs": [],
            "subject": "",
            "body_text": "",
            "message_id": sniff_message_id(mail.raw),
        }
        if parsed is not None:
            row |= {
                "message_id": parsed.message_id,
                "in_reply_to": parsed.in_reply_to,
                "references": " ".join(parsed.references),
                "from_addr": parsed.from_addr,
                "from_name": parsed.from_name,
                "to_addrs": parsed.to,
                "cc_addrs": parsed.cc,
                "subject": parsed.subject,
                "body_text": parsed.body_text,
            }
        return row

    def _acknowledgement(
        self, item: Prepared, case: dict[str, Any], number: int, now: datetime
    ) -> compose.Outgoing:
        parsed = item.parsed
        assert parsed is not None
        return compose.acknowledgement(
            renderer=self.renderer,
            support=self.settings.support,
            case_number=number,
            case_subject=parsed.subject,
            language=case["language"],
            customer_name=parsed.from_name,
            customer_addr=parsed.from_addr,
            answered=compose.Answered(parsed.message_id, parsed.references),
            received_at=case["created_at"],
            review_due=case["review_due"],
            outside_hours=not self.calendar.is_open(case["created_at"]),
            now=now,
        )

    @staticmethod
    def _log(batch: Sequence[Prepared], results: Sequence[IngestResult]) -> None:
        for item, result in zip(batch, results, strict=True):
            mail = item.mail
            sender = item.parsed.from_addr if item.parsed else None
            if result.outcome is Outcome.CREATED:
                log.info(
                    "case created case=%s from=%s source=%s",
                    result.case_number,
                    sender,
                    mail.source,
                )
            elif result.outcome is Outcome.IGNORED:
                log.info("ignored automatic mail from=%s reason=%r", sender, result.reason)
            elif result.outcome is Outcome.REJECTED:
                log.warning(
                    "mail rejected source=%s uid=%s reason=%r", mail.source, mail.uid, result.reason
                )
