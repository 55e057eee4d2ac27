"""The `wrap` filter of the templates (daemon/mail/text_wrap.py): paragraphs wrapped,
a fact (a time, an amount, a phone number) never split over two lines."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daemon.mail.text_wrap import WIDTH, wrap_paragraphs

FACTS = ["+45 7021 1813", "kl. 09:00", "at 09:00", "1.000,00 kr. + moms", "100 %",
         "DKK 1.000,00 + VAT", "(tast 2)", "(press 2)"]


@pytest.mark.parametrize("fact", FACTS)
@pytest.mark.parametrize("offset", range(0, 80, 3))
def test_a_fact_is_never_split(fact: str, offset: int) -> None:
    text = "ord " * (offset // 4) + "x" * (offset % 4) + " " + fact + " og så videre " * 3
    lines = wrap_paragraphs(text).split("\n")
    assert any(fact in line for line in lines)
    assert all(len(line) <= WIDTH for line in lines)


def test_paragraphs_and_empty_lines_are_kept() -> None:
    text = "første " * 20 + "\n\n" + "anden\n" + "tredje"
    wrapped = wrap_paragraphs(text).split("\n")
    assert "" in wrapped and "anden" in wrapped and wrapped[-1] == "tredje"


def test_a_word_longer_than_a_line_is_not_broken() -> None:
    url = "https://example.dk/" + "a" * 100
    assert url in wrap_paragraphs(f"Se {url} her").split("\n")


@given(st.lists(st.sampled_from(["ord", "længere-ord", *FACTS]), max_size=60))
def test_wrapping_keeps_every_word_in_order(words: list[str]) -> None:
    text = " ".join(words)
    assert " ".join(wrap_paragraphs(text).split()) == " ".join(text.split())


def test_an_ideographic_space_is_not_a_place_to_break() -> None:
    assert wrap_paragraphs("山田\u3000太郎 " * 20, width=20).count("\u3000") == 20
