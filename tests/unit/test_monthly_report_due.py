"""When last month's report mail is due: from the opening of the month's first
business day on, in business hours, until sent (the claim keeps it to once)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from daemon.domain.business_calendar import BusinessCalendar
from daemon.outputs.monthly_reports import previous_month_if_due

TZ = "Europe/Copenhagen"
CAL = BusinessCalendar()


@pytest.mark.parametrize(
    ("now", "due"),
    [
        # Tuesday 1 December 2026 is the first business day: before 08:00 not yet.
        (datetime(2026, 12, 1, 6, 30, tzinfo=UTC), None),
        (datetime(2026, 12, 1, 7, 0, tzinfo=UTC), "2026-11"),  # 08:00, the opening
        # A daemon down all of 1 December sends it on its next pass in hours ...
        (datetime(2026, 12, 2, 9, tzinfo=UTC), "2026-11"),
        (datetime(2026, 12, 31, 9, tzinfo=UTC), None),  # ... not on 31 December (BR-5)
        (datetime(2026, 12, 5, 9, tzinfo=UTC), None),  # nor on a Saturday
        # 1 January is a holiday: December's report is due from Monday 4 January 08:00.
        (datetime(2027, 1, 1, 9, tzinfo=UTC), None),
        (datetime(2027, 1, 4, 6, 59, tzinfo=UTC), None),
        (datetime(2027, 1, 4, 7, 0, tzinfo=UTC), "2026-12"),
    ],
)
def test_due_from_the_first_business_days_opening_in_business_hours(
    now: datetime, due: str | None
) -> None:
    assert previous_month_if_due(now, CAL, TZ) == due
