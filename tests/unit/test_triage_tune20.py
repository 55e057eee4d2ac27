"""Triage rules fixed by kind after blind19/blind20 were measured (issue 16, tune20).

The kinds (BR-8 "Alle er berørt", BR-9 "log-on problemer, password reset, mistanke om
hack" and "Din computer melder om systemfejl", by the Danish original): a server's disk
alarm by host name and drive letter; a lock quoted from the screen after a colon; a lock
back again in a reply above our quoted unlock; a leaver's account still used; the sign-in
code that never arrives; "ingen kan" / "nobody can" as everyone, not as a negation. And
as not critical: an odd log-in the writer explains as their own or a colleague's; "alle
andre printer fint" (the others are fine: one user); BitLocker asked about with nothing
locked; a lock message quoted in a newsletter or a course; a room or a key nobody can get
into; a bank's portal; a payment terminal or access cards of another's with our IT fine
(the model is not asked). And the "deres system" decision: another's only when the text
names that other party or a site of theirs.

Every sentence is written for this file (none taken from a blind set); each kind has its
near-misses of the other class. Only the hand-written rules are asked unless a test says
otherwise, so a rule change is what each assertion measures.
"""

from __future__ import annotations

import pytest
from triage_rules_only import rule_of as _rule

from daemon.domain.triage.learned import asked_about, judged_text


@pytest.mark.parametrize("subject, body, rule", [
    # A server's disk by host name and letter, as the monitoring alert writes it (BR-9).
    ("VS: overvågning", "Fik denne i nat:\n\nALERT: FILSRV02 D: 97% used (3 GB free).",
     "system_error"),
    ("Alarm", "Overvågningen skriver: \"SRV-DC1 C: 96 % brugt\". Skal I gøre noget?",
     "system_error"),
    ("Fwd: alert", "See below.\n\nHost APP03 reports a problem. Severity: Critical",
     "system_error"),
    # The lock quoted from the screen after a colon, a room named beside it (BR-9).
    ("Låst", "Skærmen siger: \"Den refererede konto er i øjeblikket låst og kan muligvis ikke "
             "logges på.\" Det er på kontoret i Odense, brugeren er Kim.", "account_locked"),
    ("Spærret", "Pc'en viser: 'Brugerens konto er spærret'. Hun sidder i lokalet ved "
                "receptionen.", "account_locked"),
    ("Locked", "The screen says: \"The referenced account is currently locked out and may not "
               "be logged on to.\" This is at the office in Vejle.", "account_locked"),
    # Locked again, above our quoted unlock (the new text reports it back).
    ("SV: Låst konto", "Nu er den låst igen! Jeg har ikke rørt noget.\n\n> Hej Bente, vi har "
                       "låst din konto op. Du kan logge på igen.", "account_locked"),
    ("RE: Account locked", "Morning, it is locked again, same message as yesterday.\n\n> Your "
                           "account is unlocked. Please try again.", "account_locked"),
    ("SV: Spærret konto", "Den er spærret igen i dag.\n\n> Vi har låst kontoen op.",
     "account_locked"),
    # A leaver's account still used (BR-9 "mistanke om hack").
    ("Gammel medarbejder", "Mette stoppede hos os i august, men i går blev der sendt mails fra "
                           "hendes konto til vores kunder. Det skal stoppes.", "suspected_hack"),
    ("Former employee", "A driver who left us last month still logs in to the booking system "
                        "with his account, we saw it in the log today.", "suspected_hack"),
    ("Fratrådt", "Henrik er fratrådt per 1. oktober, men i nat har der været ændret filer i hans "
                 "navn på fællesdrevet.", "suspected_hack"),
    # The sign-in code that never arrives (BR-9 "log-on problemer").
    ("Ingen kode", "Jeg prøver at logge på Outlook, men sms'en med koden kommer aldrig. Jeg har "
                   "prøvet 4 gange.", "login_failure"),
    ("No code", "The authenticator code never arrives when I sign in to Teams.", "login_failure"),
    ("Kode", "Engangskoden kommer ikke, så jeg kan ikke få adgang til min mail.", "login_failure"),
    # Nobody able to is everyone (BR-8), not a denial of the symptom after it.
    ("Drev fuldt", "Ingen kan gemme på fællesdrevet, Windows siger \"Der er ikke nok plads på "
                   "S:\". Hele kontoret er ramt.", "it_solution_down_everyone"),
    ("Shared drive", "Nobody can save to the shared drive, Windows says \"There is not enough "
                     "space\". The whole office is affected.", "it_solution_down_everyone"),
    ("Printer", "Jeg kan ikke printe, og alle andre på kontoret kan heller ikke.",
     "printing_down_everyone"),
])
def test_the_kinds_blind19_and_blind20_missed_are_critical(subject: str, body: str,
                                                           rule: str) -> None:
    assert _rule(subject, body) == rule


