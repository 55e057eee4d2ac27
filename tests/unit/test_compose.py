"""Mail the daemon sends (INTERFACE.md): reference in Subject, own Message-ID domain,
In-Reply-To/References, Auto-Submitted; well-formed MIME; no header injection."""

from __future__ import annotations

import email
import email.policy
import re
import sys
from datetime import UTC, datetime
from decimal import Decimal
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daemon.domain.ack_policy import AckHours
from daemon.domain.billing import ONCALL_FEE
from daemon.mail import compose
from daemon.mail.render import TemplateRenderer
from daemon.settings import Settings

SETTINGS = Settings()
RENDERER = TemplateRenderer(SETTINGS.templates.dir)
MONDAY_10 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Copenhagen
SATURDAY = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
IN_HOURS = AckHours(outside_hours=False, closed_day=None, today=True, back_at=None)


def ack(subject: str = "Printeren på 2. sal", language: str = "da", **kw) -> EmailMessage:
    args = {
        "renderer": RENDERER, "support": SETTINGS.support, "case_number": 100042,
        "case_subject": subject, "language": language, "customer_name": "Søren Ørsted",
        "customer_addr": "soren@kunde.dk",
        "answered": compose.Answered("<orig@kunde.dk>", ["<older@kunde.dk>"]),
        "received_at": MONDAY_10, "review_due": MONDAY_10.replace(hour=10),
        "hours": IN_HOURS, "now": MONDAY_10,
    } | kw
    raw = compose.acknowledgement(**args).raw
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert not message.defects and all(not p.defects for p in message.walk())
    return message


def test_acknowledgement_headers() -> None:
    message = ack()
    assert message["Subject"] == "[OO#100042] Printeren på 2. sal"
    assert message["From"] == "OneOffice Support <support@oo.dk>"
    assert message["To"] == "soren@kunde.dk"
    assert message["Message-ID"].startswith("<oo.100042.")
    assert message["Message-ID"].endswith("@support.oo.dk>")
    assert message["In-Reply-To"] == "<orig@kunde.dk>"
    assert message["References"] == "<older@kunde.dk> <orig@kunde.dk>"
    assert message["Auto-Submitted"] == "auto-replied"


def test_danish_acknowledgement_in_hours() -> None:
    text = ack().get_body(("plain",)).get_content()
    assert text.splitlines()[0] == "Hej Søren,"  # by first name (issue 16)
    assert "supportsag 100042" in text and "[OO#100042]" in text
    assert "inden for en time" in text
    assert "+45 7021 1813" in text
    assert "vagten" not in text  # the on-call rule is for outside hours only


def test_english_acknowledgement_after_hours_names_the_oncall_rule() -> None:
    message = ack(language="en", received_at=SATURDAY,
                  review_due=datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
                  hours=AckHours(outside_hours=True, closed_day=None, today=True,
                                 back_at=datetime(2026, 11, 30, 7, 0, tzinfo=UTC)))
    text = message.get_body(("plain",)).get_content()
    assert text.splitlines()[0] == "Hi Søren,"
    flat = " ".join(text.split())  # as read, whatever the line breaks
    assert "by Monday 30 November at 09:00" in flat  # 08:00 UTC is 09:00 in Copenhagen
    assert "on-call duty" in flat and "DKK 1,000.00 + VAT" in flat  # BR-10, English figures
    html = message.get_body(("html",)).get_content()
    assert "<strong>[OO#100042]</strong>" in html


def test_customer_text_is_escaped_in_html_and_never_template_source() -> None:
    message = ack(subject="<script>alert(1)</script> {{ support.address }}",
                  customer_name="<b>Mallory</b>")
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>" not in html  # a name in markup is no first name: greeted "Hej,"
    text = message.get_body(("plain",)).get_content()
    assert "{{ support.address }}" in text  # shown as written, not evaluated


def test_answer_to_a_mail_without_message_id_has_no_thread_headers() -> None:
    message = ack(answered=compose.Answered(None, []))
    assert message["In-Reply-To"] is None and message["References"] is None


