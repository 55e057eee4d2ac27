"""The hand-written triage rules without the learned second opinion, for the tests of rules
fixed by kind (test_triage_tune17, _alarms, _mend18): a rule change is what each of their
assertions measures, so a retrained model cannot decide them."""

from __future__ import annotations

from daemon.domain.triage import classify, default_rules

RULES = default_rules()[:-1]  # the learned second opinion is the last rule


def rule_of(subject: str, body: str) -> str | None:
    """The critical rule that matched, or None when the rules alone judge it normal."""
    found = classify(subject, body, RULES)
    return found.rule if found.critical else None
