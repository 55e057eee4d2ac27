"""Triage rules fixed by kind after blind17/blind18 were measured (issue 16, mend18).

The kinds: log-ons of portals the writer says are another's ("det er deres system", "is it
for the client?", a portal named while their own IT works), which BR-9/BR-10 do not cover
(not the IT OneOffice runs); an outage over by itself before the mail; a UPS's all-clear; a
scam caller's claim that was hung up on; hacking read about; and as critical (BR-9, the
system reports an error): the server room's temperature alarm, a drive by its letter at
9x %, a backup's screen showing its error, a backup failure read in a report.

Every sentence is written for this file (none taken from a blind set), and each kind has
its near-misses. Only the hand-written rules are asked (the learned model is left out),
so a rule change is what each assertion measures.
"""

from __future__ import annotations

import pytest
from triage_rules_only import rule_of as _rule


@pytest.mark.parametrize("subject, body", [
    # The server room too hot, as its sensor says (BR-9).
    ("Alarm", "Sensoren sendte: \"Serverskab temperatur 38 C - alarm\". Hvad gør vi?"),
    ("Hot in there", "The monitor says: 'WARNING temp: 44 C in Server room B'. Fan is loud."),
    # A drive by its letter nearly full, as an alert says.
    ("Fwd: alert", "Se nedenfor.\n\nOvervågning: FILSERVER drev E: 97% brugt"),
    ("Disk", "Got this from the server: Drive D: at 99% used, threshold 90%."),
    # The backup telling of its own error, in the writer's words.
    ("Backup", "Backup-programmet viser fejl hver nat nu, noget med 'VSS writer failed'."),
    ("Backup", "Hej. Jeg kan læse i morgenrapporten at backuppen af regnskabet har fejlet i "
               "tre dage."),
])
def test_a_system_alarm_told_or_forwarded_is_critical(subject: str, body: str) -> None:
    assert _rule(subject, body) == "system_error"


@pytest.mark.parametrize("subject, body", [
    # A temperature of no alarm, or not the server's.
    ("Temperatur", "Temperaturen i serverrummet er 22 grader, er det fint?"),
    ("Varmt", "Det er varmt på kontoret i dag, 27 grader. Kan I skaffe en ventilator?"),
    # One user's disk nearly full, no drive letter: BR-13's simple task.
    ("Disk", "Min disk er 95% fuld, kan I rydde lidt op?"),
    # A backup that could fail, asked about.
    ("Backup", "Kan backuppen fejle hvis serveren er slukket om natten?"),
    # A report asked for afterwards is no fault now.
    ("Rapport", "Kan vi få en rapport om nedbruddet i sidste uge?"),
])
def test_near_misses_of_the_alarms_stay_normal(subject: str, body: str) -> None:
    assert _rule(subject, body) is None


@pytest.mark.parametrize("subject, body", [
    # Another's portal, said to be theirs (BR-9/BR-10 cover the IT we run).
    ("Log-in", "Fragtportalen hos vores leverandør siger \"bruger låst\". Det er deres system, "
               "men kan I hjælpe?"),
    ("Portal", "I can't sign in to the tender portal, it says my password is wrong. It's their "
               "system, I know."),
    ("Adgang", "Jeg kan ikke logge på kommunens byggesagsportal. Der står at min adgangskode er "
               "udløbet. Eller er det kommunens IT?"),
    ("Login", "The login to the invoice site keeps failing. Is it for the customer to fix?"),
    # A portal named, their own IT fine.
    ("Grossisten", "Jeg kan ikke logge på grossistens bestillingsportal. Koden bliver afvist. "
                   "Min pc og mail virker fint."),
    ("Portal", "Locked out of the agency's booking portal after three tries. Our own systems "
               "work."),
    # An outage over by itself before the mail.
    ("Nettet", "Internettet var væk for alle i et kvarter, men det kom selv igen. Bare til info."),
    ("Wifi", "The internet was down for the whole office this morning and came back on its own."),
    # The UPS's all-clear after a flicker.
    ("UPS", "UPS'en meldte 'On battery' kl 9 og straks efter 'Power restored'."),
    # A scam caller hung up on.
    ("Opkald", "En mand ringede og sagde at vores server havde virus. Jeg lagde bare på."),
    # Hacking read about, nothing of ours.
    ("Sikkerhed", "Når man læser om hackerangreb hver uge, vil vi gerne tale om backup."),
])
def test_outside_portals_and_false_alarms_are_not_critical(subject: str, body: str) -> None:
    assert _rule(subject, body) is None


@pytest.mark.parametrize("subject, body", [
    # Our own log-on, though a portal or "their" is named elsewhere.
    ("Login", "Jeg kan ikke logge på min pc. Koden bliver afvist."),
    ("Portal", "Jeg kan ikke logge på klientportalen som I hoster. Min mail virker fint, men "
               "portalen siger forkert kode."),
    ("Outlook", "Outlook siger min adgangskode er forkert. Deres side virker, men ikke Outlook."),
    # An outage that came back and went again.
    ("Nettet", "Nettet var nede, det kom selv igen, men nu er det nede igen for alle."),
    # A scam call that was let in.
    ("Opkald", "En mand ringede og sagde at min pc havde virus, og jeg gav ham adgang."),
    # A UPS on battery with no all-clear.
    ("UPS", "UPS'en står på 'On battery' og bipper."),
])
def test_near_misses_that_stay_critical(subject: str, body: str) -> None:
    assert _rule(subject, body) is not None


def test_a_scam_call_that_was_let_in_a_sentence_later_is_critical() -> None:
    # The caller's claim alone is no finding; the program he had installed is.
    body = ("En mand ringede og sagde at min bærbare havde virus. Han fik mig til at installere et "
            "program der hedder TeamViewer, og så styrede han musen.")
    assert _rule("Opkald", body) == "remote_access_scam"


@pytest.mark.parametrize("subject, body, rule", [
    # Someone else using the account or mailbox (BR-9, suspected hack).
    ("Hans konto", "Lene er stoppet, men i går fik en kunde et tilbud fra hendes adresse. Nogen "
                   "bruger hendes konto.", "suspected_hack"),
    ("Odd", "Customers say they get invoices from me. Somebody is using my mailbox.",
     "suspected_hack"),
    # The disk's encryption asking for its key; the disk reported failing by Windows.
    ("Pc", "Min bærbare står og siger \"Indtast genoprettelsesnøglen til dette drev\".",
     "system_error"),
    ("Startup", "After the update her laptop shows BitLocker recovery and asks for a key.",
     "system_error"),
    ("Pc", "Windows har registreret et problem med harddisken på Mettes pc.", "system_error"),
])
def test_more_critical_kinds(subject: str, body: str, rule: str) -> None:
    assert _rule(subject, body) == rule


@pytest.mark.parametrize("subject, body", [
    ("Konto", "En kollega bruger min konto mens jeg er på ferie, er det ok?"),
    ("BitLocker", "Hvor gemmer vi BitLocker-nøglerne til de nye bærbare?"),
    ("Disk", "Windows har registreret en ny harddisk, den eksterne. Skal den formateres?"),
])
def test_their_near_misses_stay_normal(subject: str, body: str) -> None:
    assert _rule(subject, body) is None
