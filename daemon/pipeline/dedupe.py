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
from typing import Any

from sqlalchemy import Row

from daemon.domain.dedupe import ThreadMarks, same_mail
from daemon.domain.references import find_reference
from daemon.mail.identity import date_stamp, variant_key
from daemon.pipeline.batch import Run
from daemon.pipeline.plan import Plan, PlanKind, StoredOriginal
from daemon.pipeline.step import Step


class Dedupe(Step):
    def process(self, run: Run, plan: Plan) -> None:
        key = plan.item.key
        original = run.first_of_key.get(key) or run.stored.get(key)
        if original is not None and plan.item.parsed is not None:
            marks = _marks(run, plan)
            if not same_mail(marks, _marks(run, original)):
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


def _marks(run: Run, mail: Plan | Row[Any]) -> ThreadMarks:
    """The case a mail names, the messages it answers and its Date as written, of a
    plan or a stored row."""
    if isinstance(mail, Plan):
        parsed = mail.item.parsed
        if parsed is None:
            return (None, "", "", "")
        subject, replied, references = (
            parsed.subject, parsed.in_reply_to, " ".join(parsed.references))
        written = date_stamp(mail.item.mail.raw)
    else:
        subject, replied, references = mail.subject, mail.in_reply_to, mail.references
        written = run.stored_date(mail.id)
    return (find_reference(subject or ""), replied or "", references or "", written)
