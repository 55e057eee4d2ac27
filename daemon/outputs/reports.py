"""The monthly report: per customer, the cases of a month, the SLA kept and
what is billed, as JSON, CSV and a Danish HTML page.

A month's report holds every case opened in the month, with its SLA verdicts, and
every case worked on, charged a fee or marked project (or its terms changed) in the
month, with what that month bills of it (domain/monthly_billing.py: the case's bill at
the month's end less its bill at the month's start, terms as they stood then; a line an
earlier month billed and since gone is credited, negative). A case opened earlier shows
its work but no SLA verdicts: those stay with the month it was opened. Each case lists
its billed lines (kind, rate, minutes, after hours, amount), so every amount can be
recomputed from the page.

`build_report` reads the cases, their time entries, fees, rates and "project" events
(five queries) and hands plain rows to pure functions; the verdicts and sums below
need no database. Amounts come from `billing.bill_case` per case, and every total is
the sum of those lines, with the VAT taken once on a total (BR-17).
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select
from sqlalchemy import case as sql_case

from daemon.domain.billing import CURRENCY, Rates, vat_of
from daemon.domain.domain_names import canonical_domain
from daemon.domain.monthly_billing import (
    BilledLine,
    DatedFee,
    DatedTimed,
    MonthBill,
    bill_month,
    in_period,
    known_by,
    terms_change,
)
from daemon.domain.references import format_reference
from daemon.domain.sla import Priority
from daemon.outputs.views import money, terms_of
from daemon.store import repository
from daemon.store.repository import BillingInputs
from daemon.store.schema import case_events, case_fees, cases, customers, time_entries

if TYPE_CHECKING:
    from daemon.mail.render import TemplateRenderer  # Jinja2: only for the HTML report

REPORT_TEMPLATE = "report.html.j2"
_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
_ZERO = Decimal("0.00")


class Verdict(StrEnum):
    MET = "met"
    BREACHED = "breached"
    PENDING = "pending"


class Coverage(StrEnum):
    """Whether a case's time was covered by the agreement or billed (BR-13, BR-14)."""

    NONE = "none"  # no time logged
    COVERED = "covered"
    BILLED = "billed"
    MIXED = "mixed"  # some covered, some billed (e.g. after-hours work, BR-16)


@dataclass(frozen=True)
class CaseLine:
    number: int
    reference: str
    subject: str
    priority: str
    critical: bool
    channel: str
    agreement: bool
    created_at: datetime
    # Opened in the report's month: its SLA verdicts count here. Else it is here for
    # this month's work only, and its verdicts are None (they are its opening month's).
    opened_in_month: bool
    first_response_at: datetime | None
    resolved_at: datetime | None
    response_sla: Verdict | None
    resolution_sla: Verdict | None
    minutes: int
    billable_minutes: int
    covered_minutes: int
    coverage: Coverage
    amount_excl_vat: Decimal
    vat: Decimal
    amount_incl_vat: Decimal
    lines: tuple[BilledLine, ...] = ()  # this month's work and fees, oldest first


@dataclass(frozen=True)
class Totals:
    cases: int
    minutes: int
    billable_minutes: int
    covered_minutes: int
    amount_excl_vat: Decimal
    vat: Decimal
    amount_incl_vat: Decimal


@dataclass(frozen=True)
class VerdictCounts:
    met: int
    breached: int
    pending: int
    # Met among the decided (met or breached), 0-100 to one decimal; None if none is.
    percent_met: float | None = field(init=False)

    def __post_init__(self) -> None:
        decided = self.met + self.breached
        percent = round(100 * self.met / decided, 1) if decided else None
        object.__setattr__(self, "percent_met", percent)


@dataclass(frozen=True)
class SlaCompliance:
    priority: str
    cases: int
    response: VerdictCounts
    resolution: VerdictCounts


@dataclass(frozen=True)
class CustomerReport:
    domain: str
    name: str  # "" when the domain belongs to no configured customer (BR-22)
    agreement: bool
    cases: tuple[CaseLine, ...]
    totals: Totals
    sla: tuple[SlaCompliance, ...]


@dataclass(frozen=True)
class Report:
    month: str
    timezone: str
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    generated_at: datetime
    customer_filter: str | None
    customers: tuple[CustomerReport, ...]
    totals: Totals
    sla: tuple[SlaCompliance, ...]
    currency: str = CURRENCY


