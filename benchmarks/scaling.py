"""How ingestion scales: `python -m daemon poll --once --no-send` draining n corpus mails
with 1 or 2 parsing workers, pinned to one core (taskset) or not, and two daemons
draining one mailbox into one database at once.

Each cell is a fresh sandbox (benchmarks/sandbox.py): Dovecot, database, the corpus
appended; then the command(s) timed from start to exit (start-up included, as an
operator sees it). `cpu ms/mail` is the CPU time of the daemon process(es) per mail,
from wait4: the daemon's own (fetch, store, move) and, since its parsing workers are its
own children which it reaps, theirs too (until main's 70f2278 they were children of a
forkserver and not counted); flat across n means the cost
per mail does not grow with the backlog. Checked: every mail stored once (as many
inbound messages as mails, as many acks queued as cases), INBOX empty.

CLI: python -m benchmarks.scaling [--n 1000 5000] [--cells w1 w2 w2-1core two-daemons]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.sandbox import sandbox
from tests.harness import clean_env

CELLS: dict[str, dict[str, Any]] = {
    "w1": {"workers": 1, "pin": None, "daemons": 1},
    "w2": {"workers": 2, "pin": None, "daemons": 1},
    "w2-1core": {"workers": 2, "pin": "0", "daemons": 1},
    "w1-1core": {"workers": 1, "pin": "0", "daemons": 1},
    "two-daemons": {"workers": 2, "pin": None, "daemons": 2},
}


def drain(config: Path, workers: int, pin: str | None, daemons: int,
          repo: Path = report.REPO) -> tuple[float, float]:
    """Seconds until every daemon exited, and their CPU seconds (children included)."""
    env = clean_env() | {"OO_SUPPORT__PARSING__WORKERS": str(workers)}
    command = [sys.executable, "-m", "daemon", "poll", "--once", "--no-send", "--json",
               "--config", str(config)]
    if pin is not None:
        command = ["taskset", "-c", pin, *command]
    started = time.monotonic()
    procs = [subprocess.Popen(command, cwd=repo, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE) for _ in range(daemons)]
    cpu = 0.0
    for proc in procs:
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            error = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise RuntimeError(f"poll --once exited {proc.returncode}: {error[-2000:]}")
        cpu += usage.ru_utime + usage.ru_stime
    return time.monotonic() - started, cpu


def measure(cell: str, n: int, seed: int, repo: Path = report.REPO) -> dict[str, Any]:
    spec = CELLS[cell]
    with sandbox("scaling") as box:
        config = box.filled(n, seed)
        box.checkpoint()
        load = report.load_average()
        seconds, cpu = drain(config, spec["workers"], spec["pin"], spec["daemons"], repo)
        inbound = box.query("SELECT count(*) FROM messages WHERE direction = 'in'")[0][0]
        cases = box.query("SELECT count(*) FROM cases")[0][0]
        acks = box.query("SELECT count(*) FROM outbox")[0][0]
        left = box.dovecot.count("INBOX")
    problems = []
    if inbound != n or acks != cases or left:
        problems.append(f"{inbound} of {n} stored, {acks} acks for {cases} cases, "
                        f"{left} left in INBOX")
    return {"cell": cell, "n": n, **spec, "repo": str(repo), "load": load,
            "seconds": round(seconds, 2),
            "mails_per_s": round(n / seconds, 1), "cpu_ms_per_mail": round(1000 * cpu / n, 2),
            "problems": problems}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scaling")
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--cells", nargs="+", choices=sorted(CELLS),
                        default=["w1", "w2", "w2-1core", "two-daemons"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--results-dir", type=Path, default=report.RESULTS_DIR)
    parser.add_argument("--repo", type=Path, nargs="+", default=[report.REPO],
                        help="checkouts whose daemon to run, alternating (before/after: "
                             "python -m daemon runs from the checkout's directory)")
    args = parser.parse_args(argv)
    rows = []
    for n in args.n:
        for cell in args.cells:
            for repo in args.repo:
                row = measure(cell, n, args.seed, repo.resolve())
                rows.append(row)
                print(f"  {repo.name} {cell} n={n}: {row['mails_per_s']} mails/s, "
                      f"{row['cpu_ms_per_mail']} cpu ms/mail, load {row['load']}", flush=True)
    document = {"benchmark": "scaling", "environment": report.environment(), "rows": rows}
    headers = ("checkout", "cell", "n", "workers", "pinned", "daemons", "load", "seconds",
               "mails/s", "cpu ms/mail")
    print(report.format_table(headers, [
        [Path(r["repo"]).name, r["cell"], r["n"], r["workers"], r["pin"] or "-", r["daemons"],
         r["load"], r["seconds"], r["mails_per_s"], r["cpu_ms_per_mail"]] for r in rows]))
    print(f"result: {report.write_result('scaling', document, args.results_dir)}")
    failed = [r for r in rows if r["problems"]]
    for row in failed:
        print(f"FAILED: {row['cell']} n={row['n']}: {row['problems']}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
