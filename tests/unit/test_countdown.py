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
    found = nearest(case_countdowns(times, NOW, CAL, priority="normal", critical=False))
    assert found is not None and found.name == "response"
    all_met = {**times, "first_response_at": NOW, "resolved_at": NOW}
    assert nearest(case_countdowns(all_met, NOW, CAL, priority="normal", critical=False)) is None


# Saturday 28 November 2026, 22:10 Danish time: the office is closed until Monday.
SATURDAY_NIGHT = datetime(2026, 11, 28, 21, 10, tzinfo=UTC)


def test_a_high_case_at_night_counts_down_on_the_wall_clock() -> None:
    """BR-12: High runs on the wall clock (the on-call duty covers it 24/7), and BR-7: a
    critical case's review hour too. Counted in open time, a High case due at 23:00 on a
    Saturday night showed "0 m" left for fifty minutes, as if it were due already."""
    due = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)  # 23:00 local, 50 minutes away
    times = {"review_due": due, "response_due": due, "resolve_due": due}
    high = case_countdowns(times, SATURDAY_NIGHT, CAL, priority="high", critical=True)
    assert [c.label for c in high] == ["50 m", "50 m", "50 m"]
    assert all(c.state is State.RUNNING for c in high)


def test_a_high_case_not_critical_reviews_in_open_time_and_answers_on_the_wall_clock() -> None:
    """Staff's `#priority high` without `#critical`: the review hour runs in normal hours
    (BR-7), the response and resolution on the wall clock (BR-12)."""
    times = {
        "review_due": datetime(2026, 11, 30, 8, 0, tzinfo=UTC),  # Monday 09:00 local
        "response_due": datetime(2026, 11, 28, 22, 0, tzinfo=UTC),  # 23:00 local
        "resolve_due": datetime(2026, 11, 28, 23, 0, tzinfo=UTC),  # midnight local
    }
    review, response, resolve = case_countdowns(
        times, SATURDAY_NIGHT, CAL, priority="high", critical=False
    )
    assert review.label == "1 t 00 m"  # one open hour, from Monday 08:00
    assert (response.label, resolve.label) == ("50 m", "1 t 50 m")


def test_a_normal_case_still_counts_only_open_time() -> None:
    times = {"response_due": datetime(2026, 11, 30, 8, 0, tzinfo=UTC)}  # Monday 09:00
    [_, response, _] = case_countdowns(
        times, SATURDAY_NIGHT, CAL, priority="normal", critical=False
    )
    assert response.label == "1 t 00 m"
