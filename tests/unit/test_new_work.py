"""A new case about something new is flagged a possible project on arrival, with the
words that suggested it (BR-14: "Skæringspunktet [...] er når [...] det er noget nyt der
skal tilføjes til din IT-løsning"; BR-18 example 4, the new printer). Not a verdict:
staff decide with `cases project`.

The sentences (tests/unit/project_sentences.tsv) were written before the rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daemon.domain.new_work import possible_project

SENTENCES = Path(__file__).with_name("project_sentences.tsv")


def sentences() -> list[tuple[str, str, str, str]]:
    found = []
    for line in SENTENCES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            expected, quoted, subject, body = line.split("\t")
            found.append((expected, quoted, subject, body.replace("\\n", "\n")))
    return found


def test_the_sentence_set_has_both_classes_in_both_languages() -> None:
    found = sentences()
    assert len(found) >= 40
    assert sum(e == "project" for e, *_ in found) >= 20
    assert sum(e == "no" for e, *_ in found) >= 20
    assert any("new" in body.lower() for e, _q, _s, body in found if e == "no")


@pytest.mark.parametrize(("expected", "quoted", "subject", "body"), sentences())
def test_possible_project(expected: str, quoted: str, subject: str, body: str) -> None:
    reason = possible_project(subject, body)
    if expected == "no":
        assert reason is None
    else:
        assert reason is not None and f'"{quoted}"'.lower() in reason.lower()


def test_the_reason_names_the_rule_and_quotes_the_words_as_written() -> None:
    assert possible_project("Printer", "Vi får en Ny Printer i næste uge.") == (
        'new_thing: "Ny Printer"'
    )


def test_the_subject_counts_too() -> None:
    assert possible_project("Ny medarbejder", "Se vedhæftede.") == (
        'new_person: "Ny medarbejder"'
    )


def test_a_negation_in_the_same_clause_is_no_project_but_one_before_a_comma_is() -> None:
    assert possible_project("Printer", "Vi skal ikke have en ny printer.") is None
    assert possible_project("Printer", "We do not need a new printer.") is None
    assert possible_project("Printer", "Den gamle virker ikke, vi skal have en ny printer.") == (
        'new_thing: "ny printer"'
    )


@given(st.text(max_size=300), st.text(max_size=2_000))
def test_law_any_text_gives_none_or_a_one_line_reason_quoting_what_was_written(
    subject: str, body: str
) -> None:
    reason = possible_project(subject, body)
    if reason is not None:
        assert "\n" not in reason
        rule, quoted = reason.split(": ", 1)
        assert rule in {"new_thing", "new_person", "setup", "create"}
        assert quoted.startswith('"') and quoted.endswith('"')
        # The words as written, white space collapsed to one space each.
        words = quoted[1:-1]
        assert words and words in " ".join(f"{subject}\n{body}".split())


def test_a_very_long_mail_is_read_only_as_far_as_a_person_would() -> None:
    long_body = "Hej\n" + "bla " * 50_000 + "ny printer"
    assert possible_project("x", long_body) is None


def test_text_whose_lower_case_changes_length_is_read_alike() -> None:
    # "İ".lower() is two characters: the words are still quoted as written.
    assert possible_project("İzmir", "Vi åbner et Nyt Kontor i İzmir.") == (
        'new_thing: "Nyt Kontor"'
    )
    assert possible_project("İzmir", "Vi har ikke et nyt kontor i İzmir.") is None
