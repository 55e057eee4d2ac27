"""What a case costs (BR-10, BR-13..BR-22).

Expected amounts are worked out by hand: support 1,095.00/h is 18.25 DKK a minute,
project 1,495.00/h is 24.91666.. a minute, senior 1,895.00/h is 31.58333.. a minute;
after hours doubles the rate.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daemon.domain.billing import (
    KINDS,
    ONCALL_FEE,
    VAT_RATE,
    Bill,
    Fee,
    ProjectTerms,
    Rates,
    Work,
    agreement_covers,
    bill_case,
    fee_amount,
    is_simple,
    oncall_fee_refusal,
    price,
    project_terms,
    proposed_oncall_fee,
)
from daemon.domain.case_changes import TIME_KINDS, TimeEntry

D = Decimal
STANDARD = Rates()


def support(minutes: int, after_hours: bool = False) -> Work:
    return Work(minutes, "support", after_hours)


def total(
    work: list[Work], *, agreement: bool = True, project: bool = False, rates: Rates = STANDARD
) -> Decimal:
    return bill_case(work, agreement=agreement, project=project, rates=rates).amount_excl_vat


# --- BR-18: the worked examples ------------------------------------------------


def test_br18_bios_error_30_minutes_is_not_simple_and_billed_in_full() -> None:
    bill = bill_case([support(30)], agreement=True)
    assert bill.amount_excl_vat == D("547.50")
    assert (bill.billable_minutes, bill.covered_minutes) == (30, 0)


def test_br18_expired_password_11_minutes_is_covered() -> None:
    bill = bill_case([support(11)], agreement=True)
    assert bill.amount_excl_vat == D("0.00")
    assert (bill.billable_minutes, bill.covered_minutes) == (0, 11)
    assert bill.lines[0].covered


def test_br18_office_install_25_minutes_is_billed() -> None:
    assert total([support(25)]) == D("456.25")


def test_br16_30_minutes_started_on_saturday_is_billed_at_double_rate() -> None:
    # after_hours is the caller's judgement from the calendar (Saturday: closed).
    assert total([support(30, after_hours=True)]) == D("1095.00")


def test_br15_an_hour_of_project_work_is_the_project_rate() -> None:
    assert total([Work(60, "project", False)]) == D("1495.00")


def test_br15_an_hour_of_senior_work_is_the_senior_rate() -> None:
    assert total([Work(60, "senior", False)]) == D("1895.00")


def test_br22_no_agreement_10_minutes_is_billed() -> None:
    bill = bill_case([support(10)], agreement=False)
    assert bill.amount_excl_vat == D("182.50")
    assert not bill.lines[0].covered


# --- BR-13/BR-14: the 15-minute line ------------------------------------------------


def test_br14_15_minutes_is_covered_and_16_is_billed_in_full() -> None:
    assert total([support(15)]) == D("0.00")
    assert total([support(16)]) == D("292.00")  # 16 x 18.25, not 1 x 18.25


def test_br14_the_limit_is_the_case_total_not_each_entry() -> None:
    bill = bill_case([support(10), support(10)], agreement=True)
    assert bill.amount_excl_vat == D("365.00")  # 20 x 18.25: both entries billed
    assert [line.covered for line in bill.lines] == [False, False]
    assert (bill.billable_minutes, bill.covered_minutes) == (20, 0)


def test_br14_a_case_marked_project_is_never_covered() -> None:
    # 5 minutes logged as support, on a project: at the project rate (BR-15), 124.58.
    bill = bill_case([support(5)], agreement=True, project=True)
    assert bill.amount_excl_vat == D("124.58")
    assert not agreement_covers([support(5)], agreement=True, project=True)


@pytest.mark.parametrize("kind", ["project", "senior"])
def test_br14_project_or_senior_work_makes_the_whole_case_billed(kind: str) -> None:
    bill = bill_case([support(5), Work(5, kind, False)], agreement=True)
    assert [line.covered for line in bill.lines] == [False, False]
    assert bill.lines[0].amount == D("91.25")  # the support entry at the support rate
    assert not is_simple([support(5), Work(5, kind, False)])


def test_br13_a_case_with_no_time_is_covered_and_costs_nothing() -> None:
    bill = bill_case([], agreement=True)
    assert bill == Bill((), (), 0, 0, D("0.00"), D("0.00"), D("0.00"))


# --- BR-16: after hours on a covered case -------------------------------------------


def test_br16_after_hours_time_is_billed_even_on_an_otherwise_covered_case() -> None:
    bill = bill_case([support(5), support(5, after_hours=True)], agreement=True)
    day, night = bill.lines
    assert (day.covered, day.amount) == (True, D("0.00"))
    assert (night.covered, night.amount) == (False, D("182.50"))  # 5 x 36.50
    assert (bill.billable_minutes, bill.covered_minutes) == (5, 5)
    assert bill.amount_excl_vat == D("182.50")


def test_br16_after_hours_minutes_count_towards_the_15() -> None:
    bill = bill_case([support(10), support(10, after_hours=True)], agreement=True)
    assert [line.amount for line in bill.lines] == [D("182.50"), D("365.00")]


def test_br16_after_hours_doubles_project_and_senior_rates_too() -> None:
    assert price(60, "project", True) == D("2990.00")
    assert price(60, "senior", True) == D("3790.00")


# --- BR-10: the on-call fee ---------------------------------------------------------


def test_br10_oncall_fee_is_1000_dkk_plus_vat_on_top_of_the_time() -> None:
    bill = bill_case([support(11)], agreement=True, fees=[ONCALL_FEE])
    assert ONCALL_FEE.amount == D("1000.00")
    assert bill.fees == (ONCALL_FEE,)
    assert bill.amount_excl_vat == D("1000.00")  # the 11 minutes stay covered
    assert bill.vat == D("250.00")
    assert bill.amount_incl_vat == D("1250.00")


def test_br10_fees_add_to_billed_time() -> None:
    bill = bill_case([support(30)], agreement=True, fees=[ONCALL_FEE, Fee("Kørsel", D("250"))])
    assert bill.fees[1].amount == D("250.00")
    assert str(bill.fees[1].amount) == "250.00"
    assert bill.amount_excl_vat == D("1797.50")


def test_br10_a_fee_must_be_decimal_whole_ore_and_not_negative() -> None:
    with pytest.raises(TypeError):
        Fee("x", 1000.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Fee("x", D("10.005"))
    with pytest.raises(ValueError):
        Fee("x", D("-1.00"))
    with pytest.raises(ValueError):
        Fee("x", D("NaN"))


# --- BR-17: VAT and rounding --------------------------------------------------------


def test_br17_vat_is_25_percent_of_the_total_excl_vat() -> None:
    bill = bill_case([support(30)], agreement=True)
    assert bill.vat == D("136.88")  # 547.50 x 0.25 = 136.875, half-up
    assert bill.amount_incl_vat == D("684.38")
    assert bill.currency == "DKK"


def test_br17_each_line_is_rounded_to_ore_before_summing() -> None:
    # 1 minute of project work is 24.91666.. -> 24.92; three such lines are 74.76,
    # where 3 minutes in one line would be 74.75.
    bill = bill_case([Work(1, "project", False)] * 3, agreement=True)
    assert [line.amount for line in bill.lines] == [D("24.92")] * 3
    assert bill.amount_excl_vat == D("74.76")
    assert price(3, "project", False) == D("74.75")


def test_br17_half_an_ore_rounds_up() -> None:
    rates = Rates(support=D("0.30"))  # 0.005 a minute
    assert price(1, "support", False, rates) == D("0.01")
    assert price(3, "support", False, rates) == D("0.02")  # 0.015 -> 0.02
    assert price(1, "project", False) == D("24.92")  # 24.91666.. -> 24.92
    assert price(1, "senior", False) == D("31.58")  # 31.58333.. -> 31.58


# --- BR-15: per-customer rates ------------------------------------------------------


def test_br15_a_customer_can_have_its_own_rates() -> None:
    rates = Rates(support=D("900.00"), senior=D("2000.00"))
    assert rates.project == D("1495.00")  # the default where not overridden
    bill = bill_case([support(30), Work(30, "senior", True)], agreement=True, rates=rates)
    assert [line.amount for line in bill.lines] == [D("450.00"), D("2000.00")]


def test_br15_rates_must_be_decimal_and_not_negative() -> None:
    with pytest.raises(TypeError):
        Rates(support=1095.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Rates(project=D("-1"))
    with pytest.raises(ValueError):
        Rates().hourly("travel")


def test_br15_billing_knows_every_kind_staff_can_log() -> None:
    assert set(KINDS) == set(TIME_KINDS)


# --- input checks and other entry types ---------------------------------------------


def test_work_refuses_negative_minutes_unknown_kinds_and_non_int_minutes() -> None:
    with pytest.raises(ValueError):
        Work(-1, "support", False)
    with pytest.raises(ValueError):
        Work(10, "travel", False)
    with pytest.raises(TypeError):
        Work(10.0, "support", False)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        price(True, "support", False)


def test_time_entries_from_staff_commands_are_billed_as_they_are() -> None:
    at = datetime(2026, 3, 7, 10, tzinfo=UTC)
    entries = [TimeEntry(30, "support", at, True)]
    assert bill_case(entries, agreement=True).amount_excl_vat == D("1095.00")


# --- laws ---------------------------------------------------------------------------

works = st.builds(
    Work,
    minutes=st.integers(min_value=0, max_value=600),
    kind=st.sampled_from(KINDS),
    after_hours=st.booleans(),
)
work_lists = st.lists(works, max_size=6)
fees = st.lists(
    st.builds(Fee, st.just("fee"), st.decimals(min_value=0, max_value=10_000, places=2)),
    max_size=2,
)
rates = st.builds(
    Rates,
    *[st.decimals(min_value=0, max_value=5_000, places=2) for _ in KINDS],
)
project_flags = st.one_of(
    st.booleans(),
    st.builds(
        ProjectTerms,
        st.booleans(),
        st.one_of(st.none(), st.integers(min_value=1, max_value=3_000)),
    ),
)
case_flags = st.fixed_dictionaries({"agreement": st.booleans(), "project": project_flags})
# For the laws that move minutes between an agreed project's in-hours and after-hours
# lines: each line is rounded to øre on its own (BR-18: a reader recomputes every amount
# from its line), so at a rate where a minute costs well under one øre, moving a minute
# to the doubled line can make the sum 1 øre smaller (hypothesis found it at 0.02 kr/h;
# every rate 0.00-9.99 kr/h and estimate up to 400 minutes tried: none from 0.30 kr/h).
# No agreement's rate is within a thousandth of that; from 1 kr/h the laws must hold.
real_rates = st.builds(
    Rates,
    *[st.decimals(min_value=1, max_value=5_000, places=2) for _ in KINDS],
)


def amounts(bill: Bill) -> list[Decimal]:
    return [
        *(line.amount for line in bill.lines + bill.agreed),
        *(fee.amount for fee in bill.fees),
        bill.amount_excl_vat,
        bill.vat,
        bill.amount_incl_vat,
    ]


@given(work_lists, case_flags, fees, rates)
def test_law_amounts_are_never_negative_and_always_whole_ore(
    work: list[Work], flags: dict[str, bool], fee_list: list[Fee], r: Rates
) -> None:
    bill = bill_case(work, **flags, fees=fee_list, rates=r)
    for amount in amounts(bill):
        assert amount >= 0
        assert amount.as_tuple().exponent == -2  # exactly two places: "0.00", not "0"


@given(work_lists, case_flags, fees, rates)
def test_law_totals_add_up(
    work: list[Work], flags: dict[str, bool], fee_list: list[Fee], r: Rates
) -> None:
    bill = bill_case(work, **flags, fees=fee_list, rates=r)
    # The agreed lines of an estimated project carry its amount, its entries' lines are
    # 0.00 (asserted below); else there are no agreed lines: either way, all add up.
    every_line = bill.lines + bill.agreed
    lines_and_fees = sum(amounts(bill)[: len(every_line) + len(bill.fees)], D("0"))
    assert bill.amount_excl_vat == lines_and_fees
    assert bill.vat == (bill.amount_excl_vat * VAT_RATE).quantize(D("0.01"), ROUND_HALF_UP)
    assert bill.amount_incl_vat == bill.amount_excl_vat + bill.vat
    terms = ProjectTerms() if flags["project"] is True else flags["project"] or None
    agreed = terms.estimate_minutes if terms else None
    if agreed:  # BR-18 example 4: the agreed time is billed, the time logged shown beside
        assert bill.billable_minutes == sum(line.minutes for line in bill.agreed) == agreed
        assert all(line.amount == 0 for line in bill.lines)
    else:
        assert bill.billable_minutes + bill.covered_minutes == sum(w.minutes for w in work)
    for line in bill.agreed if agreed else bill.lines:
        assert line.amount == (
            D("0.00") if line.covered else price(line.minutes, line.kind, line.after_hours, r)
        )
    for line, w in zip(bill.lines, work, strict=True):
        # BR-15: a project's time at the project's rate, whatever kind it was logged as.
        assert line.kind == (terms.rate_kind if terms else w.kind)


@given(
    st.integers(min_value=0, max_value=2_000),
    st.integers(min_value=1, max_value=60),
    st.sampled_from(KINDS),
    st.booleans(),
    rates,
)
def test_law_price_is_monotone_in_minutes(
    minutes: int, more: int, kind: str, after_hours: bool, r: Rates
) -> None:
    assert price(minutes, kind, after_hours, r) <= price(minutes + more, kind, after_hours, r)


@given(st.integers(min_value=0, max_value=60), st.booleans(), st.booleans())
def test_law_one_support_entry_costs_more_with_more_minutes_across_the_15_line(
    minutes: int, agreement: bool, after_hours: bool
) -> None:
    # 15 -> 16 jumps from covered (0.00) to billed in full: a jump up, never down.
    before = total([support(minutes, after_hours)], agreement=agreement)
    after = total([support(minutes + 1, after_hours)], agreement=agreement)
    assert before <= after


@given(work_lists.filter(bool), st.data(), case_flags, real_rates)
def test_law_more_minutes_on_any_entry_never_lower_the_bill(
    work: list[Work], data: st.DataObject, flags: dict[str, bool], r: Rates
) -> None:
    i = data.draw(st.integers(min_value=0, max_value=len(work) - 1))
    longer = list(work)
    longer[i] = replace(work[i], minutes=work[i].minutes + data.draw(st.integers(1, 30)))
    assert total(work, **flags, rates=r) <= total(longer, **flags, rates=r)


@given(work_lists, case_flags, rates)
def test_law_another_entry_never_lowers_the_bill(
    work: list[Work], flags: dict[str, bool], r: Rates
) -> None:
    assert total(work, **flags, rates=r) <= total([*work, support(1)], **flags, rates=r)


@given(work_lists.filter(bool), st.data(), case_flags, real_rates)
def test_law_after_hours_is_never_cheaper_than_in_hours(
    work: list[Work], data: st.DataObject, flags: dict[str, bool], r: Rates
) -> None:
    i = data.draw(st.integers(min_value=0, max_value=len(work) - 1))
    day, night = list(work), list(work)
    day[i] = replace(work[i], after_hours=False)
    night[i] = replace(work[i], after_hours=True)
    assert total(day, **flags, rates=r) <= total(night, **flags, rates=r)
    m, kind = work[i].minutes, work[i].kind
    assert price(m, kind, False, r) <= price(m, kind, True, r)


@given(work_lists, case_flags)
def test_law_covered_exactly_when_agreement_simple_short_and_in_hours(
    work: list[Work], flags: dict[str, bool]
) -> None:
    bill = bill_case(work, **flags)
    case_covered = (
        flags["agreement"]
        and not flags["project"]  # True or a ProjectTerms: a project, never covered
        and all(w.kind == "support" for w in work)
        and sum(w.minutes for w in work) <= 15
    )
    for line in bill.lines:
        assert line.covered == (case_covered and not line.after_hours)


def test_the_oncall_fee_is_for_a_non_critical_call_after_hours_only() -> None:
    """BR-10: "Alle opkald til vagten der ikke er drifts-kritiske, bliver pålagt et gebyr"."""
    assert oncall_fee_refusal(channel="phone", after_hours=True, critical=False) is None
    assert "critical" in (oncall_fee_refusal(channel="phone", after_hours=True, critical=True)
                          or "")
    assert "business hours" in (oncall_fee_refusal(channel="phone", after_hours=False,
                                                   critical=False) or "")
    assert "critical" in (oncall_fee_refusal(channel="phone", after_hours=False, critical=True)
                          or "")
    # A mail sent at night is no call to the on-call duty (BR-10: "opkald til vagten").
    assert "by email" in (oncall_fee_refusal(channel="email", after_hours=True, critical=False)
                          or "")



def test_the_oncall_fee_is_charged_once_a_call() -> None:
    """BR-10: the fee is charged "ved opstart af opgave", once for the call; a case that
    has it already is refused a second (staff may still --force one)."""
    found = oncall_fee_refusal(channel="phone", after_hours=True, critical=False,
                               fees=[ONCALL_FEE])
    assert "already" in (found or "")
    other = Fee("Kørsel", D("250.00"))
    assert oncall_fee_refusal(channel="phone", after_hours=True, critical=False,
                              fees=[other]) is None


# --- BR-15, BR-18 example 4: projects, their rate and their agreed time -------------


def test_br15_a_project_bills_all_its_time_at_the_project_rate_whatever_the_kind() -> None:
    # 30 min logged as support and 30 as senior work, on a project: 1 h at 1,495.00.
    work = [support(30), Work(30, "senior", False)]
    bill = bill_case(work, agreement=True, project=ProjectTerms())
    assert [line.amount for line in bill.lines] == [D("747.50"), D("747.50")]
    assert bill.amount_excl_vat == D("1495.00")
    assert bill.project is not None and bill.project.rate_kind == "project"
    assert (bill.billable_minutes, bill.covered_minutes) == (60, 0)


def test_br15_a_senior_project_bills_all_its_time_at_the_senior_rate() -> None:
    """"Hvis et projekt kræver en senior konsulent / IT specialist eller omhandler IT
    strategi, er timeprisen 1895,00 kr. + moms." """
    bill = bill_case([support(60), Work(30, "project", False)], agreement=True,
                     project=ProjectTerms(senior=True))
    assert bill.amount_excl_vat == D("2842.50")  # 1.5 h x 1,895.00
    assert bill.project is not None and bill.project.rate_kind == "senior"


