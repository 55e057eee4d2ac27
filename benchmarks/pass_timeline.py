"""Where the idle time of a `poll --once` is: each process's CPU over the pass, by phase
(issue 18: the daemon reaches ~0.73 of what its CPU a mail would allow on 2 cores).

One sandbox, n corpus mails, then `python -m daemon poll --once --no-send` as a child,
its threads named for the kernel (a wrapper calls prctl(PR_SET_NAME) as each Python
thread starts: Python 3.11 names none), logging at INFO to its stderr. Every 25 ms the
CPU of: each thread of the daemon (the pass's thread, the fetching thread, the threads
feeding the workers, the rest), each parsing worker (the daemon's child processes),
this sandbox's Dovecot processes and this database's PostgreSQL backends, from /proc.

The phases, from what the child shows:
  - start-up: the child started -> the first of its pass's SEARCH and its first parsing
    worker seen (imports, the app, login, the backlog counted);
  - after SEARCH / after first worker: the two in the order they happened, each to the
    next mark (`poll --once` starts a backlog's workers at its count, before the pass's
    SEARCH, since start22; a `run` starts them on first use, after it), the last of
    the two -> the first mail's log line (the first batch fetched, the workers'
    imports and triage rules);
  - steady: -> the last mail's log line;
  - tail: -> the child ended (the last MOVE, logout, the workers killed, exit).
For each: seconds, mails logged, and CPU by who spent it as a share of the machine
(cores x seconds): what is left of 100 % sat idle (or went to other work on the
machine: read it beside the load). `--series` prints each 0.5 s apart as well.

CLI: python -m benchmarks.pass_timeline [--n 5000] [--seed 1] [--series]
     [--switch-interval S] [--lookahead N]   (experiments: set in the daemon by a wrapper)
     (from a `git archive` of another tree with this file copied in, to compare trees)
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.cpu_budget import ServerCpu, _pids, _stat
from benchmarks.sandbox import sandbox
from tests.harness import clean_env

TICKS = os.sysconf("SC_CLK_TCK")
SAMPLE_S = 0.025
CORES = os.cpu_count() or 1

# The daemon's CLI with each Python thread named for the kernel (15 characters), so the
# sampler outside can tell them apart in /proc/<pid>/task/<tid>/comm.
CHILD = """
import atexit, ctypes, json, os, runpy, sys, threading, time
_prctl = ctypes.CDLL(None).prctl
_inner = threading.Thread._bootstrap_inner
def _named(self):
    _prctl(15, self.name.encode()[:15], 0, 0, 0)
    _inner(self)
threading.Thread._bootstrap_inner = _named
if os.environ.get("OO_TIMELINE_SWITCH"):
    sys.setswitchinterval(float(os.environ["OO_TIMELINE_SWITCH"]))
from daemon.sources import imap
if os.environ.get("OO_TIMELINE_PHASES"):
    from benchmarks import pass_phases
    pass_phases.install(os.environ["OO_TIMELINE_PHASES"])
if os.environ.get("OO_TIMELINE_LOOKAHEAD"):
    imap.LOOKAHEAD = int(os.environ["OO_TIMELINE_LOOKAHEAD"])
_poll, _marks = imap.ImapSource.poll_once, []
def _noted(self, should_stop=lambda: False, on_progress=lambda done, total: None):
    def progress(done, total):
        _marks.append((time.time(), done, total))
        on_progress(done, total)
    return _poll(self, should_stop, progress)
