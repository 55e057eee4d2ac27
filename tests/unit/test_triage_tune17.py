"""Triage rules fixed by kind after blind13/blind14 were measured (issue 16, tune17).

Each test is one kind of miss or false alarm those sets showed, told in sentences written
for this file (none taken from a blind set), both ways: the kind is caught, and its
near-miss stays as it was. Only the hand-written rules are asked (the learned model is
left out), so a rule change is what each assertion measures.
"""

from __future__ import annotations

import pytest
from triage_rules_only import rule_of as _rule


@pytest.mark.parametrize("body", [
    "A popup says Windows detected a hard disk problem on my laptop.",
    "The NAS sent this: 'Storage pool 2 is degraded. Disk 4 has failed.'",
    "Displayet på serveren siger 'Physical disk 2 failed' og den bipper.",
    "Min pc står i en genstartsløkke og kommer aldrig til skrivebordet.",
    "Skærmen siger 'Fortryder ændringer' og så starter den forfra igen og igen.",
    "Windows siger at jeg er logget på med en midlertidig profil, og mit skrivebord er tomt.",
])
def test_a_disk_or_storage_alarm_and_a_pc_that_cannot_start_are_system_errors(body: str) -> None:
    # BR-9 "Din computer melder om systemfejl": the machine or the storage reports its own
    # failure in its own words.
    assert _rule("Fejl", body) == "system_error"


def test_a_full_disk_or_a_new_disk_is_no_system_error() -> None:
    assert _rule("Disk", "Disken er næsten fuld, kan I rydde lidt op på den?") is None
    assert _rule("Disk", "Tak for den nye harddisk, den kører fint.") is None


def test_ransomware_told_by_its_marks_is_a_suspected_hack() -> None:
    # BR-9 "mistanke om hack": files locked, a note asking for bitcoin, a ransom file name.
    for body in ("Alle vores dokumenter er blevet låst og der ligger en fil HOW_TO_DECRYPT.html "
                 "på skrivebordet.",
                 "En besked på skærmen siger at vi skal betale 2 bitcoin for at få filerne "
                 "tilbage.",
                 "There's a READ_ME_RESTORE.txt in every folder now and nothing opens."):
        assert _rule("Filer", body) == "suspected_hack", body
    # Bitcoin as a way to pay, and documents locked for editing, are not.
    assert _rule("Bitcoin", "Kan vi tage imod betaling i bitcoin i webshoppen?") is None
    assert _rule("Filer", "Alle dokumenterne er låst for redigering fordi Lise har dem "
                 "åbne.") is None


def test_someone_who_has_the_password_is_a_suspected_hack_unless_denied_or_asked_if() -> None:
    # BR-9: "nogen har fået fat i min kode" is a suspected hack.
    assert _rule("Kode", "Jeg er bange for at nogen har fået fat i min adgangskode.") \
        == "suspected_hack"
    assert _rule("Password", "I think someone has got hold of my password.") == "suspected_hack"
    assert _rule("Kode", "Jeg tror ikke nogen har fået fat i min kode, men jeg vil gerne skifte "
                 "den.") is None
    assert _rule("Kode", "Hvis nogen får fat i min kode, hvad gør jeg så?") is None


def test_spam_or_odd_mail_sent_in_the_users_name_is_a_suspected_hack() -> None:
    # BR-9: mail going out in the user's name that they did not write.
    for body in ("Nu sender hans konto spam ud til alle vores kunder.",
                 "Kunderne får mærkelige mails fra mig med et link.",
                 "A client asked about a payment reminder I supposedly sent yesterday."):
        assert _rule("Mail", body) == "suspected_hack", body
    # Mail that does not arrive is a delivery matter, not a hack.
    assert _rule("Mails", "Kunderne får ikke mails fra mig, de havner i deres spamfilter.") is None


def test_hacks_in_the_news_a_denied_virus_a_newsletter_and_a_card_are_no_suspicion() -> None:
    # BR-13: worry about others, a virus denied in a list, a newsletter's tips, a payment
    # card's misuse (the bank's case) are no suspicion of a hack of the customer's IT.
    assert _rule("Nyhed", "Læste i Børsen at flere advokatfirmaer er blevet ramt af hackere. "
                 "Skal vi gøre noget?") is None
    assert _rule("Virus?", "Det er ikke noget med virus eller hack, pc'en er bare langsom.") is None
    assert _rule("VS: Nyhedsbrev: 3 tegn på ransomware", "Skal vi gøre noget ved det?") is None
    assert _rule("Kort", "Banken har spærret mit Mastercard pga. mistænkelige køb på kortet.") \
        is None
    # The writer's own hack after the others', and activity on an account of ours, count.
    assert _rule("Hack", "Flere kunder er blevet ramt, og nu er vores mail også hacket.") \
        == "suspected_hack"
    assert _rule("Konto", "Der er mistænkelig aktivitet på min Microsoft-konto.") \
        == "suspected_hack"


