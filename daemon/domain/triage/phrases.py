"""How customers say things, as regex fragments the built-in triage rules (rules.py)
are written with, so that a phrase such as "kan ikke" is spelled one way for all of them:
negations, "not working" and "down", BR-8's "everyone affected", the network, the IT
solution, printing, accounts and passwords, and how a password is given away.

Written for the normalised text (normalise.py: lower case, accents folded).
"""

from __future__ import annotations

# Fragments for the patterns below. A "word" stops at sentence punctuation, so a gap
# of words never crosses into the next sentence.
W = r"[^\s.!?;]+"


def gap(words: int) -> str:
    return rf"(?:{W} ){{0,{words}}}?"


IKKE = r"(?:ikke|ikk|ik)"
# "kan ikke", "kan jeg desværre ikke", "det er ikke muligt at", "det lykkes mig ikke at".
KAN_IKKE = (
    rf"(?:(?:kan|kunne) {gap(3)}{IKKE}|{IKKE} (?:længere )?(?:muligt|kunnet|kan|kunne)|"
    rf"lykkes (?:{W} )?{IKKE})"
)
CANT = r"(?:can'?t|cannot|can ?not|couldn'?t|could not|unable to|not able to)"
NOT_WORKING_DA = rf"(?:virker|virke|fungerer|fungere|duer|kører|virkede|fungerede) {IKKE}"
NOT_WORKING_EN = (
    r"(?:(?:is |are |'s |s )?not working|isn'?t working|aren'?t working|"
    r"(?:does|do|did|dos)(?:n'?t| not|ent) work|won'?t work|(?:has |have )?stopped working)"
)
DOWN_DA = r"(?:er (?:\S+ )?(?:nede|gået ned|død|væk|afbrudt|offline)|nede\b|gik ned|går ned)"
DOWN_EN = (
    r"(?:(?:is |are |'s |s |went |has gone |have gone |has been |is still )?(?:down|offline|dead))"
)
RESOLVED = (
    r"\b(?:virker|virkede|fungerer|fungerede|kører|kørte|oppe) "
    r"(?:(?!ikke\b|ik\b)\S+ ){0,2}?igen\b",
    r"\b(?:er|blev|er blevet) (?:nu )?(?:løst|fikset|fixet|ordnet)\b",
    r"\b(?:working|works|worked|up|running) (?:\S+ )?again\b",
    r"\bback (?:up|online|to normal)\b",
    r"\b(?:is|has been|was|got) (?:now )?(?:fixed|resolved|sorted)\b",
)
# "Hvad gør vi, hvis internettet går ned?" asks about a procedure; nothing is down.
# Courtesies ("hvis muligt", "if you can") do not make a sentence hypothetical.
HYPOTHETICAL = (
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
EVERYONE = (
    r"(?<!ikke )(?<!not )\balle (?:\S+ )?(?:er|bliver|blev|er blevet|is|are) (?:\S+ )?"
    r"(?:berørt|berørte|ramt|ramte|påvirket|påvirkede|affected|impacted)\b",
    r"\b(?:berører|rammer|påvirker|gælder|affects|affecting|impacts) (?:\S+ )?"
    r"(?:alle|everyone|everybody|all)\b",
    r"(?<!ikke )\balle (?:\S+ ){0,2}?(?:på|i|her på|hos|herinde på) (?:\S+ )?"
    r"(?:kontoret|kontorerne|firmaet|virksomheden|huset|afdelingen|butikken|klinikken|"
    r"filialen|lageret|teamet|bygningen)\b",
    r"(?<!ikke )\b(?:alle|samtlige) (?:\S+ )?(?:medarbejdere|medarbejderne|brugere|brugerne|"
    r"ansatte|kollegaer|kolleger|kollegaerne|kollegerne|computere|computerne|pc'?er|"
    r"pc'?erne|maskiner|maskinerne|klienter|enheder|enhederne)\b",
    r"(?<!hej )(?<!hejsa )(?<!kære )(?<!tak )\balle sammen\b|\bos alle\b|\balle mand\b",
    r"\bhele (?:\S+ )?(?:kontoret|firmaet|virksomheden|huset|afdelingen|butikken|klinikken|"
    r"filialen|organisationen|netværket|teamet|bygningen|lokationen)\b",
    r"\bingen af (?:os|vores|dem|medarbejderne|kollegerne|kollegaerne|brugerne|pc'?erne|"
    r"computerne|maskinerne)\b|\bikke (?:nogen|en eneste) af os\b",
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
    r"\b(?:for|til|på|hos|on|to|for) (?:nogen|any) (?:af|of) (?:os|us|vores|our|medarbejderne|"
    r"kollegerne|kollegaerne|pc'?erne|computerne|maskinerne|the)\b",
    r"(?<!ikke )\b(?:alle|samtlige) (?:vores |de )?(?:printere|printerne|servere|serverne|"
    r"systemer|systemerne|kontorer|afdelinger|butikker|lokationer|skærme|telefoner)\b",
    rf"\bvi (?:\S+ ){{0,2}}?(?:kan|kunne) (?:\S+ ){{0,2}}?{IKKE} (?:\S+ ){{0,2}}?"
    r"(?:printe|udskrive|skrive ud|komme på|komme ind|gå på|forbinde|få forbindelse|arbejde)",
    r"\bvi (?:\S+ )?har (?:\S+ )?(?:ingen|ikke noget|ikke nogen|ikke) "
    r"(?:internet|net|forbindelse|adgang|netværk|wifi|mail|strøm)",
    r"(?<!not )(?<!hi )(?<!hello )(?<!dear )(?<!thanks )\b(?:everyone|everybody|all users|"
    r"all staff|all employees|all of us|all (?:of )?(?:our|the) (?:users|staff|employees|"
    r"computers|pcs|machines|laptops|colleagues)|(?:the )?(?:whole|entire) (?:office|company|"
    r"team|building|site|network)|company-?wide|office-?wide|site-?wide|nobody|no[- ]?one|"
    r"none of (?:us|our))\b",
    r"\bwe (?:\S+ )?(?:can'?t|cannot|can not|are unable to|are not able to|couldn'?t|"
    r"could not) (?:\S+ ){0,2}?(?:print|connect|get online|go online|work|reach)\b",
    r"\bwe (?:have|got|'ve got|'ve|have got) (?:no|lost(?: our| the)?) "
    r"(?:internet|connection|network|wifi|access|email|power)\b",
    r"\bwe (?:don'?t|do not) have (?:any )?(?:internet|connection|network|wifi|access)\b",
)

NET = (
    r"(?:internet(?:tet|et)?|nettet|netværk(?:et)?|netforbindelse(?:n)?|internetforbindelse(?:n)?|"
    r"wi-?fi(?:'?en|et)?|trådløse? net(?:værk)?(?:et)?|bredbånd(?:et)?|"
    r"fiber(?:en|forbindelse(?:n)?)?|routeren)"
)
NET_NOUN = (
    r"(?:internet(?:tet|et)?|nettet|net|internetforbindelse(?:n)?|netforbindelse(?:n)?|"
    r"wi-?fi(?:'?en|et)?|netværk(?:et|sforbindelse(?:n)?)?)"
)
NET_EN = r"(?:internet|internet connection|network|wifi|wi-fi|wireless|broadband)"

SYSTEM = (
    r"(?:server(?:en|ne|erne)?|systemet|systemerne|it-?løsning(?:en)?|it-?systemet|løsningen|"
    r"platformen|hosting(?:en)?|fjernskrivebord(?:et)?|remote ?desktop|rdp|"
    r"terminalserver(?:en)?|citrix|vpn(?:'?en|et)?|fællesdrev(?:et)?|netværksdrev(?:et|ene)?|"
    r"drev(?:et|ene)|sharepoint|onedrive|teams|outlook|e-?mail(?:en|s)?|mail(?:en|s)?|"
    r"exchange|office ?365|microsoft ?365|m365|o365|økonomisystem(?:et)?|erp|navision|"
    r"business central|e-?conomic|intranet(?:tet)?|databasen|the server|the system|servers?|"
    r"file server|shared drives?|network drives?|mailbox(?:es)?)"
)
APP = (
    rf"(?:{SYSTEM}|excel|word|powerpoint|programmet|programmerne|programmer|windows|"
    r"dynamics|visma|dinero|uniconta|pc'?erne|computerne|maskinerne)"
)
CONNECT_DA = (
    r"(?:forbinde|forbindes|koble (?:os |mig )?(?:på|op)|få (?:forbindelse|adgang|kontakt)|"
    r"komme (?:ind|på)|tilgå)"
)
CONNECT_EN = r"(?:connect|access|reach|get into|get to|log ?in to|sign ?in to)"

PRINT = (
    r"(?:printer(?:en|n|ne|erne|e)?|print(?:et|ningen)?|udskrift(?:en|er|erne)?|"
    r"udskrivning(?:en)?|kopimaskine(?:n|r|rne)?|multifunktionsprinter(?:en)?|"
    r"printserver(?:en)?|print ?server|printing|printers?|print jobs?)"
)
PRINT_VERB = r"(?:printe|printes|udskrive|udskrives|skrive ud|printe ud|print|prente)"

ACCOUNT = (
    r"(?:konto(?:en|er|erne)?|\bbruger(?:en|ne|konto(?:en)?)?|\bbrugernavn(?:et)?|"
    r"\blogin(?:'?et|net)?|\bprofil(?:en)?|\baccount|\buser)"
)
LOCKED_DA = r"(?:l(?:å|aa)st|l(?:å|aa)ste|l(?:å|aa)ses|spærret|spaerret|blokeret|deaktiveret)"
LOCKED_EN = r"(?:locked|blocked|disabled|suspended)"

PASSWORD = (
    # With the common misspellings: "adgangkode", "pasword", "passord", "paswoord".
    r"(?:adgangs?kode(?:n|r|rne)?|kodeord(?:et|ene)?|pas+wo*r[dt](?:et|s|ene)?|passwd|"
    r"kode(?:n|r|rne)?|pinkode(?:n)?|pin-?kode(?:n)?|pin|login-?kode(?:n)?|"
    r"mfa(?:-?kode(?:n)?)?|2fa|to-?faktor\w*|totrinsbekræftelse(?:n)?|"
    r"authenticator(?:-?app(?:en)?)?|engangskode(?:n)?|bekræftelseskode(?:n)?)"
)
LOG_ON = (
    r"(?:logge?|loge|logg|login|log|logon) (?:mig |ham |hende |os |dem |sig )?"
    r"(?:på|paa|pa|ind|on|in)"
)


GAVE = (
    r"(?:tastet|tastede|indtastet|indtastede|skrevet|skrev|givet|gav|oplyst|oplyste|udfyldt|"
    r"udfyldte|afgivet|afgav|typed|entered|gave|given|put in|filled in|submitted)"
)
SECRET = (
    rf"(?:{PASSWORD}|login\w*|brugernavn\w*|(?:mine |sine )?oplysninger(?:ne)?|kortnummer\w*|"
    r"kortoplysninger\w*|kortdata|betalingskort\w*|mitid|nemid|credentials|login details|"
    r"username|user name|card (?:number|details)|fjernadgang|teamviewer|anydesk|remote access|"
    r"(?:\S+ )?adgang til (?:min|mit|sin|sit|hans|hendes|vores) (?:computer|pc|skærm|maskine))"
)
# Where a password was given: a link, a page, a mail, a caller.
LURE = (
    r"\b(?:link\w*|sms\w*|e-?mail\w*|mail\w*|besked\w*|side(?:n)?|hjemmeside\w*|formular\w*|"
    r"falsk\w*|svindel\w*|snyd\w*|phishing\w*|fake|scam\w*|spoof\w*|page|site|website|form|"
    r"text message|ringede|called|opkald\w*)",
)
TRAINING = (
    r"\b(?:kursus|kurser|webinar|course|training|awareness|foredrag|phishing-?test|"
    r"simulation|simuleret)\w*",
)
