"""How critical a new case is, and its priority, from its subject and body (BR-8..BR-10).

The rules are data: each `Rule` is a set of regular expressions matched against the
*normalised* text of the subject and the first `BODY_CHARS` characters of the body
(the caller passes the new text; quoted history must already be gone). Normalised
means: NFC, lower case, æ/ø/å kept, other accents folded (é -> e, ä -> æ, ö -> ø),
typographic quotes and dashes made plain, a line break inside a paragraph read as a
space (mail is hard-wrapped), a blank line kept as one "\\n", runs of spaces as one.

A rule matches when
- one of its `patterns` matches, in a sentence where none of its `excludes` matches
  (a sentence ends at . ! ? ; or a paragraph break; excludes are sentence-local so
  that "the printer works again" does not cancel "nobody has internet" elsewhere;
  a match in the subject, a headline, is tested against the excludes of the whole
  text), and
- if it has `requires_any`, one of those matches anywhere in the text (BR-8's
  "everyone affected" is often its own sentence: "Kan ikke printe. Alle er berørt.").

Patterns are written in lower case, since the text is; an upper-case letter in a
pattern could never match and is refused. A critical rule gives priority "high"; if
several rules match, the first critical one wins, else the highest priority.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from re import _constants as _sre  # type: ignore[attr-defined]
from re import _parser as _sre_parser  # type: ignore[attr-defined]
from typing import Any

from daemon.domain.sla import Priority

# Enough for any real description of a fault; bounds the work per mail.
BODY_CHARS = 2000
SUBJECT_CHARS = 500

_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.MEDIUM: 2, Priority.HIGH: 3}


@dataclass(frozen=True)
class Triage:
    """The outcome recorded on a case: `rule` names why, for staff (None: no rule)."""

    critical: bool
    priority: str  # a Priority value: "high", "medium", "normal" or "low"
    rule: str | None


@dataclass(frozen=True)
class Rule:
    """One classification rule; regexes are compiled once, when the rule is made."""

    name: str
    critical: bool
    priority: str
    patterns: tuple[str, ...]
    requires_any: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _requires: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _excludes: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _pattern_gate: tuple[str, ...] | None = field(init=False, repr=False, compare=False)
    _requires_gate: tuple[str, ...] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"triage rule {self.name!r}: name must be a non-empty string")
        if not isinstance(self.critical, bool):
            raise ValueError(f"triage rule {self.name!r}: critical must be true or false")
        try:
            priority = Priority(self.priority)
        except ValueError:
            allowed = ", ".join(p.value for p in Priority)
            raise ValueError(
                f"triage rule {self.name!r}: priority {self.priority!r} is not one of {allowed}"
            ) from None
        if self.critical and priority is not Priority.HIGH:
            raise ValueError(f"triage rule {self.name!r}: a critical rule has priority high")
        if not self.patterns:
            raise ValueError(f"triage rule {self.name!r}: patterns must not be empty")
        for key in ("patterns", "requires_any", "excludes"):
            value = getattr(self, key)
            if isinstance(value, str) or not isinstance(value, Sequence):
                raise ValueError(f"triage rule {self.name!r}: {key} must be a tuple of regexes")
        set_ = object.__setattr__  # frozen: derived fields are set once, here
        set_(self, "priority", priority)
        set_(self, "patterns", tuple(self.patterns))
        set_(self, "requires_any", tuple(self.requires_any))
        set_(self, "excludes", tuple(self.excludes))
        set_(self, "_pattern", _compile(self.name, "patterns", self.patterns))
        set_(self, "_requires", _compile(self.name, "requires_any", self.requires_any))
        set_(self, "_excludes", _compile(self.name, "excludes", self.excludes))
        set_(self, "_pattern_gate", _gate(self.patterns))
        set_(self, "_requires_gate", _gate(self.requires_any))

    def matches(self, text: str, subject_end: int = 0) -> bool:
        """Does the rule match `text`, normalised, whose first `subject_end` chars are the subject?

        A subject is a headline for the body, so a match in it is tested against
        the excludes of the whole text ("Password reset" / "for Anne, who starts
        next week"); a match in the body against those of its own sentence.
        """
        if not _may_match(self._pattern_gate, text):
            return False
        if self._requires is not None and not _may_match(self._requires_gate, text):
            return False
        if not self._symptom(text, subject_end):
            return False
        return self._requires is None or self._requires.search(text) is not None

    def _symptom(self, text: str, subject_end: int) -> bool:
        if self._excludes is None:
            return self._pattern.search(text) is not None
        for match in self._pattern.finditer(text):
            if match.start() < subject_end:
                context = text
            else:
                context = _sentence_around(text, match.start(), match.end())
            if self._excludes.search(context) is None:
                return True
        return False


_CONFIG_KEYS = frozenset({"name", "critical", "priority", "patterns", "requires_any", "excludes"})


def rules_from_config(items: Sequence[Mapping[str, Any]]) -> tuple[Rule, ...]:
    """Rules from config tables with Rule's keys; `name` and `patterns` are required.

    `critical` defaults to false, `priority` to "high" for a critical rule and
    "normal" otherwise. Anything wrong raises ValueError naming the rule.
    """
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        label = f"#{index + 1}"
        if not isinstance(item, Mapping):
            raise ValueError(f"triage rule {label}: expected a table of keys, got {item!r}")
        if isinstance(item.get("name"), str):
            label = repr(item["name"])
        unknown = sorted(set(item) - _CONFIG_KEYS)
        if unknown:
            raise ValueError(f"triage rule {label}: unknown key(s) {', '.join(unknown)}")
        for key in ("name", "patterns"):
            if key not in item:
                raise ValueError(f"triage rule {label}: {key} is required")
        critical = item.get("critical", False)
        default_priority = Priority.HIGH if critical is True else Priority.NORMAL
        rule = Rule(
            name=item["name"],
            critical=critical,
            priority=item.get("priority", default_priority),
            patterns=_regex_list(label, "patterns", item["patterns"]),
            requires_any=_regex_list(label, "requires_any", item.get("requires_any", ())),
            excludes=_regex_list(label, "excludes", item.get("excludes", ())),
        )
        if rule.name in seen:
            raise ValueError(f"triage rule {label}: the name is used twice")
        seen.add(rule.name)
        rules.append(rule)
    return tuple(rules)


def _regex_list(label: str, key: str, value: Any) -> tuple[str, ...]:
    # A bare string would be iterated letter by letter: refuse it rather than guess.
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValueError(f"triage rule {label}: {key} must be a list of regexes")
    if not all(isinstance(item, str) and item for item in value):
        raise ValueError(f"triage rule {label}: {key} must hold non-empty strings")
    return tuple(value)


# Escapes and group names may hold capitals (\S, \W, (?P<Name>...)); literals may not.
_NOT_LITERAL = re.compile(r"\\.|\(\?P<[^>]*>|\(\?P=[^)]*\)|\\N\{[^}]*\}")
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")


def _compile(rule: str, key: str, regexes: Sequence[str]) -> re.Pattern[str] | None:
    if not regexes:
        return None
    for regex in regexes:
        if not isinstance(regex, str) or not regex:
            raise ValueError(f"triage rule {rule!r}: {key} must hold non-empty strings")
        try:
            re.compile(regex)
        except re.error as exc:
            raise ValueError(f"triage rule {rule!r}: bad regex in {key} {regex!r}: {exc}") from None
        if any(char.isupper() for char in _NOT_LITERAL.sub("", regex)):
            raise ValueError(
                f"triage rule {rule!r}: {key} {regex!r} has upper case; the text is lower case"
            )
        if _BACKREFERENCE.search(regex):
            # The regexes are joined into one alternation, which renumbers groups.
            raise ValueError(f"triage rule {rule!r}: backreferences are not supported: {regex!r}")
    try:
        # One alternation per rule: a single scan of the text instead of one per regex.
        return re.compile("|".join(f"(?:{regex})" for regex in regexes))
    except re.error as exc:
        raise ValueError(f"triage rule {rule!r}: {key} cannot be combined: {exc}") from None


# --- Prefilter -----------------------------------------------------------------------
# Python's regex engine tries every alternative at every position of the text, which
# costs about a millisecond a mail for these rules. Most rules need one of a few
# literal words ("internet", "printer", "låst") to match at all, and `in` finds
# those far faster. `_gate` derives such words from the parsed regexes; it is sound
# (it never names a word a match could do without) and gives up (None: always run
# the regex) on anything it does not understand.

_MAX_STRINGS = 48  # beyond this many alternatives a gate costs more than it saves
_MIN_LENGTH = 3  # "ik" is in too many texts to filter anything


def _may_match(gate: tuple[str, ...] | None, text: str) -> bool:
    return gate is None or any(word in text for word in gate)


def _gate(regexes: Sequence[str]) -> tuple[str, ...] | None:
    if not regexes:
        return None
    words: set[str] = set()
    for regex in regexes:
        try:
            parsed = _sre_parser.parse(regex)
            needed = None if parsed.state.flags & re.IGNORECASE else _needed(parsed.data)
        except Exception:  # a private parser: if it changes, run the regexes unfiltered
            needed = None
        if needed is None:
            return None
        words |= needed
    return tuple(sorted(_shortest(frozenset(words))))


def _needed(items: Any) -> frozenset[str] | None:
    """Strings one of which is in every match of `items`, or None if not known."""
    best: frozenset[str] | None = None
    run: frozenset[str] = frozenset({""})  # what the current stretch of exact items spells

    def consider(candidate: frozenset[str] | None) -> None:
        nonlocal best
        if candidate is None:
            return
        candidate = _shrink(candidate)
        if candidate is None:
            return
        if best is None or _selectivity(candidate) > _selectivity(best):
            best = candidate

    for op, av in items:
        exact = _exact(op, av)
        if exact is not None:
            joined = frozenset(a + b for a in run for b in exact)
            if len(joined) <= _MAX_STRINGS:
                run = joined
                continue
            consider(run)
            run = exact
            continue
        consider(run)
        run = frozenset({""})
        if op is _sre.SUBPATTERN and not av[1] & re.IGNORECASE:
            consider(_needed(av[3]))
        elif op is _sre.ATOMIC_GROUP:
            consider(_needed(av))
        elif op is _sre.BRANCH:
            alternatives = [_needed(alternative) for alternative in av[1]]
            if all(a is not None for a in alternatives):
                consider(frozenset().union(*alternatives))  # type: ignore[misc]
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            consider(_needed(av[2]))
    consider(run)
    return best


def _shortest(strings: frozenset[str]) -> frozenset[str]:
    # "internettet" holds "internet": testing the shorter one is enough.
    return frozenset(s for s in strings if not any(o != s and o in s for o in strings))


def _shrink(strings: frozenset[str]) -> frozenset[str] | None:
    """`strings`, or fewer shorter ones that still hold (each is in one of them)."""
    strings = _shortest(strings)
    for cut in (8, 6, 5, 4, _MIN_LENGTH):
        if len(strings) <= _MAX_STRINGS:
            break
        strings = _shortest(frozenset(s[:cut] for s in strings))
    if len(strings) > _MAX_STRINGS or min(map(len, strings)) < _MIN_LENGTH:
        return None
    return strings


# Words in nearly every mail filter nothing: a gate holding one is the last choice.
_COMMON_WORDS = frozenset(
    "ikke ikk ik kan kunne can cannot can't cant could couldn't ingen no not nobody har have "
    "er is are was var blev got gets seems problem problemer issue issues trouble fejl error "
    "virker fungerer work working jeg vi min mit my our the og and på til for med with to at "
    "de en et a an i".split()
)


def _selectivity(strings: frozenset[str]) -> tuple[bool, int, int]:
    # Longer words are rarer in text ("locked " beats "er "); fewer are cheaper to test.
    common = any(s.strip() in _COMMON_WORDS for s in strings)
    return not common, min(min(map(len, strings)), 6), -len(strings)


def _exact(op: Any, av: Any) -> frozenset[str] | None:
    """Every string one item can match, if they are few; zero-width items match ""."""
    if op is _sre.LITERAL:
        return frozenset({chr(av)})
    if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
        return frozenset({""})
    if op is _sre.IN and len(av) <= 8 and all(o is _sre.LITERAL for o, _ in av):
        return frozenset(chr(code) for _, code in av)
    if op is _sre.SUBPATTERN and not av[1] & re.IGNORECASE:
        return _exact_sequence(av[3])
    if op is _sre.BRANCH:
        options: set[str] = set()
        for alternative in av[1]:
            strings = _exact_sequence(alternative)
            if strings is None:
                return None
            options |= strings
        return frozenset(options) if len(options) <= _MAX_STRINGS else None
    if op is _sre.MAX_REPEAT and av[0] == 0 and av[1] == 1:
        strings = _exact_sequence(av[2])
        return None if strings is None else strings | {""}
    return None


def _exact_sequence(items: Any) -> frozenset[str] | None:
    strings = frozenset({""})
    for op, av in items:
        exact = _exact(op, av)
        if exact is None:
            return None
        strings = frozenset(a + b for a in strings for b in exact)
        if len(strings) > _MAX_STRINGS:
            return None
    return strings


# --- Normalisation -------------------------------------------------------------------

_FOLD = str.maketrans(
    {
        **dict.fromkeys("àáâãāăą", "a"),
        **dict.fromkeys("èéêëēėę", "e"),
        **dict.fromkeys("ìíîïī", "i"),
        **dict.fromkeys("òóôõō", "o"),
        **dict.fromkeys("ùúûüū", "u"),
        **dict.fromkeys("ýÿ", "y"),
        "ç": "c",
        "ñ": "n",
        "ä": "æ",  # a Swedish or German keyboard writes Danish this way
        "ö": "ø",
        "ß": "ss",
        **dict.fromkeys("’‘‛´`′", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−", "-"),
        **dict.fromkeys("\u00a0\u2007\u202f", " "),
        **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff"),  # invisible: dropped
    }
)
_PARAGRAPH_BREAK = re.compile(r"[ \t\r\f\v]*\n[ \t\r\f\v]*\n\s*")
# "2. sal", "kl. 9", "f.eks." do not end a sentence: their dots are dropped.
_NOT_A_FULL_STOP = re.compile(r"(?<=\d)\.(?= \S)|\b(?:kl|ca|evt|bl\.a|f\.eks|mht|inkl|nr|pga|"
                              r"dvs|ift|vedr|tlf|e\.g|i\.e)\.")


def normalise_text(text: str) -> str:
    """The form rules match against (see the module docstring)."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)  # Apple Mail writes å as a + ring
    text = text.lower().translate(_FOLD)
    if "." in text:
        text = _NOT_A_FULL_STOP.sub(_drop_dots, text)
    return "\n".join(
        " ".join(paragraph.split()) for paragraph in _PARAGRAPH_BREAK.split(text.strip())
    )


def _drop_dots(match: re.Match[str]) -> str:
    return match.group().replace(".", "")


_SENTENCE_ENDS = ".!?;\n"


def _sentence_around(text: str, start: int, end: int) -> str:
    begin = max(text.rfind(char, 0, start) for char in _SENTENCE_ENDS) + 1
    stop = len(text)
    for char in _SENTENCE_ENDS:
        found = text.find(char, end)
        if found != -1 and found < stop:
            stop = found
    return text[begin:stop]


# --- The default rules ---------------------------------------------------------------
# Fragments for the patterns below. A "word" stops at sentence punctuation, so a gap
# of words never crosses into the next sentence.
_W = r"[^\s.!?;]+"


def _gap(words: int) -> str:
    return rf"(?:{_W} ){{0,{words}}}?"


_IKKE = r"(?:ikke|ikk|ik)"
# "kan ikke", "kan jeg desværre ikke", "det er ikke muligt at", "det lykkes mig ikke at".
_KAN_IKKE = rf"(?:(?:kan|kunne) {_gap(3)}{_IKKE}|ikke (?:længere )?muligt|lykkes (?:{_W} )?{_IKKE})"
_CANT = r"(?:can'?t|cannot|can ?not|couldn'?t|could not|unable to|not able to)"
_NOT_WORKING_DA = rf"(?:virker|virke|fungerer|fungere|duer|kører|virkede|fungerede) {_IKKE}"
_NOT_WORKING_EN = (
    r"(?:(?:is |are |'s |s )?not working|isn'?t working|aren'?t working|"
    r"(?:does|do|did)(?:n'?t| not) work|won'?t work|(?:has |have )?stopped working)"
)
_DOWN_DA = r"(?:er (?:\S+ )?(?:nede|gået ned|død|væk|afbrudt|offline)|gik ned|går ned)"
_DOWN_EN = r"(?:(?:is |are |'s |s |went |has gone |have gone |has been |is still )?(?:down|offline|dead))"
_RESOLVED = (
    r"\b(?:virker|virkede|fungerer|fungerede|kører|kørte|oppe) "
    r"(?:(?!ikke\b|ik\b)\S+ ){0,2}?igen\b",
    r"\b(?:er|blev|er blevet) (?:nu )?(?:løst|fikset|fixet|ordnet)\b",
    r"\b(?:working|works|worked|up|running) (?:\S+ )?again\b",
    r"\bback (?:up|online|to normal)\b",
    r"\b(?:is|has been|was|got) (?:now )?(?:fixed|resolved|sorted)\b",
)
# "Hvad gør vi, hvis internettet går ned?" asks about a procedure; nothing is down.
# Courtesies ("hvis muligt", "if you can") do not make a sentence hypothetical.
_HYPOTHETICAL = (
    r"^\W*(?:og |and |men |but )?(?:hvis|if|in case|i tilfælde af|skulle)\b"
    r"(?! (?:muligt|possible|i kan|du kan|you can|det er muligt|it is possible))",
    r"\bhvad (?:gør|skal|kan|sker) (?:\S+ ){0,3}?hvis\b|\bhvad hvis\b",
    r"\bwhat (?:\S+ ){0,3}?if\b",
    r"\b(?:beredskabsplan|nødplan|contingency|disaster recovery)",
)

# BR-8: "Alle er berørt" - everyone affected. A "we" subject of the failure counts
# ("vi kan ikke printe", "we have no internet"): the office speaking. "vores printer"
# alone does not: a possessive says whose printer, not who is affected.
_EVERYONE = (
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
    r"forbinde|logge|arbejde|internet|net|forbindelse|adgang|bruge|tilgå|sende|modtage)",
    r"\bingen (?:\S+ ){0,3}?(?:virker|fungerer)\b",
    r"\b(?:nede|væk|gået ned|down|offline|out) (?:\S+ )?for (?:alle|everyone|everybody)\b",
    r"\b(?:ikke|not) for (?:nogen|anyone|anybody|any of us)\b|\bfor ingen\b",
    rf"\bvi (?:\S+ ){{0,2}}?(?:kan|kunne) (?:\S+ ){{0,2}}?{_IKKE} (?:\S+ ){{0,2}}?"
    r"(?:printe|udskrive|skrive ud|komme på|komme ind|gå på|forbinde|få forbindelse|"
    r"få adgang|tilgå|logge|arbejde|sende|modtage|bruge)",
    r"\bvi (?:\S+ )?har (?:\S+ )?(?:ingen|ikke noget|ikke nogen|ikke) "
    r"(?:internet|net|forbindelse|adgang|netværk|wifi|mail|strøm)",
    r"(?<!not )(?<!hi )(?<!hello )(?<!dear )(?<!thanks )\b(?:everyone|everybody|all users|"
    r"all staff|all employees|all of us|all (?:of )?(?:our|the) (?:users|staff|employees|"
    r"computers|pcs|machines|laptops|colleagues)|(?:the )?(?:whole|entire) (?:office|company|"
    r"team|building|site|network)|company-?wide|office-?wide|site-?wide|nobody|no[- ]?one|"
    r"none of (?:us|our))\b",
    r"\bwe (?:\S+ )?(?:can'?t|cannot|can not|are unable to|are not able to|couldn'?t|"
    r"could not) (?:\S+ ){0,2}?(?:print|connect|get online|go online|access|log ?in|log ?on|"
    r"sign ?in|work|send|receive|use|reach)\b",
    r"\bwe (?:have|got|'ve got|'ve|have got) (?:no|lost(?: our| the)?) "
    r"(?:internet|connection|network|wifi|access|email|power)\b",
    r"\bwe (?:don'?t|do not) have (?:any )?(?:internet|connection|network|wifi|access)\b",
)

_NET = (
    r"(?:internet(?:tet)?|nettet|netværket|netforbindelse(?:n)?|internetforbindelse(?:n)?|"
    r"wi-?fi(?:'?en|et)?|trådløse? net(?:værk)?(?:et)?|bredbånd(?:et)?|fiber(?:en|forbindelse(?:n)?)?|"
    r"routeren)"
)
_NET_NOUN = (
    r"(?:internet(?:tet)?|nettet|net|internetforbindelse(?:n)?|netforbindelse(?:n)?|"
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
    r"file server|shared drives?|network drives?|mailbox(?:es)?)"
)
_CONNECT_DA = (
    r"(?:forbinde|forbindes|koble (?:os |mig )?(?:på|op)|få (?:forbindelse|adgang|kontakt)|"
    r"komme (?:ind|på)|tilgå)"
)
_CONNECT_EN = r"(?:connect|access|reach|get into|get to|log ?in to|sign ?in to)"

_PRINT = (
    r"(?:printer(?:en|ne|erne|e)?|print(?:et|ningen)?|udskrift(?:en|er|erne)?|"
    r"udskrivning(?:en)?|kopimaskine(?:n|r|rne)?|multifunktionsprinter(?:en)?|"
    r"printserver(?:en)?|print ?server|printing|printers?|print jobs?)"
)
_PRINT_VERB = r"(?:printe|printes|udskrive|udskrives|skrive ud|printe ud|print|prente)"

_ACCOUNT = (
    r"(?:konto(?:en|er|erne)?|\bbruger(?:en|ne|konto(?:en)?)?|\bbrugernavn(?:et)?|"
    r"\blogin(?:'?et|net)?|\bprofil(?:en)?|\baccount|\buser)"
)
_LOCKED_DA = r"(?:l(?:å|aa)st|l(?:å|aa)ste|l(?:å|aa)ses|spærret|spaerret|blokeret|deaktiveret)"
_LOCKED_EN = r"(?:locked|blocked|disabled|suspended)"

_PASSWORD = (
    r"(?:adgangskode(?:n|r|rne)?|kodeord(?:et|ene)?|password(?:et|s|ene)?|passwd|"
    r"kode(?:n|r|rne)?|pinkode(?:n)?|pin-?kode(?:n)?|pin|login-?kode(?:n)?|"
    r"mfa(?:-?kode(?:n)?)?|2fa|to-?faktor\w*|totrinsbekræftelse(?:n)?|"
    r"authenticator(?:-?app(?:en)?)?|engangskode(?:n)?|bekræftelseskode(?:n)?)"
)
_LOG_ON = r"(?:logge?|loge|logg|login|log|logon) (?:mig |ham |hende |os |dem )?(?:på|paa|ind|on|in)"

DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(
        # BR-9 "mistanke om hack", BR-10: a security incident, one user is enough.
        name="suspected_hack",
        critical=True,
        priority="high",
        patterns=(
            r"\b(?:hack|hacket|hacked|hacker|hackere|hackerne|hackers|hacking|hackerangreb\w*|"
            r"hackingforsøg|hack-?angreb\w*|hacke|hackes)\b",
            # The common misspelling, but "lyden hakker" (choppy sound) is no hack.
            r"\b(?:jeg|vi|vores|min|mit|mine|konto(?:en)?|mail(?:en)?|pc(?:'?en)?|computer(?:en)?) "
            r"(?:\S+ )?(?:er )?(?:blevet|bliver) hakket\b",
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
        ),
        excludes=(
            r"\bikke (?:\S+ )?(?:blevet )?(?:hacket|hakket|kompromitteret)\b",
            r"\b(?:not|never|wasn'?t|haven'?t|hasn'?t) (?:\S+ )?(?:been )?(?:hacked|compromised)\b",
            r"\b(?:ikke|not|didn'?t|haven'?t|har ikke) (?:\S+ )?(?:klikket|trykket|åbnet|"
            r"clicked|opened)\b",
            r"\b(?:hackathon|life ?hacks?|growth ?hack\w*)\b",
            r"\b(?:undgå|avoid|forebygge|prevent)\w* (?:\S+ ){0,3}?(?:hack|hacked|hacket|hacking)",
            r"\b(?:beskytte?|protect)\w* (?:\S+ ){0,3}?(?:mod|against|from) (?:hack|hacker|hacking)",
            r"\b(?:kursus|kurser|webinar|course|training|awareness|foredrag|phishing-?test|"
            r"simulation|simuleret)\w*",
            *_HYPOTHETICAL,
        ),
    ),
    Rule(
        # BR-8 "Der er ikke forbindelse til internettet fra kontoret. Alle er berørt."
        name="internet_down_everyone",
        critical=True,
        priority="high",
        patterns=(
            rf"\b{_NET} {_gap(3)}(?:{_NOT_WORKING_DA}|{_DOWN_DA}|falder ud|er faldet ud|"
            r"er røget|forsvandt|er forsvundet)",
            rf"\b(?:ingen|ikke|mistet|mistede|uden|manglende) (?:noget |nogen |adgang til |"
            rf"forbindelse til |forbindelsen til |mere )?{_NET_NOUN}\b",
            rf"\b{_KAN_IKKE} {_gap(3)}(?:komme|gå|være|koble) (?:på|ud på|online på|ind på) "
            r"(?:nettet|internettet|internet|net)\b",
            rf"\b{_KAN_IKKE} {_gap(3)}(?:komme|gå) online\b",
            rf"\b{_KAN_IKKE} {_gap(3)}forbinde (?:til|på) {_NET}",
            r"\b(?:internet|net)nedbrud\b|\bnedbrud (?:på|af) (?:internettet|nettet|netværket)\b",
            rf"\b(?:ingen|nobody|no[- ]?one) {_gap(3)}(?:har|får|kan få|has|gets) (?:\S+ )?"
            rf"(?:{_NET_NOUN}|{_NET_EN})\b",
            rf"\b(?:the |our )?{_NET_EN} (?:connection )?{_gap(2)}"
            rf"(?:{_DOWN_EN}|{_NOT_WORKING_EN}|(?:is |'s )?out\b|keeps dropping|dropped)",
            rf"\b(?:no|lost|lost the|lost our|without|no access to the|no access to|loss of) "
            r"(?:internet|network|wifi|wi-fi|connection to the internet|internet connection|"
            r"internet access|connectivity|network connection)\b",
            rf"\b{_CANT} {_gap(2)}(?:get online|go online|access the internet|access internet|"
            r"connect to (?:the )?internet|get on the internet|connect to (?:the )?(?:wifi|wi-fi|"
            r"network))\b",
            r"\b(?:internet|network|wifi|broadband) outage\b",
        ),
        requires_any=_EVERYONE,
        excludes=(
            *_RESOLVED,
            *_HYPOTHETICAL,
            r"\b(?:det|problemet) er ikke (?:internet|nettet)",
        ),
    ),
    Rule(
        # BR-8 "Det er ikke muligt at forbinde til din IT-løsning. Alle er berørt."
        name="it_solution_down_everyone",
        critical=True,
        priority="high",
        patterns=(
            rf"\b{_KAN_IKKE} {_gap(3)}{_CONNECT_DA}\b",
            rf"\b{_SYSTEM} {_gap(3)}(?:{_DOWN_DA}|{_NOT_WORKING_DA}|svarer {_IKKE}|"
            rf"reagerer {_IKKE}|kan {_IKKE} (?:tilgås|nås)|er utilgængelig\w*|{_DOWN_EN}|"
            rf"{_NOT_WORKING_EN}|(?:is |are )?(?:unavailable|unreachable|not responding))",
            rf"\b(?:ingen|ikke|mistet) (?:noget |nogen )?(?:forbindelse|adgang|kontakt) "
            rf"(?:til|på) (?:\S+ )?{_SYSTEM}\b",
            rf"\b{_CANT} {_gap(2)}{_CONNECT_EN}\b",
            rf"\b(?:no |lost (?:the |our )?|without (?:any )?)(?:connection|access|connectivity) "
            rf"to (?:the |our )?{_SYSTEM}\b",
            r"\b(?:nedbrud|driftsforstyrrelse\w*|outage|service disruption)\b",
            rf"\b(?:{_KAN_IKKE}|{_CANT}) {_gap(2)}(?:sende|modtage|send|receive) (?:\S+ )?"
            r"(?:mails?|e-?mails?|post)\b",
        ),
        requires_any=_EVERYONE,
        excludes=(
            *_RESOLVED,
            *_HYPOTHETICAL,
            r"\b(?:der var|there was|var|was) (?:\S+ )?(?:et |an? )?(?:nedbrud|outage|"
            r"driftsforstyrrelse)",
        ),
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
            rf"failing))",
            rf"\b(?:ingen|nobody|no[- ]?one|none of us) {_gap(2)}(?:kan|can) {_gap(2)}"
            rf"{_PRINT_VERB}\b",
            rf"\b{_CANT} {_gap(2)}(?:print|printing)\b",
            rf"\budskrift(?:er|erne)? (?:\S+ )?(?:kommer|går) {_IKKE} (?:ud|igennem)\b",
            rf"\b(?:ingen|none) (?:af |of )?(?:\S+ )?{_PRINT} (?:\S+ )?(?:virker|fungerer|printer|"
            r"works?)\b",
        ),
        requires_any=_EVERYONE,
        excludes=(*_RESOLVED, *_HYPOTHETICAL),
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
            rf"\b(?:{_LOCKED_EN}|{_LOCKED_DA}) (?:my |the |our |his |her |min |vores )?"
            r"(?:account|konto)",
            rf"\b(?:l(?:å|aa)se|oplåse|unlock|unblock|reactivate|genaktiver\w*) {_gap(2)}"
            rf"{_ACCOUNT}\b",
            r"\bfor mange (?:\S+ )?(?:forsøg|login-?forsøg|loginforsøg)\b",
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
        ),
    ),
    Rule(
        # BR-9 "Din kode virker ikke." Includes an expired password (BR-18's example 2).
        name="password_not_working",
        critical=True,
        priority="high",
        patterns=(
            rf"\b{_PASSWORD}\b {_gap(3)}(?:{_NOT_WORKING_DA}|{_NOT_WORKING_EN}|"
            r"(?:er|is|has|er blevet|has been|was) (?:\S+ )?(?:udløbet|løbet ud|forkert|"
            r"ugyldig|afvist|expired|wrong|incorrect|invalid|rejected|not recogni[sz]ed)|"
            r"udløb\b|løb ud|expired|(?:bliver|blev|gets|got|keeps being) (?:\S+ )?"
            rf"(?:afvist|rejected|declined)|(?:accepteres|godkendes|passer) {_IKKE}|"
            r"(?:isn'?t|is not|wasn'?t|was not|not) (?:being )?accepted)",
            rf"\b(?:forkert|forkerte|ugyldig|ugyldigt|udløbet|udløbne|wrong|incorrect|invalid|"
            rf"expired) (?:\S+ )?{_PASSWORD}\b",
            rf"\b(?:glemt|glemte|forgot|forgotten) (?:\S+ )?{_PASSWORD}\b",
            rf"\bhusker {_IKKE} (?:\S+ )?{_PASSWORD}\b",
            rf"\b(?:{_KAN_IKKE}|{_CANT}) {_gap(2)}(?:huske|skifte|ændre|remember|change) "
            rf"(?:\S+ )?{_PASSWORD}\b",
        ),
        excludes=(
            r"\b(?:qr|rabat|kampagne|alarm|dør|fejl|kilde|html|promo|gave|wifi|wi-fi|gæste)"
            r"[- ]?kode",
        ),
    ),
    Rule(
        # BR-10: log-on problems are operations-critical, for one user too.
        name="login_failure",
        critical=True,
        priority="high",
        patterns=(
            rf"\b{_KAN_IKKE} {_gap(3)}{_LOG_ON}\b",
            rf"\b{_KAN_IKKE} {_gap(2)}komme (?:ind|på) (?:på |i )?(?:min |mit |vores |sin |den |"
            r"det )?(?:pc|computer|konto|mail|outlook|teams|systemet|maskine|bærbar|laptop|"
            r"windows|office|microsoft|sharepoint|onedrive|citrix|fjernskrivebord|vpn)",
            rf"\b(?:logger|login|logon|log-?in|log-?on|pålogning(?:en)?|indlogning(?:en)?|"
            rf"sign-?in|sign-?on) {_gap(2)}(?:{_IKKE} (?:på|ind)|fejler|fejlede|mislykke\w*|"
            rf"{_NOT_WORKING_DA}|fails|failed|failing|{_NOT_WORKING_EN}|problem\w*|error|fejl)\b",
            r"\b(?:problem(?:er)?|issues?|trouble|besvær|vanskeligheder) (?:med (?:at )?|with |"
            r"when )?(?:\S+ )?(?:logge? (?:på|ind)|log-?in|log-?on|login|logon|pålogning|"
            r"indlogning|sign(?:ing)?[- ]in|logging (?:in|on))\b",
            rf"\b{_CANT} {_gap(2)}(?:log ?in|log ?on|login|logon|sign ?in|sign ?on|get into "
            r"(?:my |the )?(?:account|computer|pc|laptop|email|mailbox|outlook))\b",
        ),
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
        ),
        excludes=(
            r"\b(?:næste|kommende|next|coming|upcoming) (?:uge|måned|mandag|tirsdag|onsdag|"
            r"torsdag|fredag|week|month|monday|tuesday|wednesday|thursday|friday)\b",
            r"\bom (?:en|to|tre|\d+) (?:uge|uger|dage)\b|\bin (?:a|two|three|\d+) (?:weeks?|days)\b",
            r"\b(?:nye? medarbejder\w*|nyansat\w*|new (?:employee|hire|starter|colleague|user)s?|"
            r"onboarding|offboarding|fratrådt\w*|fratræder|fratrædelse|leaver|left the company)\b",
            r"\b(?:starter|starts|begynder) (?:hos os |on |here )?(?:på|den|i|på mandag|"
            r"monday|next|mandag|tirsdag|onsdag|torsdag|fredag|\d)",
            r"\b(?:politik\w*|policy|policies|krav(?:ene)?|requirements?|regler|rules|"
            r"hvor ofte|how often|selvbetjening|self-?service|sspr)\b",
            r"\bhvordan\b|\bhow (?:do|can|to)\b",
        ),
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
            *_RESOLVED,
            *_HYPOTHETICAL,
        ),
    ),
)


def classify(subject: str, body: str, rules: Sequence[Rule] = DEFAULT_RULES) -> Triage:
    """Criticality and priority of a new case, by the first critical rule or the highest priority."""
    headline = normalise_text(subject[:SUBJECT_CHARS])
    text = f"{headline}\n{normalise_text(body[:BODY_CHARS])}"
    best: Rule | None = None
    for rule in rules:
        if not rule.matches(text, len(headline)):
            continue
        if rule.critical:
            return Triage(critical=True, priority=Priority.HIGH, rule=rule.name)
        if best is None or _RANK[rule.priority] > _RANK[best.priority]:
            best = rule
    if best is None:
        return Triage(critical=False, priority=Priority.NORMAL, rule=None)
    return Triage(critical=False, priority=best.priority, rule=best.name)
