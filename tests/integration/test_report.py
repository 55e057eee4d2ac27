"""The monthly report from a real PostgreSQL, agreeing to the øre with the
per-case billing, in all three formats; cases of other months left out."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert

from daemon.domain.billing import bill_case
from daemon.mail.render import TemplateRenderer
from daemon.outputs.reports import Verdict, build_report, report_csv, report_html, report_json
from daemon.store import repository
from daemon.store.engine import make_engine
from daemon.store.migrate import upgrade
from daemon.store.schema import customers, time_entries

TZ = "Europe/Copenhagen"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
MONDAY_10 = datetime(2026, 11, 23, 9, tzinfo=UTC)  # 10:00 in Copenhagen, normal hours
SATURDAY_11 = datetime(2026, 11, 28, 10, tzinfo=UTC)  # outside normal hours (BR-16)
NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    """In this module every test starts at the newest schema, copied from the session's
    migrated template (tests/conftest.py): the migration is not what these tests show,
    and a daemon or command would otherwise run it first, in a subprocess, each time."""
    return migrated_pg_url


def add_case(conn: Any, subject: str, *, domain: str = "firma.dk", agreement: bool = True,
             created: datetime = MONDAY_10, priority: str = "normal",
             responded: datetime | None = None, resolved: datetime | None = None,
             work: tuple[tuple[int, str, bool], ...] = ()) -> int:
    """A case created at `created` with its time entries; returns its number."""
    [(case_id, number)] = repository.insert_cases(conn, [{
        "subject": subject, "status": "closed" if resolved else "open", "priority": priority,
        "critical": False, "channel": "email", "customer_email": f"kunde@{domain}",
        "customer_domain": domain, "agreement": agreement, "language": "da",
        "created_at": created, "updated_at": created, "flags": [],
        "response_due": created + timedelta(hours=4), "resolve_due": created + timedelta(hours=8),
        "first_response_at": responded, "resolved_at": resolved,
    }])
    for minutes, kind, after_hours in work:
        conn.execute(insert(time_entries).values(
            case_id=case_id, minutes=minutes, staff="tina@oo.dk", kind=kind,
            after_hours=after_hours, at=created, created_at=created))
    return number


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(insert(customers), [
            {"domain": "firma.dk", "name": "Firma A/S", "agreement": True, "created_at": NOW},
            {"domain": "stille.dk", "name": "Stille ApS", "agreement": True, "created_at": NOW},
        ])
    yield engine
    engine.dispose()


@pytest.fixture
def november(engine: Engine) -> dict[str, int]:
    """BR-18's worked examples as cases of November 2026, and cases just outside it."""
    hour = timedelta(hours=1)
    with engine.begin() as conn:
        return {
            "bios": add_case(conn, "BIOS-fejl", work=((30, "support", False),),
                             responded=MONDAY_10 + hour, resolved=MONDAY_10 + 2 * hour),
            "password": add_case(conn, "Adgangskode udløbet", work=((11, "support", False),),
                                 responded=MONDAY_10 + 5 * hour),
            # Two entries, 25 minutes in all: past 15, so all of it is billed (BR-14).
            "office": add_case(conn, "Office 365 på ny pc",
                               work=((15, "support", False), (10, "support", False))),
            "saturday": add_case(conn, "Server nede lørdag", priority="high",
                                 created=SATURDAY_11, work=((30, "support", True),)),
            "stranger": add_case(conn, "Hjælp", domain="andet.dk", agreement=False,
                                 work=((10, "support", False),)),
            # 1 November 00:30 local is still October in UTC, and belongs to November.
            "first_minute": add_case(conn, "Natten til 1. november",
                                     created=datetime(2026, 10, 31, 23, 30, tzinfo=UTC)),
            # 1 December 00:30 local is still 30 November in UTC: December's.
            "december": add_case(conn, "December", created=datetime(2026, 11, 30, 23, 30,
                                 tzinfo=UTC), work=((60, "project", False),)),
            "october": add_case(conn, "Oktober", created=datetime(2026, 10, 15, 9, tzinfo=UTC),
                                work=((45, "senior", False),)),
        }


def lines_of(report: Any) -> dict[int, Any]:
    return {line.number: line for c in report.customers for line in c.cases}


def test_report_prices_the_worked_examples_and_sums_them(
    engine: Engine, november: dict[str, int]
) -> None:
    with engine.connect() as conn:
        report = build_report(conn, "2026-11", TZ, now=NOW)
    lines = lines_of(report)
    amounts = {name: lines[number].amount_excl_vat for name, number in november.items()
               if number in lines}
    assert amounts == {
        "bios": Decimal("547.50"),  # BR-18: 30 min, not simple
        "password": Decimal("0.00"),  # BR-18: 11 min, covered
        "office": Decimal("456.25"),  # BR-18: 25 min
        "saturday": Decimal("1095.00"),  # 30 min started Saturday, +100% (BR-16)
        "stranger": Decimal("182.50"),  # no agreement, 10 min (BR-22)
        "first_minute": Decimal("0.00"),
    }
    firma = next(c for c in report.customers if c.domain == "firma.dk")
    assert (firma.name, firma.agreement, firma.totals.cases) == ("Firma A/S", True, 5)
    assert firma.totals.amount_excl_vat == Decimal("2098.75")
    assert firma.totals.vat == Decimal("136.88") + Decimal("114.06") + Decimal("273.75")
    assert firma.totals.amount_incl_vat == Decimal("2623.44")
    stranger = next(c for c in report.customers if c.domain == "andet.dk")
    assert (stranger.name, stranger.agreement) == ("", False)
    assert report.totals.amount_excl_vat == Decimal("2281.25")
    # BR-17: VAT once on the total, 25 % of 2281.25 = 570.3125 -> 570.31 (the cases'
    # own rounded VAT would sum to 570.32).
    assert report.totals.vat == Decimal("570.31")
    assert report.totals.amount_incl_vat == Decimal("2851.56")


