"""Triage rules fixed by kind after blind15/blind16 were measured (issue 16, alarms).

Mostly one kind: an alarm or error message from the customer's own systems, told by a
person or forwarded, which BR-9 calls a system error ("Din computer melder om
systemfejl"): a backup that failed, a NAS or disk in a broken state, a UPS alarming, a
monitoring alert, a business program's error dialog. Also a log-on loop, work credentials
typed into a look-alike site, an absent colleague's account deleting files, a locked
account quoted from a screen; and as no alarm: services outside the customer's IT, a
hack believed and then taken back, a reply thanking for help given.

Every sentence is written for this file (none taken from a blind set), and each kind has
its near-misses. Only the hand-written rules are asked (the learned model is left out),
so a rule change is what each assertion measures.
"""

from __future__ import annotations

import pytest
from triage_rules_only import rule_of as _rule


@pytest.mark.parametrize("body", [
    # Backup (BR-9: the system reports its own failure).
    "Vi har fået en mail fra serveren: \"Backup job 'Kontor-daglig' failed: destination "
    "offline\". Skal vi gøre noget?",
    "Backupprogrammet siger at backuppen er mislykkedes to nætter i træk.",
    "The morning backup report is red today: 'No valid backup for 5 days'.",
    "Backup-skærmen viser 'Sidste vellykkede backup: 6 dage siden'.",
    "Backuppen til skyen mislykkedes igen i nat ifølge rapporten.",
    # Storage.
    "Our NAS mailed us: 'Storage volume 2 has entered degraded state'.",
    "Der kom en advarsel fra boksen i kælderen: 'Disk 3 SMART status: failing'.",
    "The server console warns of a predictive drive failure on bay 4.",
    "Serveren skriver 'Volume D: er på 97% brugt' og vil ikke gemme mere.",
    # UPS.
    "UPS'en i kælderen bipper og der lyser en rød lampe.",
    "The APC box under the desk server has been beeping for an hour.",
    "The little display in the rack says Battery fault.",
    # Monitoring.
    "[WARNING] Host FS01\nState: CRITICAL\nCheck: disk latency",
    "Alert from the agent: Service 'Print Spooler' has stopped on SRV02.",
    # A business program's error dialog.
    "Lagerprogrammet lukker med 'Unhandled exception' hver gang vi bogfører.",
    "Kassesystemet viser 'Fejl ved forbindelse til databaseserver' og vi kan ikke sælge.",
    "Bookingprogrammet giver en fejl: 'Kontakt din systemadministrator'.",
])
def test_an_alarm_from_the_customers_own_systems_is_a_system_error(body: str) -> None:
    # BR-9 "Din computer melder om systemfejl": "fejl meldt af systemet", told or forwarded.
    assert _rule("Advarsel", body) == "system_error", body


@pytest.mark.parametrize("body", [
    "Backup kørte fint i nat, tak for hjælpen med opsætningen.",
    "Backuppen har ikke fejlet en eneste gang siden I flyttede den.",
    "Nyhedsbrev: fem grunde til at din backup kan fejle, og hvad du gør ved det.",
    "Our newsletter this month: why backups fail and how to test a restore.",
    "UPS'en blev testet af elektrikeren i går, alt var i orden.",
    "I morgen kl. 10 tester vi UPS'en, så den vil bippe et par minutter.",
    "Planned test alarm on Friday: the monitoring will send a CRITICAL test mail.",
    "Disk space question: how much is left on the server? It was 40% last month.",
    "Disken er næsten fuld, kan I rydde lidt op på den?",
    "Min telefon bipper hele tiden med beskeder fra Teams.",
    "Teams siger 'Noget gik galt, fejlkode 0x80070005' når jeg deler skærm.",
    "UPS'en bipper kort hver morgen og skriver 'Selvtest bestået'.",
    # A backup job's own report to the helpdesk is the backup check (BR-19), not news.
    "Backup job: Fileserver weekly\nStatus: Failed\nNext attempt: 02:00\n\nThis mail is "
    "generated automatically.",
])
def test_a_backup_that_ran_a_ups_test_and_a_disk_space_question_are_no_alarm(body: str) -> None:
    assert _rule("Spørgsmål", body) is None, body


def test_a_password_prompt_that_keeps_coming_back_is_a_logon_problem() -> None:
    # BR-9 "log-on problemer": the log-on never succeeds, however often the code is typed.
    assert _rule("Kode", "Siden frokost bliver Outlook og OneDrive ved med at poppe op med "
                 "'Skriv din adgangskode', igen og igen.") == "login_failure"
    assert _rule("Sign-in", "The sign-in box kept popping up again for the login, all "
                 "afternoon.") == "login_failure"
    assert _rule("Outlook spørger hele tiden om koden", "Hjælp.\nMette") == "login_failure"
    # Asked once and then fine is no problem.
    assert _rule("Teams", "Teams bad mig logge ind igen, og det gjorde jeg. Nu virker det.") \
        is None


