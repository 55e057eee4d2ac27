"""What staff commands do to a case (INTERFACE.md "Staff by email"), as plain data.

`apply_commands` turns parsed commands into column changes, time entries and
errors to report back; the caller writes them in the same transaction as the
message that carried them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from daemon.domain.billing import KINDS as TIME_KINDS  # noqa: F401 - re-exported
from daemon.domain.calendar import BusinessCalendar
from daemon.domain.commands import Command
from daemon.domain.sla import Priority, deadlines

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True)
class CaseState:
    status: str
    priority: str
    critical: bool
    created_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True)
class TimeEntry:
    minutes: int
    kind: str
    started_at: datetime
    after_hours: bool  # BR-16: judged at the instant the work started


@dataclass(frozen=True)
class CommandLimits:
    """What staff may do by mail, from `[staff]`: who may be assigned a case, and how
    much time one mail may log (a slip of the finger, or a stolen mailbox, must not
    put a week of senior work on a case)."""

    may_be_assigned: Callable[[str], bool]
    minutes_per_mail: int


@dataclass
class Applied:
    changes: dict[str, Any] = field(default_factory=dict)
    time_entries: list[TimeEntry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def apply_commands(
    state: CaseState,
    commands: Sequence[Command],
    at: datetime,
    calendar: BusinessCalendar,
    limits: CommandLimits,
) -> Applied:
    """Apply in order; a command that cannot apply is reported and skipped."""
    applied = Applied()
    priority, critical = state.priority, state.critical
    logged = 0  # minutes logged by this mail so far
    for command in commands:
        name, args = command.name, command.args
        if name == "priority":
            priority = args[0]
        elif name == "critical":
            critical, priority = True, Priority.HIGH.value  # BR-6/BR-9: critical is High
        elif name == "status":
            applied.changes["status"] = args[0]
            closing = args[0] == "closed"
            applied.changes["resolved_at"] = at if closing else None
        elif name == "time":
            minutes = int(args[0])
            kind = args[1] if len(args) > 1 else "support"
            if logged + minutes > limits.minutes_per_mail:
                applied.errors.append(
                    f"#time {args[0]}: one mail logs at most {limits.minutes_per_mail} minutes"
                    f" ({logged} logged above); log the rest with `oo-support time add`"
                )
                continue
            logged += minutes
            # The command comes when the work is done: it started `minutes` earlier.
            started = at - timedelta(minutes=minutes)
            applied.time_entries.append(
                TimeEntry(minutes, kind, started, not calendar.is_open(started))
            )
        elif name == "assign":
            if not _EMAIL.match(args[0]):
                applied.errors.append(f"#assign {args[0]}: not an email address")
                continue
            if not limits.may_be_assigned(args[0]):
                # Alerts about the case (subject, customer) go to the assignee.
                applied.errors.append(f"#assign {args[0]}: not a staff address")
                continue
            applied.changes["assignee"] = args[0].lower()
        elif name == "internal":
            pass  # decided by the caller: the message is not sent to the customer
        else:  # split_commands reports unknown commands; this guards against drift
            applied.errors.append(f"#{name}: unknown command")
    if (priority, critical) != (state.priority, state.critical):
        # BR-11/BR-12: deadlines run from arrival, by the (new) priority.
        due = deadlines(state.created_at, Priority(priority), critical, calendar)
        applied.changes |= {
            "priority": priority,
            "critical": critical,
            "review_due": due.review_due,
            "response_due": due.response_due,
            "resolve_due": due.resolve_due,
        }
    return applied
