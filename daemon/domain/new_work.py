"""Is a new case about something new, a possible project? (BR-14, BR-18 example 4)

"Skæringspunktet for hvornår en opgave skifter fra simpel til 'ikke simpel', er når [...]
det er noget nyt der skal tilføjes til din IT-løsning." A new printer, a new employee's
PC or account, a new mailbox, a new office: the agreement does not cover them, and
staff should see that before the work starts. This only flags the case, with the words
that suggested it; staff decide with `cases project` (nothing is billed differently
until they do).

Pure: the subject and the new text of the body in, a reason (``rule: "words"``) or None
out. The rules, in the order tried:

- new_thing: "ny/nyt/nye/new" before equipment, software, a mailbox, an account or a
  place ("ny printer", "nyt regnskabsprogram", "new shared mailbox", "nyt kontor"), at
  most one word between ("ny fælles postkasse", "new HP printer"). The nouns are matched
  as the end of a Danish compound ("farveprinter", "brugerkonto") with a short inflection
  ("printere", "pc'er"). "New" before anything else is not new IT: "ny adgangskode",
  "ny fejl", "nye mails", "new error", "den nye version".
- new_person: a new employee ("ny medarbejder", "nye kollega", "new hire", "new
  starter", "nyansat", "starter hos os", "onboarding").
- setup: "opsætning af" (indefinite: "opsætningen af min mail" is the existing set-up)
  and "set up a new".
- create: "oprette/oprettelse af" or "create" before a mailbox, an account or a user
  within two words ("oprettet en fælles postkasse", "create a mailbox").

A negation in the same clause, at most three words before, undoes a match ("vi skal ikke
have en ny printer", "we do not need a new printer"); one before a comma does not
("den virker ikke, vi skal have en ny printer").
"""

from __future__ import annotations

import re

# A person writes what they need at the top; a 1 MB mail is not read to its end.
READ_CHARS = 10_000

# Each pattern starts with a literal letter, its word boundary checked behind it: a
# pattern that starts with one is searched for that letter first, ten times faster than
# one starting with \b (the rules run on every new case's text). They are matched on
# the lower-cased text.
_NEW = r"n(?<=\bn)(?:yt|ye|y|ew)"
# Things that are added to an IT solution; matched as the end of a compound word.
_THINGS = (
    r"printer|scanner|pc|computer|bærbar|laptop|skærm|monitor|telefon|mobil|iphone|ipad"
    r"|tablet|router|firewall|switch|server|netværk|network|wifi|access point"
    r"|postkasse|mailbox|konto|account|bruger|user|program|software|system|licenser"
    r"|kontor|office|lokaler|premises|afdeling|department|mødelokale|meeting room"
    r"|domæne|domain|hjemmearbejdsplads|arbejdsplads|workstation"
)
_PEOPLE = (
    r"medarbejder|kollega|ansat|elev|praktikant|employee|colleague|hire|starter|intern"
)
_INFLECTION = r"(?:'?\w{0,4})"  # printere, pc'er, kontoret, medarbejdere, employees
_GAP = r"(?:[\w'-]+\s+)?"  # one word between: "ny fælles postkasse", "new HP printer"

# Each rule: its name, the words one of which the lower-cased text must hold for the
# rule to be tried at all (most mail holds none of them), and the pattern.
_NEW_WORD = (" ny", "\nny", "new")
_RULES = [
    ("new_person", _NEW_WORD, rf"{_NEW}\s+{_GAP}(?:{_PEOPLE}){_INFLECTION}\b"),
    (
        "new_person",
        ("nyansat", "onboarding", "hos os"),
        r"n(?<=\bn)yansat\w{0,3}\b|o(?<=\bo)nboarding\b"
        r"|(?:s(?<=\bs)tarter|b(?<=\bb)egynder) hos os\b",
    ),
    ("new_thing", _NEW_WORD, rf"{_NEW}\s+{_GAP}\w*?(?:{_THINGS}){_INFLECTION}\b"),
    (
        "setup",
        ("opsætning af", "up a"),
        r"o(?<=\bo)psætning af\b|s(?<=\bs)et(?:ting)? ?up an? new\b",
    ),
    (
        "create",
        ("opret", "create"),
        rf"(?:o(?<=\bo)pret(?:te|tet|telse af)|c(?<=\bc)reate[sd]?)\s+"
        rf"(?:[\w'-]+\s+){{0,2}}?"
        rf"(?:\w*(?:postkasse|mailbox|konto|account|bruger|user)){_INFLECTION}\b",
    ),
]
# On the lower-cased text; and, for the rare text whose lower case is longer or shorter
# than itself ("İ"), on the text as written, ignoring case (slower, same matches).
_COMPILED = [(name, words, re.compile(pattern)) for name, words, pattern in _RULES]
_COMPILED_ANY_CASE = [
    (name, words, re.compile(pattern, re.IGNORECASE)) for name, words, pattern in _RULES
]
# "ikke" and the like, then at most three words and no punctuation up to the match.
_NEGATED = re.compile(
    r"\b(?:ikke|ingen|aldrig|not|no|never|don't|doesn't)\b(?:\s+[\w'-]+){0,3}\s+$",
    re.IGNORECASE,
)


def possible_project(subject: str, text: str) -> str | None:
    """Why a new case looks like new work (``rule: "words as written"``), or None."""
    said = f"{subject}\n{text[:READ_CHARS]}"
    lowered = said.lower()
    # The words are quoted from `said`: the same places in `lowered` are the same words.
    searched, rules = (
        (lowered, _COMPILED) if len(lowered) == len(said) else (said, _COMPILED_ANY_CASE)
    )
    padded = f" {lowered}"  # " ny" finds "Ny printer" at the very start too
    for name, words, pattern in rules:
        if not any(word in padded for word in words):
            continue
        for match in pattern.finditer(searched):
            before = said[max(0, match.start() - 60) : match.start()]
            if _NEGATED.search(before):
                continue
            words_as_written = said[match.start() : match.end()]
            return f'{name}: "{" ".join(words_as_written.split())}"'
    return None
