"""The monthly report over a year of cases: one month's report for every customer, in
each format, and the scheduler's monthly mail job (one report per customer).

    python -m benchmarks.monthly_report [--cases-per-month 5000] [--customers 300]
                                        [--projects 0.05] [--results-dir DIR]

A fresh PostgreSQL database gets twelve months of cases (2026), each with one to
three time entries spread over the 60 days after it opened (so many cases have work
in a later month: the report picks those up by the time entries' month), 1 % with
a fee and `--projects` (default 5 %) marked project at a random instant of those 60
days (a "project" event with its terms; three in four with an agreed estimate): each
month is priced by the terms of then (monthly_billing's ledger). Reports the seconds of
`build_report` for June (all customers, then one), of rendering it as JSON, CSV and
HTML, and of each scheduler pass of
`send_monthly_reports` on the first business day of July until every customer's mail
is queued (one claim and queued mail per customer, at most REPORTS_PER_PASS a pass).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from benchmarks.report import environment, format_table, write_result

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from servers import postgres_database  # noqa: E402

from daemon.app import build_app  # noqa: E402
from daemon.outputs import reports  # noqa: E402
from daemon.outputs.monthly_reports import send_monthly_reports  # noqa: E402
from daemon.settings import Settings  # noqa: E402

TZ = "Europe/Copenhagen"
CASE_COLUMNS = (
    "number", "subject", "status", "priority", "critical", "channel", "customer_email",
    "customer_domain", "agreement", "language", "created_at", "updated_at", "response_due",
    "first_response_at", "resolve_due", "resolved_at", "flags",
)


def fill(url: str, per_month: int, customers: int, seed: int = 11,
         projects: float = 0.05) -> tuple[int, int]:
    """Cases of 2026 with their time entries and fees; returns (cases, time entries)."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, 7, tzinfo=UTC)
    total = per_month * 12
    span = timedelta(days=365)
    created = sorted(start + span * rng.random() for _ in range(total))
    dsn = url.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(dsn) as conn:
        with conn.cursor().copy(f"COPY cases ({', '.join(CASE_COLUMNS)}) FROM STDIN") as copy:
            for i, at in enumerate(created):
                domain = f"firma{i % customers}.dk"
                copy.write_row((
                    100001 + i, f"Sag {i}", "closed", "normal", False, "email",
                    f"kunde{i % 5000}@{domain}", domain, True, "da", at, at,
                    at + timedelta(hours=4), at + timedelta(hours=1), at + timedelta(hours=8),
                    at + timedelta(hours=6), "[]",
                ))
        conn.execute("SELECT setval('case_number_seq', %s)", (100001 + total,))
        ids = [row[0] for row in conn.execute("SELECT id FROM cases ORDER BY id")]
        entries = 0
        with conn.cursor().copy(
            "COPY time_entries (case_id, minutes, staff, at, kind, after_hours, created_at)"
            " FROM STDIN"
        ) as copy:
            for case_id, at in zip(ids, created, strict=True):
                for _ in range(rng.randint(1, 3)):
                    when = at + timedelta(days=rng.uniform(0, 60))
                    copy.write_row((case_id, rng.choice([5, 10, 15, 20, 30, 60]), "tina@oo.dk",
                                    when, rng.choice(["support", "support", "project"]),
                                    rng.random() < 0.1, when))
                    entries += 1
        with conn.cursor().copy(
            "COPY case_fees (case_id, description, amount, added_by, created_at) FROM STDIN"
        ) as copy:
            for case_id, at in zip(ids, created, strict=True):
                if rng.random() < 0.01:
                    copy.write_row((case_id, "Gebyr for ikke-kritisk opkald til vagten",
                                    "1000.00", "tina@oo.dk", at + timedelta(hours=1)))
        # After the fees, with their own generator: the cases, entries and fees are
        # the same whatever the share of projects.
        marks = random.Random(seed + 1)
        marked = []
        with conn.cursor().copy(
            "COPY case_events (case_id, at, actor, action, detail, created_at) FROM STDIN"
        ) as copy:
            for case_id, at in zip(ids, created, strict=True):
                if marks.random() < projects:
                    when = at + timedelta(days=marks.uniform(0, 60))
                    estimate = marks.choice([None, 60, 120, 240])
                    detail = json.dumps({"project": True, "rate_kind": "project",
                                         "estimate_minutes": estimate})
                    copy.write_row((case_id, when, "tina@oo.dk", "project", detail, when))
                    marked.append((case_id, estimate))
        for case_id, estimate in marked:
            conn.execute("UPDATE cases SET project = true, project_estimate_minutes = %s"
                         " WHERE id = %s", (estimate, case_id))
        conn.execute("ANALYZE")
    return total, entries


