"""The built-in triage rules (BR-8, BR-9, BR-10), as data.

Each is a `Rule` (model.py), written with the fragments below so that a phrase such as
"kan ikke" is spelled one way for all of them. `[triage] rules` in the config file adds
rules with the same keys; `replace_defaults` drops these.
"""

from __future__ import annotations

import functools
import re

from daemon.domain.outside_services import OUTSIDE_SERVICES
from daemon.domain.triage.model import Rule
from daemon.domain.triage.replies import STILL_BROKEN

# Fragments for the patterns below. A "word" stops at sentence punctuation, so a gap
# of words never crosses into the next sentence.
_W = r"[^\s.!?;]+"


def _gap(words: int) -> str:
    return rf"(?:{_W} ){{0,{words}}}?"


# Up to five words, not past a comma or "men"/"but": "koden jeg satte i går og nu virker
# den ikke", not "koden er ok, men skærmen virker ikke".
_CLAUSE_GAP = r"(?:(?!men |but )[^\s.!?;,]+ ){0,5}?"


_IKKE = r"(?:ikke|ikk|ik)"
# "... for nogen af os at": who cannot, between "ikke muligt" and the verb.
_FOR_WHOM = rf"(?: for (?:{_W} ){{0,4}}?{_W}(?= at\b))?"
# "kan ikke", "kan jeg desværre ikke", "det er ikke muligt at", "det lykkes mig ikke at";
# formal: "det har ikke været muligt for nogen af vores ansatte at"; informal: "pc'en
# vil ikke lade mig", "Teams lader mig ikke", "Windows nægter at lade mig".
_KAN_IKKE = (
    rf"(?:(?:kan|kunne) {_gap(3)}{_IKKE}|{_IKKE} (?:muligt|kunnet|kan|kunne)|"
    rf"ikke (?:(?:har |havde )?været |længere )(?:muligt|kunnet){_FOR_WHOM}|"
    rf"(?:ikke muligt|umuligt){_FOR_WHOM}|lykke(?:s|des) (?:{_W} )?{_IKKE}{_FOR_WHOM}|"
    # Written from the negation, so that the scan starts at "ikke lade", not at "vil".
    r"ikke lade (?:mig|os|ham|hende|dem|nogen)|lader (?:mig|os|ham|hende|dem) (?:ikke|ik)|"
    r"nægter at lade (?:mig|os|ham|hende|dem))"
)
_CANT = (
    r"(?:can'?t|cannot|can ?not|couldn'?t|could not|unable to|not able to|"
    # "it won't let me", "refuses to let me", "it hasn't been possible for anyone to".
    r"(?:won'?t|will not|doesn'?t|refuses to) let (?:me|us|any of us|anyone)|"
    r"(?:not|hasn'?t|isn'?t|wasn'?t) (?:been )?possible (?:for (?:\S+ ){1,5}?)?to)"
)
# Nobody can: "ingen af os kan", "none of our shops can"; Danish puts the verb first
# after an adverb: "i dag kan ingen af os", "derfor kan ingen".
_NOBODY = r"(?:ingen|nobody|no[- ]?one|none of us|none of (?:our|the|them) \S+)"
_NOBODY_CAN = (
    rf"(?:{_NOBODY} {_gap(4)}(?:kan|kunne|har kunnet|can|could|(?:is|are|was|were) able to)|"
    r"(?:kan|kunne) ingen|"
    rf"(?:har|havde) ingen {_gap(4)}kunnet)"
)
_NOT_WORKING_DA = (
    rf"(?:(?:virker|virke|fungerer|fungere|duer|kører|virkede|fungerede) "
    rf"(?:den |det |de |stadig |slet |altså |bare |overhovedet |længere )?{_IKKE}|"
    r"(?:er |har )?(?:holdt|stoppet) (?:op )?med at (?:virke|fungere|køre|printe))"
)
_NOT_WORKING_EN = (
    r"(?:(?:is |are |'s |s )?not working|isn'?t working|aren'?t working|"
    r"(?:does|do|did|dos)(?:n'?t| not|ent) work|won'?t work|(?:has |have )?stopped working)"
)
_DOWN_DA = (
    r"(?:(?:er|har været|var) (?:\S+ )?(?:nede|gået ned|død|væk|afbrudt|offline|forsvundet|"
    r"røget|stoppet|gået(?! (?:hjem|til|videre|fint|godt|bedre|hurtigt|ind|ud|igennem)\b))|"
    r"nede\b|gik ned|går ned|forsvandt|stoppede)"
)
_DOWN_EN = (
    r"(?:(?:is |are |'s |s |went |has gone |have gone |has been |'s been |is still )?(?:down|"
    r"offline|dead)|(?:has |have )?(?:disappeared|vanished|stopped)\b|(?:is|are|'s) gone\b)"
)
_RESOLVED = (
    r"\b(?:virker|virkede|fungerer|fungerede|kører|kørte|oppe) "
    r"(?:(?!ikke\b|ik\b)\S+ ){0,2}?igen\b",
    r"\b(?:er|blev|er blevet) (?:nu )?(?:løst|fikset|fixet|ordnet)\b",
    r"\b(?:working|works|worked|up|running) (?:\S+ )?again\b",
    r"\bback (?:up|online|to normal)\b",
    r"\b(?:is|has been|was|got|'s) (?:now |all )?(?:fixed|resolved|sorted)\b",
)
# A fault in the past that was fixed, told beside a new request: "I sidste uge kunne ingen
# logge på, men det løste I hurtigt". Not when the sentence goes on to now ("men i dag").
_PAST = (
    r"(?<!siden )(?<!since )(?:i sidste uge|sidste uge|i forrige uge|forrige uge|i sidste måned|"
    r"sidste måned|i (?:mandags|tirsdags|onsdags|torsdags|fredags|lørdags|søndags)|i går|"
    r"i forgårs|yesterday|"
    r"forleden(?: dag)?|tidligere på (?:ugen|måneden)|for (?:en|et|to|tre|fire|\d+) (?:uge|uger|"
    r"måned|måneder|dag|dage|år) siden|last (?:week|month)|the other day|earlier this (?:week|month)|"
    r"(?:a|one|two|three|four|\d+) (?:weeks?|months?|days) ago)"
)
_FIXED = (
    r"(?:løste|løst|fiksede|fikset|fixede|fixet|ordnede|ordnet|rettede|rettet|afsluttet|"
    r"lukket|fixed|solved|sorted|resolved|repaired|closed|"
    r"tak for (?:den |jeres |din )?(?:hurtige? )?hjælp\w*|thanks? (?:you )?for (?:the |your )?"
    r"(?:quick |fast )?"
    r"(?:help|fix))"
)
_NOW = r"(?!.*\b(?:nu|i dag|i morges|now|today|this morning)\b)"
_PAST_SOLVED = (
    rf"\b{_PAST}\b.*?\b{_FIXED}\b{_NOW}",
    rf"\b{_FIXED}\b.*?\b{_PAST}\b{_NOW}",
)
# "Hvad gør vi, hvis internettet går ned?" asks about a procedure; nothing is down.
# Courtesies ("hvis muligt", "if you can") do not make a sentence hypothetical.
_HYPOTHETICAL = (
    r"^\W*(?:og |and |men |but )?(?:hvis|if|in case|i tilfælde af|skulle)\b"
    r"(?! (?:muligt|possible|i kan|du kan|you can|det er muligt|it is possible))",
    r"\bhvad (?:gør|skal|kan|sker) (?:\S+ ){0,3}?hvis\b|\bhvad hvis\b",
    r"\bwhat (?:\S+ ){0,3}?if\b",
    r"\b(?:hvordan|how) (?:\S+ ){0,5}?(?:om|if|whether)\b",
    r"\b(?:risiko|risikoen|risk|fare|chance|sandsynlighed) (?:for|of|that)\b",
    r"\b(?:beredskabsplan|nødplan|contingency|disaster recovery)",
)

