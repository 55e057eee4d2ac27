"""Where a match can start: which places of a text each rule's regexes need trying.

Python's regex engine tries every alternative at every position of the text: for
the built-in rules about 2 ms a mail, a fifth of the daemon's CPU time per mail. But
nearly every pattern starts with one of a few words ("internet", "kan ", "alle "), and
a regex of plain words shaped like a trie, (?:a(?:ccount|lle )|h(?:ele |ack)|...), is
scanned fast. So the words a rule's matches start with are derived from its regexes;
one pass over the text finds those of every rule, and each rule's regex is tried only
where its words occur: about 0.4 ms a mail (`python -m benchmarks.classify`).

The derivation is sound (every match starts with one of the words) and gives up (None:
scan the whole text) on anything it does not follow. It reads the regexes with the
small parser at the end of this module, not the re module's private one.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

_MAX_STRINGS = 64  # how many spellings of a start are followed before cutting them short
_MIN_LENGTH = 3  # "ik" is everywhere: starting there filters nothing


class HasStartWords(Protocol):
    @property
    def start_sets(self) -> tuple[frozenset[str], ...]: ...


class Starts:
    """Where each rule's words occur in one text, found in a single pass over it."""

    def __init__(self, scanner: Scanner, text: str) -> None:
        # A set's list made where its first word is (one look-up a place, not two).
        self._found: defaultdict[frozenset[str], list[int]] = defaultdict(list)
        # The longest start word at each place found: which of a rule's regexes can
        # match there (Alternation.at_word).
        self.word_at: dict[int, str] = {}
        # The word sets looked for: `get` of another says nothing (it answers []).
        self.sets = scanner.sets
        if scanner.automaton is None:
            return
        # Every occurrence of every word (overlapping ones too), as where it ends and its
        # value (Scanner): at each place, the value of the longest word there.
        longest: dict[int, int] = {}
        get, backs = longest.get, scanner.backs
        for end, value in scanner.automaton.iter(text):
            back = backs[value]
            start = end - back
            if (kept := get(start)) is None or backs[kept] < back:
                longest[start] = value
        word_at, found, owners = self.word_at, self._found, scanner.owners
        for position in sorted(longest):  # in the text's order: each list sorted
            value = longest[position]
            word_at[position] = text[position : position + backs[value] + 1]
            for words in owners[value]:
                found[words].append(position)

    @classmethod
    def of(cls, rules: Iterable[HasStartWords], text: str) -> Starts:
        """The start words of every one of `rules`, found in `text`."""
        # The scanner's key: what it is built from (frozensets keep their hash: cheap).
        # A tuple of rules (classify's, once per mail) is read once: it cannot change.
        known = _SCANNER_OF.get(id(rules)) if isinstance(rules, tuple) else None
        if known is not None and known[0] is rules:
            return cls(known[1], text)
        scanner = scanner_for(frozenset(words for rule in rules for words in rule.start_sets))
        if isinstance(rules, tuple):
            if len(_SCANNER_OF) >= 16:
                _SCANNER_OF.clear()
            _SCANNER_OF[id(rules)] = (rules, scanner)  # holds the tuple: its id stays its own
        return cls(scanner, text)

    def get(self, words: frozenset[str] | None) -> list[int] | None:
        """Where one of `words` begins; None (unknown words) means anywhere."""
        return None if words is None else self._found.get(words, [])


# A tuple of rules -> its scanner (Starts.of), by id, with the tuple itself.
_SCANNER_OF: dict[int, tuple[tuple[HasStartWords, ...], Scanner]] = {}


@dataclass(frozen=True)
class Scanner:
    # Every rule's start words in an Aho-Corasick automaton (pyahocorasick), each word's
    # value an int (a C int: no Python object a word, a worker's memory counts), the same
    # for words of the same length and owners; None: no words. Issue 18 (worker21): it
    # finds every occurrence in one pass in C, ~30 µs a mail's text, where a regex of the
    # words as a trie, searched again from each place after a hit (the next may begin
    # inside it), cost ~95 µs and ~95 ms to compile in each parsing worker (the
    # automaton: ~3 ms).
    automaton: Any | None
    # By a word's value: its length less one (where it begins, from where it ends) ...
    backs: tuple[int, ...]
    # ... and the word sets it begins (~1,800 values for the built-in rules' ~5,900 words).
    owners: tuple[tuple[frozenset[str], ...], ...]
    sets: frozenset[frozenset[str]]  # the word sets it was built for


