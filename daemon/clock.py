"""Time is a parameter: everything that needs `now` is handed a Clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Clock:
    """A clock stopped at `at` (for --now and tests)."""
    if at.tzinfo is None:
        raise ValueError("a fixed clock needs an aware datetime (with offset)")
    return lambda: at
