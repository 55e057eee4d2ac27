"""A month's part of a case's bill (BR-13..BR-17): work in the month it was done,
coverage decided by the case's whole time, fees in the month they were added, and
every line recomputable from its own printed fields.

Support 1,095.00/h is 18.25 DKK a minute; after hours doubles it (BR-16).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daemon.domain.billing import (
    KINDS,
    ONCALL_FEE,
    Fee,
    ProjectTerms,
    Rates,
    bill_case,
    vat_of,
)
from daemon.domain.monthly_billing import (
    AGREED_TIME,
    BY_AGREED_TIME,
    CARRIED,
    CREDITED,
    REMOVED,
    REPRICED,
    BilledLine,
    DatedFee,
    DatedWork,
    TermsChange,
    bill_month,
    billed_from,
    cumulative_due,
    fee_label,
    known_by,
    terms_change,
)
from daemon.outputs.reports import month_bounds

TZ = "Europe/Copenhagen"
FEBRUARY = month_bounds("2026-02", TZ)
MARCH = month_bounds("2026-03", TZ)
FRIDAY_27_FEB = datetime(2026, 2, 27, 9, tzinfo=UTC)  # 10:00 in Copenhagen
MONDAY_2_MARCH = datetime(2026, 3, 2, 9, tzinfo=UTC)


def support(at: datetime, minutes: int, after_hours: bool = False) -> DatedWork:
    return DatedWork(at, minutes, "support", after_hours)


def recomputed(line: BilledLine) -> Decimal:
    """A line's amount from its own fields, as a reader of the report would (BR-17); a
    credited line is the same figure taken back."""
    sign = -1 if line.description.startswith(CREDITED) else 1
    if line.kind == "fee":
        return sign * line.rate
    if line.covered or line.description == BY_AGREED_TIME:
        return Decimal("0.00")
    assert line.minutes is not None
    factor = 2 if line.after_hours else 1
    assert line.surcharge_percent == (100 if line.after_hours else 0)
    exact = line.rate * line.minutes / 60 * factor
    return sign * exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_work_is_billed_in_the_month_it_was_done() -> None:
    """Opened 27 February, worked on 2 March: March's work, not February's."""
    work = [support(FRIDAY_27_FEB, 30), support(MONDAY_2_MARCH, 20)]
    february = bill_month(work, [], *FEBRUARY, agreement=True)
    march = bill_month(work, [], *MARCH, agreement=True)
    assert [line.at for line in february.lines] == [FRIDAY_27_FEB]
    assert [line.at for line in march.lines] == [MONDAY_2_MARCH]
    assert (february.minutes, february.amount_excl_vat) == (30, Decimal("547.50"))
    assert (march.minutes, march.amount_excl_vat) == (20, Decimal("365.00"))


def test_a_month_judges_its_time_by_the_case_up_to_its_end_and_never_changes() -> None:
    """BR-14 ("overskrider 15 minutter") across a month boundary: 10 minutes in February
    and 10 in March is a 20-minute task, so all of it is billed ("hele tiden"). February's
    report, mailed once, showed its 10 minutes covered and still does after March's work;
    March bills its own 10 and February's 10, carried, dated when they were worked."""
    work = [support(FRIDAY_27_FEB, 10), support(MONDAY_2_MARCH, 10)]
    february = bill_month(work, [], *FEBRUARY, agreement=True)
    march = bill_month(work, [], *MARCH, agreement=True)
    assert february.amount_excl_vat == Decimal("0.00") and february.covered_minutes == 10
    assert march.amount_excl_vat == Decimal("365.00")
    assert (march.minutes, march.billable_minutes, march.covered_minutes) == (10, 20, 0)
    carried, own = march.lines
    assert (carried.at, carried.description, carried.minutes, carried.amount) == (
        FRIDAY_27_FEB, CARRIED, 10, Decimal("182.50"))
    assert (own.at, own.description, own.amount) == (MONDAY_2_MARCH, "", Decimal("182.50"))
    whole = bill_case(work, agreement=True)
    assert february.amount_excl_vat + march.amount_excl_vat == whole.amount_excl_vat


