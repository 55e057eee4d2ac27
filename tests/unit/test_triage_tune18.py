"""tune18 (issue 16): mail the learned model misreads for a reason the rules can say in
general terms is not put to it (learned.asked_about), so the threshold is no longer forced
up by it. New sentences of each kind, and near-misses that are still asked."""

from __future__ import annotations

import pytest

from daemon.domain.triage.learned import asked_about, judged_text


def _asked(subject: str, body: str) -> bool:
    return asked_about(judged_text(subject, body))


@pytest.mark.parametrize(("subject", "body"), [
    # The text ends saying it works now: settled, whatever it told before.
    ("Outlook", "Outlook ville have min kode igen i morges, jeg skrev den, og nu virker det."),
    ("VPN", "VPN'en afbrød to gange efter frokost, jeg genstartede, og den kører fint nu.\n"
            "Mvh Karen"),
    ("Sign-in", "OneDrive asked me to sign in again after the update. Did that, it works "
                "again. Thanks"),
    # One user, said as its own sentence (BR-8 needs everyone; BR-13).
    ("Scanner", "Scanneren sender ikke mine scanninger til mailen.\n\nDet er kun mig."),
    ("Teams", "Teams keeps freezing when I share my screen. Only me."),
    # An update that failed to install (BR-13).
    ("Opdatering", "Min bærbare kunne ikke installere den seneste opdatering, den står og "
                   "venter."),
    ("Update", "The laptop says it failed to install updates again this morning."),
    # The building's door and keys, no IT named (BR-9 means IT).
    ("Nøgler", "Nøglen til bagdøren er væk, så ingen kan komme ind i lageret før kl. 10."),
    ("Door", "The front door will not open and nobody can get into the building until the "
             "locksmith comes."),
])
def test_a_mail_settled_in_words_the_model_cannot_read_is_not_put_to_it(
        subject: str, body: str) -> None:
    assert not _asked(subject, body), body


@pytest.mark.parametrize(("subject", "body"), [
    # Works now, then a fault after it: not settled.
    ("Outlook", "Nu virker det med Outlook, men ingen af os kan komme på nettet siden kl. 9."),
    # Still wrong.
    ("VPN", "Jeg genstartede, og den kører fint nu, men filerne på drevet er stadig væk."),
    # "only me" inside a sentence about something else.
    ("Mail", "Der kommer mærkelige mails fra min konto til alle kunder, ikke kun mig der har "
             "set dem."),
    # The door with an IT system named: the rules and the model judge it.
    ("Adgang", "Døren åbner ikke med kortet, og adgangssystemet på serveren svarer ikke for "
               "nogen af os."),
    ("Låst", "Ingen kan komme ind på deres konto i dag, og nøglen til serverrummet er væk."),
])
def test_a_fault_beside_those_words_is_still_put_to_the_model(subject: str, body: str) -> None:
    assert _asked(subject, body), body
