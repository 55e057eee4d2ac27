"""Large mail parsed without holding it line by line: a big one-part mail's body is
set as one piece, and big base64 bodies are hidden from the parser behind markers
(daemon/mail/mime_parts.py `is_stub`), their sizes counted from the bytes: in a large
mail every base64 body of 1 MB or more, in any mail a base64 file (not text, not a
message) of 256 KB or more."""

from __future__ import annotations

import bisect
import email
import email.policy
import re
from collections.abc import Iterator
from email.message import Message
from typing import NamedTuple

from daemon.mail import LARGE_MAIL_BYTES
from daemon.mail.leading_junk import BLANK_LINE, blank_line_span
from daemon.mail.mime_parts import STUB, payload_of
from daemon.mail.spooled import SpooledMail

_STUB_MIN = 1024 * 1024
# A base64 file's body from this size on is hidden in any mail, not only a large one:
# the parser's lines of a 650 KB attachment cost a parsing worker ~6 MB at its peak
# (issue 18: its VmHWM counts in the daemon's memory). Only non-text parts: a text
# part may be the body a person reads, which the parser must see.
_FILE_STUB_MIN = 256 * 1024
_BASE64_HEADER = re.compile(rb"(?im)^content-transfer-encoding:[ \t]*base64[ \t]*\r?$")
# The same after a line break, found by a search for its literal "\n" first: "^" in
# MULTILINE mode tries every position of the mail, which cost the daemon's threads that
# feed the parsing workers ~0.2 ms a corpus mail (issue 18, benchmarks/worker_cpu.py).
_BASE64_HEADER_LINE = re.compile(rb"(?i)\ncontent-transfer-encoding:[ \t]*base64[ \t]*\r?(?=\n|\Z)")
# The part's declared type, as compat32 reads it: the first Content-Type header, folded
# or not; without one (or with no "/" in it) a part is text/plain, never hidden here.
_CONTENT_TYPE = re.compile(rb"(?im)^content-type:\s*([!#$%&'*+.^_`|~0-9a-z-]+)/")
_NOT_FILES = (b"text", b"message", b"multipart")
# A winmail.dat, by its type or its name: the files inside it are listed
# (attachments._tnef_members), so its body is not hidden below LARGE_MAIL_BYTES.
_TNEF = re.compile(rb"(?i)ms-tnef|winmail\.dat")


def large_single_part(raw: bytes) -> Message | None:
    """A large mail that is one part (no MIME structure), parsed without a list of lines.

    The stdlib parser splits a body into one str per line before it joins them: a
    40 MB text of short lines cost 1.27 GB and 18 s (benchmarks/listener_memory.py).
    Only the header section goes through the parser here; the body becomes the
    payload as the parser would have made it (ASCII, other bytes surrogate-escaped),
    in one piece. None: not large, multipart or base64 (then the parser does it all).
    """
    if len(raw) < LARGE_MAIL_BYTES:
        return None
    blank = BLANK_LINE.search(raw)
    if blank is None:
        return None
    msg = email.message_from_bytes(raw[: blank.end()], policy=email.policy.compat32)
    if not msg.keys() or msg.get_content_maintype() in ("multipart", "message"):
        return None
    if str(msg.get("Content-Transfer-Encoding", "")).strip().lower() == "base64":
        return None  # stub_large_base64 keeps those from the parser already
    # What the header parse consumed is exactly raw[:blank.end()] only when every line
    # before the blank one was a header line: else the parser found the body earlier.
    if payload_of(msg):
        return None
    msg.set_payload(raw[blank.end() :].decode("ascii", "surrogateescape"))
    return msg