def test_time_carried_once_is_not_carried_again_by_a_later_month() -> None:
    work = [support(FRIDAY_27_FEB, 10), support(MONDAY_2_MARCH, 10),
            support(datetime(2026, 4, 7, 9, tzinfo=UTC), 5)]
    april = bill_month(work, [], *month_bounds("2026-04", TZ), agreement=True)
    assert [line.description for line in april.lines] == [""]
    assert april.amount_excl_vat == Decimal("91.25")


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(1, 12), st.booleans()),
                min_size=1, max_size=6),
       st.booleans())
def test_law_the_months_bills_sum_to_the_cases_bill(
        entries: list[tuple[int, int, bool]], agreement: bool) -> None:
    # Whatever the months' split, each minute is billed once, in the first month whose
    # work took the case over 15 minutes, or in its own month (BR-14, BR-17).
    months = [month_bounds(m, TZ) for m in ("2026-02", "2026-03", "2026-04")]
    work = sorted((DatedWork(months[m][0] + timedelta(days=2, hours=9), minutes, "support",
                             late) for m, minutes, late in entries), key=lambda w: w.at)
    bills = [bill_month(work, [], *period, agreement=agreement) for period in months]
    whole = bill_case(work, agreement=agreement)
    assert sum(b.amount_excl_vat for b in bills) == whole.amount_excl_vat
    assert sum(b.billable_minutes for b in bills) == whole.billable_minutes


def test_a_case_of_15_minutes_over_two_months_stays_covered_in_both() -> None:
    work = [support(FRIDAY_27_FEB, 10), support(MONDAY_2_MARCH, 5)]
    for period in (FEBRUARY, MARCH):
        found = bill_month(work, [], *period, agreement=True)
        assert found.amount_excl_vat == Decimal("0.00")
        assert found.billable_minutes == 0 and found.covered_minutes > 0
        assert all(line.covered for line in found.lines)


def test_a_fee_is_billed_in_the_month_it_was_added_and_says_gebyr() -> None:
    fees = [DatedFee(MONDAY_2_MARCH, ONCALL_FEE)]
    work = [support(FRIDAY_27_FEB, 5)]
    february = bill_month(work, fees, *FEBRUARY, agreement=True)
    march = bill_month(work, fees, *MARCH, agreement=True)
    assert february.amount_excl_vat == Decimal("0.00")
    [fee] = march.lines
    assert (fee.kind, fee.rate, fee.amount, fee.minutes) == (
        "fee", Decimal("1000.00"), Decimal("1000.00"), None)
    assert "gebyr" in fee.description.casefold()
    assert march.vat == Decimal("250.00")


def test_a_fee_named_otherwise_is_still_called_a_fee() -> None:
    assert fee_label("Kørsel til kunden") == "Gebyr: Kørsel til kunden"
    assert fee_label("Ekstra gebyr") == "Gebyr: Ekstra gebyr"
    assert fee_label(ONCALL_FEE.description) == ONCALL_FEE.description


def test_an_after_hours_line_shows_its_rate_and_its_surcharge() -> None:
    saturday = datetime(2026, 3, 7, 10, tzinfo=UTC)
    rates = Rates(support=Decimal("995.00"))
    [line] = bill_month([support(saturday, 30, after_hours=True)], [], *MARCH,
                        agreement=True, rates=rates).lines
    assert (line.kind, line.rate, line.minutes, line.after_hours) == (
        "support", Decimal("995.00"), 30, True)
    assert line.surcharge_percent == 100 and not line.covered
    assert line.amount == Decimal("995.00") == recomputed(line)  # 30 min at twice 995/h


_WORK = st.lists(
    st.tuples(
        st.integers(0, 60 * 24 * 90),  # minutes after 1 February 00:00 UTC: Feb..April
        st.integers(0, 240),
        st.sampled_from(KINDS),
        st.booleans(),
    ),
    max_size=8,
)
_FEES = st.lists(st.tuples(st.integers(0, 60 * 24 * 90), st.integers(0, 5000_00)), max_size=3)


