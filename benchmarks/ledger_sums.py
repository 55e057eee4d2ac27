"""Does a year of monthly mails bill each case's bill once? (issue 16, ledger)

    python -m benchmarks.ledger_sums [--cases-per-month 1000] [--customers 50]
                                     [--projects 0.05] [--results-dir DIR]

The data of benchmarks/monthly_report.py (cases of 2026, time over the 60 days after
each opened, 1 % with a fee, a share marked project at a random instant with a
"project" event). Each month January 2026 .. March 2027 is reported as its mail
would be, at 08:00 UTC on the 2nd of the next month (`build_report(now=...)`), and
again a year later; then, per case, the mailed months' sum is compared with the case's
bill as `cases show` makes it (billing.bill_case with the current terms). Prints the
cases whose months do not sum to their bill, the DKK billed more and less, and the
months whose report made later differs from the one mailed. Measures correctness, not
speed; its seconds are the report builds'.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from benchmarks.monthly_report import TZ, fill
from benchmarks.report import environment, format_table, write_result

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from servers import postgres_database  # noqa: E402
from sqlalchemy import select  # noqa: E402

from daemon.app import build_app  # noqa: E402
from daemon.domain.billing import bill_case  # noqa: E402
from daemon.outputs import reports  # noqa: E402
from daemon.outputs.views import terms_of  # noqa: E402
from daemon.settings import Settings  # noqa: E402
from daemon.store import repository  # noqa: E402
from daemon.store.schema import cases  # noqa: E402

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)] + ["2027-01", "2027-02", "2027-03"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases-per-month", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--projects", type=float, default=0.05)
    parser.add_argument("--results-dir", type=Path, default=None)
    args = parser.parse_args()
    with postgres_database("oo_bench_ledger") as url:
        settings = Settings.model_validate({
            "database": {"url": url},
            "customers": [{"name": f"Firma {i}", "domains": [f"firma{i}.dk"]}
                          for i in range(args.customers)],
        })
        app = build_app(settings)
        app.prepare_database()
        total, entries = fill(url, args.cases_per_month, args.customers,
                              projects=args.projects)
        mailed: dict[int, Decimal] = defaultdict(Decimal)
        changed_months = []
        started = time.perf_counter()
        with app.engine.connect() as conn:
            for month in MONTHS:
                end = reports.month_bounds(month, TZ)[1]
                sent = reports.build_report(conn, month, TZ, now=end + timedelta(days=1))
                again = reports.build_report(conn, month, TZ,
                                             now=end + timedelta(days=366))
                if [c.cases for c in sent.customers] != [c.cases for c in again.customers]:
                    changed_months.append(month)
                for customer in sent.customers:
                    for line in customer.cases:
                        mailed[line.number] += line.amount_excl_vat
            seconds = time.perf_counter() - started
            rows = conn.execute(select(cases)).all()
            inputs = repository.billing_inputs(conn, rows)
        bills = {
            row.number: bill_case(inputs[row.id].work, agreement=row.agreement,
                                  project=terms_of(row), fees=inputs[row.id].fees,
                                  rates=inputs[row.id].rates).amount_excl_vat
            for row in rows
        }
        app.engine.dispose()
    wrong = {n: mailed[n] - bill for n, bill in bills.items() if mailed[n] != bill}
    more = sum((d for d in wrong.values() if d > 0), Decimal("0.00"))
    less = sum((-d for d in wrong.values() if d < 0), Decimal("0.00"))
    billed = sum(bills.values(), Decimal("0.00"))
    table = [
        ["cases", total], ["time entries", entries],
        ["cases' bills, DKK excl. VAT", billed],
        ["mailed months' sum, DKK", sum(mailed.values(), Decimal("0.00"))],
        ["cases whose months != their bill", len(wrong)],
        ["DKK mailed more than billed", more], ["DKK never mailed", less],
        ["months changed when made a year later", len(changed_months)],
        ["seconds, 30 report builds", round(seconds, 1)],
    ]
    print(format_table(["figure", "value"], table))
    problems = []
    if wrong:
        problems.append(f"{len(wrong)} cases' months do not sum to their bill")
    if changed_months:
        problems.append(f"months changed after their mail: {', '.join(changed_months)}")
    for problem in problems:
        print(f"FAILED: {problem}")
    path = write_result("ledger_sums", {
        "result": {"problems": problems},
        "benchmark": "ledger_sums", "figures": {k: str(v) for k, v in table},
        "environment": environment(),
    }, args.results_dir)
    print(f"result: {path}")


if __name__ == "__main__":
    main()
