"""Whom an ack greets (domain/greeting.py): the first name, or nobody (issue 16: "Hej
<fornavn>," and "Hej," when there is no usable name)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daemon.domain.greeting import first_name


@pytest.mark.parametrize(
    ("display_name", "greeted"),
    [
        # Given name first, the usual case.
        ("Andreas Müller", "Andreas"),
        ("Søren Ørsted", "Søren"),
        ("Anne-Mette Hansen", "Anne-Mette"),
        ("O'Neil Smith", "O'Neil"),
        ("Andreas", "Andreas"),
        ("Max", "Max"),
        ("Anders Post", "Anders"),  # a surname that is also a word
        ("Иван Петров", "Иван"),
        # Surname first, with a comma.
        ("Müller, Andreas", "Andreas"),
        ("Ørsted, Søren Bo", "Søren"),
        ("van der Berg, Jan", "Jan"),
        # A comma before a title or a company is not surname first.
        ("Søren Hansen, IT-chef", "Søren"),
        ("Andreas Müller, Info", "Andreas"),
        # Decision: a surname in capitals before the given name.
        ("MÜLLER Andreas", "Andreas"),
        ("ANDREAS MÜLLER", "Andreas"),
        ("ANNE-METTE HANSEN", "Anne-Mette"),
        ("MÜLLER andreas", "Andreas"),
        ("NOVO", ""),  # one word in capitals: as likely a company
        # Decision: lower case.
        ("andreas müller", "Andreas"),
        ("jhansen", ""),  # a user name
        # Quoted names and nicknames.
        ('"Andreas Müller"', "Andreas"),
        ("'Andreas Müller'", "Andreas"),
        ('"Müller, Andreas"', "Andreas"),
        ("“Andreas Müller”", "Andreas"),
        ('Andreas "Andy" Müller', "Andreas"),
        ('"Andreas Müller" via Teams', "Andreas"),
        # Comments and separators.
        ("Søren (IT)", "Søren"),
        ("Andreas Müller [Firma]", "Andreas"),
        ("Andreas Müller | Firma ApS", "Andreas"),
        ("Andreas Müller - IT", "Andreas"),
        ("Andreas Müller / OneOffice", "Andreas"),
        # Titles go; a title with a surname alone is no first name.
        ("Dr. Andreas Müller", "Andreas"),
        ("Hr. Hansen", ""),
        ("Fru Jensen", ""),
        # Initials are not names.
        ("J. Hansen", ""),
        ("J Hansen", ""),
        # Addresses, roles, departments, systems, companies: nobody to greet.
        ("bo@firma.dk", ""),
        ("andreas.muller@firma.dk", ""),
        ("IT Afdelingen", ""),
        ("IT-afdelingen", ""),
        ("Økonomiafdelingen", ""),
        ("noreply", ""),
        ("No-Reply", ""),
        ("Info", ""),
        ("info", ""),
        ("Support", ""),
        ("Support via Zendesk", ""),
        ("Kontoret", ""),
        ("Bogholderi", ""),
        ("Firma ApS", ""),
        ("Kunde A/S", ""),
        ("Müller GmbH", ""),
        ("Microsoft Outlook", ""),
        ("Bruger 12", ""),
        ("Ole2 Hansen", ""),
        # CJK names: greeted whole (family name first, nothing to split on).
        ("山田太郎", "山田太郎"),
        ("山田 太郎", "山田 太郎"),
        ("山田\u3000太郎", "山田\u3000太郎"),  # the ideographic space kept
        ("김민준", "김민준"),
        ("王伟", "王伟"),
        ("やまだ たろう", "やまだ たろう"),
        # Nothing.
        ("", ""),
        ("   ", ""),
        ('""', ""),
    ],
)
def test_first_name(display_name: str, greeted: str) -> None:
    assert first_name(display_name) == greeted


@given(st.text(max_size=80))
def test_a_greeting_never_invents_a_name(text: str) -> None:
    # Law: what is greeted was written, in that order (a subsequence: comments, quotes
    # and titles may go), up to letter case ("ANDREAS MÜLLER" -> "Andreas"); on one
    # line, with no @.
    greeted = first_name(text)
    assert "\n" not in greeted and "\r" not in greeted and "@" not in greeted

    def folded(s: str) -> str:
        return "".join(unicodedata.normalize("NFKC", s).casefold().split())

    written = iter(folded(text))
    assert all(char in written for char in folded(greeted))