def test_the_providers_work_announced_for_a_coming_day_is_no_outage_now() -> None:
    # BR-8 is what stops the office now; a stop announced for Sunday is not one.
    assert _rule("Fiber", "Til orientering: TDC laver arbejde på fiberen søndag mellem 6 og 10, så "
                 "der er ikke internet på kontoret i det tidsrum.") is None
    assert _rule("Fiber", "Der er arbejde på fiberen i gaden og nu er internettet nede på hele "
                 "kontoret.") == "internet_down_everyone"


def test_no_net_for_the_office_told_as_intet_or_the_whole_net() -> None:
    # BR-8 "Alle er berørt": "vi har intet internet", "hele nettet er nede".
    assert _rule("Net", "Vi har intet internet i dag, heller ikke via kablet.") \
        == "internet_down_everyone"
    assert _rule("Net", "Hele nettet er nede, kortterminalen virker ikke.") \
        == "internet_down_everyone"
    # One user's own line, as before: not the office's.
    assert _rule("Net", "Jeg har intet internet derhjemme i aften.") is None


def test_a_question_about_the_agreement_is_no_lost_password() -> None:
    # BR-17 asks what is billed; nobody is locked out now.
    assert _rule("Spørgsmål", "Hvis en medarbejder har glemt sin adgangskode, er det så med i "
                 "aftalen at I nulstiller den?") is None
    assert _rule("Spørgsmål", "Et spørgsmål: når en af os har glemt sin kode og I nulstiller den, "
                 "koster det så noget?") is None
    assert _rule("Kode", "Jeg har glemt min adgangskode og kan ikke komme ind.") \
        == "password_not_working"
    # A fault with a question about the price is still a fault.
    assert _rule("Kode", "Min kode virker ikke, hvad koster det at få hjælp nu?") \
        == "password_not_working"


def test_a_private_phones_pin_and_a_family_members_site_are_outside_our_it() -> None:
    # BR-13: one's own phone's PIN, a son's web site at a hosting firm.
    assert _rule("Pin", "Jeg har glemt pinkoden til min egen telefon, kan I hjælpe?") is None
    assert _rule("Pin", "Jeg har glemt pinkoden til min pc.") == "password_not_working"
    assert _rule("Søn", "Min søn har en hjemmeside hos Simply, og han kan ikke logge ind.") is None
    assert _rule("Datter", "Min datter arbejder her i butikken og kan ikke logge på kassen.") \
        == "login_failure"


def test_account_activity_denied_in_other_words_is_misuse() -> None:
    # BR-9 "mistanke om hack": a device the user does not know, "har ikke selv gjort noget",
    # "Det var det ikke", a sign-in said to be in a foreign country.
    for body in ("Der er logget på min konto fra en enhed jeg ikke kender.",
                 "Hun har fået tre beskeder om at godkende et login i nat. Hun har ikke selv "
                 "gjort noget.",
                 "Han trykkede godkend på et login, fordi han troede det var mig. Det var det "
                 "ikke.",
                 "I see a sign-in on my account in Brazil last night."):
        assert _rule("Login", body) == "account_misuse", body
    # The writer's own log-on, at home or abroad.
    assert _rule("Login", "Jeg har logget på fra min nye telefon, det var mig.") is None
    assert _rule("Login", "I logged in from the hotel in Spain and it works fine, thanks.") is None


def test_a_password_not_work_and_a_password_that_had_expired() -> None:
    # BR-9 "Din kode virker ikke", written by a learner of English; BR-18 example 2.
    assert _rule("pw", "hi my password not work since monday, please help") \
        == "password_not_working"
    assert _rule("Kode", "Da jeg loggede på stod der at min adgangskode var udløbet.") \
        == "password_not_working"


def test_a_reply_saying_the_new_password_works_sets_its_subject_aside() -> None:
    # Issue 16: a reply's subject is judged only with its new text.
    assert _rule("Re: can't log in", "Thanks, the new password works.\n\n> I cannot log on.") \
        is None
    assert _rule("SV: Kan ikke logge på", "Den nye kode virker ikke, jeg er stadig låst ude.") \
        is not None


def test_a_reply_saying_everything_runs_sets_a_quoted_outage_aside() -> None:
    # Issue 16: "alt kører" alone is the outage over; "alt kører langsomt" is not.
    quoted = "\n\n> Hele nettet er nede på kontoret."
    assert _rule("SV: Nettet er nede", "Tak for i aftes, alt kører." + quoted) is None
    assert _rule("SV: Nettet er nede", "Tak, men alt kører langsomt og nettet er nede igen på "
                 "hele kontoret." + quoted) == "internet_down_everyone"


# --- mend17 (issue 16 review): tune17's new patterns narrowed so ordinary mail stays
# normal; the kinds they were added for are still caught above. Sentences written here.


