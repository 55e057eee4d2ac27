"""Priorities and the deadlines a case is held to (BR-6, BR-7, BR-11, BR-12).

Pure: the moment a case arrived and the business calendar are passed in. Every
deadline returned is a timezone-aware datetime in the calendar's timezone.

Two kinds of time run here:
- *wall-clock* time is elapsed real time, 24/7 (computed in UTC, so an hour is
  sixty minutes even across a DST change);
- *business* time runs only while the calendar is open (BR-4, BR-5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from daemon.domain.business_calendar import BusinessCalendar


class Priority(StrEnum):
    """The service level a case is under (BR-11)."""

    HIGH = "high"
    MEDIUM = "medium"
    NORMAL = "normal"
    LOW = "low"


# BR-11: (respond within, resolve within), measured from when the case arrives.
SLA_TARGETS: Mapping[Priority, tuple[timedelta, timedelta]] = MappingProxyType(
    {
        Priority.HIGH: (timedelta(hours=1), timedelta(hours=2)),
        Priority.MEDIUM: (timedelta(hours=2), timedelta(hours=4)),
        Priority.NORMAL: (timedelta(hours=4), timedelta(hours=8)),
        Priority.LOW: (timedelta(hours=24), timedelta(hours=36)),
    }
)

# BR-12: only High runs on the wall clock, because the on-call duty covers it 24/7.
WALL_CLOCK_PRIORITIES: frozenset[Priority] = frozenset({Priority.HIGH})

# BR-6: every case is reviewed, and its criticality assessed, within one hour.
REVIEW_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Deadlines:
    """When a case must be reviewed, first answered and resolved."""

    review_due: datetime
    response_due: datetime
    resolve_due: datetime


def review_due(received_at: datetime, critical: bool, calendar: BusinessCalendar) -> datetime:
    """When the case must have been reviewed (BR-6, BR-7).

    The hour runs in normal hours, so a case that arrives while closed is due one
    hour after the next opening. A critical case alerts the on-call duty at once,
    and its hour runs on the wall clock.
    """
    return _due(received_at, REVIEW_WINDOW, critical, calendar)


def response_due(received_at: datetime, priority: Priority, calendar: BusinessCalendar) -> datetime:
    """When staff must first have replied to the customer (BR-11, BR-12)."""
    respond, _ = SLA_TARGETS[priority]
    return _due(received_at, respond, priority in WALL_CLOCK_PRIORITIES, calendar)


def resolve_due(received_at: datetime, priority: Priority, calendar: BusinessCalendar) -> datetime:
    """When the case must be resolved (BR-11, BR-12)."""
    _, resolve = SLA_TARGETS[priority]
    return _due(received_at, resolve, priority in WALL_CLOCK_PRIORITIES, calendar)


def deadlines(
    received_at: datetime, priority: Priority, critical: bool, calendar: BusinessCalendar
) -> Deadlines:
    """All three deadlines of a case that arrived at ``received_at``."""
    return Deadlines(
        review_due=review_due(received_at, critical, calendar),
        response_due=response_due(received_at, priority, calendar),
        resolve_due=resolve_due(received_at, priority, calendar),
    )


def runs_on_wall_clock(deadline: str, priority: str, critical: bool) -> bool:
    """Does a case's `deadline` ("review", "response" or "resolve") run on the wall
    clock? The review hour of a critical case does (BR-7), and High's response and
    resolution (BR-12); every other deadline runs in normal hours only. The same
    choice `deadlines` makes, for whoever counts down to a deadline stored earlier."""
    if deadline == "review":
        return critical
    return Priority(priority) in WALL_CLOCK_PRIORITIES


def _due(
    received_at: datetime, window: timedelta, wall_clock: bool, calendar: BusinessCalendar
) -> datetime:
    if wall_clock:
        # Add in UTC: adding to a local datetime would add wall-clock hours, one
        # too many or too few across a DST change.
        return calendar.to_local(calendar.to_local(received_at).astimezone(UTC) + window)
    # BR-12: "24 hours" of business time is 1440 open minutes, several business days.
    return calendar.add_business_minutes(received_at, window // timedelta(minutes=1))
