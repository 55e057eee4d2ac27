"""Acks cannot be weaponised (domain/ack_policy.py, compose.greeting_name), and what
they say about our hours (ack_hours: BR-4, BR-5, BR-7)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from daemon.domain.ack_policy import (
    AckHours,
    AckLimits,
    AcksSent,
    ack_hours,
    fold_address,
    forged_sender,
    rate_limited,
    spam_verdict,
)
from daemon.domain.business_calendar import BusinessCalendar
from daemon.mail.compose import GREETING_NAME_CHARS, greeting_name, without_links

LIMITS = AckLimits(per_address=5, per_domain=20, total=200)


@pytest.mark.parametrize(
    ("address", "folded"),
    [
        ("bo@firma.dk", "bo@firma.dk"),
        ("Bo+1@Firma.DK", "bo@firma.dk"),
        ("bo+a+b@firma.dk", "bo@firma.dk"),
        ("+x@firma.dk", "@firma.dk"),
    ],
)
def test_sub_addresses_fold_into_their_mailbox(address: str, folded: str) -> None:
    assert fold_address(address) == folded


def test_sub_address_variants_share_the_per_address_limit() -> None:
    sent = AcksSent()
    given = 0
    for n in range(20):
        if rate_limited(f"same+{n}@firma.dk", sent, LIMITS) is None:
            sent.count(f"same+{n}@firma.dk")
            given += 1
    assert given == 5


def test_per_domain_and_total_limits() -> None:
    sent = AcksSent.of(f"user{n}@firma.dk" for n in range(20))
    assert rate_limited("new@firma.dk", sent, LIMITS) == "rate limit: 20 an hour to firma.dk"
    assert rate_limited("new@andet.dk", sent, LIMITS) is None
    sent = AcksSent.of(f"user@firma{n}.dk" for n in range(200))
    assert rate_limited("new@ny.dk", sent, LIMITS) == "rate limit: 200 an hour in all"


@pytest.mark.parametrize(
    ("headers", "spam"),
    [
        ({"X-Spam-Flag": ["YES"]}, True),
        ({"X-Spam-Flag": [" yes "]}, True),
        ({"X-Spam-Flag": ["NO"]}, False),
        ({"X-Spam-Status": ["Yes, score=12.1"]}, True),
        ({}, False),
    ],
)
def test_spam_verdict_of_the_border_mta(headers: dict[str, list[str]], spam: bool) -> None:
    verdicts = {"X-Spam-Flag": "YES", "X-Spam-Status": "yes"}
    lowered = {k.lower(): v for k, v in headers.items()}
    found = spam_verdict(lambda name: lowered.get(name.lower(), []), verdicts)
    assert (found is not None) is spam


@pytest.mark.parametrize(
    ("name", "greeted"),
    [
        ("Søren Hansen", "Søren Hansen"),
        ("J. Hansen", "J. Hansen"),
        ("Bo (http://evil.example/x) Jensen", "Bo Jensen"),
        ("Mette www.spam.ru/abc Nielsen", "Mette Nielsen"),
        ("Vind penge på evil.example nu", "Vind penge på nu"),
        ("bo@firma.dk", ""),
        ("https://evil.example", ""),
    ],
)
def test_greeting_name_has_no_links(name: str, greeted: str) -> None:
    assert greeting_name(name) == greeted


def test_greeting_name_is_capped() -> None:
    name = "Claim your prize " * 300
    greeted = greeting_name(name)
    assert len(greeted) <= GREETING_NAME_CHARS + 1 and greeted.endswith("…")


def test_subject_keeps_host_names_but_loses_urls() -> None:
    assert without_links("Server dc01.firma.local er nede") == "Server dc01.firma.local er nede"
    assert without_links("Se https://evil.example/x nu") == "Se nu"


TRUSTED = ["mx.oo.dk"]


@pytest.mark.parametrize(
    ("results", "disowned"),
    [
        ("mx.oo.dk; dmarc=fail (p=reject dis=none) header.from=bank.example", True),
        ("mx.oo.dk; dmarc=fail action=quarantine header.from=bank.example", True),
        ("mx.oo.dk; dmarc=fail action=oreject header.from=bank.example", True),
        ("mx.oo.dk; spf=fail smtp.mailfrom=ceo@bank.example", True),
        # p=none: the owner asks for nothing; a softfail is no verdict.
        ("mx.oo.dk; dmarc=fail (p=none) header.from=bank.example", False),
        ("mx.oo.dk; spf=softfail smtp.mailfrom=bank.example", False),
        # About another domain, or written by someone we do not trust.
        ("mx.oo.dk; dmarc=fail (p=reject) header.from=other.example", False),
        ("evil.example; dmarc=fail (p=reject) header.from=bank.example", False),
        ("mx.oo.dk; dmarc=pass header.from=bank.example", False),
    ],
)
def test_no_ack_when_our_border_says_the_domain_disowns_the_mail(
    results: str, disowned: bool
) -> None:
    trace = [("authentication-results", results)]
    assert (forged_sender("ceo@bank.example", trace, TRUSTED) is not None) is disowned


# --- what an ack says about hours (ack_hours; BR-4, BR-5, BR-7) -------------------
# Wall-calendar facts: Easter Sunday 2026 is 5 April; Whit Monday 25 May; 24 and 31
# December 2026 are Thursdays; DST starts Sun 29 March and ends Sun 25 October 2026.
CAL = BusinessCalendar()
CPH = ZoneInfo("Europe/Copenhagen")


def cph(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=CPH)


@pytest.mark.parametrize(
    ("received", "danish", "english", "back"),
    [
        # Thursday 10:00 on skærtorsdag: closed until Tuesday after Easter (CEST).
        (cph(2026, 4, 2, 10), "skærtorsdag", "Maundy Thursday", "2026-04-07T08:00:00+02:00"),
        (cph(2026, 12, 24, 10), "juleaftensdag", "Christmas Eve", "2026-12-28T08:00:00+01:00"),
        (cph(2026, 12, 31, 10), "nytårsaftensdag", "New Year's Eve",
         "2027-01-04T08:00:00+01:00"),
        (cph(2026, 5, 25, 10), "anden pinsedag", "Whit Monday", "2026-05-26T08:00:00+02:00"),
        (cph(2026, 5, 14, 9), "Kristi himmelfartsdag", "Ascension Day",
         "2026-05-15T08:00:00+02:00"),
    ],
)
def test_on_a_closed_day_the_ack_names_it_and_when_we_are_back(
    received: datetime, danish: str, english: str, back: str
) -> None:
    for language, name in (("da", danish), ("en", english)):
        hours = ack_hours(CAL, received, received, language)  # type: ignore[arg-type]
        assert hours.outside_hours and hours.today
        assert hours.closed_day == name
        assert hours.back_at is not None and hours.back_at.isoformat() == back


@pytest.mark.parametrize(
    ("received", "back"),
    [
        # A Friday after closing, the weekend the clocks go forward: back Monday CEST.
        (cph(2026, 3, 27, 15, 30), "2026-03-30T08:00:00+02:00"),
        # ... and the weekend they go back: Monday 08:00 is CET again.
        (cph(2026, 10, 23, 16), "2026-10-26T08:00:00+01:00"),
        # An ordinary evening and a Saturday.
        (cph(2026, 11, 23, 16), "2026-11-24T08:00:00+01:00"),
        (cph(2026, 11, 28, 10), "2026-11-30T08:00:00+01:00"),
        # The evening before Easter: an ordinary evening, but back only on Tuesday.
        (cph(2026, 4, 1, 17), "2026-04-07T08:00:00+02:00"),
    ],
)
def test_on_an_ordinary_evening_or_weekend_the_ack_says_when_we_are_back(
    received: datetime, back: str
) -> None:
    hours = ack_hours(CAL, received, received, "da")
    assert hours.outside_hours and hours.closed_day is None  # the generic hours
    assert hours.back_at is not None and hours.back_at.isoformat() == back


def test_in_hours_there_is_nothing_to_say_about_hours() -> None:
    hours = ack_hours(CAL, cph(2026, 11, 23, 10), cph(2026, 11, 23, 10), "da")
    assert hours == AckHours(outside_hours=False, closed_day=None, today=True, back_at=None)
    # Friday 14:59 is open, 15:00 is not (BR-4).
    assert not ack_hours(CAL, cph(2026, 11, 27, 14, 59), cph(2026, 11, 27, 15), "da").outside_hours
    assert ack_hours(CAL, cph(2026, 11, 27, 15), cph(2026, 11, 27, 15), "da").outside_hours


def test_an_ack_sent_the_day_after_does_not_say_today() -> None:
    # Received skærtorsdag 23:50, acknowledged after midnight (langfredag).
    hours = ack_hours(CAL, cph(2026, 4, 2, 23, 50), cph(2026, 4, 3, 0, 10), "da")
    assert hours.closed_day == "skærtorsdag" and not hours.today


def test_a_closure_without_a_name_is_still_a_closed_day() -> None:
    calendar = BusinessCalendar(extra_closed=frozenset({date(2026, 11, 27)}))  # a Friday
    hours = ack_hours(calendar, cph(2026, 11, 27, 10), cph(2026, 11, 27, 10), "en")
    assert hours.closed_day == "" and hours.back_at == cph(2026, 11, 30, 8)


def test_acks_counted_by_stored_address_add_up_as_one_by_one() -> None:
    # The database counts the acks per address as stored (issue 18); the limits fold
    # case and +tags here, so "Bo@", "bo+x@" and "bo@" still share one mailbox's count.
    sent = ["Bo@Firma.dk", "bo+x@firma.dk", "bo@firma.dk", "ib@firma.dk", "ib@andet.dk",
            "Bo@Firma.dk"]
    stored = {address: sent.count(address) for address in sent}
    assert AcksSent.counted(stored.items()) == AcksSent.of(sent)
    assert AcksSent.counted(stored.items()).by_address["bo@firma.dk"] == 4


def test_an_internationalised_domain_in_either_form_is_one_mailbox_and_domain() -> None:
    """redteam25a: bo@blåbær.dk and bo@xn--blbr-roah.dk are one mailbox; counted apart,
    each spelling had limits of its own."""
    from daemon.domain.ack_policy import AcksSent, fold_address

    assert fold_address("Bo+x@XN--BLBR-ROAH.DK") == fold_address("bo@blåbær.dk")
    sent = AcksSent.counted([("bo@blåbær.dk", 3), ("lone@xn--blbr-roah.dk", 2)])
    assert sent.by_domain == {"blåbær.dk": 5}
