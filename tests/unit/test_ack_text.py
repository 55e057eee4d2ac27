"""What the acknowledgement promises (issue 16), read off the rendered mail at fixed
instants, Danish and English, text and HTML:

- after hours: the on-call fee for a non-critical call *and* the 100 % surcharge on
  all work started after hours (BR-10, BR-16);
- a phone case's ack confirms the call and never asks to call (BR-2);
- on a holiday or 24/31 December: the day by name and when we are back (BR-5); on an
  ordinary evening or weekend the hours and when we are back;
- "du" throughout, "Hej <fornavn>," / "Hi <first name>,", "Hej," / "Hello,".

Wall-calendar facts: Easter Sunday 2026 is 5 April; Whit Monday 25 May; 24 and 31
December 2026 are Thursdays; DST starts Sun 29 March and ends Sun 25 October 2026.
"""

from __future__ import annotations

import email
import email.policy
import html as html_lib
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest

from daemon.domain import sla
from daemon.domain.ack_policy import ack_hours
from daemon.domain.business_calendar import BusinessCalendar
from daemon.domain.language import Language
from daemon.mail import compose
from daemon.mail.render import TemplateRenderer
from daemon.settings import Settings

SETTINGS = Settings()
RENDERER = TemplateRenderer(SETTINGS.templates.dir)
CAL = BusinessCalendar()
CPH = ZoneInfo("Europe/Copenhagen")
PHONE = SETTINGS.support.phone  # +45 7021 1813, also the on-call number (BR-1)


def cph(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=CPH)


MONDAY_10 = cph(2026, 11, 23, 10)  # in hours
MONDAY_EVENING = cph(2026, 11, 23, 19)
SKAERTORSDAG_10 = cph(2026, 4, 2, 10)
CHRISTMAS_EVE = cph(2026, 12, 24, 10)


@dataclass(frozen=True)
class Ack:
    subject: str
    text: str  # the plain-text part
    html: str  # the HTML part
    html_text: str  # what the HTML part reads as, without tags

    @property
    def both(self) -> tuple[str, str]:
        """Each part as read: white space (line breaks included) as single spaces."""
        return " ".join(self.text.split()), " ".join(self.html_text.split())


def ack(
    received: datetime,
    language: Language = "da",
    *,
    channel: str = "email",
    critical: bool = False,
    name: str = "Andreas Müller",
    calendar: BusinessCalendar = CAL,
) -> Ack:
    raw = compose.acknowledgement(
        renderer=RENDERER,
        support=SETTINGS.support,
        case_number=100042,
        case_subject="Printeren virker ikke",
        language=language,
        customer_name=name,
        customer_addr="am@kunde.dk",
        answered=compose.Answered("<orig@kunde.dk>", []),
        received_at=received,
        review_due=sla.review_due(received, critical, calendar),
        hours=ack_hours(calendar, received, received, language),
        now=received,
        channel=channel,
        critical=critical,
    ).raw
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    shown = html_lib.unescape(re.sub(r"<[^>]+>", " ", html))
    return Ack(str(message["Subject"]), text, html, shown)


LANGUAGES: list[Language] = ["da", "en"]
FEE = {
    "da": "et opkald til vagten, der ikke er driftskritisk, koster et gebyr på 1.000,00 kr. + moms",
    # English sentences, English figures: "1.000,00" reads as one krone to an English reader.
    "en": "a call to the on-call duty that is not critical costs a fee of DKK 1,000.00 + VAT",
}
SURCHARGE = {
    "da": "alt arbejde, vi sætter i gang uden for normal arbejdstid, afregnes med 100 % tillæg "
    "på timeprisen, uanset opgave og supportaftale",
    "en": "all work we start outside normal working hours is billed with a 100% surcharge on "
    "the hourly rate, whatever the task and the support agreement",
}
GENERIC_HOURS = {"da": "mandag-torsdag 8-16", "en": "Monday-Thursday 8-16"}


def _has(part: str, sentence: str) -> bool:
    return sentence.lower() in part.lower()  # a sentence may start a paragraph


# --- 1. after hours: both costs, briefly (BR-10, BR-16) ---------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("received", [MONDAY_EVENING, SKAERTORSDAG_10, cph(2026, 11, 28, 10)])
def test_after_hours_the_ack_names_the_oncall_fee_and_the_surcharge(
    language: Language, received: datetime
) -> None:
    found = ack(received, language)
    for part in found.both:
        assert _has(part, FEE[language]) and _has(part, SURCHARGE[language])
        # What the on-call duty is for, with the critical example, as before.
        assert PHONE in part
        assert ("kan ingen logge på" if language == "da" else "nobody can log on") in part


