"""What the triage costs a fresh parsing worker: its start, and its first mails.

    python -m benchmarks.worker_start [--n 5000] [--runs 3] [--seed 1] [--results-dir DIR]

Each run is a new interpreter (`python -P`, as daemon/sources/prepare_pool.py starts a
worker) that times, in CPU: importing what a worker imports (daemon.sources.parse_worker),
building the built-in rules as a worker does (`default_rules(OUTSIDE_SERVICES)`: checking
and compiling the rules' regexes, their start words), then classifying the subjects and
new text of n corpus mails (benchmarks.classify.texts) once, as its first mails (reading
the learned weights, building the start-word scanner and whatever is compiled on first
use), and once more (warm). A worker pays the first three once, and again each time it
is replaced after a large mail (issue 18, triage19). The verdicts of both passes must be
the same, else FAILED and exit 1.
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.classify import texts
from benchmarks.report import conclude, environment, format_table, load_average, median

_CHILD = """
import json, pickle, sys, time
cpu = time.process_time
started = cpu()
from daemon.sources import parse_worker  # noqa: F401 - what a worker imports
from daemon.domain.outside_services import OUTSIDE_SERVICES
imported = cpu()
from daemon.domain.triage import classify, default_rules
rules = default_rules(OUTSIDE_SERVICES)
built = cpu()
with open(sys.argv[1], "rb") as file:
    mails = pickle.load(file)
loaded = cpu()
first = [classify(subject, body, rules) for subject, body in mails]
classified = cpu()
warm = [classify(subject, body, rules) for subject, body in mails]
again = cpu()
print(json.dumps({
    "import_ms": (imported - started) * 1000, "build_ms": (built - imported) * 1000,
    "first_ms_per_mail": (classified - loaded) * 1000 / len(mails),
    "warm_ms_per_mail": (again - classified) * 1000 / len(mails),
    "critical": sum(found.critical for found in first), "same": first == warm,
}))
"""


def run_once(path: Path) -> dict[str, float]:
    load = load_average()
    out = subprocess.run([sys.executable, "-P", "-c", _CHILD, str(path)], check=True,
                         capture_output=True, text=True).stdout
    return {**json.loads(out.strip().splitlines()[-1]), "load": load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--results-dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mails.pickle"
        path.write_bytes(pickle.dumps(texts(args.n, args.seed)))
        runs = [run_once(path) for _ in range(args.runs)]
    keys = ("load", "import_ms", "build_ms", "first_ms_per_mail", "warm_ms_per_mail")
    rows = [[index + 1, *(round(run[key], 3 if "per_mail" in key else 1) for key in keys)]
            for index, run in enumerate(runs)]
    rows.append(["median", *(round(median([run[key] for run in runs]), 3) for key in keys)])
    print(f"{args.n} mails (seed {args.seed}), {runs[0]['critical']} critical; CPU")
    print(format_table(["run", "load", "import ms", "build rules ms", "first pass ms/mail",
                        "warm pass ms/mail"], rows))
    problems = [] if all(run["same"] for run in runs) else ["the two passes' verdicts differ"]
    conclude("worker_start", {
        "benchmark": "worker_start", "n": args.n, "seed": args.seed, "runs": runs,
        "problems": problems, "environment": environment(),
    }, args.results_dir)


if __name__ == "__main__":
    main()
