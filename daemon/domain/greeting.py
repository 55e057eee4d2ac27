"""Whom an acknowledgement greets: the first name in a sender's display name, or nobody.

Danish business mail greets the person by first name ("Hej Andreas,"); a name we
cannot be sure of is worse than none, so anything doubtful gives "" and the template
greets without a name ("Hej," / "Hello,"). Pure: a string in, a string out.

The decisions:

- Comments go: "(IT)", "[Firma]"; so do quotes around the whole name or a part of
  it ('"Andreas Müller"', "'Andreas Müller'", 'Andreas "Andy" Müller').
- An address ("bo@firma.dk", or anything with an @) is no name.
- CJK names (Han, kana, Hangul) are greeted whole: family name first and no spaces
  to split on, so any part alone would be wrong ("山田太郎" -> "山田太郎").
- What follows a separator (" | ", " - ", " / ", " via ") is a company or a title:
  "Andreas Müller | Firma ApS" -> Andreas.
- "Müller, Andreas" (one word, or a name with a particle like "van der Berg",
  before the comma) is surname first -> Andreas; "Andreas Müller, IT-chef" -> Andreas.
- Titles go ("Dr.", "Hr.", "Mrs").
- A role, a department or a company is no person: a word such as "IT", "Info",
  "Support", "noreply", "Bogholderi", "Afdelingen", or a company form ("ApS",
  "A/S", "GmbH") anywhere in the name gives "" ("IT Afdelingen", "Firma ApS").
- **Decision (capitals):** a surname written in capitals before the given name is
  a common convention in registries and some countries: "MÜLLER Andreas" ->
  Andreas. A name all in capitals, "ANDREAS MÜLLER", is greeted as "Andreas"
  (capitalised as a name); a single word all in capitals ("NOVO") may as well be a
  company and gives "".
- **Decision (lower case):** "andreas müller" -> "Andreas", but a single lower-case
  word ("jhansen", "kontor") reads as a user name and gives "".
- The first name must look like one: two letters or more, letters with inner
  hyphens or apostrophes only ("Anne-Mette", "O'Neil"); an initial ("J. Hansen",
  "J Hansen") or a word with digits gives "".
"""

from __future__ import annotations

import re
import unicodedata

# Han ideographs (with extension A and compatibility), kana, Hangul syllables and jamo.
_CJK = re.compile(
    "[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff]"
)
_COMMENT = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
# A nickname in quotes after the given name: 'Andreas "Andy" Müller'.
_QUOTED_PART = re.compile(r"[\"“”„«»]([^\"“”„«»]*)[\"“”„«»]")
# Quote marks at the edges of words (inside a word they make it no name).
_EDGE_QUOTES = re.compile(r"(?<!\S)[\"“”„«»‘’‚‹›`´']+|[\"“”„«»‘’‚‹›`´']+(?!\S)")
_SEPARATOR = re.compile(r"\s+(?:[|/–—-]|via)\s+|\s*\|\s*", re.IGNORECASE)
# Not the ideographic space (U+3000): a character of its own in CJK names.
_SPACES = re.compile(r"[^\S\u3000]+")
# A given name: letters, with single inner hyphens or apostrophes.
_NAME_WORD = re.compile(r"[^\W\d_]{2,}(?:['’-][^\W\d_]+)*|[^\W\d_](?:['’][^\W\d_]{2,})")

_TITLES = frozenset(
    "dr dr. prof prof. hr hr. fru fru. frk frk. mr mr. mrs mrs. ms ms. miss mx mx. sir "
    "herr frau mme mme. m. ing ing. cand".split()
)
_PARTICLES = frozenset("van von der den de da di du la le af del dos das ter ten".split())
# Words that make a display name a role, a department, a system or a company.
_ROLE_WORDS = frozenset(
    """
    it info information kontakt contact support helpdesk servicedesk service kundeservice
    customer noreply no-reply donotreply do-not-reply reply admin administrator
    administration bogholderi bogholderiet regnskab regnskabet økonomi økonomiafdelingen
    faktura fakturering invoice invoices billing accounts accounting sales salg
    team teamet reception receptionen kontor kontoret office mail postkasse
    postmaster webmaster hostmaster mailer-daemon daemon system systemet scanner
    printer kopimaskine drift hr personale indkøb ledelse direktion sekretariat
    sekretariatet marketing firma company familien family bruger user users alle all
    microsoft outlook teams sharepoint onedrive notification notifications notifikation
    besked beskeder alert alerts monitor monitoring backup newsletter nyhedsbrev
    """.split()
)
_COMPANY_FORMS = frozenset(
    "aps a/s as i/s ivs k/s p/s smba amba fmba gmbh ag ltd ltd. limited inc inc. llc "
    "ab oy bv b.v. sa s.a. srl plc co co. corp corp. kg".split()
)
_ROLE_STEMS = ("afdeling", "department", "support", "service")


def first_name(display_name: str) -> str:
    """The first name to greet the sender of `display_name` by, or "" (module docstring)."""
    name = _COMMENT.sub(" ", unicodedata.normalize("NFC", display_name))
    name = _SEPARATOR.split(_SPACES.sub(" ", name).strip(), maxsplit=1)[0]
    name = _QUOTED_PART.sub("", name) if _QUOTED_PART.match(name) is None else name
    name = _SPACES.sub(" ", _EDGE_QUOTES.sub("", name)).strip()
    if not name or "@" in name:
        return ""
    if _CJK.search(name):
        return name.strip(" ,;:")
    words = _given_name_first(name).split()
    titled = bool(words) and words[0].lower() in _TITLES
    while words and words[0].lower() in _TITLES:
        words = words[1:]
    if not words or (titled and len(words) == 1):  # "Hr. Hansen": a surname alone
        return ""
    if any(_is_role(word) for word in words):
        return ""
    return _greetable(words)


def _given_name_first(name: str) -> str:
    """ "Müller, Andreas" -> "Andreas"; "Andreas Müller, IT-chef" -> "Andreas Müller"."""
    if "," not in name:
        return name
    before, after = (part.strip() for part in name.split(",", 1))
    before_words = before.split()
    surname_first = len(before_words) == 1 or (
        len(before_words) > 1 and before_words[0].lower() in _PARTICLES
    )
    if surname_first and after:
        return after.split(",", 1)[0]
    return before


def _is_role(word: str) -> bool:
    lowered = word.lower().strip(".,;:!?")
    if lowered in _ROLE_WORDS or lowered in _COMPANY_FORMS:
        return True
    if any(stem in lowered for stem in _ROLE_STEMS):
        return True
    return any(part in _ROLE_WORDS for part in lowered.split("-") if part)


def _greetable(words: list[str]) -> str:
    """The given name among `words`, cased as a name, or "" (the capitals decisions)."""
    upper = [w.isupper() for w in words]
    if all(upper):
        candidate = words[0].title() if len(words) > 1 else ""
    elif upper[0] and _NAME_WORD.fullmatch(words[0]):  # "MÜLLER Andreas": surname first
        candidate = next(w for w, up in zip(words, upper, strict=True) if not up)
    elif words[0].islower():
        candidate = words[0].title() if len(words) > 1 else ""
    else:
        candidate = words[0]
    candidate = candidate.strip(",;:")
    if candidate.islower():  # "MÜLLER andreas"
        candidate = candidate.title()
    return candidate if _NAME_WORD.fullmatch(candidate) else ""
