"""The monthly report's pure parts: month bounds, SLA verdicts, per-customer
sums that agree with the per-case billing, and the JSON, CSV and HTML shapes."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daemon.domain.billing import ProjectTerms, Rates, Work, bill_case
from daemon.domain.monthly_billing import CARRIED, DatedWork, bill_month
from daemon.mail.render import TemplateRenderer
from daemon.outputs.reports import (
    CSV_COLUMNS,
    Coverage,
    Report,
    Verdict,
    VerdictCounts,
    assemble_report,
    case_line,
    coverage_of,
    month_bounds,
    report_csv,
    report_html,
    report_json,
    sla_compliance,
    sla_verdict,
)
from daemon.store.repository import BillingInputs

TZ = "Europe/Copenhagen"
CPH = ZoneInfo(TZ)
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ---- month bounds ---------------------------------------------------------------------


def test_winter_month_starts_and_ends_at_local_midnight() -> None:
    assert month_bounds("2026-11", TZ) == (utc(2026, 10, 31, 23), utc(2026, 11, 30, 23))


def test_march_loses_an_hour_to_daylight_saving() -> None:
    start, end = month_bounds("2026-03", TZ)  # clocks go forward on 29 March
    assert (start, end) == (utc(2026, 2, 28, 23), utc(2026, 3, 31, 22))
    assert end - start == timedelta(days=31, hours=-1)


def test_october_gains_an_hour_back() -> None:
    start, end = month_bounds("2026-10", TZ)  # clocks go back on 25 October
    assert (start, end) == (utc(2026, 9, 30, 22), utc(2026, 10, 31, 23))
    assert end - start == timedelta(days=31, hours=1)


def test_december_ends_where_next_january_begins() -> None:
    december = month_bounds("2026-12", TZ)
    january = month_bounds("2027-01", TZ)
    assert december == (utc(2026, 11, 30, 23), utc(2026, 12, 31, 23))
    assert december[1] == january[0]


@given(st.integers(1971, 2200), st.integers(1, 12))
def test_months_tile_time_from_local_midnight_to_local_midnight(year: int, month: int) -> None:
    start, end = month_bounds(f"{year:04d}-{month:02d}", TZ)
    following = f"{year + (month == 12):04d}-{month % 12 + 1:02d}"
    assert end == month_bounds(following, TZ)[0]
    local = start.astimezone(CPH)
    assert (local.year, local.month, local.day, local.hour, local.minute) == (year, month, 1, 0, 0)
    assert start.tzinfo is UTC and end.tzinfo is UTC


@pytest.mark.parametrize(
    "bad", ["2026-13", "2026-00", "2026-1", "26-11", "2026/11", "", "november", "2026-11-01"]
)
def test_a_bad_month_says_what_is_expected(bad: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        month_bounds(bad, TZ)


def test_an_unknown_timezone_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="timezone"):
        month_bounds("2026-11", "Europe/Atlantis")


# ---- SLA verdicts ---------------------------------------------------------------------

DUE = utc(2026, 11, 23, 10)


@pytest.mark.parametrize(
    ("done", "now", "verdict"),
    [
        (DUE, DUE + timedelta(days=1), Verdict.MET),  # on the minute is in time
        (DUE - timedelta(minutes=5), DUE, Verdict.MET),
        (DUE + timedelta(seconds=1), DUE + timedelta(days=1), Verdict.BREACHED),
        (None, DUE, Verdict.PENDING),  # not late yet at the deadline itself
        (None, DUE + timedelta(seconds=1), Verdict.BREACHED),  # undone and past it
    ],
)
def test_sla_verdict(done: datetime | None, now: datetime, verdict: Verdict) -> None:
    assert sla_verdict(done, DUE, now) is verdict


def test_a_case_with_no_deadline_stays_pending() -> None:
    assert sla_verdict(None, None, NOW) is Verdict.PENDING
    assert sla_verdict(NOW, None, NOW) is Verdict.PENDING


def test_percent_met_counts_only_decided_deadlines() -> None:
    assert VerdictCounts(met=3, breached=1, pending=5).percent_met == 75.0
    assert VerdictCounts(met=2, breached=1, pending=0).percent_met == 66.7
    assert VerdictCounts(met=0, breached=0, pending=4).percent_met is None


# ---- assembling a report from plain rows ----------------------------------------------


MONDAY_10 = utc(2026, 11, 23, 9)  # 10:00 in Copenhagen


def case_row(case_id: int, *, domain: str = "firma.dk", agreement: bool = True,
             priority: str = "normal", subject: str = "Printeren virker ikke",
             created: datetime = MONDAY_10, responded: datetime | None = None,
             resolved: datetime | None = None) -> SimpleNamespace:
    return SimpleNamespace(
        id=case_id, number=100000 + case_id, subject=subject, priority=priority,
        critical=False, channel="email", agreement=agreement, customer_domain=domain,
        created_at=created, first_response_at=responded, resolved_at=resolved,
        response_due=created + timedelta(hours=4), resolve_due=created + timedelta(hours=8),
    )


def sample_report(subject: str = "BIOS-fejl", name: str = "Firma A/S") -> Report:
    """BR-18's examples: 30 min billed, 11 min covered; and 10 min without an agreement."""
    created = MONDAY_10
    firma = [
        case_row(1, subject=subject, priority="high", responded=created + timedelta(minutes=30),
                 resolved=created + timedelta(hours=3)),
        case_row(2, subject="Adgangskode udløbet", responded=created + timedelta(hours=5)),
        case_row(3, subject="Ingen tid endnu", priority="low"),
    ]
    other = [case_row(4, domain="andet.dk", agreement=False, subject="Ny bruger")]
    work = {
        1: [DatedWork(created, 30, "support", False)],
        2: [DatedWork(created, 11, "support", False)],
        4: [DatedWork(created, 10, "support", False)],
    }
    known = {"firma.dk": (name, True)}
    start, end = month_bounds("2026-11", TZ)
    return assemble_report("2026-11", TZ, start, end, {"firma.dk": firma, "andet.dk": other},
                           work, known, None, NOW)


