"""Step, last: say in the log what became of the mail (one line per mail; the
metrics observers count the same results after the commit). Decides nothing."""

from __future__ import annotations

import logging

from daemon.inbound import Outcome
from daemon.pipeline.batch import Run
from daemon.pipeline.plan import Plan
from daemon.pipeline.step import Step

log = logging.getLogger("daemon.pipeline")


class LogOutcome(Step):
    def process(self, run: Run, plan: Plan) -> None:
        result, mail, parsed = plan.result(), plan.item.mail, plan.item.parsed
        fields = {
            "case": result.case_number,
            "from": parsed.from_addr if parsed else None,
            "source": mail.source,
        }
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