def test_work_credentials_typed_into_a_look_alike_site_are_a_suspected_hack() -> None:
    # BR-9 "mistanke om hack".
    assert _rule("Hjemmeside", "Jeg søgte på fragtfirmaets side og loggede ind med min "
                 "arbejdsmail og kode. Bagefter så jeg at adressen var forkert.") \
        == "phishing_credentials"
    assert _rule("Login", "I logged in with my work email and password on a page from the "
                 "search results; the domain was fake.") == "phishing_credentials"
    # Logging in and a wrong address for something else is no phishing.
    assert _rule("Login", "I logged in with my work email and password and it works. The "
                 "invoice address is wrong though.") is None


def test_an_absent_colleagues_account_deleting_files_is_a_suspected_hack() -> None:
    assert _rule("Hjælp", "Jens er på ferie, men hans konto er netop nu ved at slette filer "
                 "på fællesdrevet.") == "suspected_hack"
    assert _rule("Help", "Anna's user account is deleting folders in Teams right now and she "
                 "is on holiday.") == "suspected_hack"
    # A question about rights to delete is no hack.
    assert _rule("Rettigheder", "Kan hans bruger få lov at slette mapper på fællesdrevet?") \
        is None


def test_a_locked_account_quoted_from_a_screen_in_the_office_is_locked() -> None:
    # BR-9 "Din konto er låst": the screen names the account; the office is where it stands.
    assert _rule("Spærret", "Pc'en på kontoret siger 'Kontoen er spærret' når jeg logger på.") \
        == "account_locked"
    # Locked out of the office building is not an account.
    assert _rule("Nøgle", "Jeg er låst ude af kontoret, nøglen virker ikke.") is None


@pytest.mark.parametrize(("subject", "body"), [
    ("TastSelv", "Jeg kan ikke logge ind på TastSelv for en kunde, den siger ingen adgang."),
    ("Aula", "Kan ikke logge på Aula med Unilogin i dag, der står at der er driftsforstyrrelser."),
    ("Portal", "Koden til grossistens webshop virker ikke, og 'glemt kode' på deres side "
     "kender ikke min mail."),
])
def test_log_on_trouble_on_an_outside_service_is_not_ours(subject: str, body: str) -> None:
    # BR-13: the customer's existing IT solution is what the agreement covers.
    assert _rule(subject, body) is None, body


def test_a_hack_believed_and_taken_back_in_the_same_sentence_is_no_suspicion() -> None:
    assert _rule("Mail", "En kunde troede at vi var blevet hacket, men mailen var ægte. "
                 "Kan I hjælpe med SPF?") is None
    assert _rule("Login", "The 'unusual sign-in activity' warning was our own new laptop.") \
        is None
    # Said as fact, it stays a suspicion.
    assert _rule("Hack", "Jeg tror vi er blevet hacket, der går mails ud i mit navn.") \
        == "suspected_hack"


def test_a_reply_thanking_for_help_given_sets_its_quoted_alarm_aside() -> None:
    assert _rule("SV: Konto låst", "Så kom jeg ind, tusind tak!\n\n> Min konto er låst.") is None
    assert _rule("SV: Krypteret", "Tak fordi I fik gendannet alle filerne i nat.\n\n> Alle "
                 "filer er krypteret, det er ransomware.") is None
    assert _rule("RE: Phishing", "Thanks for the quick action this morning, new password is "
                 "set.\n\n> I entered my password on a fake login page.") is None
    # Thanks followed by the problem again is not settled.
    assert _rule("SV: Konto låst", "Tak fordi I hjalp, men min konto er låst igen.") \
        == "account_locked"


def test_a_planned_alarm_test_told_afterwards_as_gone_as_planned_is_no_alarm() -> None:
    # probe2: the customer reports that the announced test went as planned (nothing fails).
    assert _rule("Test af alarm", "Afprøvningen i aftes forløb som planlagt: overvågningen "
                 "meldte \"State: CRITICAL\" mens printserveren var slukket.") is None
    assert _rule("Monitoring test", "The test on Friday went as planned, we got "
                 "\"State: CRITICAL\" and then OK when the switch was back.") is None
    # An alert with no test in it stays an alarm.
    assert _rule("Alarm", "Overvågningen melder \"State: CRITICAL\" på filserveren.") \
        == "system_error"


def test_asking_whether_a_ups_beep_is_its_routine_self_test_is_no_alarm() -> None:
    # probe2: a question about a regular short beep, not a UPS alarm.
    assert _rule("Bip", "Vores UPS bipper et par gange hver anden mandag morgen, er det "
                 "den faste selvtest?") is None
    assert _rule("UPS", "The UPS beeps once every two weeks at 9, is that the automatic "
                 "self-test?") is None
    # A UPS that beeps with a fault on its display is an alarm, self-test asked or not.
    assert _rule("UPS", "UPS'en bipper og viser battery fault, er det selvtesten?") \
        == "system_error"
