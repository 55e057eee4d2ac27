"""How critical a new case is, and its priority, from its subject and body (BR-8..BR-10).

The rules are data: each `Rule` is a set of regular expressions matched against the
*normalised* text of the subject and the first `BODY_CHARS` characters of the body
(the caller passes the new text; quoted history must already be gone; "Re:", "SV:",
"VS:" prefixes are dropped from the subject). Normalised means: NFC, lower case,
æ/ø/å kept, other accents folded (é -> e, ä -> æ, ö -> ø), typographic quotes and
dashes made plain, a line break inside a paragraph read as a space (mail is
hard-wrapped), a blank line kept as one "\\n", runs of spaces as one.

A rule matches when
- one of its `patterns` matches, in a sentence where none of its `excludes` matches
  (a sentence ends at ". ", ! ? ; or a paragraph break; excludes are sentence-local so
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

import functools
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

try:  # CPython's own regex parser: private, so its absence only costs speed
    from re import _constants as _sre  # type: ignore[attr-defined]
    from re import _parser as _sre_parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - other Python versions
    _sre = _sre_parser = None

from daemon.domain.sla import Priority

# Enough for any real description of a fault; bounds the work per mail.
BODY_CHARS = 2000
SUBJECT_CHARS = 500

_RANK: dict[str, int] = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.MEDIUM: 2, Priority.HIGH: 3}


@dataclass(frozen=True)
class Triage:
    """The outcome recorded on a case: `rule` names why, for staff (None: no rule)."""

    critical: bool
    priority: str  # a Priority value: "high", "medium", "normal" or "low"
    rule: str | None


@dataclass(frozen=True)
class Rule:
    """One classification rule; its regexes are checked and compiled once, here.

    `patterns`: the symptom, any one of them; `requires_any`: a qualifier that must
    also be somewhere in the text (BR-8's "everyone affected"); `excludes`: what
    cancels a symptom in its sentence ("virker igen"). `name` is recorded on the case.
    """

    name: str
    critical: bool
    priority: str
    patterns: tuple[str, ...]
    requires_any: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _requires: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _excludes: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    # The words every match begins with, or None: see "Where a match can start".
    _pattern_starts: frozenset[str] | None = field(init=False, repr=False, compare=False)
    _requires_starts: frozenset[str] | None = field(init=False, repr=False, compare=False)

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
        set_(self, "_pattern_starts", _starts(self.patterns))
        set_(self, "_requires_starts", _starts(self.requires_any))

    def _matches(self, text: str, subject_end: int, starts: _Starts) -> bool:
        """Does the rule match `text`, whose first `subject_end` characters are the subject?"""
        symptoms = _each_match(self._pattern, starts.get(self._pattern_starts), text)
        if not any(self._stands(symptom, text, subject_end) for symptom in symptoms):
            return False
        if self._requires is None:
            return True
        qualifiers = _each_match(self._requires, starts.get(self._requires_starts), text)
        return next(qualifiers, None) is not None

    def _stands(self, symptom: re.Match[str], text: str, subject_end: int) -> bool:
        """Is the match not cancelled by an exclude in its sentence?

        A subject is a headline for the body, so a match there is tested against the
        whole text ("Password reset" / "for Anne, who starts next week").
        """
        if self._excludes is None:
            return True
        if symptom.start() < subject_end:
            return self._excludes.search(text) is None
        sentence = _sentence_around(text, symptom.start(), symptom.end())
        return self._excludes.search(sentence) is None


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


# --- Where a match can start ----------------------------------------------------------
# Python's regex engine tries every alternative at every position of the text: for
# these rules about a millisecond a mail. But nearly every pattern starts with one of
# a few words ("internet", "kan ", "alle "), and a regex of plain words shaped like a
# trie, (?:a(?:ccount|lle )|h(?:ele |ack)|...), is scanned fast. So the words a rule's
# matches start with are derived from its parsed regexes; one pass over the text finds
# those of every rule, and each rule's regex is tried only where its words occur. The
# derivation is sound (every match starts with one of the words) and gives up (None:
# scan the whole text) on anything it does not know.

_MAX_STRINGS = 64  # how many spellings of a start are followed before cutting them short
_MIN_LENGTH = 3  # "ik" is everywhere: starting there filters nothing


class _Starts:
    """Where each rule's words occur in one text, found in a single pass over it."""

    def __init__(self, scanner: _Scanner, text: str) -> None:
        self._found: dict[frozenset[str], list[int]] = {}
        if scanner.regex is None:
            return
        position = 0
        while (hit := scanner.regex.search(text, position)) is not None:
            for words in scanner.owners[hit.lastgroup or ""]:
                self._found.setdefault(words, []).append(hit.start())
            position = hit.start() + 1  # the next may start inside this one

    def get(self, words: frozenset[str] | None) -> list[int] | None:
        """Where one of `words` begins; None (unknown words) means anywhere."""
        return None if words is None else self._found.get(words, [])


@dataclass(frozen=True)
class _Scanner:
    regex: re.Pattern[str] | None  # every rule's start words, each ending in a named group
    owners: Mapping[str, tuple[frozenset[str], ...]]  # group -> the word sets it begins


def _start_words(rules: Sequence[Rule]) -> frozenset[frozenset[str]]:
    # The scanner's key: what it is built from (frozensets keep their hash: cheap).
    return frozenset(
        words
        for rule in rules
        for words in (rule._pattern_starts, rule._requires_starts)
        if words is not None
    )


@functools.lru_cache(maxsize=16)
def _scanner(sets: frozenset[frozenset[str]]) -> _Scanner:
    every = sorted(set().union(*sets))
    # The scan finds the longest word at each place; it begins each set holding a
    # prefix of it ("kan ikke" found: "kan " is there too).
    owners = {
        f"w{index}": tuple(words for words in sets if any(word.startswith(w) for w in words))
        for index, word in enumerate(every)
    }
    names = {word: f"w{index}" for index, word in enumerate(every)}
    regex = re.compile(_trie(every, names)) if every else None
    return _Scanner(regex, owners)


def _each_match(regex: re.Pattern[str], at: list[int] | None, text: str) -> Iterator[re.Match[str]]:
    """Matches of `regex` in `text`, trying only the positions `at` unless None."""
    if at is None:
        yield from regex.finditer(text)
        return
    for position in at:
        # match(), unlike a slice, lets \b and lookbehinds see the text before it.
        match = regex.match(text, position)
        if match is not None:
            yield match


def _starts(regexes: Sequence[str]) -> frozenset[str] | None:
    """The words every match of `regexes` starts with, or None if unknown."""
    words: set[str] = set()
    if _sre_parser is None:
        return None
    for regex in regexes:
        try:
            parsed = _sre_parser.parse(regex)
        except Exception:  # a private parser: if it changes, scan the whole text
            return None
        if parsed.state.flags & re.IGNORECASE:
            return None
        words |= _prefixes(parsed.data)
    if not words or min(map(len, words)) < _MIN_LENGTH:
        return None
    return frozenset(words)


def _prefixes(items: Any) -> frozenset[str]:
    """Strings one of which begins every match of the parsed regex `items`.

    "" begins every string: it stands for "unknown", and makes the whole set useless.
    """
    run = frozenset({""})  # what the items so far spell, each way they can match
    for op, av in items:
        strings = _exact(op, av)
        last = strings is None  # the item matches too many strings: its own starts end the run
        if strings is None:
            strings = _item_prefixes(op, av)
        run = frozenset(a + b for a in run for b in strings)
        if last or len(run) > _MAX_STRINGS:
            break
    return _fewest(run)


def _item_prefixes(op: Any, av: Any) -> frozenset[str]:
    if op is _sre.BRANCH:
        return _fewest(frozenset().union(*(_prefixes(option) for option in av[1])))
    if op is _sre.SUBPATTERN and not av[1] & re.IGNORECASE:
        return _prefixes(av[3])
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _prefixes(av[2])
    return frozenset({""})


def _fewest(prefixes: frozenset[str]) -> frozenset[str]:
    """At most _MAX_STRINGS prefixes that still begin every match."""
    for cut in (None, 8, 6, 5, 4, _MIN_LENGTH, 0):
        # Of "kan " and "kan ikke", "kan " is enough; a prefix of a prefix is one too.
        # Sorted, a string's shortest kept prefix is the last one kept before it.
        kept: list[str] = []
        for prefix in sorted({p[:cut] for p in prefixes}):
            if not (kept and prefix.startswith(kept[-1])):
                kept.append(prefix)
        prefixes = frozenset(kept)
        if len(prefixes) <= _MAX_STRINGS:
            break
    return prefixes


def _exact(op: Any, av: Any) -> frozenset[str] | None:
    """Every string one parsed item can match, if they are few; zero-width items match ""."""
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


def _trie(words: Sequence[str], names: Mapping[str, str], spelled: str = "") -> str:
    """A regex for any of `words`, sharing prefixes; a word's end is group names[word]."""
    children: dict[str, list[str]] = {}
    for word in words:
        if word:
            children.setdefault(word[0], []).append(word[1:])
    branches = [
        re.escape(char) + _trie(rests, names, spelled + char)
        for char, rests in sorted(children.items())
    ]
    body = (
        "" if not branches else branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    )
    if "" not in words:
        return body
    # A word ends here; a longer one may go on (greedy, so the longest is found).
    return f"(?P<{names[spelled]}>)" + (f"(?:{body})?" if body else "")


# --- Normalisation -------------------------------------------------------------------

# "SV: VS: Låst" is the headline "låst" (Danish, English, German, French clients).
_REPLY_PREFIXES = re.compile(r"^(?:(?:re|sv|vs|fw|fwd|aw|wg|tr|ref)\s*:\s*)+")

_FOLD_MAP = {
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
    **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", ""),  # invisible: dropped
}
# A regex finds the few characters to fold faster than str.translate visits every one.
_FOLDABLE = re.compile(f"[{re.escape(''.join(_FOLD_MAP))}]")
_PARAGRAPH_BREAK = re.compile(r"[ \t\r\f\v]*\n[ \t\r\f\v]*\n\s*")
# "2. sal", "kl. 9", "f.eks. printeren" do not end a sentence.
_ABBREVIATIONS = frozenset(
    "kl ca evt bl.a f.eks mht inkl nr pga dvs ift vedr tlf e.g i.e vs etc".split()
)


def normalise_text(text: str) -> str:
    """The form rules match against (see the module docstring)."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)  # Apple Mail writes å as a + ring
    text = text.lower()
    if not text.isascii():
        text = _FOLDABLE.sub(_fold, text)
    text = "\n".join(
        " ".join(paragraph.split()) for paragraph in _PARAGRAPH_BREAK.split(text.strip())
    )
    return _join_abbreviations(text) if ". " in text else text


def _fold(match: re.Match[str]) -> str:
    return _FOLD_MAP[match.group()]


def _join_abbreviations(text: str) -> str:
    sentences = text.split(". ")
    joined = [sentences[0]]
    for sentence in sentences[1:]:
        before = joined[-1]
        last_word = before[before.rfind(" ") + 1 :].rpartition("\n")[2]
        if last_word.isdigit() or last_word in _ABBREVIATIONS:
            joined[-1] = f"{before} {sentence}"
        else:
            joined.append(sentence)
    return ". ".join(joined)


def _sentence_around(text: str, start: int, end: int) -> str:
    # A sentence ends at ". " (not the dots of "oo.dk" or "1.000"), ! ? ; or a paragraph.
    dot = text.rfind(". ", 0, start)
    begin = max(dot + 2 if dot != -1 else 0, *(text.rfind(c, 0, start) + 1 for c in "!?;\n"))
    stop = len(text)
    for found in (text.find(c, end) for c in (". ", "!", "?", ";", "\n")):
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
_DOWN_EN = (
    r"(?:(?:is |are |'s |s |went |has gone |have gone |has been |is still )?(?:down|offline|dead))"
)
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

# BR-8: "Alle er berørt" - everyone affected. "We" as the subject of a shared function
# failing counts ("vi kan ikke printe", "we have no internet", "vi kan ikke arbejde"):
# the office speaking. Not for personal things ("vi kan ikke få adgang til postkassen"
# is often one user written for by a colleague), nor a possessive ("vores printer"
# says whose printer, not who is affected).
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

_NET = (
    r"(?:internet(?:tet|et)?|nettet|netværket|netforbindelse(?:n)?|internetforbindelse(?:n)?|"
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
    r"file server|shared drives?|network drives?|mailbox(?:es)?)"
)
_CONNECT_DA = (
    r"(?:forbinde|forbindes|koble (?:os |mig )?(?:på|op)|få (?:forbindelse|adgang|kontakt)|"
    r"komme (?:ind|på)|tilgå)"
)
_CONNECT_EN = r"(?:connect|access|reach|get into|get to|log ?in to|sign ?in to)"

_PRINT = (
    r"(?:printer(?:en|n|ne|erne|e)?|print(?:et|ningen)?|udskrift(?:en|er|erne)?|"
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
    # With the common misspellings: "adgangkode", "pasword", "passord", "paswoord".
    r"(?:adgangs?kode(?:n|r|rne)?|kodeord(?:et|ene)?|pas+wo*r[dt](?:et|s|ene)?|passwd|"
    r"kode(?:n|r|rne)?|pinkode(?:n)?|pin-?kode(?:n)?|pin|login-?kode(?:n)?|"
    r"mfa(?:-?kode(?:n)?)?|2fa|to-?faktor\w*|totrinsbekræftelse(?:n)?|"
    r"authenticator(?:-?app(?:en)?)?|engangskode(?:n)?|bekræftelseskode(?:n)?)"
)
_LOG_ON = r"(?:logge?|loge|logg|login|log|logon) (?:mig |ham |hende |os |dem )?(?:på|paa|ind|on|in)"


def _build_default_rules() -> tuple[Rule, ...]:
    """The built-in rules. Building them compiles and analyses every regex (most of a
    second), so it happens on first use, not when a command that never classifies
    imports this module."""
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
            ),
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
                rf"\b(?:ingen|nobody|no[- ]?one|none of us) {_gap(3)}(?:kan|can) {_gap(2)}"
                r"(?:komme|gå|get|go) (?:på |ud på |on )?(?:nettet|internettet|online|the internet)\b",
                rf"\b(?:the |our )?{_NET_EN} (?:connection )?{_gap(2)}"
                rf"(?:{_DOWN_EN}|{_NOT_WORKING_EN}|(?:is |'s )?out\b|keeps dropping|dropped)",
                r"\b(?:no|lost|lost the|lost our|without|no access to the|no access to|loss of) "
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
                rf"\b(?:ingen|nobody|no[- ]?one|none of us) {_gap(3)}(?:kan|can) {_gap(2)}"
                rf"(?:{_CONNECT_DA}|{_CONNECT_EN})\b",
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
                rf"\b(?:ingen|nobody|no[- ]?one|none of us) {_gap(3)}(?:kan|can) {_gap(2)}"
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
                rf"{_ACCOUNT}\b (?:{_LOCKED_DA}|{_LOCKED_EN})\b(?! op\b| up\b)",  # "konto låst"
                # A subject of one word, "Låst!", "Locked out": on a helpdesk, the account.
                r"^(?:l(?:å|aa)st|locked)(?: ude| out)?\W*\n",
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
                r"\bom (?:en|to|tre|\d+) (?:uge|uger|dage)\b",
                r"\bin (?:a|two|three|\d+) (?:weeks?|days)\b",
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


@functools.cache
def default_rules() -> tuple[Rule, ...]:
    return _build_default_rules()


def __getattr__(name: str) -> Any:
    if name == "DEFAULT_RULES":  # the old constant, now built on first use
        return default_rules()
    raise AttributeError(name)


def classify(subject: str, body: str, rules: Sequence[Rule] | None = None) -> Triage:
    """Criticality and priority of a new case: the first critical rule, else the highest.

    `rules` None means the built-in ones (`default_rules()`).
    """
    if rules is None:
        rules = default_rules()
    headline = _REPLY_PREFIXES.sub("", normalise_text(subject[:SUBJECT_CHARS]))
    text = f"{headline}\n{normalise_text(body[:BODY_CHARS])}"
    starts = _Starts(_scanner(_start_words(rules)), text)
    best: Rule | None = None
    for rule in rules:
        if not rule._matches(text, len(headline), starts):
            continue
        if rule.critical:
            return Triage(critical=True, priority=Priority.HIGH, rule=rule.name)
        if best is None or _RANK[rule.priority] > _RANK[best.priority]:
            best = rule
    if best is None:
        return Triage(critical=False, priority=Priority.NORMAL, rule=None)
    return Triage(critical=False, priority=best.priority, rule=best.name)
