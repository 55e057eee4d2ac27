"""How long the daemon waits after failures: one rule, and every place that uses it.

After each failure in a row the delay doubles, from a first delay up to a longest one;
a success starts it over. Where the daemon retries:

- the IMAP loop, after any error (server gone, database gone, a bug): from 1 s to a
  minute (`imap_reconnect`);
- the outbox sender, while the relay takes nothing (down, our login or token refused,
  a full pickup dir): `[outbox] retry_base_seconds` up to `retry_max_seconds`, but
  never more than 5 minutes, so a relay that is back is used soon (`relay_pause`);
- one mail the relay refused for now (4xx): the same settings, by its count of
  attempts, kept in the database (`mail_retry_delay`).

The two loops take up to a fifth off each delay at random, so two daemons that lost
the same server at the same moment do not come back to it in step; the bounds above
are never exceeded. A mail's retry is a time in the database, not a wait: it has none.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from daemon.settings import OutboxSettings

IMAP_RETRY_FIRST_SECONDS = 1.0
IMAP_RETRY_LONGEST_SECONDS = 60.0
RELAY_PAUSE_LONGEST_SECONDS = 300.0
JITTER = 0.2  # the largest share taken off a loop's delay at random


def doubling(failures: int, first: float, longest: float) -> float:
    """The delay after `failures` failures in a row: `first`, doubled for each further
    one, at most `longest`."""
    return min(first * 2.0 ** min(max(failures - 1, 0), 64), longest)


class Backoff:
    """The delay before a loop's next try: `next()` after each failure, `reset()` after
    a success."""

    def __init__(
        self,
        first: float,
        longest: float,
        jitter: float = 0.0,
        uniform: Callable[[], float] = random.random,
    ) -> None:
        self.first = first
        self.longest = longest
        self.jitter = jitter
        self._uniform = uniform  # [0, 1): tests pass their own
        self.failures = 0

    def next(self) -> float:
        """One more failure: seconds to wait before trying again."""
        self.failures += 1
        return doubling(self.failures, self.first, self.longest) * (
            1.0 - self.jitter * self._uniform()
        )

    def reset(self) -> None:
        self.failures = 0


def imap_reconnect() -> Backoff:
    return Backoff(IMAP_RETRY_FIRST_SECONDS, IMAP_RETRY_LONGEST_SECONDS, JITTER)


def relay_pause(settings: OutboxSettings) -> Backoff:
    return Backoff(
        min(settings.retry_base_seconds, RELAY_PAUSE_LONGEST_SECONDS),
        min(settings.retry_max_seconds, RELAY_PAUSE_LONGEST_SECONDS),
        JITTER,
    )


def mail_retry_delay(attempts: int, settings: OutboxSettings) -> float:
    """Seconds until the next attempt of a mail the relay refused `attempts` times."""
    return doubling(attempts, settings.retry_base_seconds, settings.retry_max_seconds)