_PROJECT = st.one_of(
    st.booleans(),
    st.builds(ProjectTerms, st.booleans(), st.one_of(st.none(), st.integers(1, 3_000))),
)


@given(_WORK, _FEES, st.booleans(), _PROJECT, st.integers(0, 60 * 24 * 90))
def test_law_the_months_bill_a_case_exactly_once_and_every_line_recomputes(
    raw_work: list[tuple[int, int, str, bool]],
    raw_fees: list[tuple[int, int]],
    agreement: bool,
    project: bool | ProjectTerms,
    opened: int,
) -> None:
    origin = datetime(2026, 2, 1, tzinfo=UTC)
    work = [DatedWork(origin + timedelta(minutes=at), m, kind, night)
            for at, m, kind, night in sorted(raw_work)]
    fees = [DatedFee(origin + timedelta(minutes=at), Fee("Gebyr", Decimal(ore) / 100))
            for at, ore in raw_fees]
    whole = bill_case(work, agreement=agreement, project=project, fees=[f.fee for f in fees])
    months = [month_bounds(m, TZ) for m in ("2026-01", "2026-02", "2026-03", "2026-04",
                                              "2026-05")]
    opened_at = origin + timedelta(minutes=opened)  # within February..April
    bills = [bill_month(work, fees, *m, agreement=agreement, project=project,
                        opened_at=opened_at) for m in months]
    assert sum(b.amount_excl_vat for b in bills) == whole.amount_excl_vat
    # Every entry and fee is shown once in the month it became known; other lines are
    # an earlier entry's, carried or credited, or the agreed time (priced anew, BR-16).
    own = [line for b in bills for line in b.lines if line.description not in (
        CARRIED, AGREED_TIME) and not line.description.startswith(CREDITED)]
    assert len(own) == len(work) + len(fees)
    assert sum(b.minutes for b in bills) == sum(w.minutes for w in work)
    assert sum(b.billable_minutes for b in bills) == whole.billable_minutes
    for found in bills:
        assert all(line.amount == recomputed(line) for line in found.lines)
        assert found.amount_excl_vat == sum((line.amount for line in found.lines),
                                            Decimal("0.00"))
        assert found.vat == vat_of(found.amount_excl_vat)


@pytest.mark.parametrize("month", ["2026-02", "2026-03"])
def test_a_month_without_work_or_fees_bills_nothing(month: str) -> None:
    found = bill_month([], [], *month_bounds(month, TZ), agreement=True)
    assert (found.lines, found.amount_incl_vat) == ((), Decimal("0.00"))


def test_a_projects_agreed_time_is_billed_once_in_the_month_it_was_opened() -> None:
    """BR-18 example 4, "Afregnes efter den aftalte tid": opened 27 February with 2 h
    agreed, worked 30 min in February and 2 h in March: February bills the 2 h agreed
    (2,990.00), March lists its 120 minutes at 0.00 beside nothing billed."""
    work = [DatedWork(FRIDAY_27_FEB, 30, "support", False),
            DatedWork(MONDAY_2_MARCH, 120, "project", False)]
    terms = ProjectTerms(estimate_minutes=120)
    february = bill_month(work, [], *FEBRUARY, agreement=True, project=terms,
                          opened_at=FRIDAY_27_FEB)
    march = bill_month(work, [], *MARCH, agreement=True, project=terms,
                       opened_at=FRIDAY_27_FEB)
    assert [(line.description, line.minutes, line.amount) for line in february.lines] == [
        (AGREED_TIME, 120, Decimal("2990.00")),
        (BY_AGREED_TIME, 30, Decimal("0.00")),
    ]
    assert (february.minutes, february.billable_minutes) == (30, 120)
    assert [(line.description, line.minutes, line.amount) for line in march.lines] == [
        (BY_AGREED_TIME, 120, Decimal("0.00")),
    ]
    assert (march.minutes, march.billable_minutes, march.amount_excl_vat) == (
        120, 0, Decimal("0.00"))