def test_br15_a_project_uses_the_customers_own_project_rate() -> None:
    rates = Rates(project=D("1200.00"))
    assert total([support(30)], project=True, rates=rates) == D("600.00")


def test_br18_a_new_printer_project_bills_the_agreed_time_not_the_time_logged() -> None:
    """Example 4: "Projektet estimeres, planlægges og udføres [...] Afregnes efter den
    aftalte tid." 4 h agreed, 5 h logged: 4 h billed, the 5 h shown beside them."""
    work = [support(180), Work(120, "project", False)]
    bill = bill_case(work, agreement=True, project=ProjectTerms(estimate_minutes=240))
    assert bill.amount_excl_vat == D("5980.00")  # 4 h x 1,495.00
    assert bill.vat == D("1495.00") and bill.amount_incl_vat == D("7475.00")
    assert bill.billable_minutes == 240 and bill.covered_minutes == 0
    assert bill.project is not None
    assert (bill.project.estimate_minutes, bill.project.actual_minutes) == (240, 300)
    assert [line.amount for line in bill.lines] == [D("0.00"), D("0.00")]
    assert [(a.minutes, a.after_hours, a.amount) for a in bill.agreed] == [
        (240, False, D("5980.00"))
    ]


def test_br18_less_time_logged_than_agreed_still_bills_the_agreed_time() -> None:
    bill = bill_case([support(45)], agreement=True, project=ProjectTerms(estimate_minutes=90))
    assert bill.amount_excl_vat == D("2242.50")  # 1.5 h x 1,495.00