@pytest.mark.parametrize("language", LANGUAGES)
def test_in_hours_the_ack_names_no_cost_and_no_oncall_duty(language: Language) -> None:
    found = ack(MONDAY_10, language)
    for part in found.both:
        assert not _has(part, FEE[language]) and not _has(part, SURCHARGE[language])
        assert ("vagten" if language == "da" else "on-call") not in part
        assert ("inden for en time" if language == "da" else "within one hour") in part
        assert PHONE in part  # "Haster det, kan du ringe til os på ..."


def test_the_ack_keeps_its_facts() -> None:
    found = ack(MONDAY_EVENING)
    assert found.subject == "[OO#100042] Printeren virker ikke"
    text, html = found.both
    for part in (text, html):
        assert "supportsag 100042" in part and "[OO#100042]" in part
        assert "Emne: Printeren virker ikke" in part
        assert "Modtaget: mandag 23.11. kl. 19:00" in part
        # BR-7: due one hour after the next opening.
        assert "senest tirsdag 24.11. kl. 09:00" in part


# --- 2. phone cases: a confirmation of the call, never an instruction to call ------

PHONE_INSTANTS = [MONDAY_10, MONDAY_EVENING, SKAERTORSDAG_10, cph(2026, 11, 28, 3)]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("received", PHONE_INSTANTS)
@pytest.mark.parametrize("critical", [False, True])
def test_a_phone_ack_confirms_the_call_and_never_asks_to_call(
    language: Language, received: datetime, critical: bool
) -> None:
    found = ack(received, language, channel="phone", critical=critical)
    assert found.subject.startswith("[OO#100042] ")
    for part in found.both:
        if language == "da":
            assert "Tak for din opringning. Vi har oprettet sag [OO#100042]" in part
            assert not re.search(r"\bring(e)? til\b|\bringer\b", part)
            assert "vagten på" not in part and "tast 2" not in part
        else:
            assert "Thank you for your call. We have registered it as case [OO#100042]" in part
            assert not re.search(r"\bcall (us|the on-call)\b|\bcall on\b", part)
            assert "press 2" not in part
        assert PHONE not in part and PHONE.replace(" ", "") not in part.replace(" ", "")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_phone_ack_after_hours_says_what_the_call_may_cost(language: Language) -> None:
    # A non-critical call to the on-call duty: the fee and the surcharge (BR-10, BR-16).
    for part in ack(MONDAY_EVENING, language, channel="phone").both:
        assert _has(part, FEE[language]) and _has(part, SURCHARGE[language])
    # A critical one: no fee (BR-10), but the work is still billed with the surcharge.
    for part in ack(MONDAY_EVENING, language, channel="phone", critical=True).both:
        assert not _has(part, FEE[language]) and _has(part, SURCHARGE[language])
    # In hours: neither.
    for part in ack(MONDAY_10, language, channel="phone").both:
        assert not _has(part, FEE[language]) and not _has(part, SURCHARGE[language])


def test_a_phone_ack_keeps_the_review_promise() -> None:
    text, html = ack(MONDAY_10, channel="phone").both
    assert "Opkald: mandag 23.11. kl. 10:00" in text and "Opkald: mandag 23.11. kl. 10:00" in html
    assert "inden for en time" in text and "inden for en time" in html


# --- 3. holidays and 24/31 December: named, and when we are back (BR-5) ------------


@pytest.mark.parametrize(
    ("received", "danish", "english"),
    [
        (SKAERTORSDAG_10,
         "I dag er det skærtorsdag, og vi holder lukket. Vi er tilbage tirsdag 7.4. kl. 08:00.",
         "Today is Maundy Thursday, and we are closed. We are back on Tuesday 7 April at 08:00."),
        (CHRISTMAS_EVE,
         "I dag er det juleaftensdag, og vi holder lukket. Vi er tilbage mandag 28.12. kl. 08:00.",
         "Today is Christmas Eve, and we are closed. We are back on Monday 28 December at 08:00."),
        (cph(2026, 12, 31, 10),
         "I dag er det nytårsaftensdag, og vi holder lukket. Vi er tilbage mandag 4.1. kl. 08:00.",
         "Today is New Year's Eve, and we are closed. We are back on Monday 4 January at 08:00."),
        (cph(2026, 5, 25, 11),
         "I dag er det anden pinsedag, og vi holder lukket. Vi er tilbage tirsdag 26.5. kl. 08:00.",
         "Today is Whit Monday, and we are closed. We are back on Tuesday 26 May at 08:00."),
    ],
)
def test_on_a_holiday_the_ack_names_it_and_says_when_we_are_back(
    received: datetime, danish: str, english: str
) -> None:
    for language, sentence in (("da", danish), ("en", english)):
        found = ack(received, language)  # type: ignore[arg-type]
        for part in found.both:
            assert sentence in part
            assert GENERIC_HOURS[language] not in part  # not the generic hours


