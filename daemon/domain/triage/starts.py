"""Where a match can start: which places of a text each rule's regexes need trying.

Python's regex engine tries every alternative at every position of the text: for
the built-in rules over a millisecond a mail. But nearly every pattern starts with one
of a few words ("internet", "kan ", "alle "), and a regex of plain words shaped like a
trie, (?:a(?:ccount|lle )|h(?:ele |ack)|...), is scanned fast. So the words a rule's
matches start with are derived from its parsed regexes; one pass over the text finds
those of every rule, and each rule's regex is tried only where its words occur. The
derivation is sound (every match starts with one of the words) and gives up (None:
scan the whole text) on anything it does not know.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

try:  # CPython's own regex parser: private, so its absence only costs speed
    from re import _constants as _sre  # type: ignore[attr-defined]
    from re import _parser as _sre_parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - other Python versions
    _sre = _sre_parser = None

_MAX_STRINGS = 64  # how many spellings of a start are followed before cutting them short
_MIN_LENGTH = 3  # "ik" is everywhere: starting there filters nothing


class HasStartWords(Protocol):
    @property
    def start_sets(self) -> tuple[frozenset[str], ...]: ...


class Starts:
    """Where each rule's words occur in one text, found in a single pass over it."""

    def __init__(self, scanner: Scanner, text: str) -> None:
        self._found: dict[frozenset[str], list[int]] = {}
        if scanner.regex is None:
            return
        position = 0
        while (hit := scanner.regex.search(text, position)) is not None:
            for words in scanner.owners[hit.lastgroup or ""]:
                self._found.setdefault(words, []).append(hit.start())
            position = hit.start() + 1  # the next may start inside this one

    @classmethod
    def of(cls, rules: Iterable[HasStartWords], text: str) -> Starts:
        """The start words of every one of `rules`, found in `text`."""
        # The scanner's key: what it is built from (frozensets keep their hash: cheap).
        sets = frozenset(words for rule in rules for words in rule.start_sets)
        return cls(scanner_for(sets), text)

    def get(self, words: frozenset[str] | None) -> list[int] | None:
        """Where one of `words` begins; None (unknown words) means anywhere."""
        return None if words is None else self._found.get(words, [])


@dataclass(frozen=True)
class Scanner:
    regex: re.Pattern[str] | None  # every rule's start words, each ending in a named group
    owners: Mapping[str, tuple[frozenset[str], ...]]  # group -> the word sets it begins


@functools.lru_cache(maxsize=16)
def scanner_for(sets: frozenset[frozenset[str]]) -> Scanner:
    """One regex finding every word of `sets` (cached: a daemon has one or two rule lists)."""
    every = sorted(set().union(*sets))
    # The scan finds the longest word at each place; it begins each set holding a
    # prefix of it ("kan ikke" found: "kan " is there too).
    owners = {
        f"w{index}": tuple(words for words in sets if any(word.startswith(w) for w in words))
        for index, word in enumerate(every)
    }
    names = {word: f"w{index}" for index, word in enumerate(every)}
    regex = re.compile(_trie(every, names)) if every else None
    return Scanner(regex, owners)


def each_match(regex: re.Pattern[str], at: list[int] | None, text: str) -> Iterator[re.Match[str]]:
    """Matches of `regex` in `text`, trying only the positions `at` unless None."""
    if at is None:
        yield from regex.finditer(text)
        return
    for position in at:
        # match(), unlike a slice, lets \b and lookbehinds see the text before it.
        match = regex.match(text, position)
        if match is not None:
            yield match


def start_words(regexes: Sequence[str]) -> frozenset[str] | None:
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
