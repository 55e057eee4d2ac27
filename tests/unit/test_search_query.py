"""The FTS5 expression SQLite searches with (daemon/store/search.py): Danish stems as
prefixes, so an inflected word finds its other forms."""

from __future__ import annotations

from daemon.store.search import fts5_query


def test_each_word_is_its_danish_stem_as_a_required_prefix() -> None:
    assert fts5_query("Printeren") == '("print"*)'
    assert fts5_query("skærmene flimrer") == '("skærm"* AND "flimr"*)'


def test_or_between_words_makes_either_do_and_minus_leaves_out() -> None:
    assert fts5_query("printer or skærm netværket") == '(("print"* OR "skærm"*) AND "netværk"*)'
    assert fts5_query("printer -skærmen") == '("print"*) NOT "skærm"*'


def test_short_stems_are_whole_words_and_nothing_searchable_is_empty() -> None:
    assert fts5_query("it") == '("it")'  # "it"* would match every word starting so
    assert fts5_query("-printer") == ""  # only exclusions: FTS5 cannot say "all but"
    assert fts5_query('"?!" ... -') == ""


def test_quotes_and_operators_typed_by_a_user_cannot_break_the_expression() -> None:
    # Every term is a quoted FTS5 string of word characters: NEAR, AND, *, ( are words.
    assert fts5_query('NEAR(a b) "x* AND') == '("near"* AND "a" AND "b" AND "x" AND "and"*)'