imap.ImapSource.poll_once = _noted
atexit.register(lambda: open(os.environ["OO_TIMELINE_MARKS"], "w").write(json.dumps(_marks)))
sys.argv = ["daemon", *sys.argv[1:]]
runpy.run_module("daemon", run_name="__main__", alter_sys=True)
"""

GROUPS = ("pass", "fetch", "feeding", "daemon other", "workers", "dovecot", "postgres")


def _thread_group(comm: str, tid: int, pid: int) -> str:
    if tid == pid:
        return "pass"
    if comm.startswith("imap-prefetch"):
        return "fetch"
    if comm.startswith("prepare"):
        return "feeding"
    return "daemon other"


def _cpu(path: str) -> tuple[str, str, float] | None:
    """(command name, state, CPU seconds) from a stat file, None when gone."""
    try:
        text = Path(path).read_text()
    except OSError:
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    return name, fields[0], (int(fields[11]) + int(fields[12])) / TICKS


def _machine_busy() -> float:
    """CPU seconds the whole machine spent busy since boot (every core: not idle, not
    waiting for I/O), from /proc/stat: what the other work on a shared machine took is
    this less the groups'."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    ticks = [int(f) for f in fields]
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / TICKS


class Timeline:
    """Samples of cumulative CPU seconds by group, at wall-clock times (time.time).

    Each sample reads the stat files of the processes already known (the child's threads,
    its workers, the servers); the whole of /proc is looked through only every
    SCAN_EVERY samples for new ones: reading every process's stat 40 times a second
    cost the sampler a quarter of a core, on a machine of two."""

    SCAN_EVERY = 8

    def __init__(self, child: int, servers: ServerCpu) -> None:
        self.child = child
        self.servers = servers
        self.times: list[float] = []
        self.samples: list[dict[str, float]] = []
        self.states: list[dict[str, float]] = []
        self.first_worker: float | None = None
        self._known: dict[int, str] = {}  # pid -> group (workers, dovecot, postgres)
        self._last: dict[tuple[str, int], tuple[str, float]] = {}  # (kind, id) -> group, s
        self._base: dict[int, float] = {}  # a server's CPU when first seen
        self._ticks = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _scan(self, first: bool) -> None:
        readings = {pid: stat for pid in _pids() if (stat := _stat(pid)) is not None}
        parents = {pid: parent for pid, (parent, _) in readings.items()}
        for pid, (parent, cpu) in readings.items():
            if pid in self._known or pid == self.child:
                continue
            group = "workers" if parent == self.child else self.servers._classify(pid, parents)  # noqa: SLF001
            if group is None:
                continue
            self._known[pid] = group
            # A server already running when sampling starts counts from then on.
            self._base[pid] = cpu if first and group != "workers" else 0.0
            if group == "workers" and self.first_worker is None:
                self.first_worker = time.time()

    def sample(self) -> None:
        if self._ticks % self.SCAN_EVERY == 0:
            self._scan(first=self._ticks == 0)
        self._ticks += 1
        now = time.time()
        # Per group, how many of its threads/processes are running or runnable (state
        # R) and how many exist: a worker in S waits for a mail, the pass's thread in S
        # waits for a worker, the database, the IMAP lock or the GIL... (not a CPU).
        states: dict[str, float] = defaultdict(float)
        for entry in os.listdir(f"/proc/{self.child}/task") if self._alive() else ():
            read = _cpu(f"/proc/{self.child}/task/{entry}/stat")
            if read is not None:
                group = _thread_group(read[0], int(entry), self.child)
                self._last[("t", int(entry))] = (group, read[2])
                states[f"{group} R"] += read[1] == "R"
                states[f"{group} n"] += 1
        for pid, group in self._known.items():
            read = _cpu(f"/proc/{pid}/stat")
            if read is not None:
                self._last[("p", pid)] = (group, read[2] - self._base[pid])
                if read[1] not in "ZX":
                    states[f"{group} R"] += read[1] == "R"
                    states[f"{group} n"] += 1
        self.states.append(dict(states))
        totals: dict[str, float] = defaultdict(float)
        for group, seconds in self._last.values():
            totals[group] += seconds
        totals["machine"] = _machine_busy()
        self.times.append(now)
        self.samples.append(dict(totals))

    def _alive(self) -> bool:
        return os.path.isdir(f"/proc/{self.child}/task")

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            self.sample()

    def __enter__(self) -> Timeline:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def running(self, start: float, end: float) -> dict[str, float]:
        """Per group, the share of its samples in [start, end) found running (R)."""
        first = bisect.bisect_left(self.times, start)
        last = bisect.bisect_left(self.times, end)
        counted: dict[str, float] = defaultdict(float)
        for states in self.states[first:last]:
            for key, value in states.items():
                counted[key] += value
        return {g: round(counted[f"{g} R"] / counted[f"{g} n"], 3)
                for g in GROUPS if counted[f"{g} n"]}

    def at(self, moment: float) -> dict[str, float]:
        """The cumulative CPU by group at the last sample not after `moment`."""
        index = max(0, bisect.bisect_right(self.times, moment) - 1)
        return self.samples[index]


