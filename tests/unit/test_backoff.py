"""How long the daemon waits after failures (daemon/ops/backoff.py)."""

from __future__ import annotations

import pytest

from daemon.ops.backoff import (
    Backoff,
    doubling,
    imap_reconnect,
    mail_retry_delay,
    relay_pause,
)
from daemon.settings import OutboxSettings


def delays(backoff: Backoff, count: int) -> list[float]:
    return [backoff.next() for _ in range(count)]


def test_the_delay_doubles_from_the_first_up_to_the_longest() -> None:
    assert delays(Backoff(1.0, 60.0), 8) == [1, 2, 4, 8, 16, 32, 60, 60]


def test_a_success_starts_over() -> None:
    backoff = Backoff(30.0, 300.0)
    assert delays(backoff, 3) == [30, 60, 120]
    backoff.reset()
    assert delays(backoff, 2) == [30, 60]


def test_a_long_outage_does_not_overflow() -> None:
    backoff = Backoff(1.0, 60.0)
    assert delays(backoff, 5000)[-1] == 60.0


@pytest.mark.parametrize("uniform", [0.0, 0.5, 0.999])
def test_jitter_only_shortens_a_delay_and_by_at_most_its_share(uniform: float) -> None:
    plain = delays(Backoff(1.0, 60.0), 10)
    jittered = delays(Backoff(1.0, 60.0, jitter=0.2, uniform=lambda: uniform), 10)
    for without, delay in zip(plain, jittered, strict=True):
        assert 0.8 * without <= delay <= without


def test_the_imap_loop_waits_one_second_first_and_a_minute_at_most() -> None:
    backoff = imap_reconnect()
    first, *_, last = delays(backoff, 10)
    assert 0.8 <= first <= 1.0
    assert 48.0 <= last <= 60.0


def test_the_relay_pause_follows_the_settings_but_stays_under_five_minutes() -> None:
    fast = relay_pause(OutboxSettings(retry_base_seconds=10, retry_max_seconds=40))
    fast.jitter = 0.0
    assert delays(fast, 4) == [10, 20, 40, 40]
    default = relay_pause(OutboxSettings())  # 30 s, up to an hour
    default.jitter = 0.0
    assert delays(default, 6) == [30, 60, 120, 240, 300, 300]


def test_a_refused_mail_waits_by_its_count_of_attempts() -> None:
    settings = OutboxSettings(retry_base_seconds=30, retry_max_seconds=3600)
    assert [mail_retry_delay(n, settings) for n in (1, 2, 3, 7, 8, 9)] == [
        30, 60, 120, 1920, 3600, 3600
    ]


def test_doubling_starts_at_the_first_delay() -> None:
    assert doubling(0, 5.0, 100.0) == doubling(1, 5.0, 100.0) == 5.0
