"""One scheduler pass (reminders, escalations, pages, SLA alerts) over many open cases.

    python -m benchmarks.triage [--cases 100000] [--passes 5] [--results-dir DIR]

A fresh PostgreSQL database gets N open cases shaped like a real backlog: most were
reviewed and answered in time and wait for resolution, with resolution deadlines
spread a week either side of now; 1% arrived in the last hour and are not reviewed
yet. The first pass raises the alerts that are due (and queues their mails, one per
recipient and kind in each chunk of 500 cases); later passes find nothing new, which
is the steady state the daemon runs in every minute.
Reports each pass's seconds and the process's peak RSS after it (target: < 1 s a
pass at 100,000 cases, no growth across passes).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from benchmarks.report import (
    environment,
    format_table,
    peak_rss_mb,
    reset_peak_rss,
    write_result,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from servers import postgres_database  # noqa: E402

from daemon.app import build_app  # noqa: E402
from daemon.scheduler import triage_pass  # noqa: E402
from daemon.settings import Settings  # noqa: E402

COLUMNS = (
    "number", "subject", "status", "priority", "critical", "channel", "customer_email",
    "customer_domain", "agreement", "language", "created_at", "updated_at", "review_due",
    "reviewed_at", "response_due", "first_response_at", "resolve_due", "flags",
)


def fill(url: str, count: int, now: datetime, seed: int = 7) -> None:
    rng = random.Random(seed)
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        with conn.cursor().copy(f"COPY cases ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for i in range(count):
                fresh = i % 100 == 0
                created = now - (timedelta(minutes=rng.uniform(0, 60)) if fresh
                                 else timedelta(days=rng.uniform(0, 14)))
                resolve_due = now + timedelta(hours=rng.uniform(-7 * 24, 7 * 24))
                copy.write_row((
                    100001 + i, f"Sag {i}", "new" if fresh else "open", "normal", False,
                    "email", f"kunde{i % 5000}@firma{i % 300}.dk", f"firma{i % 300}.dk",
                    True, "da", created, now, created + timedelta(hours=1),
                    None if fresh else created + timedelta(minutes=30),
                    created + timedelta(hours=4),
                    None if fresh else created + timedelta(hours=1),
                    resolve_due, "[]",
                ))
        conn.execute("SELECT setval('case_number_seq', %s)", (100001 + count,))
        conn.execute("ANALYZE cases")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--results-dir", type=Path, default=None)
    args = parser.parse_args()
    now = datetime.now(UTC).replace(microsecond=0)
    with postgres_database("oo_bench_triage") as url:
        settings = Settings.model_validate({"database": {"url": url}})
        app = build_app(settings)
        app.prepare_database()
        started = time.perf_counter()
        fill(url, args.cases, now)
        fill_s = time.perf_counter() - started
        rows = []
        baseline = peak_rss_mb()
        for index in range(args.passes):
            reset_peak_rss()  # each pass's own high-water mark
            at = now + timedelta(seconds=60 * index)  # one pass a minute, as in `run`
            started = time.perf_counter()
            counts = triage_pass(app.engine, settings, app.calendar, app.renderer, at)
            seconds = time.perf_counter() - started
            mails = counts.pop("alert_mails")  # the rest count cases
            rows.append({"pass": index + 1, "seconds": round(seconds, 3),
                         "alerts": sum(counts.values()), "mails": mails,
                         "peak_rss_mb": peak_rss_mb()})
        app.engine.dispose()
    print(f"{args.cases} open cases (filled in {fill_s:.1f} s; peak RSS before passes "
          f"{baseline} MB)")
    print(format_table(["pass", "seconds", "alerts raised", "mails queued", "peak RSS MB"],
                       [[r["pass"], r["seconds"], r["alerts"], r["mails"], r["peak_rss_mb"]]
                        for r in rows]))
    path = write_result("triage", {
        "benchmark": "triage", "cases": args.cases, "passes": rows,
        "peak_rss_before_mb": baseline,
        "environment": environment(),
    }, args.results_dir)
    print(f"result: {path}")


if __name__ == "__main__":
    main()