def done_by(marks: list[tuple[float, int, int]], moment: float) -> int:
    """Mails stored (committed) by `moment`, from the pass's progress calls."""
    return max((done for when, done, _ in marks if when <= moment), default=0)


def phase_rows(timeline: Timeline, phases: list[tuple[str, float]],
               marks: list[tuple[float, int, int]]) -> list[dict[str, Any]]:
    rows = []
    for (name, start), (_, end) in zip(phases, phases[1:], strict=False):
        before, after = timeline.at(start), timeline.at(end)
        seconds = max(end - start, 1e-9)
        cpu = {g: after.get(g, 0.0) - before.get(g, 0.0) for g in GROUPS}
        machine = after.get("machine", 0.0) - before.get("machine", 0.0)
        cpu["others"] = max(0.0, machine - sum(cpu.values()))
        rows.append({
            "phase": name, "seconds": round(end - start, 2),
            "mails": done_by(marks, end) - done_by(marks, start),
            "cpu_s": {g: round(v, 2) for g, v in cpu.items()},
            "share": {g: round(v / (seconds * CORES), 3) for g, v in cpu.items()},
            "busy": round(sum(v for g, v in cpu.items() if g != "others") / (seconds * CORES), 3),
            "idle": round(max(0.0, 1 - machine / (seconds * CORES)), 3),
            "running": timeline.running(start, end),
        })
    return rows


def run(n: int, seed: int, switch: float | None = None,
        lookahead: int | None = None, by_phase: bool = False) -> dict[str, Any]:
    with sandbox("timeline") as box:
        config = box.filled(n, seed)
        box.checkpoint()
        master = box.dovecot._proc.pid  # noqa: SLF001 - the sandbox's own Dovecot
        database = box.database_url.rsplit("/", 1)[1].split("?")[0]
        load = report.load_average()
        log_path, marks_path = box.root / "daemon.log", box.root / "marks.json"
        phases_path = box.root / "phases.json"
        servers = ServerCpu(master, database)  # its classification only: not started
        with log_path.open("wb") as log_file:
            started, sampler = time.time(), time.process_time()
            child = subprocess.Popen(
                [sys.executable, "-c", CHILD, "poll", "--once", "--no-send", "--json",
                 "--config", str(config)],
                cwd=report.REPO, env={**clean_env(), "OO_TIMELINE_MARKS": str(marks_path),
                     **({"OO_TIMELINE_SWITCH": str(switch)} if switch else {}),
                     **({"OO_TIMELINE_LOOKAHEAD": str(lookahead)} if lookahead else {}),
                     **({"OO_TIMELINE_PHASES": str(phases_path)} if by_phase else {})},
                stdout=subprocess.DEVNULL, stderr=log_file)
            with Timeline(child.pid, servers) as timeline:
                code = child.wait()
                ended = time.time()
                timeline.sample()
            sampler = time.process_time() - sampler
        if code != 0:
            raise RuntimeError(f"poll --once exited {code}: {log_path.read_text()[-2000:]}")
        marks = [tuple(mark) for mark in json.loads(marks_path.read_text())]
        spans = json.loads(phases_path.read_text()) if by_phase else []
    searched = marks[0][0]
    stored = [when for when, done, _ in marks if done > 0]
    if done_by(marks, ended) != n or not stored:
        raise RuntimeError(f"{done_by(marks, ended)} of {n} mails stored")
    # Marks in the order they happened: which of SEARCH and the first worker comes first
    # depends on the command (see the docstring), and a phase of negative length is no phase.
    early = sorted([("after SEARCH", searched),
                    ("after first worker", timeline.first_worker or searched)],
                   key=lambda mark: mark[1])
    phases = [("start-up", started), *early, ("steady", stored[0]),
              ("tail", stored[-1]), ("end", ended)]
    whole = phase_rows(timeline, [("whole pass", started), ("end", ended)], marks)
    series = []
    moment = started
    while moment < ended:
        series += phase_rows(timeline, [(f"{moment - started:5.1f}", moment),
                                        ("", min(moment + 0.5, ended))], marks)
        moment += 0.5
    return {"n": n, "switch_interval": switch, "lookahead": lookahead, "load": load,
            "load_after": report.load_average(),
            "sampler_cpu_s": round(sampler, 2),
            "worker_processes": sum(1 for g in timeline._known.values() if g == "workers"),  # noqa: SLF001
            "seconds": round(ended - started, 2), "mails_per_s": round(n / (ended - started), 1),
            "phases": phase_rows(timeline, phases, marks) + whole, "series": series,
            "thread_phases": spans}


