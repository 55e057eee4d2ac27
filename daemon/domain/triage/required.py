"""A search that first asks whether the text can hold a match at all.

Issue 18: the gates beside the rules (learned.asked_about's, not_inquiry's cues) are
searched over the whole text of every mail they see, and a search of a regex like
"^(?![\\s\\S]*...)[\\s\\S]*..." or of fifty alternatives costs 20-80 µs on a mail of 2,000
characters, though the words it is about are in few mails. Every match of most such
regexes holds one of a few strings ("installere", "install"): `required_strings` derives
them from the regex (with starts.py's parser, as the start words are derived), and
`Search` tests them with `in` (a few µs) before it searches. Sound or nothing: when the
derivation is not sure (a class of many characters, something the parser does not
follow), there is no test and the regex is searched as before. A text without one of the
strings holds no match, so the answer is the same None the search would give.

Issue 18 (classify20): where the text does hold one of them, the regex searched is the
same regex with its top-level alternatives that begin with \\b gathered under one \\b
(`boundary_first`): "\\ba|\\bb|\\bc" is tried at every place of the text, and at each
place where a word begins the engine entered every alternative to test its \\b; as
"\\b(?:a|b|c)" the \\b is tested once and an alternative that begins with a letter is
passed over by that letter (replies' _SETTLED, ~70 alternatives: ~78 µs a text, ~15
after). The same places tried in the same order: the same match.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from daemon.domain.triage.starts import (
    _ANY,
    _Any,
    _Chars,
    _exact,
    _Group,
    _Item,
    _Parser,
    _Repeat,
    _Unfollowed,
    alone,
)

# A test of more strings than this costs about what the search costs.
MAX_STRINGS = 16
# A string shorter than this is in nearly every mail: the test would filter nothing.
MIN_LENGTH = 4
_MAX_RUN = 64  # spellings of a run of exact items followed before giving it up


# For a search of one sentence (a rule's excludes, model.py): a sentence is short, so a
# test of more and shorter strings still costs less than the search (issue 18, worker21).
SENTENCE_MAX_STRINGS = 32
SENTENCE_MIN_LENGTH = 3


class Search:
    """`regex.search(text)`, skipped when the text holds none of `required`
    (`required_strings` with the limits given)."""

    def __init__(self, regex: re.Pattern[str], max_strings: int = MAX_STRINGS,
                 min_length: int = MIN_LENGTH) -> None:
        self.regex = regex
        self.required = (required_strings(regex.pattern, max_strings, min_length)
                         if regex.flags == re.UNICODE else None)
        factored = None if regex.flags & re.VERBOSE else boundary_first(regex.pattern)
        self._search = (regex.search if factored in (None, regex.pattern)
                        else re.compile(factored, regex.flags).search)

    def __call__(self, text: str) -> re.Match[str] | None:
        required = self.required
        # map of the bound `in` test: the loop in C (a generator cost ~0.3 µs a string).
        if required is not None and not any(map(text.__contains__, required)):
            return None
        return self._search(text)


def boundary_first(regex: str) -> str:
    """`regex` with each run of its top-level alternatives that begin with \\b written as
    one \\b(?:...) of them, in their order: the same matches (see the module docstring)."""
    gathered: list[str] = []
    run: list[str] = []
    for alternative in (*_top_level_alternatives(regex), None):
        if alternative is not None and alternative.startswith("\\b"):
            run.append(alternative[2:])
            continue
        if len(run) > 1:
            gathered.append("\\b(?:" + "|".join(run) + ")")
        else:
            gathered += ("\\b" + one for one in run)
        run = []
        if alternative is not None:
            gathered.append(alternative)
    return "|".join(gathered)


def _top_level_alternatives(regex: str) -> list[str]:
    """`regex` cut at each "|" outside a group and a character class."""
    alternatives: list[str] = []
    depth, begin, at, in_class = 0, 0, 0, False
    while at < len(regex):
        char = regex[at]
        if char == "\\":
            at += 2  # an escaped character, whatever it is
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            at += 1 + (regex[at + 1 : at + 2] == "^")
            at += regex[at : at + 1] == "]"  # a "]" first in a class is itself
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            alternatives.append(regex[begin:at])
            begin = at + 1
        at += 1
    alternatives.append(regex[begin:])
    return alternatives


def required_strings(regex: str, max_strings: int = MAX_STRINGS,
                     min_length: int = MIN_LENGTH) -> tuple[str, ...] | None:
    """Strings one of which every match of `regex` holds, or None if not known (or more
    than `max_strings`, or one shorter than `min_length`: not worth a test)."""
    try:
        parsed = _Parser(regex).regex()
    except (_Unfollowed, ValueError, KeyError, IndexError):
        return None
    found = _required(parsed)
    if found is None or len(found) > max_strings or min(map(len, found)) < min_length:
        return None
    return tuple(sorted(found))


def _required(item: _Item) -> frozenset[str] | None:
    """Strings one of which every match of `item` holds (None: not known)."""
    if isinstance(item, _Group):
        found: set[str] = set()
        for alternative in item.alternatives:
            strings = _required_in_sequence(alternative)
            if strings is None:  # this alternative may match without any of them
                return None
            found |= strings
        return _shortest_kept(frozenset(found))
    if isinstance(item, _Repeat):
        return _required(item.item) if item.least >= 1 else None
    if isinstance(item, _Chars):
        return item.chars if item.chars and "" not in item.chars else None
    return None


def _required_in_sequence(items: Sequence[_Item]) -> frozenset[str] | None:
    """The best of what each item, or each stretch of neighbouring items matching few
    strings ("kan ", "ikke "), requires: every match of the sequence holds one of each."""
    best: frozenset[str] | None = None
    run: list[frozenset[str]] = []  # the strings each item of the current run matches
    for item in (*items, _ANY):  # _ANY ends the last run
        exact = None if isinstance(item, _Any) else _exact(item)
        if exact is not None:
            run.append(exact)
            continue
        for begin in range(len(run)):
            spelt = frozenset({""})
            for strings in run[begin:]:
                spelt = frozenset(a + b for a in spelt for b in strings)
                if len(spelt) > _MAX_RUN:
                    break
                if "" not in spelt:
                    best = _better(best, spelt)
        run = []
        best = _better(best, _required(item))
    return best


def _better(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    """The set cheaper to test that still filters: strings of MIN_LENGTH or more first,
    then fewer strings, then longer ones."""
    if not a:
        return b or None
    if not b:
        return a
    return b if _worth(b) > _worth(a) else a


def _worth(strings: frozenset[str]) -> tuple[bool, int, int]:
    shortest = min(map(len, strings))
    return shortest >= MIN_LENGTH, -len(strings), shortest


def _shortest_kept(strings: frozenset[str]) -> frozenset[str]:
    """Of "kan " and "kan ikke", "kan " is enough: a text holding the longer holds it."""
    kept: list[str] = []
    for string in sorted(strings, key=len):
        if not any(shorter in string for shorter in kept):
            kept.append(string)
    return frozenset(kept)


def search(regex: re.Pattern[str], text: str) -> re.Match[str] | None:
    """`regex.search(text)`, first testing the strings every match holds (`Search`)."""
    return _search_for(regex)(text)


@functools.lru_cache(maxsize=256)
def _search_for(regex: re.Pattern[str]) -> Search:
    return Search(regex)


@functools.lru_cache(maxsize=4096)
def sentence_search(regex: str) -> Search:
    """`Search` of `regex` (compiled alone, starts.alone) for a sentence: the looser
    limits SENTENCE_MAX_STRINGS and SENTENCE_MIN_LENGTH."""
    return Search(alone(regex), SENTENCE_MAX_STRINGS, SENTENCE_MIN_LENGTH)
