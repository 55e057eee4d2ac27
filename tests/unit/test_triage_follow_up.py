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


def test_the_verdicts_worked_out_ahead_choose_what_follow_up_verdict_says() -> None:
    """Issue 18: a parsing worker works out a reply's two possible verdicts
    (reply_verdicts); the daemon, which learns the case, chooses (chosen) without
    holding the rules. The choice is follow_up_verdict's, for every case subject."""
    from benchmarks.corpus import generate
    from daemon.domain.triage import default_rules
    from daemon.domain.triage.follow_up import chosen, reply_rules, reply_verdicts
    from daemon.domain.triage.learned import NAME as LEARNED_RULE
    from daemon.mail.parse import parse

    rules = reply_rules(default_rules())
    assert reply_rules(default_rules()) is rules  # one tuple: its scanner is found again
    critical = 0
    for raw in generate(300, seed=3):
        parsed = parse(raw)
        subject, said = parsed.subject or "", parsed.body_text or ""
        ahead = reply_verdicts(subject, said, rules)
        # A worker judges with its own rules, the learned model too; what counts is the
        # same, since the model's verdict is no news (conversation.py: a rule's only).
        in_worker = reply_verdicts(subject, said, default_rules())
        for case_subject in (subject.removeprefix("SV: "), "Printer", ""):
            for news in (False, True):
                want = follow_up_verdict(subject, said, case_subject, rules,
                                         subject_is_news=news)
                assert chosen(ahead, subject, case_subject, subject_is_news=news) == want
                got = chosen(in_worker, subject, case_subject, subject_is_news=news)
                assert (got.critical and got.rule != LEARNED_RULE) == want.critical
                critical += want.critical
    assert critical > 0


def test_a_worker_judges_a_mail_that_may_be_a_reply_ahead_and_no_other() -> None:
    from datetime import UTC, datetime

    from daemon.domain.triage import default_rules
    from daemon.inbound import InboundMail
    from daemon.reading import ReadingRules, read, worked_out_ahead

    rules = ReadingRules("support@oo.dk", "oo.dk", {}, ("oneoffice.dk",), ())

    def ahead(headers: str) -> object:
        raw = (f"From: bo@kunde.dk\r\nTo: support@oo.dk\r\n{headers}\r\n"
               "Nu kan ingen af os logge på.\r\n").encode()
        mail = InboundMail(raw, "smtp", datetime(2026, 12, 4, 10, tzinfo=UTC))
        return worked_out_ahead(read(mail, rules), default_rules()).reply_verdicts

    replies = [ahead("Subject: SV: [OO#100001] Printer\r\n"),
               ahead("Subject: Printer\r\nIn-Reply-To: <a@oo.dk>\r\n"),
               ahead("Subject: Printer\r\nReferences: <a@oo.dk>\r\n")]
    assert all(verdicts is not None and verdicts.without_subject.critical
               for verdicts in replies)
    assert ahead("Subject: Printer\r\n") is None  # a new case's triage is its own