_LOGGED_WORK = st.lists(
    st.tuples(
        st.integers(0, 60 * 24 * 90),  # worked: minutes after 1 February 00:00 UTC
        st.integers(0, 60 * 24 * 60),  # logged so much later (up to 60 days)
        st.integers(0, 40),
        st.sampled_from(KINDS),
        st.booleans(),
    ),
    max_size=8,
)


@given(_LOGGED_WORK, st.booleans(), st.sampled_from([False, True, ProjectTerms(senior=True)]))
def test_law_the_mailed_months_bill_time_logged_late_exactly_once(
    raw_work: list[tuple[int, int, int, str, bool]],
    agreement: bool,
    project: bool | ProjectTerms,
) -> None:
    """The monthly mail (one per month, the day after the month ends) knows only the
    time logged by then. Time logged after its month's mail is billed by a later one,
    so summed over the mails every minute is billed once (BR-14, BR-17)."""
    origin = datetime(2026, 2, 1, tzinfo=UTC)
    work = [DatedWork(origin + timedelta(minutes=at), m, kind, night,
                      created_at=origin + timedelta(minutes=at + delay))
            for at, delay, m, kind, night in sorted(raw_work)]
    names = ("2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07")
    total = Decimal("0.00")
    for period in (month_bounds(m, TZ) for m in names):
        mailed_at = period[1] + timedelta(days=1)
        known = [entry for entry in work if entry.created_at <= mailed_at]
        mailed = bill_month(known, [], *period, agreement=agreement, project=project)
        # Made again later, with every entry logged since, the month says the same.
        assert bill_month(work, [], *period, agreement=agreement, project=project) == mailed
        total += mailed.amount_excl_vat
    assert total == bill_case(work, agreement=agreement, project=project).amount_excl_vat


# --- Found by reviewb: the case's state other than its time -------------------------
# A month's mail billed the case as it stood when mailed, so state that changed after a
# month's mail (a project's marking, its after-hours work) moved money into a month
# already mailed, that no mail billed. Now each month bills the difference of the
# case's bill at its end and at its start (`cumulative_due`), terms as they stood then.

MARCH_MAILED = datetime(2026, 4, 1, 6, tzinfo=UTC)  # 08:00, Wednesday 1 April
FEBRUARY_MAILED = datetime(2026, 3, 2, 7, tzinfo=UTC)  # 08:00, Monday 2 March
TUESDAY_3_MARCH = datetime(2026, 3, 3, 9, tzinfo=UTC)


def test_a_project_agreed_after_its_opening_months_mail_is_billed_by_a_later_mail() -> None:
    """Opened 27 February as support (10 minutes, covered, mailed 2 March); on 3 March
    staff mark it a project with 2 h agreed, worked in March. The 2,990.00 agreed is
    billed by March's mail, dated at the marking; February's, made again, is as mailed
    (BR-18 ex. 4)."""
    work = [support(FRIDAY_27_FEB, 10), DatedWork(MONDAY_2_MARCH, 120, "project", False)]
    terms = ProjectTerms(estimate_minutes=120)
    history = [TermsChange(TUESDAY_3_MARCH, terms)]
    february = bill_month(work[:1], [], *FEBRUARY, agreement=True, opened_at=FRIDAY_27_FEB)
    again = bill_month(work, [], *FEBRUARY, agreement=True, project=terms, changes=history,
                       opened_at=FRIDAY_27_FEB)
    march = bill_month(work, [], *MARCH, agreement=True, project=terms, changes=history,
                       opened_at=FRIDAY_27_FEB)
    whole = bill_case(work, agreement=True, project=terms)
    assert again == february
    assert february.amount_excl_vat + march.amount_excl_vat == whole.amount_excl_vat
    assert [(line.at, line.description, line.minutes, line.amount) for line in march.lines] \
        == [(MONDAY_2_MARCH, BY_AGREED_TIME, 120, Decimal("0.00")),
            (TUESDAY_3_MARCH, AGREED_TIME, 120, Decimal("2990.00"))]


