"""Where a mail's header section starts: blank lines, an mbox "From " line, a
gateway's banner or an SMTP session dumped before the first header field are
stepped over as forgiving mail readers do, and a mail with no readable header
section becomes one of its text alone, from the sender it names somewhere."""

from __future__ import annotations

import re
from email.message import Message

from daemon.mail import ParseError
from daemon.mail.header_text import guess_decode
from daemon.mail.sender import sender_in_text

BOM = b"\xef\xbb\xbf"
BLANK_LINE = re.compile(rb"\r?\n\r?\n")
# BLANK_LINE's matches, found from their first "\n": a literal prefix the regex engine
# skips to in C (BLANK_LINE, which may begin with "\r", is tried at every byte: ~12 µs
# a mail's header section, 1 µs this way; issue 18, worker21). See blank_line_span.
_BLANK_FROM_NEWLINE = re.compile(rb"\n\r?\n")


def blank_line_span(data: bytes, start: int = 0) -> tuple[int, int] | None:
    r"""`BLANK_LINE.search(data, start).span()` (None: no match), cheaper.

    A match of BLANK_LINE at p is "\r"? "\n" "\r"? "\n": its first "\n", at q, is one
    followed by "\n" or "\r\n" (what _BLANK_FROM_NEWLINE matches there, the same end),
    and p is q less one if a "\r" stands before it. No "\n" before q is so followed, so
    no match begins before p: the leftmost, as BLANK_LINE.search finds it."""
    found = _BLANK_FROM_NEWLINE.search(data, start)
    if found is None:
        return None
    newline = found.start()
    begin = newline - 1 if newline > start and data[newline - 1] == 0x0D else newline
    return begin, found.end()


# A header field's first line: a name of printable ASCII but ":" and space, then ":".
_FIELD = re.compile(rb"[!-9;-~]+[ \t]*:")
_JUNK_LINES = 8  # lines of junk before the header section we step over


def without_leading_junk(raw: bytes) -> bytes:
    """`raw` from its header section on: blank lines, an mbox "From " or ">From " line
    or a gateway's banner before the first header field are stepped over, as forgiving
    mail readers do (the stored raw mail keeps them)."""
    if _FIELD.match(raw):
        return _trace_then_junk(raw)  # the usual case: the header section starts here
    position = 0
    for _ in range(_JUNK_LINES):
        end = raw.find(b"\n", position)
        if end < 0:
            return raw
        position = end + 1
        if _FIELD.match(raw, position) and _looks_like_header_section(raw, position):
            return raw[position:]
    return raw


_TRACE_FIELD = re.compile(rb"(?i)(?:return-path|delivered-to|x-original-to|received)[ \t]*:")


def _trace_then_junk(raw: bytes) -> bytes:
    """`raw` less a junk line found right below the trace fields a delivery put on top
    (Return-Path, Delivered-To, Received: our listener, or the MTA before a mailbox)
    of a mail that began with junk; else `raw` itself. The fields are kept."""
    position = 0
    for _ in range(_JUNK_LINES * 4):  # a few trace fields, each maybe folded
        if not (_TRACE_FIELD.match(raw, position) or raw[position : position + 1] in (b" ", b"\t")):
            break
        end = raw.find(b"\n", position)
        if end < 0:
            return raw
        position = end + 1
    if position == 0 or _FIELD.match(raw, position) or raw[position : position + 2] in (
        b"\r\n",
        b"\n",
    ):
        return raw  # trace fields, then the rest of the header section: the usual case
    rest = without_leading_junk(raw[position:])
    if len(rest) == len(raw) - position:
        return raw  # no header section below the junk either: the parser decides
    return raw[:position] + rest


_KNOWN_FIELDS = re.compile(
    rb"(?im)^(?:from|to|subject|date|message-id|received|return-path|mime-version"
    rb"|content-type|sender|reply-to)[ \t]*:"
)


def _looks_like_header_section(raw: bytes, start: int) -> bool:
    end = BLANK_LINE.search(raw, start)
    head = raw[start : end.start() if end else min(len(raw), start + 65536)]
    return _KNOWN_FIELDS.search(head) is not None


def headerless(raw: bytes, envelope_sender: str | None) -> Message:
    """A mail without a readable header section as a message of its text alone, with
    the sender it names somewhere (an mbox "From " line, a From field lost in the text)
    or the envelope's; ParseError when there is no sender anywhere."""
    sender = sender_in_text(raw) or envelope_sender or ""
    if "@" not in sender:
        raise ParseError("no header section found")
    msg = Message()
    msg["From"] = sender
    msg.set_payload(guess_decode(raw))
    return msg