# A daemon has one or two rule lists; room for more, since building a scanner costs
# tens of milliseconds and a caller cycling through more lists than the cache holds
# (each tail of the default rules, as test_triage does) would rebuild it on every mail.
@functools.lru_cache(maxsize=64)
def scanner_for(sets: frozenset[frozenset[str]]) -> Scanner:
    """One automaton finding every word of `sets` (cached)."""
    every = sorted(set().union(*sets))
    # The scan finds the longest word at each place; it begins each set holding a
    # prefix of it ("kan ikke" found: "kan " is there too). The words a prefix begins
    # follow it in sorted order, so bisect finds them: comparing every word with every
    # set's words took seconds at each start of a process (~3,000 words).
    begun_by: dict[str, list[frozenset[str]]] = {word: [] for word in every}
    for words in sets:  # in the order of `sets`, as a word's owners were listed
        begun: set[str] = set()
        for prefix in words:
            index = bisect.bisect_left(every, prefix)
            while index < len(every) and every[index].startswith(prefix):
                begun.add(every[index])
                index += 1
        for word in begun:
            begun_by[word].append(words)
    if not every:
        return Scanner(None, (), (), sets)
    # Imported here: a process that never classifies (the daemon's own, whose parsing
    # workers do) does not load it (its memory counts, issue 18).
    import ahocorasick

    values: dict[tuple[int, tuple[frozenset[str], ...]], int] = {}
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for word, owners in begun_by.items():
        key = (len(word) - 1, tuple(owners))
        automaton.add_word(word, values.setdefault(key, len(values)))
    automaton.make_automaton()
    return Scanner(automaton, tuple(back for back, _ in values),
                   tuple(owners for _, owners in values), sets)


def alternation_of(regexes: Sequence[str]) -> str:
    """`regexes` as one regex, any of them; at one place the first listed that matches
    there wins (how a rule's regexes are joined: model.py)."""
    return "|".join(f"(?:{regex})" for regex in regexes)


class Alternation:
    """A rule's regexes, tried at a place with only those of them whose start words are
    there (`at_word`), or joined as one (`whole`) to search a text.

    Issue 18: a rule of 50 regexes tried at each place its start words are ("kan ",
    "ikke ") made the regex engine try all 50 there, though at most a few begin with the
    words found. A regex whose start words are not at a place cannot match there (every
    match begins with one of them), so leaving it out changes no match: the others keep
    their order, and the first of them that matches is the one the whole takes.
    """

    def __init__(self, regexes: Sequence[str]) -> None:
        self._regexes = tuple(regexes)
        self._starts = tuple(start_words((regex,)) for regex in self._regexes)
        # A start word -> the regex of those that can match where it is (few: the words
        # of the rules), made when first needed.
        self._at_word: dict[str, re.Pattern[str] | InTurn] = {}

    @functools.cached_property
    def whole(self) -> re.Pattern[str]:
        """All the regexes as one, compiled when first needed (issue 18: most of the
        rules' are never needed, their places being tried with a few of the regexes,
        and compiling them all cost a parsing worker ~0.4 s CPU at its start)."""
        return joined(self._regexes)

    def at_word(self, word: str) -> re.Pattern[str] | InTurn:
        """The regexes that can match where `word` is the longest start word found."""
        found = self._at_word.get(word)
        if found is None:
            kept = tuple(
                regex for regex, starts in zip(self._regexes, self._starts, strict=True)
                if starts is None or any(word.startswith(start) for start in starts)
            )
            found = alone(kept[0]) if len(kept) == 1 else InTurn(kept)
            self._at_word[word] = found
        return found


class InTurn:
    """Some of a rule's regexes, tried in their order at a place: the first that matches
    there is the match their alternation finds there (each alternative is tried in turn
    and nothing follows it), the same place, words and end.

    Issue 18: compiling an alternation of each set of regexes a start word keeps cost a
    parsing worker ~0.25 s CPU over its first few thousand mails (89 sets, ~3 ms each);
    each regex is compiled once already (`alone`), and trying a few of them in turn costs
    ~1 µs more than their alternation. So a set is tried in turn until it has been tried
    JOIN_AFTER times, then as its alternation, compiled: a short-lived worker compiles
    only what it uses much, a daemon running for days pays no more than twice either way.
    """

    def __init__(self, regexes: Sequence[str]) -> None:
        self._regexes = tuple(regexes)
        self._each = tuple(alone(regex) for regex in regexes)
        self._tries = 0
        self.match: Callable[[str, int], re.Match[str] | None] = self._in_turn

    def _in_turn(self, text: str, position: int) -> re.Match[str] | None:
        self._tries += 1
        if self._tries >= JOIN_AFTER:
            self.match = compile_alternation(self._regexes).match
        for regex in self._each:
            if (found := regex.match(text, position)) is not None:
                return found
        return None