def test_covered_time_of_a_case_marked_project_later_is_billed_by_a_later_mail() -> None:
    """10 minutes on 27 February, covered in February's mail; marked project (no
    estimate) in March, 30 minutes more: the case bills 40 minutes at 1,495.00
    (996.67), and March's mail all of it, February's 10 minutes priced by the new terms
    (BR-14, BR-15)."""
    work = [support(FRIDAY_27_FEB, 10), DatedWork(MONDAY_2_MARCH, 30, "project", False)]
    history = [TermsChange(TUESDAY_3_MARCH, ProjectTerms())]
    february = bill_month(work[:1], [], *FEBRUARY, agreement=True)
    march = bill_month(work, [], *MARCH, agreement=True, project=True, changes=history)
    whole = bill_case(work, agreement=True, project=True)
    assert february.amount_excl_vat + march.amount_excl_vat == whole.amount_excl_vat
    assert [(line.description, line.rate, line.minutes, line.amount) for line in march.lines] \
        == [(REPRICED, Decimal("1495.00"), 10, Decimal("249.17")),
            ("", Decimal("1495.00"), 30, Decimal("747.50"))]


def test_the_surcharge_of_later_after_hours_work_on_agreed_time_is_billed_once() -> None:
    """2 h agreed, opened 27 February, 30 minutes worked that day; February's mail bills
    2,990.00, and says so made again after March. On Saturday 7 March 1 h is worked: the
    case bills 1 h + 1 h doubled (4,485.00); March credits the 2 h agreed and bills the
    two parts, 1,495.00 more (BR-16)."""
    saturday = datetime(2026, 3, 7, 10, tzinfo=UTC)
    work = [DatedWork(FRIDAY_27_FEB, 30, "project", False),
            DatedWork(saturday, 60, "project", True)]
    terms = ProjectTerms(estimate_minutes=120)
    february = bill_month(work[:1], [], *FEBRUARY, agreement=True, project=terms,
                          opened_at=FRIDAY_27_FEB)
    again = bill_month(work, [], *FEBRUARY, agreement=True, project=terms,
                       opened_at=FRIDAY_27_FEB)
    march = bill_month(work, [], *MARCH, agreement=True, project=terms,
                       opened_at=FRIDAY_27_FEB)
    whole = bill_case(work, agreement=True, project=terms)
    assert again == february
    assert february.amount_excl_vat + march.amount_excl_vat == whole.amount_excl_vat
    assert march.amount_excl_vat == Decimal("1495.00")
    assert all(line.amount == recomputed(line) for line in march.lines)
    assert sorted(line.amount for line in march.lines) == [
        Decimal("-2990.00"), Decimal("0.00"), Decimal("1495.00"), Decimal("2990.00")]


def test_a_case_unmarked_after_its_agreed_time_was_mailed_is_credited_it() -> None:
    """Marked project with 2 h agreed in February (billed 2,990.00); in March the marking
    is taken off (BR-14: nothing new after all): March credits the agreed time and bills
    the 20 minutes worked as support (365.00)."""
    work = [support(FRIDAY_27_FEB, 20)]
    history = [TermsChange(FRIDAY_27_FEB, ProjectTerms(estimate_minutes=120)),
               TermsChange(TUESDAY_3_MARCH, None)]
    bills = [bill_month(work, [], *period, agreement=True, project=None, changes=history,
                        opened_at=FRIDAY_27_FEB) for period in (FEBRUARY, MARCH)]
    assert [b.amount_excl_vat for b in bills] == [Decimal("2990.00"), Decimal("-2625.00")]
    repriced, credit = sorted(bills[1].lines, key=lambda line: -line.amount)
    assert (credit.description, credit.amount) == (CREDITED + REPRICED, Decimal("-2990.00"))
    assert (repriced.description, repriced.amount) == (REPRICED, Decimal("365.00"))
    assert sum(b.amount_excl_vat for b in bills) == bill_case(
        work, agreement=True).amount_excl_vat


