"""review20: tune20's by-kind triage rules (issue 16, 1b0f034) reviewed on mail of our own.

Each group is a defect the review found in tune20's patterns, with the Danish of the
agreement it follows (driftsaftale-retningslinjer.da.txt; BR-8 "Alle er berørt", BR-9
"log-on problemer, password reset, mistanke om hack" and "Din computer melder om
systemfejl"). Every sentence is written for this file (none from a blind set); the
probes of tests/unit/probes/review20-2026-12-05.tsv hold more of the same, with how main
2a697a4 scored them. Only the hand-written rules are asked (triage_rules_only), so a rule
change is what each assertion measures.
"""

from __future__ import annotations

import pytest
from triage_rules_only import rule_of as _rule


# -- A lock told beside a course, a training or "for eksempel" ---------------------------
# tune20's newsletter/course cancel took any quote mark within 80 characters of the word,
# an apostrophe inside "pc'en" or "I'm" too, and the writer's own whereabouts ("Jeg er på
# kursus i Vejle") as the course that quotes the lock: a real lock-out was cancelled.
# BR-9: "log-on problemer" is critical wherever the writer sits.
@pytest.mark.parametrize("subject, body", [
    ("Låst", "Jeg er på kursus i Vejle, og skærmen siger 'Kontoen er låst'. Hvad gør jeg?"),
    ("Locked", "On the course today my laptop says my account is locked, so I'm just sitting "
               "here."),
    ("Locked", "Training starts at 9 and I'm locked out of my account, it says \"account "
               "locked\"."),
    ("Låst konto", "Min konto er låst alle steder, for eksempel siger Teams \"kontoen er låst\"."),
])
def test_a_lock_told_beside_a_course_or_an_example_is_critical(subject: str, body: str) -> None:
    assert _rule(subject, body) == "account_locked"


# -- The same cancel's words in their Danish and English inflections ---------------------
# tune20 wrote "artikel\w*", "eksempel\w*", "kursus\w*", "course", "example": "artiklen",
# "eksemplet", "kurser", "courses" were not read, and a lock quoted as an example there
# stayed critical (BR-9 needs someone locked out, not a message shown as an example).
@pytest.mark.parametrize("subject, body", [
    ("Artikel", "I artiklen om sikkerhed stod der \"kontoen bliver låst efter 5 forsøg\". Er det "
                "sådan hos os?"),
    ("Kurser", "På et af jeres kurser viste I beskeden \"Din konto er låst\". Kan vi få "
               "materialet?"),
    ("Eksempel", "Eksemplet i mailen var \"Your account has been locked\". Er det phishing?"),
    ("Courses", "In one of your courses you showed the message \"Your account has been "
                "locked\". Is the material online?"),
])
def test_a_lock_quoted_in_an_article_or_a_course_in_any_inflection_is_not_critical(
        subject: str, body: str) -> None:
    assert _rule(subject, body) is None


# -- "deres system": the other party must be named before it ----------------------------
# tune20 made "det er deres system" another's when a party word stood anywhere in the
# text: "kunderne venter" after it, or "bankafstemning" (bank\w*), took the colleagues'
# own log-on out of our IT. A pronoun's owner is named before it; BR-9 "log-on problemer"
# stands for the colleagues (tune20's decision, kept: "leverandørens portal ... Det er
# deres system" is still the supplier's).
@pytest.mark.parametrize("subject, body", [
    ("Login", "Mette og Jens kan ikke logge på. Det er deres system der siger at kontoen er "
              "låst, og kunderne venter."),
    ("Login", "Bogholderiet kan ikke logge på i dag. Det er deres system der siger at "
              "adgangskoden er forkert, og vi skal lave bankafstemning."),
    ("Login", "Peter and Sara cannot log in. It's their system that says the password is wrong, "
              "and the clients are waiting."),
])
def test_their_system_with_a_party_named_only_after_it_stays_ours(subject: str,
                                                                  body: str) -> None:
    assert _rule(subject, body) is not None


