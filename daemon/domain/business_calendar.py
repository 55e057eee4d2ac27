"""The business calendar: when OneOffice is open (BR-4) and which days it is not (BR-5).

Pure: no I/O and no clock reads. Every instant is a timezone-aware datetime passed
in, in any timezone; every instant returned is in the calendar's own timezone
(Europe/Copenhagen by default), so it prints as the local time staff would say.

All arithmetic is done in UTC. Python's aware-datetime arithmetic within one
tzinfo is wall-clock arithmetic (``dt + timedelta(hours=1)`` across the October
change is two real hours), which is exactly the bug this module must not have.

Mind Python's rule for datetimes that share a tzinfo: they are compared and
subtracted on wall time, ignoring ``fold``. Two instants in the repeated October
hour (02:00-03:00) can compare equal or in the wrong order, and a fold=1 datetime
never equals one in another zone. Normal hours never fall in that hour, but a
wall-clock deadline can (see ``sla``); compare such values after
``.astimezone(UTC)``.

Open intervals are half-open: open at 08:00:00, closed again at 16:00:00. A span of
business time that ends exactly at closing time ends *at* closing time, not at the
next opening: one business hour from Thursday 15:00 is Thursday 16:00.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

# BR-4: Danish local time, with daylight saving.
DEFAULT_TIMEZONE = "Europe/Copenhagen"
# BR-5: whose public holidays close the office.
DEFAULT_HOLIDAY_COUNTRY = "DK"

# BR-4: Monday-Thursday 08:00-16:00, Friday 08:00-15:00; weekends closed.
DEFAULT_HOURS: Mapping[int, tuple[time, time]] = MappingProxyType(
    {
        0: (time(8), time(16)),
        1: (time(8), time(16)),
        2: (time(8), time(16)),
        3: (time(8), time(16)),
        4: (time(8), time(15)),
    }
)

# BR-5: 24 and 31 December are closed although they are not public holidays.
DEFAULT_CLOSED_DATES: frozenset[tuple[int, int]] = frozenset({(12, 24), (12, 31)})

# A calendar that finds no open day within this many days is misconfigured (e.g.
# every date closed); stop rather than loop forever.
_MAX_CLOSED_RUN_DAYS = 366 * 2

_Interval = tuple[datetime, datetime]  # (opens, closes), both UTC

# Days whose open interval a calendar keeps worked out (BusinessCalendar._open_interval):
# a desk's mails and their deadlines fall on a few hundred days, and the bound keeps
# one odd caller walking years of days from holding more than ~1 MB.
_KEPT_DAYS = 4096


@functools.lru_cache(maxsize=256)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    """The public holidays of one country and year, built once and then reused.

    Building a ``holidays`` object costs tens of milliseconds and the calendar asks
    about every day it walks over, so the result is cached per (country, year).
    Only the "public" category is used: for DK that is the statutory helligdage,
    not Grundlovsdag, 1 May, 24 or 31 December (the package files those under
    "optional"); BR-5 closes 24 and 31 December through ``closed_dates`` instead,
    and an office that takes Grundlovsdag off adds (6, 5) there. Easter Sunday and
    Whit Sunday are listed too; they fall on Sundays, which are closed anyway.
    """
    return frozenset(_country_class(country)(years=year, categories="public"))


def supported_countries() -> frozenset[str]:
    """The country codes (ISO 3166 alpha-2 and alpha-3, and aliases such as UK) the
    holidays package knows, from its registry: no country's module is imported."""
    return frozenset(code for _module, code in _registry())


@functools.cache
def _registry() -> tuple[tuple[str, str], ...]:
    # The holidays package takes a tenth of a second to import. The settings and the
    # command line read this module's defaults, so it is imported only when a
    # calendar with a holiday country is built or asked about a holiday.
    from holidays.registry import COUNTRIES

    # module -> (class name, alpha-2, alpha-3, aliases...); an alias may also be a
    # class name (HolidaysAX), which is no code.
    return tuple(
        (module, code)
        for module, (_class, *codes) in COUNTRIES.items()
        for code in codes
        if code.isupper()
    )


def _country_class(country: str) -> Any:
    """The holidays package's class of `country` (_load_country_class), loaded by one
    thread at a time: the calendar is shared by threads (the IMAP pass, the SMTP
    listener, the scheduler), and a thread that came while another was loading the
    module found it half-loaded in sys.modules and failed ("Country DK not available").
    Taken once a year of holidays, when first asked (_public_holidays keeps them)."""
    with _COUNTRY_LOADING:
        return _load_country_class(country)


_COUNTRY_LOADING = threading.Lock()