def test_an_event_written_before_0014_has_the_cases_current_terms() -> None:
    senior = ProjectTerms(senior=True, estimate_minutes=60)
    assert terms_change({"project": True}, MONDAY_2_MARCH, senior).terms == senior
    assert terms_change({"project": True}, MONDAY_2_MARCH, None).terms == ProjectTerms()
    assert terms_change({"project": False}, MONDAY_2_MARCH, senior).terms is None
    written = {"project": True, "rate_kind": "senior", "estimate_minutes": None}
    assert terms_change(written, MONDAY_2_MARCH, senior).terms == ProjectTerms(senior=True)


_ORIGIN = datetime(2026, 2, 1, tzinfo=UTC)
_TERMS = st.one_of(
    st.none(),
    st.builds(ProjectTerms, st.booleans(), st.one_of(st.none(), st.integers(1, 300))),
)
_INSTANT = st.integers(0, 60 * 24 * 89)  # minutes after 1 February 00:00 UTC: Feb..April


@given(
    st.lists(st.tuples(_INSTANT, st.integers(0, 60 * 24 * 20), st.integers(0, 40),
                       st.sampled_from(KINDS), st.booleans()), max_size=6),
    st.lists(st.tuples(_INSTANT, _TERMS), max_size=4),
    st.lists(st.tuples(_INSTANT, st.integers(0, 2000_00)), max_size=2),
    st.booleans(),
    _INSTANT,
    st.lists(st.integers(0, 60 * 24 * 40), min_size=1, max_size=3),
)
def test_law_the_ledger_bills_each_krone_once_and_a_mailed_month_never_changes(
    raw_work: list[tuple[int, int, int, str, bool]],
    raw_changes: list[tuple[int, ProjectTerms | None]],
    raw_fees: list[tuple[int, int]],
    agreement: bool,
    opened: int,
    delays: list[int],
) -> None:
    """Entries worked over three months (some logged late), project terms changed at
    random instants, fees: (a) the months sum to the case's bill now; (b) a month made at
    any instant after its end, knowing what was known then, is the same bill."""
    def at(minutes: int) -> datetime:
        return _ORIGIN + timedelta(minutes=minutes)

    work = [DatedWork(at(a), m, kind, night, created_at=at(a + delay))
            for a, delay, m, kind, night in sorted(raw_work)]
    changes = [TermsChange(at(a), terms) for a, terms in sorted(raw_changes, key=lambda c: c[0])]
    fees = [DatedFee(at(a), Fee("Gebyr", Decimal(ore) / 100)) for a, ore in raw_fees]
    current = changes[-1].terms if changes else None
    months = [month_bounds(m, TZ) for m in ("2026-01", "2026-02", "2026-03", "2026-04",
                                              "2026-05", "2026-06")]
    opened_at = at(opened)

    def month(period: tuple[datetime, datetime], now: datetime) -> object:
        # What the report knows at `now`: the case's row has the terms of then.
        known = [c for c in changes if c.at <= now]
        return bill_month(
            [w for w in work if billed_from(w) <= now], [f for f in fees if f.at <= now],
            *period, agreement=agreement, project=known[-1].terms if known else None,
            changes=known, opened_at=opened_at)

    later = months[-1][1]  # after every entry was logged
    bills = [bill_month(work, fees, *period, agreement=agreement, project=current,
                        changes=changes, opened_at=opened_at) for period in months]
    whole = bill_case(work, agreement=agreement, project=current, fees=[f.fee for f in fees])
    assert sum(b.amount_excl_vat for b in bills) == whole.amount_excl_vat  # (a)
    assert sum(b.billable_minutes for b in bills) == whole.billable_minutes
    assert whole == cumulative_due(work, fees, later, agreement=agreement, project=current,
                                   changes=changes, opened_at=opened_at)
    for period, found in zip(months, bills, strict=True):
        for delay in delays:  # (b): mailed the instant it ended, or later
            assert month(period, period[1] + timedelta(minutes=delay)) == found
        assert all(line.amount == recomputed(line) for line in found.lines)


