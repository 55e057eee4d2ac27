"""The `wrap` filter of the templates (daemon/mail/text_wrap.py): paragraphs wrapped,
a fact (a time, an amount, a phone number) never split over two lines."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daemon.mail import text_wrap
from daemon.mail.text_wrap import WIDTH, wrap_paragraphs

FACTS = ["+45 7021 1813", "kl. 09:00", "at 09:00", "1.000,00 kr. + moms", "100 %",
         "DKK 1.000,00 + VAT", "(tast 2)", "(press 2)", "mandag 30.11. kl. 09:00"]


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


def _wrapped_as_before(text: str, width: int) -> str:
    # wrap_paragraphs as it was before its wrapped lines were kept (issue 18, feed19).
    lines: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width:
            lines.append(line)
            continue
        held = text_wrap._UNBREAKABLE.sub(text_wrap._HOLD, line.strip(" "))  # noqa: SLF001
        lines.extend(chunk.strip(" ").replace(text_wrap._HOLD, " ")  # noqa: SLF001
                     for chunk in text_wrap._chunks(width).findall(held))  # noqa: SLF001
    return "\n".join(lines)


@given(
    st.lists(st.lists(st.sampled_from(["ord", "  ", "", "x" * 90, *FACTS]), max_size=40)
             .map(" ".join), max_size=5).map("\n".join),
    st.sampled_from([20, WIDTH]),
)
def test_a_kept_wrapping_is_the_wrapping_itself(text: str, width: int) -> None:
    """Wrapped lines are kept for the next ack: the same text, asked twice, wraps as it
    did before they were kept, a line of spaces only (gone) included."""
    for _ in range(2):
        assert wrap_paragraphs(text, width) == _wrapped_as_before(text, width)
    spaces = "a\n" + " " * 90 + "\nb"
    assert wrap_paragraphs(spaces) == _wrapped_as_before(spaces, WIDTH) == "a\nb"
