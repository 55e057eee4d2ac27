"""Closed days by name (domain/closed_days.py, BR-5): what an ack calls the day it came on.

Dates are from a wall calendar: Easter Sunday 2026 is 5 April, so skærtorsdag is
2 April, Whit Monday 25 May, Ascension Day 14 May; 24 and 31 December 2026 are
Thursdays.
"""

from __future__ import annotations

from datetime import date

import holidays
import pytest

from daemon.domain.business_calendar import BusinessCalendar
from daemon.domain.closed_days import closed_day_name, easter_sunday

CAL = BusinessCalendar()


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)),
     (2027, date(2027, 3, 28)), (2038, date(2038, 4, 25)), (2285, date(2285, 3, 22))],
)
def test_easter_sunday_from_a_wall_calendar(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_easter_sunday_agrees_with_the_holidays_package_for_150_years() -> None:
    for year in range(1950, 2101):
        listed = holidays.country_holidays("DK", years=year, language="en_US")
        assert listed.get(easter_sunday(year)) == "Easter Sunday", year


@pytest.mark.parametrize(
    ("day", "danish", "english"),
    [
        (date(2026, 1, 1), "nytårsdag", "New Year's Day"),
        (date(2026, 4, 2), "skærtorsdag", "Maundy Thursday"),
        (date(2026, 4, 3), "langfredag", "Good Friday"),
        (date(2026, 4, 5), "påskedag", "Easter Sunday"),
        (date(2026, 4, 6), "anden påskedag", "Easter Monday"),
        (date(2026, 5, 14), "Kristi himmelfartsdag", "Ascension Day"),
        (date(2026, 5, 24), "pinsedag", "Whit Sunday"),
        (date(2026, 5, 25), "anden pinsedag", "Whit Monday"),
        (date(2026, 12, 24), "juleaftensdag", "Christmas Eve"),
        (date(2026, 12, 25), "juledag", "Christmas Day"),
        (date(2026, 12, 26), "anden juledag", "Boxing Day"),
        (date(2026, 12, 31), "nytårsaftensdag", "New Year's Eve"),
        (date(2023, 5, 5), "store bededag", "General Prayer Day"),  # abolished from 2024
    ],
)
def test_closed_days_are_named_in_both_languages(day: date, danish: str, english: str) -> None:
    assert closed_day_name(CAL, day, "da") == danish
    assert closed_day_name(CAL, day, "en") == english


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 4, 1),  # the Wednesday before Easter: open
        date(2026, 4, 4),  # Easter Saturday: a weekend day, not a holiday
        date(2026, 11, 28),  # an ordinary Saturday
        date(2024, 4, 26),  # store bededag's date in 2024, after it was abolished
        date(2026, 6, 5),  # Grundlovsdag: open unless configured closed (BR-5)
    ],
)
def test_a_day_that_is_no_holiday_has_no_name(day: date) -> None:
    assert closed_day_name(CAL, day, "da") is None


def test_every_danish_public_holiday_has_a_name_of_ours() -> None:
    # Whatever the holidays package closes (BR-5), the ack can name, for decades.
    for year in range(2000, 2061):
        for day in holidays.country_holidays("DK", years=year, categories="public"):
            assert closed_day_name(CAL, day, "da"), day
            assert closed_day_name(CAL, day, "en"), day


def test_a_closure_we_cannot_name_is_named_empty() -> None:
    calendar = BusinessCalendar(extra_closed=frozenset({date(2026, 11, 27)}))
    assert closed_day_name(calendar, date(2026, 11, 27), "da") == ""
    # A configured closed date that we do know the name of is named.
    grundlov = BusinessCalendar(closed_dates=frozenset({(12, 24), (12, 31), (6, 5)}))
    assert closed_day_name(grundlov, date(2026, 6, 5), "da") == "grundlovsdag"


def test_movable_danish_names_only_for_a_danish_calendar() -> None:
    swedish = BusinessCalendar(holiday_country="SE")
    assert closed_day_name(swedish, date(2026, 4, 3), "da") == ""  # långfredag: closed
    assert closed_day_name(swedish, date(2026, 12, 24), "en") == "Christmas Eve"
