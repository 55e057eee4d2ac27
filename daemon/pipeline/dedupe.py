"""Step: is this mail one we have already?

Decides (daemon/domain/dedupe.py): a mail whose identity is stored already, or came
earlier in this run, is a DUPLICATE: the store step records it as a re-delivery of
the original and nothing else changes (BR-2: one inquiry, one case). That is what
makes reading the mailbox again after a crash safe. A mail of the same identity that
names another case or answers other messages (`same_mail`) is another mail: it gets
an identity of its own (`variant_key`), and is a duplicate only of a mail of that.

A variant's identity is made of the marks `same_mail` compares, so a mail met under it
is mostly the same sending. Not for mail without a Date (a device's alarm): every
sending of the same text has the same marks, and only when each arrived tells them
apart. Each later sending takes the next variant of the one before (`_lineage`), and a
repeat is compared with each in turn, so the third alarm is not taken for the second.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from daemon.domain.dedupe import Position, ThreadMarks, records_arrival, same_mail
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
            variants = _lineage(run, key, marks)
            while original is not None and not _repeats(run, arrival, marks, sent, original):
                key, original = next(variants)
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


# How many variants `_lineage` looks up at once after the first: a Date-less alarm
# repeated daily for years walks its whole line once per new sending.
_LINEAGE_BLOCK = 64


def _lineage(
    run: Run, key: str, marks: ThreadMarks
) -> Iterator[tuple[str, Plan | Row[Any] | None]]:
    """The variants of identity `key` for a mail with `marks`, each after the one before
    (variant_key of it), with the mail met under it in this run or stored, if any. The
    first is looked up alone (a dated mail's variant is the only one it needs); then
    _LINEAGE_BLOCK at once."""
    block = 1
    while True:
        keys = []
        for _ in range(block):
            key = variant_key(key, marks)
            keys.append(key)
        stored = run.stored_of(keys)
        for each in keys:
            yield each, run.first_of_key.get(each) or stored.get(each)
        block = _LINEAGE_BLOCK
