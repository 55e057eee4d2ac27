"""Step: tell the people at work at once of a new case that is critical.

Decides (daemon/domain/alerts.py `alerts_at_once`): a new case judged critical (the
triage step, BR-8, BR-9) while the office is open (BR-4) is mailed to its primary
supporter and the support team with why it is critical, queued in the same
transaction as the case (BR-6: "Ved kritiske sager vil kunden blive kontaktet så
snart sagen er læst"), not 15 minutes before its review is due. Outside hours the
scheduler pages the on-call duty instead (BR-7, BR-10). The alert is claimed on the
alerts table's unique key, so a case is alerted once, whatever else alerts it later.
One mail per recipient and run lists all the run's critical cases. Mail the border
MTA judged spam, or whose sender's domain disowns it (the mails that get no ack,
read.py), alerts nobody: "Vi er blevet hacket" is what a phishing run writes too.
The case is critical all the same, and the alert is recorded as withheld
("suspect_mail") so that no later pass sends it.
"""

from __future__ import annotations

import logging

from daemon.alert_queue import AlertMailer, withhold
from daemon.domain.alerts import CRITICAL_ALERT, CRITICAL_ALERT_RULE, alerts_at_once
from daemon.pipeline.batch import Run
from daemon.pipeline.plan import Plan
from daemon.pipeline.step import Step

log = logging.getLogger(__name__)

# alerts.withheld: spam by the border MTA's verdict, or disowned by its sender's domain.
SUSPECT_MAIL = "suspect_mail"


class AlertCritical(Step):
    def process(self, run: Run, plan: Plan) -> None:
        """Nothing per mail: `finish` alerts the run's critical cases in one go."""

    def finish(self, run: Run) -> None:
        # Judged at the time of processing, not of arrival: the alert is for whoever
        # is at work now; a mail that waited past closing is the on-call duty's.
        office_open = self.tools.calendar.is_open(run.now)
        told: list[int] = []
        suspect: list[int] = []
        for plan in run.plans:
            case, case_id = plan.new_case, plan.case_id
            if case is None or case_id is None:
                continue
            if alerts_at_once(
                critical=case.critical,
                was_critical=False,
                closed=case.status == "closed",
                office_open=office_open,
            ):
                (suspect if plan.item.no_ack else told).append(case_id)
        if told:
            mailer = AlertMailer(self.tools.settings, self.tools.renderer)
            mailer.claim_and_mail(run.conn, CRITICAL_ALERT_RULE, told, run.now)
        if suspect:
            withheld = withhold(run.conn, CRITICAL_ALERT, suspect, run.now, SUSPECT_MAIL)
            log.warning("critical alert withheld: suspect mail", extra={"cases": len(withheld)})
