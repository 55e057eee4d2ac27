"""How long a read command takes from exec to exit (target: under 0.5 s).

    python -m benchmarks.cli_startup [--runs 15] [--cases 200] [--results-dir DIR]

A SQLite database (the embedded default) gets N phone cases through the CLI; then each
command below is run `--runs` times as a child process, as a supporter would type it,
and the median and the slowest wall-clock time are reported. `python -c pass` is run
the same way beside them: the interpreter's own start on this machine, which no code
of ours can go below. `--help` shows the cost of importing the CLI alone.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.report import REPO, environment, format_table, write_result

TARGET_SECONDS = 0.5

# The cases are made now, so this month's report lists them.
_MONTH = datetime.now(UTC).strftime("%Y-%m")
COMMANDS: list[tuple[str, list[str]]] = [
    ("python -c pass", ["-c", "pass"]),
    ("--help", ["-m", "daemon", "--help"]),
    ("cases list", ["-m", "daemon", "cases", "list"]),
    ("cases list --json", ["-m", "daemon", "cases", "list", "--json"]),
    ("cases show N", ["-m", "daemon", "cases", "show", "100001"]),
    ("cases show N --json", ["-m", "daemon", "cases", "show", "100001", "--json"]),
    ("cases search", ["-m", "daemon", "cases", "search", "printeren"]),
    ("ignored list", ["-m", "daemon", "ignored", "list"]),
    ("report --month", ["-m", "daemon", "report", "--month", _MONTH]),
]


def _env(config: Path) -> dict[str, str]:
    # PYTHONDONTWRITEBYTECODE (set in some development shells) would make every run
    # compile daemon/ from source (~0.05 s): an installed oo-support has its bytecode
    # written at install, and the runs after _fill find it cached here too.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("OO_SUPPORT") and k != "PYTHONDONTWRITEBYTECODE"
    }
    return env | {"OO_SUPPORT_CONFIG": str(config), "PYTHONPATH": str(REPO)}


def _fill(config: Path, cases: int, cwd: Path) -> None:
    env = _env(config)
    subprocess.run([sys.executable, "-m", "daemon", "db", "upgrade"], cwd=cwd, env=env,
                   check=True, capture_output=True)
    for i in range(cases):
        subprocess.run(
            [sys.executable, "-m", "daemon", "cases", "new", "--from", f"kunde{i}@firma.dk",
             "--subject", f"Sag {i}", "--body", "Printeren virker ikke", "--channel", "phone",
             "--no-send"],
            cwd=cwd, env=env, check=True, capture_output=True,
        )


def _cpu_of_children() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _time(args: list[str], config: Path, cwd: Path, runs: int) -> dict[str, Any]:
    seconds = []
    # CPU seconds (user + system) of the child as well: on a machine shared with other
    # work the wall-clock time also counts waiting for a core, the CPU time does not.
    cpu = []
    for _ in range(runs):
        start, cpu_start = time.perf_counter(), _cpu_of_children()
        done = subprocess.run([sys.executable, *args], cwd=cwd, env=_env(config),
                              capture_output=True)
        seconds.append(time.perf_counter() - start)
        cpu.append(_cpu_of_children() - cpu_start)
        if done.returncode != 0:
            raise SystemExit(f"{args} failed: {done.stderr.decode()}")
    return {
        "median_s": statistics.median(seconds),
        "max_s": max(seconds),
        "median_cpu_s": statistics.median(cpu),
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command")
    parser.add_argument("--cases", type=int, default=200, help="cases in the database")
    parser.add_argument("--results-dir", type=Path, help="where the JSON result goes")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="oo-cli-startup-") as tmp:
        cwd = Path(tmp)
        config = cwd / "oo.toml"
        config.write_text(
            f'[database]\nurl = "sqlite:///{cwd}/oo.db"\n'
            f'[outbox]\npickup_dir = "{cwd}/outbox"\n',
            encoding="utf-8",
        )
        _fill(config, args.cases, cwd)
        results = {name: _time(cmd, config, cwd, args.runs) for name, cmd in COMMANDS}
    reads = [n for n in results if n not in ("python -c pass", "--help")]
    problems = [
        f"{n}: median {results[n]['median_s']:.3f} s >= {TARGET_SECONDS} s"
        for n in reads
        if results[n]["median_s"] >= TARGET_SECONDS
    ]
    rows = [
        (n, round(r["median_s"], 3), round(r["max_s"], 3), round(r["median_cpu_s"], 3))
        for n, r in results.items()
    ]
    print(format_table(("command", "median s", "max s", "median cpu s"), rows))
    document = {
        "benchmark": "cli_startup",
        "environment": environment(),
        "settings": {"runs": args.runs, "cases": args.cases, "target_s": TARGET_SECONDS},
        "result": {"commands": results, "problems": problems},
    }
    path = write_result("cli_startup", document, args.results_dir)
    print(f"result: {path}")
    if problems:
        print("FAILED: " + "; ".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