def test_br18_an_agreed_project_with_no_time_yet_bills_the_agreed_time() -> None:
    bill = bill_case([], agreement=True, project=ProjectTerms(True, 60))
    assert bill.amount_excl_vat == D("1895.00")
    assert bill.project is not None and bill.project.actual_minutes == 0


def test_br16_after_hours_work_on_an_agreed_project_doubles_the_rate_of_that_part() -> None:
    """"Alle henvendelser, som vi sætter i gang udenfor normal åbningstid, afregnes med
    100% tillæg på timeprisen, uanset opgave og supportaftale": 4 h agreed, 1 h of it
    worked on a Saturday: 3 h at 1,495.00 and 1 h at 2,990.00."""
    work = [Work(150, "project", False), Work(60, "project", True)]
    bill = bill_case(work, agreement=True, project=ProjectTerms(estimate_minutes=240))
    assert [(a.minutes, a.after_hours, a.amount) for a in bill.agreed] == [
        (180, False, D("4485.00")),
        (60, True, D("2990.00")),
    ]
    assert bill.amount_excl_vat == D("7475.00")


def test_br16_the_surcharge_never_bills_more_hours_than_were_agreed() -> None:
    # 5 h worked at night on a 4 h project: the 4 agreed hours, all at the doubled rate.
    bill = bill_case([Work(300, "project", True)], agreement=True,
                     project=ProjectTerms(estimate_minutes=240))
    assert [(a.minutes, a.after_hours) for a in bill.agreed] == [(240, True)]
    assert bill.amount_excl_vat == D("11960.00")


