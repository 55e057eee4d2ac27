"""Step: is this mail one we have already?

Decides (daemon/domain/dedupe.py): a mail whose identity is stored already, or came
earlier in this run, is a DUPLICATE: the store step records it as a re-delivery of
the original and nothing else changes (BR-2: one inquiry, one case). That is what
makes reading the mailbox again after a crash safe.
"""

from __future__ import annotations

from daemon.domain.dedupe import is_repeat
from daemon.pipeline.batch import Run
from daemon.pipeline.plan import Plan, PlanKind, StoredOriginal
from daemon.pipeline.step import Step


class Dedupe(Step):
    def process(self, run: Run, plan: Plan) -> None:
        key = plan.item.key
        if not is_repeat(key, run.stored, run.first_of_key):
            run.first_of_key[key] = plan
            return
        plan.kind = PlanKind.DUPLICATE
        original = run.stored.get(key)
        if original is None:
            plan.repeats = run.first_of_key[key]
        else:
            position = (original.source, original.source_uidvalidity, original.source_uid)
            plan.repeats = StoredOriginal(original.id, position)
