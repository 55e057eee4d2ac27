"""review20: tune20's by-kind triage rules (issue 16, 1b0f034) reviewed on mail of our own.

Each group is a defect the review found in tune20's patterns, with the Danish of the
agreement it follows (driftsaftale-retningslinjer.da.txt; BR-8 "Alle er berørt", BR-9
"log-on problemer, password reset, mistanke om hack" and "Din computer melder om
systemfejl"). Every sentence is written for this file (none from a blind set); the
probes of tests/unit/probes/review20-2026-12-05.tsv hold more of the same, with how main
2a697a4 scored them. Only the hand-written rules are asked (triage_rules_only), so a rule
change is what each assertion measures; each row failed on main 2a697a4.
"""

from __future__ import annotations

import pytest
from triage_rules_only import rule_of as _rule


@pytest.mark.parametrize("subject, body, rule", [
    # A lock told beside a course, a training or "for eksempel". tune20's newsletter/course
    # cancel took any quote mark within 80 characters of the word, an apostrophe inside
    # "pc'en" or "I'm" too, and the writer's own whereabouts ("Jeg er på kursus i Vejle")
    # as the course that quotes the lock. BR-9 "log-on problemer" wherever the writer sits.
    ("Låst", "Jeg er på kursus i Vejle, og skærmen siger 'Kontoen er låst'. Hvad gør jeg?",
     "account_locked"),
    ("Locked", "On the course today my laptop says my account is locked, so I'm just sitting "
               "here.", "account_locked"),
    ("Locked", "Training starts at 9 and I'm locked out of my account, it says \"account "
               "locked\".", "account_locked"),
    ("Låst konto", "Min konto er låst alle steder, for eksempel siger Teams \"kontoen er låst\".",
     "account_locked"),
    # "deres system": the other party must be named before it. tune20 made it another's when
    # a party word stood anywhere ("kunderne venter" after it, "bankafstemning" by bank\w*).
    # A pronoun's owner is named before it; BR-9 "log-on problemer" for the colleagues.
    ("Login", "Mette og Jens kan ikke logge på. Det er deres system der siger at kontoen er "
              "låst, og kunderne venter.", "account_locked"),
    ("Login", "Bogholderiet kan ikke logge på i dag. Det er deres system der siger at "
              "adgangskoden er forkert, og vi skal lave bankafstemning.", "password_not_working"),
    ("Login", "Peter and Sara cannot log in. It's their system that says the password is wrong, "
              "and the clients are waiting.", "password_not_working"),
    # An odd log-in "explained" by someone unknown. tune20's _EXPLAINED_LOGIN read "var
    # <word> der brugte min konto" as a colleague named: "nogen", "someone" name nobody, they
    # are the suspicion itself; "han har bekræftet at han ikke ..." confirms the opposite.
    # BR-9 "mistanke om hack".
    ("Hack", "Der var nogen der brugte min konto i nat fra en ukendt computer i Kina, er jeg "
             "blevet hacket?", "suspected_hack"),
    ("Hacked", "I think there was someone using my mailbox last night, have I been hacked?",
     "suspected_hack"),
    ("Hack", "Det ligner at der var en der brugte min mail i nat, er vi hacket?",
     "suspected_hack"),
    ("Hack", "Han har bekræftet at han ikke har sendt mailen, så er vi hacket?",
     "suspected_hack"),
    ("Hacked", "She confirmed she did not sign in, so have we been hacked?", "suspected_hack"),
    # A leaver still in, told in Danish main-clause order. tune20 read "stadig" before the
    # verb ("at han stadig logger på", a subordinate clause); a main clause puts it after.
    # BR-9 "mistanke om hack": nobody should be in a leaver's account.
    ("Fratrådt", "Camilla stoppede i september, men hun logger stadig på CRM-systemet.",
     "suspected_hack"),
    ("Tidligere ansat", "Jakob er fratrådt, men han bruger stadig sin gamle konto til at sende "
                        "tilbud.", "suspected_hack"),
    ("Ole", "Ole har forladt firmaet, men han har stadig adgang og har hentet filer i går.",
     "suspected_hack"),
    # "Everyone else" with the same fault. tune20 stopped reading "everyone else"/"alle
    # andre" as everyone (the others fine: one user) and read the others' same fault back
    # only as "... either" within four words and "har samme problem". BR-8 "Alle er berørt".
    ("Printer", "I can't print, and everyone else in the office can't print either.",
     "printing_down_everyone"),
    ("Outlook", "Outlook won't open on my PC and everyone else here has the same problem.",
     "it_solution_down_everyone"),
    ("Net", "Jeg har intet internet, og alle andre i huset oplever det samme.",
     "internet_down_everyone"),
])
def test_the_defects_found_in_tune20_s_rules_are_critical(subject: str, body: str,
                                                          rule: str) -> None:
    assert _rule(subject, body) == rule


@pytest.mark.parametrize("subject, body", [
    # The newsletter/course cancel's words in their inflections: tune20 wrote "artikel\w*",
    # "eksempel\w*", "kursus\w*", "course"; "artiklen", "eksemplet", "kurser", "courses"
    # were not read (BR-9 needs someone locked out, not a message shown as an example).
    ("Artikel", "I artiklen om sikkerhed stod der \"kontoen bliver låst efter 5 forsøg\". Er det "
                "sådan hos os?"),
    ("Kurser", "På et af jeres kurser viste I beskeden \"Din konto er låst\". Kan vi få "
               "materialet?"),
    ("Eksempel", "Eksemplet i mailen var \"Your account has been locked\". Er det phishing?"),
    ("Courses", "In one of your courses you showed the message \"Your account has been "
                "locked\". Is the material online?"),
    # "Severity: critical" read in a newsletter or an article: no error the customer's
    # computer reports (BR-9 "Din computer melder om systemfejl").
    ("Nyhedsbrev", "I jeres nyhedsbrev stod der en opdatering med severity: critical. Skal vi "
                   "selv gøre noget?"),
    ("Article", "In the article you sent, the patch has severity: critical. Do we need it?"),
])
def test_the_false_alarms_found_in_tune20_s_rules_are_not_critical(subject: str,
                                                                   body: str) -> None:
    assert _rule(subject, body) is None


@pytest.mark.parametrize("subject, body, rule", [
    # Near-misses of the fixes, of the other class (these passed on main too).
    ("Printer", "My laptop won't print, everyone else on the floor is fine.", None),
    ("Outlook", "Outlook won't open on my PC, but everyone else here has no problem.", None),
    ("Net", "Jeg har intet internet på min bærbar, men alle andre i huset har net.", None),
    ("Fwd: alarm", "Se nedenfor.\n\nHost WEB02: disk errors. Severity: critical",
     "system_error"),
])
def test_the_fixes_near_misses_keep_their_verdict(subject: str, body: str,
                                                   rule: str | None) -> None:
    assert _rule(subject, body) == rule