def test_a_project_with_no_estimate_bills_the_time_as_logged() -> None:
    bill = bill_case([support(20, after_hours=True)], agreement=True, project=ProjectTerms())
    assert bill.amount_excl_vat == D("996.67")  # 20 min at 2 x 1,495.00 (BR-16)
    assert bill.agreed == ()


def test_a_case_that_is_no_project_says_so() -> None:
    assert bill_case([support(5)], agreement=True).project is None


@pytest.mark.parametrize("estimate", [0, -5, 1000 * 60 + 1])
def test_an_estimate_is_some_time_and_not_absurdly_much(estimate: int) -> None:
    with pytest.raises(ValueError, match="estimate"):
        ProjectTerms(estimate_minutes=estimate)


def test_project_terms_of_a_case_that_is_no_project_are_none() -> None:
    assert project_terms(False, senior=True, estimate_minutes=60) is None
    assert project_terms(True, senior=True, estimate_minutes=60) == ProjectTerms(True, 60)


def test_moving_an_agreed_minute_to_after_hours_never_lowers_the_sum_from_0_30_kr() -> None:
    # The bound real_rates rests on, tried exhaustively over a small range (BR-16, BR-18):
    # the agreed time's two lines, each rounded, never sum lower when a minute moves from
    # the in-hours line to the doubled one.
    for cents in range(30, 151):
        r = Rates(project=D(cents) / 100)
        day = [price(m, "project", False, r) for m in range(31)]
        night = [price(m, "project", True, r) for m in range(31)]
        for estimate in range(1, 31):
            for late in range(estimate):
                moved = day[estimate - late - 1] + night[late + 1]
                assert day[estimate - late] + night[late] <= moved, (cents, estimate, late)