def month_bounds(month: str, tz: str) -> tuple[datetime, datetime]:
    """[start, end) of a YYYY-MM month in local time `tz`, as aware UTC datetimes."""
    match = _MONTH.fullmatch(month.strip()) if isinstance(month, str) else None
    # Up to 9998: the month after must exist too.
    if match is None or not 1 <= int(match.group(1)) <= 9998:
        raise ValueError(f"month must be YYYY-MM (e.g. 2026-11), not {month!r}")
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {tz!r}") from exc
    year, number = int(match.group(1)), int(match.group(2))
    following = (year + 1, 1) if number == 12 else (year, number + 1)
    try:
        start = datetime(year, number, 1, tzinfo=zone).astimezone(UTC)
        end = datetime(*following, 1, tzinfo=zone).astimezone(UTC)
    except OverflowError as exc:  # year 1 in a zone east of UTC falls before year 1
        raise ValueError(f"month {month!r} is out of range") from exc
    return start, end


def sla_verdict(done_at: datetime | None, due: datetime | None, now: datetime) -> Verdict:
    """Met if done by the deadline, breached if done later or still undone past it.

    A case with no deadline recorded cannot be judged: it stays pending.
    """
    if due is None:
        return Verdict.PENDING
    if done_at is not None:
        return Verdict.MET if done_at <= due else Verdict.BREACHED
    return Verdict.BREACHED if now > due else Verdict.PENDING


def coverage_of(bill: MonthBill) -> Coverage:
    """Whether the month's own minutes were covered by the agreement (BR-13, BR-14),
    judged by the minutes covered, not by those billed: a project's time listed at 0.00
    by its agreed time is not covered (BR-18 example 4), and a month whose credits and
    re-billed lines net to 0 minutes may still bill (BR-16's surcharge on agreed time)."""
    if bill.minutes == 0:
        return Coverage.NONE
    if bill.covered_minutes == bill.minutes:
        return Coverage.COVERED
    return Coverage.BILLED if bill.covered_minutes == 0 else Coverage.MIXED


def case_line(
    case: Any,
    work: Sequence[DatedTimed],
    now: datetime,
    extra: BillingInputs | None = None,
    period: tuple[datetime, datetime] | None = None,
) -> CaseLine:
    """One case of the report; `case` is a cases row (or anything with its columns),
    `work` all its time entries (every month's, up to `now`: the case's total decides
    coverage), `period` the report's [start, end) (None: all time)."""
    start, end = period or (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))
    added = zip(extra.fees_added, extra.fees, strict=True) if extra else ()
    # As of `now`: the report made at an instant (`--now`, the monthly mail) knows the
    # work logged for up to then, so it can be made again as it was sent.
    fees = [DatedFee(at, fee) for at, fee in added if at <= now]
    terms = terms_of(case)  # rate and agreed time (BR-15, BR-18 example 4)
    # Each month is priced by the terms of then (monthly_billing: a mailed month's
    # bill never changes when the case is marked project or its terms change later).
    # No "project" event at all: a case never marked, or marked before events were
    # written; the current terms stand for every month (None).
    events = extra.project_events if extra else []
    changes = [terms_change(detail, at, terms) for at, detail in events if at <= now]
    bill = bill_month(
        known_by(work, now),  # worked and logged by then, taken back by then
        fees,
        start,
        end,
        agreement=bool(case.agreement),
        project=terms,
        changes=changes if events else None,
        opened_at=case.created_at,  # from when a project's agreed time is due
        rates=extra.rates if extra else Rates(),
    )
    opened = in_period(case.created_at, start, end)
    return CaseLine(
        number=case.number,
        reference=format_reference(case.number),
        subject=case.subject,
        priority=case.priority,
        critical=bool(case.critical),
        channel=case.channel,
        agreement=bool(case.agreement),
        created_at=case.created_at,
        opened_in_month=opened,
        first_response_at=case.first_response_at,
        resolved_at=case.resolved_at,
        response_sla=sla_verdict(case.first_response_at, case.response_due, now)
        if opened
        else None,
        resolution_sla=sla_verdict(case.resolved_at, case.resolve_due, now) if opened else None,
        minutes=bill.minutes,
        billable_minutes=bill.billable_minutes,
        covered_minutes=bill.covered_minutes,
        coverage=coverage_of(bill),
        amount_excl_vat=bill.amount_excl_vat,
        vat=bill.vat,
        amount_incl_vat=bill.amount_incl_vat,
        lines=bill.lines,
    )


def totals_of(lines: Iterable[CaseLine]) -> Totals:
    """Sums of the per-case bills; the VAT is computed once on the total excl. VAT
    (BR-17), not summed from each case's rounded VAT, so an invoice agrees with it."""
    found = list(lines)
    excl = sum((line.amount_excl_vat for line in found), _ZERO)
    vat = vat_of(excl)
    return Totals(
        cases=len(found),
        minutes=sum(line.minutes for line in found),
        billable_minutes=sum(line.billable_minutes for line in found),
        covered_minutes=sum(line.covered_minutes for line in found),
        amount_excl_vat=excl,
        vat=vat,
        amount_incl_vat=excl + vat,
    )


