"""Where the daemon process's own CPU goes in one IMAP pass: per thread, and in the
pass's thread per pipeline step (issue 18).

One in-process `poll_once()` of n corpus mails with the parsing workers started first,
logging at INFO to a file, as `benchmarks.ingest` drains. The threads' CPU is read from
/proc/self/task/<tid>/stat every 20 ms (a thread's last reading before it ends is what
it used; the sampler's own thread is listed too); each step's `process` and `finish`
are timed with `time.thread_time`. All CPU time, so a loaded machine changes the
figures less than wall time, but it still changes them (caches, other processes):
compare trees in alternation.

CLI: python -m benchmarks.pass_cpu [--n 2000] [--seed 1]
     (PYTHONPATH=TREE:. to measure the daemon/ of another tree, e.g. a `git archive`)
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from benchmarks import report
from benchmarks.corpus import generate
from benchmarks.ingest import daemon_logging
from benchmarks.sandbox import sandbox
from daemon.app import build_app
from daemon.ops import memory
from daemon.settings import load_settings
from daemon.store.migrate import upgrade

_TICKS = os.sysconf("SC_CLK_TCK")


class ThreadCpu:
    """CPU seconds of this process's threads, by name, sampled until stopped."""

    def __init__(self) -> None:
        self.seconds: dict[int, float] = {}
        self.names: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)

    def sample(self) -> None:
        for tid in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{tid}/stat", encoding="ascii") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended meanwhile: its last sample stands
            self.seconds[int(tid)] = (int(fields[11]) + int(fields[12])) / _TICKS
        for thread in threading.enumerate():
            if thread.native_id is not None:
                self.names.setdefault(thread.native_id, thread.name)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.sample()

    def __enter__(self) -> ThreadCpu:
        self.sample()
        self.before = dict(self.seconds)
        # A thread that begins and ends between two samples (the fetch of a small pass)
        # would not be seen: each thread started meanwhile tells its CPU as it ends.
        self._run_of_threads = threading.Thread.run
        run_of_threads, seconds, names = self._run_of_threads, self.seconds, self.names

        def run_and_tell(thread: threading.Thread) -> None:
            try:
                run_of_threads(thread)
            finally:
                if thread.native_id is not None:
                    names.setdefault(thread.native_id, thread.name)
                    seconds[thread.native_id] = max(
                        seconds.get(thread.native_id, 0.0), time.thread_time())

        threading.Thread.run = run_and_tell  # type: ignore[method-assign]
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        threading.Thread.run = self._run_of_threads  # type: ignore[method-assign]
        self._stop.set()
        self._thread.join()
        self.sample()

    def by_name(self) -> dict[str, float]:
        main = threading.main_thread().native_id
        used: dict[str, float] = defaultdict(float)
        for tid, seconds in self.seconds.items():
            spent = seconds - self.before.get(tid, 0.0)
            # A thread begun during the pass is listed even at 0.00 s: the kernel counts
            # CPU in ticks, and a cheap thread (the fetch, since ack18) may show none.
            if spent > 0 or tid not in self.before:
                name = "pass (main thread)" if tid == main else self.names.get(tid, "?")
                used[name.rsplit("_", 1)[0]] += spent  # prepare_0, prepare_1 -> prepare
        return dict(used)


def timed(call: Callable[..., Any], into: dict[str, float], name: str) -> Callable[..., Any]:
    def run(*args: Any) -> Any:
        started = time.thread_time()
        try:
            return call(*args)
        finally:
            into[name] += time.thread_time() - started

    return run


def measure(n: int, seed: int) -> dict[str, Any]:
    steps: dict[str, float] = defaultdict(float)
    with sandbox("pass-cpu") as box:
        box.dovecot.append("INBOX", generate(n, seed))
        app = build_app(load_settings(box.write_config(smtp_out=None), environ={}))
        upgrade(app.engine)
        for step in app.pipeline.steps:
            kind = type(step).__name__
            step.process = timed(step.process, steps, f"{kind}.process")  # type: ignore[method-assign]
            step.finish = timed(step.finish, steps, f"{kind}.finish")  # type: ignore[method-assign]
        box.checkpoint()
        pool = app.prepare_pool()
        pool.start()
        load = report.load_average()
        try:
            with daemon_logging(box.root / "daemon.log"), ThreadCpu() as threads:
                source = app.imap_source()
                source.use_pool(pool)
                memory.freeze_start_up()  # as `poll --once` does before its pass (daemon23)
                started, cpu = time.perf_counter(), time.process_time()
                try:
                    passed = source.poll_once()
                finally:
                    source.close()
                wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        finally:
            pool.close()
        app.engine.dispose()
    return {"n": n, "load": load, "wall_s": wall, "process_cpu_s": cpu, "pass": vars(passed),
            "threads": threads.by_name(), "steps": dict(steps)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pass_cpu")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    # The daemon's own malloc setting (`run` and `poll` make it): without it, buffers of
    # 256 KB or more cost this process less than they cost the daemon (feed21).
    memory.tune_malloc()
    result = measure(args.n, args.seed)
    n = result["n"]
    print(f"n={n} load={result['load']} wall={result['wall_s']:.1f}s "
          f"process cpu {1000 * result['process_cpu_s'] / n:.3f} ms/mail  "
          + " ".join(f"{k}={v}" for k, v in result["pass"].items()))
    for name, seconds in sorted(result["threads"].items(), key=lambda kv: -kv[1]):
        print(f"  thread {name:24s} {seconds:7.2f} s {1000 * seconds / n:7.3f} ms/mail")
    for name, seconds in sorted(result["steps"].items(), key=lambda kv: -kv[1]):
        if seconds >= 0.000005 * n:  # 0.005 ms a mail and more
            print(f"  step   {name:24s} {seconds:7.2f} s {1000 * seconds / n:7.3f} ms/mail")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
