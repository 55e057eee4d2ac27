"""Where the IMAP pass's threads spend their wall time, phase by phase (issue 18, pipe23):
installed in the daemon child of `benchmarks.pass_timeline --phases` before the CLI
runs. Each phase is a function of the pass (or the IMAP lock's acquire) wrapped to add
its time.perf_counter() span (and the thread's own CPU, time.thread_time(), in it) to a
sum by (thread, phase); the sums are written as JSON
at exit. Phases nest (finish_head holds the wait for preparations and the store): the
table says which is inside which. Functions that a tree does not have are left out, so
the same file times another tree (copied in, as pass_timeline is).
"""

from __future__ import annotations

import atexit
import functools
import json
import threading
import time
import types
from collections import defaultdict
from collections.abc import Callable
from typing import Any

# (thread, phase) -> [wall seconds, calls, the thread's CPU seconds]
_SUMS: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0, 0.0])
_GUARD = threading.Lock()


def _add(phase: str, seconds: float, cpu: float = 0.0) -> None:
    key = (threading.current_thread().name, phase)
    with _GUARD:
        entry = _SUMS[key]
        entry[0] += seconds
        entry[1] += 1
        entry[2] += cpu


def _timed(owner: Any, attr: str, phase: str) -> None:
    original = getattr(owner, attr, None)
    if original is None:
        return

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            _add(phase, time.perf_counter() - start, time.thread_time() - cpu)

    setattr(owner, attr, timed)


class _TimedLock:
    """The pass's IMAP lock, its waits and holds timed by the thread that takes it."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._lock = make()
        self._since = 0.0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        start = time.perf_counter()
        got = bool(self._lock.acquire(blocking, timeout))
        self._since = time.perf_counter()
        _add("imap lock: wait", self._since - start)
        return got

    def release(self) -> None:
        _add("imap lock: held", time.perf_counter() - self._since)
        self._lock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *_: object) -> None:
        self.release()


def install(out: str) -> None:
    from daemon import pipeline
    from daemon.sources import imap, prefetch, prepare_pool
    from daemon.store import repository

    # imap.py's own `threading.Lock()` (the pass's IMAP lock) timed; nothing else's.
    shim = types.SimpleNamespace(**vars(threading))
    shim.Lock = lambda: _TimedLock(threading.Lock)
    imap.threading = shim  # type: ignore[assignment]
    for owner, attr, phase in (
        (imap.ImapSource, "poll_once", "poll_once (all)"),
        (prefetch.Prefetcher, "take", "take: wait for the fetched batch"),
        (imap._Pass, "_begin", "begin: count tries + submit"),  # noqa: SLF001
        (imap._Pass, "finish_head", "finish_head (wait + store + settle)"),  # noqa: SLF001
        (imap, "wait", "  wait for preparations"),
        (pipeline.Pipeline, "ingest_prepared", "  store: ingest_prepared (commit)"),
        (imap.ImapSource, "_move", "move: all (in the lock)"),
        (repository, "take_turn_to_move", "  move: advisory lock statement"),
        (imap, "_move_left", "  move: IMAP MOVE"),
        (prepare_pool.PreparePool, "submit", "submit (each mail)"),
        (imap.ImapSource, "_fetch_batch", "fetch: FETCH a batch (in the lock)"),
        (prefetch.Prefetcher, "_reserve", "fetch: wait for the byte budget"),
        (prefetch.Prefetcher, "_put", "fetch: wait for queue room"),
    ):
        _timed(owner, attr, phase)
    atexit.register(_write, out)


def _write(out: str) -> None:
    rows = [
        {"thread": thread, "phase": phase, "seconds": round(total, 4), "calls": int(calls),
         "cpu_s": round(cpu, 4)}
        for (thread, phase), (total, calls, cpu) in sorted(_SUMS.items())
    ]
    with open(out, "w") as file:
        json.dump(rows, file)
