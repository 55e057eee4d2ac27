"""Header field values as text: encoded words decoded (RFC 2047), raw 8-bit bytes
recovered in the charset the mail most likely wrote them in, controls removed;
Message-IDs and dates read from their fields. Charsets are read as mail clients
read them (daemon/mail/charsets.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from email.header import decode_header
from email.message import Message
from email.utils import parsedate_to_datetime

from daemon.mail import charsets

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Runs of white space become one space, but not the ideographic space (U+3000): in
# Chinese and Japanese text it is a character of its own, as wide as an ideograph.
_WHITESPACE = re.compile(r"[^\S\u3000]+")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_MESSAGE_ID = re.compile(r"<[^<>\s\x00-\x1f\x7f]+>")  # no controls: PostgreSQL refuses NUL
SURROGATES = re.compile(r"[\udc80-\udcff]")
# Longest Message-ID we keep as such; anything longer is noise or an attack.
_MAX_ID = 998


class Headers:
    """Decoded, unfolded header values of one message (first occurrence of each name)."""

    def __init__(self, msg: Message, hints: Sequence[str] = ()) -> None:
        # The charsets the mail declares, to read raw 8-bit header bytes with.
        self.hints = hints
        self._raw: dict[str, str] = {}
        self._all: dict[str, list[str]] = {}
        self._order: list[tuple[str, str]] = []  # (lower-case name, value), top first
        for name, value in msg.raw_items():
            key, text = name.lower(), str(value)  # once, not thrice (issue 18)
            if key in self._all:
                self._all[key].append(text)
            else:
                self._raw[key] = text
                self._all[key] = [text]
            self._order.append((key, text))
        self._decoded: dict[str, str] = {}

    def all(self, name: str) -> list[str]:
        """Every occurrence, unfolded (Received, Authentication-Results)."""
        return [unfolded(value) for value in self._all.get(name.lower(), [])]

    def count(self, name: str) -> int:
        """How many fields of this name the mail has."""
        return len(self._all.get(name.lower(), ()))

    def in_order(self, *names: str) -> list[tuple[str, str]]:
        """Every field of these names as (lower-case name, unfolded value), topmost
        first: how trace fields interleave tells which hop wrote which (RFC 5322 3.6.7)."""
        wanted = {name.lower() for name in names}
        return [(name, unfolded(value)) for name, value in self._order if name in wanted]

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._raw

    def raw(self, name: str) -> str:
        """The value as written, unfolded, 8-bit bytes recovered as text."""
        return recovered(self._raw.get(name.lower(), ""), self.hints)

    def text(self, name: str) -> str:
        """The value decoded (RFC 2047) to clean text; "" when absent."""
        key = name.lower()
        if key not in self._raw:
            # What the lines below make of an absent field's "": most fields asked
            # about (automatic_reason's List-Id, X-Autoreply ...) are absent (issue 18).
            return ""
        if key not in self._decoded:
            self._decoded[key] = clean_text(decode_words(self.raw(name), self.hints))
        return self._decoded[key]


class HeadersLeftBehind(Headers):
    """In place of a mail's headers in a parsing worker's answer: `read` looked at them
    in the worker, and nothing after it does (parse() took out the fields the steps
    use). Pickled, they were ~41 KB of a corpus mail's ~44 KB answer, unpickled in the
    daemon's own thread (issue 18). A look at them is a bug, and says so."""

    def __init__(self) -> None:
        self.hints = ()

    def _gone(self) -> RuntimeError:
        return RuntimeError("the mail's headers stayed in the parsing worker (reading.py)")

    def all(self, name: str) -> list[str]:
        raise self._gone()

    def count(self, name: str) -> int:
        raise self._gone()

    def in_order(self, *names: str) -> list[tuple[str, str]]:
        raise self._gone()

    def __contains__(self, name: str) -> bool:
        raise self._gone()

    def raw(self, name: str) -> str:
        raise self._gone()

    def text(self, name: str) -> str:
        raise self._gone()


# The longest field value read: the standard library's decoders take time quadratic in
# a field's length (decode_header pops each encoded word from the front of a list, the
# parameter parser slices off the rest of the value for each parameter), so 3 MB of
# encoded words in a Subject took minutes. 64 KB holds a 1,500-entry References or
# Cc list and reads in milliseconds; the raw mail keeps every byte.
FIELD_MAX_CHARS = 1 << 16


def bound_fields(msg: Message) -> None:
    """Cut each header field value of every part of `msg` longer than FIELD_MAX_CHARS
    to its first and last halves of that, keeping the fields' order (the trace fields'
    order is evidence: domain/staff.py)."""
    for part in msg.walk():
        if all(len(value) <= FIELD_MAX_CHARS for _name, value in part.raw_items()):
            continue
        items = list(part.raw_items())
        for name in {name for name, _value in items}:
            del part[name]
        for name, value in items:
            part.set_raw(name, _cut(value) if len(value) > FIELD_MAX_CHARS else value)


