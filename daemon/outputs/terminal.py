"""Output for people at the command line: tables and a progress bar (rich).

On a terminal they are drawn with rich; anywhere else (a pipe, a file, cron's mail)
a table is plain text with no ANSI codes and no width limit, so no column is wrapped
or cut to fit 80 columns, and a progress bar is not shown at all unless asked for.
Data for programs is `--json`, never this.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from rich.progress import Task
    from rich.table import Table as RichTable

# Wide enough for any row we print; rich lays a table out at its natural width below it.
_PLAIN_WIDTH = 10_000

ProgressHook = Callable[[int, int], None]


class Cell(NamedTuple):
    """Data as literal text (a subject such as "[bold] help" is not rich markup), and
    the style it has on a terminal."""

    text: str
    style: str | None = None


class Table:
    """A table to print: drawn by rich on a terminal; elsewhere laid out here as rich
    would lay it out, without importing rich (a read command's start-up time:
    benchmarks/cli_startup.py), unless a cell needs rich's wrapping or measuring."""

    def __init__(self, caption: str | None = None) -> None:
        self.caption = caption
        self.show_header = True
        self.columns: list[tuple[str, dict[str, Any]]] = []
        self.rows: list[tuple[tuple[Cell, ...], str | None]] = []

    def add_column(self, header: str = "", **options: Any) -> None:
        """`options` as rich's Table.add_column takes them (no_wrap, overflow, style)."""
        self.columns.append((header, options))

    def add_row(self, *cells: Cell, style: str | None = None) -> None:
        self.rows.append((cells, style))

    def to_rich(self) -> RichTable:
        from rich.table import Table as RichTable
        from rich.text import Text

        # No lines: two spaces between columns leave the most room for the data, and a
        # table reads the same on a terminal and in a file.
        table = RichTable(
            box=None,
            pad_edge=False,
            header_style="bold",
            caption=self.caption,
            caption_justify="left",
            show_header=self.show_header,
        )
        for header, options in self.columns:
            table.add_column(header, **options)
        for cells, style in self.rows:
            table.add_row(*(Text(c.text, style=c.style or "") for c in cells), style=style)
        return table


def new_table(caption: str | None = None) -> Table:
    return Table(caption)


def cell(value: object) -> Cell:
    return Cell("" if value is None else str(value))


def verdict(ok: bool) -> Cell:
    return Cell("ok", "green") if ok else Cell("FAIL", "bold red")


def shorten(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut with an ellipsis."""
    flat = " ".join(text.split())  # encoded subjects can carry tabs and line breaks
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def local_minutes(at: datetime | None, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M") if at else "-"


def print_table(table: Table, stream: TextIO | None = None) -> None:
    out = stream if stream is not None else sys.stdout
    if out.isatty():
        from rich.console import Console

        Console(file=out, highlight=False).print(table.to_rich())
        return
    lines = plain_lines(table)
    if lines is None:  # rich lays it out: a cell it must wrap or measure itself
        from rich.console import Console

        buffer = io.StringIO()
        # color_system=None: no escape codes even when FORCE_COLOR is set in the
        # environment.
        Console(file=buffer, width=_PLAIN_WIDTH, color_system=None, highlight=False).print(
            table.to_rich()
        )
        lines = buffer.getvalue().splitlines()
    out.write("".join(line.rstrip() + "\n" for line in lines))


def _plain(text: str) -> bool:
    """Text rich prints as it is, on one line: printable (no tabs, line breaks or control
    characters), no space at either end, none doubled."""
    return text.isprintable() and text == text.strip() and "  " not in text


def _padded(text: str, width: int) -> str:
    from rich.cells import cell_len

    return text + " " * (width - cell_len(text))


def plain_lines(table: Table) -> list[str] | None:
    """The lines rich prints for `table` off a terminal, not yet right-stripped (None
    when a cell is not plain text, or the table or its caption would need wrapping):
    each column as wide as its widest cell, two spaces between columns, the caption
    below, from the left."""
    from rich.cells import cell_len  # rich's own measure of a character's columns

    rows = [[c.text for c in cells] for cells, _style in table.rows]
    if table.show_header:
        rows.insert(0, [header for header, _options in table.columns])
    if any(len(row) != len(table.columns) for row in rows):
        return None
    texts = [text for row in rows for text in row]
    # Rich reads a header or caption as markup: "[b]" is a style, ":smile:" an emoji.
    markup = [header for header, _options in table.columns]
    if table.caption is not None:
        texts.append(table.caption)
        markup.append(table.caption)
    if not all(_plain(text) for text in texts if text):
        return None
    if any("[" in text or text.count(":") > 1 for text in markup):
        return None
    widths = [max((cell_len(row[i]) for row in rows), default=0) for i in range(len(table.columns))]
    total = sum(widths) + 2 * max(len(widths) - 1, 0)
    if total > _PLAIN_WIDTH:
        return None
    lines = ["  ".join(_padded(text, width) for text, width in zip(row, widths, strict=True))
             for row in rows]
    if table.caption:
        if cell_len(table.caption) > total:
            return None
        lines.append(table.caption)
    return lines


@contextlib.contextmanager
def mail_progress(description: str, shown: bool | None = None) -> Iterator[ProgressHook]:
    """A progress bar on stderr for the duration; yields the `on_progress(done, total)`.

    `shown=None`: only when stderr is a terminal. Log lines written meanwhile print above
    the bar instead of through it.
    """
    err = sys.stderr
    if not (err.isatty() if shown is None else shown):
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:.0f} mails/s" if speed else "", style="progress.data.speed")

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeRemainingColumn(),
        # Asked for with --progress off a terminal: draw it anyway, on stderr.
        console=Console(file=err, force_terminal=shown or None),
        redirect_stdout=False,  # stdout carries the command's data
        redirect_stderr=True,
    )
    task = progress.add_task(description, total=None)

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    with progress:
        # The log handler holds the real stderr; while the bar is live, rich's stand-in
        # for it places each line above the bar.
        handlers = [
            h
            for h in logging.getLogger().handlers
            if isinstance(h, logging.StreamHandler) and h.stream is err
        ]
        for handler in handlers:
            handler.setStream(sys.stderr)
        try:
            yield update
        finally:
            for handler in handlers:
                handler.setStream(err)
