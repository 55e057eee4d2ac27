"""A project's agreed time as staff type it (BR-18 example 4: "Afregnes efter den
aftalte tid"): `cases project N --estimate 4h`, `#project estimate 1h30m`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daemon.domain.durations import DurationError, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("4h", 240),
        ("90m", 90),
        ("1h30m", 90),
        ("1h 30m", 90),
        ("1.5h", 90),
        ("1,5h", 90),  # as a Dane writes it
        ("1,5 timer", 90),
        ("2 hours", 120),
        ("45 min", 45),
        (" 4H ", 240),
        ("0.25h", 15),
        # As a Danish technician writes time spent (red team 24a):
        ("1 t 15 min", 75),
        ("1 time og 15 minutter", 75),
        ("1 hour and 15 minutes", 75),
        ("45 minutter", 45),
        ("30 min.", 30),
        ("1½ t", 90),
        ("½ time", 30),
        ("halvanden time", 90),
        ("en halv time", 30),
        ("et kvarter", 15),
        ("tre kvarter", 45),
        ("0:45", 45),  # h:mm, as a time sheet writes it
        ("1:15 t", 75),
    ],
)
def test_a_length_of_time_in_hours_and_minutes(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("4", "not a length of time"),  # hours or minutes? a bill must not guess
        ("", "not a length of time"),
        ("h", "not a length of time"),
        ("fire timer", "not a length of time"),
        ("-1h", "not a length of time"),
        ("1.01h", "not a whole number of minutes"),
        ("0h", "no time at all"),
        ("0m", "no time at all"),
        ("30m1h", "not a length of time"),
        ("1e3h", "not a length of time"),
        # The agreement's own "gennemsnitlig svartid på 1:30 minutter" is m:ss.
        ("1:30 minutter", "minutes:seconds"),
        ("1:75", "not a length of time"),
        ("halvanden", "not a length of time"),
    ],
)
def test_anything_else_is_a_clear_error_with_examples(text: str, why: str) -> None:
    with pytest.raises(DurationError, match=why) as refused:
        parse_duration(text)
    assert "\n" not in str(refused.value)


def test_a_very_long_text_is_shortened_in_the_error() -> None:
    with pytest.raises(DurationError) as refused:
        parse_duration("x" * 10_000)
    assert len(str(refused.value)) < 120


@given(st.integers(min_value=1, max_value=100_000))
def test_law_formatted_minutes_read_back_the_same(minutes: int) -> None:
    assert parse_duration(format_duration(minutes)) == minutes