def stub_large_base64(raw: bytes) -> tuple[bytes, dict[str, int]]:
    """Mail with its big base64 bodies replaced by markers, and each one's size.

    The stdlib parser holds a big mail as one str per line: a 27 MB attachment cost
    212 MB of memory for a moment (benchmarks/backlog_memory.py). We never decode
    attachments (the raw mail is what is stored), so the parser need not see them.
    Hidden: in a mail of LARGE_MAIL_BYTES or more, every base64 body of _STUB_MIN or
    more (as since issue 18's first pass); in any mail, a base64 body of _FILE_STUB_MIN
    or more whose part is declared neither text nor a message.
    Only byte searches here: no copy of the big parts is made.
    """
    large = len(raw) >= LARGE_MAIL_BYTES
    if not large and len(raw) < _FILE_STUB_MIN:
        return raw, {}
    pieces: list[bytes] = []
    sizes: dict[str, int] = {}
    position = 0
    files = FileParts(raw)
    for body in base64_bodies(raw):
        start, end = body.start, body.end
        if start < position:
            continue
        big = large and end - start >= _STUB_MIN  # hidden whatever its part declares
        if not big and (end - start < _FILE_STUB_MIN or not files.holds(body)):
            continue
        tail = raw[max(start, end - 8) : end]
        marker = f"{STUB}{len(sizes)}"
        sizes[marker] = _decoded_size(end - start - _white_space(raw, start, end), tail)
        pieces += [raw[position:start], marker.encode(), b"\r\n"]
        position = end
    if not sizes:
        return raw, {}
    pieces.append(raw[position:])
    return b"".join(pieces), sizes


def base64_headers(raw: bytes) -> Iterator[tuple[int, int]]:
    """Where each line declaring a base64 body starts and ends, the places that
    `_BASE64_HEADER.finditer(raw)` finds, found faster (_BASE64_HEADER_LINE)."""
    first = _BASE64_HEADER.match(raw)
    if first is not None:
        yield first.start(), first.end()
    for found in _BASE64_HEADER_LINE.finditer(raw):
        yield found.start() + 1, found.end()


class Base64Body(NamedTuple):
    """A body declared base64: where its Content-Transfer-Encoding line starts, where
    its header section's blank line starts, and the body's bytes raw[start:end] (to its
    next boundary line, or the end of the mail)."""

    header: int
    blank: int
    start: int
    end: int


def base64_bodies(raw: bytes) -> Iterator[Base64Body]:
    """Each body `raw` declares base64, in order, found by byte searches only (a body
    found inside an earlier one's span is the caller's to skip: it knows which it
    replaced)."""
    for header_start, header_end in base64_headers(raw):
        blank = blank_line_span(raw, header_end)
        if blank is None:
            continue
        end = next_boundary(raw, blank[1])  # "-" is not base64
        yield Base64Body(header_start, blank[0], blank[1], len(raw) if end < 0 else end + 1)


