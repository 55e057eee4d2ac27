"""Where a rule's regexes are tried (daemon/domain/triage/starts.py, model.py): only where
their start words are, with the same matches as a search of the whole text or sentence
(issue 18: the excludes of the outage rules searched over a whole mail cost ~0.5 ms)."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from triage_texts import judged_texts

from daemon.domain.triage import classify, default_rules, rules_from_config, starts
from daemon.domain.triage.learned import LearnedRule, judged_text
from daemon.domain.triage.normalise import sentence_bounds
from daemon.domain.triage.starts import InTurn, Starts

RULES = default_rules()


def _span(found: re.Match[str] | None) -> tuple[int, int, str] | None:
    return None if found is None else (found.start(), found.end(), found.group())


def test_an_exclude_is_found_where_a_search_of_its_scope_finds_it() -> None:
    """A match's excludes are read in its sentence, or the whole text for a match in
    the subject: each rule finds, through its start words, the exclude a search of the
    scope finds (the same place and words: the reason quotes them)."""
    with_excludes = [r for r in RULES if r.excludes and not isinstance(r, LearnedRule)]
    assert any(r._excludes_searched and r._excludes_started for r in with_excludes)  # noqa: SLF001
    compared = found = 0
    for text in judged_texts():
        starts = Starts.of(RULES, text)
        scopes = {(0, len(text))}
        scopes |= {sentence_bounds(text, at, at) for at in range(0, len(text), 40)}
        for rule in with_excludes:
            for begin, stop in scopes:
                plain = rule._excludes.search(text[begin:stop])  # noqa: SLF001
                cheap = rule._exclude(text, begin, stop, starts)  # noqa: SLF001
                assert _span(cheap) == _span(plain), (rule.name, text[begin:stop])
                compared += 1
                found += plain is not None
    assert found > 1000 and compared > 50_000


def test_a_tie_goes_to_the_exclude_listed_first() -> None:
    # "\w+ igen" has no start words (searched), "virker" has (tried where it is); both
    # match at "virker": as one alternation, the first listed wins, and the reason says so.
    rules = rules_from_config([{"name": "down", "critical": True, "patterns": ["nettet er nede"],
                                "excludes": [r"\w+ igen", "virker"]}])
    assert rules[0]._excludes_started and rules[0]._excludes_searched  # noqa: SLF001
    found = classify("", "nettet er nede hos os, men virker igen nu", rules)
    assert found.reason == 'no rule matched; down: "nettet er nede" is cancelled by "virker igen"'
    rules = rules_from_config([{"name": "down", "critical": True, "patterns": ["nettet er nede"],
                                "excludes": ["virker", r"\w+ igen"]}])
    found = classify("", "nettet er nede hos os, men virker igen nu", rules)
    assert found.reason == 'no rule matched; down: "nettet er nede" is cancelled by "virker"'


def test_an_exclude_reads_its_sentence_as_a_text_of_its_own() -> None:
    # ^ and $ are the sentence's ends, not the mail's: as when the sentence is searched.
    rules = rules_from_config([{"name": "down", "critical": True, "patterns": ["nettet er nede"],
                                "excludes": ["^virker", "igen$"]}])
    assert rules[0]._excludes_starts and not rules[0]._excludes_searched  # noqa: SLF001
    for body, exclude in [("Hej. Virker ikke, nettet er nede", "virker"),
                          ("Hej. Nettet er nede igen. Ring", "igen")]:
        reason = classify("", body, rules).reason
        assert reason == f'no rule matched; down: "nettet er nede" is cancelled by "{exclude}"'
    assert classify("", "Hej, virker ikke, nettet er nede", rules).critical
    assert classify("", "Hej. Nettet er nede igen i dag", rules).critical


def test_a_place_tried_with_the_regexes_that_can_begin_there_matches_as_the_whole() -> None:
    """Issue 18: at a place a rule's start words were found, only its regexes whose start
    words are there are tried (Alternation.at_word); the match is the one the whole
    alternation of them all finds there: the same place, words and end."""
    compared = matched = narrowed = 0
    for text in judged_texts():
        starts = Starts.of(RULES, text)
        for rule in RULES:
            if isinstance(rule, LearnedRule):
                continue
            for alternation, words in ((rule._pattern_at, rule._pattern_starts),  # noqa: SLF001
                                       (rule._requires_at, rule._requires_starts)):  # noqa: SLF001
                at = starts.get(words) if alternation is not None else None
                for position in at or ():
                    regex = alternation.at_word(starts.word_at[position])
                    whole = alternation.whole.match(text, position)
                    assert _span(regex.match(text, position)) == _span(whole), (rule.name, text)
                    compared += 1
                    matched += whole is not None
                    narrowed += regex is not alternation.whole
    assert compared > 10_000 and matched > 1_000 and narrowed > compared // 2


def test_rules_built_again_share_their_start_word_sets() -> None:
    """Issue 18: the scanner and Starts key their look-ups by start-word sets; rules built
    again (the classify benchmark, the tests) must hand over the same objects, or every
    look-up compares two equal sets word by word (classify ~1.2 ms a mail, not ~0.7)."""
    from daemon.domain.triage import rules as rules_module

    first = default_rules()
    rules_module._built_rules.cache_clear()  # noqa: SLF001
    again = default_rules()
    assert again is not first
    for old, new in zip(first[:-1], again[:-1], strict=True):
        assert new is not old
        for words in ("_pattern_starts", "_requires_starts", "_excludes_starts"):
            assert getattr(new, words) is getattr(old, words), (new.name, words)
    text = judged_text("Ingen internet", "Ingen på kontoret kan komme på nettet")
    internet = next(rule for rule in again if rule.name == "internet_down_everyone")
    assert Starts.of(again, text).get(internet._pattern_starts)  # noqa: SLF001


# --- What is compiled when (issue 18, triage19) --------------------------------------------


@pytest.mark.parametrize("key", ["patterns", "requires_any", "excludes", "outside"])
@pytest.mark.parametrize("regexes", [
    [r"(?P<word>nede)", r"(?P<word>ned)"],  # each compiles alone; joined, a name twice
    [r"nede", r"(?s)net"],  # a global flag, not at the start of the join
], ids=["group_name_twice", "global_flag"])
def test_a_config_rule_whose_regexes_cannot_be_combined_fails_at_once(
    key: str, regexes: list[str]
) -> None:
    # The joins are compiled when first needed; a rule from the config file has them all
    # compiled as it is read, so the start fails naming it, not the first mail.
    item = {"name": "r", "patterns": ["nede"], key: regexes}
    with pytest.raises(ValueError, match=rf"'r': {key} cannot be combined"):
        rules_from_config([item])


def test_every_join_of_the_built_in_rules_compiles() -> None:
    for rule in RULES:
        rule.compile_all()  # raises ValueError naming the rule


def test_the_built_in_rules_compile_no_join_of_their_regexes_as_they_are_built() -> None:
    """Issue 18: compiling the joins of every rule's regexes cost each parsing worker
    ~0.4 s CPU at its start, and most are never needed; each regex is compiled alone."""
    from daemon.domain.triage import rules as rules_module

    rules_module._built_rules.cache_clear()  # noqa: SLF001
    starts.compile_alternation.cache_clear()
    try:
        rebuilt = default_rules()
        assert starts.compile_alternation.cache_info().currsize == 0
    finally:
        rules_module._built_rules.cache_clear()  # noqa: SLF001
    assert rebuilt == RULES


_ALTERNATIVES = ["nede", "ned", "nede igen", r"ne\w*", r"(?<=i )net", r"\bnet", "net(?!tet)",
                 r"n(?:et|ede)+", "^net", "e ", r"(n)e"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_ALTERNATIVES), min_size=1, max_size=4, unique=True),
       st.lists(st.sampled_from(["ne", "net", "nede", "igen", "i ", " ", "tet"])).map("".join))
def test_regexes_tried_in_turn_match_as_their_alternation(regexes: list[str], text: str) -> None:
    # Tried in turn, and after JOIN_AFTER tries as their alternation, compiled.
    whole = re.compile("|".join(f"(?:{regex})" for regex in regexes))
    with mock.patch.object(starts, "JOIN_AFTER", 3):
        in_turn = InTurn(regexes)
        for position in [*range(len(text) + 1)] * 3:
            assert _span(in_turn.match(text, position)) == _span(whole.match(text, position))
    assert in_turn.match != in_turn._in_turn  # noqa: SLF001 - joined by now


def test_the_excludes_searched_each_alone_give_the_leftmost_the_first_listed_on_a_tie() -> None:
    """Issue 18 (worker21): the excludes without start words are searched one by one,
    not as their alternation; the match is the alternation's: the leftmost, and at one
    place the first listed that matches there."""
    for excludes, cancelled_by in (
        ([r"\w+ igen\b", r"\w+ igen nu"], "virker igen"),
        ([r"\w+ igen nu", r"\w+ igen\b"], "virker igen nu"),
        ([r"\w+ nu\b", r"\w+ igen\b"], "virker igen"),  # the leftmost, listed last
        ([r"^\W*hvis\b", r"\w+ igen\b"], "hvis"),
    ):
        rules = rules_from_config([{"name": "down", "critical": True,
                                    "patterns": ["nettet er nede"], "excludes": excludes}])
        assert len(rules[0]._excludes_searched) == 2  # noqa: SLF001
        body = ("hvis " if cancelled_by == "hvis" else "") + "nettet er nede, virker igen nu"
        reason = classify("", body, rules).reason
        assert reason == f'no rule matched; down: "nettet er nede" is cancelled by "{cancelled_by}"'


def _longest_at_each_place(words: set[str], text: str) -> dict[int, str]:
    """The plain definition of Starts.word_at: at each place of `text`, in order, the
    longest of `words` that begins there."""
    by_first: dict[str, list[str]] = {}
    for word in sorted(words, key=len, reverse=True):
        by_first.setdefault(word[0], []).append(word)
    found = {}
    for place, char in enumerate(text):
        for word in by_first.get(char, ()):
            if text.startswith(word, place):
                found[place] = word
                break
    return found


def test_the_scan_finds_the_longest_start_word_at_every_place() -> None:
    """Issue 18 (worker21): the start words are found by an Aho-Corasick automaton (every
    occurrence, overlapping ones too), not a regex searched again after each hit; each
    place's longest word, in the text's order, as the plain definition has it."""
    words = {word for rule in RULES for words in rule.start_sets for word in words}
    assert len(words) > 5000
    places = 0
    for text in judged_texts()[::3]:
        found = Starts.of(RULES, text).word_at
        assert list(found.items()) == list(_longest_at_each_place(words, text).items()), text
        places += len(found)
    assert places > 5000


@settings(max_examples=300)
@given(words=st.sets(st.text("ab c", min_size=1, max_size=5), min_size=1, max_size=12),
       text=st.text("ab cd", max_size=40))
def test_the_scan_finds_overlapping_and_nested_words(words: set[str], text: str) -> None:
    found = Starts(starts.scanner_for(frozenset({frozenset(words)})), text).word_at
    assert list(found.items()) == list(_longest_at_each_place(words, text).items())


# Characters where an automaton over code units, or a folding of case, would differ from
# the plain definition's code points: İ (lower() is two), ß ẞ ſ, the Kelvin sign, final
# sigma, a combining dot, an astral character, a lone surrogate (undecoded 8-bit), NUL.
_UNUSUAL = ["İ", "i̇", "ß", "ẞ", "ſ", "\u212a", "ς", "Σ", "\u0307", "😀", "\udcff", "\x00",
            "\n", " ", "æ", "Å", "A\u030a"]
_RULE_WORDS = sorted({word for rule in RULES for words in rule.start_sets for word in words})


@settings(max_examples=300)
@given(pieces=st.lists(st.one_of(
    st.sampled_from(_RULE_WORDS), st.sampled_from(_RULE_WORDS).map(lambda w: w[:-1]),
    st.sampled_from(_RULE_WORDS).map(lambda w: w[1:]), st.sampled_from(_UNUSUAL)), max_size=25))
def test_the_rules_start_words_are_found_by_code_point_beside_unusual_characters(
    pieces: list[str],
) -> None:
    """review22: the built-in rules' start words (the automaton, pyahocorasick) found in
    texts of whole, cut and overlapping words beside characters whose case or width
    varies, at the text's start and end: each place's longest word by code point, as
    the plain definition (and the regex trie before it) had it."""
    text = "".join(pieces)
    found = Starts.of(RULES, text).word_at
    assert list(found.items()) == list(_longest_at_each_place(set(_RULE_WORDS), text).items())