def _cut(value: str) -> str:
    """`value`'s start and end, each cut at a blank (never inside an encoded word or an
    address): the end holds what a long field ends with, the address after a display
    name of megabytes, a boundary after thousands of parameters."""
    half = FIELD_MAX_CHARS // 2
    head = value[:half]
    tail = value[-half:]
    head = head[: max(head.rfind(" "), head.rfind("\t"), half // 2)]
    blanks = [i for i in (tail.find(" "), tail.find("\t")) if i >= 0]
    tail = tail[min(blanks, default=0) :]
    return f"{head} {tail.lstrip()}"


def decode_words(value: str, hints: Sequence[str] = ()) -> str:
    """RFC 2047 encoded words to text, each charset read as mail clients read it
    (gb2312 as GB18030, ...); unknown charsets degrade, never raise."""
    if "=?" not in value:
        return value
    try:
        chunks = _whole_characters(decode_header(value))
    except Exception:  # noqa: BLE001 - broken encoding
        return value
    # Spaced as email.header.Header spaces them: a space between an encoded word and
    # plain text unless one is there; none between adjacent encoded words.
    out: list[str] = []
    last_encoded = last_space = False
    for chunk, charset in chunks:
        encoded = charset not in (None, "us-ascii")
        if isinstance(chunk, str):
            text = chunk
        elif charset is None:
            # Plain text between encoded words: decode_header turned it to bytes with
            # raw-unicode-escape, which this reverses exactly.
            text = chunk.decode("raw-unicode-escape", "replace")
        else:
            text = charsets.decode(chunk, charset.split("*", 1)[0], hints)
        # From an encoded word to plain text: unless the text starts with a space;
        # from plain text to an encoded word: unless the text ended with one.
        spaced = _space_or_special(text[:1]) if last_encoded else last_space
        if out and encoded != last_encoded and not spaced:
            out.append(" ")
        last_space = _space_or_special(text[-1:])
        last_encoded = encoded
        out.append(text)
    return "".join(out)


def _whole_characters(
    chunks: list[tuple[bytes | str, str | None]],
) -> list[tuple[bytes | str, str | None]]:
    """`chunks` with adjacent encoded words joined where a character is cut across them.

    Adjacent encoded words are one text (RFC 2047 6.2), and decode_header joins them
    when their labels are the same string; two labels of one charset ("utf-8" and
    "utf8", one with a language "utf-8*da") were decoded apart, each half character
    a mark of another script. So are words whose bytes are UTF-8 only together.
    """
    out: list[tuple[bytes | str, str | None]] = []
    for chunk, charset in chunks:
        if out and isinstance(chunk, bytes) and charset not in (None, "us-ascii"):
            last, last_charset = out[-1]
            if isinstance(last, bytes) and last_charset not in (None, "us-ascii"):
                joined = _joined_charset(last, last_charset or "", chunk, charset or "")
                if joined is not None:
                    out[-1] = (last + chunk, joined)
                    continue
        out.append((chunk, charset))
    return out


def _joined_charset(first: bytes, first_label: str, second: bytes, label: str) -> str | None:
    """The charset two adjacent encoded words read in as one, or None to read them apart."""
    if charsets.codecs_for(first_label.split("*", 1)[0]) == charsets.codecs_for(
        label.split("*", 1)[0]
    ):
        return first_label
    try:
        first.decode("utf-8")
    except UnicodeDecodeError:
        try:
            (first + second).decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "utf-8"  # a UTF-8 character cut across the two, whatever their labels
    return None


def _space_or_special(char: str) -> bool:
    return char.isspace() or char in ("(", ")", "\\")


def decode_bytes(data: bytes, charset: str | None, hints: Sequence[str] = ()) -> str:
    return charsets.decode(data, charset, hints)


def guess_decode(data: bytes, hints: Sequence[str] = ()) -> str:
    """Bytes of undeclared charset (raw 8-bit headers) as text: UTF-8 if valid, else
    the mail's own declared charsets, else a detector held to Windows-1252 for short
    Latin text (daemon/mail/charsets.py); a wrong guess still keeps every byte in `raw`.
    """
    return charsets.guess(data, hints)


def clean_text(text: str) -> str:
    """Text safe to store anywhere: no NUL or other control characters, no lone surrogates."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return _CONTROL.sub("", text)


def one_line(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip(" ")


def unfolded(value: str) -> str:
    """`value` without its folds (_FOLD). Issue 18 (worker21): a fold holds a "\n",
    which most values lack; _FOLD, which may begin with "\r", was tried at each of
    their characters."""
    return _FOLD.sub("", value) if "\n" in value else value


def recovered(value: str, hints: Sequence[str] = ()) -> str:
    """A header field's value unfolded, 8-bit bytes recovered as text."""
    value = unfolded(value)
    # Undeclared 8-bit bytes (the parser kept them as surrogates), or raw ISO-2022-JP
    # (7-bit, with escape sequences), as old Japanese mailers write Subject and From.
    if SURROGATES.search(value) or "\x1b" in value:
        value = guess_decode(value.encode("utf-8", "surrogateescape"), hints)
    return value


def first_id(text: str) -> str | None:
    ids = all_ids(text)
    if ids:
        return ids[0]
    # Not <local@domain>: kept as text, but no control characters (PostgreSQL text
    # refuses NUL; a fuzzed Message-ID had one, and not even the rejection was stored).
    text = clean_text(text).strip()
    return text[:_MAX_ID] if text else None


def all_ids(text: str) -> list[str]:
    return [found for found in _MESSAGE_ID.findall(text) if len(found) <= _MAX_ID]


def date_of(text: str) -> datetime | None:
    if not text:
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):  # year 10**20, say
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
