"""The learned model's arithmetic: from a text to its score, n-gram by n-gram (learned.py).

scikit-learn's TfidfVectorizer(analyzer="char_wb", sublinear_tf=True, norm="l2") of the
text's character n-grams and, beside it, one of its word n-grams: each n-gram the model
knows adds (1 + log count) * idf / norm * coefficient to the score, `norm` being the l2
norm of the (1 + log count) * idf of that vectoriser's known n-grams. Two ways to the
same floats:

- `char_wb_ngrams`, `word_ngrams`, `shares`: every n-gram of the text as a string,
  counted, then looked up. Plain to read: what the tests hold against scikit-learn.
- `char_terms`, `word_terms`: what classify() runs. Issue 18: the model was half of the
  triage's CPU, which was the largest cost a mail had. Only the known n-grams are kept,
  as their places in the tables; each word is cut once (the caller keeps a word's
  places: mail repeats its words); the arithmetic runs in C (map, itemgetter), not one
  Python step per n-gram. The terms are the same, in the same order (each n-gram where
  it first occurs, character n-grams before word n-grams), so their sum is the same
  float: tests/unit/test_triage_learned.py compares the two ways, and
  benchmarks/triage_golden.py compares the verdicts and probabilities of two trees.

Pure Python (no numpy: the parsing workers' memory is counted).
"""

from __future__ import annotations

import array
import functools
import math
import operator
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import cast

# scikit-learn's default token_pattern: a word is two or more word characters.
TOKEN = re.compile(r"(?u)\b\w\w+\b")


@dataclass(frozen=True)
class Table:
    """The n-grams of one vectoriser: n-gram -> its place in `idf` and `coef`.

    `idf` is a list of float objects shared by the n-grams of the same idf, not an array
    of doubles (issue 18, worker23): an idf depends only on how many documents hold the
    n-gram, so the 52,836 character n-grams have 1,282 idfs (the word n-grams 367), and
    the list's pointers take what the array's doubles took (8 bytes a place; the floats
    themselves ~50 KB, both tables). Picking ~600 idfs a scored text from it hands out
    those objects, where the array made a new float each: 25 -> 7 µs a text. The
    coefficients are nearly all distinct (28,070 of 52,836): as objects they would cost
    ~1.8 MB a process, so they stay an array."""

    index: dict[str, int] = field(default_factory=dict)
    idf: list[float] = field(default_factory=list)
    coef: array.array[float] = field(default_factory=lambda: array.array("d"))
    # Each idf value seen -> the one float object `idf` holds for it (while adding).
    _shared: dict[float, float] = field(default_factory=dict, repr=False, compare=False)

    def known(self, gram: str) -> tuple[float, float] | None:
        """(idf, coefficient) of `gram`, None if the model has not seen it."""
        place = self.index.get(gram)
        return None if place is None else (self.idf[place], self.coef[place])

    def add(self, gram: str, idf: float, coef: float) -> None:
        self.index[gram] = len(self.idf)
        # Shared by value: equal floats have equal bits but for 0.0 and -0.0 (and NaN,
        # never equal, so never shared): a zero is kept as given.
        self.idf.append(self._shared.setdefault(idf, idf) if idf else idf)
        self.coef.append(coef)

    def added(self) -> None:
        """All n-grams are added: the sharing dict is let go."""
        self._shared.clear()

    def __len__(self) -> int:
        return len(self.index)


# --- Every n-gram as a string ----------------------------------------------------------


def char_wb_ngrams(text: str, low: int, high: int) -> Counter[str]:
    """Each word padded with a space each side, cut into n-grams of low..high
    characters; a word shorter than n counts once (as scikit-learn's char_wb does)."""
    counts: Counter[str] = Counter()
    for word in text.split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if size <= n:
                counts[padded] += 1
                break
            for offset in range(size - n + 1):
                counts[padded[offset : offset + n]] += 1
    return counts


def word_ngrams(text: str, low: int, high: int) -> Counter[str]:
    """The text's words (two or more word characters), as runs of low..high words
    joined by one space (as scikit-learn's analyzer="word" does)."""
    tokens = TOKEN.findall(text)
    counts: Counter[str] = Counter()
    for n in range(low, high + 1):
        for offset in range(len(tokens) - n + 1):
            counts[" ".join(tokens[offset : offset + n])] += 1
    return counts


def shares(counts: Counter[str], known: Table) -> dict[str, float]:
    """Each known n-gram's term of the score: sublinear tf-idf, l2-normed over the
    known n-grams of this vectoriser, times its coefficient."""
    values: dict[str, tuple[float, float]] = {}
    for gram, count in counts.items():
        place = known.index.get(gram)
        if place is not None:
            values[gram] = ((1.0 + math.log(count)) * known.idf[place], known.coef[place])
    norm = math.sqrt(sum(value * value for value, _ in values.values()))
    if norm == 0.0:
        return {}
    return {gram: value * coef / norm for gram, (value, coef) in values.items()}


