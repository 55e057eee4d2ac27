"""Services customers use that OneOffice does not run (BR-13: "En simpel opgave henvender
sig til din eksisterende IT-løsning"): "kan ikke logge på Facebook" is no log-on
problem of ours, and no reason to wake the on-call duty.

A triage symptom that names one of these in or right around its words does not count
(daemon/domain/triage/scope.py). Regexes over the normalised text (lower case); the
default of `[triage] outside_services`, which replaces the list. Apart from the rules so
that loading the settings, which every command does, does not load the classifier.
"""

from __future__ import annotations

OUTSIDE_SERVICES = (
    r"\b(?:facebook|fb|messenger|instagram|insta|whatsapp|snapchat|tiktok|twitter|"
    r"linkedin|youtube|pinterest|reddit|discord|tinder)\b",
    r"\b(?:netflix|spotify|hbo|max|disney\+?|viaplay|tv ?2 ?play|dr ?tv|prime video|"
    r"apple tv|steam|playstation|psn|xbox|nintendo|twitch|roblox|fortnite|minecraft)\b",
    r"\b(?:gmail|g-?mail|hotmail|yahoo|outlook\.com|live\.dk|icloud|apple ?id|"
    r"google-?kont\w*|google account)\b",
    r"\b(?:private?|privat|personal|personlige?) (?:\S+ )?(?:mail|e-?mail|konto|account|"
    r"telefon|mobil|phone|ipad|iphone|computer|pc|bærbare?|laptop|dropbox|google ?drive|"
    r"onedrive|icloud|cloud|sky)",
    # A bank is the customer's bank's to run: "netbanken", "the bank says my login is blocked".
    # "bankens erhvervsportal" (tune20: blind20's kind), "the bank's portal".
    r"\b(?:bank|banken|bankens|bank's|banking|online ?banking|netbank\w*|mobilbank\w*|"
    r"bankapp\w*)\b",
    r"\b(?:mitid|mit id|nemid|nem id|e-?boks|netbank\w*|mobilepay|skat(?:\.dk)?|"
    r"tast ?selv\w*|aula|unilogin|uni-?login|forældreintra|skoleintra|"
    r"borger\.dk|sundhed\.dk|rejsekort\w*|dba(?:\.dk)?|ebay|amazon|wolt|webshop\w*)\b",
    # A supplier's or other firm's web shop, portal or extranet: "the wholesaler's web shop
    # says my password is wrong", "vores grossists fakturaportal", "Booking.com's extranet".
    # Not a portal alone: "klientportalen (den I hoster)" and portal.office.com are ours.
    r"\b(?:web ?shop\w*|netbutik\w*|extranet\w*|shopify|booking\.com|(?:order|ordre|"
    r"bestillings|booking|faktura|invoice|installer|installatør|lærings|learning)[- ]?portal\w*|"
    r"(?:leverandør|grossist|supplier|wholesaler|vendor|courier|kurér|fragtfirma)\S* (?:\S+ ){0,2}?"
    r"(?:portal|web ?shop|site|website|hjemmeside|shop|dashboard|extranet)\w*|(?:deres|their) "
    r"(?:web ?shop|website|site|hjemmeside|portal|side)\w*|"
    # mend18: the portal as one word or the firm's by genitive ("Leverandørportalen",
    # "importørens reservedelsportal", "the XTM portal of our client"), a shop at the
    # supplier's ("medicinbestilling hos grossisten").
    r"(?:leverandør|grossist|importør|supplier|vendor)\w*portal\w*|(?:leverandør|grossist|"
    r"importør|kunde|klient)\w*(?:ens|s) \w*portal\w*|portal of (?:our |the |a )?(?:client|"
    r"customer|supplier)|hos (?:vores |en |the )?(?:grossist|leverandør|importør)\w*)",
    # The building's own systems: "tyverialarmen afviser koden", "the door code".
    r"\b(?:tyverialarm\w*|alarmanlæg\w*|alarmsystem\w*|alarmpanel\w*|burglar alarm|"
    r"intruder alarm|alarm (?:system|panel)|dørkode\w*|door code|nøglebrik\w*)\b",
)
