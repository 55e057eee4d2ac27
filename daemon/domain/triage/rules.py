"""The built-in triage rules (BR-8, BR-9, BR-10), as data.

Each is a `Rule` (model.py), written with the fragments of phrases.py so that a
phrase such as "kan ikke" is spelled one way for all of them. `[triage] rules` in the
config file adds rules with the same keys; `replace_defaults` drops these.
"""

from __future__ import annotations

import functools

from daemon.domain.outside_services import OUTSIDE_SERVICES
from daemon.domain.triage.model import Rule
from daemon.domain.triage.phrases import (
    ACCOUNT,
    APP,
    CANT,
    CONNECT_DA,
    CONNECT_EN,
    DOWN_DA,
    DOWN_EN,
    EVERYONE,
    GAVE,
    HYPOTHETICAL,
    IKKE,
    KAN_IKKE,
    LOCKED_DA,
    LOCKED_EN,
    LOG_ON,
    LURE,
    NET,
    NET_EN,
    NET_NOUN,
    NOT_WORKING_DA,
    NOT_WORKING_EN,
    PASSWORD,
    PRINT,
    PRINT_VERB,
    RESOLVED,
    SECRET,
    SYSTEM,
    TRAINING,
    gap,
)


def _build_default_rules(outside: tuple[str, ...]) -> tuple[Rule, ...]:
    # In order: of the critical rules that match, the first names the case's reason.
    return (
        Rule(
            # BR-9 "mistanke om hack", BR-10: a security incident, one user is enough.
            name="suspected_hack",
            critical=True,
            priority="high",
            patterns=(
                r"\b(?:hack|hacket|hacked|hacker|hackere|hackerne|hackers|hacking|hackerangreb\w*|"
                r"hackingforsøg|hack-?angreb\w*|hacke|hackes)\b",
                # The common misspelling; "lyden er hakket" (choppy sound) is no hack.
                r"\b(?:blevet|bliver|blive) hakket\b",
                r"\b(?:kompromitteret|kompromiteret|compromised)\b",
                r"\b(?:ransomware|malware|trojan\w*|cryptolocker|keylogger|spyware)\b",
                r"(?<!anti-)(?<!anti )\bvirus\b(?! ?(?:scan|program|beskyttelse|protection|software))",
                r"\b(?:filer(?:ne)?|files|documents|dokumenter(?:ne)?) (?:\S+ ){0,2}?"
                r"(?:krypteret|encrypted)\b|\bløsesum\b|\bransom\b",
                r"\b(?:uautoriseret|unauthori[sz]ed) (?:\S+ )?(?:adgang|login|log-?in|access|sign-?in)",
                r"\b(?:ukendte?|usædvanlige?|mistænkelige?|unusual|suspicious|unknown) "
                r"(?:login|log-?ins?|logon|log-?ind|sign-?ins?|aktivitet|activity)\b",
                r"\b(?:nogen|en anden|en fremmed|fremmede|someone|somebody|an unknown person) "
                r"(?:\S+ ){0,2}?(?:logget|logger|loggede|logged|signed) (?:ind|på|in|on|into)\b",
                r"\b(?:mistanke om|mistænker|suspect|suspected|suspicion of) (?:\S+ ){0,3}?"
                r"(?:indbrud|misbrug|breach|intrusion|unauthori[sz]ed)",
                r"\b(?:sikkerhedsbrud|databrud|data breach|security breach)\b",
                r"\b(?:spam|mærkelige mails|underlige mails|mistænkelige mails|strange e?mails|"
                r"weird e?mails|suspicious e?mails) (?:\S+ ){0,3}?(?:sendt|sendes|sent|going out) "
                r"(?:\S+ ){0,2}?(?:fra min|i mit navn|from my|in my name)",
                r"\b(?:klikket|klikkede|trykket|trykkede|åbnet|åbnede|indtastet|indtastede|tastet|"
                r"tastede|clicked|opened|entered|typed)\b[^.!?;\n]{0,80}?"
                r"\b(?:phishing|mistænkelig\w*|svindel\w*|falsk\w*|fake|suspicious|scam)",
                r"\b(?:phishing|mistænkelig\w*|svindel\w*|suspicious|scam)\b[^.!?;\n]{0,80}?"
                r"\b(?:klikket|klikkede|trykket|trykkede|indtastet|indtastede|tastet|tastede|"
                r"clicked|entered|typed)\b",
                # "Der bliver sendt spam fra min mail", "sending spam from our account".
                r"\b(?:sendt|sendes|sender|sent|sending|going out) (?:\S+ ){0,3}?(?:spam|mærkelige|"
                r"underlige|mistænkelige|phishing|strange|weird|suspicious)\w* (?:\S+ ){0,3}?"
                r"(?:fra|from|i|in) (?:min|mit|vores|hans|hendes|deres|sin|my|our|his|her|their) "
                r"(?:mail\w*|e-?mail\w*|konto\w*|account|navn|name)",
                # "Min mail sender spam ud": the lookbehinds keep the verb the start word
                # (starts.py), a mailbox before it is too common a word to start from.
                r"(?:(?<=mail )|(?<=mailen )|(?<=konto )|(?<=kontoen )|(?<=account )|"
                r"(?<=mailbox ))(?:sender|udsender|sends|is sending|has sent|har sendt) "
                r"(?:\S+ ){0,2}?(?:spam|mærkelige|underlige|phishing|strange|weird|suspicious)",
                r"\b(?:udsat for|ramt af|offer for|faldet for|victim of|fallen for|fell for|hit by) "
                r"(?:\S+ )?(?:phishing|svindel|hack\w*|angreb|cyberangreb|attack|cyberattack|scam)",
                # Someone else in a mailbox or an account: "nogen har adgang til min mail".
                r"\b(?:nogen|en anden|en fremmed|fremmede|someone|somebody|a stranger) "
                r"(?:\S+ ){0,2}?(?:har|havde|has|have|had) (?:\S+ )?(?:adgang|access) (?:til|to) "
                r"(?:min|mit|vores|hans|hendes|deres|my|our|his|her|their)\b",
            ),
            negatable=True,
            outside=outside,
            excludes=(
                r"\bikke (?:\S+ )?(?:blevet )?(?:hacket|hakket|kompromitteret)\b",
                r"\b(?:not|never|wasn'?t|haven'?t|hasn'?t) (?:\S+ )?(?:been )?(?:hacked|compromised)\b",
                r"\b(?:ikke|not|didn'?t|haven'?t|har ikke) (?:\S+ )?(?:klikket|trykket|åbnet|"
                r"clicked|opened)\b",
                r"\b(?:hackathon|life ?hacks?|growth ?hack\w*)\b",
                r"\b(?:undgå|avoid|forebygge|prevent)\w* (?:\S+ ){0,3}?(?:hack|hacked|hacket|hacking)",
                r"\b(?:beskytte?|protect)\w* (?:\S+ ){0,3}?(?:mod|against|from) "
                r"(?:hack|hacker|hacking)",
                r"\b(?:kursus|kurser|webinar|course|training|awareness|foredrag|phishing-?test|"
                r"simulation|simuleret)\w*",
                *HYPOTHETICAL,
            ),
        ),
        Rule(
            # BR-9/BR-10 "mistanke om hack": a password or login given to a lure (a link,
            # a page, a caller) is a compromised account, whatever service the lure faked.
            name="phishing_credentials",
            critical=True,
            priority="high",
            patterns=(
                rf"\b{GAVE} {gap(4)}{SECRET}\b",
                r"\b(?:logget|loggede|logged|signed) (?:\S+ ){0,4}?(?:falsk\w*|fake|phishing\w*|"
                r"svindel\w*|forfalsket\w*|spoof\w*)",
                r"\b(?:klikket|klikkede|trykket|trykkede|clicked|tapped) (?:\S+ ){0,6}?"
                r"(?:logget|loggede|logged|signed) (?:ind|på|paa|in|on)\b",
            ),
            requires_any=LURE,
            excludes=(*HYPOTHETICAL, *TRAINING),
            negatable=True,
        ),
        Rule(
            # A link or attachment opened from a mail the writer calls fake ("falsk
            # PostNord-mail", "svindel"): malware or a stolen login may follow.
            name="phishing_link",
            critical=True,
            priority="high",
            patterns=(
                r"\b(?:klikket|klikkede|klikke|trykket|trykkede|åbnet|åbnede|clicked|opened|"
                r"tapped|followed) (?:\S+ ){0,4}?(?:link\w*|vedhæft\w*|bilag\w*|attachment\w*|"
                r"fil(?:en)?|file)\b",
            ),
            requires_any=(
                r"\b(?:falsk\w*|svindel\w*|snydt|snyd\w*|phishing\w*|fake|scam\w*|spoof\w*|"
                r"mistænkelig\w*|suspicious|virus|malware|ransomware)",
                r"\bikke (?:var )?(?:ægte|rigtig)|\bnot (?:real|genuine|legit)",
            ),
            excludes=(*HYPOTHETICAL, *TRAINING),
            negatable=True,
        ),
        Rule(
            # BR-8 "Der er ikke forbindelse til internettet fra kontoret. Alle er berørt."
            name="internet_down_everyone",
            critical=True,
            priority="high",
            patterns=(
                rf"\b{NET} {gap(3)}(?:{NOT_WORKING_DA}|{DOWN_DA}|falder ud|er faldet ud|"
                r"er røget|forsvandt|er forsvundet)",
                rf"\b(?:ingen|intet|ikke|mistet|mistede|uden|manglende) (?:noget |nogen |adgang til |"
                rf"forbindelse til |forbindelsen til |mere )?{NET_NOUN}\b",
                rf"\b{IKKE} (?:\S+ )?(?:haft|fået|har) (?:noget |nogen )?{NET_NOUN}\b",
                rf"\b{KAN_IKKE} {gap(3)}(?:komme|gå|være|koble) (?:på|ud på|online på|ind på) "
                r"(?:nettet|internettet|internet|net)\b",
                rf"\b{KAN_IKKE} {gap(3)}(?:komme|gå) online\b",
                rf"\b{KAN_IKKE} {gap(3)}forbinde (?:til|på) {NET}",
                r"\b(?:internet|net)nedbrud\b|\bnedbrud (?:på|af) (?:internettet|nettet|netværket)\b",
                rf"\b(?:ingen|nobody|no[- ]?one) {gap(3)}(?:har|får|kan få|has|gets) (?:\S+ )?"
                rf"(?:{NET_NOUN}|{NET_EN})\b",
                rf"\b(?:ingen|nobody|no[- ]?one|none of us) {gap(3)}(?:kan|can) {gap(2)}"
                r"(?:komme|gå|get|go) (?:på |ud på |on )?(?:nettet|internettet|online|the internet)\b",
                rf"\b(?:the |our )?{NET_EN} (?:connection )?{gap(2)}"
                rf"(?:{DOWN_EN}|{NOT_WORKING_EN}|(?:is |'s )?out\b|keeps dropping|dropped)",
                r"\b(?:no|lost|lost the|lost our|without|no access to the|no access to|loss of) "
                r"(?:internet|network|wifi|wi-fi|connection to the internet|internet connection|"
                r"internet access|connectivity|network connection)\b",
                rf"\b{CANT} {gap(2)}(?:get online|go online|access the internet|access internet|"
                r"connect to (?:the )?internet|get on the internet|connect to (?:the )?(?:wifi|wi-fi|"
                r"network))\b",
                r"\b(?:internet|network|wifi|broadband) outage\b",
            ),
            # The office's line is everyone's: "ingen internet på kontoret".
            requires_any=(
                *EVERYONE,
                r"\b(?:på|i|fra|from|in|at) (?:hele )?(?:kontoret|butikken|klinikken|firmaet|"
                r"lageret|the office)\b",
            ),
            excludes=(
                *RESOLVED,
                *HYPOTHETICAL,
                r"\b(?:det|problemet) er ikke (?:internet|nettet)",
                # The line at someone's home is theirs, not the office's.
                r"\b(?:derhjemme|hjemme|at home)\b",
            ),
            negatable=True,
        ),
        Rule(
            # BR-8 "Det er ikke muligt at forbinde til din IT-løsning. Alle er berørt."
            name="it_solution_down_everyone",
            critical=True,
            priority="high",
            patterns=(
                rf"\b{KAN_IKKE} {gap(3)}{CONNECT_DA}\b",
                rf"\b{SYSTEM} {gap(3)}(?:{DOWN_DA}|{NOT_WORKING_DA}|svarer {IKKE}|"
                rf"reagerer {IKKE}|kan {IKKE} (?:tilgås|nås)|er utilgængelig\w*|{DOWN_EN}|"
                rf"{NOT_WORKING_EN}|(?:is |are )?(?:unavailable|unreachable|not responding))",
                rf"\b(?:ingen|ikke|mistet) (?:noget |nogen )?(?:forbindelse|adgang|kontakt) "
                rf"(?:til|på) (?:\S+ )?{SYSTEM}\b",
                rf"\b{CANT} {gap(2)}{CONNECT_EN}\b",
                rf"\b(?:ingen|nobody|no[- ]?one|none of us) {gap(3)}(?:kan|can) {gap(2)}"
                rf"(?:{CONNECT_DA}|{CONNECT_EN}|sende|modtage|åbne|bruge|send|receive|open|use)\b",
                rf"\b(?:ingen|nobody|no[- ]?one|none of us) {gap(3)}(?:har|has|have|får|gets) "
                rf"(?:\S+ )?(?:adgang|forbindelse|access|connection) (?:til|to) (?:\S+ )?{SYSTEM}\b",
                rf"\b(?:no |lost (?:the |our )?|without (?:any )?)(?:connection|access|connectivity) "
                rf"to (?:the |our )?{SYSTEM}\b",
                r"\b(?:nedbrud|driftsforstyrrelse\w*|outage|service disruption)\b",
                rf"\b(?:{KAN_IKKE}|{CANT}) {gap(2)}(?:sende|modtage|send|receive) (?:\S+ )?"
                r"(?:mails?|e-?mails?|post)\b",
                # An existing program that will not start is one user's simple task
                # (BR-13); for everyone, the office cannot work.
                rf"\b{APP} {gap(2)}(?:vil|kan|kunne|ville) (?:\S+ )?{IKKE} (?:\S+ )?"
                r"(?:starte|åbne|åbnes|køre|loade|indlæse)\b",
                rf"\b{APP} (?:starter|åbner|åbnes|kører|loader) (?:\S+ )?{IKKE}\b",
                rf"\b{APP} {gap(2)}(?:crash\w*|krasher|crasher|fryser|hænger|lukker ned|freezes|"
                r"freezing)\b",
                rf"\b(?:{KAN_IKKE}|{CANT}) {gap(2)}(?:åbne|starte|bruge|open|start|use) {APP}",
                rf"\b{APP} (?:\S+ )?(?:won'?t|will not|doesn'?t|does not|can'?t|cannot|fails to) "
                r"(?:\S+ )?(?:start|open|launch|load|run)\b",
            ),
            requires_any=EVERYONE,
            excludes=(
                *RESOLVED,
                *HYPOTHETICAL,
                r"\b(?:der var|there was|var|was) (?:\S+ )?(?:et |an? )?(?:nedbrud|outage|"
                r"driftsforstyrrelse)",
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
                rf"\b{KAN_IKKE} {gap(3)}{PRINT_VERB}\b",
                rf"\b{PRINT} {gap(3)}(?:{NOT_WORKING_DA}|printer {IKKE}|udskriver {IKKE}|"
                rf"{DOWN_DA}|{DOWN_EN}|{NOT_WORKING_EN}|(?:is |are )?(?:not printing|stuck|"
                rf"failing))",
                rf"\b(?:ingen|nobody|no[- ]?one|none of us) {gap(3)}(?:kan|can) {gap(2)}"
                rf"{PRINT_VERB}\b",
                rf"\b{CANT} {gap(2)}(?:print|printing)\b",
                rf"\budskrift(?:er|erne)? (?:\S+ )?(?:kommer|går) {IKKE} (?:ud|igennem)\b",
                rf"\b(?:ingen|none) (?:af |of )?(?:\S+ )?{PRINT} (?:\S+ )?(?:virker|fungerer|printer|"
                r"works?)\b",
            ),
            requires_any=EVERYONE,
            excludes=(*RESOLVED, *HYPOTHETICAL),
            negatable=True,
        ),
        Rule(
            # BR-9 "Din konto er låst til systemet."
            name="account_locked",
            critical=True,
            priority="high",
            patterns=(
                rf"{ACCOUNT}\b {gap(4)}(?:er|blev|bliver|er blevet|har været|is|has been|got|was|"
                rf"gets|keeps getting|seems) (?:\S+ ){{0,2}}?(?:{LOCKED_DA}|{LOCKED_EN})\b"
                r"(?! op\b| up\b)",
                rf"\b(?:{LOCKED_DA}|{LOCKED_EN}) (?:\S+ )?(?:ude|out)\b",
                rf"\b(?:{LOCKED_EN}|{LOCKED_DA}) (?:my |the |our |his |her |their |min |mit |sin |"
                r"sit |hans |hendes |deres |vores )?(?:account|konto|bruger)",
                # Without æøå: "min konto er last", "last ude".
                rf"{ACCOUNT}\b {gap(3)}(?:er|blev|bliver|er blevet) (?:\S+ )?last\b(?! op\b)",
                r"\blast ude\b",
                rf"{ACCOUNT}\b (?:{LOCKED_DA}|{LOCKED_EN})\b(?! op\b| up\b)",  # "konto låst"
                # A subject of one word, "Låst!", "Locked out": on a helpdesk, the account.
                r"^(?:l(?:å|aa)st|locked)(?: ude| out)?\W*\n",
                rf"\b(?:l(?:å|aa)se|oplåse|unlock|unblock|reactivate|genaktiver\w*) {gap(2)}"
                rf"{ACCOUNT}\b",
                r"\bfor mange (?:\S+ )?(?:forsøg|login-?forsøg|loginforsøg)\b",
                r"\btoo many (?:\S+ ){0,2}?attempts\b",
            ),
            excludes=(
                r"\b(?:l(?:å|aa)st|l(?:å|aa)ste) op\b|\bunlocked\b",
                rf"\b(?:ikke|not|isn'?t|wasn'?t|aren'?t) (?:\S+ )?(?:længere |mere |longer )?"
                rf"(?:{LOCKED_DA}|{LOCKED_EN})\b",
                r"\b(?:kontoret|bygningen|huset|lokalet|døren|dør|nøgle\w*|building|door|keys?)\b",
                r"\b(?:bankkonto\w*|nemkonto\w*|bank account)",
                r"\b(?:fil(?:en|er|erne)?|dokument\w*|regneark\w*|files?|documents?) "
                r"(?:\S+ )?(?:er |is )?(?:l(?:å|aa)st|locked)",
                r"\b(?:bil(?:en)?|cykl(?:en)?|cykel|skab(?:et)?|skuffe(?:n)?|car|bike)\b",
                *HYPOTHETICAL,
            ),
            negatable=True,
            outside=outside,
        ),
        Rule(
            # BR-9 "Din kode virker ikke." Includes an expired password (BR-18's example 2).
            name="password_not_working",
            critical=True,
            priority="high",
            patterns=(
                rf"\b{PASSWORD}\b {gap(3)}(?:{NOT_WORKING_DA}|{NOT_WORKING_EN}|"
                r"(?:er|is|has|er blevet|has been|was) (?:\S+ )?(?:udløbet|løbet ud|forkert|"
                r"ugyldig|afvist|expired|wrong|incorrect|invalid|rejected|not recogni[sz]ed)|"
                r"udløb\b|løb ud|expired|(?:bliver|blev|gets|got|keeps being) (?:\S+ )?"
                rf"(?:afvist|rejected|declined)|(?:accepteres|godkendes|passer) {IKKE}|"
                rf"(?:bliver|blev) (?:\S+ )?{IKKE} (?:accepteret|godkendt|genkendt)|"
                r"(?:isn'?t|is not|wasn'?t|was not|not) (?:being )?accepted)",
                rf"\b(?:forkert|forkerte|ugyldig|ugyldigt|udløbet|udløbne|wrong|incorrect|invalid|"
                rf"expired) (?:\S+ )?{PASSWORD}\b",
                rf"\b(?:glemt|glemte|forgot|forgotten) (?:\S+ )?{PASSWORD}\b",
                rf"\bhusker {IKKE} (?:\S+ )?{PASSWORD}\b",
                rf"\b(?:{KAN_IKKE}|{CANT}) {gap(2)}(?:huske|skifte|ændre|remember|change) "
                rf"(?:\S+ )?{PASSWORD}\b",
            ),
            excludes=(
                r"\b(?:qr|rabat|kampagne|alarm|dør|fejl|kilde|html|promo|gave|wifi|wi-fi|gæste)"
                r"[- ]?kode",
                r"\b(?:ikke|not|isn'?t|wasn'?t) (?:\S+ )?(?:udløbet|expired)\b",
                *HYPOTHETICAL,
            ),
            negatable=True,
            outside=outside,
        ),
        Rule(
            # BR-10: log-on problems are operations-critical, for one user too.
            name="login_failure",
            critical=True,
            priority="high",
            patterns=(
                rf"\b{KAN_IKKE} {gap(3)}{LOG_ON}\b",
                rf"\b{KAN_IKKE} {gap(2)}komme (?:ind|på|paa|pa) (?:på |paa |pa |i )?(?:min |mit |vores |sin |den |"
                r"det )?(?:pc|computer|konto|mail|outlook|teams|systemet|maskine|bærbar|laptop|"
                r"windows|office|microsoft|sharepoint|onedrive|citrix|fjernskrivebord|vpn)",
                rf"\b(?:logger|login|logon|log-?in|log-?on|pålogning(?:en)?|indlogning(?:en)?|"
                rf"sign-?in|sign-?on) {gap(2)}(?:{IKKE} (?:på|ind)|fejler|fejlede|mislykke\w*|"
                rf"{NOT_WORKING_DA}|fails|failed|failing|{NOT_WORKING_EN}|problem\w*|error|fejl|"
                r"issues?|trouble)\b",
                r"\b(?:problem(?:er)?|issues?|trouble|besvær|vanskeligheder) (?:med (?:at )?|with |"
                r"when )?(?:\S+ )?(?:logge? (?:på|ind)|log-?in|log-?on|login|logon|pålogning|"
                r"indlogning|sign(?:ing)?[- ]in|logging (?:in|on))\b",
                rf"\b{CANT} {gap(2)}(?:log ?in|log ?on|login|logon|sign ?in|sign ?on|get into "
                r"(?:my |the )?(?:account|computer|pc|laptop|email|mailbox|outlook))\b",
                r"\b(?:smidt|kicked|thrown) (?:\S+ )?(?:ud|out) (?:af|of)\b",
                # "Ingen kan logge på", "nobody in the office can log in": everyone's.
                rf"\b(?:ingen|nobody|no[- ]?one|none of (?:us|the \S+)) {gap(3)}(?:kan|kunne|"
                rf"har kunnet|can|could) {gap(2)}(?:{LOG_ON}|log ?in|log ?on|sign ?in|login)\b",
            ),
            excludes=HYPOTHETICAL,
            negatable=True,
            outside=outside,
        ),
        Rule(
            # BR-10 names "password reset" operations-critical; a planned one is not.
            name="password_reset",
            critical=True,
            priority="high",
            patterns=(
                rf"\b(?:nulstil\w*|reset\w*|resett\w*|midlertidig\w*|temporary) {gap(2)}"
                rf"{PASSWORD}\b",
                rf"\b{PASSWORD}[- ]?(?:reset|nulstil)\w*",
            ),
            excludes=(
                r"\b(?:næste|kommende|next|coming|upcoming) (?:uge|måned|mandag|tirsdag|onsdag|"
                r"torsdag|fredag|week|month|monday|tuesday|wednesday|thursday|friday)\b",
                r"\bom (?:en|to|tre|\d+) (?:uge|uger|dage)\b",
                r"\b(?:på|on) (?:mandag|tirsdag|onsdag|torsdag|fredag|monday|tuesday|wednesday|"
                r"thursday|friday)\b|\bi morgen\b|\btomorrow\b",
                r"\bin (?:a|two|three|\d+) (?:weeks?|days)\b",
                r"\b(?:nye? medarbejder\w*|nyansat\w*|new (?:employee|hire|starter|colleague|user)s?|"
                r"onboarding|offboarding|fratrådt\w*|fratræder|fratrædelse|leaver|left the company)\b",
                r"\b(?:starter|starts|begynder) (?:hos os |on |here )?(?:på|den|i|på mandag|"
                r"monday|next|mandag|tirsdag|onsdag|torsdag|fredag|\d)",
                r"\b(?:politik\w*|policy|policies|krav(?:ene)?|requirements?|regler|rules|"
                r"hvor ofte|how often|selvbetjening|self-?service|sspr)\b",
                r"\bhvordan\b|\bhow (?:do|can|to)\b",
            ),
            negatable=True,
            outside=outside,
        ),
        Rule(
            # BR-9 "Din computer melder om systemfejl." A BIOS or boot error is one too.
            name="system_error",
            critical=True,
            priority="high",
            patterns=(
                r"\bsystem[- ]?fejl\w*",
                r"\bsystem ?errors?\b|\b(?:critical|fatal) (?:system )?errors?\b",
                r"\b(?:kritisk|alvorlig|fatal)e? (?:system)?fejl\b",
                r"\bblue ?screen\b|\bblå ?skærm(?:en)?\b|\bblaa ?skaerm\b|\bbsod\b",
                r"\bkernel panic\b|\bstop ?code\b|\bstopkode\b",
                r"\bbios[- ]?(?:fejl\w*|errors?)\b|\bfejl i bios\w*",
                r"\bboot[- ]?(?:fejl\w*|errors?|loop)\b|\bopstartsfejl\b",
                r"\b(?:no bootable device|inaccessible boot device|bootmgr is missing)\b",
                r"\bautomati(?:c|sk) (?:repair|reparation)\b",
                r"\bbitlocker[- ]?(?:recovery|genoprettelse\w*|gendannelse\w*)|"
                r"\b(?:beder|spørger) om (?:\S+ )?bitlocker",
                r"\b(?:din|your) (?:pc|enhed|device) (?:stødte på et problem|ran into a problem)",
            ),
            excludes=(
                r"\b(?:ingen |ikke (?:en |nogen )?|no |not an? )(?:system[- ]?fejl|system errors?|"
                r"blue ?screens?|blå ?skærm)",
                *RESOLVED,
                *HYPOTHETICAL,
            ),
            negatable=True,
        ),
    )




@functools.cache
def default_rules(outside: tuple[str, ...] = OUTSIDE_SERVICES) -> tuple[Rule, ...]:
    """The built-in rules, built on first use: building them compiles and analyses
    every regex, which a command that never classifies need not wait for.

    `outside`: regexes of the services outside the customer's IT (OUTSIDE_SERVICES)."""
    return _build_default_rules(outside)
