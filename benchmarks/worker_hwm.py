"""One parsing worker's peak memory (VmHWM) and resident memory (VmRSS) as it is fed
corpus mails, without the database, IMAP or the daemon's other processes (issue 18,
mem18): a cheap way to bisect what `benchmarks.backlog_memory` counts per worker.

A `PreparePool` of one worker (a real `python -m daemon.sources.parse_worker` process)
is given n mails of `benchmarks.corpus.generate(n, seed)` one at a time; /proc/<pid>/status
is read after the first mail and after each checkpoint. The corpus has none of
backlog_memory's 20 MB mails, so the figures are the worker's own, not a big mail's.

CLI: python -m benchmarks.worker_hwm [--n 1000] [--seed 1]
     (run from a `git archive`d tree with PYTHONPATH=$PWD to measure that tree)
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from benchmarks import report
from benchmarks.corpus import generate
from daemon.inbound import InboundMail
from daemon.settings import Settings
from daemon.sources.prepare_pool import PreparePool


def memory_mb(pid: int) -> dict[str, float]:
    """VmHWM and VmRSS of a process, MB."""
    found: dict[str, float] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmHWM", "VmRSS"):
                found[name] = int(value.split()[0]) / 1024
    return found


def measure(n: int, seed: int) -> list[tuple[int, dict[str, float]]]:
    """(mails prepared, the worker's memory_mb) at each checkpoint."""
    received = datetime(2024, 11, 29, tzinfo=UTC)
    pool = PreparePool(Settings.model_validate({"parsing": {"workers": 1}}))
    pool.start()
    checkpoints = {1, 200, n // 2, n}
    seen: list[tuple[int, dict[str, float]]] = []
    pid = 0
    try:
        for uid, raw in enumerate(generate(n, seed), start=1):
            mail = InboundMail(raw=raw, source="imap:INBOX", received_at=received,
                               uidvalidity=1, uid=uid)
            pool.prepare(mail, lambda: False)
            if uid == 1:
                pid = next(w.process.pid for w in pool.workers())
            if uid in checkpoints:
                seen.append((uid, memory_mb(pid)))
    finally:
        pool.close()
    return seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker_hwm")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print(f"n={args.n} load={report.load_average()} (MB)")
    for uid, figures in measure(args.n, args.seed):
        hwm, rss = figures["VmHWM"], figures["VmRSS"]
        print(f"  after {uid:6d} mails: VmHWM {hwm:6.1f}  VmRSS {rss:6.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
