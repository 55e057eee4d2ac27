"""The monthly report from a real PostgreSQL, agreeing to the øre with the
per-case billing, in all three formats; cases of other months left out."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert

from daemon.domain.billing import ONCALL_FEE, bill_case
from daemon.domain.monthly_billing import (
    AGREED_TIME,
    BY_AGREED_TIME,
    CARRIED,
    CREDITED,
    LOGGED_LATE,
    REPRICED,
)
from daemon.mail.render import TemplateRenderer
from daemon.outputs.reports import Verdict, build_report, report_csv, report_html, report_json
from daemon.outputs.views import terms_of
from daemon.store import repository
from daemon.store.engine import make_engine
from daemon.store.migrate import upgrade
from daemon.store.schema import case_events, cases, customers, time_entries

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
    # BR-17: 25 % of 2098.75 = 524.6875 -> 524.69, once on the customer's total.
    assert firma.totals.vat == Decimal("524.69")
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
    # Cases, time entries, fees, customers' rates and the cases' "project" events (each
    # month priced by the terms of then): however many cases the month holds.
    assert len(statements) <= 5


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
    # One row per billed line (the office case has two), one for a case with none.
    assert len(rows) == 7
    assert {r["number"] for r in rows} == {str(n) for n in lines_of(report)}
    assert sum(Decimal(r["amount_excl_vat"]) for r in rows) == json_sum == Decimal("2281.25")
    # No VAT per row: it is taken once on the total (BR-17).
    assert report.totals.vat == Decimal("570.31")
    assert {r["subject"] for r in rows} >= {"Adgangskode udløbet", "Server nede lørdag"}

    page = report_html(report, TemplateRenderer(TEMPLATES))
    assert "Supportrapport november 2026" in page
    assert "Firma A/S" in page and "Adgangskode udløbet" in page
    assert "2.281,25 kr." in page and "2.851,56 kr." in page
    assert "<svg" in page


# ---- work in the month it was done, and lines a reader can recompute -------------------

FRIDAY_27_FEB = datetime(2026, 2, 27, 9, tzinfo=UTC)  # 10:00 in Copenhagen
MONDAY_2_MARCH = datetime(2026, 3, 2, 9, tzinfo=UTC)
LATE_MARCH = datetime(2026, 3, 30, 8, tzinfo=UTC)  # 10:00 summer time


def log_time(conn: Any, number: int, at: datetime, minutes: int, kind: str = "support",
             after_hours: bool = False) -> None:
    row = repository.case_by_number(conn, number)
    conn.execute(insert(time_entries).values(
        case_id=row.id, minutes=minutes, staff="tina@oo.dk", kind=kind,
        after_hours=after_hours, at=at, created_at=at))


@pytest.fixture
def spring(engine: Engine) -> dict[str, int]:
    """A case opened 27 February and worked on 2 March; a January case charged a fee in
    March; a case of March with every kind of line; and one of February only."""
    with engine.begin() as conn:
        conn.execute(customers.update().where(customers.c.domain == "stille.dk").values(
            rate_support=Decimal("995.00"), rate_senior=Decimal("1795.00")))
        found = {
            "across": add_case(conn, "Printer driller", created=FRIDAY_27_FEB,
                               responded=FRIDAY_27_FEB + timedelta(hours=1)),
            "january_fee": add_case(conn, "Opkald til vagten",
                                    created=datetime(2026, 1, 20, 20, tzinfo=UTC)),
            "march": add_case(conn, "Alt muligt", domain="stille.dk", created=LATE_MARCH),
            "covered": add_case(conn, "Kode udløbet", created=LATE_MARCH),
            "february_only": add_case(conn, "Februar", created=FRIDAY_27_FEB,
                                      work=((30, "support", False),)),
        }
        log_time(conn, found["across"], FRIDAY_27_FEB, 10)
        log_time(conn, found["across"], MONDAY_2_MARCH, 10)  # 20 in all: all billed
        stille = conn.execute(customers.select().where(customers.c.domain == "stille.dk")).one()
        conn.execute(cases.update().where(cases.c.number == found["march"])
                     .values(customer_id=stille.id))  # its own rates (BR-15)
        log_time(conn, found["march"], LATE_MARCH, 25)
        log_time(conn, found["march"], LATE_MARCH + timedelta(hours=1), 45, "senior")
        log_time(conn, found["march"], LATE_MARCH + timedelta(hours=10), 17, "project", True)
        log_time(conn, found["covered"], LATE_MARCH, 11)
        # "Afregnes efter den aftalte tid" (BR-18 example 4): 2 hours agreed, 50 min logged.
        found["agreed"] = add_case(conn, "Ny printer", created=LATE_MARCH)
        conn.execute(cases.update().where(cases.c.number == found["agreed"]).values(
            project=True, project_estimate_minutes=120))
        log_time(conn, found["agreed"], LATE_MARCH + timedelta(hours=2), 50, "project")
        fee_case = repository.case_by_number(conn, found["january_fee"])
        repository.add_fee(conn, fee_case.id, ONCALL_FEE, "tina@oo.dk", MONDAY_2_MARCH)
    return found


def test_work_and_fees_are_reported_in_the_month_they_happened(
    engine: Engine, spring: dict[str, int]
) -> None:
    with engine.connect() as conn:
        february = lines_of(build_report(conn, "2026-02", TZ, now=NOW))
        march = lines_of(build_report(conn, "2026-03", TZ, now=NOW))
        january = lines_of(build_report(conn, "2026-01", TZ, now=NOW))
    across = spring["across"]
    assert set(february) == {across, spring["february_only"]}
    assert set(march) == {across, spring["january_fee"], spring["march"], spring["covered"],
                          spring["agreed"]}
    # 10 + 10 minutes is a 20-minute task (BR-14), but February's report, mailed before
    # March's work, showed its 10 covered and still does: March bills all 20.
    assert (february[across].minutes, february[across].amount_excl_vat) == (
        10, Decimal("0.00"))
    assert (march[across].minutes, march[across].amount_excl_vat) == (10, Decimal("365.00"))
    assert [line.description for line in march[across].lines] == [CARRIED, ""]
    # The SLA verdicts stay with February, where the case was opened.
    assert february[across].response_sla is Verdict.MET
    assert march[across].response_sla is None and not march[across].opened_in_month
    # The fee added on 2 March is March's, on a case opened in January.
    fee_case = march[spring["january_fee"]]
    assert [(line.kind, line.amount) for line in fee_case.lines] == [
        ("fee", Decimal("1000.00"))]
    assert january[spring["january_fee"]].amount_excl_vat == Decimal("0.00")


def test_time_logged_in_march_for_february_is_in_marchs_report_not_februarys(
    engine: Engine
) -> None:
    """The monthly mail (BR-14, BR-17): February's was sent on 2 March; 20 minutes
    worked on 27 February and logged on 5 March are billed by March's report (the case
    had no other March work), dated when worked, and February's stays as it was sent."""
    logged_at = datetime(2026, 3, 5, 9, tzinfo=UTC)
    with engine.begin() as conn:
        number = add_case(conn, "Outlook", created=FRIDAY_27_FEB)
        conn.execute(insert(time_entries).values(
            case_id=repository.case_by_number(conn, number).id, minutes=20,
            staff="tina@oo.dk", kind="support", after_hours=False, at=FRIDAY_27_FEB,
            created_at=logged_at))
    with engine.connect() as conn:
        february = lines_of(build_report(conn, "2026-02", TZ, now=NOW))
        march = lines_of(build_report(conn, "2026-03", TZ, now=NOW))
        february_as_sent = lines_of(build_report(conn, "2026-02", TZ, now=MONDAY_2_MARCH))
    assert february[number].amount_excl_vat == Decimal("0.00") and february[number].minutes == 0
    assert february_as_sent[number] == february[number]
    [line] = march[number].lines
    assert (line.at, line.minutes, line.amount, line.description) == (
        FRIDAY_27_FEB, 20, Decimal("365.00"), LOGGED_LATE)