@pytest.mark.parametrize("subject, body", [
    # Near-misses of the kinds above.
    ("Disk", "Min C: er 96% fuld, kan I hjælpe med at rydde op?"),
    ("Overvågning", "Hvad betyder severity: warning i de mails vi får fra overvågningen?"),
    ("Dør", "Døren til kontoret er låst og nøglen er væk. Kan I hjælpe med hvem der har en nøgle?"),
    ("SV: Låst konto", "Tak, nu kan jeg logge på igen. Den er ikke låst længere.\n\n> Vi har låst "
                       "din konto op."),
    ("RE: Account locked", "Thanks, it's unlocked and working now.\n\n> Your account is unlocked."),
    ("SV: Sag - låst konto", "Tak. Hvad koster det, når det var om aftenen?\n\n> Kontoen er låst "
                             "op igen. Sagen lukkes."),
    ("Fratrådt", "Henrik stopper 1. december. Kan I lukke hans konto den dag og flytte hans mails "
                 "til Anne?"),
    ("Leaver", "Jonas left last week. Please close his account and forward his mail to me."),
    ("Kode", "Kan I slå sms-koden fra, når jeg logger på hjemmefra? Den er irriterende, men den "
             "virker."),
    ("MFA", "Could you set up the authenticator app on my new phone next week? The SMS codes "
            "come fine for now."),
    ("Drev", "Der er ingen der har gemt noget på fællesdrevet i dag, er backuppen kørt alligevel?"),
    # An odd log-in explained as the writer's own or a colleague's (BR-9: no suspicion left).
    ("Hack?", "Jeg fik besked om et nyt login fra en Android. Det var vist mig selv, jeg har fået "
              "ny telefon. Skal jeg gøre noget?"),
    ("Hacked?", "I got a new sign-in alert, but it was from my new laptop you set up. Just "
                "checking."),
    ("Re: Odd sign-in", "The sign-in I asked about was Peter using my PC in the lounge, he "
                        "confirmed it. No need to look further."),
    # The others are fine: one user (BR-8 needs everyone; BR-13).
    ("Printer", "Ida kan ikke printe fra sin bærbar. Alle andre på kontoret printer fint."),
    ("Printer", "Lars can't print from his laptop. Everyone else in the office prints fine."),
    ("Printer", "Printeren vil ikke printe fra Sørens pc. Alle de andre i huset kan godt."),
    # BitLocker asked about, nothing locked (BR-9: no system reports an error).
    ("BitLocker", "Hvordan finder jeg BitLocker recovery key til min nye bærbar, hvis jeg en dag "
                  "får brug for den?"),
    ("BitLocker", "How do I set up BitLocker recovery on the new laptops before we hand them out?"),
    ("Nøgle", "Hvor kan vi se BitLocker-genoprettelsesnøglerne til vores pc'er? Revisor spørger."),
    # A lock message quoted in a newsletter, a course or a slide.
    ("Nyhedsbrev", "I jeres nyhedsbrev stod der at man får beskeden \"Your account has been "
                   "locked\" hvis man taster forkert fem gange. Gælder det også os?"),
    ("Kursus", "På kurset viste de et slide med \"Kontoen er låst\" og hvad man så gør. Kan vi "
               "få slides?"),
    ("Training", "The training slide showed \"Your account has been locked\" as an example of a "
                 "phishing mail. Can you send us the deck?"),
    # A room, a key or a lock nobody can get into: the building, not IT we run.
    ("Køkken", "Ingen kan komme ind i køkkenet, nøglen er væk. Ved I hvem der har den?"),
    ("Door", "Nobody can get into the meeting room, the key is lost. Does anyone at your end "
             "have a spare?"),
    ("Kantine", "Ingen kan komme ind i kantinen i dag, låsen er gået i stykker."),
    # A bank's portal (outside services, a configurable list).
    ("Bank", "Min bruger i bankens erhvervsportal er låst efter 3 forkerte koder. Kan I låse "
             "den op?"),
    ("Netbank", "Our online banking login is locked after wrong codes. Should I call the bank?"),
    ("Bank", "The bank's portal says my user is blocked after three tries."),
])
def test_their_near_misses_and_the_false_alarms_are_not_critical(subject: str, body: str) -> None:
    assert _rule(subject, body) is None


