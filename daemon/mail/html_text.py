"""HTML -> plain text as a person would type it, for mail that has no text/plain part.

lxml (libxml2's HTML parser, in C) builds the tree in time linear in the HTML: the
stdlib's HTMLParser, used before, rescans the rest of the input at every `<` it
cannot close, so 40 KB of `<a ` took 28 s and held up intake.
benchmarks/html_text.py measures both on inputs built to be slow.

The walk over the tree decides how the text reads: a paragraph or
heading stands apart by a blank line, <br> and <div> break lines, table cells are
joined with " | " (a row on one line), list items start "- " or "1. ", <pre> keeps
its spaces, a link shows its URL when its text is not that URL, a <blockquote> is
quoted with "> " as in a plain-text reply, and there is never more than one blank
line in a row. Outlook writes every line as <p class=MsoNormal> (Word's CSS gives
it no margin) and an empty line as one holding only &nbsp;: those are lines, not
paragraphs.

The work per mail is bounded: only the first HTML_LIMIT characters are rendered, at
most TEXT_LIMIT characters of text are kept, the walk stops when it has used
TIME_BUDGET_S of CPU, and libxml2 stops nesting at 2048 levels. Each cut is said in
the text; the raw mail is stored whole.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where HTML is rendered: lxml costs ~4 MB of memory in
    # every process that imports this module, and the daemon itself renders no HTML
    # when its parsing workers read the mail (issue 18)
    from lxml import etree

HTML_LIMIT = 2 * 1024 * 1024  # characters of HTML rendered; a person reads no further
TEXT_LIMIT = 512 * 1024  # characters of text kept
TIME_BUDGET_S = 2.0  # CPU seconds for the walk; the parse is linear and capped above
_CHECK_EVERY = 256  # elements between looks at the clock

CUT_HTML = "[the HTML of this mail is over 2 MB; only its start is shown, the whole mail is kept]"
CUT_TEXT = "[the text of this mail is cut here; the whole mail is kept]"
CUT_TIME = "[this HTML took too long to turn into text; the rest is in the kept mail]"
CUT_DEPTH = "[this HTML is nested too deeply to show the rest; the whole mail is kept]"

_SKIP = frozenset({"head", "script", "style", "title", "template"})
_PARAGRAPHS = frozenset(
    "p h1 h2 h3 h4 h5 h6 pre hr dl figure fieldset address".split()
)
_LINES = frozenset(
    "div tr table blockquote section article header footer nav main aside center dt dd "
    "caption figcaption details summary form legend option".split()
)
_CELLS = frozenset({"td", "th"})
_LISTS = frozenset({"ul", "ol", "menu"})
_SPACE = re.compile(r"[ \t\n\r\f\xa0]+")  # not \s: that would also eat other scripts' spaces
_ASCII_SPACE = " \t\n\r\f"
_MAX_LABEL = 2048  # characters of a link's text kept to compare with its URL
_MAX_URL = 2048  # a longer URL is not one a person follows by reading it
_MAX_NESTING_SHOWN = 8  # quote marks and list indents stop growing here


class _Writer:
    """The text, built line by line; line breaks are owed until text follows them."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.newlines = 2  # "\n" since the last text; 2 at the start: no leading breaks
        self.owed = 0  # line breaks due before the next text (1 new line, 2 blank line)
        self.space = False  # a collapsed space due before the next text on this line
        self.visible = False  # the current line has text on it
        self.cell = False  # a table cell began and has no text yet
        self.marker = ""  # a list item's "- " or "3. ", due at its first text
        self.quote = 0  # <blockquote> depth
        self.labels: list[list[str]] = []  # the text of each open link, innermost last

    def block(self, breaks: int) -> None:
        if not self.cell:  # a block at the start of a cell stays on the row
            self.owed = max(self.owed, breaks)
        self.space = False

    def line_break(self) -> None:
        self._pay_breaks()
        self._newline()

    def end_cell(self) -> None:
        if not self.cell:  # it had text: breaks owed by blocks inside it end with it
            self.owed = 0
        self.cell = False

    def enter_quote(self) -> None:
        self.block(1)
        self._pay_breaks()  # the lines before the quote are not quoted
        self.quote += 1

    def text(self, raw: str) -> None:
        """Text in normal flow: runs of white space are one space."""
        words = raw.strip(_ASCII_SPACE)
        if not words:
            self.space = True
            return
        if not words.strip("\xa0"):
            # Only &nbsp;: a space within a line, or between lines a blank line, as
            # Outlook writes one (<p class=MsoNormal>&nbsp;</p>).
            if self.visible and not self.owed or self.cell:
                self.space = True
            else:
                self.owed = 2
            return
        collapsed = _SPACE.sub(" ", raw)
        if collapsed[0] == " ":
            self.space = True
        self._write(collapsed.strip(" "))
        self.space = collapsed[-1] == " "

    def preformatted(self, raw: str) -> None:
        """Text inside <pre>: its spaces and line breaks are kept."""
        lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        for index, line in enumerate(lines):
            if index:
                self._newline()
            # A line of only white space is an empty line: written, it would count as
            # text and let the blank lines around it add up past one.
            if line.strip(_ASCII_SPACE + "\xa0"):
                self.space = False
                self._write(line.replace("\xa0", " "))

    def finish(self) -> str:
        text = "".join(self.parts)
        return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")

    def _write(self, words: str) -> None:
        self._start_line()
        if self.visible and self.cell:
            self._emit(" | ")
        elif self.visible and self.space:
            self._emit(" ")
        self.cell = self.space = False
        self._emit(words)
        self.visible = True
        if self.labels and len(self.labels[-1]) < _MAX_LABEL:
            self.labels[-1].append(words)

    def _start_line(self) -> None:
        self._pay_breaks()
        if self.newlines:
            depth = min(self.quote, _MAX_NESTING_SHOWN)
            prefix = (">" * depth + " " if depth else "") + self.marker
            if prefix:
                self._emit(prefix)
            self.marker = ""
            self.newlines = 0

    def _pay_breaks(self) -> None:
        while self.newlines < self.owed:
            self._newline()
        self.owed = 0

    def _newline(self) -> None:
        if self.newlines >= 2:
            return  # never more than one blank line
        if self.newlines == 1 and self.quote:
            self._emit(">" * min(self.quote, _MAX_NESTING_SHOWN))  # a blank line in a quote
        self._emit("\n")
        self.newlines += 1
        self.visible = self.space = False

    def _emit(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.size += len(chunk)


class _Renderer:
    """What each element means for the text: opened at "start", closed at "end"."""

    def __init__(self) -> None:
        self.out = _Writer()
        self.pre = 0
        self.lists: list[list[int]] = []  # [ordered, next number] of each open list
        self.links: list[str | None] = []  # the URL to show after each open <a>, or None

    def open(self, element: etree._Element, tag: str) -> None:
        out = self.out
        if tag == "br":
            out.line_break()
        elif tag in _PARAGRAPHS:
            out.block(self._paragraph_breaks(element, tag))
            self.pre += tag == "pre"
        elif tag == "blockquote":
            out.enter_quote()
        elif tag in _LINES:
            out.block(1)
        elif tag in _CELLS:
            out.cell = True
        elif tag in _LISTS:
            out.block(1 if self.lists else 2)
            self.lists.append([tag == "ol", _list_start(element)])
        elif tag == "li":
            out.block(1)
            out.marker = self._marker()
        elif tag == "a":
            self.links.append(_shown_url(element.get("href")))
            out.labels.append([])
        elif tag == "img" and out.labels and element.get("alt"):
            out.text(element.get("alt"))  # an image link is named by its alt text

    def close(self, element: etree._Element, tag: str) -> None:
        out = self.out
        if tag in _PARAGRAPHS:
            out.block(self._paragraph_breaks(element, tag))
            self.pre -= tag == "pre"
        elif tag in _LINES:
            out.block(1)
            out.quote -= tag == "blockquote"
        elif tag in _CELLS:
            out.end_cell()
        elif tag in _LISTS:
            self.lists.pop()
            out.block(1 if self.lists else 2)
        elif tag == "li":
            out.block(1)
            out.marker = ""  # an empty item shows nothing
        elif tag == "a" and self.links:
            url, label = self.links.pop(), "".join(out.labels.pop())
            if url and not _same_address(label, url):
                out.text(f" ({url})" if label else url)

    def text(self, text: str) -> None:
        if self.pre:
            self.out.preformatted(text)
        else:
            self.out.text(text)

    def _paragraph_breaks(self, element: etree._Element, tag: str) -> int:
        """A blank line around a paragraph; a line break inside a list item or for
        Outlook's <p class=MsoNormal>, which Word's CSS gives no margin."""
        if self.lists or tag == "p" and (element.get("class") or "").startswith("Mso"):
            return 1
        return 2

    def _marker(self) -> str:
        if not self.lists:
            return "- "
        indent = "  " * min(len(self.lists) - 1, _MAX_NESTING_SHOWN)
        ordered, number = self.lists[-1]
        if not ordered:
            return indent + "- "
        self.lists[-1][1] += 1
        return f"{indent}{number}. "


def html_to_text(
    html: str,
    *,
    html_limit: int = HTML_LIMIT,
    text_limit: int = TEXT_LIMIT,
    budget_s: float = TIME_BUDGET_S,
    clock: Callable[[], float] = time.thread_time,
) -> str:
    """Readable plain text of `html`; never raises on broken HTML.

    The budget is CPU time of this thread (not wall time), so a busy machine does
    not cut a mail that an idle one would show whole.
    """
    from lxml import etree

    notes = []
    if len(html) > html_limit:
        html, notes = html[:html_limit], [CUT_HTML]
    # Encoded by us, so the parser ignores whatever charset a <meta> claims; NUL
    # would become U+FFFD.
    data = html.replace("\x00", "").encode("utf-8", "replace")
    parser = etree.HTMLParser(
        encoding="utf-8", huge_tree=True, remove_comments=True, remove_pis=True,
        no_network=True, default_doctype=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError):  # nothing a tree could be made of
        root = None
    if any(error.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for error in parser.error_log):
        notes.append(CUT_DEPTH)
    renderer = _Renderer()
    if root is not None:
        stopped = _walk(root, renderer, text_limit, budget_s, clock)
        if stopped:
            notes.append(stopped)
    text = renderer.out.finish()
    if len(text) > text_limit:
        text = text[:text_limit].rstrip()
        if CUT_TEXT not in notes:
            notes.append(CUT_TEXT)
    for note in notes:
        text += ("\n\n" if text else "") + note
    return text


def _walk(
    root: etree._Element,
    renderer: _Renderer,
    text_limit: int,
    budget_s: float,
    clock: Callable[[], float],
) -> str | None:
    """Render the tree; the note to add when the walk stopped early, else None."""
    from lxml import etree

    deadline = clock() + budget_s
    walker = etree.iterwalk(root, events=("start", "end"))
    for count, (event, element) in enumerate(walker):
        if count % _CHECK_EVERY == 0:
            if renderer.out.size > text_limit:
                return CUT_TEXT
            if clock() > deadline:
                return CUT_TIME
        tag = element.tag
        if not isinstance(tag, str):
            continue  # an entity or comment node the parser kept
        tag = tag.lower()
        if event == "start":
            if tag in _SKIP:
                walker.skip_subtree()  # its "end" still comes, with the tail
                continue
            renderer.open(element, tag)
            if element.text:
                renderer.text(element.text)
        else:
            if tag not in _SKIP:
                renderer.close(element, tag)
            if element.tail:
                renderer.text(element.tail)
    return None


def _list_start(element: etree._Element) -> int:
    start = (element.get("start") or "").strip()
    return int(start) if start.isdigit() and len(start) < 7 else 1


def _shown_url(href: str | None) -> str | None:
    """The address a reader should see for a link, or None for one not worth showing."""
    url = (href or "").strip()
    if len(url) > _MAX_URL or any(ch in url for ch in "\n\r\t "):
        return None
    lower = url.lower()
    if lower.startswith("mailto:"):
        address = url[len("mailto:") :].split("?", 1)[0]
        return address if "@" in address else None
    if lower.startswith(("http://", "https://", "ftp://")):
        return url
    return None  # anchors, cid: images, javascript:, relative links


def _same_address(label: str, url: str) -> bool:
    """Whether the link's text already says its URL (scheme, www. and a final / aside)."""
    return _bare(label) == _bare(url)


def _bare(address: str) -> str:
    address = address.strip().lower().removeprefix("mailto:")
    for scheme in ("https://", "http://", "ftp://"):
        address = address.removeprefix(scheme)
    return address.removeprefix("www.").rstrip("/")