def test_cases_are_priced_and_classed_by_their_own_agreement() -> None:
    report = sample_report()
    lines = {line.number: line for c in report.customers for line in c.cases}
    assert lines[100001].amount_excl_vat == Decimal("547.50")  # BR-18: 30 min, billed
    assert lines[100001].coverage is Coverage.BILLED
    assert lines[100002].amount_excl_vat == Decimal("0.00")  # BR-18: 11 min, covered
    assert lines[100002].coverage is Coverage.COVERED
    assert lines[100003].coverage is Coverage.NONE and lines[100003].minutes == 0
    assert lines[100004].amount_excl_vat == Decimal("182.50")  # no agreement (BR-22)
    assert lines[100004].coverage is Coverage.BILLED


def test_totals_sum_the_bills_and_take_vat_once_on_the_total() -> None:
    report = sample_report()
    bills = [bill_case([Work(30, "support", False)], agreement=True),
             bill_case([Work(10, "support", False)], agreement=False)]
    assert report.totals.amount_excl_vat == Decimal("730.00")
    # BR-17: 25 % of 730.00, rounded once. The cases' own VAT, 136.88 + 45.63 (each
    # rounded with its case), would sum to 182.51: one øre an invoice would not show.
    assert sum(b.vat for b in bills) == Decimal("182.51")
    assert report.totals.vat == Decimal("182.50")
    assert report.totals.amount_incl_vat == Decimal("912.50")
    assert report.totals.minutes == 51 and report.totals.covered_minutes == 11
    firma = next(c for c in report.customers if c.domain == "firma.dk")
    assert firma.totals.amount_excl_vat == Decimal("547.50")
    assert firma.totals.cases == 3


