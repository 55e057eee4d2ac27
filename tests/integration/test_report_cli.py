"""From the outside: `oo-support report` in all three formats for a
month of generated cases agrees to the øre with `cases show --json`, and the HTML page
renders in headless Chromium with its Danish characters (screenshot kept as an artifact).
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from harness import REPO, run_cli, write_config

from daemon.app import build_app
from daemon.settings import load_settings
from daemon.store import repository

ARTIFACTS = REPO / "test-artifacts"  # git-ignored; CI keeps what the run leaves there


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    """In this module every test starts at the newest schema, copied from the session's
    migrated template (tests/conftest.py): the migration is not what these tests show,
    and a daemon or command would otherwise run it first, in a subprocess, each time."""
    return migrated_pg_url


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def generate_month(config: Path) -> list[int]:
    """Twelve calls in November 2026 (and one in December), with time logged on them."""
    clock = Clock(datetime(2026, 11, 2, 9, tzinfo=UTC))
    app = build_app(load_settings(config, environ={}), clock)
    app.prepare_database()
    rng = random.Random(5)
    numbers = []
    for day in range(12):
        clock.at = datetime(2026, 11, 2 + 2 * day, 8 + day % 8, 15, tzinfo=UTC)
        domain = ("aftale.dk", "uden-aftale.dk")[day % 2]
        result = app.register_call(f"kunde{day}@{domain}", "Kunde Ærø",
                                   f"Sag {day}: printer på 2. sal", "Beskrivelse æøå")
        numbers.append(result.case_number)
        with app.engine.begin() as conn:
            case_id = repository.case_by_number(conn, result.case_number).id
            repository.insert_time_entries(conn, [
                {"case_id": case_id, "minutes": rng.choice([5, 11, 15, 16, 25, 30, 60]),
                 "staff": "tina@oo.dk", "at": clock.at + timedelta(hours=h),
                 "kind": rng.choice(["support", "support", "project", "senior"]),
                 "after_hours": h > 8, "created_at": clock.at}
                for h in (0, 9)[: rng.randint(1, 2)]  # 9 hours later is after hours
            ])
    clock.at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    app.register_call("sen@aftale.dk", "", "December", "ikke i november")
    app.engine.dispose()
    return numbers


def test_report_in_three_formats_agrees_with_case_billing(tmp_path: Path, pg_url: str) -> None:
    config = write_config(tmp_path / "oo.toml", database_url=pg_url)
    with config.open("a", encoding="utf-8") as fh:
        fh.write('\n[[customers]]\nname = "Aftale ApS"\ndomains = ["aftale.dk"]\n'
                 'agreement = true\n')
    numbers = generate_month(config)
    billed = {}
    for number in numbers:
        shown = json.loads(run_cli("cases", "show", str(number), "--json", config=config))
        billed[number] = Decimal(shown["billing"]["amount_excl_vat"])
        assert shown["channel"] == "phone"

    report = json.loads(run_cli("report", "--month", "2026-11", "--format", "json",
                                "--now", "2026-12-02T09:00:00+01:00", config=config))
    text = json.dumps(report, ensure_ascii=False)
    assert "December" not in text  # a December case is not in November's report
    csv_rows = list(csv.DictReader(io.StringIO(
        run_cli("report", "--month", "2026-11", "--format", "csv",
                "--now", "2026-12-02T09:00:00+01:00", config=config))))
    # One row per billed line: a case's lines add up to its own billing.
    assert {int(r["number"]) for r in csv_rows} == set(numbers)
    by_case: dict[int, Decimal] = {}
    for row in csv_rows:
        number = int(row["number"])
        by_case[number] = by_case.get(number, Decimal("0.00")) + Decimal(row["amount_excl_vat"])
    assert by_case == billed
    grand_total = sum(billed.values(), Decimal("0.00"))
    assert str(grand_total) in text  # the JSON total, to the øre
    assert grand_total > 0

    html = run_cli("report", "--month", "2026-11", "--format", "html",
                   "--now", "2026-12-02T09:00:00+01:00", config=config)
    assert "<svg" in html and "Aftale ApS" in html
    assert f"{grand_total:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") in html
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "headless Chromium is needed (.ci/run installs Debian's chromium)"
    flags = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={tmp_path / 'chromium'}"]
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    assert "Supportrapport" in dom and "Aftale ApS" in dom
    assert "æ" in dom or "ø" in dom or "å" in dom  # Danish characters came through intact
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-2026-11.png"
    subprocess.run([*flags, "--window-size=1200,1800", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 10_000  # a real rendering, not an empty page
