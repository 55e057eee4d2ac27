"""Large mail parsed without holding it line by line: a big one-part mail's body is
set as one piece, and big base64 bodies are hidden from the parser behind markers
(daemon/mail/mime_parts.py `is_stub`), their sizes counted from the bytes: in a large
mail every base64 body of 1 MB or more, in any mail a base64 file (not text, not a
message) of 256 KB or more."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import Message

from daemon.mail import LARGE_MAIL_BYTES
from daemon.mail.leading_junk import BLANK_LINE
from daemon.mail.mime_parts import STUB, payload_of

_STUB_MIN = 1024 * 1024
# A base64 file's body from this size on is hidden in any mail, not only a large one:
# the parser's lines of a 650 KB attachment cost a parsing worker ~6 MB at its peak
# (issue 18: its VmHWM counts in the daemon's memory). Only non-text parts: a text
# part may be the body a person reads, which the parser must see.
_FILE_STUB_MIN = 256 * 1024
_BASE64_HEADER = re.compile(rb"(?im)^content-transfer-encoding:[ \t]*base64[ \t]*\r?$")
# The part's declared type, as compat32 reads it: the first Content-Type header, folded
# or not; without one (or with no "/" in it) a part is text/plain, never hidden here.
_CONTENT_TYPE = re.compile(rb"(?im)^content-type:\s*([!#$%&'*+.^_`|~0-9a-z-]+)/")
_NOT_FILES = (b"text", b"message", b"multipart")


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
    for header in _BASE64_HEADER.finditer(raw):
        blank = BLANK_LINE.search(raw, header.end())
        if blank is None or blank.end() < position:
            continue
        start = blank.end()
        end = raw.find(b"\n--", start)  # the next boundary; "-" is not base64
        end = len(raw) if end < 0 else end + 1
        if not (large and end - start >= _STUB_MIN) and not (
            end - start >= _FILE_STUB_MIN and _is_file(raw, header.start(), blank.start())
        ):
            continue
        data = end - start - raw.count(b"\n", start, end) - raw.count(b"\r", start, end)
        tail = raw[max(start, end - 8) : end].rstrip()
        marker = f"{STUB}{len(sizes)}"
        sizes[marker] = max(0, data * 3 // 4 - (len(tail) - len(tail.rstrip(b"="))))
        pieces += [raw[position:start], marker.encode(), b"\r\n"]
        position = end
    if not sizes:
        return raw, {}
    pieces.append(raw[position:])
    return b"".join(pieces), sizes


def _is_file(raw: bytes, header: int, blank: int) -> bool:
    """Whether the part whose Content-Transfer-Encoding line starts at `header` (its
    header section ending at `blank`) is declared a type other than text or message."""
    begin = raw.rfind(b"\n--", 0, header)  # its boundary line; none: the mail's headers
    declared = _CONTENT_TYPE.search(raw, begin + 1, blank)
    return declared is not None and declared.group(1).lower() not in _NOT_FILES