class FileParts:
    """Asks, of the base64 bodies of one mail in order, whether each is a file's:
    declared a type other than text or message, with no attached message's
    Content-Type before it (whose parts the parser must read as it reads them). The
    mail before each body is searched for an attached message once, not again for
    every body."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self._attached = False  # an attached message's Content-Type in raw[:_searched]
        self._searched = 0

    def holds(self, body: Base64Body) -> bool:
        if not self._attached and self._searched < body.header:
            self._attached = attached_message(self.raw, self._searched, body.header)
            self._searched = body.header
        return not self._attached and is_file_part(self.raw, body.header, body.blank)


def next_boundary(raw: bytes, start: int) -> int:
    """raw.find(b"\\n--", start), found by its first "-" (one memchr over a base64 body,
    which has none) rather than by the three bytes, whose search stops at each of the
    body's line ends: ~0.35 of a 470 KB attachment's ~1.6 ms slim copy (issue 18).
    A "\\n--" at or after `start` has its first "-" at start + 1 or later; if the first
    such "-" does not begin one, none begins before it."""
    dash = raw.find(b"-", start + 1)
    if dash < 0 or raw[dash - 1 : dash + 2] == b"\n--":
        return dash - 1 if dash >= 0 else -1
    return raw.find(b"\n--", dash)


def is_file_part(raw: bytes, header: int, blank: int) -> bool:
    """Whether the part whose Content-Transfer-Encoding line starts at `header` (its
    header section ending at `blank`) is declared a type other than text or message
    (the caller has seen no attached message's Content-Type before it)."""
    begin = raw.rfind(b"\n--", 0, header) + 1  # its boundary line; none: the mail's headers
    return _declares_file(raw, begin, header, blank)


def _declares_file(section: bytes, begin: int, header: int, blank: int) -> bool:
    """is_file_part's test of the part's header section, `section[begin:blank]`: a blank line
    before the base64 header means that header is a line of a body (quoted in a text
    without a Content-Type, which is text/plain), not the part's own."""
    if BLANK_LINE.search(section, begin, header):
        return False
    if _TNEF.search(section, begin, blank):
        return False  # Outlook's winmail.dat: the parser reads it for the files inside
    declared = _CONTENT_TYPE.search(section, begin, blank)
    return declared is not None and declared.group(1).lower() not in _NOT_FILES


# A part after an attached message's Content-Type is left to the parser (whether inside
# that message or after it: byte searches cannot tell): the attachment's size is that
# message's bytes as the parser gives them back (attachments._size), which a hidden body
# would shrink to its marker (a 415 KB .eml counted 277 bytes).
_ATTACHED_MESSAGE = re.compile(rb"(?i)content-type:[ \t]*message/rfc822")
# The same after a line break: the literal "\n" first lets the search skip ahead, 13x
# faster than a "^" in MULTILINE mode over a 5 MB mail (1.9 against 25.9 ms).
_ATTACHED_MESSAGE_LINE = re.compile(rb"(?i)\ncontent-type:[ \t]*message/rfc822")


def attached_message(raw: bytes, begin: int, end: int) -> bool:
    """Whether a line declaring an attached message starts in raw[begin:end], where
    `end` starts a line (a base64 header's): such a line ends before `end`, so only the
    mail before the base64 part is searched, not the whole mail after it (the
    attachment's body: ~0.23 ms of a 470 KB one, issue 18). `begin`, where an earlier
    search stopped, starts a line too (or is 0)."""
    if begin == 0 and _ATTACHED_MESSAGE.match(raw, 0, end):
        return True
    return _ATTACHED_MESSAGE_LINE.search(raw, max(0, begin - 1), end) is not None


# Line starts that stub_large_base64 looks for: a base64 Content-Transfer-Encoding
# header, a blank line (the end of a header section), a boundary ("--") and an attached
# message's Content-Type (_ATTACHED_MESSAGE).
_LINE_MARKS = re.compile(
    rb"(?im)^(?:(content-transfer-encoding:[ \t]*base64[ \t]*\r?$)|(\r?\n)|(--)|"
    rb"(content-type:[ \t]*message/rfc822))"
)


def stub_spooled(raw: SpooledMail) -> tuple[bytes, dict[str, int]]:
    """stub_large_base64 of a spooled mail, read a chunk at a time: the same markers,
    sizes and bytes as stub_large_base64(raw.read()) gives, without the mail in memory.

    One pass finds where the lines that decide it start (_LINE_MARKS); then each base64
    header is judged as stub_large_base64 judges it, by those places, reading back only
    a header section and the hidden bodies' ends. The slim copy is read from the file.
    """
    large = len(raw) >= LARGE_MAIL_BYTES
    if not large and len(raw) < _FILE_STUB_MIN:
        return raw.read(), {}
    headers, blanks, boundaries, messages = _line_marks(raw)
    blank_starts = [start for start, _end in blanks]
    pieces: list[bytes] = []
    sizes: dict[str, int] = {}
    position = 0
    for header in headers:
        # BLANK_LINE.search from the header's end: the first blank line after it.
        index = bisect.bisect_right(blank_starts, header)
        if index == len(blanks):
            continue
        blank_start, start = blanks[index]
        if start < position:
            continue
        # raw.find(b"\n--", start) + 1: the first boundary whose "\n" is at start or later.
        after = bisect.bisect_left(boundaries, start + 1)
        end = boundaries[after] if after < len(boundaries) else len(raw)
        if not (large and end - start >= _STUB_MIN) and not (
            end - start >= _FILE_STUB_MIN
            and _spooled_is_file(raw, boundaries, messages, header, blank_start)
        ):
            continue
        tail = raw.read_at(max(start, end - 8), end - max(start, end - 8))
        marker = f"{STUB}{len(sizes)}"
        white = sum(_white_space(chunk, 0, len(chunk)) for chunk in raw.chunks(start, end))
        sizes[marker] = _decoded_size(end - start - white, tail)
        pieces += [raw.read_at(position, start - position), marker.encode(), b"\r\n"]
        position = end
    if not sizes:
        return raw.read(), {}
    pieces.append(raw.read_at(position, len(raw) - position))
    return b"".join(pieces), sizes


def _line_marks(
    raw: SpooledMail,
) -> tuple[list[int], list[tuple[int, int]], list[int], list[int]]:
    """Where the base64 headers start, where the blank lines start and end, where the
    lines starting with "--" start (not the mail's first line: "\\n--" is looked for),
    and where an attached message's Content-Type lines start."""
    headers: list[int] = []
    blanks: list[tuple[int, int]] = []
    boundaries: list[int] = []
    messages: list[int] = []
    offset = 0  # of `carry`'s first byte: the start of a line
    carry = b""
    chunks = raw.chunks()
    while True:
        chunk = next(chunks, None)
        data = carry + chunk if chunk is not None else carry
        # Whole lines only (the last line of the mail as it is), so ^ and $ are the
        # lines' own; a line longer than a chunk is carried until it ends.
        cut = len(data) if chunk is None else data.rfind(b"\n") + 1
        for mark in _LINE_MARKS.finditer(data, 0, cut):
            at = offset + mark.start()
            if mark.group(1) is not None:
                headers.append(at)
            elif mark.group(2) is not None:
                blanks.append((at, offset + mark.end()))
            elif mark.group(4) is not None:
                messages.append(at)
            elif at > 0:
                boundaries.append(at)
        if chunk is None:
            return headers, blanks, boundaries, messages
        carry = data[cut:]
        offset += cut


def _spooled_is_file(
    raw: SpooledMail, boundaries: list[int], messages: list[int], header: int, blank: int
) -> bool:
    """is_file_part of a spooled mail: the section from the last boundary line before the
    header (else the mail's start) up to its blank line, read back and searched."""
    if messages and messages[0] < header:
        return False
    before = bisect.bisect_left(boundaries, header)
    begin = boundaries[before - 1] if before else 0
    section = raw.read_at(begin, blank - begin)
    return _declares_file(section, 0, header - begin, len(section))


def _white_space(buffer: bytes, start: int, end: int) -> int:
    """The white space in buffer[start:end], which in a base64 body is not data: line
    ends, and spaces and tabs (some encoders leave one at each line's end), as
    attachments._size counts a body it does not decode. Deleted from a copy of a chunk
    at a time and the rest measured: one pass over the body, not a count of each of the
    four (half the CPU, ~0.4 ms of a 470 KB attachment, issue 18); at most _COUNT_CHUNK
    of the body copied at once."""
    outside = len(buffer) - (end - start)
    if len(buffer) <= _COUNT_CHUNK and outside <= _OUTSIDE_BYTES:
        # The body most of the buffer (a mail and its one attachment): the whole buffer
        # measured, less what is outside the body, so the body itself is not copied
        # first (~0.16 ms of a 470 KB attachment's ~0.55 with the daemon's malloc,
        # issue 18, daemon23).
        return _white_of(buffer) - _white_of(buffer[:start]) - _white_of(buffer[end:])
    white = 0
    for offset in range(start, end, _COUNT_CHUNK):
        piece = buffer[offset : min(end, offset + _COUNT_CHUNK)]
        white += len(piece) - len(piece.translate(None, _WHITE))
    return white


def _white_of(data: bytes) -> int:
    return len(data) - len(data.translate(None, _WHITE))


_COUNT_CHUNK = 1024 * 1024
_OUTSIDE_BYTES = 64 * 1024
_WHITE = b"\n\r \t"


def _decoded_size(data: int, tail: bytes) -> int:
    """The bytes a base64 body of `data` characters decodes to; "=" at the end of its
    last bytes (`tail`) is padding."""
    tail = tail.rstrip()
    return max(0, data * 3 // 4 - (len(tail) - len(tail.rstrip(b"="))))
