"""A search that first tests the strings every match of its regex holds (required.py,
issue 18): the same answer as the regex's own search, and the strings derived soundly."""

from __future__ import annotations

import re

from triage_texts import judged_texts

from daemon.domain.triage import learned, not_inquiry, replies, scope
from daemon.domain.triage.required import Search, boundary_first, required_strings, search
from daemon.domain.triage.rules import default_rules


def _regexes() -> list[re.Pattern[str]]:
    """The gates' regexes (every module-level one of the triage's modules) and each of
    the built-in rules' own."""
    found = [value for module in (learned, not_inquiry, replies, scope)
             for value in vars(module).values() if isinstance(value, re.Pattern)]
    # And those held in a tuple (learned._SETTLED_FOR_THE_MODEL: any of them).
    found += [item for module in (learned, not_inquiry, replies, scope)
              for value in vars(module).values() if isinstance(value, tuple)
              for item in value if isinstance(item, re.Pattern)]
    found += [cue for _kind, cue, _also in not_inquiry._NOT_AN_INQUIRY]  # noqa: SLF001
    for rule in default_rules():
        found += [re.compile(regex) for regex in (*rule.patterns, *rule.excludes)]
    return found


def test_every_match_holds_one_of_the_required_strings() -> None:
    texts = judged_texts()
    tested = 0
    for regex in _regexes():
        required = required_strings(regex.pattern)
        if required is None:
            continue
        for text in texts:
            for match in regex.finditer(text):
                assert any(string in match.group() for string in required), (
                    regex.pattern, match.group(), required)
                tested += 1
    assert tested > 1_000


def test_a_search_finds_what_the_regex_finds() -> None:
    texts = judged_texts()[::2]  # half of them: ~300 regexes, each searched three ways
    filtered = skipped = 0
    for regex in _regexes():
        cheap = Search(regex)
        filtered += cheap.required is not None
        for text in texts:
            found = regex.search(text)
            assert _span(cheap(text)) == _span(found), (regex.pattern, text)
            assert _span(search(regex, text)) == _span(found)
            skipped += cheap.required is not None and found is None
    assert filtered > 100 and skipped > 100_000


def test_what_a_match_must_hold() -> None:
    # The words of a run, or of one part of it, whichever is fewer strings to test.
    assert required_strings(r"\w+ igen\b") == (" igen",)
    assert required_strings(r"\b(?:kunne|kan) ikke installere (?:\S+ )?opdatering\w*") == (
        " ikke installere ",)
    assert required_strings(r"falsk alarm|false alarm") == ("false alarm", "falsk alarm")
    # A text holding "kan ikke længere" holds "kan ikke": one test is enough.
    assert required_strings(r"kan ikke|kan ikke længere|mistanke") == ("kan ikke", "mistanke")


def test_nothing_is_required_when_a_match_can_do_without() -> None:
    for regex in (
        r"(?:virker igen)?",  # may match ""
        r"virker igen|\w+",  # an alternative holding no fixed words
        r"(?i)hack",  # case-blind: "HACK" holds no "hack"
        r"[a-zæøå]+ nede",  # " nede" is 5 characters, but a range is not followed ...
        r"ned",  # ... and a string under MIN_LENGTH is in nearly every text
        r"(a)\1bcde",  # a backreference is not followed
    ):
        found = required_strings(regex)
        assert found is None or regex == r"[a-zæøå]+ nede", (regex, found)
    assert required_strings(r"[a-zæøå]+ nede") == (" nede",)
    assert Search(re.compile("hack", re.IGNORECASE)).required is None


def _span(found: re.Match[str] | None) -> tuple[int, int, str] | None:
    return None if found is None else (found.start(), found.end(), found.group())


def test_boundary_first_gathers_each_run_of_alternatives_under_one_boundary() -> None:
    assert boundary_first(r"\ba|\bb|c|\bd") == r"\b(?:a|b)|c|\bd"
    assert boundary_first(r"\bx(?:y|\bz)|\b[|]w|\b\|v") == r"\b(?:x(?:y|\bz)|[|]w|\|v)"
    # A "]" first in a class is itself; "\\b" is a backslash and a "b", no boundary.
    assert boundary_first(r"\b[]|]a|\b[^]|]b|\\b|\bc") == r"\b(?:[]|]a|[^]|]b)|\\b|\bc"
    for unchanged in (r"\bone", r"^a|\bb", r"(?:\ba|\bb)", r"a|b"):
        assert boundary_first(unchanged) == unchanged


def test_a_regex_with_its_boundaries_first_finds_what_the_regex_finds() -> None:
    texts = judged_texts()[1::2]
    gathered = 0
    for regex in _regexes():
        factored = boundary_first(regex.pattern)
        if factored == regex.pattern:
            continue
        gathered += 1
        other = re.compile(factored, regex.flags)
        for text in texts:
            assert list(map(_span, other.finditer(text))) == list(map(_span, regex.finditer(text)))
    assert gathered > 20


def test_a_sentence_search_tests_more_and_shorter_strings() -> None:
    """Issue 18 (worker21): a rule's excludes without start words are searched in one
    sentence each, where a test of up to SENTENCE_MAX_STRINGS strings of
    SENTENCE_MIN_LENGTH characters still costs less than the search."""
    from daemon.domain.triage.required import sentence_search

    assert required_strings(r"(?:^|\n)\W*(?:hvordan|how)\b") is None  # "how": 3 characters
    assert required_strings(r"(?:^|\n)\W*(?:hvordan|how)\b", 32, 3) == ("how", "hvordan")
    assert sentence_search(r"(?:^|\n)\W*(?:hvordan|how)\b").required == ("how", "hvordan")
    many = "|".join(f"ord{n:02d}" for n in range(20))
    assert required_strings(many) is None and len(required_strings(many, 32, 3) or ()) == 20
    for text in judged_texts()[::3]:
        for regex in _regexes():
            if regex.flags == re.UNICODE:
                assert _span(sentence_search(regex.pattern)(text)) == _span(regex.search(text))
