"""The staff console's queue page with many open cases on PostgreSQL (issue 17).

    python -m benchmarks.web_queue [--cases 10000] [--runs 20] [--results-dir DIR]

A fresh database gets N open cases (mixed priorities, a few critical, some assigned,
deadlines spread a week either side of now); the real console (uvicorn, in this
process) serves a signed-in supporter. Each page is requested `runs` times over one
keep-alive connection on loopback; the server time is the console's own
`Server-Timing` (request in to response start), the round trip (to the last byte, on
the client) is printed beside it. Target: the first queue page (nearest deadline first, one
page of [web] page_size cases, countdowns in business time) under 200 ms median.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from benchmarks.report import environment, format_table, median, percentile, write_result

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from servers import postgres_database  # noqa: E402
from web_console import PASSWORD, SECRET, STAFF, RunningConsole, signed_in  # noqa: E402

from daemon.app import build_app  # noqa: E402
from daemon.settings import Settings  # noqa: E402
from daemon.web.accounts import StaffAccounts  # noqa: E402
from daemon.web.console import wall_clock  # noqa: E402

TARGET_MS = 200.0
COLUMNS = (
    "number", "subject", "status", "priority", "critical", "critical_reason", "channel",
    "customer_email", "customer_domain", "agreement", "language", "assignee", "created_at",
    "updated_at", "review_due", "reviewed_at", "response_due", "first_response_at",
    "resolve_due", "flags",
)
PAGES = {
    "queue": "/",
    "queue, page 50": "/?page=50",
    "mine": "/?show=mine",
    "overdue": "/?overdue=1",
    "customer": "/?customer=firma7.dk",
    "search": "/?q=printer",
}


def fill(url: str, count: int, now: datetime, seed: int = 7) -> None:
    rng = random.Random(seed)
    priorities = ("high", "medium", "normal", "normal", "low")
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        with conn.cursor().copy(f"COPY cases ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for i in range(count):
                fresh = i % 20 == 0
                critical = i % 97 == 0
                created = now - timedelta(hours=rng.uniform(0, 14 * 24))
                copy.write_row((
                    100001 + i, f"Sag {i}: printer {i % 13} virker ikke", "open",
                    priorities[i % 5], critical, "server nede" if critical else None, "email",
                    f"kunde{i % 5000}@firma{i % 300}.dk", f"firma{i % 300}.dk", i % 3 != 0,
                    "da", None if i % 4 else STAFF, created, now,
                    created + timedelta(hours=1),
                    None if fresh else created + timedelta(minutes=30),
                    created + timedelta(hours=4),
                    None if fresh else created + timedelta(hours=1),
                    now + timedelta(hours=rng.uniform(-7 * 24, 7 * 24)),
                    '["unverified staff sender"]' if i % 50 == 0 else "[]",
                ))
        conn.execute("SELECT setval('case_number_seq', %s)", (100001 + count,))
        conn.execute("ANALYZE cases")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--results-dir", type=Path, default=None)
    args = parser.parse_args()
    now = datetime.now(UTC).replace(microsecond=0)
    rows, problems = [], []
    with postgres_database("oo_bench_web") as url:
        settings = Settings.model_validate({
            "database": {"url": url},
            "smtp_in": {"enabled": False},
            "web": {"listen": "127.0.0.1:0", "session_secret": SECRET},
        })
        app = build_app(settings)
        app.prepare_database()
        StaffAccounts(app.engine, settings.staff, settings.web, wall_clock).add(STAFF, PASSWORD)
        started = time.perf_counter()
        fill(url, args.cases, now)
        fill_s = time.perf_counter() - started
        with RunningConsole(app) as console:
            session = signed_in(console)
            for name, path in PAGES.items():
                times, server = [], []
                for _ in range(args.runs + 1):  # the first warms the caches; not counted
                    started = time.perf_counter()
                    answer = session.get(console.url(path), timeout=60)
                    times.append((time.perf_counter() - started) * 1000)
                    timing = answer.headers.get("server-timing", "app;dur=nan")
                    server.append(float(timing.rpartition("dur=")[2]))
                    if answer.status_code != 200:
                        problems.append(f"{path}: HTTP {answer.status_code}")
                        break
                shown = answer.text.count('<tr class="')
                times, server = times[1:] or times, server[1:] or server
                rows.append({"page": name, "path": path, "rows": shown,
                             "server_median_ms": round(median(server), 1),
                             "median_ms": round(median(times), 1),
                             "p90_ms": round(percentile(times, 90), 1),
                             "max_ms": round(max(times), 1)})
        app.engine.dispose()
    first = rows[0]
    if first["rows"] != min(args.cases, settings.web.page_size):
        problems.append(f"the queue showed {first['rows']} cases")
    print(f"{args.cases} open cases on PostgreSQL (filled in {fill_s:.1f} s), "
          f"{args.runs} requests a page, page size {settings.web.page_size}")
    print(format_table(
        ["page", "cases shown", "server median ms", "round trip median ms", "p90 ms", "max ms"],
        [[r["page"], r["rows"], r["server_median_ms"], r["median_ms"], r["p90_ms"], r["max_ms"]]
         for r in rows]))
    verdict = "met" if first["server_median_ms"] < TARGET_MS else "MISSED"
    print(f"target: queue server time median < {TARGET_MS:.0f} ms: {verdict}")
    path = write_result("web_queue", {
        "benchmark": "web_queue", "cases": args.cases, "runs": args.runs,
        "target_ms": TARGET_MS, "pages": rows,
        "result": {"problems": problems, "queue_median_ms": first["median_ms"],
                   "queue_server_median_ms": first["server_median_ms"]},
        "environment": environment(),
    }, args.results_dir)
    print(f"result: {path}")
    if problems:
        print("FAILED: " + "; ".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
