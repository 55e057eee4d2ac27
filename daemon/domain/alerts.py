"""Which reminders, escalations and SLA alerts exist, and when each is due (BR-6..BR-12).

Plain data: the scheduler turns each rule into one set-based query, so one pass costs
a few index scans however many cases are open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from types import MappingProxyType


class Trigger(Enum):
    """When a rule's alert fires, relative to its deadline."""

    WARNING = "warning"  # `lead` before the deadline, while it is not met
    OVERDUE = "overdue"  # once the deadline has passed and it is still not met
    BREACH = "breach"  # an SLA deadline passed, or met late: recorded either way (BR-11)
    AT_ONCE = "at_once"  # when the case becomes critical (CRITICAL_ALERT)


@dataclass(frozen=True)
class AlertRule:
    kind: str
    due: str  # the case column holding the deadline
    done: str  # the case column that, once set, means the deadline was met
    lead: timedelta  # warnings: fire this long before the deadline
    trigger: Trigger
    notify: tuple[str, ...]  # primary, secondary, team_lead, team, assignee
    subject: str  # Danish, for staff; the template adds the details
    # One mail lists every case of this kind a recipient has in a pass;
    # when it lists more than one, this is its subject.
    digest_subject: str  # "{count}" is the number of cases


# BR-11: the SLA breaches, by alert kind, and the deadline each is a breach of.
RESPONSE_BREACH = "response_breach"
RESOLVE_BREACH = "resolve_breach"
SLA_BREACHES: Mapping[str, str] = MappingProxyType(
    {RESPONSE_BREACH: "response", RESOLVE_BREACH: "resolve"}
)


def alert_rules(reminder: timedelta, sla_warning: timedelta) -> tuple[AlertRule, ...]:
    zero = timedelta(0)
    return (
        # BR-6: reviewed within the hour; the primary supporter is reminded first ...
        AlertRule(
            "review_reminder",
            "review_due",
            "reviewed_at",
            reminder,
            Trigger.WARNING,
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
            Trigger.OVERDUE,
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
            Trigger.WARNING,
            ("assignee", "primary"),
            "SLA: svarfristen nærmer sig",
            "SLA: svarfristen nærmer sig for {count} sager",
        ),
        AlertRule(
            RESPONSE_BREACH,
            "response_due",
            "first_response_at",
            zero,
            Trigger.BREACH,
            ("assignee", "primary", "team_lead"),
            "SLA brudt: svarfristen er overskredet",
            "SLA brudt: svarfristen er overskredet for {count} sager",
        ),
        AlertRule(
            "resolve_warning",
            "resolve_due",
            "resolved_at",
            sla_warning,
            Trigger.WARNING,
            ("assignee", "primary"),
            "SLA: løsningsfristen nærmer sig",
            "SLA: løsningsfristen nærmer sig for {count} sager",
        ),
        AlertRule(
            RESOLVE_BREACH,
            "resolve_due",
            "resolved_at",
            zero,
            Trigger.BREACH,
            ("assignee", "primary", "team_lead"),
            "SLA brudt: løsningsfristen er overskredet",
            "SLA brudt: løsningsfristen er overskredet for {count} sager",
        ),
    )


def warnings_about(deadlines: Iterable[str]) -> tuple[str, ...]:
    """The warning kinds (reminders included) about these deadline columns: when staff
    move a deadline (a priority changed, BR-11/BR-12: recomputed from arrival), a
    warning claimed for the old one has warned of nothing that still holds, and the new
    one is warned of once more, `lead` before it (breaches stay recorded)."""
    moved = set(deadlines)
    return tuple(
        rule.kind
        for rule in alert_rules(timedelta(0), timedelta(0))
        if rule.trigger is Trigger.WARNING and rule.due in moved
    )


# BR-7/BR-10: outside normal hours the on-call duty is paged for critical cases only
# (which of them, and when, daemon/domain/paging.py decides).
ONCALL_PAGE = "oncall_page"
ONCALL_SUBJECT = "VAGT: kritisk sag uden for normal arbejdstid"
ONCALL_DIGEST_SUBJECT = "VAGT: {count} kritiske sager uden for normal arbejdstid"


# BR-6: "Ved kritiske sager vil kunden blive kontaktet så snart sagen er læst og vil
# blive forsøgt løst med det samme." In normal hours a case that is critical when it
# arrives, or that staff make critical, is told at once to its primary supporter and
# the support team, not 15 minutes before the review is due; outside hours the on-call
# duty is paged instead (ONCALL_PAGE). Once per case, whatever made it critical.
CRITICAL_ALERT_RULE = AlertRule(
    "critical_alert",
    "review_due",
    "reviewed_at",
    timedelta(0),
    Trigger.AT_ONCE,
    ("primary", "team"),
    "KRITISK sag",
    "KRITISK: {count} kritiske sager",
)
CRITICAL_ALERT = CRITICAL_ALERT_RULE.kind


def alerts_at_once(*, critical: bool, was_critical: bool, closed: bool, office_open: bool) -> bool:
    """Does this change of a case call for CRITICAL_ALERT now? A case that became
    critical (new, or marked by staff) and is not closed, while the office is open
    (BR-4): the people at work are told. Outside hours the on-call page takes it (BR-7,
    BR-10), so a critical case is never both paged and alerted for the same arrival."""
    return critical and not was_critical and not closed and office_open


def mail_subject(title: str, digest_title: str, count: int, case_subject: str) -> str:
    """The subject (before the case tag) of a mail about `count` cases: the case's own
    subject when there is one case, the number of cases when there are more."""
    return f"{title}: {case_subject}" if count == 1 else digest_title.format(count=count)