# --- Only the known n-grams, by place ----------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """One vectoriser's terms of the score: `places[i]` (in its Table) adds `terms[i]`."""

    places: list[int]
    terms: list[float]


def char_terms(
    text: str, known: Table, known_in: Callable[[str], tuple[int | None, ...]]
) -> Terms:
    """`shares(char_wb_ngrams(text))` by place; `known_in(word)`: `known_char_places`
    of a word (cached by the caller)."""
    counts = Counter(chain.from_iterable(map(known_in, text.split())))
    del counts[None]  # the n-grams the model does not know, counted in C with the rest
    return _terms(counts, known)


def word_terms(text: str, known: Table, low: int, high: int) -> Terms:
    """`shares(word_ngrams(text))` by place."""
    counts = Counter(map(known.index.get, _word_grams(TOKEN.findall(text), low, high)))
    del counts[None]
    return _terms(counts, known)


def known_char_places(
    index: dict[str, int], low: int, high: int, word: str
) -> tuple[int | None, ...]:
    """The place in `index` of each n-gram of one word, in char_wb_ngrams' order; None
    for an n-gram the model does not know."""
    padded = f" {word} "
    return tuple(map(index.get, map(padded.__getitem__, _cuts(len(padded), low, high))))


def char_gram(
    words: Iterable[str], place: int, known_in: Callable[[str], tuple[int | None, ...]],
    low: int, high: int,
) -> str:
    """The character n-gram at `place` of the first of `words` holding it (to name a
    term); `known_in` as for char_terms."""
    for word in words:
        places = known_in(word)
        if place in places:
            padded = f" {word} "
            return padded[_cuts(len(padded), low, high)[places.index(place)]]
    raise LookupError(place)


def word_grams_by_place(tokens: list[str], known: Table, low: int, high: int) -> dict[int, str]:
    """The word n-grams of `tokens` (TOKEN's words) the model knows, by place (to name
    terms)."""
    grams = list(_word_grams(tokens, low, high))
    named = dict(zip(map(known.index.get, grams), grams, strict=True))
    named.pop(None, None)
    return cast("dict[int, str]", named)


def _terms(counts: Counter[int | None], known: Table) -> Terms:
    """`shares`' arithmetic, in the same order: `counts` holds each known n-gram's
    place -> its count in the text, in the order first found (None deleted)."""
    places = cast("list[int]", list(counts))
    tfs = counts.values()
    try:  # every count < len(_SUBLINEAR), nearly always: no pass to find the largest
        tf = _pick(_SUBLINEAR, tfs)
    except IndexError:
        tf = tuple(map(_sublinear, tfs))
    values = list(map(operator.mul, tf, _pick(known.idf, places)))
    norm = math.sqrt(sum(map(operator.mul, values, values)))
    if norm == 0.0:
        return Terms([], [])
    # (value * coef) / norm, as shares has it; one comprehension, not two maps of
    # operator calls: ~6 % fewer instructions of the arithmetic (issue 18, worker23).
    coefs = _pick(known.coef, places)
    return Terms(places, [value * coef / norm for value, coef in zip(values, coefs, strict=True)])


def _pick(values: Sequence[float], places: Collection[int]) -> Sequence[float]:
    """values[place] for each of `places`, in order (itemgetter: one call, in C)."""
    if len(places) < 2:  # itemgetter of one place gives the value, not a tuple
        return [values[place] for place in places]
    picked: Sequence[float] = operator.itemgetter(*places)(values)
    return picked


# 1 + log(count), scikit-learn's sublinear tf, for the counts a mail has: the same floats.
_SUBLINEAR = tuple(1.0 + math.log(count) if count else 0.0 for count in range(64))


def _sublinear(count: int) -> float:
    return 1.0 + math.log(count)


@functools.lru_cache(maxsize=256)
def _cuts(size: int, low: int, high: int) -> tuple[slice, ...]:
    """The n-grams of a padded word of `size` characters, as slices, in char_wb_ngrams'
    order: n by n, then by offset; a word shorter than n is one n-gram, whole."""
    cuts: list[slice] = []
    for n in range(low, high + 1):
        if size <= n:
            cuts.append(slice(0, size))
            break
        cuts += (slice(offset, offset + n) for offset in range(size - n + 1))
    return tuple(cuts)


def _word_grams(tokens: list[str], low: int, high: int) -> Iterator[str]:
    """word_ngrams' n-grams of `tokens`, in its order, each as often as it occurs."""
    runs: list[Iterable[str]] = []
    for n in range(low, high + 1):
        # zip of the token list shifted 0..n-1 places: each run of n, the shortest ends it.
        shifted = (tokens[i:] for i in range(n))
        runs.append(tokens if n == 1 else map(" ".join, zip(*shifted, strict=False)))
    return chain.from_iterable(runs)