@pytest.mark.parametrize("subject, body, rule", [
    # Near-misses that stay critical.
    ("BitLocker", "Min pc beder om BitLocker recovery key når jeg tænder den. Hvor finder jeg den?",
     "system_error"),
    ("BitLocker", "My laptop is stuck on the BitLocker recovery screen this morning, how do I "
                  "find the key?", "system_error"),
    ("Låst", "Min skærm siger \"Your account has been locked\". Jeg kan ikke komme ind.",
     "account_locked"),
    ("Net", "Ingen kan komme ind på netværket i køkkenet eller på kontoret i dag.",
     "it_solution_down_everyone"),
    ("Hacked?", "I got a new sign-in alert from Brazil. It was not me, I have never been there.",
     "suspected_hack"),
    ("Hack?", "Der er et login fra Rusland på min konto. Det var ikke mig.", "suspected_hack"),
    ("Godkendt", "Jeg trykkede godkend på en login-anmodning, jeg troede det var mig selv, men "
                 "jeg sad ikke ved pc'en. Det var ikke mig.", "account_misuse"),
    ("Konto", "Min konto er låst efter tre forkerte koder, jeg kan ikke logge på pc'en.",
     "account_locked"),
])
def test_near_misses_that_stay_critical(subject: str, body: str, rule: str) -> None:
    assert _rule(subject, body) == rule


@pytest.mark.parametrize("subject, body, stands", [
    # "deres" without a party named: the colleagues' own log-on (ours), or the formal
    # "Deres" (the reader's): the symptom stands (BR-9 "log-on problemer").
    ("Login", "Anne og Bo kan ikke logge på i dag. Det er deres system der siger at kontoen er "
              "låst.", True),
    ("Log-in", "Peter and Sara cannot log in. It's their system that says the password is "
               "wrong.", True),
    # A party or a site of theirs named: another's (mend18's decision kept).
    ("Portal", "Jeg kan ikke logge på leverandørens bestillingsportal. Det er deres system, ikke "
               "vores.", False),
    ("Register", "Vi kan ikke logge på registret, siden siger \"Login fejlede\". Vores pc'er "
                 "virker fint. Ved I om det er deres side?", False),
])
def test_their_system_is_another_s_only_with_that_other_named(subject: str, body: str,
                                                              stands: bool) -> None:
    assert (_rule(subject, body) is not None) is stands


@pytest.mark.parametrize("subject, body", [
    ("Terminal", "Betalingsterminalen i butikken siger \"Ingen forbindelse til vært\". Internettet "
                 "virker på pc'erne. Skal vi ringe til Nets?"),
    ("Card terminal", "The card terminal says \"Communication error\" and won't take payments. "
                      "Our PCs and internet work fine."),
    ("Adgangskort", "Vores nøglekort til hoveddøren virker ikke i dag. Det er viceværten der har "
                    "systemet, tror jeg. Har det noget med vores net at gøre?"),
])
def test_a_terminal_or_access_cards_of_another_s_are_not_put_to_the_model(
        subject: str, body: str) -> None:
    assert not asked_about(judged_text(subject, body))


@pytest.mark.parametrize("subject, body", [
    ("Terminal", "Betalingsterminalen og alle pc'erne har mistet nettet. Ingen kan arbejde."),
    ("Card terminal", "The card terminal and the tills are all offline, and the office has no "
                      "internet either."),
])
def test_a_terminal_beside_our_own_fault_is_still_put_to_the_model(subject: str, body: str) -> None:
    assert asked_about(judged_text(subject, body))