def timed(what: str, rows: list[list[object]], call: object) -> object:
    started = time.perf_counter()
    result = call()  # type: ignore[operator]
    rows.append([what, round(time.perf_counter() - started, 3)])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases-per-month", type=int, default=5000)
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--projects", type=float, default=0.05,
                        help="share of cases marked project, with a 'project' event")
    parser.add_argument("--results-dir", type=Path, default=None)
    args = parser.parse_args()
    now = datetime(2026, 7, 1, 7, 30, tzinfo=UTC)  # Wednesday 1 July, 09:30
    with postgres_database("oo_bench_report") as url:
        settings = Settings.model_validate({
            "database": {"url": url},
            "reports": {"monthly_email": True},
            "customers": [
                {"name": f"Firma {i}", "domains": [f"firma{i}.dk"],
                 "contact": f"it@firma{i}.dk"}
                for i in range(args.customers)
            ],
        })
        app = build_app(settings)
        app.prepare_database()
        started = time.perf_counter()
        cases, entries = fill(url, args.cases_per_month, args.customers,
                              projects=args.projects)
        fill_s = time.perf_counter() - started
        rows: list[list[object]] = []
        with app.engine.connect() as conn:
            june = timed("build_report June, all customers", rows,
                         lambda: reports.build_report(conn, "2026-06", TZ, now=now))
            timed("build_report June, one customer", rows,
                  lambda: reports.build_report(conn, "2026-06", TZ, "firma7.dk", now=now))
        assert isinstance(june, reports.Report)
        timed("report_json", rows, lambda: reports.report_json(june))
        timed("report_csv", rows, lambda: reports.report_csv(june))
        timed("report_html", rows, lambda: reports.report_html(june, app.renderer))
        # The scheduler's passes, a minute apart, until every customer's mail is queued.
        passes: list[int] = []
        while not passes or passes[-1]:
            at = now + timedelta(minutes=len(passes))
            passes.append(timed(f"send_monthly_reports, pass {len(passes) + 1}", rows,
                                lambda at=at: send_monthly_reports(
                                    app.engine, settings, app.calendar, app.renderer, at)))
        app.engine.dispose()
    in_june = sum(len(c.cases) for c in june.customers)
    lines = sum(len(case.lines) for c in june.customers for case in c.cases)
    print(f"{cases} cases, {entries} time entries, {args.customers} customers "
          f"(filled in {fill_s:.1f} s); June: {in_june} cases, {lines} lines; "
          f"mails queued per pass {passes}")
    print(format_table(["step", "seconds"], rows))
    problems = []
    if sum(passes) != args.customers:
        problems.append(f"{sum(passes)} report mails for {args.customers} customers")
    for problem in problems:
        print(f"FAILED: {problem}")
    path = write_result("monthly_report", {
        "result": {"problems": problems},
        "benchmark": "monthly_report", "cases": cases, "time_entries": entries,
        "customers": args.customers, "june_cases": in_june, "june_lines": lines,
        "mails_per_pass": passes, "steps": {what: s for what, s in rows},
        "environment": environment(),
    }, args.results_dir)
    print(f"result: {path}")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
