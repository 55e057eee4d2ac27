"""Step: is this mail one we have already?

Decides (daemon/domain/dedupe.py): a mail whose identity is stored already, or came
earlier in this run, is a DUPLICATE: the store step records it as a re-delivery of
the original and nothing else changes (BR-2: one inquiry, one case). That is what
makes reading the mailbox again after a crash safe. A mail of the same identity that
names another case or answers other messages (`same_mail`) is another mail: it gets
an identity of its own (`variant_key`), and is a duplicate only of a mail of that.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from daemon.domain.dedupe import ThreadMarks, same_mail
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
            original_marks, original_sent = _marks(run, original)
            if not same_mail(marks, original_marks, sent, original_sent):
                key = variant_key(key, marks)
                plan.item = dataclasses.replace(plan.item, key=key)
                original = run.first_of_key.get(key) or run.stored_one(key)
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