@pytest.mark.parametrize(
    ("received", "danish", "english"),
    [
        # Friday after closing, the weekend the clocks go forward and back (08:00 local).
        (cph(2026, 3, 27, 15, 30), "Vi er tilbage mandag 30.3. kl. 08:00.",
         "We are back on Monday 30 March at 08:00."),
        (cph(2026, 10, 23, 16), "Vi er tilbage mandag 26.10. kl. 08:00.",
         "We are back on Monday 26 October at 08:00."),
        (MONDAY_EVENING, "Vi er tilbage tirsdag 24.11. kl. 08:00.",
         "We are back on Tuesday 24 November at 08:00."),
        # The evening before Easter is an ordinary evening, but we are back on Tuesday.
        (cph(2026, 4, 1, 17), "Vi er tilbage tirsdag 7.4. kl. 08:00.",
         "We are back on Tuesday 7 April at 08:00."),
    ],
)
def test_on_an_ordinary_evening_or_weekend_the_ack_gives_the_hours_and_when_we_are_back(
    received: datetime, danish: str, english: str
) -> None:
    for language, sentence in (("da", danish), ("en", english)):
        for part in ack(received, language).both:  # type: ignore[arg-type]
            assert sentence in part and GENERIC_HOURS[language] in part  # type: ignore[index]


def test_a_phone_ack_on_a_holiday_names_it_too() -> None:
    text, html = ack(CHRISTMAS_EVE, channel="phone").both
    for part in (text, html):
        assert "I dag er det juleaftensdag, og vi holder lukket." in part
        assert "Vi er tilbage mandag 28.12. kl. 08:00." in part


def test_a_critical_case_after_hours_is_not_told_to_wait_until_we_are_back() -> None:
    # The on-call duty takes it now (BR-7): reviewed within the hour, on the wall clock.
    text, _html = ack(SKAERTORSDAG_10, critical=True).both
    assert "I dag er det skærtorsdag" in text and "Vi er tilbage" not in text
    assert "inden for en time" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_critical_case_in_the_night_the_clocks_go_forward_is_reviewed_within_the_hour(
    language: Language,
) -> None:
    """01:30 on Sunday 29 March 2026 (CET): the hour runs on the wall clock (BR-7) and
    ends at 03:30 CEST, one real hour later. Subtracted as local wall times the two
    are two hours apart, and the ack said "senest søndag 29.3. kl. 03:30" instead."""
    received = cph(2026, 3, 29, 1, 30)
    text, html = ack(received, language, critical=True).both
    within = {"da": "inden for en time", "en": "within one hour"}[language]
    assert within in text and within in html
    assert "03:30" not in text


# --- 4. one form of address, and a natural greeting -------------------------------

# "I" (to the company), "jer", "De"/"Dem"/"Deres" (formal) must not appear; "I dag"
# (today) is not the pronoun.
_NOT_DU = re.compile(r"\bI\b(?! dag)|\b(?:jer|jeres|De|Dem|Deres|Kære)\b")


@pytest.mark.parametrize("channel", ["email", "phone"])
@pytest.mark.parametrize("critical", [False, True])
@pytest.mark.parametrize(
    "received", [MONDAY_10, MONDAY_EVENING, SKAERTORSDAG_10, CHRISTMAS_EVE]
)
def test_the_danish_ack_says_du_throughout(
    channel: str, critical: bool, received: datetime
) -> None:
    found = ack(received, "da", channel=channel, critical=critical)
    for part in found.both:
        assert not _NOT_DU.search(part), _NOT_DU.search(part)
    assert re.search(r"\b(du|din|dit)\b", found.text)


@pytest.mark.parametrize(
    ("name", "danish", "english"),
    [
        ("Andreas Müller", "Hej Andreas,", "Hi Andreas,"),
        ("Müller, Andreas", "Hej Andreas,", "Hi Andreas,"),
        ("山田太郎", "Hej 山田太郎,", "Hi 山田太郎,"),
        ("IT Afdelingen", "Hej,", "Hello,"),
        ("noreply", "Hej,", "Hello,"),
        ("am@kunde.dk", "Hej,", "Hello,"),
        ("", "Hej,", "Hello,"),
    ],
)
def test_the_greeting_is_by_first_name_or_without_a_name(
    name: str, danish: str, english: str
) -> None:
    for language, greeting in (("da", danish), ("en", english)):
        found = ack(MONDAY_10, language, name=name)  # type: ignore[arg-type]
        assert found.text.splitlines()[0] == greeting
        assert f"<p>{greeting}</p>" in found.html


def test_the_relayed_staff_reply_addresses_nobody_formally() -> None:
    # The footer the daemon adds to a staff member's answer (reply.txt.j2).
    reply = compose.staff_reply(
        renderer=RENDERER, support=SETTINGS.support, case_number=100042,
        case_subject="Printeren", staff_name="Tina", staff_email="tina@oo.dk",
        body="Hej Andreas\n\nPrinteren virker igen.", customer_addr="am@kunde.dk",
        answered=None, language="da", now=MONDAY_10,
    )
    footer = reply.body_text.split("Printeren virker igen.", 1)[1]
    assert not _NOT_DU.search(footer)
