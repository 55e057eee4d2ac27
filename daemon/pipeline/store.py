"""Step: store the mail: its new case, the message with its attachments, or, for a
repeat, the record that it arrived again.

Decides nothing of its own; it writes what the earlier steps decided. It is where
batching lives: `process` does the little there is per mail, and `finish` writes the run's cases,
messages, attachments and re-deliveries with one statement each. Every other step
sees one mail at a time and its ids (case, message) once this step is done.
A repeat is recorded unless it is the very same IMAP message read again
(daemon/domain/dedupe.py `records_arrival`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from daemon.domain.dedupe import records_arrival
from daemon.mail.identity import sha256_of
from daemon.mail.parse import sniff_message_id
from daemon.pipeline.batch import Run
from daemon.pipeline.plan import KEPT_KINDS, Plan, PlanKind
from daemon.pipeline.step import Step
from daemon.store import repository


class Store(Step):
    """Stateless like every step (one pipeline serves the IMAP thread and the SMTP
    listener at once): what `finish` writes it finds on the run's plans."""

    def process(self, run: Run, plan: Plan) -> None:
        if plan.new_case is None and plan.case is not None:
            plan.case_id, plan.case_number = plan.case.id, plan.case.number

    def finish(self, run: Run) -> None:
        new = [(p, p.new_case) for p in run.plans if p.new_case is not None]
        messages = [p for p in run.plans if p.stored_as_message]
        repeats = [p for p in run.plans if p.kind is PlanKind.DUPLICATE]
        conn, now = run.conn, run.now
        # Both tables' ids in one round trip (PostgreSQL), before either COPY.
        drawn = repository.draw_ids(conn, len(new), len(messages))
        case_rows = [case.row() for _, case in new]
        for (plan, _), (case_id, number) in zip(
            new, repository.insert_cases(conn, case_rows, drawn.cases if drawn else ()), strict=True
        ):
            plan.case_id, plan.case_number = case_id, number
        pks = repository.insert_messages(
            conn, [message_row(p, now) for p in messages], drawn.messages if drawn else ()
        )
        for plan, pk in zip(messages, pks, strict=True):
            plan.message_pk = pk
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
                for p in messages
                if p.item.parsed
                for a in p.item.parsed.attachments
            ],
        )
        repository.insert_duplicates(conn, [row for p in repeats if (row := _arrival(p, now))])


def message_row(plan: Plan, now: datetime) -> dict[str, Any]:
    item = plan.item
    parsed, mail = item.parsed, item.mail
    row: dict[str, Any] = {
        "case_id": plan.case_id,
        "direction": "in",
        "kind": plan.kind.value if plan.kind else None,
        "at": mail.received_at,
        "size": len(mail.raw),
        "raw": mail.raw,
        "dedupe_key": item.key,
        "source": mail.source,
        "source_uidvalidity": mail.uidvalidity,
        "source_uid": mail.uid,
        "reject_reason": item.reason if plan.kind in KEPT_KINDS else None,
        "created_at": now,
    }
    if parsed is None:
        # Only a mail that could not be parsed has its Message-ID sniffed from the raw
        # header: searching every mail's bytes for it, to overwrite it with the parsed
        # one, cost the pass's thread ~5 us a mail (issue 18, pass21).
        row |= {
            "to_addrs": [],
            "cc_addrs": [],
            "subject": "",
            "body_text": "",
            "message_id": sniff_message_id(mail.raw),
        }
    else:
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


def _arrival(plan: Plan, now: datetime) -> dict[str, Any] | None:
    """The row recording that a repeat arrived, or None for a mere re-read."""
    mail, original = plan.item.mail, plan.repeats
    if isinstance(original, Plan):  # the first copy came earlier in this run
        first = original.item.mail
        pk, position = original.message_pk, (first.source, first.uidvalidity, first.uid)
    elif original is not None:
        pk, position = original.message_pk, original.position
    else:
        return None  # not a repeat: the dedupe step marks every one
    if not records_arrival((mail.source, mail.uidvalidity, mail.uid), position):
        return None
    return {
        "message_pk": pk,
        "source": mail.source,
        "source_uidvalidity": mail.uidvalidity,
        "source_uid": mail.uid,
        "raw_sha256": sha256_of(mail.raw),
        "size": len(mail.raw),
        "at": mail.received_at,
        "created_at": now,
    }