@functools.cache
def _load_country_class(country: str) -> Any:
    """The holidays package's class of `country`, from that country's module alone.

    holidays.country_holidays() imports the package's `countries`, whose __init__
    imports every one of its 250 countries: ~11 MB of the daemon's resident memory
    (issue 18, benchmarks/backlog_memory.py) for the one country it asks about. The
    registry names the module of each; that module is loaded from its file, under
    its own name (a later import of the whole package then reuses it). Where the
    package is laid out otherwise, its own way is taken.
    """
    import importlib.util
    import sys

    import holidays

    module = next((m for m, code in _registry() if code == country), None)
    name = f"holidays.countries.{module}"
    if module is None or "holidays.countries" in sys.modules or name in sys.modules:
        return _by_package(holidays, country)
    package = importlib.util.find_spec("holidays.countries")
    places = package.submodule_search_locations if package else None
    spec = (
        importlib.util.spec_from_file_location(name, f"{places[0]}/{module}.py")
        if places
        else None
    )
    if spec is None or spec.loader is None:
        return _by_package(holidays, country)
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded
    try:
        spec.loader.exec_module(loaded)
        return getattr(loaded, country)
    except (OSError, ImportError, AttributeError):
        sys.modules.pop(name, None)
        return _by_package(holidays, country)


def _by_package(holidays: Any, country: str) -> Any:
    return functools.partial(holidays.country_holidays, country)


