"""The new part of a reply: quoted history removed, for what is shown and relayed.

The raw message is always stored; this only decides what `body_text` shows and
what a staff reply relays. mail-parser-reply does the finding: it knows the Danish
and English client conventions (and, asked, German and Swedish: "Von:/Gesendet:",
"Från:/Skickat:", "Am ... schrieb ...:", for customers' staff who write from them;
~55 us more a quoted reply) (Outlook "Fra:/Sendt:/Til:/Emne:" and
"From:/Sent:/To:/Subject:" blocks, "-----Oprindelig meddelelse-----",
"-----Original Message-----", Gmail "Den ... skrev ...:", "On ... wrote:").
Around it, a few small things the library does not do:

- Gmail wraps a long attribution line ("Den man. 3. jun. 2024 kl. 10.15 skrev
  Support <\\nsupport@oo.dk>:") and the library's Danish pattern needs it on one
  line, so a wrapped one is joined first.
- `>` quote lines with no attribution line above them (or below the new text, in
  a bottom-posted reply) are left by the library; a quote block before or after
  the new text is removed here. Quotes *between* pieces of new text are kept: in
  an inline answer the questions are what make the answers readable.
- A mail that starts with a reply header has no new text above it; the library
  would offer the old message below the header as the reply. Only below a `>`
  quote (bottom-posting) can there be new text after a leading header.
- The library strips every line; the text returned here is cut from the original,
  so indentation (pasted logs, lists) survives.
- The library is shown at most 1000 lines of at most 200 characters (its
  "On ... wrote:" pattern is quadratic in line length); a quote further down is
  left in rather than new text lost.

Signatures are kept on purpose: staff want to see who wrote. The result is never
empty for a body with text: when everything looks quoted, the whole body is it.
"""

from __future__ import annotations

import re

from mailparser_reply import EmailReplyParser
from mailparser_reply.parser import EmailMessage

# The languages as the library's parser keeps them (lower-cased, known ones only).
_LANGUAGES = tuple(EmailReplyParser(languages=["da", "en", "de", "sv"]).languages)


class _Replies(EmailMessage):  # type: ignore[misc]  # the library is untyped
    """The library's reading of a mail into replies, less the signatures and
    disclaimers it looks for in each reply: nothing here reads them (full_body is a
    reply's content less its header), and their two searches of every reply took ~0.4
    of new_text's time on the corpus (issue 18, worker24). The replies, their content
    and headers are the library's (tests/corpus/test_quotes_fast_path.py)."""

    def _process_signatures_disclaimers(self, text: str) -> tuple[list[str], str]:
        return [], ""

_ATTRIBUTION_START = re.compile(r"^[> ]*(?:On|Den)\s", re.IGNORECASE)
_ATTRIBUTION = re.compile(r"^[> ]*(?:On\s.+\swrote|Den\s.+\sskrev\s.+):\s*$", re.IGNORECASE)
# Lines the library drops on its own (Outlook's underscore rule) or that carry no text.
_SEPARATOR = re.compile(r"[_-]{32,}")
# What the library is shown (see _newest_lines): longer than any reply header line,
# and more lines than any new text worth cutting a quote from.
_MAX_LINE = 200
_MAX_LINES = 1000


# Anything a quote or a reply header can start with (generously: a false alarm only
# costs the library's time). Mail without any of these comes back as it is, without
# running the library, which costs ~0.4 ms a mail on the ingestion hot path.
_QUOTE_LINE = (
    r"[ \t]*(?:>|[-_=*]{4,}|\**(?:fra|from|sendt|sent|til|to|emne|subject|date|"
    r"dato|von|de|van|cc|från|skickat|till|ämne|gesendet|an|betreff|datum)\**[ \t]*:)"
)
_ATTRIBUTION_WORDS = (
    "wrote", "skrev", "schrieb", "écrit", "escribió", "geschreven", "kirjoitti",
    "scrisse", "napisał", "написал", "寫道", "写道", "에 작성", "さんは書きました", "오전", "오후",
)
_MIGHT_QUOTE = re.compile(
    f"^{_QUOTE_LINE}|{'|'.join(_ATTRIBUTION_WORDS)}", re.IGNORECASE | re.MULTILINE
)
# _MIGHT_QUOTE as one search tries its 16 words at every character (~0.11 ms of a
# worker's 0.23 ms a mail in new_text, issue 18). The same question asked in parts:
# a quote line is one that starts the text or follows a "\n" (MULTILINE's "^"), and
# "\n" is a literal the regex engine skips to; the words are found in the lower-cased
# text by `in`. That is the regex's IGNORECASE except for the four characters below,
# which it takes for i, s and с but lower() does not (test_quotes recomputes them over
# every code point); a text with one of them is asked the regex itself.
_FIRST_QUOTE_LINE = re.compile(_QUOTE_LINE, re.IGNORECASE)
_LATER_QUOTE_LINE = re.compile(f"\n(?i:{_QUOTE_LINE})")
_FOLDED_APART = "\u0130\u0131\u017f\u1c83"  # İ ı ſ ᲃ


def _might_quote(text: str) -> bool:
    """_MIGHT_QUOTE.search(text) is not None, answered cheaper."""
    if _FIRST_QUOTE_LINE.match(text) or _LATER_QUOTE_LINE.search(text):
        return True
    if not text.isascii() and any(char in text for char in _FOLDED_APART):
        return _MIGHT_QUOTE.search(text) is not None
    folded = text.lower()
    return any(word in folded for word in _ATTRIBUTION_WORDS)


