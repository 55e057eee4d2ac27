"""The parsing workers' CPU a mail in a real pool, split user/system, beside the daemon
process's own (issue 18, worker18).

`PreparePool` with `--workers` workers (started first, their start-up not counted),
fed n corpus mails (`benchmarks.corpus.generate(n, seed)`) from `--threads` threads as
a pass's feeding threads feed it; no database, no IMAP. Each worker's utime, stime and
minor page faults are read from /proc/<pid>/stat before and after; the daemon
process's (this one's) CPU by `resource.getrusage`. What the same work costs in one
process, with no pool, is `python -m benchmarks.worker_cpu` (its stages, not its sum:
that benchmark also pickles the mail's bytes into the answer, which a worker does not).

A worker's environment is this process's (prepare_pool._worker_environment), so a
variant of glibc's allocator can be measured by setting its variables here, e.g.
MALLOC_TRIM_THRESHOLD_=... python -m benchmarks.pool_cpu.

`--feed pass` hands the mails to the pool as an IMAP pass does (daemon/sources/imap.py
_Pass): a batch of `--batch` mails begun while the batch before it is waited for, in
order, through `PreparePool.submit` where the pool has it (feed20) and else through a
ThreadPoolExecutor of `--workers` threads calling `prepare`, as the pass did before.
`--busy-thread` adds a thread spinning in Python, as the pass thread is busy in
SQLAlchemy and the acks while the workers are fed: the GIL the feeding must take from
it (issue 18, inflight19's "Why it did not pay"). Also printed: mails/s over the run.

CLI: python -m benchmarks.pool_cpu [--n 3000] [--seed 1] [--workers 2] [--threads 2]
     [--feed threads|pass] [--batch 100] [--busy-thread]
     (run from a tree, e.g. a `git archive`, with PYTHONPATH set to it, to measure its
     daemon/; this file may be copied into an older tree that lacks the options)
"""

from __future__ import annotations

import argparse
import os
import resource
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime

from benchmarks import report
from benchmarks.corpus import generate
from daemon.inbound import InboundMail, Prepared
from daemon.ops import memory
from daemon.settings import Settings
from daemon.sources.prepare_pool import PreparePool

_TICKS = os.sysconf("SC_CLK_TCK")


def worker_stat(pid: int) -> tuple[float, float, int]:
    """(user s, system s, minor faults) of a process."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / _TICKS, int(fields[12]) / _TICKS, int(fields[7])


def _pids(pool: PreparePool) -> list[int]:
    if hasattr(pool, "workers"):  # the pool with one dispatcher (feed20)
        return [w.process.pid for w in pool.workers()]
    idle = getattr(pool, "_idle")  # noqa: B009 - the pool of a feeding thread a worker
    return [w.process.pid for w in list(idle.queue) if w is not None]


def _warm(pool: PreparePool, mails: list[InboundMail]) -> None:
    """Every worker ready (its start-up is not measured): a mail each, at once, since
    mails handed one after the other all go to the first idle worker (inflight19)."""
    warming = [threading.Thread(target=pool.prepare, args=(mail, lambda: False))
               for mail in mails]
    for thread in warming:
        thread.start()
    for thread in warming:
        thread.join()
    while hasattr(pool, "workers") and not all(w.ready for w in pool.workers()):
        time.sleep(0.01)


def _feed_threads(pool: PreparePool, mails: list[InboundMail], threads: int) -> None:
    next_mail = iter(range(len(mails)))
    lock = threading.Lock()

    def feed() -> None:
        while True:
            with lock:
                index = next(next_mail, None)
            if index is None:
                return
            pool.prepare(mails[index], lambda: False)

    feeders = [threading.Thread(target=feed) for _ in range(threads)]
    for thread in feeders:
        thread.start()
    for thread in feeders:
        thread.join()


def _feed_pass(pool: PreparePool, mails: list[InboundMail], batch: int, width: int) -> None:
    """As _Pass: the next batch begun before the head batch is waited for (LOOKAHEAD 1)."""
    executor = ThreadPoolExecutor(width, thread_name_prefix="prepare")
    submit: Callable[[InboundMail, Callable[[], bool]], Future[Prepared]] = getattr(
        pool, "submit", lambda mail, stop: executor.submit(pool.prepare, mail, stop))
    begun: deque[list[Future[Prepared]]] = deque()
    batches = (mails[i : i + batch] for i in range(0, len(mails), batch))
    for mails_of_batch in batches:
        begun.append([submit(mail, lambda: False) for mail in mails_of_batch])
        if len(begun) > 1:
            for future in begun.popleft():
                future.result()
    for futures in begun:
        for future in futures:
            future.result()
    executor.shutdown()


def _spin(done: threading.Event) -> None:
    """Python bytecode without a pause, as a pass thread in SQLAlchemy holds the GIL."""
    total = 0
    while not done.is_set():
        for value in range(200):
            total += value


def run(n: int, seed: int, workers: int, threads: int, feed: str = "threads",
        batch: int = 100, busy_thread: bool = False) -> dict[str, float]:
    mails = [
        InboundMail(raw=raw, source="imap:INBOX", received_at=datetime(2024, 11, 29, tzinfo=UTC),
                    uidvalidity=1, uid=uid)
        for uid, raw in enumerate(generate(n, seed), start=1)
    ]
    pool = PreparePool(Settings.model_validate({"parsing": {"workers": workers}}))
    pool.start()
    _warm(pool, mails[:workers])
    pids = _pids(pool)
    before = {pid: worker_stat(pid) for pid in pids}
    done = threading.Event()
    spinner = threading.Thread(target=_spin, args=(done,))
    if busy_thread:
        spinner.start()
    own = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    if feed == "pass":
        _feed_pass(pool, mails, batch, workers)
    else:
        _feed_threads(pool, mails, threads)
    wall = time.perf_counter() - started
    after = {pid: worker_stat(pid) for pid in pids}
    mine = resource.getrusage(resource.RUSAGE_SELF)
    done.set()
    if busy_thread:
        spinner.join()
    pool.close()
    alive = [pid for pid in pids if pid in after]
    user = sum(after[p][0] - before[p][0] for p in alive)
    system = sum(after[p][1] - before[p][1] for p in alive)
    faults = sum(after[p][2] - before[p][2] for p in alive)
    return {
        "workers user": user * 1000 / n, "workers system": system * 1000 / n,
        "workers": (user + system) * 1000 / n, "worker faults": faults / n,
        "daemon user": (mine.ru_utime - own.ru_utime) * 1000 / n,
        "daemon system": (mine.ru_stime - own.ru_stime) * 1000 / n,
        "wall s": wall, "mails/s": n / wall,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pool_cpu")
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--feed", choices=["threads", "pass"], default="threads")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--busy-thread", action="store_true")
    args = parser.parse_args(argv)
    # The daemon's own malloc setting (`run` and `poll` make it): without it, buffers of
    # 256 KB or more cost this process less than they cost the daemon (feed21).
    memory.tune_malloc()
    load = report.load_average()
    figures = run(args.n, args.seed, args.workers, args.threads, args.feed, args.batch,
                  args.busy_thread)
    print(f"n={args.n} workers={args.workers} feed={args.feed} threads={args.threads} "
          f"batch={args.batch} busy thread={args.busy_thread} load={load} "
          "(ms a mail; faults a mail)")
    for name, value in figures.items():
        print(f"  {name:16s} {value:8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
