"""review18b: mend18's by-kind triage rules (issue 16) on ordinary and critical office mail.
Each assertion below failed on 8bcfd6c; the mails mend18's patterns were written for stay as
mend18 left them (tests/unit/test_triage_mend18.py). Rules alone: a rule change is what each
assertion measures, not the learned second opinion."""

from __future__ import annotations

from tests.unit.triage_rules_only import rule_of


def test_an_own_thing_said_not_to_work_does_not_make_the_failure_another_s() -> None:
    # scope.py _not_ours_said read "vores mail virker" in "Vores mail virker heller ikke"
    # and "mit password virker" in "mit password virker ikke" as "our own IT works", and
    # so called the failure another's portal: critical mail cancelled (BR-8/BR-9).
    assert rule_of("Ingen kan logge på", "Ingen kan logge på vores bookingportal i dag, hele "
                   "kontoret er ramt. Vores mail virker heller ikke.") is not None
    assert rule_of("Ingen kan logge på", "Ingen af os kan logge ind i dag, alle får fejl. Vi "
                   "bruger også portalen til tidsregistrering, og min kollega siger mit "
                   "password virker ikke.") is not None
    # The mail mend18 wrote it for stays normal.
    assert rule_of("Leverandørportal", "Jeg kan ikke logge på leverandørportalen i dag. Min "
                   "mail og pc virker fint.") is None


def test_our_own_portal_working_does_not_cancel_a_locked_account() -> None:
    # "Vores portal virker fint" says the portal is ours and fine; the locked account
    # (BR-9) is not thereby another's.
    assert rule_of("Konto låst", "Min konto er låst og jeg kan ikke logge på. Vores portal "
                   "virker fint.") is not None


def test_their_system_or_ours_asked_is_not_said_to_be_theirs() -> None:
    # _THEIRS read "Er det deres system der er hacket eller vores?" as the writer saying
    # it is another's: a log-on from abroad (suspected hack, BR-9) cancelled.
    assert rule_of("Hack", "Nogen har logget ind på min konto fra Rusland. Er det deres "
                   "system der er hacket eller vores?") is not None


def test_a_backup_that_shows_no_errors_is_no_system_error() -> None:
    # mend18's backup pattern took any one word before "fejl/error": "giver ingen fejl",
    # "shows no errors", "shows 0 errors" are the all-clear, not an error (BR-9).
    assert rule_of("Backup status", "Backuppen giver ingen fejl længere efter I skiftede "
                   "disken i sidste uge. Tak for hjælpen!") is None
    assert rule_of("Backup", "Just to let you know the backup shows no errors since Tuesday. "
                   "Thanks for sorting it out.") is None
    assert rule_of("Backup", "The backup report shows 0 errors and 2 warnings, all good.") is None
    assert rule_of("Backup fejler", "Backup-programmet viser fejl hver nat: 'Kunne ikke "
                   "oprette snapshot'. Hvad gør vi?") is not None


def test_power_that_never_came_back_does_not_cancel_the_ups_alarm() -> None:
    # mend18's all-clear "strømmen (...)? (\S+ )?tilbage" took "strømmen kom aldrig tilbage"
    # (the power never came back) as "power restored".
    assert rule_of("Strømsvigt", "UPS'en hyler, strømmen kom aldrig tilbage og serveren "
                   "lukker snart ned.") is not None
    assert rule_of("UPS", "UPS'en bipper, strømmen er ikke tilbage og serveren kører på "
                   "batteri.") is not None
    assert rule_of("UPS besked", "UPS'en bippede kort i morges og skrev 'On battery', lige "
                   "efter 'Power restored'. Skal vi gøre noget?") is None


def test_asking_whether_anyone_uses_an_old_account_is_no_hack() -> None:
    # "Er der nogen der bruger hans gamle mailkonto?" asks whether it can be closed.
    assert rule_of("Gammel konto", "Er der nogen der bruger hans gamle mailkonto? Ellers må "
                   "I gerne lukke den.") is None
    assert rule_of("Suspicious", "Someone is using her account: she left in June, but it sent "
                   "mail to all our customers last night.") is not None


def test_a_temperature_threshold_asked_for_is_no_alarm() -> None:
    # "ved en temperatur på 35 grader" is when an alert should come, not a reading now.
    assert rule_of("Temperaturalarm", "Kan overvågningen af serverrummet sende en advarsel "
                   "ved en temperatur på 35 grader? Vi vil gerne have det sat op.") is None
    assert rule_of("Alarm serverrum", "Alarm fra sensoren: Serverrum temperatur 38 grader. "
                   "Aircon ser ud til at være stoppet.") is not None


def test_my_own_disk_nearly_full_is_no_monitoring_alert() -> None:
    # mend18 kept "min disk er 95 % fuld" normal (one user's pc) but the letter alone made
    # "Min disk C: er 95% fuld" critical.
    assert rule_of("Fuld disk", "Min disk C: er 95% fuld, kan I hjælpe med at rydde op når I "
                   "har tid?") is None
    assert rule_of("Monitoring", "Alert from FS01: Disk D: 97% used. Shares are starting to "
                   "refuse saves.") is not None


def test_a_report_told_by_phone_is_not_a_scam_caller_s_claim() -> None:
    # mend18's scam-caller cancel took any "X ringede og sagde" / "X called and said": a
    # colleague's virus and an accountant's warning of log-ons were cancelled (BR-9). A
    # scam caller says who he is ("sagde han var fra Microsoft").
    assert rule_of("Kollega", "Anne ringede og sagde at hendes pc har virus og at filerne på "
                   "fællesdrevet er krypteret.") is not None
    assert rule_of("Called", "Our accountant called and said someone has been logging into "
                   "our mailbox from abroad.") is not None
    assert rule_of("Mærkeligt opkald", "En mand ringede og sagde han var fra Microsoft og at "
                   "vores computer havde virus. Jeg lagde på.") is None
    assert rule_of("Opkald", "A man called and said he was from Microsoft and that our "
                   "computer had a virus. I hung up.") is None


def test_both_or_all_printers_down_is_everyone_for_the_printing_rule() -> None:
    # ffac808 made the printing rule's scope decide (the model not asked), but its
    # qualifiers did not count "begge printere" / "all printers": the learned opinion had
    # caught "begge printere står af" (BR-8: cannot print, everyone affected).
    assert rule_of("Printere", "Receptionen og lægerne kan ikke printe, begge printere står "
                   "af.") is not None
    assert rule_of("Printers", "We can't print, all the printers show offline.") is not None
    assert rule_of("Print", "Jeg kan ikke printe i farver, sort/hvid virker fint.") is None
    assert rule_of("Toner", "Jeg kan ikke printe, den siger toner mangler. Kan I bestille "
                   "toner til begge printere?") is None
