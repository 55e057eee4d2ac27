"""Step: is this mail one we have already?

Decides (daemon/domain/dedupe.py): a mail whose identity is stored already, or came
earlier in this run, is a DUPLICATE: the store step records it as a re-delivery of
the original and nothing else changes (BR-2: one inquiry, one case). That is what
makes reading the mailbox again after a crash safe. A mail of the same identity that
names another case or answers other messages (`same_mail`) is another mail: it gets
an identity of its own (`variant_key`), and is a duplicate only of a mail of that.

Several sendings may share an identity and the case and messages they name: a
device's alarm without a Date (only when each arrived tells them apart), or one whose
Date each path's MTA wrote (seconds apart, in its own zone). A later sending's variant
is made of those marks and the SAME_SENDING slot it was sent in (`_variant`), and a
repeat is compared with the mails of its slot and the two beside it: every sending
within SAME_SENDING of it, found in one look-up however many the device sent before.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from daemon.domain.dedupe import (
    Position,
    ThreadMarks,
    records_arrival,
    same_mail,
    sending_slot,
)
from daemon.domain.references import find_reference
from daemon.mail.identity import date_stamp, sent_at, variant_key
from daemon.pipeline.batch import Run
from daemon.pipeline.plan import Plan, PlanKind, StoredOriginal
from daemon.pipeline.step import Step


class Dedupe(Step):
    def process(self, run: Run, plan: Plan) -> None:
        key = plan.item.key
        original = run.first_of_key.get(key) or run.stored.get(key)
        if original is not None and plan.item.parsed is not None:
            marks, sent = _marks(run, plan)
            mail = plan.item.mail
            arrival: Position = (mail.source, mail.uidvalidity, mail.uid)
            if not _repeats(run, arrival, marks, sent, original):
                key, original = _variant(run, key, marks, sent, arrival)
            if key != plan.item.key:
                plan.item = dataclasses.replace(plan.item, key=key)
        if original is None:
            run.first_of_key[key] = plan
            return
        plan.kind = PlanKind.DUPLICATE
        if isinstance(original, Plan):
            plan.repeats = original
        else:
            position = (original.source, original.source_uidvalidity, original.source_uid)
            plan.repeats = StoredOriginal(original.id, position)


def _marks(run: Run, mail: Plan | Row[Any]) -> tuple[ThreadMarks, datetime | None]:
    """The case a mail names, the messages it answers and its Date as written, of a
    plan or a stored row; and when it was sent (identity.sent_at)."""
    if isinstance(mail, Plan):
        parsed = mail.item.parsed
        if parsed is None:
            return (None, "", "", ""), None
        subject, replied, references = (
            parsed.subject, parsed.in_reply_to, " ".join(parsed.references))
        raw = mail.item.mail.raw
        written, sent = date_stamp(raw), sent_at(raw, mail.item.mail.received_at)
    else:
        subject, replied, references = mail.subject, mail.in_reply_to, mail.references
        written, sent = run.stored_date(mail)
    return (find_reference(subject or ""), replied or "", references or "", written), sent


def _repeats(
    run: Run, arrival: Position, marks: ThreadMarks, sent: datetime | None,
    original: Plan | Row[Any],
) -> bool:
    """Is the mail with these marks, read at `arrival`, a repeat of `original`?"""
    if not isinstance(original, Plan):
        position = (original.source, original.source_uidvalidity, original.source_uid)
        if not records_arrival(arrival, position):
            # The same IMAP message read again (a crash before its MOVE): that mail,
            # however long after; with a clock of our own (--now) its arrival is "now".
            return True
    original_marks, original_sent = _marks(run, original)
    return same_mail(marks, original_marks, sent, original_sent)


def _variant(
    run: Run, key: str, marks: ThreadMarks, sent: datetime | None, arrival: Position
) -> tuple[str, Plan | Row[Any] | None]:
    """The identity of a mail that is not the one stored under `key`, and the mail met
    under it in this run or stored, if any.

    That is `key` with the marks but the Date and the slot of SAME_SENDING the mail was
    sent in (sending_slot): a mail there, or in a slot beside it, sent within
    SAME_SENDING of this one, is this sending. A mail whose sending time cannot be told
    (a Date no one reads) is known by its Date as written, as before review25a; that
    variant is looked at first for every mail, where the daemon before stored a later
    sending, so a re-read of one after an upgrade is still known."""
    written = variant_key(key, marks)
    if sent is None:
        return written, run.first_of_key.get(written) or run.stored_of([written]).get(written)
    slot = sending_slot(sent)
    by_slot = {
        each: variant_key(key, (*marks[:3], f"sent in slot {each}"))
        for each in (slot, slot - 1, slot + 1)
    }
    stored = run.stored_of([written, *by_slot.values()])
    for each in (written, *by_slot.values()):
        found = run.first_of_key.get(each) or stored.get(each)
        if found is not None and _repeats(run, arrival, marks, sent, found):
            return each, found
    own = by_slot[slot]  # free: two mails of one slot are within SAME_SENDING
    return own, run.first_of_key.get(own) or stored.get(own)
