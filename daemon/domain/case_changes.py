"""What staff do to a case (INTERFACE.md "Staff by email"), as plain data.

`apply_commands` turns parsed commands into column changes, time entries and
errors to report back; the caller writes them in the same transaction as the
message that carried them. The command line (`cases close`, `cases priority`, ...)
goes through the same function with the command it stands for, so a case closed
by mail and one closed at the command line are closed alike. `staff_acted` adds
what any staff action means for the SLA clocks, and `history` says what changed,
for the case's history.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from daemon.domain.billing import KINDS as TIME_KINDS  # noqa: F401 - re-exported
from daemon.domain.business_calendar import BusinessCalendar
from daemon.domain.commands import KEEP, NO_ESTIMATE, Command
from daemon.domain.sla import Deadlines, Priority, deadlines

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True)
class CaseState:
    status: str
    priority: str
    critical: bool
    created_at: datetime
    resolved_at: datetime | None
    assignee: str | None = None
    reviewed_at: datetime | None = None
    first_response_at: datetime | None = None
    project: bool = False  # its terms (BR-14, BR-15, BR-18): senior rate, agreed minutes
    project_senior: bool = False
    project_estimate_minutes: int | None = None

    @classmethod
    def of(cls, row: Any) -> CaseState:
        """The state of a cases row (or anything with its columns)."""
        return cls(
            row.status,
            row.priority,
            row.critical,
            row.created_at,
            row.resolved_at,
            row.assignee,
            row.reviewed_at,
            row.first_response_at,
            bool(getattr(row, "project", False)),
            bool(getattr(row, "project_senior", False)),
            getattr(row, "project_estimate_minutes", None),
        )


@dataclass(frozen=True)
class TimeEntry:
    minutes: int
    kind: str
    started_at: datetime
    after_hours: bool  # BR-16: judged at the instant the work started


def just_done(
    minutes: int, kind: str, logged_at: datetime, calendar: BusinessCalendar
) -> TimeEntry:
    """Work logged at `logged_at` with no start given (`#time`, the web console,
    `time add` without --at): taken as just done, so it started `minutes` earlier, and
    it is after hours when that start is (BR-16: "Alle henvendelser, som vi sætter i
    gang udenfor normal åbningstid, afregnes med 100% tillæg"). The entry stored says
    it began then, so it is priced as the same entry logged with `--at` that start:
    30 minutes logged at 08:05 began 07:35, after hours; 30 minutes logged at 16:10
    began 15:40, in hours. (review24b: judging also the logging instant left an entry
    that began at 07:35 by its own record unsurcharged, against BR-16 and the README.)
    """
    started = logged_at - timedelta(minutes=minutes)
    return TimeEntry(minutes, kind, started, not calendar.is_open(started))


@dataclass(frozen=True)
class CommandLimits:
    """What staff may do by mail, from `[staff]`: who may be assigned a case, and how
    much time one mail may log (a slip of the finger, or a stolen mailbox, must not
    put a week of senior work on a case)."""

    may_be_assigned: Callable[[str], bool]
    minutes_per_mail: int


@dataclass(frozen=True)
class Event:
    """One entry of a case's history: what was done, and what changed."""

    action: str  # status, priority, assign, time, note, reply, fee, move, project
    detail: dict[str, Any]


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
    """Apply in order; a command that cannot apply is reported and skipped.

    `#assign` takes only staff (`limits.may_be_assigned`): a case is assigned to a
    supporter, never to a customer or an outsider.
    """
    applied = Applied()
    priority, critical, status = state.priority, state.critical, state.status
    logged = 0  # minutes logged by this mail so far
    for command in commands:
        name, args = command.name, command.args
        if name == "priority":
            priority = args[0]
            if priority != Priority.HIGH.value:
                # A critical case is High (BR-6, BR-9): a lower priority is staff saying
                # it is not critical after all (the classifier's verdict corrected).
                critical = False
        elif name == "critical":
            critical, priority = True, Priority.HIGH.value  # BR-6/BR-9: critical is High
        elif name == "status":
            if args[0] == status:
                continue  # closing a closed case again must not move its resolution time
            status = args[0]
            applied.changes["status"] = status
            closing = status == "closed"
            # BR-11: resolved when closed; a reopened case is unresolved again.
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
            applied.time_entries.append(just_done(minutes, kind, at, calendar))
        elif name == "assign":
            if not _EMAIL.match(args[0]):
                applied.errors.append(f"#assign {args[0]}: not an email address")
                continue
            if not limits.may_be_assigned(args[0]):
                # Alerts about the case (subject, customer) go to the assignee.
                applied.errors.append(f"#assign {args[0]}: not a staff address")
                continue
            applied.changes["assignee"] = args[0].lower()
        elif name == "project":
            applied.changes |= _project_terms(state, args)
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


def critical_news(
    current: Deadlines, at: datetime, calendar: BusinessCalendar
) -> dict[str, Any]:
    """The changes to a case that was not critical when a customer's later mail on it,
    arrived at `at`, says something critical (BR-8, BR-9: "nu kan ingen logge på"): the
    case is critical and High (BR-6, BR-9), so outside hours the on-call duty is paged
    at once and in hours the team is told (BR-7, BR-10). Its deadlines are those of a
    critical case arriving at `at` (BR-7, BR-12 on the wall clock), but never later
    than they were: the inquiry it opened with was due then already."""
    due = deadlines(at, Priority.HIGH, True, calendar)
    return {
        "critical": True,
        "priority": Priority.HIGH.value,
        "review_due": min(current.review_due, due.review_due),
        "response_due": min(current.response_due, due.response_due),
        "resolve_due": min(current.resolve_due, due.resolve_due),
    }


def _project_terms(state: CaseState, args: Sequence[str]) -> dict[str, Any]:
    """The columns `#project` / `cases project` set (commands.project_args): a project
    keeps the terms not named; "off" drops the terms with the mark (BR-14: a case that
    adds nothing new is billed as support again)."""
    on, rate, estimate = args
    if on == "off":
        return {"project": False, "project_senior": False, "project_estimate_minutes": None}
    senior = state.project_senior if rate == KEEP else rate == "senior"
    if estimate == KEEP:
        minutes = state.project_estimate_minutes
    else:
        minutes = None if estimate == NO_ESTIMATE else int(estimate)
    return {"project": True, "project_senior": senior, "project_estimate_minutes": minutes}


_PROJECT_COLUMNS = ("project", "project_senior", "project_estimate_minutes")


def staff_acted(
    state: CaseState, changes: dict[str, Any], at: datetime, answered_customer: bool
) -> dict[str, Any]:
    """`changes` plus what a staff action at `at` means for the case's clocks.

    Any staff action shows the case was read: the review is done (BR-6). Words that
    reach the customer are the first response (BR-12) and open a new case.
    """
    found = dict(changes)
    if state.reviewed_at is None:
        found["reviewed_at"] = at
    if answered_customer:
        if state.first_response_at is None:
            found["first_response_at"] = at
        if state.status == "new" and "status" not in changes:
            found["status"] = "open"
    return found


def history(
    state: CaseState, changes: dict[str, Any], time_entries: Sequence[TimeEntry] = ()
) -> list[Event]:
    """What `changes` (columns written over `state`) and logged time mean for the
    case's history, one event per thing a person would name."""
    events = []
    if "status" in changes and changes["status"] != state.status:
        events.append(Event("status", {"from": state.status, "to": changes["status"]}))
    priority = changes.get("priority", state.priority)
    critical = changes.get("critical", state.critical)
    if (priority, critical) != (state.priority, state.critical):
        detail: dict[str, Any] = {"from": state.priority, "to": priority}
        if critical != state.critical:
            detail["critical"] = critical
        events.append(Event("priority", detail))
    before = {name: getattr(state, name) for name in _PROJECT_COLUMNS}
    after = {name: changes.get(name, value) for name, value in before.items()}
    if after != before:
        events.append(
            Event(
                "project",
                {
                    "project": after["project"],
                    "rate_kind": "senior" if after["project_senior"] else "project",
                    "estimate_minutes": after["project_estimate_minutes"],
                },
            )
        )
    if "assignee" in changes and changes["assignee"] != state.assignee:
        events.append(Event("assign", {"from": state.assignee, "to": changes["assignee"]}))
    events += [
        Event(
            "time",
            {
                "minutes": t.minutes,
                "kind": t.kind,
                "started_at": t.started_at.isoformat(),
                "after_hours": t.after_hours,
            },
        )
        for t in time_entries
    ]
    return events
