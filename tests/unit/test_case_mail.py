"""What a message on an existing case does to it (daemon/domain/case_mail.py), and the
reopen window it shares with threading (daemon/domain/case_threading.py)."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from daemon.domain.case_mail import (
    ReplyEffect,
    bounce_is_final,
    customer_reply_effect,
    staff_mail_delivery,
)
from daemon.domain.case_threading import within_reopen_window

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
WINDOW = timedelta(days=14)
SUPPORT, CUSTOMER = "support@oo.dk", "soren@kunde.dk"


def effect(
    status: str, closed_days_ago: float | None = None, *, routed: bool = False
) -> ReplyEffect:
    resolved = None if closed_days_ago is None else NOW - timedelta(days=closed_days_ago)
    return customer_reply_effect(status=status, resolved_at=resolved, routed_to_reopen=routed,
                                 now=NOW, reopen_within=WINDOW)


def test_reopen_window_includes_its_last_moment_and_no_later() -> None:
    assert within_reopen_window(NOW - WINDOW, NOW, WINDOW)
    assert not within_reopen_window(NOW - WINDOW - timedelta(seconds=1), NOW, WINDOW)
    assert within_reopen_window(None, NOW, WINDOW)  # closed with no close time


def test_reply_to_case_closed_within_window_reopens_it() -> None:
    assert effect("closed", 3) is ReplyEffect.REOPEN


def test_reply_to_case_closed_too_long_ago_leaves_it_closed() -> None:
    assert effect("closed", 30) is ReplyEffect.NONE


def test_reply_routed_to_reopen_reopens_even_if_status_read_differently() -> None:
    # routing saw it closed; the step decides on the row as it is now
    assert effect("resolved", 1, routed=True) is ReplyEffect.REOPEN


def test_reply_wakes_a_waiting_case_and_leaves_an_open_one() -> None:
    assert effect("waiting") is ReplyEffect.WAKE
    assert effect("open") is ReplyEffect.NONE
    assert effect("new") is ReplyEffect.NONE


def deliver(*, to: list[str], cc: list[str] | None = None, internal: bool = False,
            has_text: bool = True):  # type: ignore[no-untyped-def]
    return staff_mail_delivery(internal=internal, has_text=has_text, support_address=SUPPORT,
                               customer_address=CUSTOMER, to=to, cc=cc or [])


def test_staff_mail_to_support_with_words_is_relayed() -> None:
    got = deliver(to=[SUPPORT])
    assert (got.relay, got.customer_has_it, got.to_customer) == (True, False, True)


def test_staff_mail_to_customer_with_support_in_cc_is_only_recorded() -> None:
    got = deliver(to=[CUSTOMER], cc=[SUPPORT])
    assert (got.relay, got.customer_has_it, got.to_customer) == (False, True, True)


def test_internal_note_or_commands_only_are_never_sent() -> None:
    assert not deliver(to=[SUPPORT], internal=True).to_customer
    assert not deliver(to=[SUPPORT], internal=True).relay
    assert not deliver(to=[SUPPORT], has_text=False).relay


def test_relay_rule_compares_addresses_without_case() -> None:
    got = staff_mail_delivery(internal=False, has_text=True, support_address="Support@OO.dk",
                              customer_address="Soren@Kunde.dk", to=[SUPPORT], cc=[CUSTOMER])
    assert (got.relay, got.customer_has_it) == (False, True)


@given(st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_law_never_relayed_to_a_customer_who_has_it_or_when_internal(
    internal: bool, has_text: bool, support_in_to: bool, customer_in_cc: bool
) -> None:
    got = deliver(to=[SUPPORT] if support_in_to else ["tech@oo.dk"],
                  cc=[CUSTOMER] if customer_in_cc else [], internal=internal, has_text=has_text)
    if internal or customer_in_cc or not has_text:
        assert not got.relay
    assert got.to_customer == (not internal and has_text and (got.relay or customer_in_cc))


def test_only_a_final_failure_marks_a_bounce() -> None:
    assert bounce_is_final("failed", None)
    assert bounce_is_final(None, "5.1.1")
    assert not bounce_is_final("delayed", "4.4.7")
    assert not bounce_is_final("delivered", "2.0.0")
    assert not bounce_is_final(None, None)
