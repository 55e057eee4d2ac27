"""Time is a parameter: everything that needs `now` is handed a Clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Clock:
    """A clock stopped at `at` (for --now and tests), telling it in UTC as the system
    clock does. `--now` without an offset is office time (Europe/Copenhagen), and Python
    adds a timedelta to a datetime in such a zone on the wall clock: the night the
    clocks go back, 02:50 CEST + 15 minutes was 03:05 CET, 75 real minutes (a review
    reminder went out 40 minutes early), and an hour of the ack limits' window was two."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a fixed clock needs an aware datetime (with offset)")
    in_utc = at.astimezone(UTC)
    return lambda: in_utc
