"""Which reminders, escalations and SLA alerts exist, and when each is due (BR-6..BR-12).

Plain data: the scheduler turns each rule into one set-based query, so one pass costs
a few index scans however many cases are open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class AlertRule:
    kind: str
    due: str  # the case column holding the deadline
    done: str  # the case column that, once set, means the deadline was met
    lead: timedelta  # warnings: fire this long before the deadline
    warning: bool  # True: only before the deadline; False: once it has passed
    notify: tuple[str, ...]  # primary, secondary, team_lead, assignee
    subject: str  # Danish, for staff; the template adds the details


def alert_rules(reminder: timedelta, sla_warning: timedelta) -> tuple[AlertRule, ...]:
    zero = timedelta(0)
    return (
        # BR-6: reviewed within the hour; the primary supporter is reminded first ...
        AlertRule(
            "review_reminder",
            "review_due",
            "reviewed_at",
            reminder,
            True,
            ("primary",),
            "Påmindelse: sagen er ikke gennemgået",
        ),
        # ... and when the hour has passed, the secondary supporter and the team lead.
        AlertRule(
            "review_escalation",
            "review_due",
            "reviewed_at",
            zero,
            False,
            ("secondary", "team_lead"),
            "Eskalering: sagen er ikke gennemgået",
        ),
        # BR-11/BR-12: response (first staff reply) and resolution deadlines.
        AlertRule(
            "response_warning",
            "response_due",
            "first_response_at",
            sla_warning,
            True,
            ("assignee", "primary"),
            "SLA: svarfristen nærmer sig",
        ),
        AlertRule(
            "response_breach",
            "response_due",
            "first_response_at",
            zero,
            False,
            ("assignee", "primary", "team_lead"),
            "SLA brudt: svarfristen er overskredet",
        ),
        AlertRule(
            "resolve_warning",
            "resolve_due",
            "resolved_at",
            sla_warning,
            True,
            ("assignee", "primary"),
            "SLA: løsningsfristen nærmer sig",
        ),
        AlertRule(
            "resolve_breach",
            "resolve_due",
            "resolved_at",
            zero,
            False,
            ("assignee", "primary", "team_lead"),
            "SLA brudt: løsningsfristen er overskredet",
        ),
    )


# BR-7/BR-10: outside normal hours the on-call duty is paged for critical cases only.
ONCALL_PAGE = "oncall_page"
ONCALL_SUBJECT = "VAGT: kritisk sag uden for normal arbejdstid"
