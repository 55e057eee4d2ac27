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
    # One mail lists every case of this kind a recipient has in a pass (issue 14);
    # when it lists more than one, this is its subject.
    digest_subject: str  # "{count}" is the number of cases


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
            "Påmindelse: {count} sager er ikke gennemgået",
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
            "Eskalering: {count} sager er ikke gennemgået",
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
            "SLA: svarfristen nærmer sig for {count} sager",
        ),
        AlertRule(
            "response_breach",
            "response_due",
            "first_response_at",
            zero,
            False,
            ("assignee", "primary", "team_lead"),
            "SLA brudt: svarfristen er overskredet",
            "SLA brudt: svarfristen er overskredet for {count} sager",
        ),
        AlertRule(
            "resolve_warning",
            "resolve_due",
            "resolved_at",
            sla_warning,
            True,
            ("assignee", "primary"),
            "SLA: løsningsfristen nærmer sig",
            "SLA: løsningsfristen nærmer sig for {count} sager",
        ),
        AlertRule(
            "resolve_breach",
            "resolve_due",
            "resolved_at",
            zero,
            False,
            ("assignee", "primary", "team_lead"),
            "SLA brudt: løsningsfristen er overskredet",
            "SLA brudt: løsningsfristen er overskredet for {count} sager",
        ),
    )


# BR-7/BR-10: outside normal hours the on-call duty is paged for critical cases only
# (which of them, and when, daemon/domain/paging.py decides).
ONCALL_PAGE = "oncall_page"
ONCALL_SUBJECT = "VAGT: kritisk sag uden for normal arbejdstid"
ONCALL_DIGEST_SUBJECT = "VAGT: {count} kritiske sager uden for normal arbejdstid"


def mail_subject(title: str, digest_title: str, count: int, case_subject: str) -> str:
    """The subject (before the case tag) of a mail about `count` cases: the case's own
    subject when there is one case, the number of cases when there are more."""
    return f"{title}: {case_subject}" if count == 1 else digest_title.format(count=count)