# BR-8: "Alle er berørt" - everyone affected. "We" as the subject of a shared function
# failing counts ("vi kan ikke printe", "we have no internet", "vi kan ikke arbejde"):
# the office speaking. Not for personal things ("vi kan ikke få adgang til postkassen"
# is often one user written for by a colleague), nor a possessive ("vores printer"
# says whose printer, not who is affected).
_EVERYONE = (
    r"(?<!ikke )(?<!not )\balle (?:\S+ ){0,2}?(?:er|bliver|blev|er blevet|is|are) (?:\S+ )?"
    r"(?:berørt|berørte|ramt|ramte|påvirket|påvirkede|affected|impacted)\b",
    r"\b(?:berører|rammer|påvirker|gælder|går ud over|affects|affecting|impacts) (?:\S+ )?"
    r"(?:alle|everyone|everybody|all)\b",
    r"(?<!ikke )\balle (?:\S+ ){0,2}?(?:på|i|her på|hos|herinde på) (?:\S+ )?"
    r"(?:kontoret|kontorerne|firmaet|virksomheden|huset|afdelingen|butikken|klinikken|"
    r"filialen|lageret|teamet|bygningen)\b",
    r"(?<!ikke )\b(?:alle|samtlige) (?:\S+ )?(?:\w*arbejdere|lærere|lærerne|behandlere|"
    r"medarbejdere|medarbejderne|brugere|brugerne|"
    r"ansatte|kollegaer|kolleger|kollegaerne|kollegerne|computere|computerne|pc'?er|"
    r"pc'?erne|maskiner|maskinerne|klienter|enheder|enhederne)\b",
    r"(?<!hej )(?<!hejsa )(?<!kære )(?<!tak )\balle sammen\b|\bos alle\b|\balle mand\b",
    r"\bhele (?:\S+ )?(?:kontoret|firmaet|virksomheden|huset|afdelingen|butikken|klinikken|etagen|"
    r"lageret|skolen|matriklen|"
    r"filialen|organisationen|netværket|teamet|bygningen|lokationen)\b",
    r"\bingen af (?:os|vores|dem|medarbejderne|kollegerne|kollegaerne|brugerne|pc'?erne|"
    r"computerne|maskinerne|printerne|serverne)\b|\bikke (?:nogen|en eneste) af os\b",
    # "ingen af de fire butikker", "vores filialer" (all of them), not "en af vores butikker".
    r"\bingen af (?:de|vores) (?:\S+ )?(?:butikker|filialer|afdelinger|kontorer|klinikker|"
    r"lokationer|medarbejdere|ansatte|brugere|kolleger|kollegaer|pc'?er|computere|maskiner|"
    r"kasser)\b",
    r"(?<!af )(?<!en af )\b(?:vores|our) (?:(?:to|tre|fire|fem|seks|two|three|four|five|"
    r"six) )?(?:butikker|filialer|afdelinger|kontorer|klinikker|lokationer|shops|stores|"
    r"branches|offices|clinics|sites|locations)\b",
    # The negation belongs to "muligt", not to "nogen": "det er ikke muligt for nogen af os"
    # and "it hasn't been possible for anyone" say nobody can.
    r"\b(?:ikke|not|(?:has|have|is|was|had)n'?t) (?:muligt|possible|været muligt|længere muligt|"
    r"har været muligt|been possible|longer possible) for (?:nogen|anyone|anybody|any of|"
    r"en eneste)\b",
    r"\blykke(?:s|des) (?:ikke|ik) for (?:nogen|en eneste)\b",
    # "hverken jeg eller mine kolleger", "neither I nor my colleagues": both, so all.
    r"\b(?:hverken|neither) (?:jeg|mig|i|me) (?:eller|nor) (?:\S+ )?(?:kolleg\w*|kollegaer\w*|"
    r"de andre|andre|nogen|colleagues|anyone|the others|others)\b",
    # "for anyone", "for nogen" only follow a negation ("no email for anyone", "virker ikke
    # for nogen"): written from that negation, so that it is not read as cancelling them.
    r"\b(?:no|not|ikke|ik|ingen|intet|nothing|nobody|(?:isn|wasn|doesn|don|didn|won|can|hasn|"
    r"haven|aren)'?t)\b [^.!?;\n]{0,40}?\b(?:for (?:anyone|anybody|nogen|any of us)|nogen steder|"
    r"(?:for|til|på|hos|fra|i|af|on|to|from|in|at) (?:nogen|any) (?:af|of)|"
    r"anywhere|(?:fra|på|from|on) (?:nogen|any) (?:\S+ )?(?:pc|computer|maskine|machine|device|"
    r"laptop|enhed))\b",
    r"\bnone of (?:us|our|the|them)\b",
    r"\b(?:everywhere|overalt|alle steder)\b|\ball of them\b|\bhos (?:alle|os alle)\b",
    r"\b(?:til og fra|to and from|fra og til) (?:firmaet|virksomheden|kontoret|os|the company|"
    r"the office|us)\b",
    r"\bbegge (?:vores |de )?(?:adresser|kontorer|afdelinger|butikker|lokationer|klinikker)\b|"
    r"\bboth (?:of )?(?:our |the )?(?:sites|offices|locations|shops|stores|branches)\b",
    r"\b(?:vi|we) (?:er |are )?alle\b|\bwe all\b",
    r"\bhverken\b[^.!?\n]{0,40}?\b(?:kan|can) (?:arbejde|work)\b",
    r"\b(?:uanset (?:hvem|hvilken|hvilke|hvor)|no matter (?:who|which|what|where)|whoever|"
    r"hvem der end)\b",
    r"\b(?:står|sidder) (?:helt |bare )?stille\b",
    r"\b(?:af|for|by|to) (?:nogen|any) (?:af )?(?:medarbejdere|ansatte|brugere|kolleger|kollegaer|"
    r"staff|users|employees|colleagues)\b",
    r"\b(?:gælder|rammer|berører|affects|applies to|same for|samme for|også|also) "
    r"(?:\S+ ){0,3}?(?:andre|others|other)\b",
    r"\b(?:kontoret|firmaet|butikken|klinikken|the office|our office) (?:\S+ )?(?:er|is) "
    r"(?:\S+ )?(?:nede|down|offline|lammet|paralysed|paralyzed)\b",
    r"(?<!tak )(?<!thanks )(?<!thank you )\bfor (?:alle|everyone|everybody|all of us|os alle)\b"
    r"(?! (?:jeres|dine|your|de|vores|our|the)\b)",
    r"\b(?:across|on|in|at|på|i) (?:all|alle) (?:\S+ )?(?:floors|etager|sites|lokationer|offices|"
    r"kontorer|afdelinger|departments|rooms|lokaler)\b",
    r"\b(?:for )?all (?:\S+ )?(?:staff|users|employees|colleagues|workers|people|machines|"
    r"printers|servers|devices|"
    r"computers|pcs|laptops)\b",
    # Everything down, nobody can do anything: "alt er nede", "ingen kan noget", "intet virker".
    r"\b(?:intet|ingenting|nothing) (?:\S+ )?(?:virker|fungerer|works|is working|kan tilgås|"
    r"kan bruges|can be accessed|is accessible)\b|\bdriftsstop\b",
    r"\b(?:alt|everything|det hele) (?:\S+ )?(?:er|is) (?:\S+ )?(?:nede|gået ned|down|offline)\b",
    r"\b(?:ingen|nobody|no one) (?:kan|can) (?:noget|lave noget|arbejde|do anything|work)\b",
    # Danish word order after an adverb: "i dag kan ingen printe".
    r"\b(?:kan|kunne) ingen (?:\S+ ){0,4}?(?:printe|udskrive|komme|gå på|forbinde|logge|"
    r"arbejde|bruge|tilgå|sende|modtage|åbne|starte|få)",
    # "ingen kan printe", "ingen af pc'erne virker"; not "ingen der har svaret".
    r"\bingen (?:\S+ ){0,3}?(?:kan|har|får) (?:\S+ ){0,2}?(?:printe|udskrive|komme|gå på|"
    r"forbinde|logge|arbejde|internet|net|forbindelse|adgang|bruge|tilgå|sende|modtage|åbne|"
    r"starte)",
    r"\bingen (?:\S+ ){0,3}?(?:virker|fungerer)\b",
    r"\b(?:nede|væk|gået ned|down|offline|out) (?:\S+ )?for (?:alle|everyone|everybody)\b",
    r"\b(?:ikke|not) for (?:nogen|anyone|anybody|any of us)\b|\bfor ingen\b|"
    r"\bfor (?:anyone|anybody)\b",
    # "Outlook vil ikke starte for nogen af os", "won't start on any of our pcs": said of
    # a fault, "for nogen af os" is "for none of us" (a negation elsewhere in the sentence
    # is left unchecked: "nogen af os" words a question, "kan nogen af jer", otherwise).
    r"\b(?:for|til|på|hos|fra|i|af|on|to|for|from|in|by|let|lade) (?:nogen|any) (?:af|of) (?:os|us|vores|our|"
    r"medarbejderne|kollegerne|kollegaerne|pc'?erne|computerne|maskinerne|the|butikkerne|"
    r"afdelingerne|kontorerne|filialerne|klinikkerne|lokationerne)\b",
    # "kan ikke printe fra nogen pc'er": from no machine at all.
    r"\b(?:fra|på|from|on) (?:nogen|any) (?:af )?(?:vores |our |the )?(?:pc'?er|pc'?erne|"
    r"computere|computerne|maskiner|maskinerne|pcs|computers|machines|laptops|computer|pc|"
    r"machine|laptop)\b",
    r"(?<!ikke )\b(?:alle|samtlige) (?:vores |de )?(?:printere|printerne|servere|serverne|drev|"
    r"netværksdrev|"
    r"systemer|systemerne|kontorer|afdelinger|butikker|lokationer|skærme|telefoner)\b",
    rf"\bvi (?:\S+ ){{0,2}}?(?:kan|kunne) (?:\S+ ){{0,2}}?{_IKKE} (?:\S+ ){{0,2}}?"
    r"(?:printe|udskrive|skrive ud|komme på|komme ind|gå på|forbinde|få forbindelse|arbejde)",
    r"\bvi (?:\S+ )?har (?:\S+ )?(?:ingen|ikke noget|ikke nogen|ikke) "
    r"(?:internet|net|forbindelse|adgang|netværk|wifi|mail|strøm)",
    r"\bevery (?:single )?(?:pc|computer|machine|laptop|workstation|device|user|employee|"
    r"member of staff|one of us|shop|store|branch|office)\b",
    r"(?<!not )(?<!hi )(?<!hello )(?<!dear )(?<!thanks )\b(?:everyone|everybody|all users|"
    r"all staff|all employees|all of us|all (?:of )?(?:our|the) (?:users|staff|employees|"
    r"computers|pcs|machines|laptops|colleagues)|(?:the )?(?:whole|entire) (?:organi[sz]ation|it|"
    r"staff|workforce|"
    r"shop|store|clinic|"
    r"branch|department|floor|warehouse|office|company|"
    r"team|building|site|network)|company-?wide|office-?wide|site-?wide|nobody|no[- ]?one|"
    r"none of (?:us|our))\b",
    r"\bwe (?:\S+ )?(?:can'?t|cannot|can not|are unable to|are not able to|couldn'?t|"
    r"could not) (?:\S+ ){0,2}?(?:print|connect|get online|go online|work|reach)\b",
    r"\bwe (?:have|got|'ve got|'ve|have got) (?:no|lost(?: our| the)?) "
    r"(?:internet|connection|network|wifi|access|email|power)\b",
    r"\bwe (?:don'?t|do not) have (?:any )?(?:internet|connection|network|wifi|access)\b",
)

