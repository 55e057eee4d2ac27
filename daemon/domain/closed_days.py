"""What a closed day is called, so an acknowledgement can name it (BR-5).

"i dag er det skærtorsdag" tells a customer more than "uden for normal arbejdstid
(mandag-torsdag 8-16 ...)" on a Thursday at 10:00. The business calendar decides
*whether* a day is closed (public holidays of its country, 24 and 31 December, one-off
closures); this module only names it, in the language of the ack. Pure.

The names are ours, not the `holidays` package's: they are customer-facing wording
(the package calls 31 December "Nytårsaften" and Whit Monday "Pentecost Monday"), and
a wording must not change with a dependency's update. Movable Danish holidays are
named by their distance from Easter Sunday; a closed day we have no name for (a
one-off closure, another country's holiday) is named "" and the ack says only that
we are closed.
"""

from __future__ import annotations

from datetime import date

from dateutil.easter import EASTER_WESTERN, easter

from daemon.domain.business_calendar import BusinessCalendar
from daemon.domain.language import Language

# (Danish, English). Danish names are written as in running text (lower case but
# for "Kristi"); English ones as English writes them.
_FIXED: dict[tuple[int, int], tuple[str, str]] = {
    (1, 1): ("nytårsdag", "New Year's Day"),
    (5, 1): ("1. maj", "May Day"),
    (6, 5): ("grundlovsdag", "Constitution Day"),
    (12, 24): ("juleaftensdag", "Christmas Eve"),
    (12, 25): ("juledag", "Christmas Day"),
    (12, 26): ("anden juledag", "Boxing Day"),
    (12, 31): ("nytårsaftensdag", "New Year's Eve"),
}
# Days after Easter Sunday (BR-5: the Danish helligdage that move with Easter).
_EASTER_OFFSETS: dict[int, tuple[str, str]] = {
    -3: ("skærtorsdag", "Maundy Thursday"),
    -2: ("langfredag", "Good Friday"),
    0: ("påskedag", "Easter Sunday"),
    1: ("anden påskedag", "Easter Monday"),
    26: ("store bededag", "General Prayer Day"),  # a holiday until 2023
    39: ("Kristi himmelfartsdag", "Ascension Day"),
    49: ("pinsedag", "Whit Sunday"),
    50: ("anden pinsedag", "Whit Monday"),
}


def easter_sunday(year: int) -> date:
    """Easter Sunday of the Gregorian (western) calendar, by dateutil: the function the
    `holidays` package places Denmark's movable holidays with, so a day it closes and the
    day we name cannot disagree."""
    found: date = easter(year, EASTER_WESTERN)
    return found


def closed_day_name(calendar: BusinessCalendar, day: date, language: Language) -> str | None:
    """The name of `day` when the calendar keeps it closed whatever its weekday (BR-5):
    "skærtorsdag", "juleaftensdag" / "Maundy Thursday", "Christmas Eve"; "" for a
    closed day we have no name for; None for a day that is not a holiday (an ordinary
    weekday or weekend, open or not)."""
    if not calendar.is_holiday(day):
        return None
    index = 0 if language == "da" else 1
    fixed = _FIXED.get((day.month, day.day))
    if fixed is not None:
        return fixed[index]
    if calendar.holiday_country == "DK":
        movable = _EASTER_OFFSETS.get((day - easter_sunday(day.year)).days)
        if movable is not None:
            return movable[index]
    return ""

