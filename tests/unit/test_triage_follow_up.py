"""A customer's reply on a case that is not critical: what in it makes the case
critical (BR-7..BR-10: at night that pages the on-call duty), and what is old news."""

from __future__ import annotations

import pytest

from daemon.domain.triage import classify
from daemon.domain.triage.follow_up import follow_up_verdict, same_headline, without_signature

CASE = "Printeren driller"

# Replies a real customer writes on an open case, none of them a new emergency. Each
# was critical when a reply was judged as a new mail (its subject and all its text).
CALM = [
    ("SV: [OO#100001] Ingen kan logge på", "Tak for svaret, hvornår kommer I?",
     "Ingen kan logge på"),  # the case's own subject, judged (and overruled) before
    ("SV: [OO#100001] Hack?", "Tak for svaret.", "Hack?"),
    ("SV: [OO#100001] Printeren driller", "I går kunne ingen logge på, nu virker det.", CASE),
    ("Re: [OO#100001] Printeren driller",
     "It was hacked last year, now a new question: how do I add a printer?", CASE),
    ("SV: [OO#100001] Printeren driller",
     "Tak for hjælpen.\n\n-- \nMed venlig hilsen\nJens\n"
     "Pas på phishing: Mistænker du hacking, ring 7021 1813.", CASE),
    ("SV: [OO#100001] Printeren driller",
     "Tak.\n\nMed venlig hilsen\nJens Hansen\nKunde A/S\n"
     "Advarsel: Mistanke om hacking? Kontakt IT.", CASE),
    ("Re: [OO#100001] Printeren driller",
     "Thanks.\n\nKind regards\nJens\nReport suspected phishing or hacking attempts to IT.",
     CASE),
]

# News: these make the case critical.
NEWS = [
    ("SV: [OO#100001] Printeren driller", "Nu kan ingen logge på, vi er blevet hacket!"),
    ("Re: [OO#100001] Printeren driller", "Now nobody in the office can log in."),
    ("SV: [OO#100001] Printeren driller", "Min konto er låst."),
    ("SV: [OO#100001] Printeren driller", "Printeren virker igen. Nu kan ingen logge på!"),
    ("SV: [OO#100001] Printeren driller", "Det virker igen, men nu kan ingen logge på"),
    ("SV: [OO#100001] Printeren driller", "Ingen kan logge på nu."),  # present, not over
    ("SV: [OO#100001] Printeren driller", "Vi blev hacket i nat, alle mails er væk."),
    ("Nu er vi blevet hacket!", "Ring venligst."),  # a subject of its own is news
    ("SV: [OO#100001] Ingen kan logge på", "Det er værre nu: vi er blevet hacket."),
]


@pytest.mark.parametrize(("subject", "said", "case_subject"), CALM)
def test_old_news_in_a_reply_does_not_make_the_case_critical(
    subject: str, said: str, case_subject: str
) -> None:
    assert classify(subject, said).critical  # what judging it as a new mail said
    verdict = follow_up_verdict(subject, said, case_subject)
    assert not verdict.critical, verdict.reason


@pytest.mark.parametrize(("subject", "said"), NEWS)
def test_news_in_a_reply_makes_the_case_critical(subject: str, said: str) -> None:
    verdict = follow_up_verdict(subject, said, CASE if "Ingen" not in subject else
                                "Ingen kan logge på")
    assert verdict.critical, verdict.reason


def test_the_case_subject_matches_under_reply_prefixes_and_case_tags() -> None:
    assert same_headline("SV: RE: [OO#100001] Printeren driller", CASE)
    assert same_headline("Re: Printeren  driller", "[OO#100001] Printeren driller")
    assert not same_headline("SV: Nu er vi hacket", CASE)


def test_a_signature_is_cut_at_its_delimiter_or_closing_line() -> None:
    assert without_signature("Tak.\n-- \nJens\nhacking") == "Tak.\n"
    assert without_signature("Tak.\nMvh Jens\nhacking") == "Tak.\n"
    assert without_signature("Hilsenen var pæn. Ingen kan logge på.") == (
        "Hilsenen var pæn. Ingen kan logge på.")


def test_a_reply_reopening_a_critical_case_counts_its_subject_unless_it_says_it_is_over() -> None:
    subject, case_subject = "SV: [OO#100001] Ingen kan logge på", "Ingen kan logge på"
    back = follow_up_verdict(subject, "Det virker stadig ikke!", case_subject,
                             subject_is_news=True)
    assert back.critical, back.reason
    over = follow_up_verdict(subject, "Tak for hjælpen, alt virker igen.", case_subject,
                             subject_is_news=True)
    assert not over.critical, over.reason


def test_a_year_named_is_no_sign_of_the_past() -> None:
    # "i 2026" may be this year: the fault in the same sentence is judged.
    verdict = follow_up_verdict("SV: [OO#100001] Printeren driller",
                                "Licensen blev fornyet i 2026, og nu kan ingen logge på.", CASE)
    assert verdict.critical, verdict.reason
