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


def test_an_alert_names_the_zone_of_a_time_the_clocks_show_twice() -> None:
    """25 October 2026, the clocks go back at 03:00 CEST: 02:30 is shown twice, an hour
    apart. A critical case at the first 02:30 is due for review at the second (BR-7);
    an alert that gave both as "25.10.2026 02:30" said it was due as it arrived."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from daemon.alert_queue import alert_text
    from daemon.mail.render import TemplateRenderer
    from daemon.settings import Settings

    settings = Settings()
    row = SimpleNamespace(
        number=100001, subject="Vi er blevet hacket", customer_email="bo@firma.dk",
        agreement=True, priority="high", critical=True, triage_rule="suspected_hack",
        critical_reason="suspected_hack", created_at=datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    )
    due = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    text = alert_text(TemplateRenderer(settings.templates.dir), settings, "review_reminder",
                      "Påmindelse", [(row, due)])
    assert "Modtaget:  25.10.2026 02:30 CEST" in text
    assert "Frist:     25.10.2026 02:30 CET" in text
    ordinary = SimpleNamespace(**{**vars(row), "created_at": due.replace(day=24)})
    text = alert_text(TemplateRenderer(settings.templates.dir), settings, "review_reminder",
                      "Påmindelse", [(ordinary, None)])
    assert "Modtaget:  24.10.2026 03:30\n" in text  # an hour shown once: no zone
