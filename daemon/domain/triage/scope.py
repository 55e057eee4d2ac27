"""What a matched symptom is about: is it negated, and is it the customer's IT at all?

A rule's regex finds "hack" in "Vi har ikke mistanke om hack" and "kan ikke logge på"
in "Jeg kan ikke logge på Facebook". Both are read here, on the normalised text
(normalise.py), around the match:

- `negation_before`: a negation word ("ikke", "ingen", "aldrig", "not", "never",
  "don't"...) earlier in the same clause, a few words before the match, negates it.
  A clause ends at a comma (not one before "at"/"om", Danish puts a comma there),
  ; : " - " and the joining words "men", "og", "but", "and"... The negations that
  a symptom is made of ("kan ikke logge på", "ingen kan printe") start the match, so
  they are never before it.
- `outside_near`: a service named in or right around the match (Facebook, Netflix,
  MitID...) means the symptom is about something OneOffice does not run.
"""

from __future__ import annotations

import re

# How far back a negation reaches: "ikke nogen tegn på at vi er blevet hacket" (8 words).
NEGATION_WORDS = 8
# Around a match, the words that say what it is about: "Min Instagram-konto er låst",
# "kan ikke logge på min private Gmail".
BEFORE_WORDS = 3
AFTER_WORDS = 5

_CLAUSE_BREAK = re.compile(
    r",(?! (?:at|om|that|if|whether)\b)|[;:()]|\s-\s|"
    r"\b(?:men|og|eller|fordi|så|but|and|or|because|so|then)\b"
)
# Words that negate what follows them in their clause. "can't", "won't" are left out:
# they are how a failure is told ("I can't tell if we were hacked" is a suspicion).
_CUE = re.compile(
    r"\b(?:ikke|ik|ikk|ingen|intet|aldrig|hverken|not|never|no|nobody|none|neither|nor|"
    r"(?!can't|couldn't|won't|wouldn't)\w+n't|dont|doesnt|didnt|isnt|wasnt|havent|hasnt|"
    r"arent|werent)\b"
)
# A cue that does not negate the match: "ikke kun mig" (not only), "ikke sikker på"
# (not sure), "ved ikke om" (does not know whether), "no I can't" (an answer).
_NOT_NEGATING_AFTER = re.compile(
    r"(?:kun|bare|blot|engang|mindst|sikker|sikre|only|just|even|sure)\b"
)
_NO_AS_ANSWER = re.compile(r"(?:i|we|it|the|one|idea|doubt|problem)\b")
# "Ingen kan gemme på fællesdrevet, Windows siger 'der er ikke nok plads'", "Nobody can
# save to the shared drive": nobody able to is everyone affected (BR-8), not a denial of
# the symptom after it (tune20: blind20's kind). Not seeing or finding: "ingen kan se tegn
# på hack" denies.
_NOBODY_CAN = re.compile(
    r"(?:af os |of us )?(?:kan|kunne|can|could)\b(?! (?:\S+ )?(?:se|finde|mærke|spore|see|find|"
    r"tell|spot|detect|notice)\b)"
)
_NOT_NEGATING_BEFORE = re.compile(r"\b(?:ved|vidste|aner|know|knew|don'?t know)\s*$")


# A whole quoted message: "Kunne ikke leveres", 'Not delivered'. Its negation is the
# message's, not the writer's: 'returmails "Kunne ikke leveres" på mails jeg aldrig har
# sendt' tells of mails sent in the writer's name (tune18). A quote still open at the match
# holds the match too ('der står "kontoen er ikke aktiv"'): left as it is.
_QUOTED = re.compile(r"\x22[^\x22\n]*\x22|“[^”\n]*”|„[^“”\n]*[“”]|(?<!\w)'[^'\n]{1,80}'(?!\w)")


def negation_before(text: str, start: int, begin: int) -> str | None:
    """The negation word that negates a match at `start`, if any (`begin`: its sentence);
    not one inside a quoted message before it (_QUOTED)."""
    before = text[begin:start]
    if "\x22" in before or "'" in before or "“" in before or "„" in before:
        before = _QUOTED.sub(" ", before)
    clause_start = 0
    for brk in _CLAUSE_BREAK.finditer(before):
        clause_start = brk.end()
    clause = " ".join(before[clause_start:].split()[-NEGATION_WORDS:])
    found = None
    for cue in _CUE.finditer(clause):
        after = clause[cue.end() :].lstrip()
        if _NOT_NEGATING_AFTER.match(after) or _NOT_NEGATING_BEFORE.search(clause[: cue.start()]):
            continue
        if cue.group() == "no" and _NO_AS_ANSWER.match(after):
            continue
        if cue.group() in ("ingen", "nobody") and _NOBODY_CAN.match(after):
            continue
        found = cue.group()
    return found


