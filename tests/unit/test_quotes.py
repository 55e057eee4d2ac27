"""Only the new part of a reply is shown and relayed (quoted-reply stripping)."""

import re
import sys
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daemon.mail import quotes
from daemon.mail.quotes import new_text

OUTLOOK_DA = """\
Hej Jens

Printeren virker nu igen, tak for hjælpen.

Med venlig hilsen
Mette Sørensen
Økonomi, Firma A/S

Fra: OneOffice Support <support@oo.dk>
Sendt: 3. juni 2024 10:15
Til: Mette Sørensen <mette@firma.dk>
Emne: [OO#100042] Printer virker ikke

Hej Mette

Vi har modtaget din henvendelse og vender tilbage hurtigst muligt.

Med venlig hilsen
OneOffice Support
"""

OUTLOOK_DA_SEPARATOR = """\
Det er stadig galt på 2. sal.

Mvh Mette

________________________________
Fra: OneOffice Support <support@oo.dk>
Sendt: mandag den 3. juni 2024 10:15
Til: Mette Sørensen <mette@firma.dk>
Cc: Jens Hansen <jens@firma.dk>
Emne: SV: [OO#100042] Printer virker ikke

Hej Mette, virker den nu?
"""

OUTLOOK_DA_HTML_AS_TEXT = """\
Svar her.

*Fra:* OneOffice Support <support@oo.dk>
*Sendt:* 3. juni 2024 10:15
*Til:* Mette Sørensen <mette@firma.dk>
*Emne:* [OO#100042] Printer virker ikke

Gammel tekst.
"""

OPRINDELIG = """\
Vedhæftet er skærmbilledet.

-----Oprindelig meddelelse-----
Fra: OneOffice Support [mailto:support@oo.dk]
Sendt: 3. juni 2024 10:15
Til: Mette Sørensen
Emne: [OO#100042] Printer virker ikke

Kan du sende et skærmbillede?
"""

GMAIL_DA = """\
Tak, det virker nu.

Venlig hilsen
Peter

Den man. 3. jun. 2024 kl. 10.15 skrev OneOffice Support <support@oo.dk>:

> Hej Peter
>
> Vi har modtaget din henvendelse.
"""

# Gmail wraps a long attribution line in the plain-text part.
GMAIL_DA_WRAPPED = """\
Tak, det virker nu.

Den man. 3. jun. 2024 kl. 10.15 skrev OneOffice Support Afdelingen <
support@oo.dk>:

> Hej Peter
>
> Vi har modtaget din henvendelse.
"""

GMAIL_EN = """\
Thanks, that fixed it.

Best,
Anna

On Mon, Jun 3, 2024 at 10:15 AM OneOffice Support <support@oo.dk> wrote:

> Hello Anna,
>
> We have received your request.
>
"""

OUTLOOK_EN = """\
Still broken after the restart.

Regards,
John

-----Original Message-----
From: OneOffice Support <support@oo.dk>
Sent: Monday, June 3, 2024 10:15 AM
To: John Smith <john@example.com>
Subject: [OO#100042] Printer

Please restart the printer.
"""

OUTLOOK_EN_NEW = """\
Done, see the log:

    ERROR 42: tray 2 jammed
    ERROR 43: paper out

John

From: OneOffice Support <support@oo.dk>
Sent: Monday, June 3, 2024 10:15 AM
To: John Smith <john@example.com>
Subject: RE: [OO#100042] Printer

Please send the log.
"""

APPLE_MAIL = """\
Works now, thank you.

Sent from my iPhone

> On 3 Jun 2024, at 10:15, OneOffice Support <support@oo.dk> wrote:
>
> Hello, we have received your request.
"""


def test_danish_outlook_reply_keeps_the_new_text_and_the_signature() -> None:
    assert new_text(OUTLOOK_DA) == (
        "Hej Jens\n\nPrinteren virker nu igen, tak for hjælpen.\n\n"
        "Med venlig hilsen\nMette Sørensen\nØkonomi, Firma A/S"
    )


def test_danish_outlook_reply_below_an_underscore_line() -> None:
    assert new_text(OUTLOOK_DA_SEPARATOR) == "Det er stadig galt på 2. sal.\n\nMvh Mette"


def test_danish_outlook_headers_in_bold_from_html() -> None:
    assert new_text(OUTLOOK_DA_HTML_AS_TEXT) == "Svar her."


def test_danish_original_message_separator() -> None:
    assert new_text(OPRINDELIG) == "Vedhæftet er skærmbilledet."


def test_danish_gmail_reply() -> None:
    assert new_text(GMAIL_DA) == "Tak, det virker nu.\n\nVenlig hilsen\nPeter"


def test_danish_gmail_reply_with_a_wrapped_attribution_line() -> None:
    assert new_text(GMAIL_DA_WRAPPED) == "Tak, det virker nu."


def test_english_gmail_reply() -> None:
    assert new_text(GMAIL_EN) == "Thanks, that fixed it.\n\nBest,\nAnna"


