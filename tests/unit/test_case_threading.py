"""Threading and anti-hijack rules."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from daemon.domain.case_threading import (
    CaseView,
    Route,
    participants,
    staff_names_two_cases,
    thread,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
WINDOW = timedelta(days=14)


def case(
    status: str = "open", resolved_days_ago: int | None = None, registered: bool = True
) -> CaseView:
    return CaseView(
        id=1, number=100001, status=status, customer_email="soren@kunde.dk",
        customer_domain="kunde.dk",
        resolved_at=NOW - timedelta(days=resolved_days_ago) if resolved_days_ago else None,
        participants=participants(["soren@kunde.dk", "it@kunde.dk", "partner@other.dk"]),
        registered_customer=registered,
    )


def route(sender: str, *, staff: bool = False, headers=None, tag=None) -> Route:
    return thread(sender=sender, is_staff=staff, by_headers=headers, by_tag=tag, now=NOW,
                  reopen_within=WINDOW).route


def test_no_reference_is_a_new_case() -> None:
    assert route("soren@kunde.dk") is Route.NEW


def test_tag_joins_for_customer_colleague_participant_and_staff() -> None:
    assert route("soren@kunde.dk", tag=case()) is Route.JOIN
    assert route("colleague@kunde.dk", tag=case()) is Route.JOIN  # the customer's domain
    assert route("partner@other.dk", tag=case()) is Route.JOIN  # seen in Cc on the case
    assert route("tech@oo.dk", staff=True, tag=case()) is Route.JOIN


def test_stranger_quoting_a_tag_gets_a_new_case() -> None:
    result = thread(sender="mallory@evil.example", is_staff=False, by_headers=None,
                    by_tag=case(), now=NOW, reopen_within=WINDOW)
    assert result.route is Route.NEW and result.case is None


def test_headers_join_for_those_who_belong_to_the_case_only() -> None:
    """A leaked Message-ID is no key: a stranger answering it gets a new case, also
    when the case is closed (no reopening someone else's case)."""
    assert route("soren@kunde.dk", headers=case()) is Route.JOIN
    assert route("colleague@kunde.dk", headers=case()) is Route.JOIN
    assert route("partner@other.dk", headers=case()) is Route.JOIN
    assert route("tech@oo.dk", staff=True, headers=case()) is Route.JOIN
    assert route("someone@else.dk", headers=case()) is Route.NEW
    assert route("someone@else.dk", headers=case("closed", resolved_days_ago=1)) is Route.NEW
    # On a freemail (unregistered) domain, a "colleague" is any stranger.
    assert route("colleague@kunde.dk", headers=case(registered=False)) is Route.NEW


def test_an_ambiguous_sender_never_joins_by_domain() -> None:
    def ambiguous(sender: str, **named: CaseView) -> Route:
        return thread(sender=sender, is_staff=False, now=NOW, reopen_within=WINDOW,
                      sender_ambiguous=True, by_headers=named.get("headers"),
                      by_tag=named.get("tag")).route

    assert ambiguous("colleague@kunde.dk", tag=case()) is Route.NEW
    assert ambiguous("colleague@kunde.dk", headers=case()) is Route.NEW
    assert ambiguous("soren@kunde.dk", tag=case()) is Route.JOIN  # a participant still is


def test_closed_case_reopens_within_window_else_new_linked_case() -> None:
    assert route("soren@kunde.dk", tag=case("closed", resolved_days_ago=3)) is Route.REOPEN
    assert route("soren@kunde.dk", tag=case("closed", resolved_days_ago=20)) is Route.NEW_LINKED
    result = thread(sender="soren@kunde.dk", is_staff=False, by_headers=None,
                    by_tag=case("closed", resolved_days_ago=20), now=NOW, reopen_within=WINDOW)
    assert result.case is not None and result.case.number == 100001


def test_staff_writing_on_a_closed_case_does_not_reopen_it() -> None:
    assert route("tech@oo.dk", staff=True, tag=case("closed", 3)) is Route.JOIN


def test_domain_rule_only_for_registered_customers() -> None:
    """On a freemail domain a "colleague" is any stranger: they get a new case."""
    unregistered = case(registered=False)
    assert route("colleague@kunde.dk", tag=unregistered) is Route.NEW
    assert route("soren@kunde.dk", tag=unregistered) is Route.JOIN  # still a participant


def test_a_staff_mail_naming_two_cases_is_refused_with_both_numbers() -> None:
    """Red team 24a: In-Reply-To to one case, a subject reference to another. A staff
    mail is relayed and its commands bill, so it is held back, not guessed (INTERFACE.md
    "Staff by email")."""
    one = case()
    other = replace(one, id=2, number=100002, customer_email="mette@andet.dk")
    assert staff_names_two_cases(one, one) is None
    assert staff_names_two_cases(one, None) is None and staff_names_two_cases(None, one) is None
    reason = staff_names_two_cases(one, other)
    assert reason is not None and "100001" in reason and "100002" in reason
    # A reply to a long-closed case opened a new case linked to it, for the same
    # customer, whose mails keep the old reference: the headers win as for anyone.
    linked = replace(one, id=3, number=100003, customer_email="Soren@Kunde.dk")
    assert staff_names_two_cases(linked, one) is None


def test_a_colleagues_case_linked_to_the_one_the_subject_names_is_no_conflict() -> None:
    """review24b: the linked case may be a colleague's (a registered customer's domain
    joins the old case): opened from the subject's case, so the headers win. The other
    way round (an old mail answered, the subject naming the newer case) is still held."""
    old = case()
    colleague = replace(old, id=3, number=100003, customer_email="mette@kunde.dk",
                        linked_case_id=old.id)
    assert staff_names_two_cases(colleague, old) is None
    assert staff_names_two_cases(old, colleague) is not None
    unlinked = replace(colleague, linked_case_id=None)
    assert staff_names_two_cases(unlinked, old) is not None
