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
from typing import TextIO
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

# Wide enough for any row we print; rich lays a table out at its natural width below it.
_PLAIN_WIDTH = 10_000

ProgressHook = Callable[[int, int], None]


def new_table(caption: str | None = None) -> Table:
    # No lines: two spaces between columns leave the most room for the data, and a
    # table reads the same on a terminal and in a file.
    return Table(
        box=None,
        pad_edge=False,
        header_style="bold",
        caption=caption,
        caption_justify="left",
    )


def cell(value: object) -> Text:
    """Data as literal text: a subject such as "[bold] help" is not rich markup."""
    return Text("" if value is None else str(value))


def verdict(ok: bool) -> Text:
    return Text("ok", style="green") if ok else Text("FAIL", style="bold red")


def shorten(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut with an ellipsis."""
    flat = " ".join(text.split())  # encoded subjects can carry tabs and line breaks
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def local_minutes(at: datetime | None, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M") if at else "-"


def print_table(table: Table, stream: TextIO | None = None) -> None:
    out = stream if stream is not None else sys.stdout
    if out.isatty():
        Console(file=out, highlight=False).print(table)
        return
    buffer = io.StringIO()
    # color_system=None: no escape codes even when FORCE_COLOR is set in the environment.
    Console(file=buffer, width=_PLAIN_WIDTH, color_system=None, highlight=False).print(table)
    out.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.0f} mails/s" if speed else "", style="progress.data.speed")


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
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
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