def test_a_month_of_work_is_still_read_in_five_queries(
    engine: Engine, spring: dict[str, int]
) -> None:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with engine.connect() as conn:
            build_report(conn, "2026-03", TZ, now=NOW)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) <= 5  # the 5th: the "project" events (monthly_billing)


def mark_project(conn: Any, number: int, at: datetime, estimate: int | None) -> None:
    """What `cases project N [--estimate]` writes at `at`: the columns, and the event
    with its terms (case_changes.history)."""
    row = repository.case_by_number(conn, number)
    conn.execute(cases.update().where(cases.c.id == row.id).values(
        project=True, project_senior=False, project_estimate_minutes=estimate))
    conn.execute(insert(case_events).values(
        case_id=row.id, at=at, actor="tina@oo.dk", action="project", created_at=at,
        detail={"project": True, "rate_kind": "project", "estimate_minutes": estimate}))


def test_a_case_marked_project_after_its_months_mail_is_billed_by_later_mails_once(
    engine: Engine,
) -> None:
    """Issue 16: opened 27 February, 10 minutes covered, February mailed on 2 March; on
    3 March marked project with 2 h agreed (BR-18 ex. 4); 30 minutes on 5 March; on 2
    April the estimate is raised to 3 h. February made again is as mailed; March bills
    the agreed 2,990.00; April credits it and bills 4,485.00; the three add up to the
    case's bill (4,485.00), each amount once."""
    mailed = {"2026-02": datetime(2026, 3, 2, 7, tzinfo=UTC),
              "2026-03": datetime(2026, 4, 1, 6, tzinfo=UTC)}
    with engine.begin() as conn:
        number = add_case(conn, "Ny printer", created=FRIDAY_27_FEB)
        log_time(conn, number, FRIDAY_27_FEB, 10)
    with engine.connect() as conn:
        february_as_sent = lines_of(build_report(conn, "2026-02", TZ, now=mailed["2026-02"]))
    with engine.begin() as conn:
        mark_project(conn, number, datetime(2026, 3, 3, 9, tzinfo=UTC), 120)
        log_time(conn, number, datetime(2026, 3, 5, 9, tzinfo=UTC), 30, "project")
    with engine.connect() as conn:
        march_as_sent = lines_of(build_report(conn, "2026-03", TZ, now=mailed["2026-03"]))
    with engine.begin() as conn:
        mark_project(conn, number, datetime(2026, 4, 2, 8, tzinfo=UTC), 180)
    with engine.connect() as conn:
        months = [lines_of(build_report(conn, m, TZ, now=NOW))[number]
                  for m in ("2026-02", "2026-03", "2026-04")]
        row = repository.case_by_number(conn, number)
        inputs = repository.billing_inputs(conn, [row])[row.id]
        shown = bill_case(inputs.work, agreement=True, project=terms_of(row), rates=inputs.rates)
    february, march, april = months
    assert february == february_as_sent[number] and february.amount_excl_vat == Decimal("0.00")
    assert march == march_as_sent[number] and march.amount_excl_vat == Decimal("2990.00")
    assert [(x.description, x.minutes, x.amount) for x in april.lines] == [
        (CREDITED + REPRICED, 120, Decimal("-2990.00")),
        (AGREED_TIME, 180, Decimal("4485.00")),
    ]
    assert sum(m.amount_excl_vat for m in months) == shown.amount_excl_vat == Decimal("4485.00")