def test_a_ransom_mark_needs_a_demand_or_a_strange_ending_not_bitcoin_or_a_lock() -> None:
    # BR-13: paying or being paid in bitcoin, a document open elsewhere, an ordinary file
    # ending are no suspicion of a hack (BR-9 needs the ransom's marks).
    for body in ("Må vores kunder betale i bitcoin i webshoppen?",
                 "Skal vi betale moms til jer af vores krypto-handel?",
                 "Alle regnearkene er låst fordi Lise sidder i dem.",
                 "Alle mine dokumenter er låst, der står at de er åbne hos en anden.",
                 "Efter konverteringen hedder filerne nu noget med .docx, er det rigtigt?"):
        assert _rule("Filer", body) is None, body
    # The ransom's own marks still count: a demand in bitcoin, files encrypted, an odd ending.
    for body in ("Der står på skærmen at vi skal betale i bitcoin inden fredag.",
                 "Alle mine dokumenter er blevet krypteret i nat.",
                 "Alle vores filer er låst, og vi kan ikke åbne nogen af dem.",
                 "Alle filerne på drevet hedder nu noget med .crypt0r til sidst."):
        assert _rule("Filer", body) == "suspected_hack", body


def test_a_code_handed_to_a_colleague_is_no_suspected_hack() -> None:
    # BR-9 "nogen har fået fat i min kode" is a stranger's; a colleague given a printer's
    # code by the writer is not.
    assert _rule("Kode", "Min kollega har fået min kode til kopimaskinen mens jeg er på "
                 "ferie.") is None
    assert _rule("Kode", "En anden medarbejder har fået min kode til printeren, er det et "
                 "problem?") is None
    assert _rule("Kode", "Jeg tror en fremmed har fået fat i min adgangskode.") \
        == "suspected_hack"


def test_odd_mail_from_others_and_things_supposedly_sent_are_no_hack() -> None:
    # BR-9 is mail in the writer's name; spam from a supplier or a web form, and a parcel
    # "supposedly sent", are not.
    for body in ("Vi får underlige mails fra min revisors gamle adresse, skal vi blokere den?",
                 "We get spam from our web shop's contact form every night.",
                 "The new laptop was allegedly sent yesterday but nothing has come.",
                 "Pakken med tastaturerne er efter sigende sendt fra lageret."):
        assert _rule("Mail", body) is None, body
    # Mail in the writer's name still counts.
    for body in ("Kunderne får mærkelige mails fra min mailkonto med et link.",
                 "A customer asked about an invoice I allegedly sent last week."):
        assert _rule("Mail", body) == "suspected_hack", body


def test_a_known_log_on_abroad_and_slow_sign_ins_from_our_office_are_no_misuse() -> None:
    # BR-9 "mistanke om hack" is a sign-in nobody owns; a colleague's on his trip, and our
    # own office abroad, are known.
    assert _rule("Login", "Lise har logget ind i Spanien fra hotellet, det er fint.") is None
    assert _rule("VPN", "Sign-ins from our office in Poland take ages this week.") is None
    assert _rule("Login", "Der er logget ind på hans konto i Rusland i nat.") \
        == "account_misuse"


def test_disk_words_outside_the_disk_and_a_temporary_profile_gone_are_no_system_error() -> None:
    # BR-9 "Din computer melder om systemfejl": the storage failing, not a cleanup's note,
    # a sound volume, or a temporary profile a restart already put right (told for info).
    for body in ("Diskoprydning siger at der er et disk problem med gamle filer, skal jeg køre "
                 "den?",
                 "The volume is degraded when I use Teams on my speakers.",
                 "Jeg fik en midlertidig profil i morges, men efter en genstart var alt ok igen."):
        assert _rule("Pc", body) is None, body
    assert _rule("NAS", "The NAS says: Volume 1 is degraded.") == "system_error"


def test_the_whole_net_at_the_provider_that_we_do_not_feel_is_not_our_office() -> None:
    # BR-8 "Alle er berørt" means the office's net, not the provider's in the news.
    assert _rule("Net", "Hele nettet hos Telia er nede ifølge TV2, men her virker alt.") is None
    assert _rule("Net", "Hele nettet er væk, ingen kan komme på.") == "internet_down_everyone"


def test_a_password_that_was_wrong_once_and_works_now_is_no_fault() -> None:
    # BR-9 "Din kode virker ikke": a mistyped code that now works is not it; one that had
    # expired still is (tune17's "var udløbet").
    assert _rule("Kode", "Adgangskoden var forkert i morges, men nu kan jeg komme ind.") is None
    assert _rule("Kode", "Min kode var udløbet, og nu kan jeg ikke komme ind.") \
        == "password_not_working"


def test_a_price_question_asked_while_locked_out_now_is_still_a_fault() -> None:
    # "når" as since: the writer cannot log on now; the price beside it does not withdraw
    # the fault (BR-17 asks what is billed, BR-9 what is urgent).
    assert _rule("Login", "Når jeg nu ikke kan logge på, og I skal hjælpe, hvad koster "
                 "det?") is not None
    assert _rule("Spørgsmål", "Hvis nu en af os har glemt sin kode, hvad koster det at få den "
                 "nulstillet?") is None
