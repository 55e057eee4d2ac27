"""When a critical case is told at once to the people at work (BR-6), and to whom."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from daemon.alert_queue import recipients_of
from daemon.domain.alerts import CRITICAL_ALERT_RULE, alerts_at_once
from daemon.settings import Settings, StaffSettings


@pytest.mark.parametrize(
    ("critical", "was_critical", "closed", "office_open", "expected"),
    [
        (True, False, False, True, True),  # new or just made critical, in hours
        (True, True, False, True, False),  # was critical already: told then (or paged)
        (False, False, False, True, False),  # not critical
        (True, False, True, True, False),  # closed: nothing to contact anyone about
        (True, False, False, False, False),  # outside hours: the on-call page (BR-7, BR-10)
    ],
)
def test_a_case_becoming_critical_in_hours_is_alerted_at_once(
    critical: bool, was_critical: bool, closed: bool, office_open: bool, expected: bool
) -> None:
    assert alerts_at_once(
        critical=critical, was_critical=was_critical, closed=closed, office_open=office_open
    ) is expected


def test_the_customers_primary_supporter_and_the_team_are_told() -> None:
    settings = Settings(staff=StaffSettings(primary="vagtplan@oo.dk", team="Team@oo.dk"))
    row = SimpleNamespace(primary_supporter="Tina@oo.dk", secondary_supporter=None, assignee=None)
    assert recipients_of(row, CRITICAL_ALERT_RULE.notify, settings) == [
        "tina@oo.dk", "team@oo.dk",
    ]
    # A stranger's case: the default primary supporter; one address named twice, once.
    stranger = SimpleNamespace(primary_supporter=None, secondary_supporter=None, assignee=None)
    assert recipients_of(stranger, CRITICAL_ALERT_RULE.notify, settings) == [
        "vagtplan@oo.dk", "team@oo.dk",
    ]
    same = Settings(staff=StaffSettings(primary="team@oo.dk", team="team@oo.dk"))
    assert recipients_of(stranger, CRITICAL_ALERT_RULE.notify, same) == ["team@oo.dk"]


def test_a_moved_deadline_rearms_only_its_own_warnings() -> None:
    """A priority changed by staff moves the response and resolution deadlines (BR-11):
    their warnings may come again; breaches and escalations stay recorded."""
    from daemon.domain.alerts import warnings_about

    assert set(warnings_about(["response_due", "resolve_due"])) == {
        "response_warning", "resolve_warning",
    }
    assert warnings_about(["review_due"]) == ("review_reminder",)
    assert warnings_about([]) == ()
