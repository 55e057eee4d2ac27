"""What staff actions do to a case, by mail or at the command line (daemon/domain/
case_changes.py), and how the history names it."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from daemon.domain.business_calendar import BusinessCalendar
from daemon.domain.case_changes import (
    CaseState,
    CommandLimits,
    Event,
    apply_commands,
    history,
    just_done,
    staff_acted,
)
from daemon.domain.commands import Command
from daemon.domain.sla import Priority, deadlines
from daemon.domain.staff import may_be_assigned

CALENDAR = BusinessCalendar(
    timezone="Europe/Copenhagen",
    hours={day: (time(8), time(16)) for day in range(4)} | {4: (time(8), time(15))},
    closed_dates=frozenset(),
    holiday_country="DK",
    extra_closed=frozenset(),
)
CREATED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 10:00 in Copenhagen
AT = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
STAFF = CommandLimits(
    may_be_assigned=lambda a: may_be_assigned(a, ["oo.dk"], []), minutes_per_mail=480
)


def state(**changed: object) -> CaseState:
    values: dict[str, object] = {
        "status": "open",
        "priority": "normal",
        "critical": False,
        "created_at": CREATED,
        "resolved_at": None,
    }
    return CaseState(**(values | changed))  # type: ignore[arg-type]


def test_closing_resolves_and_reopening_unresolves() -> None:
    closed = apply_commands(state(), [Command("status", ("closed",))], AT, CALENDAR, STAFF)
    assert closed.changes == {"status": "closed", "resolved_at": AT}
    reopened = apply_commands(
        state(status="closed", resolved_at=AT), [Command("status", ("open",))], AT, CALENDAR, STAFF
    )
    assert reopened.changes == {"status": "open", "resolved_at": None}


def test_closing_a_closed_case_again_keeps_its_resolution_time() -> None:
    again = apply_commands(
        state(status="closed", resolved_at=CREATED),
        [Command("status", ("closed",))],
        AT,
        CALENDAR,
        STAFF,
    )
    assert again.changes == {} and again.errors == []


def test_assign_takes_only_staff_addresses_when_staff_domains_are_given() -> None:
    assign = [Command("assign", ("kunde@firma.dk",))]
    refused = apply_commands(state(), assign, AT, CALENDAR, STAFF)
    assert refused.changes == {}
    assert refused.errors == ["#assign kunde@firma.dk: not a staff address"]
    # A subdomain is not the staff domain (as for verified staff senders).
    sub = apply_commands(state(), [Command("assign", ("a@x.oo.dk",))], AT, CALENDAR, STAFF)
    assert sub.errors and sub.changes == {}
    taken = apply_commands(state(), [Command("assign", ("Kim@OO.dk",))], AT, CALENDAR, STAFF)
    assert taken.changes == {"assignee": "kim@oo.dk"} and taken.errors == []


def test_priority_recomputes_the_deadlines_from_arrival() -> None:
    applied = apply_commands(state(), [Command("priority", ("high",))], AT, CALENDAR, STAFF)
    due = deadlines(CREATED, Priority.HIGH, False, CALENDAR)
    assert applied.changes == {
        "priority": "high",
        "critical": False,
        "review_due": due.review_due,
        "response_due": due.response_due,
        "resolve_due": due.resolve_due,
    }
    # BR-12: High runs on the wall clock, one and two hours from arrival.
    assert due.response_due.astimezone(UTC) == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert due.resolve_due.astimezone(UTC) == datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


def test_any_staff_action_is_the_review_and_words_to_the_customer_the_response() -> None:
    new = state(status="new")
    assert staff_acted(new, {}, AT, answered_customer=False) == {"reviewed_at": AT}
    assert staff_acted(new, {}, AT, answered_customer=True) == {
        "reviewed_at": AT,
        "first_response_at": AT,
        "status": "open",
    }
    # Already reviewed and answered: the first times stay; a status set by the same
    # action wins over "open".
    seen = state(status="new", reviewed_at=CREATED, first_response_at=CREATED)
    assert staff_acted(seen, {"status": "waiting"}, AT, answered_customer=True) == {
        "status": "waiting"
    }


def test_history_names_each_change_once() -> None:
    before = state(assignee=None)
    changes = {
        "status": "closed",
        "resolved_at": AT,
        "priority": "high",
        "critical": True,
        "assignee": "kim@oo.dk",
        "reviewed_at": AT,
    }
    assert history(before, changes) == [
        Event("status", {"from": "open", "to": "closed"}),
        Event("priority", {"from": "normal", "to": "high", "critical": True}),
        Event("assign", {"from": None, "to": "kim@oo.dk"}),
    ]
    # Written but not changed (a status set to what it was): nothing to tell.
    assert history(before, {"status": "open", "reviewed_at": AT}) == []


# -- limits from [staff]: who may be assigned, how much one mail may log ---------------

M_AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday, in hours
M_STATE = CaseState("open", "normal", False, M_AT, None)
M_LIMITS = CommandLimits(
    may_be_assigned=lambda a: may_be_assigned(a, ["oo.dk"], ["konsulent@partner.dk"]),
    minutes_per_mail=480,
)


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("bo@oo.dk", True),
        ("BO@OO.DK", True),
        ("konsulent@partner.dk", True),  # listed in [staff] addresses
        ("Konsulent@Partner.dk", True),
        ("attacker@evil.example", False),
        ("bo@oo.dk.evil.example", False),
        ("bo@sub.oo.dk", False),  # a subdomain is not the staff domain
        ("other@partner.dk", False),
    ],
)
def test_only_staff_may_be_assigned(address: str, allowed: bool) -> None:
    applied = apply_commands(M_STATE, [Command("assign", (address,))], M_AT, CALENDAR, M_LIMITS)
    assert ("assignee" in applied.changes) is allowed
    assert bool(applied.errors) is not allowed
    if allowed:
        assert applied.changes["assignee"] == address.lower()


def test_time_per_mail_is_capped_and_the_rest_refused() -> None:
    commands = [Command("time", ("240", "support"))] * 3
    applied = apply_commands(M_STATE, commands, M_AT, CALENDAR, M_LIMITS)
    assert [t.minutes for t in applied.time_entries] == [240, 240]
    [error] = applied.errors
    assert "at most 480 minutes" in error and "480 logged above" in error


def test_one_command_over_the_cap_is_refused_whole() -> None:
    one_day = [Command("time", ("1440", "senior"))]
    applied = apply_commands(M_STATE, one_day, M_AT, CALENDAR, M_LIMITS)
    assert applied.time_entries == []
    assert len(applied.errors) == 1


def test_a_lower_priority_says_a_critical_case_is_not_critical_after_all() -> None:
    """Critical is High (BR-6, BR-9): `#priority normal` on a case the classifier judged
    critical corrects the verdict; `#priority high` keeps it critical."""
    critical = state(priority="high", critical=True)
    lowered = apply_commands(critical, [Command("priority", ("normal",))], AT, CALENDAR, STAFF)
    due = deadlines(CREATED, Priority.NORMAL, False, CALENDAR)
    assert lowered.changes == {
        "priority": "normal",
        "critical": False,
        "review_due": due.review_due,
        "response_due": due.response_due,
        "resolve_due": due.resolve_due,
    }
    assert history(critical, lowered.changes) == [
        Event("priority", {"from": "high", "to": "normal", "critical": False}),
    ]
    kept = apply_commands(critical, [Command("priority", ("high",))], AT, CALENDAR, STAFF)
    assert kept.changes == {}
    # #critical after #priority low in one mail: critical, and so High.
    both = [Command("priority", ("low",)), Command("critical", ())]
    assert apply_commands(state(), both, AT, CALENDAR, STAFF).changes["priority"] == "high"


# --- #project and `cases project` (BR-14, BR-15, BR-18 example 4) -------------------


def project(*args: str) -> list[Command]:
    return [Command("project", args)]


def test_project_marks_the_case_with_its_rate_and_agreed_time() -> None:
    marked = apply_commands(state(), project("on", "senior", "240"), AT, CALENDAR, STAFF)
    assert marked.changes == {
        "project": True, "project_senior": True, "project_estimate_minutes": 240
    }
    assert history(state(), marked.changes) == [
        Event("project", {"project": True, "rate_kind": "senior", "estimate_minutes": 240})
    ]


def test_project_keeps_the_terms_it_does_not_name() -> None:
    before = state(project=True, project_senior=True, project_estimate_minutes=240)
    # An estimate agreed later leaves the senior rate alone, and the other way round.
    assert apply_commands(before, project("on", "", "90"), AT, CALENDAR, STAFF).changes == {
        "project": True, "project_senior": True, "project_estimate_minutes": 90
    }
    assert apply_commands(before, project("on", "project", ""), AT, CALENDAR, STAFF).changes == {
        "project": True, "project_senior": False, "project_estimate_minutes": 240
    }
    dropped = apply_commands(before, project("on", "", "none"), AT, CALENDAR, STAFF)
    assert dropped.changes["project_estimate_minutes"] is None


def test_project_off_drops_the_terms_with_the_mark() -> None:
    before = state(project=True, project_senior=True, project_estimate_minutes=240)
    off = apply_commands(before, project("off", "", ""), AT, CALENDAR, STAFF)
    assert off.changes == {
        "project": False, "project_senior": False, "project_estimate_minutes": None
    }
    assert history(before, off.changes) == [
        Event("project", {"project": False, "rate_kind": "project", "estimate_minutes": None})
    ]


def test_project_again_with_the_same_terms_is_no_history() -> None:
    before = state(project=True, project_estimate_minutes=60)
    again = apply_commands(before, project("on", "", ""), AT, CALENDAR, STAFF)
    assert again.errors == [] and history(before, again.changes) == []


# --- time logged with no start given (red team 24a) --------------------------------
# BR-16: "Alle henvendelser, som vi sætter i gang udenfor normal åbningstid, afregnes med
# 100% tillæg". The start of work logged as just done is inferred (MINUTES before it
# was logged) and judged as a start given with --at would be (review24b).


@pytest.mark.parametrize(
    ("logged", "minutes", "after_hours"),
    [
        ("2026-11-23T16:10:00+01:00", 30, False),  # Monday: began 15:40, in hours
        ("2026-11-23T08:05:00+01:00", 30, True),  # Monday: began 07:35, before opening
        ("2026-11-23T22:00:00+01:00", 30, True),  # Monday night: on-call work
        ("2026-11-23T16:40:00+01:00", 30, True),  # began 16:10: after closing
        ("2026-11-28T11:00:00+01:00", 60, True),  # Saturday
        ("2026-11-27T15:20:00+01:00", 30, False),  # Friday: began 14:50, in hours
        ("2026-11-27T15:40:00+01:00", 30, True),  # Friday closes at 15 (BR-4)
    ],
)
def test_time_logged_as_just_done_is_after_hours_when_its_start_is(
    logged: str, minutes: int, after_hours: bool
) -> None:
    at = datetime.fromisoformat(logged)
    applied = apply_commands(state(), [Command("time", (str(minutes), "support"))], at,
                             CALENDAR, STAFF)
    [entry] = applied.time_entries
    assert entry.after_hours is after_hours
    assert entry == just_done(minutes, "support", at, CALENDAR)
    assert (at - entry.started_at).total_seconds() == minutes * 60


def test_time_logged_just_after_midnight_on_the_first_began_the_month_before() -> None:
    """review24b: 30 minutes logged at 00:10 on 1 December began 23:40 on 30 November,
    after hours (BR-16); the monthly report shows it in December, the month it was
    logged (monthly_billing: "logget efter sin måned")."""
    at = datetime.fromisoformat("2026-12-01T00:10:00+01:00")
    entry = just_done(30, "support", at, CALENDAR)
    assert entry.started_at == datetime.fromisoformat("2026-11-30T23:40:00+01:00")
    assert entry.after_hours


def test_critical_news_makes_a_case_critical_from_now_never_later_than_it_was() -> None:
    """A customer's later mail that is critical (BR-8, BR-9): High and critical, each
    deadline that of a critical case arriving then (BR-7, BR-12: the wall clock), but
    never later than it was."""
    from datetime import UTC, datetime

    from daemon.domain.business_calendar import BusinessCalendar
    from daemon.domain.case_changes import critical_news
    from daemon.domain.sla import Deadlines

    at = datetime(2026, 11, 28, 21, 0, tzinfo=UTC)  # Saturday 22:00 local
    before = Deadlines(
        review_due=datetime(2026, 11, 28, 20, 0, tzinfo=UTC),  # passed already
        response_due=datetime(2026, 11, 30, 8, 0, tzinfo=UTC),  # Monday 09:00
        resolve_due=datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
    )
    changes = critical_news(before, at, BusinessCalendar())
    assert (changes["critical"], changes["priority"]) == (True, "high")
    assert changes["review_due"] == before.review_due
    assert changes["response_due"] == datetime(2026, 11, 28, 22, 0, tzinfo=UTC)
    assert changes["resolve_due"] == datetime(2026, 11, 28, 23, 0, tzinfo=UTC)