_NET = (
    r"(?:internet(?:tet|et)?|nettet|netværk(?:et)?|netforbindelse(?:n)?|internetforbindelse(?:n)?|"
    r"wi-?fi(?:'?en|et)?|trådløse? net(?:værk)?(?:et)?|bredbånd(?:et)?|"
    r"fiber(?:en|forbindelse(?:n)?)?|routeren)"
)
_NET_NOUN = (
    r"(?:internet(?:tet|et)?|nettet|net|internetforbindelse(?:n)?|netforbindelse(?:n)?|"
    r"wi-?fi(?:'?en|et)?|netværk(?:et|sforbindelse(?:n)?)?)"
)
_NET_EN = r"(?:internet|internet connection|network|wifi|wi-fi|wireless|broadband)"

_SYSTEM = (
    r"(?:server(?:en|ne|erne)?|systemet|systemerne|it-?løsning(?:en)?|it-?systemet|løsningen|"
    r"platformen|hosting(?:en)?|fjernskrivebord(?:et)?|remote ?desktop|rdp|"
    r"terminalserver(?:en)?|citrix|vpn(?:'?en|et)?|fællesdrev(?:et)?|netværksdrev(?:et|ene)?|"
    r"drev(?:et|ene)|sharepoint|onedrive|teams|outlook|e-?mail(?:en|s)?|mail(?:en|s)?|"
    r"exchange|office ?365|microsoft ?365|m365|o365|økonomisystem(?:et)?|erp|navision|"
    r"business central|e-?conomic|intranet(?:tet)?|databasen|the server|the system|servers?|"
    # Line-of-business systems a shop or a clinic cannot work without.
    r"(?:kasse|booking|journal)system\w*|kasseapparat\w*|"
    r"file server|shared drives?|network drives?|mailbox(?:es)?)"
)
# After "adgang til", "access to": any system the office names ("regnskabssystemet",
# "the accounting system"); not where a match starts, which must begin with known words.
_ANY_SYSTEM = rf"(?:{_SYSTEM}|[^\s.!?;]*system(?:et|erne)?|[^\s.!?;]+ system)"
# A fault in any words: what the clause around a system must also say (see above).
_FAULT = (
    r"(?:ikke|ik|not|(?:is|are|was|does|do|did|won|can|could|has|have)n'?t|nede|down|"
    r"(?<!ingen )(?<!no )(?<!uden )(?<!without )(?:fejl\w*|errors?)|død|døde|dead|died|væk|gone|"
    r"stuck|hænger|crash\w*|broken|i stykker|ude af drift|out of order|nægtet|denied|går i stå|"
    r"fryser|freez\w*|offline|ustabil\w*|unstable|afbrudt|timeout|times out|timer ud|lammet|"
    r"utilgængelig\w*|unavailable|unreachable)\b"
)
_APP = (
    rf"(?:{_SYSTEM}|excel|word|powerpoint|programmet|programmerne|programmer|windows|"
    r"dynamics|visma|dinero|uniconta|pc'?erne|computerne|maskinerne)"
)
_CONNECT_DA = (
    r"(?:forbinde|forbindes|koble (?:os |mig )?(?:på|op)|få (?:forbindelse|adgang|kontakt)|"
    # Not a door: "ingen kan komme ind på kontoret" (the building) is no IT fault.
    r"komme (?:ind|på)(?! (?:på |i |ad |gennem )?(?:\S+ )?(?:kontoret|bygningen|lokalet|døren|"
    r"huset|lageret|mødelokalet|garagen|parkeringspladsen)\b)|tilgå)"
)
_CONNECT_EN = r"(?:connect|access|reach|get into|get onto|get on to|get to|log ?in to|sign ?in to)"

_PRINT = (
    r"(?:printer(?:en|n|ne|erne|e)?|print(?:et|ningen)?|udskrift(?:en|er|erne)?|"
    r"udskrivning(?:en)?|kopimaskine(?:n|r|rne)?|multifunktionsprinter(?:en)?|"
    r"printserver(?:en)?|print ?server|printing|printers?|print jobs?)"
)
_PRINT_VERB = (
    r"(?:printe|printes|printet|udskrive|udskrives|udskrevet|skrive ud|printe ud|print|prente)"
)

_ACCOUNT = (
    r"(?:konto(?:en|er|erne)?|\bbruger(?:en|ne|konto(?:en)?)?|\bbrugernavn(?:et)?|"
    r"\blogin(?:'?et|net)?|\bsign-?in|\bprofil(?:en)?|\baccount|\buser)"
)
_LOCKED_DA = (
    r"(?:l(?:å|aa)st|l(?:å|aa)ste|l(?:å|aa)ses|spær+et|spaer+et|blokeret|deaktiveret|"
    r"lukket(?: ned)?|suspenderet)"
)
_LOCKED_EN = r"(?:locked|blocked|disabled|suspended)"

_PASSWORD = (
    # With the common misspellings: "adgangkode", "pasword", "passord", "paswoord".
    r"(?:adgangs?kode(?:n|r|rne)?|kodeord(?:et|ene)?|pas+wo*r[dt](?:et|s|ene)?|passwd|"
    r"kode(?:n|r|rne)?|pinkode(?:n)?|pin-?kode(?:n)?|pin|login-?kode(?:n)?|"
    r"mfa(?:-?kode(?:n)?)?|2fa|to-?faktor\w*|totrinsbekræftelse(?:n)?|"
    r"authenticator(?:-?app(?:en)?)?|engangskode(?:n)?|bekræftelseskode(?:n)?|credentials|"
    r"legitimationsoplysninger)"
)
_LOG_ON = (
    r"(?:logge?|loge|logg|login|log|logon) (?:mig |ham |hende |os |dem |sig )?"
    r"(?:på|paa|pa|ind|on|in)"
)


# Mail that reports no fault of its own, whatever words it holds, is not judged (BR-6:
# the criticality of an inquiry; these are none). Each names what it is, for the reason.
_NOT_AN_INQUIRY = (
    # An out-of-office or other automatic reply answers our mail: its subject is ours
    # ("Automatisk svar: Kan ikke logge på"), its body an absence.
    (
        "automatic_reply",
        re.compile(
            r"^(?:automatisk svar|autosvar|auto-?svar|automatisk besked|automatic reply|"
            r"auto-?reply|autoreply|auto-?response|out of (?:the )?office|fraværende|fravær|"
            r"ikke til stede|abwesend|automatische antwort|réponse automatique|frånvaro)\s*:"
        ),
        None,
    ),
    (
        "automatic_reply",
        re.compile(
            r"\b(?:automatisk svar|automatisk genereret|autogenereret|automatic reply|"
            r"auto-?reply|automatically generated|this is an automat(?:ic|ed))\b"
        ),
        # ... and says the writer is away: "Jeg er på ferie til og med", "out of the office".
        re.compile(
            r"\b(?:på ferie|holder ferie|fraværende|på barsel|på kursus|ikke på kontoret|ude af "
            r"huset|out of (?:the )?office|on (?:leave|holiday|vacation|annual leave|sick leave)|"
            r"away from (?:the|my) (?:office|desk)|away until)\b"
        ),
    ),
    # A newsletter or other bulk mail: its footer. News about hackers reports nothing here.
    (
        "newsletter",
        re.compile(
            r"\b(?:afmeld|frameld) (?:dig |nyhedsbrevet\b|nyhedsbrev\b|her\b|abonnement)|"
            r"\bunsubscribe (?:here|from (?:this|these|our|the)|at any time|now)\b|"
            r"\b(?:click here|klik her) to unsubscribe\b|\bto unsubscribe\b|"
            r"\bfor at (?:afmelde|framelde)\b|\bdu modtager (?:denne|dette) (?:\S+ )?"
            r"(?:mail|e-?mail|nyhedsbrev|besked)\w* (?:\S+ )?(?:fordi|da)\b|\byou (?:are )?"
            r"receiv(?:e|ing) this (?:\S+ )?(?:e-?mail|newsletter|message) because\b|"
            r"\bview (?:this (?:e-?mail|newsletter) )?in (?:your|a) browser\b"
        ),
        None,
    ),
    # The writer withdraws the alarm: "Falsk alarm", "se bort fra min tidligere mail",
    # "please disregard my earlier message" (unless something is still wrong, below).
    (
        "withdrawn",
        re.compile(
            r"(?:\bfalsk alarm\b|\bfalse alarm\b|\b(?:se|kig) bort fra (?:min|mit|mine|den|det|de|"
            r"vores) (?:\S+ )?(?:mail|e-?mail|besked|henvendelse|sag)\w*|\b(?:disregard|ignore) "
            r"(?:my|the|our) (?:\S+ )?(?:e-?mail|message|mail|request|ticket)s?\b|\bglem (?:min|"
            r"mit|den|det|vores) (?:\S+ )?(?:mail|besked|henvendelse)\w*|\bnever ?mind\b|"
            r"\bannuller (?:min|mit|sagen|henvendelsen)\b|\bcancel (?:my|the) (?:request|"
            r"ticket|case)\b)(?![^.!?\n]*\?)"
        ),
        None,
    ),
)


# Every cue above holds one of these: a mail without any is not searched (a few
# substring tests cost less than one scan of the regexes).
_NOT_AN_INQUIRY_HINTS = (
    "auto", "fravær", "ikke til stede", "out of", "abwesend", "réponse", "frånvaro",
    "afmeld", "frameld", "unsubscribe", "du modtager", "receiv", "browser",
    "alarm", "bort fra", "disregard", "ignore", "glem ", "never", "annuller", "cancel",
)


def not_an_inquiry(title: str, new_text: str) -> str | None:
    """Why a mail reports no fault at all, as 'kind: "words"' (None: judge it): an
    automatic reply, a newsletter, an alarm the writer withdraws. `title` is the
    normalised subject without reply prefixes, `new_text` the normalised new text."""
    text = f"{title}\n{new_text}"
    if not any(hint in text for hint in _NOT_AN_INQUIRY_HINTS):
        return None
    for kind, cue, also in _NOT_AN_INQUIRY:
        found = cue.search(title) if cue.pattern.startswith("^") else cue.search(text)
        if found is None or (also is not None and also.search(text) is None):
            continue
        if kind == "withdrawn" and STILL_BROKEN.search(text) is not None:
            continue  # "Falsk alarm med hacket, men nu kan jeg ikke logge på"
        return f'{kind}: "{found.group().strip()}"'
    return None