@dataclass(frozen=True)
class BusinessCalendar:
    """Normal working hours (BR-4) less public holidays and closed days (BR-5).

    ``hours`` maps a weekday (0 = Monday, as ``date.weekday()``) to its local
    opening and closing time; a weekday not in it is closed all day.
    ``closed_dates`` are (month, day) pairs closed every year; ``extra_closed``
    are one-off closures; ``holiday_country`` names the country whose public
    holidays close the office (None: no public holidays).
    """

    timezone: str = DEFAULT_TIMEZONE
    hours: Mapping[int, tuple[time, time]] = field(default_factory=lambda: DEFAULT_HOURS)
    closed_dates: frozenset[tuple[int, int]] = DEFAULT_CLOSED_DATES
    holiday_country: str | None = DEFAULT_HOLIDAY_COUNTRY
    extra_closed: frozenset[date] = frozenset()
    # Derived in __post_init__: the zone object and the hours indexed by weekday.
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _week: tuple[tuple[time, time] | None, ...] = field(init=False, repr=False, compare=False)
    _intervals: dict[date, _Interval | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        week: list[tuple[time, time] | None] = [None] * 7
        for weekday, (opens, closes) in self.hours.items():
            if weekday not in range(7):
                raise ValueError(f"weekday must be 0 (Monday) to 6, got {weekday!r}")
            if opens.tzinfo is not None or closes.tzinfo is not None:
                raise ValueError("opening hours are local times and take no tzinfo")
            if not opens < closes:
                raise ValueError(f"weekday {weekday}: opens {opens} is not before {closes}")
            week[weekday] = (opens, closes)
        if not any(week):
            raise ValueError("a business calendar must be open on at least one weekday")
        if (
            self.holiday_country is not None
            and self.holiday_country not in supported_countries()
        ):
            raise ValueError(f"holidays has no country {self.holiday_country!r}")
        # Frozen, so the normalised and derived fields are set past __setattr__.
        object.__setattr__(self, "hours", MappingProxyType(dict(self.hours)))
        object.__setattr__(self, "_zone", ZoneInfo(self.timezone))
        object.__setattr__(self, "_week", tuple(week))
        object.__setattr__(self, "_intervals", {})

    def __hash__(self) -> int:
        # The generated hash would fail on the hours mapping; hash its items instead.
        return hash(
            (
                self.timezone,
                tuple(sorted(self.hours.items())),
                self.closed_dates,
                self.holiday_country,
                self.extra_closed,
            )
        )

    # --- days ------------------------------------------------------------------

    def is_holiday(self, d: date) -> bool:
        """Is ``d`` closed all day whatever its weekday (BR-5)?

        True for a public holiday of ``holiday_country``, a ``closed_dates`` day
        (24 and 31 December by default) and an ``extra_closed`` date. An ordinary
        Saturday is closed but is not a holiday.
        """
        if d in self.extra_closed or (d.month, d.day) in self.closed_dates:
            return True
        return self.holiday_country is not None and d in _public_holidays(
            self.holiday_country, d.year
        )

    def _open_interval(self, d: date) -> _Interval | None:
        """The UTC instants the office opens and closes on local date ``d``, if it does.

        Kept for each day asked: each new case's three deadlines and its ack's hours
        walk the same few days, and working a day out (its holidays, two zone
        conversions) was most of the ~25 us that cost the IMAP pass's thread a mail
        (issue 18, pass21). The calendar is frozen, so a day's interval never changes."""
        intervals = self._intervals
        # One look-up, not `in` and then another: another thread (the SMTP listener,
        # the scheduler) may clear the dict between the two.
        try:
            return intervals[d]
        except KeyError:
            pass
        if len(intervals) >= _KEPT_DAYS:
            intervals.clear()
        interval = intervals[d] = self._work_out_interval(d)
        return interval

    def _work_out_interval(self, d: date) -> _Interval | None:
        hours = self._week[d.weekday()]
        if hours is None or self.is_holiday(d):
            return None
        opens, closes = hours
        # combine() with a ZoneInfo gets the offset that applies on that date, so
        # 08:00 is 07:00Z in winter and 06:00Z in summer.
        return (
            datetime.combine(d, opens, tzinfo=self._zone).astimezone(UTC),
            datetime.combine(d, closes, tzinfo=self._zone).astimezone(UTC),
        )

    def _open_intervals_from(self, at: datetime) -> Iterator[_Interval]:
        """Open intervals from ``at`` onwards, in order, the first clipped to start at ``at``.

        Walks one local day at a time, so a span of N days costs O(N).
        """
        at_utc = self._to_utc(at)
        day = at_utc.astimezone(self._zone).date()
        closed_run = 0
        while True:
            interval = self._open_interval(day)
            if interval is not None and interval[1] > at_utc:
                closed_run = 0
                yield max(interval[0], at_utc), interval[1]
            else:
                closed_run += 1
                if closed_run > _MAX_CLOSED_RUN_DAYS:
                    raise ValueError(f"no opening within {_MAX_CLOSED_RUN_DAYS} days of {at}")
            day += timedelta(days=1)

    # --- instants --------------------------------------------------------------

    def to_local(self, at: datetime) -> datetime:
        """``at`` as the same instant in the calendar's timezone."""
        return self._to_utc(at).astimezone(self._zone)

    def is_open(self, at: datetime) -> bool:
        """Is ``at`` (any timezone) within normal working hours (BR-4, BR-5)?"""
        at_utc = self._to_utc(at)
        interval = self._open_interval(at_utc.astimezone(self._zone).date())
        return interval is not None and interval[0] <= at_utc < interval[1]

    def next_opening(self, at: datetime) -> datetime:
        """The first open instant at or after ``at``, in the calendar's timezone.

        When ``at`` is open that is ``at`` itself (converted to the calendar's zone).
        """
        start, _ = next(self._open_intervals_from(at))
        return start.astimezone(self._zone)

    def last_closing(self, at: datetime) -> datetime:
        """The last closing time at or before ``at``, in the calendar's timezone.

        When ``at`` is closed, that is when the closed period it falls in began (the
        on-call duty's night or weekend so far, BR-10).
        """
        at_utc = self._to_utc(at)
        day = at_utc.astimezone(self._zone).date()
        for _ in range(_MAX_CLOSED_RUN_DAYS + 2):
            interval = self._open_interval(day)
            if interval is not None and interval[1] <= at_utc:
                return interval[1].astimezone(self._zone)
            day -= timedelta(days=1)
        raise ValueError(f"no closing within {_MAX_CLOSED_RUN_DAYS} days before {at}")

    def add_business_minutes(self, start: datetime, minutes: int) -> datetime:
        """The instant ``minutes`` of open time after ``start``, in the calendar's timezone.

        Zero minutes from a closed instant is the next opening. A span that runs out
        exactly at closing time ends at closing time (see the module docstring).
        """
        if minutes < 0:
            raise ValueError(f"minutes must not be negative, got {minutes}")
        remaining = timedelta(minutes=minutes)
        for opens, closes in self._open_intervals_from(start):
            if remaining <= closes - opens:
                return (opens + remaining).astimezone(self._zone)
            remaining -= closes - opens
        raise AssertionError("unreachable: the interval walk never ends")  # pragma: no cover

    def business_minutes_between(self, start: datetime, end: datetime) -> int:
        """Whole minutes of open time in [start, end); 0 when ``end <= start``.

        Seconds are summed first and the total rounded down, so the minutes are
        the ones that have fully elapsed.
        """
        end_utc = self._to_utc(end)
        if end_utc <= self._to_utc(start):
            return 0
        total = timedelta()
        for opens, closes in self._open_intervals_from(start):
            if opens >= end_utc:
                break
            total += min(closes, end_utc) - opens
        return total // timedelta(minutes=1)

    @staticmethod
    def _to_utc(at: datetime) -> datetime:
        # A naive datetime has no instant; guessing its zone would hide a caller's bug.
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"a timezone-aware datetime is required, got {at!r}")
        return at.astimezone(UTC)