def count_verdicts(verdicts: Iterable[Verdict]) -> VerdictCounts:
    found = list(verdicts)
    return VerdictCounts(
        met=found.count(Verdict.MET),
        breached=found.count(Verdict.BREACHED),
        pending=found.count(Verdict.PENDING),
    )


def sla_compliance(lines: Iterable[CaseLine]) -> tuple[SlaCompliance, ...]:
    """Per priority, highest first: every level of BR-11, also those with no cases.
    Only cases opened in the month count: a case's verdicts belong to that month."""
    by_priority: dict[str, list[CaseLine]] = {p.value: [] for p in Priority}
    for line in lines:
        if line.opened_in_month:
            by_priority.setdefault(line.priority, []).append(line)
    return tuple(
        SlaCompliance(
            priority=priority,
            cases=len(found),
            response=count_verdicts(line.response_sla or Verdict.PENDING for line in found),
            resolution=count_verdicts(line.resolution_sla or Verdict.PENDING for line in found),
        )
        for priority, found in by_priority.items()
    )


def customer_report(
    domain: str, name: str, agreement: bool, lines: Sequence[CaseLine]
) -> CustomerReport:
    return CustomerReport(
        domain=domain,
        name=name,
        agreement=agreement,
        cases=tuple(lines),
        totals=totals_of(lines),
        sla=sla_compliance(lines),
    )


def _later(a: ColumnElement[Any], b: ColumnElement[Any]) -> ColumnElement[Any]:
    """The later of two NOT NULL instants, in SQL every backend reads: PostgreSQL's
    GREATEST is not SQLite's (a throwaway `--database sqlite:...` report failed on it)."""
    return sql_case((a >= b, a), else_=b)


def build_report(
    conn: Connection,
    month: str,
    tz: str,
    customer_domain: str | Sequence[str] | None = None,
    *,
    now: datetime,
) -> Report:
    """The report of `month` (local time `tz`), per customer: every case opened in it,
    worked on in it or charged a fee in it. `customer_domain`: one domain, or several
    (a customer's), or None for all."""
    start, end = month_bounds(month, tz)
    if isinstance(customer_domain, str):
        customer_domain = [customer_domain]
    wanted = sorted({canonical_domain(d) for d in customer_domain or () if d.strip()})
    # Worked in the month, or logged in it for an earlier month (monthly_billing's
    # `billed_from`: the later of the two instants).
    known_from = _later(time_entries.c.at, time_entries.c.created_at)
    worked = select(time_entries.c.case_id).where(known_from >= start, known_from < end)
    # An entry taken back in the month: the month credits what it had billed.
    removed = select(time_entries.c.case_id).where(
        time_entries.c.removed_at >= start, time_entries.c.removed_at < end
    )
    charged = select(case_fees.c.case_id).where(
        case_fees.c.created_at >= start, case_fees.c.created_at < end
    )
    # Marked project or its terms changed in the month: the month bills (or credits)
    # the difference, with no work of its own (monthly_billing).
    event_known = _later(case_events.c.at, case_events.c.created_at)
    remarked = select(case_events.c.case_id).where(
        case_events.c.action == "project", event_known >= start, event_known < end
    )
    where = [
        or_(
            and_(cases.c.created_at >= start, cases.c.created_at < end),
            cases.c.id.in_(worked),
            cases.c.id.in_(removed),
            cases.c.id.in_(charged),
            cases.c.id.in_(remarked),
        )
    ]
    if wanted:
        where.append(func.lower(cases.c.customer_domain).in_(wanted))
    case_rows = conn.execute(
        select(
            cases,
            customers.c.name.label("customer_name"),
            customers.c.agreement.label("customer_agreement"),
        )
        .select_from(cases.outerjoin(customers, customers.c.domain == cases.c.customer_domain))
        .where(*where)
        .order_by(cases.c.created_at, cases.c.number)
    ).all()
    # Time (every month's: the case's total decides coverage), fees and the customer's
    # own rates: the same inputs `cases show` bills with.
    extras = repository.with_project_events(
        conn, repository.billing_inputs(conn, case_rows)
    )
    work = {case_id: inputs.work for case_id, inputs in extras.items()}

    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in case_rows:
        grouped[row.customer_domain.lower()].append(row)
    known = {
        domain: (rows[0].customer_name or "", bool(rows[0].customer_agreement))
        for domain, rows in grouped.items()
    }
    missing = [domain for domain in wanted if domain not in grouped]
    if missing:
        # A customer asked for by name gets its (empty) page rather than nothing.
        found = {
            row.domain: row
            for row in conn.execute(select(customers).where(customers.c.domain.in_(missing)))
        }
        for domain in missing:
            grouped[domain] = []
            customer = found.get(domain)
            known[domain] = (customer.name, bool(customer.agreement)) if customer else ("", False)
    customer_filter = ",".join(wanted) or None
    return assemble_report(
        month, tz, start, end, grouped, work, known, customer_filter, now, extras
    )