_GAVE = (
    r"(?:tastet|tastede|indtastet|indtastede|skrevet|skrev|givet|gav|oplyst|oplyste|udfyldt|"
    r"udfyldte|afgivet|afgav|typed|entered|gave|given|put in|filled in|submitted|"
    r"kom til at (?:skrive|taste|indtaste|give|oplyse)|accidentally (?:typed|entered|gave)|"
    r"(?:fik mig til at|got me to|made me|tricked me into|tricked into|narret til at) (?:give|"
    r"giving|oplyse|sige|tell|type|typing|taste|skrive|enter|entering)|"
    r"sendte|sent|mailede|emailed)"
)
_SECRET = (
    rf"(?:{_PASSWORD}|login\w*|brugernavn\w*|(?:mine |sine )?oplysninger(?:ne)?|kortnummer\w*|"
    r"kortoplysninger\w*|kortdata|betalingskort\w*|mitid|nemid|credentials|login details|"
    r"username|user name|card (?:number|details)|fjernadgang|teamviewer|anydesk|remote access|"
    r"(?:\S+ )?adgang til (?:min|mit|sin|sit|hans|hendes|vores) (?:computer|pc|skærm|maskine))"
)
# Where a password was given: a link, a page, a mail, a caller.
_LURE = (
    r"\b(?:link\w*|sms\w*|e-?mail\w*|mail\w*|besked\w*|side(?:n)?|hjemmeside\w*|formular\w*|"
    r"falsk\w*|svindel\w*|snyd\w*|phishing\w*|fake|scam\w*|spoof\w*|page|site|website|form|"
    r"text message|ringede|called|opkald\w*|lignede|ligner|looked like|looks like|imitat\w*|"
    r"pretend\w*|udgav sig|påstod|claimed|claiming|over the phone|i telefonen|telefonisk)",
)
_TRAINING = (
    r"\b(?:kursus|kurser|webinar|course|training|awareness|foredrag|phishing-?test|"
    r"simulation|simuleret)\w*",
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
                r"\b(?:filer(?:ne)?|files|documents|dokumenter(?:ne)?) (?:\S+ ){0,5}?"
                r"(?:krypteret|encrypted)\b|\bløsesum\b|\bransom\b",
                r"\b(?:uautoriseret|unauthori[sz]ed) (?:\S+ )?(?:adgang|login|log-?in|access|sign-?in)",
                r"\b(?:ukendte?|usædvanlige?|mistænkelige?|unusual|suspicious|unknown) "
                r"(?:login|log-?ins?|logon|log-?ind|sign-?ins?|aktivitet|activity)\b",
                r"\b(?:nogen|en anden|en fremmed|fremmede|someone|somebody|an unknown person) "
                r"(?:\S+ ){0,3}?(?:logget|logger|loggede|logged|signed|logge|log|sign|logging|signing) "
                r"(?:ind|på|in|on|into)\b",
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
                # Fakes sent from the customer's own address or domain.
                r"\b(?:falske?|fake|phishing|svindel)\S* (?:\S+ ){0,3}?(?:fra|from) (?:\S+ )?(?:min|mit|"
                r"vores|my|our) (?:\S+ )?(?:mail\w*|e-?mail\w*|konto\w*|account|domæne\w*|domain|"
                r"adresse\w*|address)",
                # An account misused, stolen, leaked.
                r"\b(?:konto\w*|konti|account\w*|login\w*|loginoplysninger\w*|credentials|adgangskode\w*|"
                r"passwords?) (?:\S+ ){0,3}?(?:misbrugt|misbruges|misused|abused|stjålet|stolen|"
                r"lækket|leaked)\b",
                # A break-in: "indbrud i vores netværk", unknown users or admins on the server.
                r"\b(?:indbrud|break-?in|intrusion) (?:i|på|in|into|on) (?:vores |min |mit |our |my |the )?"
                r"(?:netværk\w*|system\w*|server\w*|it\w*|mail\w*|konto\w*|pc\w*|computer\w*|network|"
                r"systems?|servers?|accounts?|email)",
                r"\b(?:ukendte|fremmede|unknown|unrecogni[sz]ed) (?:\S+ )?(?:brugere|konti|"
                r"administratorer|adminkonti|users|accounts|admins|administrators)\b",
                # Mail in the user's name they did not write: "mails som jeg ikke har sendt".
                r"\b(?:mails?|e-?mails?|beskeder|messages) (?:\S+ ){0,4}?(?:som |that |which )?"
                r"(?:jeg|i) (?:ikke|aldrig|never|didn'?t|did not|haven'?t|have not) (?:\S+ )?(?:har )?"
                r"(?:sendt|skrevet|sent|wrote|written)\b",
                # Someone at the controls: the mouse moving by itself, a stranger steering
                # or having been on the PC.
                r"\b(?:mus(?:en)?|markør(?:en)?|cursor(?:en)?|mouse|pointer(?:en)?) (?:\S+ ){0,5}?"
                r"(?:bevæger|bevægede|flytter|flyttede|kører|kørte|hopper|moves|moving|moved) "
                r"(?:\S+ ){0,4}?(?:af sig selv|by itself|on its own|of its own accord|uden at (?:jeg|"
                r"nogen) (?:rører|gør|bruger|har fat)|without (?:me|anyone) (?:touching|doing|using))",
                r"\b(?:nogen|en anden|en fremmed|someone|somebody|a stranger) (?:\S+ ){0,3}?"
                r"(?:styrer|styrede|fjernstyrer|fjernstyrede|overtog|har overtaget|controls|"
                r"controlling|controlled|took over|has taken over|took control of) (?:\S+ )?"
                r"(?:min|mit|vores|my|our) (?:\S+ )?(?:computer|pc|maskine|skærm|bærbare?|laptop|screen|"
                r"mouse|mus|konto\w*|account|mail\w*|mailbox|postkasse\w*|e-?mail\w*)\b",
                r"\b(?:konto\w*|account|mail\w*|mailbox|postkasse\w*|profil\w*) (?:\S+ ){0,2}?(?:er "
                r"blevet|blev|has been|was|got) (?:\S+ )?(?:overtaget|taken over|kapret|hijacked)\b",
                r"\b(?:nogen|en anden|someone|somebody) (?:\S+ )?(?:har |has |had |have )?(?:skiftet|"
                r"ændret|changed|reset|nulstillet) (?:\S+ )?(?:min|mit|my) (?:\S+ )?(?:kode\w*|"
                r"adgangskode\w*|kodeord\w*|password\w*|pin\w*)",
                r"\b(?:mistet|lost) (?:\S+ )?(?:kontrol\w*|control) (?:over|of) (?:min|mit|my)\b",
                r"\b(?:sender|sending|sends) (?:\S+ ){0,3}?(?:mails?|e-?mails?|beskeder|messages) "
                r"(?:\S+ )?(?:af sig selv|by itself|on its own)",
                r"\b(?:nogen|en anden|en fremmed|someone|somebody|a stranger) (?:\S+ ){0,3}?"
                r"(?:inde på|inde i|været på|been on|been in|been into) (?:min|mit|vores|my|our) "
                r"(?:computer|pc|maskine|bærbare?|laptop|mail\w*|konto\w*|account|mailbox)\b",
                r"\b(?:fjernstyret|fjernstyres|remotely controlled|controlled remotely|"
                r"being controlled)\b",
                # Ransomware's marks: files renamed or given a new ending, a note asking for money.
                r"\b(?:filer(?:ne)?|dokumenter(?:ne)?|billeder(?:ne)?|files|documents|photos|"
                r"(?:alle|every|all) (?:mine |vores |the |my |our )?(?:fil|filer|dokument\w*|files?|"
                r"documents?)) (?:\S+ ){0,5}?(?:har fået|får|fik|fået|have got|got|has got|have|has|now have|"
                r"are getting|get) (?:\S+ ){0,2}?(?:(?:nye?|mærkelige?|underlige?|ukendte?|andre|new|"
                r"strange|weird|odd|unknown|different) (?:\S+ )?(?:navne?|endelser?|filendelser?|"
                r"filtyper?|names?|extensions?|file ?types?)|(?:endelse\w*|filendelse\w*|"
                r"extensions?|the extension)\b)",
                r"\b(?:filer(?:ne)?|dokumenter(?:ne)?|billeder(?:ne)?|files|documents|photos|"
                r"(?:alle|every|all) (?:mine |vores |the |my |our )?(?:fil|filer|dokument\w*|files?|"
                r"documents?)) (?:\S+ ){0,5}?(?:er|bliver|blev|er blevet|is|are|were|has been|have been|being|"
                r"getting) (?:\S+ )?(?:omdøbt|renamed)\b",
                r"\b(?:tekstfil|note|besked|seddel|message|text file|readme)\w* (?:\S+ ){0,4}?(?:om|"
                r"about|demanding|med krav om|kræver|asking for|requesting) (?:\S+ )?(?:betaling|"
                r"bitcoin|løsesum|payment|ransom|penge|money)\b",
                # Someone else in a mailbox or an account: "nogen har adgang til min mail".
                r"\b(?:nogen|en anden|en fremmed|fremmede|someone|somebody|a stranger) "
                r"(?:\S+ ){0,2}?(?:har|havde|has|have|had) (?:\S+ )?(?:adgang|access) (?:til|to) "
                r"(?:min|mit|vores|hans|hendes|deres|my|our|his|her|their)\b",
            ),
            negatable=True,
            outside=outside,
            excludes=(
                r"\bikke (?:\S+ )?(?:blevet )?(?:hacket|hakket|kompromitteret)\b",
                r"\b(?:not|never|wasn'?t|haven'?t|hasn'?t|nothing|intet|ingenting) (?:\S+ )?(?:been )?"
                r"(?:hacked|compromised|hacket|kompromitteret)\b",
                r"(?:^|\n)\W*(?:hvordan|how)\b",
                r"\b(?:ikke|not|didn'?t|haven'?t|har ikke|ingen|nobody|no one|none of us) (?:\S+ )?"
                r"(?:har |has )?(?:klikket|trykket|åbnet|clicked|opened)\b",
                r"\b(?:hackathon|life ?hacks?|growth ?hack\w*)\b",
                r"\bhack\w*[- ](?:tema|theme|film|movie|fest|party|kostume|costume|spil|game|bog|book)",
                r"\b(?:er det sikkert|is it safe|kan man trygt)\b",
                r"\bantivirus\w* (?:\S+ ){0,6}?(?:opdatering|update|licens|licence|license|abonnement|"
                r"subscription|udløber|expires)",
                # Buying security, not suspecting a breach.
                r"\b(?:sikkerhedsvurdering\w*|sikkerhedstjek\w*|sikkerhedsgennemgang\w*|security "
                r"(?:assessment|review|audit)\w*)",
                r"\b(?:penetrationstest\w*|pentest\w*|penetration test\w*|sårbarhedsscanning\w*|"
                r"vulnerability scan\w*|ethical hack\w*)|\b(?:hvilket|hvilken|which|what) (?:\S+ )?"
                r"antivirus",
                # Hacking as news or as a warning in general, not a suspicion about us.
                r"\b(?:i nyhederne|in the news|på tv|i avisen|in the paper|i pressen|artikel\w*|"
                r"artiklen|article|(?:læste|læst|read|hørte|hørt|heard|så|saw) (?:\S+ )?(?:om|about|"
                r"that|at|i nyhederne))\b",
                r"\b(?:hackere|hackers|svindlere|scammers|cyberkriminelle|cybercriminals|"
                r"angribere|attackers) (?:\S+ )?(?:bruger|prøver|forsøger|sender|udgiver|laver|kan|"
                r"angriber|rammer|går efter|udnytter|kommer ind|bryder ind|use|try|pretend|send|"
                r"are sending|can|often|ofte|typically|typisk|get|gets|break|target|attack|exploit)\b",
                r"\b(?:har (?:i|du) set|have you seen|did you see|så (?:i|du))\b",
                # Someone else was hit: "en stor dansk virksomhed er blevet ramt af ransomware".
                r"\b(?:en|et|a|another) (?:\S+ ){0,2}?(?:virksomhed|firma|kommune|hospital|company|"
                r"business|competitor|konkurrent|leverandør|supplier|region|retailer)\w* (?:\S+ )?"
                r"(?:er blevet|blev|was|has been|got|were) (?:\S+ )?(?:hacket|ramt|hacked|hit|angrebet|"
                r"attacked)\b",
                # A question in general: "Kan man blive hacket ved at ...?", "Can you get hacked".
                r"^\W*(?:kan|kunne) man\b|^\W*(?:can|could) (?:one|you) (?:get|be|become)\b",
                r"\b(?:undgå|avoid|forebygge|prevent)\w* (?:\S+ ){0,3}?(?:hack|hacked|hacket|hacking)",
                r"\b(?:beskyt|protect|sikre|sikrer|secure|safeguard|forbered|prepare|forebyg|prevent|"
                r"undgå|avoid|stoppe|stop|blokere|block|holde|keep)\w* (?:\S+ ){0,4}?(?:mod|against|from|for)? ?(?:hack\w*|ransomware|"
                r"malware|virus|phishing|angreb\w*|attacks?)",
                r"\b(?:kursus|kurser|webinar|course|training|awareness|foredrag|phishing-?test|"
                r"simulation|simuleret)\w*",
                *_HYPOTHETICAL,
            ),
        ),
        Rule(
            # BR-9/BR-10 "mistanke om hack": a password or login given to a lure (a link,
            # a page, a caller) is a compromised account, whatever service the lure faked.
            name="phishing_credentials",
            critical=True,
            priority="high",
            patterns=(
                rf"\b{_GAVE} {_gap(4)}{_SECRET}\b",
                r"\b(?:logget|loggede|logged|signed) (?:\S+ ){0,4}?(?:falsk\w*|fake|phishing\w*|"
                r"svindel\w*|forfalsket\w*|spoof\w*)",
                # "... asked me for my password and I gave it".
                rf"\b{_PASSWORD}\b (?:\S+ ){{0,4}}?(?:og |and )(?:jeg |i )?(?:gave|gav|sent|sendte|"
                r"typed|entered|oplyste|skrev) (?:it|den|det)\b",
                r"\b(?:klikket|klikkede|trykket|trykkede|clicked|tapped) (?:\S+ ){0,10}?"
                r"(?:logget|loggede|logged|signed) (?:ind|på|paa|in|on)\b",
                # "jeg loggede ind via linket": the link is where the password went.
                r"\b(?:logget|loggede|logged|signed|skrev|tastede|typed|entered) (?:\S+ ){0,6}?"
                r"(?:via|gennem|igennem|through|from|fra|using) (?:\S+ )?(?:link(?:et)?|the link)\b",
            ),
            requires_any=_LURE,
            excludes=(
                *_HYPOTHETICAL,
                *_TRAINING,
                # Sent to us, the helpdesk: no lure.
                r"\b(?:til jer|to you|til support|to support|til oneoffice|to oneoffice)\b",
            ),
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
                r"tapped|followed) (?:\S+ ){0,4}?(?:[^\s.!?;]+-)?(?:link\w*|vedhæft\w*|bilag\w*|"
                r"attachment\w*|fil(?:en)?|file|faktura\w*|invoice\w*|zip\w*|pdf\w*)\b",
            ),
            requires_any=(
                r"\b(?:falsk\w*|svindel\w*|snydt|snyd\w*|phishing\w*|fake|scam\w*|spoof\w*|"
                r"mistænkelig\w*|suspicious|virus|malware|ransomware)",
                r"\bikke (?:var )?(?:ægte|rigtig)|\bnot (?:real|genuine|legit)",
                # In doubt afterwards whether it was genuine.
                r"\b(?:i tvivl|usikker|tvivler|unsure|not sure|doubt\w*|wonder\w*) (?:\S+ ){0,4}?"
                r"(?:ægte|rigtig\w*|legitim\w*|real|genuine|legit\w*)",
                # And now the PC behaves oddly.
                r"\b(?:opfører sig (?:\S+ )?(?:mærkeligt|underligt|sært|skørt)|sker der (?:\S+ )?"
                r"(?:mærkelige|underlige|sære) ting|(?:acting|behaving) (?:\S+ )?(?:weird|weirdly|"
                r"strange|strangely|odd|oddly|funny|up))",
                # From a sender the writer does not know.
                r"\b(?:ukendte?|fremmede?|unknown|strange) (?:af)?sender|\bafsender (?:jeg|vi) "
                r"(?:ikke|aldrig) (?:kender|kendte|har hørt om)|\bsender (?:i|we) (?:don'?t|do not|"
                r"didn'?t|did not) (?:know|recogni[sz]e)",
            ),
            excludes=(*_HYPOTHETICAL, *_TRAINING),
            negatable=True,
        ),
        Rule(
            # BR-9 "mistanke om hack": account activity the user says is not theirs - a
            # sign-in alert, MFA prompts they did not ask for, a mail rule or forwarding
            # they never made ("Det var ikke mig", "I didn't create it").
            name="account_misuse",
            critical=True,
            priority="high",
            patterns=(
                r"\b(?:login|logins|log-?ins?|log-?ind|logon|indlogning\w*|pålogning\w*|"
                r"loginforsøg|login-?forsøg|sign-?ins?|sign-?on|(?:login|log-?in|sign-?in) attempts?|"
                r"loginkode\w*|login-?kode\w*|engangskode\w*|bekræftelseskode\w*|"
                r"verification codes?|security codes?|mfa|2fa|godkend\w* (?:\S+ )?anmodning\w*|"
                r"approval requests?)\b",
                r"\b(?:logget|loggede|logged|signed) (?:ind|på|in|on|into)\b",
                r"\b(?:tilgået|accessed)\b",
                r"\b(?:automatisk svar|autosvar|automatic repl\w*|auto-?repl\w*)\b",
                r"\b(?:admin\w*|administrator\w*) (?:konto|konti|account|user|bruger)\w*",
                # Mail going out from the account: judged with the denial ("til folk jeg ikke
                # kender", "that I didn't send").
                r"\b(?:bliver sendt|er blevet sendt|blev sendt|sendes|sendt ud|is sending|are being "
                r"sent|were sent|sent out|going out) (?:\S+ ){0,2}?(?:fra|from) (?:min|mit|my|our|vores)\b",
                r"\b(?:regel|regler|reglen|reglerne|(?:indbakke|mail|outlook)regl?e\w*|videresendelse\w*|"
                r"viderestilling\w*|videresender|videresendes|inbox rules?|mail rules?|"
                r"outlook rules?|rules?|forwarding|forwards|forwarded)\b",
            ),
            requires_any=(
                r"\b(?:det|den|dem|that|it|this) (?:var|er|was|is) (?:\S+ )?(?:ikke|ik|not) "
                r"(?:\S+ )?(?:mig|me)\b|\b(?:that|it|this) (?:wasn'?t|isn'?t) (?:\S+ )?me\b|"
                r"\bikke mig der\b|\bnot me\b",
                r"\b(?:som|der|that|which)? ?(?:jeg|vi) (?:ikke|aldrig) (?:selv )?(?:har|havde) "
                r"(?:\S+ )?(?:lavet|oprettet|sat op|bedt om|foretaget|startet|godkendt|prøvet|"
                r"forsøgt)\b|\b(?:har|havde) (?:jeg|vi) (?:ikke|aldrig) (?:selv )?(?:lavet|oprettet|"
                r"sat op|bedt om)|\b(?:jeg|vi) har (?:ikke|aldrig) selv\b",
                r"\b(?:i|we) (?:did not|didn'?t|never|have not|haven'?t) (?:\S+ )?(?:create|created|"
                r"make|made|do|did|set|request|requested|add|added|start|started|try|tried|approve|"
                r"log|logged|sign|signed)\b",
                r"\b(?:ukendt|ukendte|unknown|unrecogni[sz]ed) (?:enhed|device|sted|location|"
                r"placering|land|country|ip|browser)\b",
                # Or calls them strange: "strange rules keep appearing".
                r"\b(?:mærkelige?|underlige?|ukendte?|strange|weird|unknown|suspicious|"
                r"mistænkelige?) (?:\S+ )?(?:regler|regel|rules?|videresendelse\w*|forwarding|"
                r"logins?|sign-?ins?|log-?ins?)\b",
                # The place: "jeg har aldrig været der", "I haven't travelled".
                r"\b(?:jeg|vi) har (?:ikke|aldrig) (?:været|rejst)\b|\b(?:i|we) (?:have not|"
                r"haven'?t|have never|'ve never|never) (?:been|travel+ed)\b",
                r"\b(?:genkender|genkendte) (?:jeg |vi )?(?:ikke|ik)\b|\b(?:don'?t|do not|didn'?t|"
                r"did not) recogni[sz]e\b",
                r"\b(?:nogen|en anden|en fremmed|someone|somebody) (?:\S+ )?(?:har |havde |has |had |"
                r"have )?(?:\S+ )?(?:oprettet|lavet|sat|tilføjet|created|set|added|made)\b",
                r"\b(?:som|der|that|which) (?:ingen|nobody|none|no one) (?:af os |of us )?(?:\S+ )?"
                r"(?:har |have |has )?(?:lavet|foretaget|oprettet|made|done|did|created|set up)\b",
                r"\buden at (?:jeg|vi) (?:\S+ )?(?:har )?(?:bedt om|lavet|oprettet|sat|godkendt|vidst)|"
                r"\bwithout (?:me|my|us|our) (?:asking|knowing|consent|permission|approval)\b",
                r"\b(?:jeg|vi) (?:prøver|forsøger|prøvede|forsøgte|har prøvet|har forsøgt) "
                r"(?:slet |overhovedet )?"
                r"(?:ikke|ik) at\b|\b(?:i'?m|i am|we'?re|we are) not (?:trying|logging|signing)\b|"
                r"\b(?:i|we) (?:wasn'?t|was not|weren'?t) (?:trying|logging|signing)\b",
                r"\b(?:adresse|address|konto|account|folk|personer|people|modtagere|recipients) "
                r"(?:som |that )?(?:jeg|vi|i|we) (?:ikke|aldrig|don'?t|do not) (?:kender|know|"
                r"recogni[sz]e)\b",
            ),
            excludes=(*_HYPOTHETICAL, *_TRAINING),
            negatable=True,
            outside=outside,
        ),
        Rule(
            # BR-9 "mistanke om hack": the PC handed to a caller or stranger (AnyDesk,
            # TeamViewer, "he took over my screen"). Whatever firm the caller claimed to
            # be from, it is our PC he was on: no outside services here.
            name="remote_access_scam",
            critical=True,
            priority="high",
            patterns=(
                r"\b(?:installerede|installeret|hentede|hentet|downloadede|downloadet|startede|"
                r"åbnede|gav|givet|installed|downloaded|ran|opened|started|gave|given|kørte|"
                r"was running|"
                # "han fik mig til at installere", "got me to install".
                r"(?:fik mig til at|bad mig (?:om at )?|got me to|asked me to|told me to|had me) "
                r"(?:installere|hente|downloade|åbne|starte|install|download|open|run|start)) "
                r"(?:\S+ ){0,3}?(?:anydesk|teamviewer|quick ?assist|hurtig ?hjælp|supremo|"
                r"ultraviewer|logmein|screenconnect|rustdesk|fjernsupport\w*|fjernstyring\w*|"
                r"fjernadgang\w*|remote access|remote (?:support|access|desktop|control) "
                r"(?:app|program|tool|software))\b",
                r"\b(?:installerede|installeret|hentede|downloadede|installed|downloaded) (?:et |a |an )?"
                r"(?:program|app|software|værktøj|tool)\w* (?:som |that )?(?:de|han|hun|they|he|she) "
                r"(?:bad om|sendte|asked|told|sent)",
                r"\b(?:gav|gave|granted) (?:ham|hende|dem|him|her|them|the caller|personen) "
                r"(?:fjern)?(?:adgang|access|remote access)\b",
                r"\b(?:fik|fået|haft|havde|got|gained|had|has had) (?:\S+ )?(?:fjern)?adgang til "
                r"(?:min|mit|vores) "
                r"(?:pc|computer|maskine|bærbare?|skærm)|\b(?:got|gained|had|has had) (?:\S+ )?"
                r"(?:remote )?access to (?:my|our) (?:\S+ )?(?:pc|computer|laptop|machine|screen)\b",
                r"\b(?:lod|lader|ladet|let|lets|allowed|gav|gave) (?:\S+ ){1,6}?(?:adgang til|overtage|"
                r"styre|komme ind på|tilgå|få adgang til|kigge på|se|take over|control|access|"
                r"connect to|into|see|look at|remote into) (?:\S+ )?(?:min|mit|my) (?:skærm|"
                r"computer|pc|maskine|bærbare?|screen|laptop|mouse|mus|desktop)\b",
            ),
            requires_any=(
                r"\b(?:ringede|ringet|opkald\w*|telefonen|called|calling|phoned|rang|a call)\b",
                # Or nobody the user knows: "nogen har installeret ... uden at jeg ved det".
                r"\buden (?:at )?(?:jeg|vi) (?:ved|vidste|har|havde)\b|\bwithout (?:my|our) "
                r"(?:knowledge|permission|consent)\b|\b(?:nogen|someone|somebody) (?:har |has |have |"
                r"had |havde )?(?:installeret|installed|sat|put|lagt|added|tilføjet)\b",
                r"\b(?:påstod|påstår|udgav sig|udgiver sig|sagde (?:at )?(?:han|hun|de) var|"
                r"claimed|claiming|pretend\w*|said (?:he|she|they) (?:was|were)|saying (?:he|she|"
                r"they) (?:was|were)|posing)\b",
                r"\b(?:svindl\w*|scam\w*|fremmed|stranger|ukendt|unknown|falsk\w*|fake)\b",
                r"\b(?:jeg|vi|i|we) (?:ikke|don'?t|do not) (?:kender|know|recogni[sz]e)\b",
                # Talked into it, and afraid now.
                r"\b(?:fik mig til|got me to|told me to|talked me into|overtalte mig|bange|nervøs|"
                r"worried|scared|afraid|regret|fortryder)\b",
            ),
            excludes=(
                *_HYPOTHETICAL,
                # Our own technician asked for it.
                r"\b(?:oneoffice|oo\.dk|jeres (?:tekniker|supporter|kollega|medarbejder|support)|"
                r"your (?:technician|colleague|support|supporter))\b",
            ),
            negatable=True,
        ),
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
                rf"\b(?:ingen|intet|ikke|mistet|mistede|uden|manglende) (?:noget |nogen |adgang til |"
                rf"forbindelse til |forbindelsen til |mere )?{_NET_NOUN}\b",
                rf"\b{_IKKE} (?:\S+ )?(?:haft|fået|har) (?:noget |nogen )?{_NET_NOUN}\b",
                rf"\b{_KAN_IKKE} {_gap(3)}(?:komme|gå|være|koble) (?:på|ud på|online på|ind på) "
                r"(?:nettet|internettet|internet|net)\b",
                rf"\b{_KAN_IKKE} {_gap(3)}(?:komme|gå) online\b",
                rf"\b(?:{_KAN_IKKE}|{_NOBODY_CAN}) {_gap(3)}(?:forbinde|få forbindelse|koble) "
                rf"(?:sig )?(?:til|på) {_NET}",
                r"\b(?:internet|net)nedbrud\b|\bnedbrud (?:på|af) (?:internettet|nettet|netværket)\b",
                rf"\b(?:ingen|nobody|no[- ]?one) {_gap(3)}(?:har|får|kan få|has|gets) (?:\S+ )?"
                rf"(?:{_NET_NOUN}|{_NET_EN})\b",
                rf"\b{_NOBODY_CAN} {_gap(3)}"
                r"(?:komme|gå|get|go) (?:på |ud på |on )?(?:nettet|internettet|online|the internet)\b",
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
                rf"\b{_SYSTEM} {_gap(3)}(?:{_DOWN_DA}|{_NOT_WORKING_DA}|svarer {_IKKE}|"
                rf"reagerer {_IKKE}|kan {_IKKE} (?:tilgås|nås|findes|ses|åbnes|bruges)|"
                rf"er utilgængelig\w*|{_DOWN_EN}|"
                r"fejler|fejlede|mislykkes|fails|failed|failing|keeps failing|genstarter|afviser|"
                r"rejects|refuses|blokerer|blocks|forbinder ikke|vil ikke (?:forbinde|koble)|"
                r"(?:won'?t|doesn'?t|does not|will not|can'?t|cannot) connect|"
                r"keeps (?:restarting|rebooting|crashing)|"
                r"(?:won'?t|doesn'?t|does not|will not|isn'?t) (?:respond|responding)|"
                rf"{_NOT_WORKING_EN}|(?:is |are )?(?:unavailable|unreachable|not responding))",
                rf"\b(?:ingen|ikke|mistet) (?:noget |nogen )?(?:forbindelse(?:n)?|adgang(?:en)?|kontakt(?:en)?) "
                rf"(?:til|på) (?:(?:\S+ ){{0,2}}?{_ANY_SYSTEM}|noget|nogenting|anything)\b",
                rf"\b{_CANT} {_gap(2)}{_CONNECT_EN}\b",
                rf"\b{_NOBODY_CAN} {_gap(3)}"
                rf"(?:{_CONNECT_DA}|{_CONNECT_EN}|sende|modtage|åbne|bruge|deltage|send|receive|open|"
                r"use|join)\b",
                rf"\b{_NOBODY} {_gap(3)}(?:har|has|have|får|gets) "
                rf"(?:\S+ )?(?:adgang|forbindelse|access|connection) (?:til|to) (?:\S+ )?{_ANY_SYSTEM}\b",
                rf"\b(?:no |lost (?:the |our )?|without (?:any )?)(?:connection|access|connectivity) "
                rf"to (?:the |our )?{_ANY_SYSTEM}\b",
                r"\b(?:nedbrud|driftsforstyrrelse\w*|outage|service disruption)\b",
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
                *_RESOLVED,
                *_PAST_SOLVED,
                *_HYPOTHETICAL,
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
                rf"\b(?:ingen|none) (?:af |of )?(?:\S+ )?{_PRINT} (?:\S+ )?(?:virker|fungerer|printer|"
                r"reagerer|svarer|works?|responds?)\b",
            ),
            requires_any=_EVERYONE,
            excludes=(*_RESOLVED,
                *_PAST_SOLVED, *_HYPOTHETICAL),
            negatable=True,
        ),
        Rule(
            # BR-9 "Din konto er låst til systemet."
            name="account_locked",
            critical=True,
            priority="high",
            patterns=(
                rf"{_ACCOUNT}\b {_gap(4)}(?:er|blev|bliver|er blevet|har været|is|has been|got|was|"
                rf"gets|keeps getting|seems) (?:\S+ ){{0,2}}?(?:{_LOCKED_DA}|{_LOCKED_EN})\b"
                r"(?! op\b| up\b)",
                rf"\b(?:{_LOCKED_DA}|{_LOCKED_EN}) (?:\S+ )?(?:ude|out)\b",
                rf"\b(?:{_LOCKED_EN}|{_LOCKED_DA}) (?:my |the |our |his |her |their |min |mit |sin |"
                r"sit |hans |hendes |deres |vores )?(?:account|konto|bruger)",
                # Without æøå: "min konto er last", "last ude".
                rf"{_ACCOUNT}\b {_gap(3)}(?:er|blev|bliver|er blevet) (?:\S+ )?last\b(?! op\b)",
                r"\blast ude\b|\blukket (?:\S+ )?ude\b|\budelukket fra\b|\bshut out of\b",
                rf"{_ACCOUNT}\b (?:{_LOCKED_DA}|{_LOCKED_EN})\b(?! op\b| up\b)",  # "konto låst"
                # A subject of one word, "Låst!", "Locked out": on a helpdesk, the account.
                r"^(?:l(?:å|aa)st|locked)(?: ude| out)?\W*\n",
                rf"\b(?:l(?:å|aa)se|oplåse|unlock|unblock|reactivate|genaktiver\w*) {_gap(2)}"
                rf"{_ACCOUNT}\b",
                r"\bfor mange (?:\S+ )?(?:forsøg|login-?forsøg|loginforsøg)\b",
                rf"{_ACCOUNT}\b (?:\S+ ){{0,2}}?(?:er |is )?(?:ikke (?:længere )?aktiv|inaktiv\w*|"
                r"not active|inactive|no longer active)\b",
                r"\btoo many (?:\S+ ){0,2}?attempts\b",
            ),
            excludes=(
                r"\b(?:l(?:å|aa)st|l(?:å|aa)ste) op\b|\bunlocked\b",
                rf"\b(?:ikke|not|isn'?t|wasn'?t|aren'?t) (?:\S+ )?(?:længere |mere |longer )?"
                rf"(?:{_LOCKED_DA}|{_LOCKED_EN})\b",
                r"\b(?:kontoret|bygningen|huset|lokalet|døren|dør|nøgle\w*|building|door|keys?)\b",
                r"\b(?:bankkonto\w*|nemkonto\w*|bank account)",
                r"\b(?:fil(?:en|er|erne)?|dokument\w*|regneark\w*|files?|documents?) "
                r"(?:\S+ )?(?:er |is )?(?:l(?:å|aa)st|locked)",
                r"\b(?:bil(?:en)?|cykl(?:en)?|cykel|skab(?:et)?|skuffe(?:n)?|car|bike)\b",
                *_HYPOTHETICAL,
                *_PAST_SOLVED,
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
                rf"\b{_PASSWORD}\b {_CLAUSE_GAP}(?:{_NOT_WORKING_DA}|{_NOT_WORKING_EN}|"
                r"(?:er|is|are|has|er blevet|has been|was|were) (?:\S+ )?(?:udløbet|løbet ud|forkert|"
                r"ugyldig|afvist|expired|wrong|incorrect|invalid|rejected|not recogni[sz]ed)|"
                r"udløb\b|løb ud|expired|(?:bliver|blev|gets|got|keeps being) (?:\S+ )?"
                rf"(?:afvist|rejected|declined)|(?:accepteres|godkendes|passer) {_IKKE}|"
                rf"(?:bliver|blev) (?:\S+ )?{_IKKE} (?:accepteret|godkendt|genkendt)|"
                r"(?:isn'?t|is not|wasn'?t|was not|not) (?:being )?(?:accepted|excepted)|"
                r"it'?s (?:\S+ )?(?:rejected|wrong|expired|invalid|not accepted|not working))",
                rf"\b(?:forkert|forkerte|ugyldig|ugyldigt|udløbet|udløbne|wrong|incorrect|invalid|"
                rf"expired) (?:\S+ ){{0,3}}?{_PASSWORD}\b",
                rf"\b(?:glemt|glemte|forgot|forgotten|mistet|lost) (?:\S+ ){{0,2}}?{_PASSWORD}\b",
                # "... got reset by mistake and I don't know the new one".
                rf"\b{_PASSWORD}\b[^.!?\n]{{0,60}}?\b(?:(?:don'?t|do not) know (?:the |my )?(?:new one|"
                r"new password|it)|kender (?:ikke|ik) (?:den nye|min nye|den|det))\b",
                # A password and a refusal in any words, in one clause: "min kode bliver ved
                # med at blive afvist", "password rejected on every attempt".
                rf"\b{_PASSWORD}\b\S* (?:[^\s.!?;,:]+ ){{0,6}}?(?:afvist|afvises|afviser|rejected|"
                r"rejecting|declined|denied|nægtet|not accepted|ikke accepteret|ikke godkendt)\b",
                # "Outlook spørger efter min adgangskode og godtager den ikke".
                rf"\b{_PASSWORD}\b {_CLAUSE_GAP}(?:og |and )?(?:godtager|accepterer|godkender) "
                rf"(?:den |det )?{_IKKE}\b|\b{_PASSWORD}\b {_CLAUSE_GAP}(?:and )?(?:won'?t|doesn'?t|"
                r"does not|will not) accept (?:it|them)\b",
                # "... en ny adgangskode, den gamle virker ikke mere".
                rf"\b{_PASSWORD}\b(?:[^.!?;\n]{{0,40}}?(?:, |og |and |men |but )| )(?:den gamle|the old one|"
                rf"den nye|the new one|den|det|it) (?:\S+ )?(?:{_NOT_WORKING_DA}|{_NOT_WORKING_EN}|"
                rf"(?:er|is) (?:\S+ )?(?:udløbet|forkert|expired|wrong)|bliver {_IKKE} (?:godkendt|"
                r"accepteret)|isn'?t accepted|is not accepted)",
                rf"\b(?:vil|ville|kan) (?:\S+ )?{_IKKE} (?:godtage|acceptere|godkende|tage imod) "
                rf"(?:\S+ )?{_PASSWORD}\b",
                # "Outlook keeps refusing my password", "afviser min kode".
                rf"\b(?:afviser|afviste|refuses|refused|refusing|rejects|rejected|rejecting|"
                rf"accepterer {_IKKE}|godkender {_IKKE}|won'?t accept|doesn'?t accept) "
                rf"(?:\S+ )?{_PASSWORD}\b",
                rf"\bhusker {_IKKE} (?:\S+ )?{_PASSWORD}\b",
                rf"\b(?:{_KAN_IKKE}|{_CANT}) {_gap(2)}(?:huske|skifte|ændre|remember|change) "
                rf"(?:\S+ )?{_PASSWORD}\b",
            ),
            excludes=(
                r"\b(?:qr|rabat|kampagne|alarm|dør|fejl|kilde|html|promo|gave|wifi|wi-fi|gæste)"
                r"[- ]?kode",
                # A phone's or a card's PIN is the device's, not a log-on.
                r"\b(?:pin\w*|kode\w*|code) (?:til|på|for|to|on|of) (?:min |mit |the |my )?(?:telefon\w*|"
                r"mobil\w*|phone|iphone|sim\w*|ipad|kort\w*|card|dankort\w*)",
                # The shared key of a guest wifi, an alarm or a door is nobody's log-on.
                r"\b(?:kode(?:n|rne)?|adgangskode(?:n)?|kodeord(?:et)?|password(?:et)?|key|"
                r"nøgle(?:n)?|pin(?:koden)?) (?:til|for|to|på|of) (?:\S+ ){0,2}?(?:gæste\S*|guest\S*|"
                r"wi-?fi\S*|trådløse?|wireless|\S*alarm\S*|\S*dør\S*|\S*door\S*|\S*boks\S*|safe|"
                r"porten|gate|garage\S*|kopimaskin\S*|printer\S*|copier|scanner\S*)",
                r"\b(?:gæste|guest|wi-?fi|trådløs\w*|wireless|alarm|dør|door)(?:[- ]\S+)?[- ]"
                r"(?:password\w*|adgangskode\w*|kodeord\w*|key)\b",
                r"\b(?:ikke|not|isn'?t|wasn'?t) (?:\S+ )?(?:udløbet|expired)\b",
                *_HYPOTHETICAL,
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
                rf"\b{_KAN_IKKE} {_gap(4)}{_LOG_ON}\b",
                rf"\b{_KAN_IKKE} {_gap(2)}komme (?:ind|på|paa|pa) (?:på |paa |pa |i )?(?:min |mit |vores |sin |den |"
                r"det )?(?:pc|computer|konto|mail|outlook|teams|systemet|maskine|bærbar|laptop|"
                r"windows|office|microsoft|sharepoint|onedrive|citrix|fjernskrivebord|vpn)",
                rf"\b(?:logger|login|logon|log-?in|log-?on|log-?ind|pålogning(?:en)?|indlogning(?:en)?|"
                rf"logging (?:in|on)|signing in|"
                rf"sign-?in|sign-?on) {_gap(2)}(?:{_IKKE} (?:på|ind)|fejler|fejlede|mislykke\w*|"
                rf"{_NOT_WORKING_DA}|fails|failed|failing|{_NOT_WORKING_EN}|problem\w*|error|fejl|"
                r"issues?|trouble)\b",
                r"\b(?:problem(?:er)?|issues?|trouble|besvær|vanskeligheder) (?:med (?:at )?|with |"
                r"when )?(?:\S+ )?(?:logge? (?:på|ind)|log-?in|log-?on|login|logon|pålogning|"
                r"indlogning|sign(?:ing)?[- ]in|logging (?:in|on))\b",
                rf"\b{_CANT} {_gap(2)}(?:log ?in|log ?on|log ?into|sign ?into|login|logon|sign ?in|"
                r"sign ?on|authenticate|get into "
                r"(?:my |the )?(?:account|computer|pc|laptop|email|mailbox|outlook))\b",
                r"\b(?:smidt|kicked|thrown) (?:\S+ )?(?:ud|out) (?:af|of)\b",
                # A log-on and a failure in any words, in one clause: "sign in again and then
                # says it failed".
                r"\b(?:log(?:ge)? (?:på|ind|in|on)|sign(?:ing)? in|logging (?:in|on)|login|log-?ind|"
                r"pålogning\w*)\b\S* (?:[^\s.!?;,:]+ ){0,6}?(?:fejler|fejlede|mislykke\w*|fails|"
                r"failed|failing|afvist|rejected|denied|nægtet|(?<!uden )(?<!ingen )(?<!no )"
                r"(?<!without )(?:error|fejl))\b",
                # Back to the start: "every time I sign in it loops back", "kører i ring".
                r"\b(?:log(?:ge)? (?:på|ind|in|on)|sign(?:ing)? in|logging in)\b[^.!?\n]{0,40}?"
                r"\b(?:loops?|looper|kører (?:\S+ )?i ring|sends? me back|starter forfra|goes back|"
                r"går tilbage)\b",
                # "... logge ind 5 gange, men den afviser mig", "it keeps rejecting me".
                r"\b(?:logge?|log|login|logon|sign)\w* [^.!?\n]{0,60}?\b(?:afviser|afviste|rejects|"
                r"rejected|rejecting|refuses|refused) (?:mig|me|os|us)\b",
                # The second factor never comes: "authenticator-appen giver mig ingen kode",
                # "I'm not getting the code".
                r"\b(?:får|fik|modtager|modtog) (?:\S+ )?(?:ikke|ingen) (?:nogen |noget |en )?"
                r"(?:kode\w*|sms\w*)",
                r"\b(?:giver|sender|viser) (?:mig |os )?(?:ikke|ingen) (?:nogen |noget |en )?"
                r"(?:kode\w*|sms\w*|besked\w*)",
                r"\b(?:not|never|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t) (?:\S+ )?(?:getting|get|"
                r"receiving|receive|arrive|arriving|sending|showing) (?:\S+ )?(?:the |a |any |my )?"
                r"(?:codes?|sms|text|prompts?|notifications?|verification)\b",
                # "jeg kan ikke komme ind": on a helpdesk, into the PC or account, unless a
                # place follows ("ind på kontoret").
                rf"\b{_KAN_IKKE} {_gap(2)}komme ind\b(?! (?:på|i|ad|gennem) (?:\S+ )?(?:kontoret|"
                r"bygningen|lokalet|døren|huset|kælderen|lageret|mødelokalet|garagen|p-kælderen))",
                # "nægtet adgang når jeg prøver at logge ind", "access denied when I sign in".
                r"\b(?:nægtet adgang|adgang nægtet|access (?:is )?denied|denied access)\b[^.!?\n]{0,40}?"
                r"\b(?:logge?|log|login|logon|sign|signing|logging)\b",
                r"\b(?:logge?|log|login|logon|sign|signing|logging)\b[^.!?\n]{0,40}?\b(?:nægtet adgang|"
                r"adgang nægtet|access (?:is )?denied|denied access)\b",
                # "Den siger at mit brugernavn ikke findes", "user account doesn't exist".
                r"\b(?:brugernavn\w*|bruger(?:en|konto\w*)?|konto\w*|user ?name|user account|"
                r"account) (?:\S+ ){0,2}?(?:findes ikke|ikke findes|doesn'?t exist|does not exist|"
                r"not found|ikke (?:bliver )?genkendt|(?:is )?not recogni[sz]ed)\b",
                # "har ikke adgang til min computer": no way onto the machine or the account
                # (no access to a mailbox alone is BR-13's simple task).
                r"\b(?:ikke|ingen|no) (?:\S+ )?(?:adgang|access) (?:til|to) (?:min|mit|my) "
                r"(?:computer|pc|laptop|bærbare?|maskine|konto|account|arbejdsstation|workstation)\b",
                # "pc'en lukker mig ikke ind"; tried all morning "uden held", "no luck".
                r"\b(?:lukker|lader) (?:mig|os|ham|hende|dem) (?:ikke|ik) (?:komme )?ind\b",
                rf"\b(?:{_LOG_ON}|log ?in|log ?on|sign ?in|logging in|signing in)\b[^.!?;\n]{{0,40}}?"
                r"\b(?:uden held|forgæves|uden succes|uden at det lykkes|without (?:any )?(?:luck|"
                r"success)|unsuccessfully|in vain|no luck)",
                # "Ingen kan logge på", "nobody in the office can log in": everyone's.
                rf"\b{_NOBODY_CAN} {_gap(3)}(?:{_LOG_ON}|log ?in|log ?on|sign ?in|login|authenticate)\b",
            ),
            excludes=(*_HYPOTHETICAL, *_PAST_SOLVED),
            negatable=True,
            outside=outside,
        ),
        Rule(
            # BR-10 names "password reset" operations-critical; a planned one is not.
            name="password_reset",
            critical=True,
            priority="high",
            patterns=(
                rf"\b(?:nulstil\w*|reset\w*|resett\w*|midlertidig\w*|temporary) {_gap(2)}"
                rf"{_PASSWORD}\b",
                rf"\b{_PASSWORD}[- ]?(?:reset|nulstil)\w*",
                # "Jeg har brug for en ny adgangskode hurtigst muligt".
                rf"\b(?:brug for|behov for|need|needs|skal have|must have) (?:\S+ )?(?:ny|nyt|new) "
                rf"{_PASSWORD}\b",
            ),
            excludes=(
                # The shared key of a guest wifi, an alarm or a door is nobody's log-on.
                r"\b(?:kode(?:n|rne)?|adgangskode(?:n)?|kodeord(?:et)?|password(?:et)?|key|"
                r"nøgle(?:n)?|pin(?:koden)?) (?:til|for|to|på|of) (?:\S+ ){0,2}?(?:gæste\S*|guest\S*|"
                r"wi-?fi\S*|trådløse?|wireless|\S*alarm\S*|\S*dør\S*|\S*door\S*|\S*boks\S*|safe|"
                r"porten|gate|garage\S*|kopimaskin\S*|printer\S*|copier|scanner\S*)",
                r"\b(?:gæste|guest|wi-?fi|trådløs\w*|wireless|alarm|dør|door)(?:[- ]\S+)?[- ]"
                r"(?:password\w*|adgangskode\w*|kodeord\w*|key)\b",
                r"\b(?:næste|kommende|next|coming|upcoming) (?:uge|måned|mandag|tirsdag|onsdag|"
                r"torsdag|fredag|week|month|monday|tuesday|wednesday|thursday|friday)\b",
                r"\bom (?:en|to|tre|\d+) (?:uge|uger|dage)\b",
                r"\b(?:på|on) (?:mandag|tirsdag|onsdag|torsdag|fredag|monday|tuesday|wednesday|"
                r"thursday|friday)\b|\bi morgen\b|\btomorrow\b",
                r"\bin (?:a|two|three|\d+) (?:weeks?|days)\b",
                r"\b(?:nye? medarbejder\w*|nyansat\w*|new (?:employee|hire|starter|colleague|user)s?|"
                r"onboarding|offboarding|fratrådt\w*|fratræder|fratrædelse|leaver|left the company|"
                r"er stoppet|har sagt op|has left|have left|resigned|quit)\b",
                # Resetting everyone's passwords is a measure to weigh, not a log-on that fails.
                r"\b(?:alle|alles|samtlige|everyone'?s|everybody'?s|all)\b (?:\S+ ){0,2}?"
                r"(?:passwords|adgangskoder|koder|kodeord|passwords)\b",
                r"\b(?:password reset|nulstilling) for (?:alle|all|everyone|everybody|samtlige)\b",
                r"\b(?:skal vi|bør vi|burde vi|skulle vi|should we|shall we|do we need to|"
                r"is it (?:a good idea|worth|wise|smart)|would it be wise|giver det mening|"
                r"er det en god idé)\b",
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
                r"\b(?:viser|melder|giver|shows|displays|gives) (?:en |an |a )?(?:\S+ )?(?:fejlkode|"
                r"error code|fejlskærm|error screen)\b|\b(?:trist|sur|sad) (?:smiley|face|ansigt)\b",
                # Windows stop codes, as the blue screen names them.
                r"\b(?:critical[ _]process[ _]died|kernel[ _]security[ _]check|irql[ _]not[ _]less|"
                r"page[ _]fault[ _]in|memory[ _]management|system[ _]thread[ _]exception|"
                r"whea[ _]uncorrectable|kmode[ _]exception)",
            ),
            excludes=(
                r"\b(?:ingen |ikke (?:en |nogen )?|no |not an? )(?:system[- ]?fejl|system errors?|"
                r"blue ?screens?|blå ?skærm)",
                *_RESOLVED,
                *_HYPOTHETICAL,
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