def _table(rows: list[dict[str, Any]]) -> str:
    return report.format_table(
        ("phase", "s", "mails", *GROUPS, "ours", "others", "idle"),
        [[r["phase"], r["seconds"], r["mails"], *(f"{100 * r['share'][g]:.0f}%" for g in GROUPS),
          f"{100 * r['busy']:.0f}%", f"{100 * r['share']['others']:.0f}%",
          f"{100 * r['idle']:.0f}%"] for r in rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pass_timeline")
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--series", action="store_true", help="also each 0.5 s apart")
    parser.add_argument("--switch-interval", type=float, default=None,
                        help="sys.setswitchinterval in the daemon, seconds (an experiment)")
    parser.add_argument("--lookahead", type=int, default=None,
                        help="daemon.sources.imap.LOOKAHEAD in the daemon (an experiment)")
    parser.add_argument("--phases", action="store_true",
                        help="also the pass's and the fetcher's wall time by phase "
                             "(benchmarks/pass_phases.py)")
    parser.add_argument("--results-dir", type=Path, default=report.RESULTS_DIR)
    args = parser.parse_args(argv)
    result = run(args.n, args.seed, args.switch_interval, args.lookahead, args.phases)
    print(f"n={result['n']} load={result['load']}->{result['load_after']} "
          f"{result['seconds']} s {result['mails_per_s']} mails/s; shares of {CORES} cores "
          f"(the sampler itself: {result['sampler_cpu_s']} s CPU); "
          f"{result['worker_processes']} worker processes")
    print(_table(result["phases"]))
    print("share of samples found running or runnable (state R), by thread or process:")
    print(report.format_table(
        ("phase", *GROUPS[:5]),
        [[r["phase"], *(f"{100 * r['running'][g]:.0f}%" if g in r["running"] else "-"
                        for g in GROUPS[:5])] for r in result["phases"]]))
    if args.series:
        print(_table(result["series"]))
    if result["thread_phases"]:
        print("wall time by thread and phase (indented: inside the phase above it):")
        print(report.format_table(
            ("thread", "phase", "s", "its CPU s", "calls", "ms a call"),
            [[r["thread"], r["phase"], f"{r['seconds']:.2f}", f"{r.get('cpu_s', 0):.2f}",
              r["calls"], f"{1000 * r['seconds'] / max(r['calls'], 1):.1f}"]
             for r in result["thread_phases"]]))
    document = {"benchmark": "pass_timeline", "environment": report.environment(), **result}
    print(f"result: {report.write_result('pass_timeline', document, args.results_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