def test_customers_are_named_from_the_registry_and_unknown_ones_have_no_agreement() -> None:
    report = sample_report()
    summary = [(c.domain, c.name, c.agreement) for c in report.customers]
    assert summary == [("andet.dk", "", False), ("firma.dk", "Firma A/S", True)]


def test_sla_compliance_lists_every_priority_with_its_verdicts() -> None:
    report = sample_report()
    firma = next(c for c in report.customers if c.domain == "firma.dk")
    by_priority = {s.priority: s for s in firma.sla}
    assert list(by_priority) == ["high", "medium", "normal", "low"]
    high, normal = by_priority["high"], by_priority["normal"]
    assert (high.cases, high.response.met, high.resolution.met) == (1, 1, 1)
    # Case 2 answered after 5 h against a 4 h target, and never resolved (now is past due).
    assert (normal.response.breached, normal.resolution.breached) == (1, 1)
    assert normal.response.percent_met == 0.0
    assert by_priority["medium"].cases == 0 and by_priority["medium"].response.percent_met is None


def test_sla_compliance_of_nothing_is_four_empty_rows() -> None:
    assert [s.cases for s in sla_compliance([])] == [0, 0, 0, 0]


# ---- JSON and CSV ---------------------------------------------------------------------


def test_json_has_money_as_two_decimal_strings_and_local_times_with_offset() -> None:
    data = report_json(sample_report())
    json.dumps(data)  # plain JSON types only
    assert data["month"] == "2026-11" and data["currency"] == "DKK"
    assert data["start"] == "2026-11-01T00:00:00+01:00"
    assert data["totals"]["amount_excl_vat"] == "730.00"
    assert data["totals"]["vat"] == "182.50"  # BR-17: once, on the total
    firma = next(c for c in data["customers"] if c["domain"] == "firma.dk")
    case = firma["cases"][0]
    assert case["reference"] == "[OO#100001]"
    assert case["amount_excl_vat"] == "547.50" and case["vat"] == "136.88"
    assert case["created_at"] == "2026-11-23T10:00:00+01:00"
    assert case["response_sla"] == "met" and case["coverage"] == "billed"
    assert firma["sla"][0]["response"] == {"met": 1, "breached": 0, "pending": 0,
                                           "percent_met": 100.0}


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_a_header_and_one_row_per_case_with_its_customer() -> None:
    text = report_csv(sample_report(subject="Skærm på kontoret"))
    assert next(csv.reader(io.StringIO(text))) == list(CSV_COLUMNS)
    rows = rows_of(text)
    assert [r["number"] for r in rows] == ["100004", "100001", "100002", "100003"]
    first = next(r for r in rows if r["number"] == "100001")
    assert first["customer_domain"] == "firma.dk" and first["customer_name"] == "Firma A/S"
    assert first["subject"] == "Skærm på kontoret"
    assert first["amount_excl_vat"] == "547.50" and first["minutes"] == "30"
    assert first["agreement"] == "true" and first["resolution_sla"] == "met"
    assert next(r for r in rows if r["number"] == "100003")["resolved_at"] == ""
    # The CSV's amounts agree with the report's total to the øre.
    total = sum(Decimal(r["amount_excl_vat"]) for r in rows)
    assert total == Decimal("730.00")


def test_csv_keeps_a_subject_from_becoming_a_spreadsheet_formula() -> None:
    rows = rows_of(report_csv(sample_report(subject='=HYPERLINK("http://x","klik")')))
    assert rows[1]["subject"] == '\'=HYPERLINK("http://x","klik")'


# ---- HTML -----------------------------------------------------------------------------


def html_of(report: Report) -> str:
    return report_html(report, TemplateRenderer(TEMPLATES))


def test_html_escapes_what_customers_wrote() -> None:
    page = html_of(sample_report(subject="<script>alert(1)</script>", name="<b>Firma</b>"))
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>Firma" not in page and "&lt;b&gt;Firma&lt;/b&gt;" in page