def test_non_ascii_message_ids_are_not_put_in_thread_headers() -> None:
    message = ack(answered=compose.Answered("<ø@kunde.dk>", ["<ok@kunde.dk>"]))
    assert message["In-Reply-To"] is None  # Exchange drops encoded ones


@pytest.mark.parametrize("value", ["a\r\nBcc: x@evil.example", "a\nX: y", "a\rb"])
def test_header_injection_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="line break"):
        compose.header_line("Subject", value)


@pytest.mark.parametrize(
    "value", ["[OO#1] " + "æøå " * 60, "x" * 300, "[OO#100042] " + "word " * 100, "Æ"]
)
def test_long_and_non_ascii_subjects_fold_and_round_trip(value: str) -> None:
    line = compose.header_line("Subject", value)
    assert all(len(part) <= 900 for part in line.split("\r\n"))
    parsed = email.message_from_bytes(line.encode() + b"\r\n\r\n", policy=email.policy.default)
    assert str(parsed["Subject"]) == value


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("1000.00", "1.000,00"),
        ("1234567.5", "1.234.567,50"),
        ("0", "0,00"),
        ("999.999", "1.000,00"),
    ],
)
def test_amounts_are_written_with_a_thousands_dot_and_a_decimal_comma(
    amount: str, text: str
) -> None:
    assert compose.amount_text(Decimal(amount)) == text


def test_the_ack_quotes_the_oncall_fee_that_billing_charges() -> None:
    # BR-10: the fee told to customers is the one staff add to a bill.
    assert compose.amount_text(ONCALL_FEE.amount) == "1.000,00"
    assert compose.amount_text(ONCALL_FEE.amount, "en") == "1,000.00"


_LINK_PIECES = [*"aw W.:/@-_()[]<>æøÅ🙈\u3000\t", "www.", "WWW.", "://", "http", "Ww"]
_LINKISH = st.lists(st.sampled_from(_LINK_PIECES), max_size=20).map("".join)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(_LINKISH, st.text(max_size=8)), max_size=4).map("".join))
def test_a_subject_without_link_marks_is_tidied_as_the_link_filter_tidies_it(text: str) -> None:
    """without_links skips the link regex when "@", "://" and "www." (any case) are all
    absent (ack24): the same text as running it."""
    found = compose._LINK.sub(" ", text)
    whole = compose._SPACES.sub(" ", compose._EMPTY_BRACKETS.sub(" ", found)).strip(" ")
    assert compose.without_links(text) == whole
    if not compose._may_hold_link(text):
        assert found == text


def test_the_link_filter_s_marks_match_only_themselves_in_any_case() -> None:
    """_may_hold_link's argument (ack24, review24a): each of _LINK's alternatives holds
    "://", "www." or "@" as literals, and under re.IGNORECASE no character but W matches
    its "w" (no fold as K has the Kelvin sign), nor anything but themselves its ":",
    "/", ".", "@". A text lacking all three in any case cannot hold a match."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    for mark, matches in [("w", "Ww"), (":", ":"), ("/", "/"), (".", "."), ("@", "@")]:
        assert sorted(re.findall(re.escape(mark), every, re.IGNORECASE)) == sorted(matches)


@pytest.mark.parametrize("subject", [
    "evil＠example.com", "http：//evil.example", "ｗｗｗ．evil.example", "http:\\\\evil.example",
    "WWW.EVIL.EXAMPLE", "ＷWW.evil.example", "www.blåbær.dk", "xn--blbr-roa5a.dk/x",
    "se =?utf-8?q?http:/?= =?utf-8?q?/evil.example?=", "brev til ops@\u200bevil.example",
])
def test_look_alike_links_are_filtered_as_the_regex_filters_them(subject: str) -> None:
    # Full-width, IDN and split forms: the short cut passes over what _LINK passes over
    # and filters what it filters (the regex's own reach is not changed here).
    found = compose._LINK.sub(" ", subject)
    whole = compose._SPACES.sub(" ", compose._EMPTY_BRACKETS.sub(" ", found)).strip(" ")
    assert compose.without_links(subject) == whole
