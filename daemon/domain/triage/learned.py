"""The learned second opinion of the triage rules (issue 16, BR-8..BR-10).

The rules (rules_*.py) name the words a fault is told in; a customer who tells it in
other words is missed (recall 0.91-0.95 on the blind sets by the rules alone). This
is a logistic regression over the character n-grams of what the rules read, trained
on the labelled mails by benchmarks/train_triage_model.py, which writes its weights to
learned_weights.json beside this file. A mail is critical when a rule or this model
says so; the model speaks only when no critical rule matched and the mail is an
inquiry at all (classify's order), and the case's reason says it was the model and
which words weighed most.

Pure Python over a dict: no numpy in the daemon or its parsing workers (their memory
is counted, issue 18). The ~20,000 n-grams are held compactly: one dict from n-gram to
its place in two arrays of doubles (idf, coefficient), not a tuple of two floats each,
and read from the JSON pair by pair, never as the whole document's lists at once
(json.loads of it cost each worker ~6.5 MB that stayed resident; now ~2.5 MB).
The arithmetic is scikit-learn's TfidfVectorizer(analyzer=
"char_wb", sublinear_tf=True, norm="l2") and LogisticRegression's sigmoid, checked
against scikit-learn's own answers stored with the weights (test_triage_learned.py).
"""

from __future__ import annotations

import array
import functools
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from daemon.domain.triage.model import Finding, Rule
from daemon.domain.triage.normalise import normalise_text, reply_headline
from daemon.domain.triage.starts import Starts

WEIGHTS = Path(__file__).with_name("learned_weights.json")
NGRAMS = (2, 5)
NAME = "learned_wording"
# Below this many words the wording says too little to outweigh the rules: a phone
# note "Printeren virker ikke" / "Ringede" read p 0.84 from "ringede" alone (calls are
# told in hack stories). A short mail with a fault in it is the rules' to find.
MIN_WORDS = 6


@dataclass(frozen=True)
class Weights:
    ngrams: tuple[int, int]
    threshold: float
    intercept: float
    index: Mapping[str, int]  # n-gram -> its place in idf and coef
    idf: array.array[float]
    coef: array.array[float]

    def known(self, gram: str) -> tuple[float, float] | None:
        """(idf, coefficient) of `gram`, None if the model has not seen it."""
        place = self.index.get(gram)
        return None if place is None else (self.idf[place], self.coef[place])

    def __len__(self) -> int:
        return len(self.index)


@functools.cache
def load_weights(path: Path = WEIGHTS) -> Weights:
    """The weights file as benchmarks/train_triage_model.py writes it: a JSON object
    with "ngrams", "threshold", "intercept" and "grams" ({n-gram: [idf, coefficient]}),
    read one n-gram at a time into the arrays."""
    text = path.read_text(encoding="utf-8")
    index: dict[str, int] = {}
    idf, coef = array.array("d"), array.array("d")
    fields: dict[str, Any] = {}

    def gram(name: str, position: int) -> int:
        (gram_idf, gram_coef), end = _DECODER.raw_decode(text, position)
        index[name] = len(idf)
        idf.append(float(gram_idf))
        coef.append(float(gram_coef))
        return int(end)

    def field(name: str, position: int) -> int:
        if name == "grams":
            return _read_object(text, position, gram)
        fields[name], end = _DECODER.raw_decode(text, position)
        return int(end)

    _read_object(text, 0, field)
    low, high = fields["ngrams"]
    return Weights(
        ngrams=(int(low), int(high)),
        threshold=float(fields["threshold"]),
        intercept=float(fields["intercept"]),
        index=index,
        idf=idf,
        coef=coef,
    )


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def _read_object(text: str, position: int, read_value: Callable[[str, int], int]) -> int:
    """Walk the JSON object at `position`: for each key, `read_value(key, start)` reads
    its value and returns where the value ends. Returns where the object ends."""

    def skip(at: int) -> int:
        space = _SPACE.match(text, at)
        return space.end() if space else at

    def expect(char: str, at: int) -> int:
        if text[at : at + 1] != char:
            raise json.JSONDecodeError(f"expected {char!r}", text, at)
        return skip(at + 1)

    position = expect("{", skip(position))
    if text[position : position + 1] == "}":
        return position + 1
    while True:
        key, position = _DECODER.raw_decode(text, position)
        if not isinstance(key, str):
            raise json.JSONDecodeError("expected a key", text, position)
        position = skip(read_value(key, expect(":", skip(position))))
        if text[position : position + 1] == "}":
            return position + 1
        position = expect(",", position)


def judged_text(subject: str, body: str) -> str:
    """The text the rules read of a mail (classify's, before any reply is set aside)."""
    from daemon.domain.triage import BODY_CHARS, SUBJECT_CHARS

    title, _reply = reply_headline(subject[:SUBJECT_CHARS])
    return f"{title}\n{normalise_text(body[:BODY_CHARS])}"


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


def contributions(text: str, weights: Weights) -> tuple[float, dict[str, float]]:
    """The model's score (before the sigmoid) and each known n-gram's share of it."""
    counts = char_wb_ngrams(text, *weights.ngrams)
    values: dict[str, tuple[float, float]] = {}
    index, idf, coef = weights.index, weights.idf, weights.coef
    for gram, count in counts.items():
        place = index.get(gram)
        if place is not None:
            values[gram] = ((1.0 + math.log(count)) * idf[place], coef[place])
    norm = math.sqrt(sum(value * value for value, _ in values.values()))
    if norm == 0.0:
        return weights.intercept, {}
    shares = {gram: value * coef / norm for gram, (value, coef) in values.items()}
    return weights.intercept + sum(shares.values()), shares


def probability(text: str, weights: Weights) -> float:
    score, _ = contributions(text, weights)
    return _sigmoid(score)


def _sigmoid(score: float) -> float:
    return 1.0 / (1.0 + math.exp(-score))


def probability_of(text: str, path: Path = WEIGHTS) -> float:
    return probability(text, load_weights(path))


class LearnedRule(Rule):
    """The model as the last of the built-in rules: classify asks it only when no
    critical rule matched, and records its name and evidence like any rule's."""

    def __init__(self, **_fields: object) -> None:
        # Its fields are fixed (dataclasses.replace passes them back: ignored). A pattern
        # that never matches: the Rule machinery stays as it is; find() is the model.
        super().__init__(name=NAME, critical=True, priority="high", patterns=(r"(?!)",))

    @property
    def start_sets(self) -> tuple[frozenset[str], ...]:
        return ()

    def find(self, text: str, subject_end: int, starts: Starts) -> Finding:
        if len(text.split()) < MIN_WORDS:
            return Finding()
        weights = load_weights()
        score, shares = contributions(text, weights)
        chance = _sigmoid(score)
        if chance < weights.threshold:
            return Finding()
        return Finding(evidence=f"p {chance:.2f}; weighed most: {_words(text, shares)}")


def _words(text: str, shares: dict[str, float]) -> str:
    """The words of `text` holding the n-grams that weighed most for critical."""
    found: list[str] = []
    for gram in sorted(shares, key=shares.__getitem__, reverse=True):
        if shares[gram] <= 0 or len(found) == 3:
            break
        core = gram.strip()
        word = next((w for w in text.split() if core and core in f" {w} "), None)
        if word is not None and word not in found:
            found.append(word)
    return ", ".join(found) or "(none)"
