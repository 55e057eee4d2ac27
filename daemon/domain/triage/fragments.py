"""The regex fragments the built-in triage rules are written with (BR-8, BR-9, BR-10):
one spelling of "kan ikke", "virker ikke", a password, a log-on, a printer, a system,
for every rule that needs it (rules.py and the rule families it gathers)."""

from __future__ import annotations

# A "word" stops at sentence punctuation, so a gap
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
    # "... at jeg ikke længere kan logge på": the negation before the verb, as a
    # subordinate clause puts it (formal mail is full of them).
    rf"(?:(?:kan|kunne) {_gap(3)}{_IKKE}|{_IKKE} (?:længere |mere )?(?:muligt|kunnet|kan|kunne)|"
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
    rf"(?:{_NOBODY} {_gap(4)}(?:kan|kunne|har kunnet|can|could|(?:is|are|was|were) able to|"
    rf"(?:has|have|had) been able to)|"
    r"(?:kan|kunne) ingen|"
    rf"(?:har|havde) ingen {_gap(4)}kunnet)"
)
_NOT_WORKING_DA = (
    rf"(?:(?:virker|virke|fungerer|fungere|duer|kører|virkede|fungerede) "
    # "virker pludselig ikke", "virker desværre ikke": one word between, not a new clause.
    rf"(?:den |det |de |stadig |slet |altså |bare |overhovedet |længere |"
    rf"(?!men |og |but |and )[^\s.!?;,]+ )?{_IKKE}|"
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

_NET = (
    r"(?:internet(?:tet|et)?|nettet|netværk(?:et)?|netforbindelse(?:n)?|internetforbindelse(?:n)?|"
    r"wi-?fi(?:'?en|et)?|trådløse? net(?:værk)?(?:et)?|bredbånd(?:et)?|"
    r"fiber(?:en|forbindelse(?:n)?)?|routeren|switch(?:en|ene)?|netværksswitch(?:en)?|"
    r"firewall(?:en)?)"
)
_NET_NOUN = (
    r"(?:internet(?:tet|et)?|nettet|net|internetforbindelse(?:n)?|netforbindelse(?:n)?|"
    r"wi-?fi(?:'?en|et)?|netværk(?:et|sforbindelse(?:n)?)?)"
)
_NET_EN = r"(?:internet|internet connection|network|wifi|wi-fi|wireless|broadband)"

_SYSTEM = (
    r"(?:server(?:en|ne|erne)?|systemet|systemerne|systemer|it-?løsning(?:en)?|it-?systemet|løsningen|"
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
    r"stuck|hænger|crash\w*|broken|i stykker|i sort|sort skærm|ude af drift|out of order|nægtet|denied|går i stå|"
    r"fryser|freez\w*|offline|disconnected|frakoblet|ustabil\w*|unstable|afbrudt|timeout|times out|timer ud|lammet|"
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
    r"printserver(?:en)?|print ?server|printing|printers?|print jobs?|print(?:er)?kø(?:en)?|"
    r"print queue)"
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
    r"legitimationsoplysninger|(?:login|log-?in|logon|log-?ind|adgangs)-?oplysninger(?:ne)?|"
    r"(?:login|log-?in|sign-?in|logon) details)"
)
_LOG_ON = (
    r"(?:logge?|loge|logg|login|log|logon) (?:mig |ham |hende |os |dem |sig )?"
    r"(?:på|paa|pa|ind|on|in)"
)

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
    r"pretend\w*|udgav sig|påstod|claimed|claiming|over the phone|i telefonen|telefonisk|"
    # A QR code, in a mail or a PDF, leads to the same fake page.
    r"qr-?kode\w*|qr[- ]codes?)",
)
_TRAINING = (
    r"\b(?:kursus|kurser|webinar|course|training|awareness|foredrag|phishing-?test|"
    r"simulation|simuleret)\w*",
)


# An odd log-in explained as the writer's own or a colleague's (tune20: blind19/20's kind,
# both languages): "Det var vist mig selv, jeg har fået ny telefon", "it was from my new
# laptop you set up", "was Lars using my laptop in the meeting room". BR-9's "mistanke om
# hack" is gone once the writer says who it was. Not "det var mig selv der klikkede på
# linket" (that is the phishing story) nor "it wasn't me".
_EXPLAINED_LOGIN = (
    # Not a belief taken back: "jeg troede det var mig selv, men jeg sad ikke ..." (blind10).
    r"(?<!troede )(?<!tænkte )(?<!thought )(?<!think )(?<!believed )"
    r"\b(?:det var (?:vist |nok |bare |jo |faktisk |sikkert )?(?:mig selv|bare mig)|"
    r"it was (?:just |only |actually |probably )?me\b|"
    r"(?:det|it) (?:var|was) (?:fra |from )?(?:min|mit|my) (?:egen |eget |own )?(?:nye?|new) "
    # Someone named, not someone unknown (review20): "der var nogen der brugte min konto",
    # "there was someone using my mailbox" are the suspicion itself.
    r"\w+|(?:var|was) (?!(?:nogen|noget|nogle|en|et|man|der|ingen|someone|somebody|"
    r"anyone|anybody|one|a|an|there|nobody|logged|signed|logget)\b)\w+ "
    r"(?:der brugte|som brugte|who used|using|on) (?:min|mit|my) \w+|"
    r"(?:han|hun) har bekræftet|(?:he|she) (?:has )?confirmed)\b"
    # Nor a confirmation of the opposite: "han har bekræftet at han ikke har sendt den".
    r"(?![^.!?\n]{0,40}\b(?:klik\w*|click\w*|åbne\w*|opened|tastede|typed|indtastede|entered|"
    r"gav|gave|installer\w*|svarede|answered|men|but|ikke|aldrig|not|never|didn'?t|wasn'?t)\b)",
)


# The formal register: "undertegnede er afskåret fra at tilgå min konto", "I am unable to
# access my workstation". One's own account or machine, the log-on's object.
_OWN_LOGON = (
    r"(?:min|mit|mine|my|sin|sit|his|her|hans|hendes) (?:\S+ )?\w*(?:konto|kontoen|account|"
    r"computer|computeren|pc|pc'?en|laptop|bærbare?|maskine|maskinen|arbejdsstation|"
    r"workstation|brugerprofil|profil|windows)\b"
)
_CUT_OFF = r"(?:afskåret|udelukket|forhindret|cut off|shut out|barred|prevented)"
# Where one cannot "komme ind" without any IT: a room, a door, an event.
_PLACE = (
    r"(?:kontoret|bygningen|lokalet|døren|huset|kælderen|lageret|mødelokalet|garagen|"
    r"p-kælderen|parkeringspladsen|mødet|kurset|kantinen|festen|arrangementet|skolen|"
    r"office|building|room|door|canteen|meeting|course|event|car park|parking|garage|warehouse)"
)