# -- An odd log-in "explained" by someone unknown ---------------------------------------
# tune20's _EXPLAINED_LOGIN read "var <word> der brugte min konto" as a colleague named:
# "der var nogen der brugte min konto", "there was someone using my mailbox" name nobody,
# they are the suspicion itself; "han har bekræftet at han ikke har sendt den" confirms the
# opposite. BR-9 "mistanke om hack".
@pytest.mark.parametrize("subject, body", [
    ("Hack", "Der var nogen der brugte min konto i nat fra en ukendt computer i Kina, er jeg "
             "blevet hacket?"),
    ("Hacked", "I think there was someone using my mailbox last night, have I been hacked?"),
    ("Hack", "Det ligner at der var en der brugte min mail i nat, er vi hacket?"),
    ("Hack", "Han har bekræftet at han ikke har sendt mailen, så er vi hacket?"),
    ("Hacked", "She confirmed she did not sign in, so have we been hacked?"),
])
def test_a_log_in_by_someone_unknown_is_no_explanation(subject: str, body: str) -> None:
    assert _rule(subject, body) is not None


# -- A leaver still in, told in Danish main-clause order --------------------------------
# tune20's leaver pattern read "stadig" before the verb ("at han stadig logger på"), the
# order of a subordinate clause; a main clause puts it after: "men hun logger stadig på",
# "han bruger stadig sin gamle konto", "han har stadig adgang". BR-9 "mistanke om hack":
# nobody should be in a leaver's account.
@pytest.mark.parametrize("subject, body", [
    ("Fratrådt", "Camilla stoppede i september, men hun logger stadig på CRM-systemet."),
    ("Tidligere ansat", "Jakob er fratrådt, men han bruger stadig sin gamle konto til at sende "
                        "tilbud."),
    ("Ole", "Ole har forladt firmaet, men han har stadig adgang og har hentet filer i går."),
])
def test_a_leaver_still_in_told_in_danish_word_order_is_critical(subject: str,
                                                                 body: str) -> None:
    assert _rule(subject, body) == "suspected_hack"


# -- "Everyone else" with the same fault ------------------------------------------------
# tune20 stopped reading "everyone else" and "alle andre" as everyone (the others are
# fine: one user), and read the others' same fault back only as "... either" within four
# words and "har samme problem": "everyone else in the office can't print either" (five
# words), "everyone else here has the same problem", "alle andre i huset oplever det
# samme" lost BR-8's "Alle er berørt", which the others' same fault says.
@pytest.mark.parametrize("subject, body", [
    ("Printer", "I can't print, and everyone else in the office can't print either."),
    ("Outlook", "Outlook won't open on my PC and everyone else here has the same problem."),
    ("Net", "Jeg har intet internet, og alle andre i huset oplever det samme."),
])
def test_everyone_else_with_the_same_fault_is_everyone(subject: str, body: str) -> None:
    assert _rule(subject, body) is not None


@pytest.mark.parametrize("subject, body", [
    ("Printer", "My laptop won't print, everyone else on the floor is fine."),
    ("Outlook", "Outlook won't open on my PC, but everyone else here has no problem."),
    ("Net", "Jeg har intet internet på min bærbar, men alle andre i huset har net."),
])
def test_everyone_else_fine_stays_one_user(subject: str, body: str) -> None:
    assert _rule(subject, body) is None


# -- "Severity: critical" read in a newsletter or an article ----------------------------
# tune20 read "severity: critical" anywhere as a monitoring alert's grade; a newsletter's
# or an article's patch so graded is no error the customer's computer reports (BR-9
# "Din computer melder om systemfejl"). An alert forwarded as such stays critical.
@pytest.mark.parametrize("subject, body", [
    ("Nyhedsbrev", "I jeres nyhedsbrev stod der en opdatering med severity: critical. Skal vi "
                   "selv gøre noget?"),
    ("Article", "In the article you sent, the patch has severity: critical. Do we need it?"),
])
def test_a_severity_read_in_a_newsletter_is_not_critical(subject: str, body: str) -> None:
    assert _rule(subject, body) is None


def test_a_forwarded_alert_s_severity_stays_critical() -> None:
    assert _rule("Fwd: alarm", "Se nedenfor.\n\nHost WEB02: disk errors. Severity: critical") \
        == "system_error"