def test_english_outlook_reply_with_original_message_separator() -> None:
    assert new_text(OUTLOOK_EN) == "Still broken after the restart.\n\nRegards,\nJohn"


def test_english_outlook_reply_keeps_indentation_of_the_new_text() -> None:
    assert new_text(OUTLOOK_EN_NEW) == (
        "Done, see the log:\n\n    ERROR 42: tray 2 jammed\n    ERROR 43: paper out\n\nJohn"
    )


def test_apple_mail_reply_keeps_sent_from_my_iphone() -> None:
    assert new_text(APPLE_MAIL) == "Works now, thank you.\n\nSent from my iPhone"


def test_quote_lines_without_an_attribution_are_removed() -> None:
    assert new_text("My answer.\n\n> Hello\n> We received your request.\n") == "My answer."


def test_bottom_posted_reply_keeps_only_the_text_below_the_quote() -> None:
    body = (
        "On Mon, Jun 3, 2024 at 10:15 AM Support <support@oo.dk> wrote:\n"
        "> Hello\n> We received your request.\n\nMy answer below.\n"
    )
    assert new_text(body) == "My answer below."


def test_inline_answers_keep_the_questions_they_answer() -> None:
    body = "> Which printer?\nHP 4050\n> Which floor?\nThird.\n\n> Regards, Support\n"
    assert new_text(body) == "> Which printer?\nHP 4050\n> Which floor?\nThird."


def test_a_message_without_a_quote_is_unchanged() -> None:
    body = "Hej\n\nMin printer på 2. sal virker ikke.\n\n-- \nJens Jensen\nFirma A/S"
    assert new_text(body) == body


def test_a_signature_is_kept() -> None:
    body = "Problemet er løst.\n\n--\nMette Sørensen\nTlf. 12 34 56 78"
    assert new_text(body) == body


def test_a_message_that_is_only_a_quote_is_returned_whole() -> None:
    body = "> Hej Mette\n>\n> Vi har modtaget din henvendelse.\n"
    assert new_text(body) == body.strip()


def test_a_message_that_is_only_reply_headers_is_returned_whole() -> None:
    body = "Fra: OneOffice Support <support@oo.dk>\nSendt: 3. juni 2024\nTil: Mette\nEmne: x\n"
    assert new_text(body) == body.strip()


def test_old_text_below_a_leading_reply_header_is_not_taken_for_new_text() -> None:
    # Outlook quotes without ">": all of this is history, none of it new.
    body = OUTLOOK_DA[OUTLOOK_DA.index("Fra:") :]
    assert new_text(body) == body.strip()


def test_staff_commands_at_the_top_survive_and_the_history_goes() -> None:
    body = "#status closed\n#time 30\n\n" + OUTLOOK_DA[OUTLOOK_DA.index("Fra:") :]
    assert new_text(body) == "#status closed\n#time 30"


def test_crlf_line_endings_are_read() -> None:
    assert new_text(OUTLOOK_DA_SEPARATOR.replace("\n", "\r\n")) == (
        "Det er stadig galt på 2. sal.\n\nMvh Mette"
    )


def test_prose_that_looks_like_a_wrapped_attribution_is_kept() -> None:
    body = "Den 3. juni skrev jeg\ntil jer om det:\n\nPrinteren er stadig i stykker."
    assert new_text(body) == body


def test_an_empty_body_stays_empty() -> None:
    assert new_text("") == ""
    assert new_text(" \n\n ") == ""


@given(st.text())
def test_a_body_with_text_never_comes_back_empty(body: str) -> None:
    result = new_text(body)
    assert bool(result) == bool(body.strip())


def test_a_quote_beyond_what_the_library_reads_loses_no_new_text() -> None:
    new = "\n".join(f"log line {number}" for number in range(3000))
    body = f"{new}\n\nOn Mon, Jun 3, 2024 at 10:15 AM Support <support@oo.dk> wrote:\n> old\n"
    result = new_text(body)
    assert result.startswith(new)


def test_a_huge_line_starting_with_on_is_read_quickly() -> None:
    # The library's "On ... wrote:" pattern is quadratic in such a line: unbounded,
    # this input would take minutes.
    started = time.perf_counter()
    assert new_text("On " + "a b " * 50_000) == ("On " + "a b " * 50_000).strip()
    assert time.perf_counter() - started < 5


