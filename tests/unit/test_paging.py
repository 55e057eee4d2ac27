"""Which critical cases page the on-call duty, and when (BR-7, BR-10)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from daemon.domain.paging import (
    CUSTOMER_CAP,
    SENDER_CAP,
    Pageable,
    PagePlan,
    PagingPolicy,
    PastPage,
    customer_key,
    plan_page,
)

NIGHT = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)  # Saturday 23:00 in Copenhagen
POLICY = PagingPolicy(quiet=timedelta(minutes=30), per_sender=2, per_customer=3)
STRANGER = "anders.1987@gmail.com"


def stranger(case_id: int, sender: str = STRANGER) -> Pageable:
    return Pageable(case_id, sender, customer_key(sender, None))


def customer(case_id: int, sender: str, customer_id: int = 7) -> Pageable:
    return Pageable(case_id, sender, customer_key(sender, customer_id))


def paged(case: Pageable, minutes_ago: int) -> PastPage:
    return PastPage(NIGHT - timedelta(minutes=minutes_ago), case.sender, case.customer)


def test_the_first_critical_cases_of_a_quiet_night_page_at_once_together() -> None:
    waiting = [stranger(i) for i in range(1, 21)]
    assert plan_page(waiting, [], NIGHT, POLICY) == PagePlan(page=list(range(1, 21)))


def test_within_the_quiet_period_cases_wait_for_one_follow_up() -> None:
    earlier = [paged(stranger(1), 10)]
    waiting = [stranger(2), customer(3, "it@firma.dk")]
    assert plan_page(waiting, earlier, NIGHT, POLICY) == PagePlan(hold=[2, 3])
    later = NIGHT + timedelta(minutes=20)  # the page is 30 minutes old: over
    assert plan_page(waiting, earlier, later, POLICY) == PagePlan(page=[2, 3])


def test_no_quiet_period_pages_every_pass_that_has_cases() -> None:
    no_quiet = PagingPolicy(timedelta(0), 2, 3)
    plan = plan_page([stranger(2)], [paged(stranger(1), 0)], NIGHT, no_quiet)
    assert plan == PagePlan(page=[2])


def test_a_sender_named_in_two_pages_is_not_paged_about_again() -> None:
    earlier = [paged(stranger(1), 90), paged(stranger(2), 60), paged(stranger(3), 60)]
    plan = plan_page([stranger(4), stranger(5)], earlier, NIGHT, POLICY)
    assert plan == PagePlan(withheld={4: SENDER_CAP, 5: SENDER_CAP})


def test_the_caps_count_pages_not_cases() -> None:
    earlier = [paged(stranger(i), 60) for i in range(1, 20)]  # twenty cases, one page
    assert plan_page([stranger(20)], earlier, NIGHT, POLICY) == PagePlan(page=[20])


def test_a_customer_named_in_three_pages_is_not_paged_about_again() -> None:
    people = [customer(1, "a@firma.dk"), customer(2, "b@firma.dk"), customer(3, "c@firma.dk")]
    earlier = [paged(case, 40 * i) for i, case in enumerate(people, start=1)]
    plan = plan_page([customer(4, "d@firma.dk")], earlier, NIGHT, POLICY)
    assert plan == PagePlan(withheld={4: CUSTOMER_CAP})


def test_a_capped_sender_spends_no_one_elses_pages() -> None:
    earlier = [paged(stranger(1), 90), paged(stranger(2), 60)]
    waiting = [stranger(3), customer(4, "it@firma.dk"), stranger(5, "other@gmail.com")]
    plan = plan_page(waiting, earlier, NIGHT, POLICY)
    assert plan == PagePlan(page=[4, 5], withheld={3: SENDER_CAP})


def test_strangers_on_one_freemail_domain_are_not_one_customer() -> None:
    assert customer_key("A@gmail.com", None) != customer_key("b@gmail.com", None)
    assert customer_key("a@firma.dk", 7) == customer_key("b@firma.dk", 7)
    earlier = [paged(stranger(i, f"p{i}@gmail.com"), 60 - i) for i in range(5)]
    assert plan_page([stranger(9, "p9@gmail.com")], earlier, NIGHT, POLICY).page == [9]


def test_only_capped_cases_send_no_page_and_hold_nothing() -> None:
    earlier = [paged(stranger(1), 90), paged(stranger(2), 60)]
    plan = plan_page([stranger(3)], earlier, NIGHT, POLICY)
    assert plan.page == [] and plan.hold == [] and plan.withheld == {3: SENDER_CAP}
