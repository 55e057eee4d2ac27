"""The header section of raw mail, field by field, without parsing the message.

For the SMTP listener, which acts on a few header fields before the pipeline
parses the mail: it removes every Authentication-Results field on arrival (RFC
8601 section 5) and looks for DKIM signatures worth verifying. Lines end and
fields start where the stdlib parser (daemon/mail/parse.py) sees them, and all
that is not removed stays byte for byte.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# One line with its ending; the stdlib parser takes \r\n, \n and a lone \r.
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\n|\r)?")
# A field name as the stdlib parser takes it (email.feedparser headerRE).
_NAME = re.compile(rb"([\x21-\x39\x3b-\x7e]*):")


class Field(NamedTuple):
    name: bytes  # lower case; b"" for stray continuation lines at the very top
    start: int  # raw[start:end] is the whole field, continuation lines and line ends
    end: int

    def value(self, raw: bytes) -> bytes:
        """The field's value, unfolded, without the name and the colon."""
        text = raw[self.start : self.end]
        text = text.split(b":", 1)[1] if self.name else text
        return re.sub(rb"\r\n|\n|\r", b"", text).strip()


def header_fields(raw: bytes) -> list[Field]:
    """Every field of the header section, top first."""
    starts: list[tuple[bytes, int]] = []
    position = 0
    while position < len(raw):
        line = _LINE.match(raw, position)
        assert line is not None  # the pattern matches the empty string
        text = line.group()
        if not text.rstrip(b"\r\n"):
            break  # the blank line: the body follows
        if text[:1] in (b" ", b"\t"):
            if not starts:
                starts.append((b"", position))
        elif (name := _NAME.match(text)) is not None:
            starts.append((name[1].lower(), position))
        elif position == 0 and text.startswith(b"From "):
            starts.append((b"", position))  # an mbox envelope line: kept, not a field
        else:
            break  # not a header line: the stdlib parser starts the body here
        position = line.end()
    if not starts:
        return []
    ends = [start for _name, start in starts[1:]] + [position]
    return [Field(name, start, end) for (name, start), end in zip(starts, ends, strict=True)]


def without_fields(raw: bytes, *names: bytes, prefix: bytes = b"") -> bytes:
    """`raw` with every header field called one of `names` (lower case) removed, and
    `prefix` (whole header lines) put before it, in one copy at most."""
    dropped = [field for field in header_fields(raw) if field.name in names]
    if not dropped:
        return prefix + raw if prefix else raw
    pieces, kept_from = [prefix], 0
    for field in dropped:
        pieces.append(raw[kept_from : field.start])
        kept_from = field.end
    pieces.append(raw[kept_from:])
    return b"".join(pieces)


def return_path_field(mail_from: str) -> bytes:
    """The Return-Path line a final delivery puts on top of a mail (RFC 5321 4.4): the
    envelope sender, `<>` for a bounce."""
    address = "".join(ch for ch in mail_from if ch not in "<>\r\n\0" and ch.isprintable())
    return b"Return-Path: <" + address.encode("utf-8", "surrogateescape") + b">\r\n"