def test_every_case_agrees_to_the_ore_with_its_own_billing(
    engine: Engine, november: dict[str, int]
) -> None:
    with engine.connect() as conn:
        report = build_report(conn, "2026-11", TZ, now=NOW)
        for number, line in lines_of(report).items():
            row = repository.case_by_number(conn, number)
            assert row is not None
            bill = bill_case(repository.time_entries_of(conn, row.id), agreement=row.agreement)
            assert (line.amount_excl_vat, line.vat, line.amount_incl_vat) == (
                bill.amount_excl_vat, bill.vat, bill.amount_incl_vat)


def test_cases_of_other_months_are_left_out(engine: Engine, november: dict[str, int]) -> None:
    with engine.connect() as conn:
        numbers = set(lines_of(build_report(conn, "2026-11", TZ, now=NOW)))
        december = set(lines_of(build_report(conn, "2026-12", TZ, now=NOW)))
        october = set(lines_of(build_report(conn, "2026-10", TZ, now=NOW)))
    assert november["first_minute"] in numbers
    assert november["december"] not in numbers and november["october"] not in numbers
    assert december == {november["december"]}
    assert october == {november["october"]}


def test_sla_verdicts_come_from_the_stored_deadlines(
    engine: Engine, november: dict[str, int]
) -> None:
    with engine.connect() as conn:
        lines = lines_of(build_report(conn, "2026-11", TZ, now=NOW))
    bios, password = lines[november["bios"]], lines[november["password"]]
    assert (bios.response_sla, bios.resolution_sla) == (Verdict.MET, Verdict.MET)
    assert password.response_sla is Verdict.BREACHED  # answered after 5 h of 4
    assert password.resolution_sla is Verdict.BREACHED  # unresolved, past due by NOW
    with engine.connect() as conn:
        early = lines_of(build_report(conn, "2026-11", TZ, now=MONDAY_10 + timedelta(hours=1)))
    assert early[november["office"]].response_sla is Verdict.PENDING


def test_customer_filter_keeps_one_customer(engine: Engine, november: dict[str, int]) -> None:
    with engine.connect() as conn:
        report = build_report(conn, "2026-11", TZ, "ANDET.dk", now=NOW)
        quiet = build_report(conn, "2026-11", TZ, "stille.dk", now=NOW)
    assert [c.domain for c in report.customers] == ["andet.dk"]
    assert list(lines_of(report)) == [november["stranger"]]
    assert report.totals.amount_excl_vat == Decimal("182.50")
    # A customer with no cases this month still gets its page, saying so.
    assert [(c.name, c.totals.cases) for c in quiet.customers] == [("Stille ApS", 0)]
    assert quiet.totals.amount_incl_vat == Decimal("0.00")


def test_report_reads_the_month_in_a_fixed_number_of_queries(
    engine: Engine, november: dict[str, int]
) -> None:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with engine.connect() as conn:
            build_report(conn, "2026-11", TZ, now=NOW)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # Cases, time entries, fees, customers' rates: however many cases the month holds.
    assert len(statements) <= 4


def test_all_three_formats_agree_with_the_report(
    engine: Engine, november: dict[str, int]
) -> None:
    with engine.connect() as conn:
        report = build_report(conn, "2026-11", TZ, now=NOW)
    data = report_json(report)
    assert data["totals"]["amount_excl_vat"] == "2281.25"
    json_sum = sum(Decimal(case["amount_excl_vat"])
                   for c in data["customers"] for case in c["cases"])
    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    assert len(rows) == 6  # November's cases only
    assert sum(Decimal(r["amount_excl_vat"]) for r in rows) == json_sum == Decimal("2281.25")
    # Each row's VAT is its case's; the total's is taken once on the total (BR-17).
    assert sum(Decimal(r["vat"]) for r in rows) == Decimal("570.32")
    assert report.totals.vat == Decimal("570.31")
    assert {r["subject"] for r in rows} >= {"Adgangskode udløbet", "Server nede lørdag"}

    page = report_html(report, TemplateRenderer(TEMPLATES))
    assert "Supportrapport november 2026" in page
    assert "Firma A/S" in page and "Adgangskode udløbet" in page
    assert "2.281,25 kr." in page and "2.851,56 kr." in page
    assert "<svg" in page