# Tries of a set of regexes in turn after which their alternation is compiled (InTurn):
# compiling costs about what this many tries in turn cost more.
JOIN_AFTER = 2000


def joined(regexes: tuple[str, ...]) -> re.Pattern[str]:
    """`regexes` as one compiled regex (alternation_of); one regex is compiled as it is,
    which matches as its alternation of one does: most places keep only one regex, and
    the rule's checks compiled each alone already (model.py)."""
    return alone(regexes[0]) if len(regexes) == 1 else compile_alternation(regexes)


# The regexes compiled alone, by the rules' checks and for the places that keep one of
# a rule's regexes: kept here, since the re module's own cache holds 512 (~500 regexes
# in the built-in rules, and the benchmark and the tests rebuild them).
@functools.lru_cache(maxsize=4096)
def alone(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


@functools.lru_cache(maxsize=4096)
def compile_alternation(regexes: tuple[str, ...]) -> re.Pattern[str]:
    """re.compile(alternation_of(regexes)), cached: shared by the words that keep the same
    regexes, and by the rules built again (the benchmark and the tests rebuild them)."""
    return re.compile(alternation_of(regexes))


def each_match(
    alternation: Alternation, at: list[int] | None, text: str, starts: Starts
) -> Iterator[re.Match[str]]:
    """Matches of `alternation` in `text`, trying only the positions `at` (found by
    `starts`) unless None, each with the regexes that can match there."""
    if at is None:
        yield from alternation.whole.finditer(text)
        return
    word_at = starts.word_at
    for position in at:
        # match(), unlike a slice, lets \b and lookbehinds see the text before it.
        match = alternation.at_word(word_at[position]).match(text, position)
        if match is not None:
            yield match


def start_words(regexes: Sequence[str]) -> frozenset[str] | None:
    """The words every match of `regexes` starts with, or None if unknown."""
    words: set[str] = set()
    for regex in regexes:
        starts = _regex_starts(regex)
        if starts is None:  # scan the whole text: slower, never wrong
            return None
        words |= starts
    if not words or min(map(len, words)) < _MIN_LENGTH:
        return None
    return interned(frozenset(words))


@functools.lru_cache(maxsize=4096)
def _regex_starts(regex: str) -> frozenset[str] | None:
    """What one regex's matches start with (None: not followed). Cached, issue 18: a
    rule's regex is read alone and in its list, and rules share regexes (the phrases of
    context.py): ~1,500 readings of ~500 regexes cost a parsing worker ~0.4 s at its start."""
    try:
        parsed = _Parser(regex).regex()
    except (_Unfollowed, ValueError, KeyError):
        return None
    return _prefixes((parsed,))


def forget_regex_starts() -> None:
    """Empty _regex_starts' cache: the same answers later, read again."""
    _regex_starts.cache_clear()


def interned(words: frozenset[str]) -> frozenset[str]:
    """The one object of a set of start words, whichever rule (or build of the rules)
    asks. Issue 18: the scanner (cached) keys its owners and Starts its places by these
    sets; rules built again (the classify benchmark, the tests) made equal sets that
    were other objects, and each look-up compared them word by word: classify cost
    ~1.2 ms a mail instead of ~0.85 once the rules had been built twice."""
    if len(_INTERNED) >= 4096:
        _INTERNED.clear()  # many lists of rules from configs: only slower, never wrong
    return _INTERNED.setdefault(words, words)


_INTERNED: dict[frozenset[str], frozenset[str]] = {}


# --- What a regex's matches start with -------------------------------------------------
# A regex is parsed into the few kinds of item below; the strings its matches can
# start with follow from those. Anything else is _ANY (it can match strings we do not
# follow), which ends what is known of the start there.


@dataclass(frozen=True)
class _Chars:
    """One character, one of `chars` (a literal, or a class of a few: [- ])."""

    chars: frozenset[str]


@dataclass(frozen=True)
class _Group:
    """One of the alternatives, each a sequence of items. No alternative but an empty
    one is a zero-width item: it matches "" (\\b, ^, a lookahead or lookbehind)."""

    alternatives: tuple[tuple[_Item, ...], ...]


@dataclass(frozen=True)
class _Repeat:
    item: _Item
    least: int
    most: int | None  # None: no limit


class _Any:
    """Matches strings this module does not follow (\\w, ., [^.], a case-blind group)."""


_Item = _Chars | _Group | _Repeat | _Any
_ZERO_WIDTH = _Group(((),))
_ANY = _Any()


def _prefixes(items: Sequence[_Item]) -> frozenset[str]:
    """Strings one of which begins every match of the sequence `items`.

    "" begins every string: it stands for "unknown", and makes the whole set useless.
    """
    run = frozenset({""})  # what the items so far spell, each way they can match
    for item in items:
        strings = _exact(item)
        last = strings is None  # the item matches too many strings: its own starts end the run
        if strings is None:
            strings = _item_prefixes(item)
        run = frozenset(a + b for a in run for b in strings)
        if last or len(run) > _MAX_STRINGS:
            break
    return _fewest(run)


def _item_prefixes(item: _Item) -> frozenset[str]:
    if isinstance(item, _Group):
        return _fewest(frozenset().union(*(_prefixes(option) for option in item.alternatives)))
    if isinstance(item, _Repeat) and item.least >= 1:
        return _prefixes((item.item,))
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


def _exact(item: _Item) -> frozenset[str] | None:
    """Every string one item can match, if they are few; zero-width items match ""."""
    if isinstance(item, _Chars):
        return item.chars if len(item.chars) <= 8 else None
    if isinstance(item, _Group):
        options: set[str] = set()
        for alternative in item.alternatives:
            strings = _exact_sequence(alternative)
            if strings is None:
                return None
            options |= strings
        return frozenset(options) if len(options) <= _MAX_STRINGS else None
    if isinstance(item, _Repeat) and item.least == 0 and item.most == 1:
        strings = _exact(item.item)
        return None if strings is None else strings | {""}
    return None


def _exact_sequence(items: Sequence[_Item]) -> frozenset[str] | None:
    strings = frozenset({""})
    # Items of one spelling (a literal) leave the count as it is: they are gathered in
    # `tail` and appended with the next item of several, not each in a set of its own.
    tail = ""
    for item in items:
        exact = _exact(item)
        if exact is None:
            return None
        if len(exact) == 1:
            tail += next(iter(exact))
            continue
        strings = frozenset(a + tail + b for a in strings for b in exact)
        tail = ""
        if len(strings) > _MAX_STRINGS:
            return None
    return frozenset(a + tail for a in strings) if tail else strings


# --- The parser ------------------------------------------------------------------------
# Python's regex syntax (the re module's documentation), read only as far as the starts
# need it. The regex has compiled already, so it is well formed; whatever this parser
# does not follow raises _Unfollowed, and the rule's regex is tried everywhere.

_QUANTIFIER = re.compile(r"\{(?!\})(\d*)(,?)(\d*)\}")  # "{}" is two literals
_FLAGS = re.compile(r"\?([aiLmsux]*)(?:-([imsx]+))?([:)])")
_ZERO_WIDTH_ESCAPES = frozenset("bBAZ")
_CLASS_ESCAPES = frozenset("dDsSwW")
_CONTROL = {"a": "\a", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}


# Characters _atom reads as themselves ("{" and "}" left to it: "{" may start a quantifier).
_PLAIN = re.compile(r"[^\\()\[\]{}|*+?.^$]+")


@functools.cache
def _literal(char: str) -> _Chars:
    return _Chars(frozenset(char))


class _Unfollowed(Exception):
    """A construct the parser does not follow (or a regex it reads wrong)."""


class _Parser:
    def __init__(self, regex: str) -> None:
        self.text = regex
        self.at = 0

    def regex(self) -> _Group:
        group = self._alternatives()
        if self.at != len(self.text):
            raise _Unfollowed(f"unbalanced ) at {self.at}")
        return group

    def _peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def _take(self) -> str:
        if self.at >= len(self.text):
            raise _Unfollowed("unexpected end")
        char = self.text[self.at]
        self.at += 1
        return char

    def _alternatives(self) -> _Group:
        alternatives = [self._sequence()]
        while self._peek() == "|":
            self.at += 1
            alternatives.append(self._sequence())
        return _Group(tuple(alternatives))

    def _sequence(self) -> tuple[_Item, ...]:
        items: list[_Item] = []
        while True:
            # A run of plain characters is taken at once, each its own item, but the
            # last, which a quantifier may follow (issue 18: one by one through _atom,
            # reading the built-in rules' regexes cost each parsing worker ~0.1 s more).
            run = _PLAIN.match(self.text, self.at)
            if run is not None and len(plain := run.group()) > 1:
                items.extend(map(_literal, plain[:-1]))
                self.at = run.end() - 1
            if self._peek() in ("", "|", ")"):
                return tuple(items)
            items.append(self._quantified(self._atom()))

    def _quantified(self, item: _Item) -> _Item:
        char = self._peek()
        if char in ("*", "+", "?"):
            self.at += 1
            least, most = {"*": (0, None), "+": (1, None), "?": (0, 1)}[char]
        elif char == "{" and (bounds := _QUANTIFIER.match(self.text, self.at)):
            self.at = bounds.end()
            low, comma, high = bounds.groups()
            least = int(low or 0)
            most = int(high) if high else (None if comma else least)
        else:
            return item
        if self._peek() in ("?", "+"):  # lazy or possessive: the same strings
            self.at += 1
        return _Repeat(item, least, most)

    def _atom(self) -> _Item:
        char = self._take()
        if char == "(":
            return self._group()
        if char == "[":
            return self._class()
        if char == "\\":
            return self._escape()
        if char in ("^", "$"):
            return _ZERO_WIDTH
        if char == ".":
            return _ANY
        if char in ("*", "+", "?"):
            raise _Unfollowed("nothing to repeat")
        return _Chars(frozenset(char))  # "{" too, when it starts no quantifier

    def _group(self) -> _Item:
        if self._peek() != "?":
            return self._closed(self._alternatives())  # a capturing group
        rest = self.text[self.at :]
        if rest.startswith(("?:", "?>")):  # non-capturing; atomic (matches no more)
            self.at += 2
            return self._closed(self._alternatives())
        if rest.startswith("?P<"):
            self.at = self.text.index(">", self.at) + 1
            return self._closed(self._alternatives())
        for lookaround in ("?=", "?!", "?<=", "?<!"):
            if rest.startswith(lookaround):
                self.at += len(lookaround)
                self._closed(self._alternatives())  # read to its end; it matches ""
                return _ZERO_WIDTH
        if rest.startswith("?#"):
            self.at = self.text.index(")", self.at) + 1
            return _ZERO_WIDTH
        flags = _FLAGS.match(self.text, self.at)
        if flags is None:  # (?P=name), (?(1)yes|no): not followed
            raise _Unfollowed(f"group at {self.at}")
        added, removed, end = flags.groups()
        self.at = flags.end()
        if "x" in added or "x" in (removed or ""):
            raise _Unfollowed("verbose regexes are read differently")  # spaces, comments
        if end == ")":  # flags for the whole regex
            if "i" in added:
                raise _Unfollowed("ignore case")
            return _ZERO_WIDTH
        group = self._closed(self._alternatives())
        return _ANY if "i" in added else group

    def _closed(self, group: _Group) -> _Group:
        if self._take() != ")":
            raise _Unfollowed(f"group not closed at {self.at}")
        return group

    def _class(self) -> _Item:
        negated = self._peek() == "^"
        if negated:
            self.at += 1
        chars: set[str] = set()
        followed = not negated
        first = True
        while (char := self._take()) != "]" or first:
            first = False
            member = self._class_escape() if char == "\\" else char
            if self._peek() == "-" and self.text[self.at + 1 : self.at + 2] not in ("", "]"):
                self.at += 1  # a range: its far end is read and not followed
                end = self._take()
                if end == "\\":
                    self._class_escape()
                followed = False
            elif member is None:
                followed = False
            else:
                chars.add(member)
        return _Chars(frozenset(chars)) if followed and chars else _ANY

    def _class_escape(self) -> str | None:
        """The character of an escape in a class; None for \\d, \\w and the like."""
        char = self._take()
        if char in _CLASS_ESCAPES:
            return None
        if char == "b":
            return "\b"  # in a class, a backspace
        return self._escaped_char(char)

    def _escape(self) -> _Item:
        char = self._take()
        if char in _ZERO_WIDTH_ESCAPES:
            return _ZERO_WIDTH
        if char in _CLASS_ESCAPES:
            return _ANY
        return _Chars(frozenset(self._escaped_char(char)))

    def _escaped_char(self, char: str) -> str:
        if char in _CONTROL:
            return _CONTROL[char]
        if char in _HEX_DIGITS:
            digits = self.text[self.at : self.at + _HEX_DIGITS[char]]
            self.at += len(digits)
            return chr(int(digits, 16))
        if char == "N" and self._peek() == "{":
            end = self.text.index("}", self.at)
            name, self.at = self.text[self.at + 1 : end], end + 1
            return unicodedata.lookup(name)
        if char == "0":
            digits = "0"
            while len(digits) < 3 and self._peek() in tuple("01234567"):
                digits += self._take()
            return chr(int(digits, 8))
        if char.isascii() and char.isalnum():  # a backreference, or an octal escape
            raise _Unfollowed(f"escape \\{char}")
        return char
