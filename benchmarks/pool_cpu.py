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

CLI: python -m benchmarks.pool_cpu [--n 3000] [--seed 1] [--workers 2] [--threads 2]
     (PYTHONPATH=TREE:. to measure the daemon/ of another tree, e.g. a `git archive`)
"""

from __future__ import annotations

import argparse
import os
import resource
import threading
import time
from datetime import UTC, datetime

from benchmarks import report
from benchmarks.corpus import generate
from daemon.inbound import InboundMail
from daemon.settings import Settings
from daemon.sources.prepare_pool import PreparePool

_TICKS = os.sysconf("SC_CLK_TCK")


def worker_stat(pid: int) -> tuple[float, float, int]:
    """(user s, system s, minor faults) of a process."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / _TICKS, int(fields[12]) / _TICKS, int(fields[7])


def run(n: int, seed: int, workers: int, threads: int) -> dict[str, float]:
    mails = [
        InboundMail(raw=raw, source="imap:INBOX", received_at=datetime(2024, 11, 29, tzinfo=UTC),
                    uidvalidity=1, uid=uid)
        for uid, raw in enumerate(generate(n, seed), start=1)
    ]
    pool = PreparePool(Settings.model_validate({"parsing": {"workers": workers}}))
    pool.start()
    # Every worker ready (its start-up is not measured): a mail each, at once, since
    # mails handed one after the other all go to the first idle worker (inflight19).
    warming = [threading.Thread(target=pool.prepare, args=(mail, lambda: False))
               for mail in mails[:workers]]
    for thread in warming:
        thread.start()
    for thread in warming:
        thread.join()
    pids = [w.process.pid for w in list(pool._idle.queue) if w is not None]  # noqa: SLF001
    before = {pid: worker_stat(pid) for pid in pids}
    own = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    next_mail = iter(range(n))
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
    wall = time.perf_counter() - started
    after = {pid: worker_stat(pid) for pid in pids}
    mine = resource.getrusage(resource.RUSAGE_SELF)
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
        "wall s": wall,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pool_cpu")
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    load = report.load_average()
    figures = run(args.n, args.seed, args.workers, args.threads)
    print(f"n={args.n} workers={args.workers} threads={args.threads} load={load} "
          "(ms a mail; faults a mail)")
    for name, value in figures.items():
        print(f"  {name:16s} {value:8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