def assemble_report(
    month: str,
    tz: str,
    start: datetime,
    end: datetime,
    cases_by_domain: Mapping[str, Sequence[Any]],
    work: Mapping[int, Sequence[DatedTimed]],
    known: Mapping[str, tuple[str, bool]],
    customer_filter: str | None,
    now: datetime,
    extras: Mapping[int, BillingInputs] | None = None,
) -> Report:
    """The report from plain rows: pure, so it is tested without a database. `work`
    holds each case's every time entry; only those of [start, end) are reported."""
    reports = []
    for domain, rows in cases_by_domain.items():
        name, agreement = known.get(domain, ("", False))
        lines = [
            case_line(row, work.get(row.id, ()), now, (extras or {}).get(row.id), (start, end))
            for row in rows
        ]
        reports.append(customer_report(domain, name, agreement, lines))
    reports.sort(key=lambda r: ((r.name or r.domain).casefold(), r.domain))
    every = [line for r in reports for line in r.cases]
    return Report(
        month=month,
        timezone=tz,
        start=start,
        end=end,
        generated_at=now,
        customer_filter=customer_filter,
        customers=tuple(reports),
        totals=totals_of(every),
        sla=sla_compliance(every),
    )


def report_of(report: Report, domains: Iterable[str]) -> Report:
    """The part of `report` about these domains (one customer's), with its own totals
    and SLA compliance: the monthly mails cut one report of the month into these."""
    wanted = {d.lower() for d in domains}
    kept = tuple(c for c in report.customers if c.domain in wanted)
    every = [line for c in kept for line in c.cases]
    return replace(
        report,
        customer_filter=",".join(sorted(wanted)),
        customers=kept,
        totals=totals_of(every),
        sla=sla_compliance(every),
    )


# ---- output formats -------------------------------------------------------------------


def plain(value: Any, zone: ZoneInfo) -> Any:
    """JSON-ready data: money as "0.00" strings, times ISO-8601 in `zone` with offset."""
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name), zone) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [plain(item, zone) for item in value]
    return value


def report_json(report: Report) -> dict[str, Any]:
    """The whole report as one JSON document; times in the report's own timezone."""
    data: dict[str, Any] = plain(report, ZoneInfo(report.timezone))
    return data


# One row per billed line (a case with none this month: one row, its line cells
# empty), so the amount column sums to the total excl. VAT. Each row carries its
# case's facts; `rate x minutes / 60`, doubled when `after_hours`, is its amount
# unless `covered` (BR-17); a fee's amount is its rate.
CASE_COLUMNS = tuple(
    """customer_domain customer_name number reference subject priority critical channel
    agreement created_at opened_in_month first_response_at resolved_at response_sla
    resolution_sla""".split()
)
LINE_COLUMNS = tuple(
    "at kind description rate minutes after_hours surcharge_percent covered amount".split()
)
CSV_COLUMNS = CASE_COLUMNS + tuple(
    "line_at kind description rate minutes after_hours surcharge_percent covered "
    "amount_excl_vat".split()
)
# A cell starting with one of these is a formula to Excel and LibreOffice: a customer's
# subject, address or domain must not become one on a staff member's machine (OWASP
# "CSV injection"). Every text cell passes here, whichever column it is in; a plain
# number (a negative amount) stays a number.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def _cell_text(text: str) -> str:
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _cell_text(value) if isinstance(value, str) else value


def report_csv(report: Report) -> str:
    """One row per billed line, with its case and customer, under a header row; no
    total rows (the amount column sums to the total excl. VAT)."""
    zone = ZoneInfo(report.timezone)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for customer in report.customers:
        for case in customer.cases:
            facts = plain(case, zone)
            facts["subject"] = case.subject
            facts["customer_domain"] = customer.domain
            facts["customer_name"] = customer.name
            head = [_csv_cell(facts[column]) for column in CASE_COLUMNS]
            if not case.lines:
                writer.writerow([*head, *[""] * (len(LINE_COLUMNS) - 1), "0.00"])
            for line in case.lines:
                cells = plain(line, zone)
                writer.writerow([*head, *(_csv_cell(cells[column]) for column in LINE_COLUMNS)])
    return out.getvalue()


def report_html(report: Report, renderer: TemplateRenderer) -> str:
    """The Danish page a customer reads (templates/report.html.j2).

    The template owns the wording and layout, money and date formats included; it gets
    the report itself, so customer text reaches it only as autoescaped data.
    """
    return renderer.render(REPORT_TEMPLATE, {"report": report, "zone": ZoneInfo(report.timezone)})