@given(work_lists, st.integers(min_value=1, max_value=3_000), st.booleans(), rates)
def test_law_an_agreed_project_costs_between_its_time_at_the_rate_and_at_double(
    work: list[Work], estimate: int, senior: bool, r: Rates
) -> None:
    terms = ProjectTerms(senior, estimate)
    bill = bill_case(work, agreement=True, project=terms, rates=r)
    day = price(estimate, terms.rate_kind, False, r)
    night = price(estimate, terms.rate_kind, True, r)
    assert day - D("0.01") <= bill.amount_excl_vat <= night + D("0.01")  # two lines rounded


# --- BR-10: the on-call fee proposed for staff to confirm ---------------------------


@pytest.mark.parametrize(
    ("channel", "after_hours", "critical", "proposed"),
    [
        ("phone", True, False, True),  # a non-critical call to the on-call duty
        ("phone", True, True, False),  # critical: what the duty is for, no fee
        ("phone", False, False, False),  # business hours: the support desk, not the duty
        ("email", True, False, False),  # mail is no call to the on-call duty
    ],
)
def test_br10_the_oncall_fee_is_proposed_for_a_non_critical_call_after_hours(
    channel: str, after_hours: bool, critical: bool, proposed: bool
) -> None:
    found = proposed_oncall_fee(
        channel=channel, after_hours=after_hours, critical=critical, fees=()
    )
    assert (found is not None) == proposed
    if found is not None:
        assert (found.kind, found.fee) == ("oncall", ONCALL_FEE)
        assert "BR-10" in found.reason


def test_br10_a_confirmed_oncall_fee_is_no_longer_proposed() -> None:
    assert proposed_oncall_fee(
        channel="phone", after_hours=True, critical=False, fees=[ONCALL_FEE]
    ) is None
    other = Fee("Kørsel", D("250.00"))
    assert proposed_oncall_fee(
        channel="phone", after_hours=True, critical=False, fees=[other]
    ) is not None


@pytest.mark.parametrize(
    ("typed", "amount"), [("250", "250.00"), ("250.5", "250.50"), (" 250,50 ", "250.50")]
)
def test_a_typed_fee_amount_is_whole_ore(typed: str, amount: str) -> None:
    assert fee_amount(typed) == D(amount)


@pytest.mark.parametrize(
    ("typed", "why"),
    [("abc", "not an amount"), ("", "not an amount"), ("-1", "two decimals"),
     ("1.005", "two decimals"), ("NaN", "two decimals"), ("1000000.01", "1,000,000"),
     # More digits than Decimal's precision: quantize raised InvalidOperation (a 500).
     ("1e999999", "1,000,000"), ("9" * 40, "1,000,000"), ("1e-999999", "two decimals")],
)
def test_a_typed_fee_amount_that_is_no_charge_is_refused(typed: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        fee_amount(typed)