def outside_near(
    outside: re.Pattern[str],
    text: str,
    start: int,
    end: int,
    bounds: tuple[int, int],
    subject_end: int = 0,
) -> str | None:
    """The outside service the match is about, if any: one named in the match or the few
    words around it; else, when the match's clause names nothing of ours, one named in
    its sentence ("Jeg kan ikke logge på firmaets Facebook-side, der står at koden er
    forkert") or in the subject (`text[:subject_end]`: "Netflix" / "Den siger at kontoen
    er låst"). A contrast ("virker fint, men") keeps the sentence's other clause apart.
    """
    begin, stop = bounds
    # Only its own clause: "MitID problemer og kan ikke logge på min pc" is about the pc.
    head = text[begin:start]
    for brk in _CLAUSE_BREAK.finditer(head):
        head = text[begin + brk.end() : start]
    tail = text[end:stop]
    if (after_break := _CLAUSE_BREAK.search(tail)) is not None:
        tail = tail[: after_break.start()]
    before = " ".join(head.split()[-BEFORE_WORDS:])
    after = " ".join(tail.split()[:AFTER_WORDS])
    found = _service(outside, f"{before} {text[start:end]} {after}")
    if found is not None:
        return found.group()
    if _OURS.search(f"{head} {text[start:end]} {tail}"):
        return None
    # An aside in brackets is not what the sentence is about: "I noticed in the audit log
    # (I have read access for the Shopify app registrations) that someone signed in to
    # Rasmus' account" (tune18).
    sentence = _ASIDE.sub(" ", text[begin:stop]) if "(" in text[begin:stop] else text[begin:stop]
    if not _CONTRAST.search(sentence) and (found := _service(outside, sentence)) is not None:
        if _OURS_BESIDE.search(sentence[: found.start()]) is not None:
            return None
        return found.group()
    if start >= subject_end > 0 and not _OURS.search(sentence):
        found = _service(outside, text[:subject_end])
    if found is not None:
        return found.group()
    return _not_ours_said(text)


# The writer says the failing thing is another's (mend18: blind17/18's largest kind of false
# alarm, log-ons of outside portals): "Det er deres system", "It's their system, I know",
# "eller er det Folkekirkens IT?", "is it for the client?"; or names a portal and says
# their own IT works ("Min mail og pc virker fint", "Our own systems are all fine"). Read
# only when the match's clause names nothing of ours; not a portal "I" host or run.
_THEIRS = re.compile(
    # Not a question that names ours beside it (review18b): "Er det deres system der er
    # hacket eller vores?" does not say it is theirs.
    r"\b(?:det er|it'?s|it is|er det|is it|om det er|if it'?s|whether it'?s) (?:jo |nok |vel |"
    r"bare )?(?:deres|their) (?:eget |egen |own )?(?:system\w*|it|side|site|portal|platform|"
    r"helpdesk|hjemmeside)\b(?![^.!?\n]*\b(?:eller (?:vores|vor|hos os|os)|or (?:ours|our|us))\b)|"
    r"\b(?:er det|is it) (?:\S+ )?\w+(?:ens|s) it\b|"
    r"\b(?:er det|is it) for (?:the |our )?(?:client|customer|supplier|kunden|klienten|"
    r"leverandøren)\b"
)
# Said to work, not "virker heller ikke", "works not", "mit password virker ikke" (review18b:
# mend18's form cancelled those); and not the portal itself ("Vores portal virker fint").
_OWN_FINE = re.compile(
    r"\b(?:vores|min|mit|mine|our|my) (?:own |egen |eget |egne )?(?:(?!\w*portal)\S+ ){0,3}?"
    r"(?:virker|fungerer|kører|works?|are (?:all )?fine|is fine|er fine?|er ok|are ok)\b"
    r"(?! (?:ikke|heller|not|no longer|ikke længere|aldrig|never)\b)"
)
_PORTAL = re.compile(r"\w*portal\w*")
_HOSTED_BY_US = re.compile(
    r"\b(?:som|den|det|that|which) (?:i|you) (?:hoster|driver|kører|har sat op|host|run|set up)\b"
)


# "deres system" is another's only when the text names that other (tune20, issue 16's
# "deres system" ambiguity): "Anne og Bo kan ikke logge på. Det er deres system der siger
# at kontoen er låst" is the colleagues' own (ours), and the formal "Deres" is the reader's
# (ours too); "leverandørens portal ... Det er deres system" names the supplier. Decided:
# without a party named, a log-on symptom stands (BR-9 "log-on problemer"). The party is
# named before "deres" (review20): "... Det er deres system, og kunderne venter" names the
# customers as waiting, not as the system's owner; a bank by its own name, not
# "bankafstemning".
_OTHER_PARTY = re.compile(
    r"\b(?:\w*leverandør\w*|\w*grossist\w*|\w*importør\w*|forhandler\w*|kommune\w*|region\w*|"
    r"styrelse\w*|skat|skattestyrelsen|bank(?:en|ens|er|erne|s|'s)?|kunde\w*|klient\w*|\w*portal\w*|hjemmeside\w*|"
    r"webshop\w*|platform\w*|udbyder\w*|supplier\w*|vendor\w*|wholesaler\w*|client\w*|"
    r"customer\w*|council|municipality|provider\w*|website|site|partner\w*)\b"
)
_THEIR_OWN = re.compile(r"\b(?:deres|their)\b")
# A site or portal of theirs names a web service itself ("Ved I om det er deres side?").
_THEIR_SITE = re.compile(r"\b(?:side|site|portal|platform|hjemmeside)\b")