# Issue 18 (worker18): whether a body might hold a quote is asked in parts, not as
# one regex; the answer must be the regex's on any text.
_ONE_REGEX = re.compile(
    r"^[ \t]*>|^[ \t]*[-_=*]{4,}|^[ \t]*\**(?:fra|from|sendt|sent|til|to|emne|subject|date|"
    r"dato|von|de|van|cc)\**[ \t]*:|wrote|skrev|schrieb|écrit|escribió|geschreven|kirjoitti|"
    r"scrisse|napisał|написал|寫道|写道|에 작성|さんは書きました|오전|오후",
    re.IGNORECASE | re.MULTILINE,
)
# The pieces it is made of, in other cases and with the characters the regex folds
# apart from lower(): what could tell the two ways apart if anything does.
_PIECES = st.sampled_from([
    "\n", " ", "\t", ">", "-", "_", "=", "*", ":", "Fra", "FROM", "sEnDt", "To", "cc", "Emne",
    "WROTE", "wrote", "Skrev", "SCHRIEB", "ÉCRIT", "escribiÓ", "Geschreven", "KIRJOITTI",
    "Scrisse", "NAPISAŁ", "НАПИСАЛ", "написал", "寫道", "写道", "에 작성", "さんは書きました",
    "오전", "오후", "\u0130", "\u0131", "\u017f", "\u1c83", "\u212a", "kırjoıttı", "ſkrev",
    "napiᲃал", "naпиᲃал", "напиᲃал", "K", "x", "æøå", "Σ", "\r",
])


@given(st.lists(_PIECES, max_size=12).map("".join) | st.text())
def test_the_quote_question_in_parts_answers_as_the_one_regex(text: str) -> None:
    assert quotes._might_quote(text) == (_ONE_REGEX.search(text) is not None)


def test_the_characters_lower_does_not_fold_as_the_regex_does_are_listed() -> None:
    # Over every code point: which characters IGNORECASE matches to a letter of the
    # attribution words whose lower() is not that letter. Those must send a text to
    # the regex itself.
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    apart = set()
    for letter in set("".join(quotes._ATTRIBUTION_WORDS)):
        apart |= {c for c in re.findall(re.escape(letter), every, re.I) if c.lower() != letter}
    assert apart == set(quotes._FOLDED_APART)


def test_the_reply_is_found_without_searching_signatures_or_disclaimers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Nothing here reads the library's signatures and disclaimers; their searches of
    # every reply were ~0.4 of new_text's time (issue 18, worker24).
    from mailparser_reply.parser import EmailMessage

    def searched(self: object) -> re.Pattern[str]:
        raise AssertionError("signatures or disclaimers searched")

    monkeypatch.setattr(EmailMessage, "DISCLAIMERS_REGEX", property(searched))
    monkeypatch.setattr(EmailMessage, "SIGNATURE_REGEX", property(searched))
    said = new_text(OUTLOOK_DA)
    assert said.startswith("Hej Jens") and "Mette Sørensen\nØkonomi" in said
    assert "Vi har modtaget" not in said


ACK = "Hej Søren,\n\nTak for din henvendelse. Vi har oprettet den som supportsag 100001.\n"


@pytest.mark.parametrize(
    ("body", "new"),
    [
        ("Fungerar fortfarande inte.\n\nFrån: OneOffice Support <support@oo.dk>\n"
         "Skickat: den 4 december 2026 18:00\nTill: Bo\nÄmne: [OO#100001] Printer\n\n" + ACK,
         "Fungerar fortfarande inte."),
        ("Geht nicht.\n\nVon: OneOffice Support <support@oo.dk>\n"
         "Gesendet: Freitag, 4. Dezember 2026 18:00\nAn: Bo\nBetreff: [OO#100001] Printer\n\n"
         + ACK, "Geht nicht."),
        ("Geht immer noch nicht.\n\nAm Fr., 4. Dez. 2026 um 18:00 Uhr schrieb OneOffice "
         "Support <support@oo.dk>:\n\n> " + ACK.replace("\n", "\n> "), "Geht immer noch nicht."),
        ("Vi har et problem. An: dette er ikke en header.\nTil: alle medarbejdere",
         "Vi har et problem. An: dette er ikke en header.\nTil: alle medarbejdere"),
    ],
)
def test_swedish_and_german_replies_lose_the_quoted_ack(body: str, new: str) -> None:
    # Customers' Swedish and German Outlook and Gmail (issue 15's senders): the quoted
    # ack stayed under the reply, for staff to read through on every message.
    assert new_text(body) == new


@pytest.mark.parametrize(
    ("separator", "header"),
    [("-------- Oprindelig meddelelse --------", "Fra: OneOffice Support <support@oo.dk>\n"
      "Dato: 04-12-2026 18:00 (GMT+01:00)\nTil: bo@kunde.dk\nEmne: [OO#100001] Printer"),
     ("-----Ursprüngliche Nachricht-----", "Von: OneOffice Support <support@oo.dk>\n"
      "Gesendet: Freitag, 4. Dezember 2026 18:00\nAn: Bo\nBetreff: [OO#100001] Printer")],
)
def test_a_separator_line_above_a_removed_header_goes_with_it(separator: str, header: str) -> None:
    # Samsung's Android mail and German Outlook: the header block went, its
    # separator line stayed at the end of what staff read.
    body = f"Den virker stadig ikke.\n\n{separator}\n{header}\n\n{ACK}"
    assert new_text(body) == "Den virker stadig ikke."
    kept = "Se loggen:\n-----BEGIN LOG-----\nfejl 42\n-----END LOG-----"
    assert new_text(kept) == kept  # not a reply's leftover: text of its own
