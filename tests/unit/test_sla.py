"""Priorities and deadlines (BR-6, BR-7, BR-11, BR-12).

Expected deadlines are worked out by hand. Reference week: Mon 2026-03-02 ..
Sun 2026-03-08, CET (+01:00); hours Mon-Thu 08:00-16:00 (480 min), Fri 08:00-15:00
(420 min). DST starts Sun 2026-03-29 02:00 CET and ends Sun 2026-10-25 03:00 CEST.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daemon.domain.business_calendar import BusinessCalendar
from daemon.domain.sla import (
    SLA_TARGETS,
    Deadlines,
    Priority,
    deadlines,
    resolve_due,
    response_due,
    review_due,
)

CPH = ZoneInfo("Europe/Copenhagen")
CAL = BusinessCalendar()
HOUR = timedelta(hours=1)

for _year in range(2022, 2031):  # warm the holiday cache outside hypothesis deadlines
    CAL.is_holiday(date(_year, 1, 2))


def cph(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=CPH)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


# --- BR-11: the levels -------------------------------------------------------------


def test_br11_priorities_are_the_four_levels_by_their_json_names() -> None:
    assert [p.value for p in Priority] == ["high", "medium", "normal", "low"]
    assert Priority("normal") is Priority.NORMAL
    assert Priority.HIGH == "high"  # a StrEnum compares and serialises as its value


def test_br11_sla_targets_are_the_agreed_table() -> None:
    assert dict(SLA_TARGETS) == {
        Priority.HIGH: (timedelta(hours=1), timedelta(hours=2)),
        Priority.MEDIUM: (timedelta(hours=2), timedelta(hours=4)),
        Priority.NORMAL: (timedelta(hours=4), timedelta(hours=8)),
        Priority.LOW: (timedelta(hours=24), timedelta(hours=36)),
    }


# --- BR-6 / BR-7: review --------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "critical", "expected"),
    [
        # Friday closes 15:00: 30 min Friday + 30 min Monday.
        (cph(2026, 3, 6, 14, 30), False, cph(2026, 3, 9, 8, 30)),
        # Saturday: one hour after Monday's opening.
        (cph(2026, 3, 7, 10, 0), False, cph(2026, 3, 9, 9, 0)),
        # Critical: the wall clock, at night on a Saturday.
        (cph(2026, 3, 7, 3, 0), True, cph(2026, 3, 7, 4, 0)),
        # In hours, both kinds are due an hour later.
        (cph(2026, 3, 3, 10, 0), False, cph(2026, 3, 3, 11, 0)),
        (cph(2026, 3, 3, 10, 0), True, cph(2026, 3, 3, 11, 0)),
        # Near closing the two part: business time carries over, the wall clock does not.
        (cph(2026, 3, 5, 15, 30), False, cph(2026, 3, 6, 8, 30)),
        (cph(2026, 3, 5, 15, 30), True, cph(2026, 3, 5, 16, 30)),
        # Early morning: an hour after opening.
        (cph(2026, 3, 4, 6, 15), False, cph(2026, 3, 4, 9, 0)),
        # BR-5: Christmas Eve and Day closed, then the weekend -> Monday 28th.
        (cph(2026, 12, 23, 15, 30), False, cph(2026, 12, 28, 8, 30)),
        # BR-5: Easter from Skaertorsdag to 2. paaskedag -> Tuesday 7 April.
        (cph(2026, 4, 2, 9, 0), False, cph(2026, 4, 7, 9, 0)),
        (cph(2026, 4, 2, 9, 0), True, cph(2026, 4, 2, 10, 0)),
    ],
)
def test_br7_review_due(received: datetime, critical: bool, expected: datetime) -> None:
    assert review_due(received, critical, CAL) == expected


def test_br7_review_after_the_october_change_monday_0730() -> None:
    # Monday 2026-10-26 07:30 CET: opens 08:00 CET (07:00Z), due 09:00 CET (08:00Z).
    due = review_due(cph(2026, 10, 26, 7, 30), False, CAL)
    assert due == utc(2026, 10, 26, 8, 0)
    assert due.utcoffset() == timedelta(hours=1)


def test_br7_review_the_day_after_the_march_change() -> None:
    # Monday 2026-03-30 07:30 CEST: opens 08:00 CEST (06:00Z), due 09:00 CEST (07:00Z).
    due = review_due(cph(2026, 3, 30, 7, 30), False, CAL)
    assert due == utc(2026, 3, 30, 7, 0)
    assert due.utcoffset() == timedelta(hours=2)


def test_br7_critical_hour_is_sixty_real_minutes_across_the_march_change() -> None:
    # 01:30 CET (00:30Z) + 1 h = 01:30Z = 03:30 CEST: the clock skips 02:00-03:00.
    due = review_due(cph(2026, 3, 29, 1, 30), True, CAL)
    assert due == utc(2026, 3, 29, 1, 30)
    assert (due.hour, due.minute) == (3, 30)


def test_br7_critical_hour_is_sixty_real_minutes_across_the_october_change() -> None:
    # 02:30 CEST (00:30Z) + 1 h = 01:30Z = 02:30 CET, the second 02:30 of the night.
    due = review_due(utc(2026, 10, 25, 0, 30), True, CAL)
    # Compared in UTC: Python never finds a fold=1 datetime equal to one in another zone.
    assert due.astimezone(UTC) == utc(2026, 10, 25, 1, 30)
    assert (due.hour, due.minute, due.fold) == (2, 30, 1)
    assert due.utcoffset() == timedelta(hours=1)


# --- BR-12: respond and resolve ---------------------------------------------------


@pytest.mark.parametrize(
    ("received", "priority", "respond", "resolve"),
    [
        # Normal from Thursday 15:00: 4 h = 1 h Thu + 3 h Fri; 8 h = 1 h Thu + 7 h Fri,
        # which ends exactly at Friday's closing time.
        (cph(2026, 3, 5, 15, 0), Priority.NORMAL, cph(2026, 3, 6, 11, 0), cph(2026, 3, 6, 15, 0)),
        # High on the wall clock from Saturday night, over midnight into Sunday.
        (cph(2026, 3, 7, 22, 30), Priority.HIGH, cph(2026, 3, 7, 23, 30), cph(2026, 3, 8, 0, 30)),
        # High on Christmas Eve (closed, BR-5) still runs.
        (
            cph(2026, 12, 24, 10, 0),
            Priority.HIGH,
            cph(2026, 12, 24, 11, 0),
            cph(2026, 12, 24, 12, 0),
        ),
        # Medium from Thursday 15:30: 2 h = 30 + 90 -> Fri 09:30; 4 h = 30 + 210 -> Fri 11:30.
        (cph(2026, 3, 5, 15, 30), Priority.MEDIUM, cph(2026, 3, 6, 9, 30), cph(2026, 3, 6, 11, 30)),
        # Low from Monday 08:00: 24 h = Mon+Tue+Wed (3 x 480) -> Wed 16:00;
        # 36 h = 4 x 480 + 240 -> Fri 12:00.
        (cph(2026, 3, 2, 8, 0), Priority.LOW, cph(2026, 3, 4, 16, 0), cph(2026, 3, 6, 12, 0)),
        # Low from Friday 14:00: 1440 = 60 Fri + 480 Mon + 480 Tue + 420 Wed -> Wed 15:00;
        # 2160 = 60 + 4 x 480 (Mon-Thu) + 180 Fri -> Fri 13 March 11:00.
        (cph(2026, 3, 6, 14, 0), Priority.LOW, cph(2026, 3, 11, 15, 0), cph(2026, 3, 13, 11, 0)),
        # Normal from Saturday: the clock starts Monday 08:00.
        (cph(2026, 3, 7, 10, 0), Priority.NORMAL, cph(2026, 3, 9, 12, 0), cph(2026, 3, 9, 16, 0)),
        # Normal over Easter: 120 min Wed 1 April, then Thu-Mon closed, 120 min Tue.
        (cph(2026, 4, 1, 14, 0), Priority.NORMAL, cph(2026, 4, 7, 10, 0), cph(2026, 4, 7, 14, 0)),
    ],
)
def test_br12_response_and_resolve_due(
    received: datetime, priority: Priority, respond: datetime, resolve: datetime
) -> None:
    assert response_due(received, priority, CAL) == respond
    assert resolve_due(received, priority, CAL) == resolve


def test_br12_high_runs_real_hours_across_the_march_change() -> None:
    # 01:30 CET (00:30Z): respond 01:30Z = 03:30 CEST, resolve 02:30Z = 04:30 CEST.
    received = cph(2026, 3, 29, 1, 30)
    assert response_due(received, Priority.HIGH, CAL) == cph(2026, 3, 29, 3, 30)
    assert resolve_due(received, Priority.HIGH, CAL) == cph(2026, 3, 29, 4, 30)


def test_br12_deadlines_from_utc_are_given_in_copenhagen_time() -> None:
    # 14:00Z on Thursday 5 March is 15:00 CET: the Normal case above.
    due = response_due(utc(2026, 3, 5, 14, 0), Priority.NORMAL, CAL)
    assert due == cph(2026, 3, 6, 11, 0)
    assert due.tzinfo == CPH
    assert response_due(utc(2026, 3, 7, 21, 30), Priority.HIGH, CAL).tzinfo == CPH


# --- all three ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "priority", "critical", "expected"),
    [
        # Normal, Friday 14:30: review 30+30 -> Mon 08:30; respond 30+210 -> Mon 11:30;
        # resolve 30+450 -> Mon 15:30.
        (
            cph(2026, 3, 6, 14, 30),
            Priority.NORMAL,
            False,
            Deadlines(cph(2026, 3, 9, 8, 30), cph(2026, 3, 9, 11, 30), cph(2026, 3, 9, 15, 30)),
        ),
        # Critical and High on a Saturday night: everything on the wall clock.
        (
            cph(2026, 3, 7, 3, 0),
            Priority.HIGH,
            True,
            Deadlines(cph(2026, 3, 7, 4, 0), cph(2026, 3, 7, 4, 0), cph(2026, 3, 7, 5, 0)),
        ),
        # Critical but Normal: reviewed within the hour, answered in business time.
        (
            cph(2026, 3, 7, 10, 0),
            Priority.NORMAL,
            True,
            Deadlines(cph(2026, 3, 7, 11, 0), cph(2026, 3, 9, 12, 0), cph(2026, 3, 9, 16, 0)),
        ),
    ],
)
def test_deadlines_combines_review_response_and_resolve(
    received: datetime, priority: Priority, critical: bool, expected: Deadlines
) -> None:
    assert deadlines(received, priority, critical, CAL) == expected


def test_naive_received_at_is_refused() -> None:
    for critical in (False, True):
        with pytest.raises(ValueError, match="timezone-aware"):
            review_due(datetime(2026, 3, 2, 9, 0), critical, CAL)
    for priority in Priority:
        with pytest.raises(ValueError, match="timezone-aware"):
            response_due(datetime(2026, 3, 2, 9, 0), priority, CAL)


# --- laws ---------------------------------------------------------------------------

instants = st.builds(
    lambda naive, zone: naive.replace(second=0, microsecond=0, tzinfo=UTC).astimezone(zone),
    st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2028, 12, 31)),
    st.sampled_from([UTC, CPH, ZoneInfo("America/New_York")]),
)
priorities = st.sampled_from(list(Priority))


def _elapsed(start: datetime, end: datetime) -> timedelta:
    """Real time between two instants. Python subtracts two datetimes of the same zone
    on the wall clock (an hour short across the spring DST change): compare in UTC."""
    return end.astimezone(UTC) - start.astimezone(UTC)


@given(instants)
def test_law_br7_critical_review_is_one_real_hour_later(received: datetime) -> None:
    assert _elapsed(received, review_due(received, True, CAL)) == HOUR


@given(instants)
def test_law_br7_review_is_sixty_business_minutes_and_never_sooner_than_an_hour(
    received: datetime,
) -> None:
    due = review_due(received, False, CAL)
    assert CAL.business_minutes_between(received, due) == 60
    assert _elapsed(received, due) >= HOUR
    # The hour is used up exactly at `due`, not earlier.
    assert CAL.business_minutes_between(received, due - timedelta(minutes=1)) == 59


@given(instants)
def test_law_br12_high_runs_on_the_wall_clock(received: datetime) -> None:
    assert _elapsed(received, response_due(received, Priority.HIGH, CAL)) == HOUR
    assert _elapsed(received, resolve_due(received, Priority.HIGH, CAL)) == 2 * HOUR


@pytest.mark.parametrize(
    ("priority", "respond_minutes", "resolve_minutes"),
    [(Priority.MEDIUM, 120, 240), (Priority.NORMAL, 240, 480), (Priority.LOW, 1440, 2160)],
)
@given(received=instants)
def test_law_br12_other_levels_run_in_business_minutes(
    priority: Priority, respond_minutes: int, resolve_minutes: int, received: datetime
) -> None:
    respond = response_due(received, priority, CAL)
    resolve = resolve_due(received, priority, CAL)
    assert CAL.business_minutes_between(received, respond) == respond_minutes
    assert CAL.business_minutes_between(received, resolve) == resolve_minutes


@given(instants, priorities, st.booleans())
def test_law_deadlines_are_ordered_and_in_copenhagen_time(
    received: datetime, priority: Priority, critical: bool
) -> None:
    due = deadlines(received, priority, critical, CAL)
    assert received < due.response_due < due.resolve_due
    assert received < due.review_due
    for instant in (due.review_due, due.response_due, due.resolve_due):
        assert instant.tzinfo == CPH


# Worked examples of BR-4, BR-5, BR-11 and BR-12, checked by hand.
def test_normal_on_friday_afternoon_runs_into_monday() -> None:
    received = cph(2026, 11, 27, 14, 30)  # a Friday; Friday closes at 15:00 (BR-4)
    assert response_due(received, Priority.NORMAL, CAL) == cph(2026, 11, 30, 11, 30)
    assert resolve_due(received, Priority.NORMAL, CAL) == cph(2026, 11, 30, 15, 30)


def test_normal_before_christmas_skips_the_closed_days() -> None:
    # 23 Dec 15:00: one hour that day; 24, 25, 26 Dec and the weekend closed (BR-5).
    received = cph(2026, 12, 23, 15, 0)
    assert response_due(received, Priority.NORMAL, CAL) == cph(2026, 12, 28, 11, 0)


def test_high_on_saturday_night_runs_on_the_wall_clock() -> None:
    assert response_due(cph(2026, 11, 28, 22, 0), Priority.HIGH, CAL) == cph(2026, 11, 28, 23, 0)


def test_deadlines_across_the_dst_weekends_of_2026() -> None:
    # Spring forward (29 March, 02:00 -> 03:00): Sunday 01:00 CET (00:00 UTC) plus two
    # real hours of High resolution is 02:00 UTC, which reads 04:00 CEST.
    assert resolve_due(cph(2026, 3, 29, 1, 0), Priority.HIGH, CAL) == cph(2026, 3, 29, 4, 0)
    # A Normal case on Saturday waits for Monday's opening: 08:00 + 4 h.
    assert response_due(cph(2026, 3, 28, 12, 0), Priority.NORMAL, CAL) == cph(2026, 3, 30, 12, 0)
    # Fall back (25 October): a Normal case on Friday 14:00 is due Monday 11:00 CET.
    assert response_due(cph(2026, 10, 23, 14, 0), Priority.NORMAL, CAL) == cph(2026, 10, 26, 11, 0)