def _not_ours_said(text: str) -> str | None:
    if (theirs := _THEIRS.search(text)) is not None and (
            _THEIR_OWN.search(theirs.group()) is None or _THEIR_SITE.search(theirs.group())
            or _OTHER_PARTY.search(text, 0, theirs.start()) is not None):
        return theirs.group()
    if _PORTAL.search(text) is None or _HOSTED_BY_US.search(text) is not None:
        return None
    own = _OWN_FINE.search(text)
    return None if own is None else own.group()


# Where mail goes, not what fails: "en regel, der sender alt til en gmail-adresse",
# "forwarding everything to a hotmail address" (the account sending is ours), "the recovery
# address on my work account was changed to a hotmail address" (the account is ours).
_DESTINATION = re.compile(
    r"\b(?:(?:send\w*|sent|sender|sendes|sendt|forward\w*|videresend\w*|redirect\w*|"
    r"omdiriger\w*|mail\w*) (?:\S+ ){0,5}?|"
    # A change only right before "to": "was changed to a hotmail address"; "skiftet
    # adgangskoden til MitID" is the password for MitID, the service at issue.
    r"(?:changed|ændret|ændrede|skiftet|skiftede) )(?:to|til)"
    r"(?: (?:a|an|the|en|et|some|nogle|my|min|mit|"
    r"his|her|hans|hendes|their|deres))?(?: (?:private?|personal|external|eksterne?|ukendte?|"
    r"unknown|fremmede?|strange))? ?$"
)


# A word quoted as what mail holds, not a service used: 'a rule forwarding mails with
# "bank" or "invoice" to an address I don't know', 'mails med emnet "MitID"' (tune18).
_QUOTED_WORD = re.compile(
    r"\b(?:with|containing|contain|contains|med|indeholder\w*|emne[t]?|subject|ord(?:et|ene)?|"
    r"the words?)(?: (?:the )?(?:word|words|ordet|ordene))? [\x22“„']$"
)


# Who tells, not what fails: "Banken ringede: to overførsler ingen af os har lavet", "the
# bank thinks someone may have access to our finance PC". The bank reports the hack of
# our PC or mailbox; it is not the service at issue (BR-9). Not "says": "my Gmail says my
# password is wrong" is the service telling of its own log-on.
_TELLER = re.compile(
    r"^\s+(?:\S+\s+)?(?:har\s+(?:\S+\s+)?|has\s+(?:\S+\s+)?|have\s+)?(?:ringede|ringet|ringer|"
    r"mener|tror|advarede|advarer|opdagede|called|phoned|rang|calls|thinks|believes|suspects|"
    r"warned|warns|flagged|noticed|spotted)\b"
)


# The way a message came, not what fails: "min kollega har skrevet til mig på messenger at
# hans konto er låst", "she texted me on WhatsApp that she can't log in".
_CHANNEL = re.compile(
    r"\b(?:skrevet|skrev|skriver|sendt|sendte|ringet|ringede|wrote|written|texted|messaged|"
    r"sent|called|rang) (?:\S+ ){0,3}?(?:på|via|over|on|by|through) ?$"
)


def _service(outside: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first outside service `text` names other than as where mail is sent, the way
    a message came, or who tells of the fault."""
    for found in outside.finditer(text):
        before = text[: found.start()]
        passed_on = (_DESTINATION.search(before) or _CHANNEL.search(before)
                     or _QUOTED_WORD.search(before))
        if passed_on is None and not _TELLER.match(text[found.end() :]):
            return found
    return None


# What we run, named in the match's own clause: then a service elsewhere is not its topic.
_OURS = re.compile(
    r"\b(?:pc|pcs|pc'?en|pc'?er\w*|computer\w*|skærm\w*|screen|mus|musen|mouse|cursor\w*|"
    r"markør\w*|bærbar\w*|laptop\w*|maskine\w*|arbejds\S*|"
    r"work (?:account|e-?mail|mail|laptop|pc|computer)|windows|outlook|teams|office|microsoft|"
    r"m365|o365|onedrive|sharepoint|citrix|vpn\S*|server\w*|fjernskrivebord\w*|"
    r"remote desktop|netværk\w*|network|intune|exchange|domæne\w*|fællesdrev\w*)\b"
)
# Ours listed beside the service: "Ingen kan logge på, hverken Outlook eller deres
# portal" fails on Outlook too, so the sentence is not only about the outside service.
_OURS_BESIDE = re.compile(_OURS.pattern + r" (?:eller|or|og|and|nor|samt) (?:\S+ )?$")


_ASIDE = re.compile(r"\([^()\n]{0,200}\)")
_CONTRAST = re.compile(r"\b(?:men|mens|derimod|dog|but|however|whereas|while)\b")
