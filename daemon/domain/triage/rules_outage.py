"""The built-in rules for a fault that stops everyone (BR-8 "Alle er berørt"): the
internet, the IT solution, printing.

In order: of the critical rules that match, the first names the case's reason.
"""

from __future__ import annotations

from daemon.domain.triage.context import (
    _BLOCKED_BY_FILTER,
    _EVERYONE,
    _HYPOTHETICAL,
    _MISTAKEN,
    _ONLY_ONE,
    _PAST_SOLVED,
    _PLANNED,
    _RAN_FINE_SINCE,
    _RESOLVED,
)
from daemon.domain.triage.fragments import (
    _ANY_SYSTEM,
    _APP,
    _CANT,
    _CONNECT_DA,
    _CONNECT_EN,
    _CUT_OFF,
    _DOWN_DA,
    _DOWN_EN,
    _FAULT,
    _IKKE,
    _KAN_IKKE,
    _NET,
    _NET_EN,
    _NET_NOUN,
    _NOBODY,
    _NOBODY_CAN,
    _NOT_WORKING_DA,
    _NOT_WORKING_EN,
    _PRINT,
    _PRINT_VERB,
    _SYSTEM,
    _gap,
)
from daemon.domain.triage.model import Rule


def outage_rules(outside: tuple[str, ...]) -> tuple[Rule, ...]:
    return (
        Rule(
            # BR-8 "Der er ikke forbindelse til internettet fra kontoret. Alle er berørt."
            name="internet_down_everyone",
            critical=True,
            priority="high",
            patterns=(
                rf"\b{_NET} {_gap(3)}(?:{_NOT_WORKING_DA}|{_DOWN_DA}|falder ud|er faldet ud|"
                r"er røget|forsvandt|er forsvundet|forsvinder|driller|drillede|er ustabil\w*|ryger ud|"
                r"falder (?:\S+ )?ud|"
                r"smider os af|keeps disappearing|disappears|"
                r"is acting up|keeps dropping|keeps cutting out)",
                # "nu er vi alle offline", "we're all offline": the office, off the net.
                r"\b(?:vi er|er vi|we'?re|we are) (?:\S+ )?(?:\S+ )?(?:offline|uden net|uden internet|"
                r"without (?:the )?internet)\b",
                # "at der ikke er adgang til netværket": the verb between, as a clause puts it.
                rf"\bikke (?:er|var|har været) (?:noget |nogen )?(?:adgang|forbindelse) (?:til|på) {_NET}\b",
                rf"\b(?:ingen|intet|ikke|mistet|mistede|uden|manglende) (?:noget |nogen |adgang til |"
                rf"forbindelse til |forbindelsen til |mere )?{_NET_NOUN}\b",
                rf"\b{_IKKE} (?:\S+ )?(?:haft|fået|har) (?:noget |nogen )?{_NET_NOUN}\b",
                # "nu har alle pc'er mistet forbindelsen", "we lost the connection": the
                # connection with no system named is the line (a system: the next rule).
                r"\b(?:mistet|mistede|tabt|tabte|lost) (?:\S+ )?(?:forbindelse(?:n)?|connection|"
                r"connectivity)\b(?! (?:til|to|med|with) )",
                # "siden strømsvigtet har ingen computere på kontoret forbindelse", "ingen af
                # pc'erne har forbindelse": the machines, not the people, are without the net.
                rf"\b(?:har|havde|får|fik) ingen (?:af )?(?:vores |de )?(?:\S+ ){{0,4}}?"
                rf"(?:{_NET_NOUN}|forbindelse(?:n)?)\b(?! (?:med|til (?!nettet|internettet)))",
                rf"\bingen (?:af )?(?:vores |de )?(?:computere|computerne|pc'?er|pc'?erne|maskiner|"
                rf"maskinerne|enheder|enhederne|klienter) {_gap(4)}(?:har|får|kan få) (?:\S+ )?"
                rf"(?:{_NET_NOUN}|forbindelse(?:n)?)\b(?! (?:med|til (?!nettet|internettet)))",
                rf"\b{_KAN_IKKE} {_gap(3)}(?:komme|gå|være|koble) (?:på|ud på|online på|ind på) "
                r"(?:nettet|internettet|internet|net)\b",
                rf"\b{_KAN_IKKE} {_gap(3)}(?:komme|gå) online\b",
                rf"\b(?:{_KAN_IKKE}|{_NOBODY_CAN}) {_gap(3)}(?:forbinde|få forbindelse|koble) "
                rf"(?:sig )?(?:til|på) {_NET}",
                r"\b(?:internet|net)nedbrud\b|\bnedbrud (?:på|af) (?:internettet|nettet|netværket)\b",
                rf"\b(?:ingen|nobody|no[- ]?one) {_gap(5)}(?:har|får|kan få|has|gets) (?:\S+ )?"
                rf"(?:{_NET_NOUN}|{_NET_EN})\b",
                rf"\b{_NOBODY_CAN} {_gap(3)}"
                r"(?:komme|gå|get|go) (?:på |ud på |on )?(?:nettet|internettet|online|the internet)\b",
                # "ingen i huset kommer på nettet", "nobody gets online".
                rf"\b{_NOBODY} {_gap(4)}(?:kommer|går|gets|goes|is getting) (?:\S+ )?"
                r"(?:på nettet|på internettet|online|on the internet|onto the internet)\b",
                rf"\b(?:the |our )?{_NET_EN} (?:connection )?{_gap(2)}"
                rf"(?:{_DOWN_EN}|{_NOT_WORKING_EN}|(?:is |'s )?out\b|keeps dropping|dropped)",
                r"\b(?:no|lost|lost the|lost our|lost all|without|no access to the|no access to|loss of) "
                r"(?:internet|network|wifi|wi-fi|connection to the internet|internet connection|"
                r"internet access|connectivity|network connection)\b",
                rf"\b{_CANT} {_gap(2)}(?:get online|go online|access the internet|access internet|"
                r"connect to (?:the )?internet|get on the internet|connect to (?:the )?(?:wifi|wi-fi|"
                r"network))\b",
                r"\b(?:internet|network|wifi|broadband) outage\b",
                r"\b(?:netværks|internet|net|wifi)-?(?:problemer|problem|nedbrud|fejl)\b|"
                r"\b(?:network|internet|wifi|connection) (?:problems|issues|trouble)\b",
                # The net and a fault in any words, in one clause (with everyone, as above).
                rf"\b(?:{_NET}|{_NET_EN})\b\S* (?:[^\s.!?;,:]+ ){{0,6}}?[\x22']?{_FAULT}",
                rf"\b{_NET_EN}'s (?:been |gone |still )?(?:down|dead|offline|out)\b",
                # "so slow that nobody can work": slow enough to be down.
                rf"\b(?:{_NET}|{_NET_EN}) (?:\S+ ){{0,2}}?(?:so slow|så langsomt?|så ustabilt?|"
                r"so unstable) (?:that|at)\b",
                r"\b(?:whole|entire|hele) (?:office|company|building|kontoret|firmaet|huset|butikken|"
                r"bygningen) (?:is |er )?(?:offline|down|nede|uden net)\b",
            ),
            # The office's line is everyone's: "ingen internet på kontoret".
            requires_any=(
                *_EVERYONE,
                r"\b(?:på|i|fra|from|in|at) (?:hele )?(?:kontoret|butikken|klinikken|firmaet|"
                r"lageret|the office)\b",
            ),
            excludes=(
                *_RESOLVED,
                *_PAST_SOLVED,
                *_HYPOTHETICAL,
                *_PLANNED,
                *_MISTAKEN,
                *_RAN_FINE_SINCE,
                *_ONLY_ONE,
                r"\b(?:det|problemet) er ikke (?:internet|nettet)",
                # The line at someone's home is theirs, not the office's.
                r"\b(?:derhjemme|hjemme|hjemmefra|at home|from home)\b",
            ),
            negatable=True,
        ),
        Rule(
            # BR-8 "Det er ikke muligt at forbinde til din IT-løsning. Alle er berørt."
            name="it_solution_down_everyone",
            critical=True,
            priority="high",
            patterns=(
                rf"\b{_KAN_IKKE} {_gap(3)}{_CONNECT_DA}\b",
                # "netværksdrev (p:, s: og f:) er væk": the drive letters in brackets.
                rf"\b{_SYSTEM} (?:\([^()\n]{{0,30}}\) )?{_gap(3)}(?:{_DOWN_DA}|{_NOT_WORKING_DA}|"
                rf"svarer {_IKKE}|"
                rf"reagerer {_IKKE}|kan {_IKKE} (?:tilgås|nås|findes|ses|åbnes|bruges)|"
                rf"er utilgængelig\w*|{_DOWN_EN}|"
                r"fejler|fejlede|mislykkes|fails|failed|failing|keeps failing|genstarter|afviser|"
                r"rejects|refuses|blokerer|blocks|forbinder ikke|vil ikke (?:forbinde|koble)|"
                r"(?:won'?t|doesn'?t|does not|will not|can'?t|cannot) connect|"
                r"keeps (?:restarting|rebooting|crashing)|"
                r"(?:won'?t|doesn'?t|does not|will not|isn'?t) (?:respond|responding)|"
                rf"{_NOT_WORKING_EN}|(?:is |are )?(?:unavailable|unreachable|not responding))",
                rf"\b(?:ingen|ikke|mistet) (?:er |var |har været )?(?:noget |nogen )?(?:forbindelse(?:n)?|"
                rf"adgang(?:en)?|kontakt(?:en)?) "
                rf"(?:til|på) (?:(?:\S+ ){{0,2}}?{_ANY_SYSTEM}|noget|nogenting|anything)\b",
                # Danish verb-first: "siden i nat har ingen af pc'erne forbindelse til serveren".
                r"\b(?:har|havde|får|fik) ingen (?:af )?(?:\S+ ){0,3}?(?:forbindelse(?:n)?|adgang(?:en)?|"
                rf"kontakt(?:en)?) (?:til|på) (?:(?:\S+ ){{0,2}}?{_ANY_SYSTEM}|noget|nogenting)\b",
                rf"\b{_CANT} {_gap(2)}{_CONNECT_EN}\b",
                rf"\b{_NOBODY_CAN} {_gap(3)}"
                rf"(?:{_CONNECT_DA}|{_CONNECT_EN}|sende|modtage|åbne|bruge|deltage|send|receive|open|"
                r"use|join)\b",
                rf"\b{_NOBODY} {_gap(3)}(?:har|has|have|får|gets) "
                rf"(?:\S+ )?(?:adgang|forbindelse|access|connection) (?:til|to) (?:\S+ )?{_ANY_SYSTEM}\b",
                rf"\b(?:no |lost (?:the |our )?|without (?:any )?)(?:connection|access|connectivity) "
                rf"to (?:the |our )?{_ANY_SYSTEM}\b",
                r"\b(?:nedbrud|driftsforstyrrelse\w*|outage|service disruption)\b",
                # "Business Central is so slow that none of us can work": slow enough to be down.
                rf"\b{_SYSTEM} (?:\S+ ){{0,2}}?(?:so slow|så langsomt?|så ustabilt?|so unstable) "
                r"(?:that|at)\b|\b(?:ubrugelig\w*|unusable)\b",
                # "our accounting system has been down", "the booking system is offline".
                r"\bsystems? (?:has been |have been |is |are |was |were |'s )?(?:still )?(?:down|"
                r"offline|unavailable|unreachable|not working|dead)\b|\bsystems? (?:can ?not|can'?t|"
                r"could ?not|couldn'?t) be (?:reached|accessed|opened|used)\b",
                # "Navision har smidt alle af", "Citrix kicked everyone out".
                rf"\b{_SYSTEM} {_gap(2)}(?:smider|smed|har smidt|kicks?|kicked|has kicked|throws?|"
                r"threw) (?:\S+ )?(?:os|alle|everyone|everybody|us|mig|me|folk) (?:\S+ )?(?:af|ud|out|"
                r"off)\b",
                # "alle er blevet smidt af systemet", "everyone got kicked out".
                r"\b(?:alle|vi|everyone|everybody|we|all of us) (?:\S+ ){0,2}?(?:smidt|kicked|thrown|"
                r"logged) (?:ud|af|out|off)\b",
                # A reply about the subject's system: "still down for everyone", "det er
                # stadig nede for alle", "it's down again".
                r"\b(?:still|stadig|fortsat) (?:\S+ )?(?:down|nede|offline|dead|død)\b|"
                r"\b(?:down|nede|offline) (?:igen|again)\b",
                # "afskåret fra at benytte vores økonomisystem", "cut off from the server".
                rf"\b{_CUT_OFF} (?:fra|from) (?:at )?(?:benytte|bruge|tilgå|anvende|få adgang til|"
                rf"adgang til|use|using|access|accessing|access to)? ?(?:\S+ ){{0,2}}?{_ANY_SYSTEM}\b",
                # "kan ikke åbnes af nogen": the system is named before it, in any words.
                rf"\bkan {_IKKE} (?:længere )?(?:tilgås|nås|åbnes|bruges|findes)\b",
                # "hele firmaet er uden mail og Teams", "without email".
                rf"\b(?:uden|without) (?:noget |nogen |any )?{_SYSTEM}\b",
                # "kan ikke åbne nogen filer på netværksdrevet".
                rf"\b(?:{_KAN_IKKE}|{_CANT}) {_gap(2)}(?:åbne|gemme|tilgå|hente|finde|open|save|"
                rf"access|find|reach) {_gap(3)}(?:på|i|on|in|from|fra) (?:the |our )?{_SYSTEM}\b",
                r"\b(?:kontoret|firmaet|butikken|klinikken|the office|our office) (?:\S+ )?(?:er|is) "
                r"(?:\S+ )?(?:nede|down|offline|lammet|paralysed|paralyzed)\b",
                r"\b(?:vores|our|hele|entire|whole|al) (?:\S+ )?it\b (?:\S+ )?(?:er|is) (?:\S+ )?(?:nede|"
                r"down|væk|gone|offline)\b",
                r"\b(?:alt|everything|det hele) (?:\S+ )?(?:er|is) (?:\S+ )?(?:nede|gået ned|down|"
                r"offline)\b|\b(?:intet|ingenting|nothing) (?:\S+ )?(?:virker|fungerer|works|is working)\b",
                rf"\b(?:{_KAN_IKKE}|{_CANT}) {_gap(2)}(?:sende|modtage|send|receive) (?:\S+ )?"
                r"(?:mails?|e-?mails?|post)\b",
                # Any wording of a fault, when the clause names one of our systems and a
                # failure: "Outlook giver fejl for alle", "the VPN times out for everyone".
                # Only with BR-8's everyone, like every pattern here.
                rf"\b(?:{_SYSTEM}|crm|kasseapparat\w*|office-?\w*)\b\S* (?:[^\s.!?;,:]+ ){{0,6}}?"
                rf"[\x22']?{_FAULT}",
                # "tre kolleger som alle får fejl i Outlook".
                rf"\b(?:får|fik|gets?|getting|got) (?:\S+ )?(?:fejl\w*|errors?) (?:i|in|på|on|with|med|"
                rf"from|fra) (?:the )?{_APP}\b",
                # "Everyone gets an error when opening our accounting program".
                r"\b(?:gets?|getting|får|fik) (?:an |a |en )?(?:error|fejl\w*|fejlmeddelelse) (?:when|ved|"
                r"når) (?:\S+ ){0,2}?(?:opening|open|starting|logging|åbner|starter|logger)\b",
                r"\b(?:ikke|haven'?t|hasn'?t|have not|has not|didn'?t|did not) (?:modtaget|fået|"
                r"sendt|kunnet sende|kunnet modtage|received|got|gotten|sent) (?:\S+ ){0,2}?"
                r"(?:mails?|e-?mails?)\b",
                rf"\b{_NOBODY} {_gap(3)}(?:har|has|have|får|gets|get) (?:\S+ )?(?:fået|modtaget|"
                r"received|got|gotten) (?:\S+ ){0,2}?(?:mails?|e-?mails?)\b",
                rf"\b{_NOBODY} {_gap(3)}(?:is |are )?(?:getting|receiving|gets|receives|får|"
                r"modtager) (?:\S+ ){0,2}?(?:mails?|e-?mails?)\b",
                r"\b(?:får|modtager|gets?|getting|receiv\w*) (?:ingen|ikke nogen|ikke flere|no|zero) "
                r"(?:\S+ )?(?:mails?|e-?mails?)\b",
                r"\b(?:mails?|e-?mails?|mailene) (?:\S+ ){0,3}?(?:aren'?t|are not|isn'?t|is not|not|"
                r"never) (?:arriving|coming (?:in|through)|getting through|going out|(?:being )?"
                r"delivered)\b",
                rf"\b(?:mails?|e-?mails?|mailene|mailsene) (?:\S+ ){{0,3}}?(?:kommer|går) {_IKKE} "
                r"(?:ind|igennem|frem|ud)\b",
                r"\bingen (?:af )?(?:vores |de )?(?:mails?|e-?mails?) (?:\S+ )?(?:går|kommer|bliver "
                r"sendt|sendes) (?:ud|ind|igennem|frem)\b",
                r"\b(?:mails?|e-?mails?|mailene|mailsene) (?:\S+ ){0,4}?(?:bliver|blev|er blevet|"
                r"bounce[sd]?|bouncing|kommer|are|get|gets) (?:\S+ )?(?:afvist|returneret|retur|"
                r"tilbage|back|bounced|rejected|bouncing)\b",
                r"\b(?:mails?|e-?mails?|mailene) (?:\S+ ){0,2}?(?:sidder fast|hænger|is stuck|are stuck|"
                r"stuck|bliver liggende) (?:i |in )?(?:udbakken|outbox|køen|the queue|queue)?",
                # An existing program that will not start is one user's simple task
                # (BR-13); for everyone, the office cannot work.
                rf"\b{_APP} {_gap(2)}(?:vil|kan|kunne|ville) (?:\S+ )?{_IKKE} (?:\S+ )?"
                r"(?:starte|åbne|åbnes|køre|loade|indlæse)\b",
                rf"\b{_APP} (?:starter|åbner|åbnes|kører|loader) (?:\S+ )?{_IKKE}\b",
                rf"\b{_APP} {_gap(2)}(?:crash\w*|krasher|crasher|fryser|hænger|lukker ned|freezes|"
                r"freezing)\b",
                rf"\b(?:{_KAN_IKKE}|{_CANT}) {_gap(2)}(?:åbne|starte|bruge|open|start|use) {_APP}",
                rf"\b{_APP} (?:\S+ )?(?:won'?t|will not|doesn'?t|does not|can'?t|cannot|fails to) "
                r"(?:\S+ )?(?:start|open|launch|load|run)\b",
            ),
            requires_any=_EVERYONE,
            excludes=(
                *_BLOCKED_BY_FILTER,
                *_RESOLVED,
                *_PAST_SOLVED,
                *_HYPOTHETICAL,
                *_PLANNED,
                *_MISTAKEN,
                *_RAN_FINE_SINCE,
                *_ONLY_ONE,
                r"\b(?:der var|there was|var|was) (?:\S+ )?(?:et |an? )?(?:nedbrud|outage|"
                r"driftsforstyrrelse)",
                # A room, a key or a lock, nothing of IT in the sentence: "Ingen kan komme ind i
                # køkkenet, nøglen er væk", "Nobody can get into the meeting room" (tune20,
                # issue 16's known false alarm). The building is not IT we run (BR-8, BR-9).
                r"^(?![^.!?\n]*\b(?:net\w*|internet\w*|wifi|pc\S*|computer\w*|\w*server\w*|"
                r"\w*system\w*|program\w*|mail\w*|konto\w*|accounts?|vpn|teams|outlook|windows|"
                r"login|log ?in|logge|sharepoint|onedrive|drev\w*|drive)\b)[^.!?\n]*\b(?:køkken\w*|"
                r"kantine\w*|mødelokale\w*|lokalet|kælder\w*|døren|dør|nøgle\w*|låsen|toilet\w*|"
                r"kitchen|canteen|meeting room|door|keys?|lock|basement|toilets?)\b",
                # A provider's outage across the country or the world is not the office's
                # IT ("Telenor har nedbrud i hele landet, så ingen af vores mobiler kan ringe").
                r"\b(?:i hele (?:landet|danmark|europa|verden)|landsdækkende|nationwide|across the "
                r"country|worldwide|world-?wide|globally|globalt)\b",
            ),
            negatable=True,
            outside=outside,
        ),
        Rule(
            # BR-8 "Kan ikke printe. Alle er berørt." One person's printer is not critical.
            name="printing_down_everyone",
            critical=True,
            priority="high",
            patterns=(
                rf"\b{_KAN_IKKE} {_gap(3)}{_PRINT_VERB}\b",
                rf"\b{_PRINT} {_gap(3)}(?:{_NOT_WORKING_DA}|printer {_IKKE}|udskriver {_IKKE}|"
                rf"{_DOWN_DA}|{_DOWN_EN}|{_NOT_WORKING_EN}|(?:is |are )?(?:not printing|stuck|"
                rf"failing)|(?:isn'?t|aren'?t) printing|(?:won'?t|doesn'?t|does not|will not) print)",
                rf"\b{_NOBODY_CAN} {_gap(3)}"
                rf"{_PRINT_VERB}\b",
                rf"\b{_CANT} {_gap(2)}(?:print|printing)\b",
                rf"\budskrift(?:er|erne)? (?:\S+ )?(?:kommer|går) {_IKKE} (?:ud|igennem)\b",
                rf"\bprinter (?:stadig |slet |bare )?(?:{_IKKE}|intet|ingenting)\b",
                rf"\b(?:kommer|comes) (?:{_IKKE}|intet|ingenting|nothing) (?:noget |anything )?(?:ud |out )?"
                rf"(?:af|from|of) (?:\S+ )?{_PRINT}",
                # A printer and a fault in any words, in one clause (with everyone).
                rf"\b{_PRINT}\b\S* (?:[^\s.!?;,:]+ ){{0,6}}?[\x22']?{_FAULT}",
                # "printeren melder fejl på alle pc'er": a printer and an error in one clause.
                rf"\b{_PRINT} (?:melder|viser|giver|siger|shows|gives|reports|says) (?:\S+ )?"
                r"(?:fejl\w*|errors?|offline)\b",
                rf"\b(?:ingen|none) (?:af |of )?(?:\S+ )?{_PRINT} (?:\S+ ){{0,2}}?(?:virker|fungerer|printer|"
                r"reagerer|svarer|works?|responds?|vil (?:\S+ )?(?:printe|udskrive|skrive ud)|"
                r"will (?:\S+ )?print|prints?)\b",
            ),
            # Since the scope decides here, its printer-only forms too: "ingen af
            # bonprinterne" (none of the printers), "hverken jeg eller Rasmus kan printe"
            # (the writer and the only other one at a printer).
            requires_any=(
                *_EVERYONE,
                r"\bingen af (?:de |vores )?\w*printer(?:ne|erne)\b",
                r"\b(?:hverken|neither) (?:jeg|i) (?:eller|nor) \S+ (?:kan|can)\b",
                # Both printers down (review18b): "begge printere står af", "both printers
                # are offline"; said down in the clause, not "toner til begge printere".
                r"\b(?:begge|both) (?:vores |de |the |our |of )?\w*printer(?:e|ne|s)\b"
                r"(?=[^.!?\n,;]{0,20}\b(?:nede|står af|døde|offline|virker ikke|fungerer ikke|"
                r"svarer ikke|down|dead|not working|do not work|don'?t work)\b)",
            ),
            excludes=(*_RESOLVED, *_PAST_SOLVED, *_HYPOTHETICAL, *_PLANNED, *_MISTAKEN,
                      *_RAN_FINE_SINCE, *_ONLY_ONE),
            negatable=True,
            scope_decides=True,
        ),
    )