def danish_amount(text: str) -> Decimal:
    """ "1.095,00 kr./time" -> Decimal("1095.00")."""
    number = re.search(r"-?[0-9.]+,[0-9]{2}", text)
    assert number, text
    return Decimal(number.group().replace(".", "").replace(",", "."))


def recompute(kind: str, rate: Decimal, minutes: int | None, after_hours: bool,
              covered: bool, description: str) -> Decimal:
    """BR-17: rate x minutes / 60, x 2 after hours (BR-16), half-up to øre; a fee is its
    price; covered time is free, and so is time logged on a project billed by its agreed
    time (the line says "efter aftalt tid"; the agreed time is a line of its own)."""
    if kind == "fee":
        return rate
    if covered or BY_AGREED_TIME in description:
        return Decimal("0.00")
    assert minutes is not None
    exact = rate * minutes / 60 * (2 if after_hours else 1)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def vat_on(total: Decimal) -> Decimal:
    return (total * Decimal("0.25")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class LineTable(HTMLParser):
    """The rows of every `<table class="lines">` and the totals tables, as cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._cells: list[str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append((dict(attrs).get("class") or "", []))
        elif tag == "tr":
            self._cells = []
        elif tag in ("td", "th"):
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cells is not None:
            self._cells.append(" ".join("".join(self._text).split()))
        elif tag == "tr" and self._cells is not None:
            self.tables[-1][1].append(self._cells)
            self._cells = None

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def test_every_amount_recomputes_from_the_printed_fields_in_json_csv_and_html(
    engine: Engine, spring: dict[str, int]
) -> None:
    with engine.connect() as conn:
        report = build_report(conn, "2026-03", TZ, now=NOW)
    kinds = {line.kind for c in report.customers for case in c.cases for line in case.lines}
    assert kinds == {"support", "senior", "project", "fee"}
    rates = {line.rate for c in report.customers for case in c.cases for line in case.lines}
    assert {Decimal("995.00"), Decimal("1795.00"), Decimal("1095.00")} <= rates
    descriptions = {line.description for c in report.customers for case in c.cases
                    for line in case.lines}
    assert {CARRIED, AGREED_TIME, BY_AGREED_TIME} <= descriptions
    assert any(line.covered for c in report.customers for case in c.cases
               for line in case.lines)

    data = report_json(report)
    for customer in data["customers"]:
        customer_total = Decimal("0.00")
        for case in customer["cases"]:
            case_total = Decimal("0.00")
            for line in case["lines"]:
                amount = recompute(line["kind"], Decimal(line["rate"]), line["minutes"],
                                   line["after_hours"], line["covered"], line["description"])
                assert Decimal(line["amount"]) == amount, line
                if line["kind"] == "fee":
                    assert "gebyr" in line["description"].casefold()
                case_total += amount
            assert Decimal(case["amount_excl_vat"]) == case_total
            customer_total += case_total
        assert Decimal(customer["totals"]["amount_excl_vat"]) == customer_total
        assert Decimal(customer["totals"]["vat"]) == vat_on(customer_total)
    grand = sum((Decimal(c["totals"]["amount_excl_vat"]) for c in data["customers"]),
                Decimal("0.00"))
    assert Decimal(data["totals"]["amount_excl_vat"]) == grand > 0
    assert Decimal(data["totals"]["vat"]) == vat_on(grand)

    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    csv_total = Decimal("0.00")
    for row in rows:
        if not row["kind"]:
            assert row["amount_excl_vat"] == "0.00"  # a case with no lines this month
            continue
        amount = recompute(row["kind"], Decimal(row["rate"]),
                           int(row["minutes"]) if row["minutes"] else None,
                           row["after_hours"] == "true", row["covered"] == "true",
                           row["description"])
        assert Decimal(row["amount_excl_vat"]) == amount, row
        if row["kind"] == "fee":
            assert "gebyr" in row["description"].casefold()
        csv_total += amount
    assert csv_total == grand

    parser = LineTable()
    parser.feed(report_html(report, TemplateRenderer(TEMPLATES)))
    line_tables = [rows for cls, rows in parser.tables if cls == "lines"]
    totals = [dict((r[0], r[1]) for r in rows) for cls, rows in parser.tables if cls == "totals"]
    assert len(line_tables) == len(report.customers)
    html_grand = Decimal("0.00")
    for table, total in zip(line_tables, totals, strict=False):
        header, *body = table
        assert header[:8] == ["Sag", "Dato", "Art", "Timepris", "Minutter",
                              "Uden for arbejdstid", "Dækket af aftalen", "Beløb ekskl. moms"]
        customer_total = Decimal("0.00")
        for _case, _date, kind, rate, minutes, night, covered, amount in body:
            fee = kind.startswith("Gebyr")
            assert not fee or "gebyr" in kind.casefold()
            assert night.startswith(("Ja (+100 %)", "Nej"))
            expected = recompute("fee" if fee else "time", danish_amount(rate),
                                 None if fee else int(minutes), night.startswith("Ja"),
                                 covered == "Ja", kind)
            assert danish_amount(amount) == expected, (kind, rate, minutes, night, amount)
            customer_total += expected
        assert danish_amount(total["I alt ekskl. moms"]) == customer_total
        assert danish_amount(total["Moms (25 %)"]) == vat_on(customer_total)
        html_grand += customer_total
    assert html_grand == grand


def test_a_month_with_only_a_credit_has_the_case_and_its_negative_line_in_every_format(
    engine: Engine,
) -> None:
    """revledger: opened 27 February, marked project (no estimate) that day, 10 minutes
    billed at 1,495.00 (249.17, BR-14, BR-15); unmarked on 1 April at 00:00 Copenhagen
    summer time (31 March 22:00 UTC, the month's first instant after DST): the 10
    minutes are covered again (BR-13), so April, with no work, fee or opening of its
    own, has the case with one line, -249.17 "krediteret: ...", VAT -62.29 (BR-17: 25 %
    of the negative total, once), the same in JSON, CSV and HTML; March is empty; the
    months sum to cases show's 0.00."""
    april_first = datetime(2026, 3, 31, 22, tzinfo=UTC)
    with engine.begin() as conn:
        number = add_case(conn, "Ny printer", created=FRIDAY_27_FEB)
        mark_project(conn, number, FRIDAY_27_FEB, None)
        log_time(conn, number, FRIDAY_27_FEB, 10)
        row = repository.case_by_number(conn, number)
        conn.execute(cases.update().where(cases.c.id == row.id).values(
            project=False, project_senior=False, project_estimate_minutes=None))
        conn.execute(insert(case_events).values(
            case_id=row.id, at=april_first, actor="tina@oo.dk", action="project",
            created_at=april_first,
            detail={"project": False, "rate_kind": "project", "estimate_minutes": None}))
    with engine.connect() as conn:
        reports = {m: build_report(conn, m, TZ, now=NOW) for m in ("2026-02", "2026-03",
                                                                     "2026-04")}
        row = repository.case_by_number(conn, number)
        inputs = repository.billing_inputs(conn, [row])[row.id]
    shown = bill_case(inputs.work, agreement=True, project=terms_of(row), rates=inputs.rates)
    february, april = lines_of(reports["2026-02"])[number], lines_of(reports["2026-04"])
    assert february.amount_excl_vat == Decimal("249.17")
    assert number not in lines_of(reports["2026-03"])
    assert number in april, "a month that only credits the case must list it"
    [credit] = april[number].lines
    assert credit.description.startswith(CREDITED) and credit.minutes == 10
    assert credit.amount == -recompute(credit.kind, credit.rate, 10, False, False, "")
    assert (april[number].amount_excl_vat, april[number].vat) == (
        Decimal("-249.17"), Decimal("-62.29"))
    assert february.amount_excl_vat + april[number].amount_excl_vat == shown.amount_excl_vat

    report = reports["2026-04"]
    [json_line] = [line for c in report_json(report)["customers"] for case in c["cases"]
                   for line in case["lines"]]
    assert json_line["amount"] == "-249.17"
    [csv_row] = [r for r in csv.DictReader(io.StringIO(report_csv(report))) if r["kind"]]
    assert csv_row["amount_excl_vat"] == "-249.17" and csv_row["minutes"] == "10"
    parser = LineTable()
    parser.feed(report_html(report, TemplateRenderer(TEMPLATES)))
    [(_, [_header, html_row])] = [t for t in parser.tables if t[0] == "lines"]
    assert danish_amount(html_row[-1]) == Decimal("-249.17")
    assert "krediteret" in html_row[2]