def test_a_terms_change_at_the_first_instant_of_a_month_after_dst_belongs_to_that_month(
) -> None:
    """revledger: 15 minutes on 20 October 2026 (covered, BR-13); marked project at
    1 November 00:00 Copenhagen, 31 October 23:00 UTC, the first instant after winter
    time began: October stays covered whenever it is made, November bills the 15
    minutes re-priced at 1,495.00 (373.75, BR-14, BR-15), and one instant earlier the
    change is October's."""
    october, november = month_bounds("2026-10", TZ), month_bounds("2026-11", TZ)
    boundary = november[0]
    assert boundary == datetime(2026, 10, 31, 23, tzinfo=UTC) == october[1]
    work = [support(datetime(2026, 10, 20, 8, tzinfo=UTC), 15)]
    opened = work[0].at
    for at, months in ((boundary, (Decimal("0.00"), Decimal("373.75"))),
                       (boundary - timedelta(microseconds=1),
                        (Decimal("373.75"), Decimal("0.00")))):
        changes = [TermsChange(at, ProjectTerms())]
        bills = [bill_month(work, [], *m, agreement=True, project=ProjectTerms(),
                            changes=changes, opened_at=opened) for m in (october, november)]
        assert tuple(b.amount_excl_vat for b in bills) == months
        assert all(line.amount == recomputed(line) for b in bills for line in b.lines)


def test_a_time_entry_taken_back_is_credited_in_the_month_it_went_and_nowhere_else() -> None:
    """`time remove`: '#time 250' typed for 25, billed in February's mailed report,
    taken back on 2 March. February's report never changes; March credits the 250
    minutes (and nothing else), and the case's bill now is the 25 minutes alone."""
    typo = DatedWork(FRIDAY_27_FEB, 250, "support", False, removed_at=MONDAY_2_MARCH)
    right = support(FRIDAY_27_FEB + timedelta(minutes=1), 25)
    work = [typo, right]
    february = bill_month(work, [], *FEBRUARY, agreement=True)
    march = bill_month(work, [], *MARCH, agreement=True)
    assert february.amount_excl_vat == price_of(275)  # as mailed: both entries billed
    [credit] = march.lines
    assert (credit.at, credit.minutes, credit.amount) == (FRIDAY_27_FEB, 250, -price_of(250))
    assert credit.description == CREDITED + REMOVED
    assert recomputed(credit) == credit.amount
    assert march.billable_minutes == -250
    assert february.amount_excl_vat + march.amount_excl_vat == price_of(25)
    now = cumulative_due(work, [], datetime(2026, 4, 1, tzinfo=UTC), agreement=True)
    assert now.amount_excl_vat == price_of(25)


def test_taking_back_time_can_make_a_case_covered_again_and_credits_what_it_carried() -> None:
    # 10 + 10 minutes billed in March (over 15, BR-14); the second 10 was the wrong
    # case's and is taken back in April: the case is 10 minutes, covered; April
    # credits both lines March billed.
    wrong = DatedWork(MONDAY_2_MARCH, 10, "support", False,
                      removed_at=datetime(2026, 4, 7, 9, tzinfo=UTC))
    work = [support(FRIDAY_27_FEB, 10), wrong]
    march = bill_month(work, [], *MARCH, agreement=True)
    april = bill_month(work, [], *month_bounds("2026-04", TZ), agreement=True)
    assert march.amount_excl_vat == price_of(20)
    assert april.amount_excl_vat == -price_of(20)
    assert {line.description for line in april.lines} == {CREDITED + REMOVED}


def test_a_report_made_again_as_of_before_a_removal_is_the_one_mailed() -> None:
    typo = DatedWork(FRIDAY_27_FEB, 250, "support", False, removed_at=MONDAY_2_MARCH)
    as_mailed = known_by([typo], datetime(2026, 3, 1, 8, tzinfo=UTC))
    assert bill_month(as_mailed, [], *MARCH, agreement=True).lines == ()
    assert bill_month(known_by([typo], MONDAY_2_MARCH), [], *MARCH, agreement=True).lines


def price_of(minutes: int) -> Decimal:
    return (Decimal("1095.00") * minutes / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
