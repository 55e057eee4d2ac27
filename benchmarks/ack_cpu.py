"""The CPU of composing one acknowledgement, in one thread (issue 18, branch ack18).

The 48 kinds of ack of tests/unit/test_ack_bytes.py (da/en, e-mail and phone, critical
or not, in hours, evening, weekend, holidays, sent the next day; names and subjects of
every kind) composed in turn, n in all, with this tree's daemon/ and templates/;
`time.thread_time` of the whole run, min of 3 after one warm-up run. Four display
names repeat throughout, as a desk's customers do (the greeting is kept per name).

CLI: python -m benchmarks.ack_cpu [--n 2000]   (PYTHONPATH=TREE to measure another tree)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from benchmarks import report
from daemon.mail import compose

sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "unit"))
import test_ack_bytes  # noqa: E402 - tests/unit is no package


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ack_cpu")
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args(argv)
    kinds = [arguments for _, arguments in test_ack_bytes.matrix()]
    work = [kinds[i % len(kinds)] for i in range(args.n)]

    def compose_all() -> float:
        started = time.thread_time()
        for arguments in work:
            compose.acknowledgement(**arguments)
        return time.thread_time() - started

    compose_all()
    best = min(compose_all() for _ in range(3))
    print(f"n={args.n} load={report.load_average()} compose {1e6 * best / args.n:.1f} us an ack "
          f"(thread CPU, min of 3) daemon={compose.__file__}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
