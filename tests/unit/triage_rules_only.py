"""The hand-written triage rules without the learned second opinion, for the tests of rules
fixed by kind (test_triage_tune17, _alarms, _tune18, _review18, _mend18): a rule change is
what each of their assertions measures, so a retrained model cannot decide them."""

from __future__ import annotations

from daemon.domain.triage import Triage, classify, default_rules

RULES = default_rules()[:-1]  # the learned second opinion is the last rule


def by_rules(subject: str, body: str) -> Triage:
    """The rules' verdict alone."""
    return classify(subject, body, RULES)


def rule_of(subject: str, body: str) -> str | None:
    """The critical rule that matched, or None when the rules alone judge it normal."""
    found = by_rules(subject, body)
    return found.rule if found.critical else None
