"""The built-in rules for a security incident (BR-9 "mistanke om hack", BR-10): a hack,
phishing, a misused account, a remote-access scam. One user is enough.

In order: of the critical rules that match, the first names the case's reason.
"""

from __future__ import annotations

from daemon.domain.triage.context import (
    _HYPOTHETICAL,
)
from daemon.domain.triage.fragments import (
    _EXPLAINED_LOGIN,
    _GAVE,
    _LURE,
    _PASSWORD,
    _SECRET,
    _TRAINING,
    _W,
    _gap,
)
from daemon.domain.triage.fragments_security import (
    _FOREIGN_PLACE,
    _FOREIGN_PLACE_IN,
    _KNOWN_TRIP,
    _MFA_PROMPT,
    _NOT_OUR_OFFICE,
    _NOT_SENT,
    _RECEIVED_MAIL,
)
from daemon.domain.triage.model import Rule


def security_rules(outside: tuple[str, ...]) -> tuple[Rule, ...]:
    return (
        Rule(
            # BR-9 "mistanke om hack", BR-10: a security incident, one user is enough.
            name="suspected_hack",
            critical=True,
            priority="high",
            patterns=(
                # An absent colleague's account deleting files now (BR-9 "mistanke om hack";
                # issue 16, alarms): "Steen er på ferie men hans bruger sletter mapper".
                r"\b(?:ferie|holiday|vacation|sygemeldt|barsel|away|orlov)\b[^.!?\n]{0,120}?\b(?:bruger|"
                r"konto|account|user)\w* (?:\S+ ){0,3}?(?:er (?:\S+ ){0,2}?ved at slette|sletter|is deleting|"
                r"deleting|deletes|is removing)\b|\b(?:bruger|konto|account|user)\w* (?:\S+ ){0,3}?"
                r"(?:er (?:\S+ ){0,2}?ved at slette|sletter|is deleting|deletes|is removing)\b[^.!?\n]{0,120}?"
                r"\b(?:ferie|holiday|vacation|sygemeldt|barsel|away|orlov)\b",
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
                # A password or mailbox in a leak: "mit kodeord er lækket", "min mail dukker op
                # i et læk på Have I Been Pwned", "my email appears in a data breach".
                rf"\b{_PASSWORD} (?:\S+ ){{0,3}}?(?:er |is |are |was |were |has been |have been |"
                r"er blevet |blev )?(?:lækket|leaked|stjålet|stolen|solgt|sold)\b",
                r"\b(?:have ?i ?been ?pwned|haveibeenpwned\S*|pwned)\b",
                r"\b(?:dukker op|dukkede op|optræder|optrådte|står|stod|fundet|findes|appears?|"
                r"appeared|showed up|shows up|shown up|found|listed|included) (?:\S+ ){0,3}?(?:i|in|on|"
                r"på) (?:et |en |a |the |some )?(?:\S+ )?(?:læk\w*|leak\w*|databrud|data ?breach\w*|"
                r"breach\w*|dark ?web)",
                # The fake came from the real address: "Mailen kom fra direktørens rigtige adresse".
                r"\b(?:kom|kommer|came|comes|sendt|sent) (?:\S+ ){0,2}?(?:fra|from) (?:\S+ )?(?:rigtige|"
                r"ægte|real|actual|genuine) (?:\S+ )?(?:adresse|address|mail\w*|konto\w*|account|"
                r"e-?mail\w*)\b",
                # A break-in: "indbrud i vores netværk", unknown users or admins on the server.
                r"\b(?:indbrud|break-?in|intrusion) (?:i|på|in|into|on) (?:vores |min |mit |our |my |the )?"
                r"(?:netværk\w*|system\w*|server\w*|it\w*|mail\w*|konto\w*|pc\w*|computer\w*|network|"
                r"systems?|servers?|accounts?|email)",
                r"\b(?:ukendte|fremmede|unknown|unrecogni[sz]ed) (?:\S+ )?(?:brugere|konti|"
                r"administratorer|adminkonti|users|accounts|admins|administrators)\b",
                # Mail in the user's name they did not write: "mails som jeg ikke har sendt".
                r"\b(?:mails?|e-?mails?|beskeder|messages) (?:\S+ ){0,4}?(?:som |that |which )?"
                r"(?:jeg|i) (?:ikke|aldrig|never|didn'?t|did not|haven'?t|have not) (?:\S+ )?(?:har )?"
                r"(?:sendt|skrevet|sent|send|wrote|write|written)\b",
                # Someone at the controls: the mouse moving by itself, a stranger steering
                # or having been on the PC. "sig selv" as words: "Musen bevæger sig
                # selvfølgelig ikke når batteriet er fladt" is no hack (review18).
                r"\b(?:mus(?:en)?|markør(?:en)?|cursor(?:en)?|mouse|pointer(?:en)?) (?:\S+ ){0,5}?"
                r"(?:bevæger|bevægede|flytter|flyttede|kører|kørte|hopper|moves|moving|moved) "
                r"(?:\S+ ){0,4}?(?:af sig selv|(?<=er |de )sig selv\b|by itself|on its own|of its own accord|"
                r"uden at (?:jeg|"
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
                r"(?:inde på|inde i|været på|been on|been in|been into) (?:min|mit|vores|hans|hendes|"
                r"deres|sin|sit|my|our|his|her|their) "
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
                # A ransom note in other words: "en fil der siger vi skal betale i bitcoin",
                # "all your documents have been locked" (tune17: blind13's misses of the kind).
                # mend17: not "må" (may: "om de må betale i bitcoin"), and the coin named
                # right after the verb, as an amount or "i/in/med" ("skal vi betale gebyr til
                # jer for krypto?" is a price question).
                r"\b(?:skal|kræver|krav om|demand|demands|demanded|demanding|must|have to|wants? (?:us|me) to|asks? (?:us|me) "
                r"to) (?:\S+ ){0,2}?(?:betale|pay) (?:[\d.,$€]+ |(?:\S+ )?(?:i|in|med|with|via) )"
                r"(?:bitcoin\w*|btc|krypto\w*|crypto\w*)",
                # mend17: not a document open elsewhere, said in the same sentence ("låst
                # fordi Peter har dem åbne", "låst - de bruges af en anden bruger", BR-13).
                r"\b(?:alle|all) (?:dine |mine |vores |your |my |our |the )?(?:filer|dokumenter|files|"
                r"documents)\w* (?:\S+ ){0,2}?(?:er blevet|er|blev|have been|has been|are|were) (?:\S+ )?"
                r"(?:låst|locked|krypteret|encrypted)\b(?! (?:for redigering|for editing|af|by)\b)"
                # Open by someone ("har dem åbne", "open in Excel"), not "kan ikke åbne noget".
                r"(?![^.!?\n]*\b(?:fordi|because|since|bruges|i brug|in use|har (?:\S+ ){0,2}?åbne?|"
                r"er åbne?|åbne? (?:i|hos)|(?:is|are) open|open in|opened by|redigere\w*|editing|"
                r"checked out|tjekket ud)\b)",
                # Files given a strange ending, the ransom note's name: "filerne hedder nu
                # noget med .locked til sidst", "READ_ME_RESTORE.txt" (tune17).
                r"\b(?:filer(?:ne)?|dokumenter(?:ne)?|files|documents) (?:\S+ ){0,5}?(?:hedder|ender på|"
                r"ender med|end in|end with|are called|are named|now end) (?:\S+ ){0,3}?\."
                # mend17: an ordinary type after a conversion is no ransom's ending.
                r"(?!(?:xlsx?|xlsm|docx?|pdf|txt|csv|jpe?g|png|gif|pptx?|msg|eml|zip|html?|odt|ods|"
                r"rtf|mp[34]|heic|tiff?|bak|tmp)\b)[a-z0-9]{3,10}\b",
                r"\bread_?me[_-]?(?:restore|decrypt|recover|files|now)\w*|\bhow[_-]to[_-](?:decrypt|"
                r"restore|recover)\w*|\bdecrypt[_-]\w*\.(?:txt|html?)\b",
                # Someone has the password: "nogen har fået fat i min kode", "someone has got
                # hold of my password", "en fremmed kender hans kodeord" (BR-9, tune17).
                # mend17: not a colleague ("en anden kollega har fået min kode": handed over),
                # and not a device's code ("min kode til printeren", BR-13).
                r"\b(?:nogen|en anden|en fremmed|fremmede|someone|somebody|a stranger|hackere|hackers?|"
                r"svindlere|scammers) (?:(?!kolleg|medarbejder|ansat|colleague|co-?worker)\S+ ){0,2}?"
                r"(?:har|havde|has|had|have|'s) (?:fået fat (?:i|på)|"
                r"fat i|fået|got hold of|gotten hold of|got|gotten|stjålet|stolen|kendskab til|"
                r"adgang til|access to) (?:min|mit|hans|hendes|vores|my|his|her|our) (?:\S+ )?"
                r"(?:kode|adgangskode|kodeord|password|login|credentials|loginoplysninger|pinkode)\w*\b"
                r"(?! (?:til|to|for|på|on) (?:the |den |det )?(?:printer|kopimaskin|scanner|alarm|dør|"
                r"wifi|wi-fi|copier|door|gæste|guest)\w*)",
                # Someone else is using the account or mailbox: "Someone is using his
                # account", "nogen bruger hendes mail" (mend18: blind18's kind, a leaver's
                # mailbox sending mail). Not a colleague ("en kollega bruger min konto").
                # Not asked whether anyone still uses it: "Er der nogen der bruger hans gamle
                # mailkonto? Ellers må I lukke den" (review18b).
                r"(?<!\ber der )(?<!\bis there )"
                r"\b(?:nogen|en fremmed|fremmede|someone|somebody|a stranger|hackere|hackers?) "
                r"(?:(?!kolleg|medarbejder|ansat|colleague|co-?worker)\S+ )?(?:is using|are using|"
                r"has been using|is sending from|bruger|har brugt|sender fra) (?:min|mit|hans|hendes|"
                r"vores|my|his|her|our|\w+'?s) (?:\S+ )?(?:konto|account|mail|e-?mail|mailbox|postkasse|"
                r"indbakke)\w*\b",
                # A leaver's account still used (tune20: blind19/20's kind, three mails): "Kenneth
                # stoppede hos os 1. november, men i dag har han ændret i et tilbud", "sendt mails
                # fra hans konto", "A trainer who left in September is still editing". BR-9
                # "mistanke om hack": nobody should be in that account. Not a leaver's account to
                # close ("Henrik stopper 1. december, kan I lukke hans konto?").
                r"\b(?:stoppede|er stoppet|sluttede|fratrådte|er fratrådt|har forladt|"
                r"left (?:us|the company|the firm|in \w+|last \w+)|who left|has left|former employee|"
                r"ex-?employee|tidligere medarbejder)\b[^?]{0,120}?\b(?:"
                r"(?:i dag|i går|i nat|today|yesterday|last night|this morning|i morges) (?:har|har der|"
                r"blev der|is|has|was) (?:\S+ ){0,3}?(?:ændret|sendt|logget|redigeret|slettet|changed|"
                r"sent|logged|edited|deleted)|"
                r"(?:sendt|ændret|redigeret|slettet|sent|changed|edited|deleted) (?:\S+ ){0,4}?(?:fra|from|"
                r"i|in) (?:hans|hendes|his|her) (?:\S+ )?(?:konto|account|navn|name|mail\w*)|"
                r"(?:still|stadig) (?:\S+ ){0,2}?(?:logs? in|logging in|logger på|logger ind|editing|"
                r"redigerer|using|bruger|sending|sender|has access|har adgang)\b|"
                # A main clause puts "stadig" after the verb (review20): "men hun logger
                # stadig på", "han bruger stadig sin gamle konto", "har han stadig adgang".
                r"(?:logger|bruger|sender|redigerer|ændrer) (?:\S+ )?stadig\b|"
                r"har (?:\S+ )?stadig adgang\b)",
                # Asked: "Could someone have my password?" (tune18: blind10, round-out); the
                # question ends there (review18): "Could someone have my password manager
                # licence renewed?", "Can someone have my login ready for Monday?" ask for a
                # task (BR-13/BR-14), not whether it is stolen.
                r"\b(?:could|can|might|may) (?:someone|somebody|a stranger|hackers?) (?:\S+ )?have "
                r"(?:got |gotten )?(?:hold of )?(?:my|his|her|our) (?:\S+ )?(?:password|credentials|"
                r"login)s?(?=(?: (?:now|already|too|then|as well|by now))? ?\?)",
                r"\b(?:someone|somebody|a stranger|nogen|en anden|en fremmed) "
                r"(?:(?!kolleg|medarbejder|ansat|colleague|co-?worker)\S+ )?(?:has|had|knows|"
                r"knew|kender|kendte) (?:my|his|her|our|min|mit|hans|hendes|vores) (?:\S+ )?"
                r"(?:password|credentials|kode|adgangskode|kodeord)\w*\b"
                r"(?! (?:til|to|for|på|on) (?:the |den |det )?(?:printer|kopimaskin|scanner|alarm|dør|"
                r"wifi|wi-fi|copier|door|gæste|guest)\w*)",
                # The account sends spam in the user's name, Danish word order: "nu sender
                # hans konto spam ud"; people get odd mail "from me" (tune17).
                r"\b(?:sender|udsender|sends|is sending) (?:hans|hendes|min|mit|vores|deres|his|her|my|"
                r"our|their) (?:\S+ )?(?:konto|mail|mailkonto|account|mailbox|e-?mail|outlook)\w* "
                r"(?:\S+ ){0,2}?(?:spam|phishing|mærkelige|underlige|mistænkelige|svindel)",
                r"\b(?:får|fik|modtager|modtog|fået|get|got|getting|receive|received|receiving) "
                r"(?:\S+ ){0,2}?(?:spam|mærkelige|underlige|mistænkelige|falske|phishing|strange|weird|"
                r"odd|suspicious|fake)\w* (?:\S+ ){0,2}?(?:fra mig|from me|i mit navn|in my name|"
                # mend17: "fra min/vores" only with the account named ("fra min mailkonto"):
                # "mærkelige mails fra min leverandør", "spam fra vores kontaktformular" are
                # other people's mail to us.
                r"(?:fra|from) (?:min|mit|my|hans|his|hendes|her|vores|our) (?:egen |own )?"
                r"(?:mail ?|e-?mail ?)?(?:konto|account|adresse|address|mailbox|postkasse|outlook|"
                r"navn|name)\w*)\b",
                # Mail denied by its supposed sender: "an invoice I supposedly sent", "I have
                # sent no such thing", "en mail som jeg skulle have sendt".
                # mend17: said of the writer ("I supposedly sent", "jeg angiveligt har sendt"),
                # not of a parcel ("the toner was supposedly sent"). The subject as lookbehinds:
                # "i "/"we " are too short to be start words (starts.py).
                r"(?:(?<=\bi )|(?<=\bwe )|(?<=\bhe )|(?<=\bshe )|(?<=\bjeg )|(?<=\bvi )|(?<=\bhan )|"
                r"(?<=\bhun ))(?:supposedly|allegedly|angiveligt|efter sigende) (?:\S+ ){0,2}?"
                r"(?:sent|sendt|written|skrevet)\b|\b(?:have|'ve|had) (?:sent|written) no such\b|"
                r"\bsom (?:jeg|vi) (?:skulle|skal) have sendt\b",
                # Someone else in a mailbox or an account: "nogen har adgang til min mail".
                r"\b(?:nogen|en anden|en fremmed|fremmede|someone|somebody|a stranger) "
                r"(?:\S+ ){0,2}?(?:har|havde|has|have|had) (?:\S+ )?(?:adgang|access) (?:til|to) "
                r"(?:min|mit|vores|hans|hendes|deres|my|our|his|her|their)\b",
            ),
            negatable=True,
            outside=outside,
            excludes=(
                *_EXPLAINED_LOGIN,
                r"\bikke (?:\S+ )?(?:blevet )?(?:hacket|hakket|kompromitteret)\b",
                r"\b(?:not|never|wasn'?t|haven'?t|hasn'?t|nothing|intet|ingenting) (?:\S+ )?(?:been )?"
                r"(?:hacked|compromised|hacket|kompromitteret)\b",
                r"(?:^|\n)\W*(?:hvordan|how)\b",
                # Not programs or windows opening that the writer did not open: that is
                # someone else at the machine ("der åbnes programmer jeg ikke har åbnet",
                # tune18).
                r"(?<!programmer jeg )(?<!programmer som jeg )(?<!vinduer jeg )(?<!programs i )"
                r"(?<!windows i )(?<!apps i )(?<!programs that i )"
                r"\b(?:ikke|not|didn'?t|haven'?t|har ikke|ingen|nobody|no one|none of us) (?:\S+ )?"
                r"(?:har |has )?(?:klikket|trykket|åbnet|clicked|opened)\b",
                r"\b(?:hackathon|life ?hacks?|growth ?hack\w*)\b",
                # Mistaken and taken back in the same sentence (issue 16, alarms): "han troede
                # vi var blevet hacket", "the 'unusual activity' was our own new phone".
                r"\b(?:troede|tænkte|thought|believed)\b (?:\S+ ){0,3}?(?:var|was|were|had|havde|"
                r"er|are)\b (?:\S+ )?(?:blevet |been )?(?:hacket|hacked|kompromitteret|compromised)\b",
                r"\b(?:var|was|were) (?:bare |blot |kun |just |only )?(?:vores|min|mit|mine|our|my) "
                r"(?:egen|eget|egne|own)\b",
                # A hack as a trick, not a break-in: "et lille hack til Excel", "a quick hack
                # for", "jeg har hacket mig frem til en løsning".
                # Not when a hack follows: "et lille hack til Excel, men nu er min konto hacket".
                r"\b(?:et|a|the|mit|my|dit|your) (?:\S+ )?hack (?:til|to|for)\b"
                r"(?![^.!?\n]*\bhack(?:et|ed|er|ere|ing)?\b)|"
                r"\bhack(?:et|ed) (?:mig|os|my way|our way) (?:frem|til|to|around)\b",
                # Advice on what to do if, not a suspicion: "hvis du har mistanke om hack,
                # kontakt os", "how to report a suspected hack" (our own newsletter).
                r"\bhvis (?:du|i|man) (?:\S+ )?(?:har |får )?mistanke om\b|"
                r"\bhow to (?:\S+ ){0,2}?(?:report|spot|avoid|recogni[sz]e|handle)\b",
                # "det er ikke et hack", "it wasn't a hack after all".
                # "Det er ikke noget med hack eller virus, det er bare dobbelt" (tune17).
                r"\b(?:ikke|not|no|intet|ingen|wasn'?t|isn'?t) (?:et |a |an |noget med |noget om |noget |"
                r"tale om |about )?(?:hack|hacking|angreb|attack|breach|virus|malware)\b",
                # A fear taken back: "jeg troede først jeg var hacket, men ...".
                r"\b(?:troede|thought|frygtede|feared|was afraid) (?:\S+ ){0,4}?(?:hacket|hakket|"
                r"hacked|kompromitteret|compromised)\b[^.!?;\n]{0,40}?\b(?:men|but)\b",
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
                # A scam caller's claim, not a finding of ours: "En person ringede og sagde han
                # var fra Microsoft og at vores computer havde virus" (mend18: blind18's kind);
                # not when the sentence says what was let in ("og jeg gav ham lov til at koble
                # sig på": the tuning set, critical).
                r"^(?![\s\S]*\b(?:gav|gave|givet|lod|let|installer\w*|install\w*|koble\w* sig|"
                r"fjernstyr\w*|remote|adgang|access|teamviewer|anydesk|klikke\w*|clicked)\b)[\s\S]*?"
                # The caller a stranger ("En mand ringede") or saying who he is ("sagde han var
                # fra Microsoft") (review18b): not "Anne ringede og sagde at hendes pc har
                # virus", "Our accountant called and said someone has been logging in".
                r"(?:\b(?:en (?:mand|kvinde|person|fyr|herre|dame|fremmed|ukendt\w*)|nogen|"
                r"a (?:man|woman|person|guy|stranger)|an unknown \w+|someone|somebody) "
                r"(?:\S+ ){0,3}?(?=ringede|ringer|called|calls|phoned|rang)|"
                r"(?=\b(?:ringede|ringer|called|calls|phoned|rang) (?:\S+ ){0,4}?(?:og|and) "
                r"(?:sagde|påstod|hævdede|said|claimed|told (?:me|us))\b[^.!?\n]{0,30}?\b(?:var|er|"
                r"at være|was|were|is|are|to be) (?:\S+ )?(?:fra|from)\b))"
                r"\b(?:ringede|ringer|called|calls|phoned|rang) (?:\S+ ){0,4}?(?:og|and) (?:sagde|"
                r"påstod|hævdede|said|claimed|told (?:me|us))\b",
                # Hacking as news or as a warning in general, not a suspicion about us.
                r"\b(?:i nyhederne|in the news|på tv|i avisen|in the paper|i pressen|artikel\w*|"
                r"artiklen|article|(?:læste|læst|læser|read|reading|hørte|hørt|hører|heard|hear|så|saw) "
                r"(?:\S+ )?(?:om|about|"
                r"that|at|i nyhederne))\b",
                r"\b(?:hackere|hackers|svindlere|scammers|cyberkriminelle|cybercriminals|"
                r"angribere|attackers) (?:\S+ )?(?:bruger|prøver|forsøger|sender|udgiver|laver|kan|"
                r"angriber|rammer|går efter|udnytter|kommer ind|bryder ind|use|try|pretend|send|"
                r"are sending|can|often|ofte|typically|typisk|get|gets|break|target|attack|exploit)\b",
                r"\b(?:har (?:i|du) set|have you seen|did you see|så (?:i|du))\b",
                # A payment card misused is the bank's case: "mistænkelige køb på mit Visa-kort",
                # "suspicious activity on my credit card" (tune17).
                r"\b(?:aktivitet|activity|køb|purchases?|transaktion\w*|transactions?|hævning\w*) "
                r"(?:på|on|with) (?:mit |min |my |the |our |vores )?(?:\S+ )?(?:kort|kortet|card|"
                r"visa\S*|mastercard\S*|dankort\S*|kreditkort\S*|betalingskort\S*|credit card)\b",
                # A newsletter's tips forwarded: "VS: Nyhedsbrev: 5 tegn på ransomware" (tune17).
                r"\b(?:nyhedsbrev|nyhedsbrevet|nyhedsbreve|nyhedsbrevene|newsletter|newsletters)\b|"
                r"(?<=\d )(?:tegn|tips|råd|signs|ways|things) (?:på|om|til|of|to|about)\b",
                # Told by the news: "Saw on DR that ...", "læste i Børsen at ..." (tune17).
                r"\b(?:læste|læst|read|hørte|hørt|heard|så|saw|seen) (?:\S+ )?(?:på|on|in|i) "
                r"(?:dr|dr\.dk|tv ?2|bbc|linkedin|radioen|the radio|avisen|politiken|berlingske|"
                r"børsen|jyllands-posten|version2|computerworld|nyhederne|the news)\b",
                # Many others hit, and nothing of ours said after it: "several Danish law firms
                # were hit by hackers this month", "flere kommuner er blevet ramt af ransomware".
                # Known start words (no "\d+"): an exclude without them is searched over every
                # sentence (starts.py), which costs on every mail.
                r"\b(?:flere|mange|nogle|andre|several|many|some|other|a number of|to|tre|fire|fem|"
                r"two|three|four|five) (?:\S+ ){0,2}?"
                r"\w*(?:virksomheder|firmaer|kommuner|hospitaler|butikker|klinikker|companies|"
                r"businesses|firms|councils|hospitals|retailers|shops|clinics|konkurrenter|"
                r"competitors)\b (?:\S+ )?(?:er blevet|blev|were|have been|has been|got|are being) "
                r"(?:\S+ )?(?:hacket|ramt|hacked|hit|angrebet|attacked)\b"
                r"(?![^.!?\n]*\b(?:vores|vi|os|our|we|us|min|mit|my|me|mig|jeg)\b)",
                # A leak looked up and none of ours in it: "tjekket på haveibeenpwned og ingen
                # af vores adresser er med", "checked haveibeenpwned ... nothing shows up".
                r"\b(?:have ?i ?been ?pwned|haveibeenpwned\S*)\b[^.!?\n]{0,60}?(?:\bingen af "
                r"(?:vores|mine|de|dem)\b|\bnone of\b|\bnothing (?:shows|showed|came|comes|turned)\b|"
                r"\bno (?:hits|results|matches)\b|\b(?:er|var|is|are|was|were) (?:\S+ )?(?:ikke|not) "
                r"(?:med|listed|there|included|fundet|found)\b)",
                # Someone else was hit: "en stor dansk virksomhed er blevet ramt af ransomware".
                r"\b(?:en|et|a|another) (?:\S+ ){0,2}?(?:virksomhed|firma|kommune|hospital|company|"
                r"business|competitor|konkurrent|leverandør|supplier|region|retailer)\w* (?:\S+ )?"
                r"(?:er blevet|blev|was|has been|got|were) (?:\S+ )?(?:hacket|ramt|hacked|hit|angrebet|"
                r"attacked)\b",
                # A third party says it was hit: "en leverandør skriver at de er blevet hacket".
                r"\b(?:leverandør|kunde|samarbejdspartner|partner|bank|kommune|firma|virksomhed|"
                r"supplier|vendor|customer|client|company)\w* (?:\S+ ){0,3}?(?:skriver|siger|fortæller|"
                r"informerer|oplyser|meddeler|advarer|har skrevet|har oplyst|writes|wrote|says|said|"
                r"tells|told|informs|informed|warns|warned)(?: os| us)? (?:at |that )?(?:de|han|hun|"
                r"they|he|she|it) (?:\S+ ){0,2}?(?:hacket|hacked|ramt|hit|kompromitteret|compromised)\b",
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
                # Work log-in typed into a look-alike site found by search, the address seen
                # wrong afterwards (BR-9 "mistanke om hack"; issue 16, alarms).
                r"\b(?:logged in|signed in|logget (?:ind|på)|loggede (?:ind|på)|typed|entered|"
                r"skrev|tastede|indtastede)\b[^.!?\n]{0,40}?\b(?:work |arbejds-?)?(?:e-?mail|mail)"
                r"\w* (?:and|og|\+|&) (?:\S+ )?(?:password|kode|adgangskode)\b[^\n]{0,200}?\b"
                r"(?<!invoice )(?<!billing )(?<!delivery )(?<!mail )(?:address|adressen|url'?en|url|"
                r"domain|domænet|web ?adressen)\b (?:\S+ ){0,2}?"
                r"(?:was|var|is|er) (?:\S+ )?(?:wrong|forkert|fake|falsk|forfalsket)\b",
                # "skrev mit Microsoft-login ind", "entered my Office 365 email and password".
                rf"\b{_GAVE} {_gap(4)}(?:{_W} (?:og|and|&) )?(?:[^\s.!?;-]+-)?{_SECRET}\b",
                r"\b(?:logget|loggede|logged|signed) (?:\S+ ){0,4}?(?:falsk\w*|fake|phishing\w*|"
                r"svindel\w*|forfalsket\w*|spoof\w*)",
                # "... asked me for my password and I gave it".
                rf"\b{_PASSWORD}\b (?:\S+ ){{0,4}}?(?:og |and )(?:jeg |i )?(?:gave|gav|sent|sendte|"
                r"typed|entered|oplyste|skrev) (?:it|den|det)\b",
                r"\b(?:klikket|klikkede|trykket|trykkede|scannede|scannet|clicked|tapped|scanned) "
                r"(?:\S+ ){0,10}?(?:logget|loggede|logged|signed) (?:ind|på|paa|in|on)\b",
                # A code given to a caller: "jeg læste den op for ham", "gave him the code".
                r"\b(?:læste|læst|læser|read|reading) (?:\S+ ){0,2}?(?:op|højt|out|aloud) (?:for|to) "
                r"(?:ham|hende|dem|him|her|them|personen|the caller)\b",
                # "She read the code to him", "læste koden op for ham" (tune18: blind12).
                r"\b(?:læste|læst|read) (?:\S+ ){0,2}?(?:koden|engangskoden|the code|code) (?:\S+ ){0,3}?"
                r"(?:op |out )?"
                r"(?:for|to) (?:ham|hende|dem|him|her|them|personen|the caller)\b",
                r"\b(?:sendte|sendt|gav|givet|sent|gave|given|skrev|wrote|videresendte|forwarded) "
                r"(?:den|det|koden|it|the code) (?:videre )?(?:til|to) (?:ham|hende|dem|him|her|them|"
                r"personen|the caller)\b",
                r"\b(?:gav|givet|sagde|oplyste|told|gave|given) (?:ham|hende|dem|him|her|them) "
                r"(?:\S+ ){0,2}?(?:kode\w*|codes?|password\w*|adgangskode\w*)",
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
                # Windows popping up since.
                r"\b(?:popper|poppede|dukker|dukkede) (?:\S+ ){0,2}?(?:vinduer|reklamer|beskeder) (?:\S+ )?op\b|"
                r"\bpop-?ups?\b",
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
                # "en ny global administrator ... som vi ikke har oprettet".
                r"\b(?:ny|nye|new|ekstra|extra|ukendte?|unknown) (?:\S+ )?(?:admin|admins|administrator|"
                r"administratorer|administrators)\b",
                # "alle Peters mails bliver sendt videre til en ekstern adresse".
                r"\b(?:sendt|sendes|sender|send\w*) videre\b",
                # Mail going out from the account: judged with the denial ("til folk jeg ikke
                # kender", "that I didn't send").
                r"\b(?:bliver sendt|er blevet sendt|blev sendt|er sendt|sendes|sendt ud|is sending|are being "
                r"sent|were sent|sent out|going out) (?:\S+ ){0,2}?(?:fra|from) (?:min|mit|my|our|vores)\b",
                r"\b(?:regel|regler|reglen|reglerne|(?:indbakke|mail|outlook)regl?e\w*|videresendelse\w*|"
                r"viderestilling\w*|videresender|videresendes|inbox rules?|mail rules?|"
                r"outlook rules?|rules?|forwarding|forwards|forwarded)\b",
                # The account's security info changed: "the phone number on my account was changed".
                r"\b(?:telefonnummer\w*|mobilnummer\w*|phone number|recovery (?:e-?mail|phone|address)|"
                r"gendannelses\w*|sikkerhedsoplysning\w*|security info\w*|mfa-?metode\w*|"
                r"authentication methods?|login-?metode\w*) (?:\S+ ){0,4}?(?:er blevet|blev|er|was|"
                r"has been|were|got|have been) (?:ændret|skiftet|changed|updated|removed|fjernet|"
                r"tilføjet|added|replaced)\b",
                # Prompts to approve a sign-in: "bliver ved med at bippe med godkendelser i
                # Authenticator", "a Microsoft Authenticator notification at 3am".
                rf"\b{_MFA_PROMPT}",
            ),
            requires_any=(
                r"\b(?:det|den|dem|that|it|this) (?:var|er|was|is) (?:\S+ )?(?:ikke|ik|not) "
                r"(?:\S+ )?(?:mig|me)\b|\b(?:that|it|this) (?:wasn'?t|isn'?t) (?:\S+ )?me\b|"
                r"\bikke mig der\b|\bnot me\b|"
                # "troede det var mig der brugte hans konto. Det var det ikke." (tune17)
                r"\b(?:det var det|det er det) (?:ikke|ik)(?=\s*(?:[.!?]|$))",
                r"\b(?:som|der|that|which)? ?(?:jeg|vi) (?:ikke|aldrig) (?:selv )?(?:har|havde) "
                r"(?:\S+ )?(?:lavet|oprettet|sat op|bedt om|foretaget|startet|godkendt|prøvet|"
                r"forsøgt)\b|\b(?:har|havde) (?:jeg|vi) (?:ikke|aldrig) (?:selv )?(?:lavet|oprettet|"
                r"sat op|bedt om)|\b(?:jeg|vi) har (?:ikke|aldrig) selv\b",
                r"\b(?:i|we) (?:did not|didn'?t|never|have not|haven'?t) (?:\S+ )?(?:create|created|"
                r"make|made|do|did|set|request|requested|add|added|start|started|try|tried|approve|"
                r"log|logged|sign|signed)\b",
                # "fra en enhed jeg ikke kender", "a device I don't recognise"; "Han har ikke
                # selv gjort noget", "I haven't done anything" (tune17).
                r"\b(?:enhed|device|sted|location|ip|computer|pc|browser) (?:som |that )?(?:jeg|vi|han|"
                r"hun|i|we|he|she) (?:ikke|don'?t|do not|doesn'?t|does not) (?:kender|genkender|know|"
                r"recogni[sz]e)\b",
                r"\b(?:jeg|vi|han|hun|i|we|he|she) (?:har |havde |has |have |had )?(?:ikke|aldrig|not|"
                r"never) (?:selv )?(?:gjort|rørt|done|touched) (?:\S+ )?(?:noget|anything)\b",
                r"\b(?:ukendt|ukendte|unknown|unrecogni[sz]ed) (?:enhed|device|sted|location|"
                r"placering|land|country|ip|browser)\b",
                # Or calls them strange: "strange rules keep appearing".
                r"\b(?:mærkelige?|underlige?|ukendte?|strange|weird|unknown|suspicious|"
                r"mistænkelige?) (?:\S+ )?(?:regler|regel|rules?|videresendelse\w*|forwarding|"
                r"logins?|sign-?ins?|log-?ins?|indlogning\w*|pålogning\w*)\b",
                # "Nobody here made it", "ingen af os har lavet den".
                r"\b(?:ingen|nobody|no one|none of us)(?: \S+){0,2}? (?:har |have |has )?(?:lavet|oprettet|"
                r"made|created|set up|added)\b",
                # The place: "jeg har aldrig været der", "I haven't travelled".
                r"\b(?:jeg|vi|han|hun) har (?:ikke|aldrig) (?:været|rejst)\b|"
                # The PC off: "Jeg er på ferie og har slukket computeren" (a holiday alone is
                # why forwarding is asked for).
                r"\bhar slukket (?:\S+ )?(?:computer\w*|pc\w*)|\b(?:my|the) (?:computer|pc|laptop) "
                r"(?:is|was) (?:switched |turned )?off\b|\b(?:i|we) (?:have not|"
                r"haven'?t|have never|'ve never|never) (?:been|travel+ed)\b",
                r"\b(?:genkender|genkendte) (?:jeg |vi )?(?:ikke|ik)\b|\b(?:don'?t|do not|didn'?t|"
                r"did not) recogni[sz]e\b",
                r"\b(?:nogen|en anden|en fremmed|someone|somebody) (?:\S+ )?(?:har |havde |has |had |"
                r"have )?(?:\S+ )?(?:oprettet|lavet|sat|tilføjet|created|set|added|made)\b",
                r"\b(?:som|der|that|which) (?:ingen|nobody|none|no one) (?:af os |of us )?(?:\S+ )?"
                r"(?:har |have |has )?(?:lavet|foretaget|oprettet|made|done|did|created|set up)\b",
                r"\buden at (?:jeg|vi) (?:\S+ )?(?:har )?(?:bedt om|lavet|oprettet|sat|godkendt|vidst)|"
                r"\bwithout (?:me|my|us|our) (?:asking|knowing|consent|permission|approval)\b",
                # "selvom jeg ikke prøver at logge på", "uden at jeg var ved at logge ind".
                r"\b(?:selvom|selv om|uden at|når|mens) (?:jeg|vi) (?:\S+ )?(?:ikke|aldrig) (?:\S+ )?"
                r"(?:prøver|prøvede|forsøger|forsøgte|logger|loggede|er ved at|var ved at|har prøvet|"
                r"har forsøgt|bruger|brugte|sidder)\b",
                # "selvom jeg sidder og laver noget helt andet", "while I was asleep".
                r"\b(?:selvom|selv om|mens|while|even though|although) (?:jeg|vi|i|we) (?:\S+ ){0,3}?"
                r"(?:noget (?:helt )?andet|sov|sover|i seng|asleep|sleeping|in bed|something else)\b",
                # Approved one by mistake; nobody at the PC: "kom til at godkende en".
                r"\b(?:approved|accepted|godkendte|godkendt) (?:\S+ ){0,3}?(?:without thinking|uden at tænke)|"
                r"\b(?:kom til at|kommet til at|ved en fejl|ved et uheld|by mistake|accidentally) "
                r"(?:\S+ ){0,2}?(?:godkend\w*|trykke? (?:på )?(?:ja|godkend)|approv\w*|accept\w*|"
                r"tapped yes)|\b(?:godkendte|godkendt|approved|accepted) (?:\S+ ){0,3}?(?:ved en fejl|"
                r"ved et uheld|by mistake|by accident|accidentally)\b",
                r"\b(?:jeg|vi|han|hun) var (?:slet )?ikke (?:ved|på|i nærheden af) (?:min |mit |sin |sit )?"
                r"(?:computer\w*|pc\w*|skrivebord\w*|kontoret|arbejde)|\b(?:i|he|she) (?:wasn'?t|was not) "
                r"(?:at|near|using) (?:my |his |her |the )?(?:computer|pc|desk|laptop|work)\b",
                r"\b(?:han|hun) (?:har|havde) (?:ikke|aldrig) (?:selv )?(?:lavet|oprettet|sat (?:\S+ )?op|"
                r"bedt om)\b",
                # Denied at the prompt: "jeg har trykket afvis hver gang", "I pressed deny".
                r"\b(?:trykket|trykkede|trykker|tryk) (?:på )?\W?(?:afvis|nej|deny|reject)\w*|"
                r"\b(?:pressed|tapped|hit|clicked|chose) (?:\S+ )?\W?(?:deny|denied|reject|no)\b",
                # A sign-in from abroad while the user was at home: "fra Nigeria i nat".
                rf"\b(?:logget|loggede|logged|signed) (?:ind|på|in|on|into) (?:\S+ ){{0,6}}?"
                rf"{_FOREIGN_PLACE}",
                rf"(?<!\bi )(?<!jeg )(?<!\bwe )(?<!vi )(?<!i've )(?<!i have )(?<!jeg har )(?<!vi har )"
                rf"\b(?:logget|loggede|logged|signed) (?:ind|på|in|on|into) {_NOT_OUR_OFFICE}{{0,6}}?"
                rf"{_FOREIGN_PLACE_IN}{_KNOWN_TRIP}",
                rf"\b(?:sign-?ins?|log-?ins?|logon|indlogning\w*|pålogning\w*) {_NOT_OUR_OFFICE}{{0,6}}?"
                rf"{_FOREIGN_PLACE_IN}{_KNOWN_TRIP}",
                rf"\b(?:et|der var|there was|there were|an?) (?:nyt |new |ukendt |unknown |mærkeligt |"
                rf"strange |usædvanligt |unusual )?(?:login|log-?in|sign-?in|logon)\w* (?:\S+ ){{0,6}}?"
                rf"{_FOREIGN_PLACE}",
                rf"\b(?:logins|log-?ins|sign-?ins|indlogninger|pålogninger) (?:\S+ ){{0,4}}?"
                rf"{_FOREIGN_PLACE}",
                rf"\b(?:en|der var|ny|nye|new) (?:ny |ukendt |mærkelig |usædvanlig )?(?:indlogning|"
                rf"pålogning)\w* (?:\S+ ){{0,6}}?{_FOREIGN_PLACE}",
                r"\b(?:jeg|vi) (?:har )?(?:været|var|sad|har siddet|sov|har sovet) (?:\S+ ){0,2}?"
                r"(?:hjemme|i danmark|på kontoret|i seng)\b|\b(?:i|we) (?:was|were|have been|'ve been|"
                r"am|are) (?:\S+ ){0,2}?(?:at home|in denmark|in the office|asleep|in bed)\b",
                r"\b(?:jeg|vi) (?:prøver|forsøger|prøvede|forsøgte|har prøvet|har forsøgt) "
                r"(?:slet |overhovedet )?"
                r"(?:ikke|ik) at\b|\b(?:i'?m|i am|we'?re|we are) not (?:trying|logging|signing)\b|"
                r"\b(?:i|we) (?:wasn'?t|was not|weren'?t) (?:trying|logging|signing)\b",
                # "Peter siger at han ikke ved noget om det", "hun ved ikke noget om det".
                r"\b(?:jeg|vi|han|hun) (?:ikke|intet) (?:ved|kender|vidste|kendte) (?:noget )?(?:om|til)\b|"
                r"\b(?:jeg|vi|han|hun) (?:ved|kender|vidste|kendte) (?:ikke|intet) (?:noget )?(?:om|til)\b",
                # "som jeg ikke kender noget til", "that I know nothing about".
                r"\b(?:som|der|that|which) (?:jeg|vi|i|we) (?:ikke|don'?t|do not) (?:kender|ved|know) "
                r"(?:noget |anything )?(?:til|om|about)\b|\b(?:i|we) know nothing about\b",
                r"\b(?:adresse|address|konto|account|folk|personer|people|modtagere|recipients) "
                r"(?:som |that )?(?:jeg|vi|i|we) (?:ikke|aldrig|don'?t|do not) (?:kender|know|"
                r"recogni[sz]e)\b",
            ),
            excludes=(
                *_EXPLAINED_LOGIN,*_HYPOTHETICAL, *_TRAINING),
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
                # Up to four words between: "installerede et program der hedder AnyDesk" (mend18).
                r"(?:\S+ ){0,4}?(?:anydesk|teamviewer|quick ?assist|hurtig ?hjælp|supremo|"
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
            # BR-9 "mistanke om hack": mail went out in the user's name and they deny it
            # ("kunderne har fået en mail fra min adresse ... den har jeg ikke sendt").
            name="mail_in_my_name",
            critical=True,
            priority="high",
            patterns=(
                rf"\b{_RECEIVED_MAIL} (?:\S+ ){{0,4}}?(?:fra|from)\b",
                # "Mine kontakter spørger hvorfor jeg har sendt dem en mail", "spurgte om det
                # var mig der havde sendt".
                r"\b(?:spørger|spurgte|spurgt|undrer sig over|asking|asked|ask|wondering|wonder) "
                r"(?:\S+ ){0,3}?(?:hvorfor|om|hvad|why|if|whether|what) (?:\S+ ){0,8}?(?:sendt|sent|"
                r"delt|shared|bedt|asked)\b",
                # "my Outlook has sent a message to my whole address book".
                r"\b(?:har|has|have|had|havde) (?:\S+ )?(?:sendt|sent) (?:\S+ ){0,4}?(?:til|to) (?:alle|"
                r"hele|everyone|everybody|all|my whole|my entire|min (?:\S+ )?(?:adressebog|kontakter|"
                r"kontaktliste)|my (?:\S+ )?(?:address book|contacts|contact list))\b",
                # "it came from our accounts department", "mailen kom fra min arbejdsadresse",
                # "en mail fra mig om ...".
                r"\b(?:came|come|coming|comes|kom|kommer|komme|sent|sendt|afsendt) (?:\S+ )?(?:fra|from) "
                r"(?:min|mit|mine|vores|our|my|me|mig|os|us)\b",
                r"\b(?:mails?|e-?mails?|mailen|beskeder?|faktura\w*|invoices?|messages?|sms\w*) "
                r"(?:\S+ )?(?:fra|from) (?:mig|me|min (?:\S+ )?(?:mail\w*|adresse\w*|konto\w*)|my "
                r"(?:\S+ )?(?:e-?mail|address|account|mailbox))\b",
                # Many mails in the Sent folder, bounces for mails nobody sent.
                r"\b(?:mails?|e-?mails?|beskeder|messages) (?:\S+ ){0,3}?(?:i|in) (?:min|mit|my|hans|"
                r"hendes|his|her) (?:sendt\w*|sent)",
                r"\b(?:kunne ikke leveres|kan ikke leveres|undeliverable|not delivered|delivery "
                r"(?:has )?failed|delivery failure|returmail\w*|bounce\w*|mailer-daemon|leveringsfejl\w*|"
                r"fejlmelding\w*|mail delivery)",
                # Invoice fraud: "en faktura fra min mail med nye bankoplysninger".
                r"\b(?:faktura\w*|invoices?|mails?|e-?mails?) (?:\S+ ){0,8}?(?:med|with|hvor|where|"
                r"om at|about|asking|saying) (?:\S+ ){0,5}?(?:nye?|ændrede?|andre?|andet|forkerte?|falske?|new|changed|different|"
                r"wrong|fake) (?:\S+ )?(?:bank\w*|konto\w*|kontonummer\w*|reg\.? ?nr\w*|iban|"
                r"account (?:number|details)|payment details)",
            ),
            requires_any=(
                *_NOT_SENT,
                r"\b(?:fra|from) (?:min|mit|vores|my|our) (?:\S+ )?(?:mail\w*|e-?mail\w*|adresse\w*|"
                r"address\w*|domæne\w*|domain|konto\w*|account)\b[^.!?;\n]{0,60}?\b(?:bank\w*|"
                r"konto(?:nummer|oplysninger)\w*|kontonr\w*|iban|payment details|account (?:number|"
                r"details))",
                r"\b(?:bank\w*|konto(?:nummer|oplysninger)\w*|kontonr\w*|iban|payment details|"
                r"account (?:number|details))\b[^.!?;\n]{0,60}?\b(?:fra|from) (?:min|mit|vores|my|"
                r"our) (?:\S+ )?(?:mail\w*|e-?mail\w*|adresse\w*|address\w*|domæne\w*|domain|"
                r"konto\w*|account)\b",
            ),
            excludes=(*_HYPOTHETICAL, *_TRAINING),
            negatable=True,
        ),
        Rule(
            # BR-9 "mistanke om hack": a password leaked somewhere (a webshop, a forum) and
            # used for the work account too; the leak may be outside, the account is ours.
            name="leaked_password_reused",
            critical=True,
            priority="high",
            patterns=(
                rf"\b(?:samme|same) {_PASSWORD} (?:\S+ ){{0,4}}?(?:til|på|for|som|as|on|at|with|i|in)\b",
                rf"\b(?:genbruger|genbrugt|bruger|brugt|reuse[sd]?|reusing|use[sd]?|using) (?:\S+ )?"
                rf"(?:den |det |the |that |this |my )?(?:samme|same) (?:\S+ )?(?:{_PASSWORD}|en|one)\b",
            ),
            requires_any=(
                r"\b(?:lækket|leaked|læk\w*|leak\w*|databrud|data ?breach\w*|breach\w*|pwned|"
                r"haveibeenpwned|hacket|hacked|stjålet|stolen|kompromitteret|compromised)",
            ),
            excludes=(*_HYPOTHETICAL, *_TRAINING),
            negatable=True,
        ),
        Rule(
            # BR-9 "mistanke om hack": a page that came with a mail, a link or an
            # attachment asked for the Microsoft log-on, and the user gave it ("den bad
            # mig logge ind ... Det gjorde jeg", "a window where I had to sign in, which I did").
            name="phishing_login_prompt",
            critical=True,
            priority="high",
            patterns=(
                r"\b(?:(?:bad|bede|beder) (?:\S+ )?mig|bedt om|skulle|asked me|asking me|asks me|wanted me|"
                r"told me|had to|needed to) (?:jeg |man |i )?(?:om )?(?:at |to )?(?:logge?|log|sign|"
                r"indtaste|taste|skrive|"
                r"enter|type|verify|bekræfte|svare|sende|reply|respond|send) (?:\S+ ){0,12}?(?:det gjorde jeg|hvilket jeg (?:\S+ )?"
                r"gjorde|og (?:det )?gjorde jeg|og jeg gjorde det|which i did|and i did|so i did|"
                r"i did so|i did that|i did it)\b",
            ),
            requires_any=(
                *_LURE,
                r"\b(?:åbnede|åbnet|åbne|klikkede|klikket|trykkede|trykket|opened|clicked|tapped|"
                r"vedhæft\w*|bilag\w*|attachment\w*|dokument\w*|document\w*)",
            ),
            excludes=(
                *_HYPOTHETICAL,
                *_TRAINING,
                r"\b(?:til jer|to you|til support|to support|til oneoffice|to oneoffice)\b",
            ),
            negatable=True,
        ),
    )
