"""How long is left to a case's deadlines (BR-6..BR-12), as the staff console shows it.

Pure: the deadlines come from the case (set by daemon/domain/sla.py when it arrived),
`now` is passed in. A deadline counts down in open business time (BR-12: "24 hours"
of business time is 1440 open minutes) and in wall-clock time; the console shows the
one the deadline runs on and marks the other, so a supporter sees both "due in 3
business hours" and "due tomorrow 10:00". A deadline on the wall clock (a critical
case's review, BR-7; High's response and resolution, BR-12) counts down in real time:
in open time a High case due in fifty minutes on a Saturday night had "0 m" left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from daemon.domain.business_calendar import BusinessCalendar
from daemon.domain.sla import runs_on_wall_clock


class State(StrEnum):
    MET = "met"  # done (reviewed, answered, resolved) in time or not: nothing is due
    RUNNING = "running"
    OVERDUE = "overdue"
    NONE = "none"  # the case has no such deadline


@dataclass(frozen=True)
class Countdown:
    name: str  # "review" | "response" | "resolve"
    due: datetime | None
    state: State
    seconds_left: int  # wall clock; negative when overdue
    business_minutes_left: int  # open time left; 0 when overdue
    wall_clock: bool = False  # the deadline runs on the wall clock (BR-7, BR-12)

    @property
    def label(self) -> str:
        """Short Danish-neutral text for a table cell: "2 t 05 m", "-1 d 3 t", "ok"."""
        if self.state is State.MET:
            return "ok"
        if self.state is State.NONE:
            return "-"
        if self.state is State.OVERDUE:
            return "-" + duration_text(-self.seconds_left)
        if self.wall_clock:
            return duration_text(self.seconds_left)
        return duration_text(self.business_minutes_left * 60)


# The three deadlines and what meets each (the order the console shows them).
DEADLINE_NAMES = (
    ("review", "review_due", "reviewed_at"),
    ("response", "response_due", "first_response_at"),
    ("resolve", "resolve_due", "resolved_at"),
)


def countdown(
    name: str, due: datetime | None, done_at: datetime | None, now: datetime,
    calendar: BusinessCalendar, wall_clock: bool = False,
) -> Countdown:
    if due is None:
        return Countdown(name, None, State.NONE, 0, 0)
    if done_at is not None:
        return Countdown(name, due, State.MET, 0, 0)
    seconds = int((due - now).total_seconds())
    if seconds <= 0:
        return Countdown(name, due, State.OVERDUE, seconds, 0)
    return Countdown(
        name,
        due,
        State.RUNNING,
        seconds,
        calendar.business_minutes_between(now, due),
        wall_clock,
    )


def case_countdowns(
    times: dict[str, datetime | None],
    now: datetime,
    calendar: BusinessCalendar,
    *,
    priority: str,
    critical: bool,
) -> list[Countdown]:
    """The three countdowns of a case from its deadline and done-at times, each on the
    clock its deadline runs on by the case's priority and criticality (sla)."""
    return [
        countdown(
            name, times.get(due), times.get(done), now, calendar,
            runs_on_wall_clock(name, priority, critical),
        )
        for name, due, done in DEADLINE_NAMES
    ]


def nearest(countdowns: list[Countdown]) -> Countdown | None:
    """The deadline to act on first: the earliest one not met."""
    pending = [c for c in countdowns if c.state in (State.RUNNING, State.OVERDUE)]
    return min(pending, key=lambda c: c.seconds_left, default=None)


def duration_text(seconds: int) -> str:
    minutes = max(seconds, 0) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} t"
    if hours:
        return f"{hours} t {mins:02d} m"
    return f"{mins} m"
