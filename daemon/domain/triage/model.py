"""The rule model: a `Rule`, the checks its regexes pass, and rules from the config file.

How a rule matches a text is described in the package's docstring (__init__.py).
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from daemon.domain.sla import Priority
from daemon.domain.triage.normalise import sentence_bounds
from daemon.domain.triage.required import Search, sentence_search
from daemon.domain.triage.scope import negation_before, outside_near
from daemon.domain.triage.starts import (
    Alternation,
    Starts,
    alone,
    compile_alternation,
    each_match,
    interned,
    joined,
    start_words,
)


@dataclass(frozen=True)
class Triage:
    """The outcome recorded on a case: `rule` names why, for staff (None: no rule).

    `reason` says it in a line staff can read (`cases show`): the rule and the words
    of the mail it matched ('account_locked: "min konto er låst"'), or why nothing
    did ('no rule matched; login_failure: "kan ikke logge på facebook" is about
    facebook, outside the IT we run'). It is not compared: two outcomes are the same
    decision whatever words led to them.
    """

    critical: bool
    priority: str  # a Priority value: "high", "medium", "normal" or "low"
    rule: str | None
    reason: str = field(default="", compare=False)


@dataclass(frozen=True)
class Finding:
    """How a rule went on one text: `evidence` (the words matched) if it matches, else
    `cancelled`: why the symptom it found does not count (None: it found none)."""

    evidence: str | None = None
    cancelled: str | None = None
    # The text itself rules the symptom out: an exclude, a negation, a service outside
    # our IT, "ikke hele kontoret". Not so when a qualifier is only missing.
    ruled_out: bool = False


# A rule that found nothing: one object for every such answer (frozen, so it can be
# shared): a dataclass made for each of ~28 rules a mail cost ~5 µs a mail (issue 18).
NOTHING_FOUND = Finding()


@dataclass(frozen=True)
class Rule:
    """One classification rule; its regexes are checked once, here, and compiled alone;
    their joins (any of them, in order) are compiled when first needed (`compile_all`:
    all at once, as a rule from the config file is).

    `patterns`: the symptom, any one of them; `requires_any`: a qualifier that must
    also be somewhere in the text (BR-8's "everyone affected"); `excludes`: what
    cancels a symptom in its sentence ("virker igen"). `name` is recorded on the case.
    `negatable`: a negation before a symptom or qualifier in its clause cancels it
    ("ikke mistanke om hack", scope.py); `outside`: services outside the customer's
    IT, which cancel a symptom they are named in or right around ("logge på Facebook").
    `scope_decides`: a symptom found without its qualifier is ruled out, not merely
    unproven, so the learned second opinion is not asked about it either: for BR-8's own
    example, "cannot print, everyone affected", the agreement itself says that one
    printer's fault is not critical, and a guess from the wording must not say otherwise.
    """

    name: str
    critical: bool
    priority: str
    patterns: tuple[str, ...]
    requires_any: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    negatable: bool = False
    outside: tuple[str, ...] = ()
    scope_decides: bool = False
    # The words every match begins with, or None (unknown): see starts.py.
    _pattern_starts: frozenset[str] | None = field(init=False, repr=False, compare=False)
    _requires_starts: frozenset[str] | None = field(init=False, repr=False, compare=False)
    # The excludes in two parts: those whose start words are known (tried only where
    # those words are) and the others (searched); `_excludes` whole decides a tie.
    _excludes_started: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _excludes_starts: frozenset[str] | None = field(init=False, repr=False, compare=False)
    _excludes_searched_regexes: tuple[str, ...] = field(init=False, repr=False, compare=False)
    # The same regexes, each place tried with those that can match there (starts.py).
    _pattern_at: Alternation = field(init=False, repr=False, compare=False)
    _requires_at: Alternation | None = field(init=False, repr=False, compare=False)
    _excludes_started_at: Alternation | None = field(init=False, repr=False, compare=False)

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
        if not isinstance(self.negatable, bool):
            raise ValueError(f"triage rule {self.name!r}: negatable must be true or false")
        for key in ("patterns", "requires_any", "excludes", "outside"):
            value = getattr(self, key)
            if isinstance(value, str) or not isinstance(value, Sequence):
                raise ValueError(f"triage rule {self.name!r}: {key} must be a tuple of regexes")
        set_ = object.__setattr__  # frozen: derived fields are set once, here
        set_(self, "priority", priority)
        set_(self, "patterns", tuple(self.patterns))
        set_(self, "requires_any", tuple(self.requires_any))
        set_(self, "excludes", tuple(self.excludes))
        set_(self, "outside", tuple(self.outside))
        for key in ("patterns", "requires_any", "excludes", "outside"):
            _check(self.name, key, getattr(self, key))
        set_(self, "_pattern_starts", start_words(self.patterns))
        set_(self, "_requires_starts", start_words(self.requires_any))
        starts = {regex: start_words((regex,)) for regex in self.excludes}
        started = tuple(regex for regex, words in starts.items() if words is not None)
        searched = tuple(regex for regex, words in starts.items() if words is None)
        set_(self, "_excludes_started", started)
        # start_words(started), without reading each regex again: the union of theirs.
        known = [words for words in starts.values() if words is not None]
        set_(self, "_excludes_starts", interned(frozenset().union(*known)) if known else None)
        set_(self, "_excludes_searched_regexes", searched)
        set_(self, "_pattern_at", Alternation(self.patterns))
        set_(self, "_requires_at", Alternation(self.requires_any) if self.requires_any else None)
        set_(self, "_excludes_started_at", Alternation(started) if started else None)

    # Compiled when first needed: of the built-in rules' joins, most are never needed on
    # real mail (their places are tried with a few of the regexes: starts.Alternation),
    # and compiling them cost a parsing worker ~0.4 s CPU at its start (issue 18).
    @functools.cached_property
    def _excludes(self) -> re.Pattern[str] | None:
        return _joined(self.name, "excludes", self.excludes)

    @functools.cached_property
    def _excludes_searched(self) -> tuple[Search, ...]:
        """The excludes without start words, each searched alone (`_exclude`), first
        testing the strings every match of it holds (required.py)."""
        return tuple(map(sentence_search, self._excludes_searched_regexes))

    @functools.cached_property
    def _outside(self) -> re.Pattern[str] | None:
        return _joined(self.name, "outside", self.outside)

    def compile_all(self) -> None:
        """Compile now every join of the regexes that is otherwise compiled when first
        needed (exactly as written: an alternation of one too), raising ValueError naming
        the rule if the regexes cannot be combined: a rule from the config file fails
        the start, not the first mail that needs it. (The built-in rules: a test.)"""
        for key, regexes in (
            ("patterns", self.patterns),
            ("requires_any", self.requires_any),
            ("excludes", self.excludes),
            ("outside", self.outside),
            ("excludes", self._excludes_started),
            ("excludes", self._excludes_searched_regexes),
        ):
            _joined(self.name, key, regexes, exactly=True)

    @property
    def start_sets(self) -> tuple[frozenset[str], ...]:
        """The known start-word sets of its patterns and qualifiers (for `Starts`)."""
        found = (self._pattern_starts, self._requires_starts, self._excludes_starts)
        return tuple(words for words in found if words is not None)

    def matches(self, text: str, subject_end: int, starts: Starts) -> bool:
        """Does the rule match `text`, whose first `subject_end` characters are the subject?

        `starts` says where in `text` each rule's start words are (starts.py)."""
        return self.find(text, subject_end, starts).evidence is not None

    def find(self, text: str, subject_end: int, starts: Starts) -> Finding:
        """The words the rule matched in `text`, or why what it found does not count."""
        cancelled: str | None = None
        standing: re.Match[str] | None = None
        headline: re.Match[str] | None = None
        for symptom in each_match(self._pattern_at, starts.get(self._pattern_starts), text, starts):
            why_not = self._cancelled(symptom, text, subject_end, starts)
            if why_not is None and symptom.start() >= subject_end:
                standing = symptom
                break
            if why_not is None:
                headline = headline or symptom
                continue
            cancelled = cancelled or f'"{symptom.group().strip()}" {why_not}'
            if symptom.start() >= subject_end and headline is not None:
                # The new text tells what the subject only names: "Hack?" / "Vi har
                # ikke mistanke om hack". What it cancels, it cancels in the subject too.
                headline = None
        standing = standing or headline
        if standing is None:
            if cancelled is None:
                return NOTHING_FOUND
            return Finding(cancelled=cancelled, ruled_out=True)
        evidence = standing.group().strip()
        if self._requires_at is None:
            return Finding(evidence=evidence)
        qualifiers = each_match(self._requires_at, starts.get(self._requires_starts), text, starts)
        negated: str | None = None
        for qualifier in qualifiers:
            # A negation that is part of the symptom ("ingen internet på kontoret") is not
            # the qualifier's: its clause starts after the symptom.
            floor = standing.end() if standing.end() <= qualifier.start() else 0
            cue = self._negation(qualifier, text, floor)
            if cue is None:
                return Finding(evidence=f"{evidence} / {qualifier.group().strip()}")
            negated = negated or f'"{qualifier.group().strip()}" is negated by "{cue}"'
        return Finding(
            cancelled=f'"{evidence}", but not everyone is affected'
            + (f" ({negated})" if negated else ""),
            ruled_out=negated is not None or self.scope_decides,
        )

    def _cancelled(
        self, symptom: re.Match[str], text: str, subject_end: int, starts: Starts
    ) -> str | None:
        """Why the match does not stand (None: it stands): an exclude in its sentence,
        a negation before it, or a service outside the customer's IT around it.

        A subject is a headline for the body, so a match there is tested against the
        whole text's excludes ("Password reset" / "for Anne, who starts next week").
        """
        if self.excludes:  # the regexes: `_excludes` would compile their join
            if symptom.start() < subject_end:
                begin, stop = 0, len(text)
            else:
                begin, stop = sentence_bounds(text, symptom.start(), symptom.end())
            if (exclude := self._exclude(text, begin, stop, starts)) is not None:
                return f'is cancelled by "{exclude.group().strip()}"'
        if (cue := self._negation(symptom, text)) is not None:
            return f'is negated by "{cue}"'
        if self._outside is not None:
            bounds = sentence_bounds(text, symptom.start(), symptom.end())
            service = outside_near(
                self._outside, text, symptom.start(), symptom.end(), bounds, subject_end
            )
            if service is not None:
                return f"is about {service}, outside the IT we run"
        return None

    def _exclude(self, text: str, begin: int, stop: int, starts: Starts) -> re.Match[str] | None:
        """`self._excludes.search(text[begin:stop])`, the same match, cheaper: the excludes
        with known start words are tried only where those words are (`starts`, found in
        `text`), the others searched. Of the two, the one further left; at one place, the
        first exclude that matches there, as the alternation of them all takes it."""
        scope = text[begin:stop]
        found = None
        if self._excludes_started_at is not None:
            found = _first_match(self._excludes_started_at, starts.get(self._excludes_starts),
                                 scope, begin, starts)
        other = None
        for each in self._excludes_searched:
            # Their alternation's match: the leftmost, of those there the first listed
            # (the first that matches where the leftmost begins is the first whose own
            # leftmost match begins there). Issue 18 (worker21): searched as one, an
            # exclude anchored at the sentence's start ("^\W*(?:hvis|if)") had every
            # place of the sentence tried; alone it is tried at the start only, and one
            # whose strings the sentence lacks is not searched at all.
            if (match := each(scope)) is not None and (other is None
                                                      or match.start() < other.start()):
                other = match
        if other is None:
            return found
        if found is None or other.start() < found.start():
            return other
        if other.start() == found.start() and self._excludes is not None:
            return self._excludes.match(scope, found.start())
        return found

    def _negation(self, found: re.Match[str], text: str, floor: int = 0) -> str | None:
        if not self.negatable:
            return None
        begin, _ = sentence_bounds(text, found.start(), found.end())
        return negation_before(text, found.start(), max(begin, floor))


def _first_match(
    alternation: Alternation, at: list[int] | None, scope: str, begin: int, starts: Starts
) -> re.Match[str] | None:
    """`alternation.whole.search(scope)` where `scope` is text[begin:...] and `at` (sorted)
    holds where in the text a match can start (None: anywhere), found by `starts`."""
    if at is None:
        return alternation.whole.search(scope)
    end = begin + len(scope)
    for position in at[bisect.bisect_left(at, begin) :]:
        if position >= end:
            break
        # match() on the scope itself: \b and lookbehinds see where the scope begins,
        # as search() on it does.
        regex = alternation.at_word(starts.word_at[position])
        if (found := regex.match(scope, position - begin)) is not None:
            return found
    return None


_CONFIG_KEYS = frozenset(
    {"name", "critical", "priority", "patterns", "requires_any", "excludes", "negatable", "outside"}
)


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
            negatable=item.get("negatable", False),
            outside=_regex_list(label, "outside", item.get("outside", ())),
        )
        rule.compile_all()
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


def _check(rule: str, key: str, regexes: Sequence[str]) -> None:
    """Each regex compiles alone (kept: starts.alone), has no upper case and no
    backreference."""
    for regex in regexes:
        if not isinstance(regex, str) or not regex:
            raise ValueError(f"triage rule {rule!r}: {key} must hold non-empty strings")
        try:
            alone(regex)
        except re.error as exc:
            raise ValueError(f"triage rule {rule!r}: bad regex in {key} {regex!r}: {exc}") from None
        if any(char.isupper() for char in _NOT_LITERAL.sub("", regex)):
            raise ValueError(
                f"triage rule {rule!r}: {key} {regex!r} has upper case; the text is lower case"
            )
        if _BACKREFERENCE.search(regex):
            # The regexes are joined into one alternation, which renumbers groups.
            raise ValueError(f"triage rule {rule!r}: backreferences are not supported: {regex!r}")


def _joined(
    rule: str, key: str, regexes: Sequence[str], exactly: bool = False
) -> re.Pattern[str] | None:
    """The regexes as one (None: no regexes): a single scan of the text instead of one per
    regex. `exactly`: a single regex too as its alternation of one (starts.joined)."""
    if not regexes:
        return None
    try:
        return (compile_alternation if exactly else joined)(tuple(regexes))
    except re.error as exc:
        raise ValueError(f"triage rule {rule!r}: {key} cannot be combined: {exc}") from None


@dataclass(frozen=True)
class ReplyVerdicts:
    """Both verdicts a reply can get, worked out ahead in a parsing worker (which holds
    the rules; issue 18: the daemon's own process need not): its news judged under its
    own subject and without it. Which one counts depends on the case it joins
    (follow_up.chosen), known only in the daemon."""

    with_subject: Triage
    without_subject: Triage
