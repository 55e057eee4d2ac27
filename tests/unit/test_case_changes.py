"""What staff commands may do to a case: who may be assigned, how much one mail logs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from daemon.domain.calendar import BusinessCalendar
from daemon.domain.case_changes import CaseState, CommandLimits, apply_commands
from daemon.domain.commands import Command
from daemon.domain.staff import may_be_assigned

CALENDAR = BusinessCalendar()
AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday, in hours
STATE = CaseState("open", "normal", False, AT, None)
LIMITS = CommandLimits(
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
    applied = apply_commands(STATE, [Command("assign", (address,))], AT, CALENDAR, LIMITS)
    assert ("assignee" in applied.changes) is allowed
    assert bool(applied.errors) is not allowed
    if allowed:
        assert applied.changes["assignee"] == address.lower()


def test_time_per_mail_is_capped_and_the_rest_refused() -> None:
    commands = [Command("time", ("240", "support"))] * 3
    applied = apply_commands(STATE, commands, AT, CALENDAR, LIMITS)
    assert [t.minutes for t in applied.time_entries] == [240, 240]
    [error] = applied.errors
    assert "at most 480 minutes" in error and "480 logged above" in error


def test_one_command_over_the_cap_is_refused_whole() -> None:
    applied = apply_commands(STATE, [Command("time", ("1440", "senior"))], AT, CALENDAR, LIMITS)
    assert applied.time_entries == []
    assert len(applied.errors) == 1
