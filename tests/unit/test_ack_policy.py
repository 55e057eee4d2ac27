"""Acks cannot be weaponised (domain/ack_policy.py, compose.greeting_name)."""

from __future__ import annotations

import pytest

from daemon.domain.ack_policy import (
    AckLimits,
    AcksSent,
    fold_address,
    forged_sender,
    rate_limited,
    spam_verdict,
)
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
