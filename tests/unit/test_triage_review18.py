"""review18: tune18's new rules (issue 16) on ordinary office mail. Each near-miss below
was made critical by a tune18 rule on 3dad4b4 and was normal on b014abd; the mails the
rule was written for stay critical (tests/unit/test_triage_tune18.py)."""

from __future__ import annotations

from triage_rules_only import by_rules as _by_rules


def test_having_a_password_tool_renewed_or_a_login_made_ready_is_no_hack() -> None:
    # "Could someone have my password?" asks whether it is stolen (BR-9); "have my X
    # renewed / ready" asks someone to do a task (BR-13/BR-14).
    assert not _by_rules("Licens", "Could someone have my password manager licence renewed? "
                         "It runs out next month.").critical
    assert not _by_rules("Ny medarbejder", "Can someone have my login ready for Monday when "
                         "I start? My manager said to ask you.").critical
    assert _by_rules("Password", "I got a strange mail yesterday and clicked the link. Could "
                     "someone have my password now?").critical


def test_a_mouse_that_moves_selvfolgelig_not_is_no_hack() -> None:
    # tune18's "flytter sig selv" (f1755be) ended without a word boundary: "bevæger sig
    # selvfølgelig ikke" (of course not) matched "bevæger sig selv".
    assert not _by_rules("Batterier til mus", "Musen bevæger sig selvfølgelig ikke når "
                         "batteriet er fladt. Kan I sende et par nye batterier op?").critical
    assert _by_rules("Mus", "Musen flytter sig selv og åbner mapper, jeg rører den "
                     "ikke.").critical


def test_if_so_or_if_not_with_a_future_consequence_is_still_a_case_supposed() -> None:
    # tune18 (db4ae49) let "Hvis ikke, er vi hacket?" ask about now; "If not, will anyone
    # be locked out in January?" (critical on 3dad4b4) and "Hvis ja, bliver kontoen så
    # låst?" (normal there, a guard) ask what would happen; nothing is locked now (BR-9).
    assert not _by_rules("Skift af adgangskode", "Skal vi selv skifte adgangskode inden "
                         "fredag? Hvis ja, bliver kontoen så låst hvis man glemmer det?"
                         ).critical
    assert not _by_rules("Certificate", "Do we need to renew the certificate ourselves? If "
                         "not, will anyone be locked out of the VPN in January?").critical
    assert _by_rules("Ny bruger", "Der er en ny admin-konto på serveren som ingen af os har "
                     "lavet. Har I gjort det? Hvis ikke, er vi så hacket?").critical


def test_a_business_program_quoting_a_reminder_is_no_system_error() -> None:
    # tune18's rule (a9c95bf) for the firm's own program quoting its error read any quoted
    # message called "fejlen"/"the error": a licence or password expiring, a mailbox nearly
    # full are notices of something to do (BR-13/BR-14), nothing fails now (BR-9).
    assert not _by_rules("Lønprogram", "Vores lønprogram giver fejlen 'Licensen udløber om 30 "
                         "dage' hver morgen. Kan I forny licensen?").critical
    assert not _by_rules("Booking reminder", "Our booking system shows the error 'Your "
                         "password expires in 3 days' every morning. Can you turn that "
                         "reminder off?").critical
    assert not _by_rules("Postkasse", "Vores mailsystem giver fejlen 'Postkassen er næsten "
                         "fuld' hos Karen. Kan I give hende mere plads?").critical
    assert _by_rules("Tachograf", "Programmet vi downloader tachografdata med giver fejlen "
                     "'Kortlæser ikke fundet - fejlkode 0x1F'.").critical
    assert _by_rules("Booking", "Our booking system shows the error 'Database connection "
                     "failed' for everyone since 9.").critical


def test_a_stranger_at_the_account_is_put_to_the_model_though_it_works_now() -> None:
    # tune18's gate (7e0c8a4) keeps a text ending "og nu virker det" from the model; a
    # stranger using the login is a suspected hack (BR-9) even when the password is
    # changed and things work again, and here only the model finds it (b014abd did).
    from daemon.domain.triage.learned import asked_about, judged_text

    assert asked_about(judged_text(
        "Banken ringede", "Banken ringede: nogen har forsøgt at overføre penge fra vores "
        "konto med mit login. Vi har skiftet adgangskode, og nu virker det."))
    assert not asked_about(judged_text(
        "Outlook", "Outlook ville have min kode igen i morges, jeg skrev den, og nu virker "
        "det."))
