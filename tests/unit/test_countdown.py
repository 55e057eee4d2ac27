"""Countdowns to a case's deadlines in business time (daemon/domain/countdown.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from daemon.domain.business_calendar import BusinessCalendar
from daemon.domain.countdown import State, case_countdowns, countdown, nearest

CAL = BusinessCalendar()
# Tuesday 24 November 2026, 15:00 Danish time (UTC+1): two open hours left that day.
NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def test_a_deadline_tomorrow_morning_counts_only_open_time() -> None:
    due = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # Wednesday 10:00 local
    left = countdown("response", due, None, NOW, CAL)
    assert left.state is State.RUNNING
    assert left.seconds_left == 19 * 3600
    # 15:00-17:00 on Tuesday and 08:00-10:00 on Wednesday (BR-4 opening hours).
    assert left.business_minutes_left == CAL.business_minutes_between(NOW, due)
    assert left.business_minutes_left < 19 * 60


def test_a_passed_deadline_not_met_is_overdue_and_a_met_one_is_ok() -> None:
    due = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
    overdue = countdown("review", due, None, NOW, CAL)
    assert overdue.state is State.OVERDUE and overdue.label == "-1 t 00 m"
    met = countdown("review", due, datetime(2026, 11, 24, 12, 0, tzinfo=UTC), NOW, CAL)
    assert met.state is State.MET and met.label == "ok"
    assert countdown("review", None, None, NOW, CAL).state is State.NONE


def test_the_nearest_is_the_earliest_deadline_not_met() -> None:
    times = {
        "review_due": datetime(2026, 11, 24, 13, 0, tzinfo=UTC),
        "reviewed_at": datetime(2026, 11, 24, 12, 0, tzinfo=UTC),
        "response_due": datetime(2026, 11, 24, 15, 0, tzinfo=UTC),
        "first_response_at": None,
        "resolve_due": datetime(2026, 11, 25, 15, 0, tzinfo=UTC),
        "resolved_at": None,
    }
    found = nearest(case_countdowns(times, NOW, CAL))
    assert found is not None and found.name == "response"
    all_met = {**times, "first_response_at": NOW, "resolved_at": NOW}
    assert nearest(case_countdowns(all_met, NOW, CAL)) is None
