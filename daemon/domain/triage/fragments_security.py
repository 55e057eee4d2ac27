"""Regex fragments of the security rules (BR-9 "mistanke om hack"): how a customer tells
that mail went out in their name, that a sign-in came from abroad, that the phone asks
to approve sign-ins nobody made. Kept apart from fragments.py, which the other rule
families share."""

from __future__ import annotations

# Others got mail from the account: "kunderne har fået en mail fra min adresse",
# "several clients have received emails from Mark". What makes it a hack is the denial
# (_NOT_SENT) the rule requires beside it.
_RECEIVED_MAIL = (
    r"(?:fået|modtaget|fik|modtog|får|modtager|received|got|gotten|getting|receiving|receives|"
    r"gets) (?:\S+ ){0,3}?(?:mails?|e-?mails?|beskeder|besked|faktura\w*|invoices?|messages?|"
    r"sms\w*|links?|deling\w*|delinger|shares?|invitation\w*|dokument\w*|documents?|svar|"
    r"replies|answers)"
)
# What a denial of sending must be about: the mail ("den", "noget", "these"), or nothing
# more in its clause; "har ikke sendt den endnu", "hasn't sent it yet" is a delay.
_SENT_WHAT = (
    r"(?=\s*(?:[.!?;,)\n]|$)|\s+(?:den|dem|det|noget|nogen|nogle|denne|dette|disse|de|"
    r"mails?|e-?mails?|beskeder|beskeden|mailen|mailene|fakturaen|it|them|this|that|these|those|"
    r"any|anything|messages?|the (?:e-?)?mails?|the invoice)\b(?! (?:\S+ )?(?:endnu|yet)\b))"
)
# "... som jeg ikke har sendt", "Den har jeg ikke sendt", "Jakob har ikke sendt noget",
# "Det har jeg ikke gjort", "which I never sent", "Mark did not send these".
_NOT_SENT = (
    r"\b(?:har|havde) (?:\S+ )?(?:ikke|aldrig|ik) (?:selv )?(?:sendt|skrevet|afsendt|delt)"
    + _SENT_WHAT,
    r"\b(?:det|den|dem) (?:har|havde) (?:\S+ )?(?:ikke|aldrig) (?:gjort|bedt om)"
    r"(?=\s*(?:[.!?;,\n]|$))",
    # Said short: "Det har jeg ikke."
    r"\b(?:det|den|dem) (?:har|havde) (?:jeg|vi|han|hun) (?:ikke|aldrig)(?=\s*(?:[.!?;,\n]|$))",
    r"\b(?:did not|didn'?t|never|has not|hasn'?t|have not|haven'?t|had not|hadn'?t) (?:\S+ )?"
    r"(?:send|sent|write|wrote|written|share|shared|e-?mailed|mailed|messaged)" + _SENT_WHAT,
    r"\bnot (?:sent|written) by (?:me|him|her|us|them)\b",
    # "som jeg ikke har sendt", "adresser jeg aldrig har skrevet til".
    r"\b(?:jeg|vi|han|hun) (?:ikke|aldrig) (?:har|havde) (?:sendt|skrevet|afsendt)\b"
    r"(?! (?:\S+ )?(?:endnu|svar))",
    # "Det var det ikke", "it wasn't me"; "Den mail kender jeg ikke noget til".
    r"\b(?:det|den|that|it) (?:var|er|was|is) (?:det |den |it )?(?:ikke|not)(?: (?:mig|me))?"
    r"(?=\s*(?:[.!?;,\n]|$))|\b(?:wasn'?t|isn'?t) me\b|\bikke mig der\b",
    r"\b(?:kender|ved) (?:jeg|vi|han|hun) (?:ikke|intet) (?:noget )?(?:til|om)\b|\b(?:jeg|vi|han|"
    r"hun) (?:kender|ved) (?:ikke|intet) (?:noget )?(?:til|om)\b|\b(?:knows?|knew) nothing about\b|"
    r"\b(?:don'?t|doesn'?t|didn'?t) know anything about\b",
    # Nobody was at the keyboard: "Jeg har sovet", "I was asleep".
    r"\b(?:har|havde) (?:\S+ )?(?:sovet|været (?:væk|på ferie|offline|syg\w*|fraværende))\b|"
    r"\b(?:jeg|vi|han|hun) (?:sov|var (?:ikke ved|væk|på ferie))\b|"
    r"\b(?:i|we|he|she) (?:was|were) (?:asleep|away|on holiday|on vacation|not at)\b",
)
# Where an unknown sign-in came from: "fra Nigeria", "from another country".
_PLACES = (
    r"(?:udlandet|et andet land|another country|abroad|overseas|"
    r"nigeria|rusland|russia|kina|china|usa|amerika|america|brasilien|brazil|indien|india|"
    r"ukraine|tyrkiet|turkey|vietnam|iran|nordkorea|north korea|rumænien|romania|bulgarien|"
    r"bulgaria|holland|netherlands|tyskland|germany|frankrig|france|spanien|spain|polen|"
    r"poland|singapore|hong ?kong|sydafrika|south africa|marokko|morocco|ghana|pakistan|"
    r"indonesien|indonesia|filippinerne|philippines|litauen|lithuania|letland|latvia)\b"
)
_FOREIGN_PLACE = rf"(?:fra|from) (?:\S+ )?{_PLACES}"
# Or where it is said to be: "signed in on a Windows PC in Romania", "et login i Holland"
# (tune17); not the writer's own log-on abroad ("I logged in from the hotel in Spain").
_FOREIGN_PLACE_IN = rf"(?:in|i) (?:\S+ )?{_PLACES}"
# mend17 (issue 16 review): the words between a sign-in and its place name no office of
# ours ("the sign-ins from our office in Germany are slow" is our own site), and the
# sentence does not call it known ("fra hotellet, det er fint", "on a business trip").
_NOT_OUR_OFFICE = r"(?:(?!(?:kontor|office|afdeling|filial|branch|lager)\w* )\S+ )"
_KNOWN_TRIP = (
    r"(?![^.!?\n]*\b(?:fra hotellet|from the hotel|from his hotel|from her hotel|det er fint|"
    r"that'?s fine|it'?s fine|som aftalt|as agreed|forretningsrejse|business trip|on business)\b)"
)
# A request to approve a sign-in: the Authenticator's prompts, push notifications.
_MFA_PROMPT = (
    r"(?:authenticator\w*|godkendelser|godkendelsesanmodning\w*|(?:login|log-?ind|mfa|push)-?"
    r"(?:anmodning|notifikation|besked)\w*|anmodning\w* om (?:at )?godkend\w*|push-?notifi\w*|"
    r"(?:sign-?in|login|log-?in|mfa|authenticator|approval|push) (?:requests?|notifications?|"
    r"prompts?)|notifications? (?:to|asking me to) approve)"
)
