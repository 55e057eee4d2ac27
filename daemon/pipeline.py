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

import functools
import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from daemon import routing
from daemon.clock import Clock
from daemon.conversation import Conversation
from daemon.domain.ack_policy import (
    AckLimits,
    AcksSent,
    forged_sender,
    rate_limited,
    spam_verdict,
)
from daemon.domain.autoreply import automatic_reason
from daemon.domain.business_calendar import BusinessCalendar
from daemon.domain.language import detect_language
from daemon.domain.references import strip_references
from daemon.domain.sla import Priority, deadlines
from daemon.domain.staff import ListenerProof, is_staff_domain, verified_staff
from daemon.domain.triage import Rule, classify, default_rules, rules_from_config
from daemon.inbound import InboundMail, IngestResult, Outcome, Prepared
from daemon.mail import compose
from daemon.mail.dsn import read_bounce
from daemon.mail.parse import ParsedMail, ParseError, dedupe_key, parse, sniff_message_id
from daemon.mail.quotes import new_text
from daemon.mail.render import TemplateRenderer
from daemon.settings import Settings
from daemon.store import repository

log = logging.getLogger(__name__)


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
        self.conversation = Conversation(settings, renderer, calendar)
        self._custom_rules = rules_from_config(settings.triage.rules)
        self.observers: list[
            Callable[[Sequence[InboundMail], Sequence[IngestResult], datetime], None]
        ] = []

    def use_settings(self, settings: Settings) -> None:
        """Settings re-read on SIGHUP (App.reload): here and in the conversation rules."""
        self.settings = settings
        self.conversation.settings = settings

    @functools.cached_property
    def triage_rules(self) -> tuple[Rule, ...]:
        """Configured rules first, then the built-in ones (built on first use)."""
        if self.settings.triage.replace_defaults:
            return self._custom_rules
        return self._custom_rules + default_rules()

    def ingest_batch(self, engine: Engine, mails: Sequence[InboundMail]) -> list[IngestResult]:
        """Ingest and commit `mails`; raises only when the database is unreachable."""
        results = self._ingest(engine, [self.prepare(mail) for mail in mails])
        for observe in self.observers:  # metrics; after the commit, so they count only facts
            observe(mails, results, self.clock())
        return results

    def quarantine(
        self, engine: Engine, held: Sequence[tuple[InboundMail, str]]
    ) -> list[IngestResult]:
        """Keep mails that failed too often raw, with why: no case, no answer, no parsing
        (parsing may be what fails). One that not even that stores is still reported
        quarantined: its source moves it aside so it stops coming back."""
        items = [
            Prepared(mail, dedupe_key(None, "", mail.raw), None, Outcome.QUARANTINED, why)
            for mail, why in held
        ]
        with engine.begin() as conn:
            results = [self._keep_quarantined(conn, item) for item in items]
        for observe in self.observers:
            observe([mail for mail, _ in held], results, self.clock())
        return results

    def _keep_quarantined(self, conn: Connection, item: Prepared) -> IngestResult:
        try:
            with conn.begin_nested():
                return self._store(conn, [item])[0]
        except (OperationalError, InterfaceError):
            raise
        except Exception as exc:  # noqa: BLE001 - the mail must stop blocking all the same
            log.error(
                "quarantined mail not storable source=%s uid=%s (%s): moved to the"
                " quarantine folder only, not listed by `ignored list`",
                item.mail.source,
                item.mail.uid,
                _reason(exc),
            )
            return IngestResult(Outcome.QUARANTINED, reason=item.reason)

    def _ingest(self, engine: Engine, prepared: list[Prepared]) -> list[IngestResult]:
        try:
            with engine.begin() as conn:
                return self._store(conn, prepared)
        except (OperationalError, InterfaceError):
            raise  # the database is gone: the caller retries the batch later
        except Exception as exc:  # noqa: BLE001 - narrowed down one mail at a time below
            log.warning(
                "batch of %s not stored at once (%s); one by one", len(prepared), _reason(exc)
            )
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
        key = dedupe_key(parsed.message_id, parsed.from_addr, mail.raw)
        if not parsed.from_addr:
            return Prepared(mail, key, parsed, Outcome.REJECTED, "no sender address")
        if mail.channel == "phone":  # staff typed it in: no mail rules apply
            return Prepared(mail, key, parsed, Outcome.CREATED)
        support, staff = self.settings.support, self.settings.staff
        reason = automatic_reason(
            parsed.headers.text, parsed.from_addr, support.address, support.message_id_domain
        )
        bounce = read_bounce(mail.raw) if reason and _is_report(parsed) else None
        # Mail from the listener is judged only on what the listener found itself,
        # never on headers its sender wrote (also when a caller gave no proof).
        listener = mail.listener_proof or (ListenerProof() if mail.source == "smtp" else None)
        trace = parsed.headers.in_order("Received", "Authentication-Results")
        is_staff = not parsed.sender_ambiguous and verified_staff(
            parsed.from_addr,
            trace,
            staff.domains,
            staff.trusted_authserv_ids,
            from_fields=len(parsed.headers.all("From")),
            listener=listener,
        )
        return Prepared(
            mail,
            key,
            parsed,
            Outcome.IGNORED if reason else Outcome.CREATED,
            reason,
            is_staff=is_staff,
            unverified_staff=not is_staff and is_staff_domain(parsed.from_addr, staff.domains),
            bounce=bounce,
            no_ack=spam_verdict(parsed.headers.all, support.spam_verdict_headers)
            or (
                None
                if listener is not None  # the listener's senders wrote their own headers
                else forged_sender(parsed.from_addr, trace, staff.trusted_authserv_ids)
            ),
        )

    @staticmethod
    def _rejected(mail: InboundMail, parsed: ParsedMail | None, reason: str) -> Prepared:
        key = dedupe_key(None, "", mail.raw)  # unreadable: its exact bytes are its identity
        return Prepared(mail, key, parsed, Outcome.REJECTED, reason)

    # -- 2. store: a few bulk statements per batch -----------------------------------

    def _store(self, conn: Connection, batch: Sequence[Prepared]) -> list[IngestResult]:
        """Store the batch in runs that do not depend on each other (see `runs`)."""
        results: list[IngestResult] = []
        for run in routing.independent_runs(batch):
            results += self._store_run(conn, run)
        return results

    def _store_run(self, conn: Connection, batch: Sequence[Prepared]) -> list[IngestResult]:
        now = self.clock()
        stored = repository.known_inbound(conn, (item.key for item in batch))
        fresh: list[Prepared] = []
        first: dict[str, Prepared] = {}  # the first of each identity in this batch
        repeats: list[Prepared] = []
        for item in batch:
            if item.key in stored or item.key in first:
                repeats.append(item)
            else:
                first[item.key] = item
                fresh.append(item)
        found = routing.find_candidates(conn, fresh)
        reopen_within = timedelta(days=self.settings.support.reopen_days)
        plans = [routing.plan(item, found, now, reopen_within) for item in fresh]
        self._open_cases(conn, [p for p in plans if p.opens_case], now)
        for p in plans:
            if p.case is not None:
                p.case_id, p.case_number = p.case.id, p.case.number
        pks = repository.insert_messages(conn, [self._message_row(p, now) for p in plans])
        for p, pk in zip(plans, pks, strict=True):
            p.message_pk = pk
        repository.insert_attachments(
            conn,
            [
                {
                    "message_pk": p.message_pk,
                    "part_index": a.part_index,
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "size": a.size,
                }
                for p in plans
                if p.item.parsed
                for a in p.item.parsed.attachments
            ],
        )
        self._record_repeats(conn, repeats, stored, {p.item.key: p for p in plans}, now)
        self._acknowledge(conn, [p for p in plans if p.opens_case], now)
        for p in plans:
            if not p.opens_case and p.case_id is not None:
                self.conversation.apply(conn, p, now)
        results = self._results(batch, plans)
        self._log(batch, results)
        return results

    @staticmethod
    def _record_repeats(
        conn: Connection,
        repeats: Sequence[Prepared],
        stored: dict[str, Any],
        planned: dict[str, routing.Plan],
        now: datetime,
    ) -> None:
        """Each mail that arrived again is recorded with the message it repeats; a
        re-read of the very same IMAP message (a crash before its MOVE) is not."""
        rows = []
        for item in repeats:
            mail = item.mail
            if item.key in stored:
                original = stored[item.key]
                pk, position = original.id, (
                    original.source,
                    original.source_uidvalidity,
                    original.source_uid,
                )
            else:
                plan = planned[item.key]
                first = plan.item.mail
                pk, position = plan.message_pk, (first.source, first.uidvalidity, first.uid)
            if mail.uid is not None and position == (mail.source, mail.uidvalidity, mail.uid):
                continue
            rows.append(
                {
                    "message_pk": pk,
                    "source": mail.source,
                    "source_uidvalidity": mail.uidvalidity,
                    "source_uid": mail.uid,
                    "raw_sha256": hashlib.sha256(mail.raw).hexdigest(),
                    "size": len(mail.raw),
                    "at": mail.received_at,
                    "created_at": now,
                }
            )
        repository.insert_duplicates(conn, rows)

    def _open_cases(self, conn: Connection, plans: Sequence[routing.Plan], now: datetime) -> None:
        if not plans:
            return
        customers = repository.customers_by_domain(
            conn, (p.parsed.sender_domain for p in plans)
        )
        rows = [self._case_row(p, customers, now) for p in plans]
        for p, row, (case_id, number) in zip(
            plans, rows, repository.insert_cases(conn, rows), strict=True
        ):
            p.case_id, p.case_number = case_id, number
            p.extra["case_row"] = row

    def _acknowledge(self, conn: Connection, plans: Sequence[routing.Plan], now: datetime) -> None:
        """One acknowledgement per new case, within the limits of domain.ack_policy."""
        support = self.settings.support
        if not support.acknowledge or not plans:
            return
        limits = AckLimits(
            support.ack_limit_per_hour,
            support.ack_limit_per_domain_per_hour,
            support.ack_limit_total_per_hour,
        )
        sent = AcksSent.of(repository.ack_recipients_since(conn, now - timedelta(hours=1)))
        acks = []
        for p in plans:
            sender = p.parsed.from_addr
            assert p.case_id is not None  # set by _open_cases
            why = p.item.no_ack or rate_limited(sender, sent, limits)
            if why is not None:
                repository.update_case(conn, p.case_id, flags=[*p.flags, ACK_SUPPRESSED])
                log.warning(
                    "ack suppressed", extra={"case": p.case_number, "to": sender, "why": why}
                )
                continue
            sent.count(sender)
            acks.append((p.case_id, self._acknowledgement(p, now)))
        repository.queue_outgoing(conn, acks, "ack", support.name, now)

    @staticmethod
    def _results(batch: Sequence[Prepared], plans: Sequence[routing.Plan]) -> list[IngestResult]:
        by_item = {id(p.item): p for p in plans}
        results = []
        for item in batch:
            p = by_item.pop(id(item), None)
            if p is None:
                results.append(IngestResult(Outcome.DUPLICATE))
            elif p.opens_case:  # why: e.g. a stranger may not join the case they quoted
                results.append(IngestResult(Outcome.CREATED, p.case_number, p.why or None))
            elif p.case_id is not None:
                results.append(IngestResult(Outcome.THREADED, p.case_number, p.kind))
            else:
                results.append(IngestResult(item.outcome, reason=item.reason))
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
        reason = f"internal error: {_reason(error)}"
        log.error("mail not storable source=%s uid=%s: %s", item.mail.source, item.mail.uid, reason)
        # Only the bytes and the reason this time: the least the database must accept.
        try:
            with conn.begin_nested():
                return self._store(conn, [self._rejected(item.mail, None, reason)])[0]
        except (OperationalError, InterfaceError):
            raise
        except Exception:  # noqa: BLE001
            log.exception("not even the raw mail is storable; left at its source")
            return IngestResult(Outcome.DEFERRED, reason=reason)

    # -- rows ----------------------------------------------------------------------

    def _case_row(
        self, plan: routing.Plan, customers: dict[str, Any], now: datetime
    ) -> dict[str, Any]:
        parsed, received_at = plan.parsed, plan.item.mail.received_at
        customer = customers.get(parsed.sender_domain)
        # BR-6/BR-8/BR-9: criticality is assessed as the mail arrives.
        # Only what the customer wrote now: a quoted "konto er låst" from last year's
        # thread must not page the on-call duty tonight.
        found = classify(parsed.subject, new_text(parsed.body_text), self.triage_rules)
        due = deadlines(received_at, Priority(found.priority), found.critical, self.calendar)
        return {
            "subject": case_subject(parsed.subject),
            "status": "new",
            "priority": found.priority,
            "critical": found.critical,
            "triage_rule": found.rule,
            "critical_reason": found.rule if found.critical else None,
            "channel": plan.item.mail.channel,
            "customer_id": customer.id if customer else None,
            "customer_email": parsed.from_addr,
            "customer_domain": parsed.sender_domain,
            "agreement": bool(customer and customer.agreement),  # BR-22
            "language": (customer.language if customer else None)
            or detect_language(parsed.subject, parsed.body_text),
            "created_at": received_at,
            "updated_at": now,
            "review_due": due.review_due,
            "response_due": due.response_due,
            "resolve_due": due.resolve_due,
            "flags": list(plan.flags),
            "linked_case_id": plan.linked.id if plan.linked else None,
        }

    def _message_row(self, plan: routing.Plan, now: datetime) -> dict[str, Any]:
        item = plan.item
        parsed, mail = item.parsed, item.mail
        row: dict[str, Any] = {
            "case_id": plan.case_id,
            "direction": "in",
            "kind": plan.kind,
            "at": mail.received_at,
            "size": len(mail.raw),
            "raw": mail.raw,
            "dedupe_key": item.key,
            "source": mail.source,
            "source_uidvalidity": mail.uidvalidity,
            "source_uid": mail.uid,
            "reject_reason": item.reason if plan.kind in KEPT_KINDS else None,
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
                "body_text": parsed.body_text if plan.body_text is None else plan.body_text,
            }
        return row

    def _acknowledgement(self, plan: routing.Plan, now: datetime) -> compose.Outgoing:
        parsed, case = plan.parsed, plan.extra["case_row"]
        assert isinstance(case, dict) and plan.case_number is not None  # set by _open_cases
        return compose.acknowledgement(
            renderer=self.renderer,
            support=self.settings.support,
            case_number=plan.case_number,
            case_subject=case["subject"],
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
            fields = {"case": result.case_number, "from": sender, "source": mail.source}
            if result.outcome is Outcome.CREATED:
                log.info("case created", extra={**fields, "why": result.reason or ""})
            elif result.outcome is Outcome.THREADED:
                log.info("added to case", extra={**fields, "kind": result.reason})
            elif result.outcome is Outcome.IGNORED:
                log.info("ignored automatic mail", extra={**fields, "reason": result.reason})
            elif result.outcome in (Outcome.REJECTED, Outcome.QUARANTINED):
                log.warning(
                    f"mail {result.outcome.value}",
                    extra={**fields, "uid": mail.uid, "reason": result.reason},
                )


ACK_SUPPRESSED = "acknowledgement suppressed"
# Inbound mail kept without a case, with the reason (`oo-support ignored list`).
KEPT_KINDS = ("ignored", "rejected", "quarantined")


def _reason(exc: Exception) -> str:
    """An error in one line without the statement's data (bodies, raw bytes)."""
    cause = getattr(exc, "orig", None) or exc
    first = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first}"[:500]


# Outlook shows at most 255 characters of a subject; a longer one (seen: 1 MB) would
# be copied into every mail about the case. The whole subject stays on the message.
MAX_CASE_SUBJECT = 255


def case_subject(subject: str) -> str:
    subject = strip_references(subject)
    if len(subject) <= MAX_CASE_SUBJECT:
        return subject
    return subject[: MAX_CASE_SUBJECT - 1].rstrip() + "…"


def _is_report(parsed: ParsedMail) -> bool:
    return parsed.headers.text("Content-Type").lower().startswith("multipart/report")