def test_html_is_a_danish_self_contained_page() -> None:
    page = html_of(sample_report())
    assert '<html lang="da">' in page
    assert "Supportrapport november 2026" in page
    assert "547,50 kr." in page and "912,50 kr." in page  # Danish money format
    assert "SLA overholdelse pr. prioritet" in page and "Løsning" in page
    assert "I alt ekskl. moms" in page and "I alt inkl. moms" in page
    assert "23.11.2026 10:00" in page  # opened, in Danish local time
    # Nothing fetched from anywhere: no scripts, links, images or URLs but SVG's namespace.
    assert not re.search(r"<(script|link|img|iframe)\b|src=|@import", page)
    assert set(re.findall(r"https?://[^\s\"']+", page)) == {"http://www.w3.org/2000/svg"}


def svgs_of(page: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg\b.*?</svg>", page, re.S)]


def test_html_chart_is_inline_svg_with_bars_per_priority() -> None:
    page = html_of(sample_report())
    assert "<svg" in page
    charts = svgs_of(page)  # well-formed XML, one per customer and one for all
    assert len(charts) == 3
    ns = {"s": "http://www.w3.org/2000/svg"}
    all_chart = charts[-1]
    volume = [r for r in all_chart.iterfind("s:rect", ns) if r.get("class") == "volume"]
    heights = [float(r.get("height", "")) for r in volume]
    assert heights == [55.0, 0.0, 110.0, 55.0]  # 1 high, 0 medium, 2 normal, 1 low
    response = [r for r in all_chart.iterfind("s:rect", ns) if r.get("class") == "response"]
    assert float(response[0].get("height", "")) == 110.0  # high: 100% met


def test_html_for_a_customer_with_no_cases_says_so() -> None:
    start, end = month_bounds("2027-01", TZ)
    empty: dict[str, Any] = {"firma.dk": []}
    report = assemble_report("2027-01", TZ, start, end, empty, {},
                             {"firma.dk": ("Firma A/S", True)}, "firma.dk", NOW)
    page = html_of(report)
    assert "Supportrapport januar 2027" in page and "Ingen sager i perioden." in page
    assert "0,00 kr." in page


@pytest.mark.parametrize("hostile", [
    "=2+5", "=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1",
    '=HYPERLINK("http://x","klik")',
])
def test_no_csv_cell_can_become_a_formula_whatever_its_column(hostile: str) -> None:
    """A sender's domain, a customer's name and a subject all reach the CSV."""
    firma = [case_row(1, domain=hostile, subject=hostile)]
    start, end = month_bounds("2026-11", TZ)
    report = assemble_report("2026-11", TZ, start, end, {hostile: firma},
                             {1: [DatedWork(MONDAY_10, 30, "support", False)]},
                             {hostile: (hostile, True)},
                             None, NOW)
    [row] = rows_of(report_csv(report))
    for column in ("subject", "customer_domain", "customer_name"):
        assert row[column] == "'" + hostile, column
    # Every cell of the file: none starts a formula.
    for cell in row.values():
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
        assert not cell.startswith("-") or re.fullmatch(r"-[0-9.]+", cell), cell


def test_csv_leaves_plain_numbers_alone() -> None:
    from daemon.outputs.reports import _csv_cell

    assert _csv_cell("-100.00") == "-100.00"
    assert _csv_cell("+45") == "+45"
    assert _csv_cell("-1+1") == "'-1+1"


# ---- work in the month it was done ----------------------------------------------------

FRIDAY_27_FEB = utc(2026, 2, 27, 9)  # 10:00 in Copenhagen
MONDAY_2_MARCH = utc(2026, 3, 2, 9)


def month_report(month: str, rows: list[SimpleNamespace],
                 work: dict[int, list[DatedWork]]) -> Report:
    start, end = month_bounds(month, TZ)
    return assemble_report(month, TZ, start, end, {"firma.dk": rows}, work,
                           {"firma.dk": ("Firma A/S", True)}, None, utc(2026, 4, 1, 9))


def test_march_reports_marchs_work_on_a_february_case_without_its_sla_verdicts() -> None:
    """Time logged on 2 March on a case opened 27 February is March's; the SLA verdicts
    stay with February, the month it was opened."""
    case = case_row(1, created=FRIDAY_27_FEB, responded=FRIDAY_27_FEB + timedelta(hours=1),
                    resolved=MONDAY_2_MARCH + timedelta(hours=1))
    work = {1: [DatedWork(FRIDAY_27_FEB, 20, "support", False),
                DatedWork(MONDAY_2_MARCH, 40, "support", False)]}
    february = month_report("2026-02", [case], work)
    march = month_report("2026-03", [case], work)
    [feb_line] = february.customers[0].cases
    [march_line] = march.customers[0].cases
    assert (feb_line.minutes, feb_line.amount_excl_vat) == (20, Decimal("365.00"))
    assert (march_line.minutes, march_line.amount_excl_vat) == (40, Decimal("730.00"))
    assert feb_line.opened_in_month and feb_line.response_sla is Verdict.MET
    assert not march_line.opened_in_month
    assert march_line.response_sla is None and march_line.resolution_sla is None
    assert [s.cases for s in february.sla] == [0, 0, 1, 0]
    assert [s.cases for s in march.sla] == [0, 0, 0, 0]  # not March's to judge
    assert march.totals.cases == 1 and march.totals.amount_excl_vat == Decimal("730.00")
    page = html_of(march)
    assert "Oprettet februar 2026" in page and "730,00 kr." in page
    data = report_json(march)
    assert data["customers"][0]["cases"][0]["response_sla"] is None


def test_februarys_report_as_sent_stays_so_and_march_bills_februarys_covered_time() -> None:
    """BR-14 across a month boundary: 10 minutes on 27 February, 10 on 2 March at 10:00.
    February's report is mailed at 08:00 that Monday (the first business day's opening)
    with its 10 minutes covered, and made again after March's work it says the same.
    March's report bills the whole 20-minute task: its own 10 minutes and February's 10,
    as a line of their own, so nothing a sent report showed covered goes unbilled."""
    case = case_row(1, created=FRIDAY_27_FEB)
    work = {1: [DatedWork(FRIDAY_27_FEB, 10, "support", False),
                DatedWork(MONDAY_2_MARCH, 10, "support", False)]}
    start, end = month_bounds("2026-02", TZ)

    def february_as_of(now: datetime) -> Decimal:
        report = assemble_report("2026-02", TZ, start, end, {"firma.dk": [case]}, work,
                                 {"firma.dk": ("Firma A/S", True)}, None, now)
        return report.totals.amount_excl_vat

    assert february_as_of(utc(2026, 3, 2, 7)) == Decimal("0.00")
    assert february_as_of(utc(2026, 3, 2, 10)) == Decimal("0.00")
    march = month_report("2026-03", [case], work)
    assert march.totals.amount_excl_vat == Decimal("365.00")
    [line] = march.customers[0].cases
    assert [(bill.description, bill.minutes, bill.amount) for bill in line.lines] == [
        (CARRIED, 10, Decimal("182.50")), ("", 10, Decimal("182.50"))]
    assert (line.minutes, line.billable_minutes) == (10, 20)
    assert CARRIED in html_of(march) and CARRIED in report_csv(march)


def test_a_customers_part_of_the_month_has_its_own_totals_and_sla() -> None:
    from daemon.outputs.reports import report_of

    firma = report_of(sample_report(), ["FIRMA.dk"])
    assert [c.domain for c in firma.customers] == ["firma.dk"]
    assert firma.totals.amount_excl_vat == Decimal("547.50")
    assert firma.totals.vat == Decimal("136.88") and firma.totals.cases == 3
    assert sum(s.cases for s in firma.sla) == 3
    assert firma.customer_filter == "firma.dk"


def logged(at: datetime, minutes: int, created: datetime) -> SimpleNamespace:
    """A time_entries row as the report reads it: worked from `at`, logged at `created`."""
    return SimpleNamespace(at=at, minutes=minutes, kind="support", after_hours=False,
                           created_at=created)


def test_time_logged_after_its_months_report_was_mailed_is_billed_when_logged() -> None:
    """BR-14/BR-17 and the monthly mail (sent once): 10 minutes on 27 February, mailed
    covered on Monday 2 March; on 5 March staff log 10 more minutes worked on 26
    February. The task is 20 minutes, all billed (365.00), and once only: February as
    mailed stays 0.00 when made again as of its mailing, and March's mail bills the late
    entry (dated when worked) and February's 10 minutes, carried. Before, neither mail
    billed anything: February's was sent, March's had no March work."""
    case = case_row(1, created=FRIDAY_27_FEB)
    first = logged(FRIDAY_27_FEB, 10, FRIDAY_27_FEB + timedelta(minutes=10))
    late = logged(FRIDAY_27_FEB - timedelta(days=1), 10, utc(2026, 3, 5, 9))
    february_mailed_at, march_mailed_at = utc(2026, 3, 2, 7), utc(2026, 4, 1, 6)

    def made(month: str, work: list[SimpleNamespace], now: datetime) -> Report:
        start, end = month_bounds(month, TZ)
        return assemble_report(month, TZ, start, end, {"firma.dk": [case]}, {1: work},
                               {"firma.dk": ("Firma A/S", True)}, None, now)

    february_as_mailed = made("2026-02", [first], february_mailed_at)
    assert february_as_mailed.totals.amount_excl_vat == Decimal("0.00")
    # Made again as of its mailing, once the late entry exists: the same report.
    again = made("2026-02", [late, first], february_mailed_at)
    assert again.totals.amount_excl_vat == Decimal("0.00")
    march = made("2026-03", [late, first], march_mailed_at)
    [line] = march.customers[0].cases
    assert sorted((bill.at, bill.minutes, bill.amount) for bill in line.lines) == [
        (late.at, 10, Decimal("182.50")), (first.at, 10, Decimal("182.50"))]
    whole = bill_case([Work(10, "support", False)] * 2, agreement=True)
    assert (february_as_mailed.totals.amount_excl_vat + march.totals.amount_excl_vat
            == whole.amount_excl_vat == Decimal("365.00"))


# ---- revledger: a month's coverage ------------------------------------------------------


def test_project_time_billed_by_agreed_time_is_never_shown_covered() -> None:
    """BR-14, BR-18 example 4: a project is never covered by the agreement. 1 h agreed in
    February (billed then); 30 minutes worked in May are listed at 0.00 by the agreed
    time, and May's page must not say "Dækket"; nor March's, whose Saturday hour on 2 h
    agreed bills 1,495.00 more (BR-16) with the month's billed minutes netting to 0."""
    opened = utc(2026, 2, 2, 9)
    may = month_bounds("2026-05", TZ)
    row = case_row(1, created=opened)
    row.project, row.project_senior, row.project_estimate_minutes = True, False, 60
    events = [(opened, {"project": True, "rate_kind": "project", "estimate_minutes": 60})]
    extra = BillingInputs(work=[], fees=[], rates=Rates(), project_events=events)
    line = case_line(row, [DatedWork(utc(2026, 5, 12, 9), 30, "support", False)], NOW,
                     extra, may)
    assert line.amount_excl_vat == Decimal("0.00") and line.minutes == 30
    assert line.coverage is not Coverage.COVERED
    assert line.coverage is Coverage.BILLED

    saturday = utc(2026, 3, 7, 10)
    work = [DatedWork(utc(2026, 2, 27, 9), 30, "project", False),
            DatedWork(saturday, 60, "project", True)]
    march = bill_month(work, [], *month_bounds("2026-03", TZ), agreement=True,
                       project=ProjectTerms(estimate_minutes=120),
                       opened_at=utc(2026, 2, 27, 9))
    assert march.amount_excl_vat == Decimal("1495.00") and march.billable_minutes == 0
    assert coverage_of(march) is Coverage.BILLED