def new_text(body: str) -> str:
    """Only the newest part of `body`: quoted history and reply headers removed."""
    whole = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not whole:
        return ""
    if not _might_quote(whole):
        return whole
    lines = _join_wrapped_attributions(whole.split("\n"))
    return cut_text(whole, _newest_lines(lines))


def cut_text(whole: str, kept: list[str]) -> str:
    """The new text of `whole` from the lines the library kept: quote blocks before or
    after it removed, and a reply separator left above a removed header with it."""
    text = "\n".join(_without_quote_blocks(kept)).strip()
    if len(text) < len(whole):  # something below was cut: a separator left above it goes
        text = _ORPHAN_SEPARATOR.sub("", text).strip()
    return text or whole


# A client's reply separator left above the removed header block when the library
# knows the header's words but not that line's ("-------- Oprindelig meddelelse
# --------" from Samsung's Android mail, "-----Ursprüngliche Nachricht-----"). Not a
# forward's ("Forwarded Message"): it tells staff that something was passed on.
_ORPHAN_SEPARATOR = re.compile(
    r"\n[ \t]*-{4,}[ \t]*(?:oprindelig meddelelse|original message|ursprüngliche "
    r"nachricht|ursprungligt meddelande|opprinnelig melding)[ \t]*-{4,}[ \t]*\Z",
    re.IGNORECASE,
)


def _newest_lines(lines: list[str]) -> list[str]:
    """The lines of the newest reply, as the library finds it.

    The library's "On ... wrote:" pattern takes time quadratic in the length of a
    line starting with "On", and all of it grows with the body; reply headers are
    short and new text comes first, so it is shown only the head of each line and
    the first lines. Its view is line-for-line with `lines`, so what it finds maps
    back to the original lines, indentation included.
    """
    view = [line[:_MAX_LINE] for line in lines[:_MAX_LINES]]
    reply = _latest_reply("\n".join(view))
    span = _locate(reply, view) if reply else None
    if span is None:
        return lines  # nothing found, or nothing that maps back: keep it all
    start, end = span
    if not any(line.strip() for line in view[end:]):
        end = len(lines)  # no reply header within the view: the reply runs on
    return lines[start:end]


def _latest_reply(text: str) -> str:
    """The library's newest reply, without the attribution it may start with."""
    try:
        message = _Replies(text=text, languages=list(_LANGUAGES)).read()
    except Exception:  # noqa: BLE001 - a library bug must not lose the mail's text
        return ""
    if not message.replies:
        return ""
    first = message.replies[0]
    # full_body, not body: body would also drop the signature.
    if first.headers and not _is_quote(first.full_body):
        # The mail starts with a reply header and unquoted old text (Outlook's
        # style): none of it is new. Only a `>` quote after a header can have new
        # text below it (bottom-posting).
        return ""
    body: str = first.full_body  # the library is untyped
    return body


def _join_wrapped_attributions(lines: list[str]) -> list[str]:
    """One line for an attribution wrapped over two."""
    joined: list[str] = []
    index = 0
    while index < len(lines):
        if _is_wrapped_attribution(lines, index):
            joined.append(f"{lines[index].rstrip()} {lines[index + 1].strip()}")
            index += 2
        else:
            joined.append(lines[index])
            index += 1
    return joined


def _is_wrapped_attribution(lines: list[str], index: int) -> bool:
    """Is lines[index] the first half of an attribution wrapped over two lines?"""
    line = lines[index]
    if index + 1 == len(lines) or len(line) > _MAX_LINE or not _ATTRIBUTION_START.match(line):
        return False
    if _ATTRIBUTION.match(line):
        return False  # whole already
    candidate = f"{line.rstrip()} {lines[index + 1].strip()}"
    if len(candidate) > 2 * _MAX_LINE or not _ATTRIBUTION.match(candidate):
        return False
    # Only before a quote: "Den 3. juni skrev jeg\ntil jer om det:" is prose.
    following = (lines[i] for i in range(index + 2, len(lines)) if lines[i].strip())
    return _is_quote(next(following, ""))


def _locate(reply: str, lines: list[str]) -> tuple[int, int] | None:
    """Which of the lines the library's reply text (lines stripped) came from."""
    wanted = [line.strip() for line in reply.split("\n") if line.strip()]
    if not wanted:
        return None
    for start, line in enumerate(lines):
        if line.strip() == wanted[0]:
            end = _match_end(lines, start, wanted)
            if end is not None:
                return start, end
    return None


def _match_end(lines: list[str], start: int, wanted: list[str]) -> int | None:
    """Where `wanted` ends if it is read in `lines` from `start`, blank lines aside."""
    found = 0
    index = start
    while found < len(wanted):
        if index >= len(lines):
            return None
        line = lines[index].strip()
        if line == wanted[found]:
            found += 1
        elif line and not _SEPARATOR.fullmatch(line):
            return None
        index += 1
    return index


def _without_quote_blocks(lines: list[str]) -> list[str]:
    """The lines without a `>` block before or after the new text (not between)."""
    end = len(lines)
    while end and _is_quote_or_blank(lines[end - 1]):
        end -= 1
    start = 0
    while start < end and _is_quote_or_blank(lines[start]):
        start += 1
    if any(_is_quote(line) for line in lines[start:end]):
        # An inline answer: the leading quote is the first question; keep it.
        start = next(index for index, line in enumerate(lines) if line.strip())
    return lines[start:end]


def _is_quote(line: str) -> bool:
    return line.lstrip().startswith(">")


def _is_quote_or_blank(line: str) -> bool:
    return not line.strip() or _is_quote(line)
