"""Is every loop of the daemon still making progress? (/healthz, watchdog)

Each long-running loop (IMAP, outbox sender, scheduler) beats when it gets round:
after a pass, on every IDLE tick, while it backs off from an error. A loop that has
not beaten for longer than its allowance is *stalled*: hung on a socket without a
timeout, stuck in a pathological mail, or dead. A stalled loop fails /healthz and
stops the systemd watchdog pets, so systemd restarts the daemon.

A loop that keeps failing (IMAP server down) still beats: restarting the daemon would
not bring the server back. That shows in the metrics (last successful poll), not here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Loop:
    allowance: float
    last_beat: float


class Health:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._loops: dict[str, _Loop] = {}
        self._lock = threading.Lock()

    def register(self, name: str, allowance: float) -> Callable[[], None]:
        """Watch loop `name`; returns its beat function (safe to call from any thread)."""
        with self._lock:
            self._loops[name] = _Loop(allowance, self._monotonic())

        def beat() -> None:
            self._loops[name].last_beat = self._monotonic()

        return beat

    def stalled(self) -> dict[str, float]:
        """Loops past their allowance, with the seconds since they last beat."""
        now = self._monotonic()
        with self._lock:
            return {
                name: round(now - loop.last_beat, 1)
                for name, loop in self._loops.items()
                if now - loop.last_beat > loop.allowance
            }

    def silence(self) -> dict[str, float]:
        """Seconds since each loop last beat (for /healthz's body)."""
        now = self._monotonic()
        with self._lock:
            return {name: round(now - loop.last_beat, 1) for name, loop in self._loops.items()}
