"""Step: tell the people at work at once of a new case that is critical.

Decides (daemon/domain/alerts.py `alerts_at_once`): a new case judged critical (the
triage step, BR-8, BR-9) while the office is open (BR-4) is mailed to its primary
supporter and the support team with why it is critical, queued in the same
transaction as the case (BR-6: "Ved kritiske sager vil kunden blive kontaktet så
snart sagen er læst"), not 15 minutes before its review is due. Outside hours the
scheduler pages the on-call duty instead (BR-7, BR-10). The alert is claimed on the
alerts table's unique key, so a case is alerted once, whatever else alerts it later.
One mail per recipient and run lists all the run's critical cases.
"""

from __future__ import annotations

from daemon.alert_queue import AlertMailer
from daemon.domain.alerts import CRITICAL_ALERT_RULE, alerts_at_once
from daemon.pipeline.batch import Run
from daemon.pipeline.plan import Plan
from daemon.pipeline.step import Step


class AlertCritical(Step):
    def process(self, run: Run, plan: Plan) -> None:
        """Nothing per mail: `finish` alerts the run's critical cases in one go."""

    def finish(self, run: Run) -> None:
        # Judged at the time of processing, not of arrival: the alert is for whoever
        # is at work now; a mail that waited past closing is the on-call duty's.
        office_open = self.tools.calendar.is_open(run.now)
        critical = [
            plan.case_id
            for plan in run.plans
            if plan.new_case is not None
            and plan.case_id is not None
            and alerts_at_once(
                critical=plan.new_case.critical,
                was_critical=False,
                closed=plan.new_case.status == "closed",
                office_open=office_open,
            )
        ]
        if critical:
            mailer = AlertMailer(self.tools.settings, self.tools.renderer)
            mailer.claim_and_mail(run.conn, CRITICAL_ALERT_RULE, critical, run.now)
