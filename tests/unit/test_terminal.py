"""A table off a terminal is laid out without rich when its cells are plain text; the
lines must be the ones rich prints, character for character."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.errors import MarkupError

from daemon.outputs import terminal

# Danish letters, wide CJK characters and emoji, a combining accent, markup-like
# brackets, and what rich must wrap or expand itself: tabs, line breaks, doubled spaces.
_PIECES = [*"ab Zæøå[]/!-:@.", "漢", "字", "😀", "e\u0301", "\t", "\n", "  "]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)


def _as_rich_prints(table: terminal.Table) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=10_000, color_system=None, highlight=False).print(table.to_rich())
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def _printed_both_ways(table: terminal.Table) -> tuple[str, str]:
    """What print_table writes and what rich prints; a header or caption that is broken
    markup ("[/b]") fails in both."""
    printed = io.StringIO()
    try:
        terminal.print_table(table, printed)
    except MarkupError:
        with pytest.raises(MarkupError):
            _as_rich_prints(table)
        return "", ""
    return printed.getvalue(), _as_rich_prints(table)


# Plain text only: words of one space between them, as the commands' cells are.
_WORD = st.lists(st.sampled_from([p for p in _PIECES if not p.isspace()]), min_size=1,
                 max_size=6).map("".join)
_PLAIN = st.lists(_WORD, max_size=3).map(" ".join)


@st.composite
def _tables(draw: st.DrawFn, text: st.SearchStrategy[str] = _TEXT) -> terminal.Table:
    _TEXT = text
    columns = draw(st.integers(1, 5))
    table = terminal.new_table(draw(st.none() | _TEXT))
    table.show_header = draw(st.booleans())
    for _ in range(columns):
        table.add_column(draw(_TEXT), no_wrap=draw(st.booleans()))
    for _ in range(draw(st.integers(0, 4))):
        cells = [terminal.cell(draw(_TEXT)) for _ in range(columns)]
        table.add_row(*cells, style=draw(st.sampled_from([None, "bold red"])))
    return table


@settings(max_examples=300, deadline=None)
@given(_tables())
def test_a_table_off_a_terminal_reads_as_rich_prints_it(table: terminal.Table) -> None:
    ours, theirs = _printed_both_ways(table)
    assert ours == theirs


@settings(max_examples=300, deadline=None)
@given(_tables(_PLAIN))
def test_plain_text_is_laid_out_here_as_rich_would(table: terminal.Table) -> None:
    lines = terminal.plain_lines(table)
    widest = max(cell_len(line) for line in lines or [""])
    markup = [h for h, _ in table.columns] + [table.caption or ""]
    fits = table.caption is None or cell_len(table.caption) <= widest  # else rich wraps it
    if fits and not any("[" in text or text.count(":") > 1 for text in markup):
        assert lines is not None
    ours, theirs = _printed_both_ways(table)
    assert ours == theirs


def test_plain_cells_are_laid_out_without_rich() -> None:
    table = terminal.new_table("2 cases; ! = critical")
    for header in ("case", "!", "customer"):
        table.add_column(header)
    table.add_row(*map(terminal.cell, (100001, "", "bo@firma.dk")))
    table.add_row(*map(terminal.cell, (100002, "!", "漢字@firma.dk")))
    assert terminal.plain_lines(table) == [
        "case    !  customer     ",
        "100001     bo@firma.dk  ",
        "100002  !  漢字@firma.dk",
        "2 cases; ! = critical",
    ]
    printed = io.StringIO()
    terminal.print_table(table, printed)
    assert printed.getvalue() == _as_rich_prints(table)


def test_a_cell_rich_must_wrap_is_left_to_rich() -> None:
    table = terminal.new_table()
    table.add_column("note")
    table.add_row(terminal.cell("two\nlines"))
    assert terminal.plain_lines(table) is None
