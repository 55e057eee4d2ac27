"""Bytes -> ParsedMail: decoded headers, a plain-text body and the attachment list.

Mail from the wild is often broken (undeclared, unknown or false charsets, raw 8-bit
headers, junk before the header section, bad folding, malformed MIME). Everything here
degrades to a readable best effort instead of raising; only bytes in which no sender
can be found anywhere are refused (ParseError), and the caller keeps those raw as a
rejection. Charsets are read as mail clients read them (daemon/mail/charsets.py).

The MIME tree comes from the stdlib parser with the compat32 policy, and the few
headers we need are decoded here with the stdlib's RFC 2047/2231 functions.
`policy.default` gives the same results through its header registry, but it parses
every header it touches into objects, which profiling showed to be half the cost
of ingesting a mail; the test corpus holds both policies to the same output.
"""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import decode_header
from email.headerregistry import HeaderRegistry
from email.message import Message
from email.utils import collapse_rfc2231_value, getaddresses, parsedate_to_datetime
from typing import Any, overload

from daemon.mail import LARGE_MAIL_BYTES, charsets
from daemon.mail.calendar_text import invitation_text
from daemon.mail.html_text import CUT_TEXT, TEXT_LIMIT, html_to_text

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Runs of white space become one space, but not the ideographic space (U+3000): in
# Chinese and Japanese text it is a character of its own, as wide as an ideograph.
_WHITESPACE = re.compile(r"[^\S\u3000]+")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_MESSAGE_ID = re.compile(r"<[^<>\s\x00-\x1f\x7f]+>")  # no controls: PostgreSQL refuses NUL
_SURROGATES = re.compile(r"[\udc80-\udcff]")
_STUB = "OO-STUBBED-BASE64-"
_STUB_MIN = 1024 * 1024
_BASE64_HEADER = re.compile(rb"(?im)^content-transfer-encoding:[ \t]*base64[ \t]*\r?$")
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
# Attachments larger than this (encoded) are measured without decoding them.
_DECODE_LIMIT = 1024 * 1024
# Longest Message-ID we keep as such; anything longer is noise or an attack.
_MAX_ID = 998


class ParseError(Exception):
    """The mail cannot become a case; the message says why."""


@dataclass(frozen=True)
class Attachment:
    part_index: int
    filename: str
    content_type: str
    size: int


class Headers:
    """Decoded, unfolded header values of one message (first occurrence of each name)."""

    def __init__(self, msg: Message, hints: Sequence[str] = ()) -> None:
        # The charsets the mail declares, to read raw 8-bit header bytes with.
        self.hints = hints
        self._raw: dict[str, str] = {}
        self._all: dict[str, list[str]] = {}
        self._order: list[tuple[str, str]] = []  # (lower-case name, value), top first
        for name, value in msg.raw_items():
            self._raw.setdefault(name.lower(), str(value))
            self._all.setdefault(name.lower(), []).append(str(value))
            self._order.append((name.lower(), str(value)))
        self._decoded: dict[str, str] = {}

    def all(self, name: str) -> list[str]:
        """Every occurrence, unfolded (Received, Authentication-Results)."""
        return [_FOLD.sub("", value) for value in self._all.get(name.lower(), [])]

    def in_order(self, *names: str) -> list[tuple[str, str]]:
        """Every field of these names as (lower-case name, unfolded value), topmost
        first: how trace fields interleave tells which hop wrote which (RFC 5322 3.6.7)."""
        wanted = {name.lower() for name in names}
        return [(name, _FOLD.sub("", value)) for name, value in self._order if name in wanted]

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._raw

    def raw(self, name: str) -> str:
        """The value as written, unfolded, 8-bit bytes recovered as text."""
        return _recovered(self._raw.get(name.lower(), ""), self.hints)

    def text(self, name: str) -> str:
        """The value decoded (RFC 2047) to clean text; "" when absent."""
        key = name.lower()
        if key not in self._decoded:
            self._decoded[key] = clean_text(decode_words(self.raw(name), self.hints))
        return self._decoded[key]


@dataclass(frozen=True)
class ParsedMail:
    message_id: str | None
    in_reply_to: str | None
    references: list[str]
    subject: str
    from_addr: str
    from_name: str
    to: list[str]
    cc: list[str]
    date: datetime | None
    body_text: str
    attachments: list[Attachment]
    # For rules that look at further headers (auto-replies, authentication results).
    headers: Headers = field(repr=False, compare=False)
    sender_ambiguous: bool = False  # see Sender.ambiguous

    @property
    def sender_domain(self) -> str:
        return self.from_addr.rpartition("@")[2]


def parse(raw: bytes, envelope_sender: str | None = None) -> ParsedMail:
    """`raw` as a mail; `envelope_sender` (SMTP MAIL FROM) is the sender of last resort."""
    if not raw or raw.isspace():  # not raw.strip(): that copies a 60 MB mail
        raise ParseError("empty message")
    if raw[:1].isspace() or raw.startswith(_BOM):  # rare: the copy is affordable
        raw = raw.removeprefix(_BOM).lstrip()
    headed = _without_leading_junk(raw)
    msg = _large_single_part(headed)
    stub_sizes: dict[str, int] = {}
    if msg is None:
        stubbed, stub_sizes = _stub_large_base64(headed)
        msg = email.message_from_bytes(stubbed, policy=email.policy.compat32)
    if not msg.keys():
        msg = _headerless(raw, envelope_sender)
    hints = _DeclaredCharsets(msg)
    headers = Headers(msg, hints)
    sender = _sender(headers)  # "" when there is none; the pipeline decides
    if not sender.address:  # From unreadable or lost (a junk line ended the headers)
        sender = Sender("", _sender_in_text(raw) or _address(envelope_sender or "", True))
    body_part = _body_part(msg)
    return ParsedMail(
        message_id=_first_id(headers.raw("Message-ID")),
        in_reply_to=_first_id(headers.raw("In-Reply-To")),
        references=_all_ids(headers.raw("References")),
        subject=_one_line(headers.text("Subject")),
        from_addr=sender.address,
        from_name=sender.name,
        sender_ambiguous=sender.ambiguous,
        to=_addresses(headers, "To"),
        cc=_addresses(headers, "Cc"),
        date=_date(headers.raw("Date")),
        body_text=_with_invitation(_body_text(body_part, hints), msg, body_part, hints),
        attachments=list(_attachments(msg, body_part, stub_sizes, hints)),
        headers=headers,
    )


def dedupe_key(message_id: str | None, sender: str, raw: bytes) -> str:
    """The identity of an inbound mail: its Message-ID, sender and content, else its
    exact bytes.

    A Message-ID alone is not an identity: scanners and some mailers reuse theirs, and
    anyone who saw one (a Cc'd stranger) can send another mail under it; keyed by the
    Message-ID only, that mail vanished as a "duplicate". With the sender and the body
    (everything after the header section: text and attachments, line endings
    normalised) in the key, only a true re-delivery is a duplicate, however its trace
    headers differ (Received, Authentication-Results, a spam score).
    """
    if not message_id:
        return "sha:" + hashlib.sha256(raw).hexdigest()
    digest = hashlib.sha256()
    digest.update(message_id.encode("utf-8", "replace") + b"\n")
    digest.update(sender.strip().lower().encode("utf-8", "replace") + b"\n")
    end = _BLANK_LINE.search(raw)
    body = memoryview(raw)[end.end() if end else len(raw) :]
    # In chunks: a 60 MB mail is hashed without a second copy of it. The same bytes
    # always give the same key; a copy converted between CR LF and LF does too, unless
    # a CR LF falls across a chunk boundary (then it counts as a new mail: kept, not
    # lost).
    for start in range(0, len(body), _HASH_CHUNK):
        digest.update(bytes(body[start : start + _HASH_CHUNK]).replace(b"\r\n", b"\n"))
    return "mid:" + digest.hexdigest()


_HASH_CHUNK = 1 << 20


def sniff_message_id(raw: bytes) -> str | None:
    """The Message-ID of a mail that could not be parsed, for its dedupe key."""
    end = _BLANK_LINE.search(raw)  # the header section only: split() would copy the body
    head = raw[: end.start()] if end else raw[:65536]
    match = re.search(
        rb"^message-id:[ \t]*(<[^<>\s\x00-\x1f\x7f]+>)", head, re.IGNORECASE | re.MULTILINE
    )
    return match.group(1).decode("ascii", "replace") if match else None


def decode_words(value: str, hints: Sequence[str] = ()) -> str:
    """RFC 2047 encoded words to text, each charset read as mail clients read it
    (gb2312 as GB18030, ...); unknown charsets degrade, never raise."""
    if "=?" not in value:
        return value
    try:
        chunks = decode_header(value)
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


_READ_FIELDS = frozenset({"from", "subject", "to", "cc", "reply-to", "sender"})
_WORD_CHARSET = re.compile(r"=\?([^?*\s]+)(?:\*[^?]*)?\?[bBqQ]\?")


class _DeclaredCharsets(Sequence[str]):
    """Every charset the mail's parts declare, in order; UTF-8 and ASCII left out
    (UTF-8 is tried first anyway, ASCII says nothing of 8-bit bytes). Looked up only
    when bytes of no declared charset need them: most mail has none."""

    def __init__(self, msg: Message) -> None:
        self._msg = msg
        self._found: list[str] | None = None

    def _charsets(self) -> list[str]:
        if self._found is None:
            found: list[str] = []
            for part in self._msg.walk():
                charset = param(part, "charset")
                if charset and charset.lower() not in found:
                    found.append(charset.lower())
            # The charsets of the encoded words in its header fields too: a client that
            # encodes the Subject in gb2312 writes the name beside it in raw GBK.
            for _name, value in self._msg.raw_items():
                for label in _WORD_CHARSET.findall(str(value)):
                    if label.lower() not in found:
                        found.append(label.lower())
            self._found = [c for c in found if charsets.codecs_for(c)[:1] not in (("utf-8",), ())]
            # Then the charset the raw 8-bit bytes of its header fields read in, taken
            # together: one client wrote them all, and more text is guessed better.
            guessed = charsets.undeclared_codec(self._raw_header_bytes())
            if guessed and guessed not in self._found:
                self._found.append(guessed)
        return self._found

    def _raw_header_bytes(self) -> bytes:
        values = [
            str(value).encode("utf-8", "surrogateescape")
            for name, value in self._msg.raw_items()
            if name.lower() in _READ_FIELDS
        ]
        return b"\n".join(value for value in values if not value.isascii())

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._charsets()[index]

    def __len__(self) -> int:
        return len(self._charsets())


# A header field's first line: a name of printable ASCII but ":" and space, then ":".
_FIELD = re.compile(rb"[!-9;-~]+[ \t]*:")
_JUNK_LINES = 8  # lines of junk before the header section we step over


def _without_leading_junk(raw: bytes) -> bytes:
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
    rest = _without_leading_junk(raw[position:])
    if len(rest) == len(raw) - position:
        return raw  # no header section below the junk either: the parser decides
    return raw[:position] + rest


_KNOWN_FIELDS = re.compile(
    rb"(?im)^(?:from|to|subject|date|message-id|received|return-path|mime-version"
    rb"|content-type|sender|reply-to)[ \t]*:"
)


def _looks_like_header_section(raw: bytes, start: int) -> bool:
    end = _BLANK_LINE.search(raw, start)
    head = raw[start : end.start() if end else min(len(raw), start + 65536)]
    return _KNOWN_FIELDS.search(head) is not None


_BOM = b"\xef\xbb\xbf"
_SENDER_LINE = re.compile(
    rb"(?im)^(?:>?from[ \t]+(?P<envelope>[^\s@]+@[^\s@]+)[ \t]|(?:from|sender|return-path)"
    rb"[ \t]*:[ \t]*(?P<field>[^\r\n]*@[^\r\n]*))"
)


def _sender_in_text(raw: bytes) -> str:
    """The first sender named anywhere in the mail's first 64 KB: a From, Sender or
    Return-Path field, an mbox "From " line, a Received field's envelope-from; ""."""
    for pattern in (_SENDER_LINE, _ENVELOPE_FROM):
        match = pattern.search(raw, 0, 65536)
        if match is not None:
            found = guess_decode(next(g for g in match.groups() if g).strip())
            mailboxes = _mailboxes(found, keep_case=True)
            if mailboxes and "@" in mailboxes[0][1]:
                return mailboxes[0][1]
    return ""


_ENVELOPE_FROM = re.compile(rb"(?i)envelope-from[ \t]*[<=][ \t]*<?([^\s<>@;]+@[^\s<>;]+)")


def _headerless(raw: bytes, envelope_sender: str | None) -> Message:
    """A mail without a readable header section as a message of its text alone, with
    the sender it names somewhere (an mbox "From " line, a From field lost in the text)
    or the envelope's; ParseError when there is no sender anywhere."""
    sender = _sender_in_text(raw) or envelope_sender or ""
    if "@" not in sender:
        raise ParseError("no header section found")
    msg = Message()
    msg["From"] = sender
    msg.set_payload(guess_decode(raw))
    return msg


def clean_text(text: str) -> str:
    """Text safe to store anywhere: no NUL or other control characters, no lone surrogates."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return _CONTROL.sub("", text)


def _one_line(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip(" ")


@dataclass(frozen=True)
class Sender:
    name: str
    address: str  # "" when the mail names none
    # The From field(s) name more than one mailbox, or a name that is itself an address
    # other than the one in angle brackets: which one sent it is a guess.
    ambiguous: bool = False


def _sender(headers: Headers) -> Sender:
    """Who sent the mail, read as mail clients and DMARC read it.

    From first (every From field, if a relay duplicated it), then Sender, Reply-To and
    Return-Path for mail that has no usable From. In `bo@kunde.dk <x@evil.example>` the
    address is the one in angle brackets (what Outlook shows and DMARC checks); the
    text before it is only a name, and such a From is ambiguous.
    """
    found: list[tuple[str, str]] = []
    ambiguous = False
    for value in headers.all("From"):
        value = _recovered(value, headers.hints)
        pairs = [
            (name, addr)
            for name, addr in _mailboxes(value, headers.hints, keep_case=True)
            if "@" in addr
        ]
        angle = _ANGLE_ADDR.findall(_COMMENTS_AND_QUOTES.sub(" ", value))
        if len(angle) == 1:  # the one address in angle brackets is the sender
            addr = _address(angle[0], keep_case=True)
            named = next((n for n, a in pairs if a == addr and n), "")
            named = named or decode_words(value.split("<", 1)[0], headers.hints)
            name = _one_line(clean_text(named)).strip('"')
            ambiguous = ambiguous or any(a.lower() != addr.lower() for _n, a in pairs)
            ambiguous = ambiguous or "@" in name
            pairs = [(name, addr)] if addr else []
        elif len(pairs) > 1 or len(angle) > 1:
            ambiguous = True
        found += pairs
    if found:
        name, addr = found[0]
        if not name:  # the old form: bo@kunde.dk (Bo Hansen)
            comment = _COMMENT.search(_recovered(headers.all("From")[0], headers.hints))
            decoded = decode_words(comment.group(1), headers.hints) if comment else ""
            name = _one_line(clean_text(decoded))
        ambiguous = ambiguous or len({a.lower() for _n, a in found}) > 1
        return Sender(name, addr, ambiguous)
    for header in ("Sender", "Reply-To", "Return-Path"):
        for name, addr in _address_pairs(headers, header, keep_case=True):
            if "@" in addr:
                return Sender(name, addr)
    return Sender("", "")


_ANGLE_ADDR = re.compile(r"<\s*([^<>\s@]+@[^<>\s@]+?)\s*>")
# Quoted strings and comments, where angle brackets are only text.
_COMMENTS_AND_QUOTES = re.compile(r'"(?:[^"\\]|\\.)*"|\((?:[^()\\]|\\.)*\)')
_COMMENT = re.compile(r"\(((?:[^()\\]|\\.)+)\)")
_REGISTRY = HeaderRegistry()
_REGISTRY_MAX_CHARS = 16_384


def _recovered(value: str, hints: Sequence[str] = ()) -> str:
    """A header field's value unfolded, 8-bit bytes recovered as text."""
    value = _FOLD.sub("", value)
    # Undeclared 8-bit bytes (the parser kept them as surrogates), or raw ISO-2022-JP
    # (7-bit, with escape sequences), as old Japanese mailers write Subject and From.
    if _SURROGATES.search(value) or "\x1b" in value:
        value = guess_decode(value.encode("utf-8", "surrogateescape"), hints)
    return value


def _mailboxes(
    value: str, hints: Sequence[str] = (), keep_case: bool = False
) -> list[tuple[str, str]]:
    """(display name, address) of each mailbox in an address list.

    The standard library's header parser first: it decodes encoded words as whole
    tokens, so `=?UTF-8?Q?Andreas,=20M=C3=BCller?=` stays one name (split at its comma
    before decoding, it became two broken addresses). getaddresses for what it cannot
    read.
    """
    # Only where it matters: the header parser builds a token tree of the whole field,
    # which for 10,000 recipients costs ~80 MB and seconds; plain lists need none of it.
    found: list[tuple[str, str]] = []
    if "=?" in value and len(value) <= _REGISTRY_MAX_CHARS:
        try:
            header = _REGISTRY("To", _as_utf8_words(value, hints))
            found = [(a.display_name, a.addr_spec) for a in header.addresses]  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - pathological address lists
            found = []
    if any("<" in addr for _display, addr in found):
        # A whole mailbox in one encoded word (`=?utf-8?Q?Hans_=3Chans@firma.de=3E?=`,
        # from scripts that encode the From field whole): the parser takes it for a
        # name and its quoted text for the address; the address is in the decoded text.
        value = decode_words(value, hints)
        found = []
    if not found:
        try:
            found = getaddresses([value])
        except Exception:  # noqa: BLE001
            found = []
    pairs = []
    for display, addr in found:
        addr = _address(addr, keep_case)
        if addr:
            pairs.append((_one_line(clean_text(decode_words(display, hints))), addr))
    return pairs


# A run of encoded words with only white space between them (RFC 2047 6.2: decoded
# as one text, so a character cut across two words is whole again).
_ENCODED_RUN = re.compile(
    r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=(?:[ \t]+=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)*"
)


def _as_utf8_words(value: str, hints: Sequence[str]) -> str:
    """`value` with each run of encoded words decoded our way (gb2312 as GB18030, ...)
    and encoded again as one UTF-8 word, for the header parser, which reads labels
    strictly."""

    def utf8_word(run: re.Match[str]) -> str:
        text = clean_text(decode_words(run.group(0), hints))
        return "=?utf-8?b?" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "?="

    return _ENCODED_RUN.sub(utf8_word, value)


def _address(addr: str, keep_case: bool = False) -> str:
    """The address as sent, its domain in lower case; with keep_case False all of it
    in lower case (recipient lists, which the pipeline compares as keys)."""
    addr = clean_text(addr).strip().strip("<>")
    # A local part is case-sensitive (RFC 5321 2.4): Bo.Hansen@ is shown as sent;
    # comparisons elsewhere fold case themselves. Domains have no case.
    local, at, domain = addr.rpartition("@")
    addr = f"{local if keep_case else local.lower()}{at}{domain.lower()}"
    # RFC 5321 limits: longer ones are not addresses anyone can answer.
    if len(addr) > 320 or len(addr.rpartition("@")[2]) > 255:
        return ""
    return addr


def _address_pairs(
    headers: Headers, name: str, keep_case: bool = False
) -> list[tuple[str, str]]:
    value = headers.raw(name)
    return _mailboxes(value, headers.hints, keep_case) if value else []


def _addresses(headers: Headers, name: str) -> list[str]:
    return [addr for _display, addr in _address_pairs(headers, name) if "@" in addr]


def _first_id(text: str) -> str | None:
    ids = _all_ids(text)
    if ids:
        return ids[0]
    # Not <local@domain>: kept as text, but no control characters (PostgreSQL text
    # refuses NUL; a fuzzed Message-ID had one, and not even the rejection was stored).
    text = clean_text(text).strip()
    return text[:_MAX_ID] if text else None


def _all_ids(text: str) -> list[str]:
    return [found for found in _MESSAGE_ID.findall(text) if len(found) <= _MAX_ID]


def _date(text: str) -> datetime | None:
    if not text:
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):  # year 10**20, say
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _body_part(msg: Message) -> Message | None:
    """The part a person reads: the first inline text/plain, else the first inline HTML."""
    # is_multipart(), not get_payload(): without decode=True, compat32 decodes 8-bit
    # text with the raw charset parameter, which can be an RFC 2231 tuple (TypeError).
    if msg.get_content_type() == "message/rfc822" and msg.is_multipart():
        inner = msg.get_payload(0)
        if isinstance(inner, Message):
            return _body_part(inner)  # a bare forward: the inner message is the content
    if msg.get_content_maintype() == "multipart" and not msg.is_multipart():
        return msg  # boundary missing or wrong: the text between the headers and EOF is it
    html = other = None
    for part in _leaf_parts(msg):
        # Like get_body(): only an explicit "attachment" disposition rules a text part out.
        if part.get_content_maintype() != "text" or _disposition(part) == "attachment":
            continue
        subtype = part.get_content_subtype()
        if subtype == "plain":
            return part
        if subtype == "html" and html is None:
            html = part
        elif other is None:
            other = part
    return html or other


def _body_text(part: Message | None, hints: Sequence[str] = ()) -> str:
    if part is None:
        return ""
    text = decode_text(part, hints).replace("\r\n", "\n")
    if part.get_content_type() == "text/html":
        return clean_text(html_to_text(text)).strip()  # cut to TEXT_LIMIT there
    text = clean_text(text).strip()
    if len(text) > TEXT_LIMIT:
        # As for HTML: a person reads no further, and 28 MB of text would be copied
        # into every process and statement that handles the message. The raw mail
        # is kept whole.
        text = text[:TEXT_LIMIT].rstrip() + "\n\n" + CUT_TEXT
    return text


def _large_single_part(raw: bytes) -> Message | None:
    """A large mail that is one part (no MIME structure), parsed without a list of lines.

    The stdlib parser splits a body into one str per line before it joins them: a
    40 MB text of short lines cost 1.27 GB and 18 s (benchmarks/listener_memory.py).
    Only the header section goes through the parser here; the body becomes the
    payload as the parser would have made it (ASCII, other bytes surrogate-escaped),
    in one piece. None: not large, multipart or base64 (then the parser does it all).
    """
    if len(raw) < LARGE_MAIL_BYTES:
        return None
    blank = _BLANK_LINE.search(raw)
    if blank is None:
        return None
    msg = email.message_from_bytes(raw[: blank.end()], policy=email.policy.compat32)
    if not msg.keys() or msg.get_content_maintype() in ("multipart", "message"):
        return None
    if str(msg.get("Content-Transfer-Encoding", "")).strip().lower() == "base64":
        return None  # _stub_large_base64 keeps those from the parser already
    # What the header parse consumed is exactly raw[:blank.end()] only when every line
    # before the blank one was a header line: else the parser found the body earlier.
    if payload_of(msg):
        return None
    msg.set_payload(raw[blank.end() :].decode("ascii", "surrogateescape"))
    return msg


def _with_invitation(
    body: str, msg: Message, body_part: Message | None, hints: Sequence[str]
) -> str:
    """The body, with when and where of a calendar invitation the mail carries: the
    text part of a meeting request often holds only its description."""
    calendar = next(
        (p for p in _leaf_parts(msg) if p.get_content_type() == "text/calendar"), None
    )
    if calendar is None or _is_stub(calendar):
        return body
    summary = clean_text(invitation_text(decode_text(calendar, hints))).strip()
    if calendar is body_part:
        return summary or body  # the bare iCalendar text only when no event is in it
    return f"{body}\n\n{summary}".strip() if summary else body


def _stub_large_base64(raw: bytes) -> tuple[bytes, dict[str, int]]:
    """Big mail with its large base64 bodies replaced by markers, and each one's size.

    The stdlib parser holds a big mail as one str per line: a 27 MB attachment cost
    212 MB of memory for a moment (benchmarks/backlog_memory.py). We never decode
    attachments (the raw mail is what is stored), so the parser need not see them.
    Only byte searches here: no copy of the big parts is made.
    """
    if len(raw) < LARGE_MAIL_BYTES:  # its base64 bodies of 1 MB or more are hidden
        return raw, {}
    pieces: list[bytes] = []
    sizes: dict[str, int] = {}
    position = 0
    for header in _BASE64_HEADER.finditer(raw):
        blank = _BLANK_LINE.search(raw, header.end())
        if blank is None or blank.end() < position:
            continue
        start = blank.end()
        end = raw.find(b"\n--", start)  # the next boundary; "-" is not base64
        end = len(raw) if end < 0 else end + 1
        if end - start < _STUB_MIN:
            continue
        data = end - start - raw.count(b"\n", start, end) - raw.count(b"\r", start, end)
        tail = raw[max(start, end - 8) : end].rstrip()
        marker = f"{_STUB}{len(sizes)}"
        sizes[marker] = max(0, data * 3 // 4 - (len(tail) - len(tail.rstrip(b"="))))
        pieces += [raw[position:start], marker.encode(), b"\r\n"]
        position = end
    if not sizes:
        return raw, {}
    pieces.append(raw[position:])
    return b"".join(pieces), sizes


def decode_text(part: Message, hints: Sequence[str] = ()) -> str:
    """A text part's content as str, whatever its declared (or missing, or false) charset."""
    if _is_stub(part):
        return "[a text part too large to show; it is kept in the raw mail]"
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = str(payload_of(part)).encode("utf-8", "surrogateescape")
    charset = param(part, "charset")
    if charset is None and part.get_content_subtype() == "html":
        meta = _META_CHARSET.search(payload, 0, 4096)  # HTML saved or sent as a file
        charset = meta.group(1).decode("ascii") if meta else None
    return decode_bytes(payload, charset, hints)


_META_CHARSET = re.compile(rb"""(?i)<meta[^>]{0,200}?charset\s*=\s*["']?([\w.:-]{1,40})""")


def payload_of(part: Message) -> Any:
    """The payload as parsed: a list of parts, or str (8-bit bytes surrogate-escaped).

    Not get_payload(): without decode=True, compat32 decodes 8-bit text with the raw
    charset parameter, which a broken mail can make an RFC 2231 tuple (TypeError,
    found by tests/fuzz). The attribute has been the payload since Python 2.
    """
    return part._payload  # type: ignore[attr-defined]  # noqa: SLF001 - typeshed has no _payload


def _leaf_parts(msg: Message) -> Iterator[Message]:
    """Every non-multipart part, not descending into attached messages."""
    payload = payload_of(msg)
    if msg.get_content_maintype() == "multipart" and isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, Message):
                yield from _leaf_parts(sub)
        return
    yield msg


def param(
    part: Message, name: str, header: str = "content-type", hints: Sequence[str] = ()
) -> str | None:
    """A header parameter as text (RFC 2231 decoded, raw 8-bit bytes recovered), or
    None; never raises.

    The stdlib's parameter decoding fails on broken RFC 2231 continuations with a
    TypeError deep inside email.utils (found by tests/fuzz).
    """
    try:
        value = part.get_param(name, header=header)
        if isinstance(value, str) and "\ufffd" in value:
            value = _param_of_8bit_header(part, name, header, hints)
    except Exception:  # noqa: BLE001 - broken parameters read as absent
        return None
    if value is None:
        return None
    try:
        if isinstance(value, tuple):  # RFC 2231: (charset, language, text)
            # The text holds the bytes as Latin-1 characters; read them in the declared
            # charset as mail clients do (collapse_rfc2231_value would be strict).
            data = value[2].encode("raw-unicode-escape")
            text = charsets.decode(data, value[0] or None, hints)
        else:
            text = str(collapse_rfc2231_value(value))
            if _SURROGATES.search(text):  # raw 8-bit bytes in the header
                text = guess_decode(text.encode("utf-8", "surrogateescape"), hints)
        return text.strip() or None
    except Exception:  # noqa: BLE001
        return None


def _param_of_8bit_header(
    part: Message, name: str, header: str, hints: Sequence[str]
) -> str | tuple[str | None, str | None, str] | None:
    """The parameter read from the header's raw 8-bit bytes, recovered as text: compat32
    hands get_param such a header with every 8-bit byte replaced by U+FFFD."""
    raw = next((str(v) for k, v in part.raw_items() if k.lower() == header), "")
    if not _SURROGATES.search(raw):
        return part.get_param(name, header=header)  # the U+FFFD was in the mail itself
    recovered = Message()
    recovered[header] = guess_decode(raw.encode("utf-8", "surrogateescape"), hints)
    return recovered.get_param(name, header=header)


def _disposition(part: Message) -> str:
    return str(part.get("Content-Disposition") or "").split(";", 1)[0].strip().lower()


def _is_attachment(part: Message) -> bool:
    if _disposition(part) == "attachment" or param(part, "name"):
        return True
    return bool(param(part, "filename", header="content-disposition"))


def _is_stub(part: Message) -> bool:
    payload = payload_of(part)
    return isinstance(payload, str) and payload.startswith(_STUB) and len(payload) < 64


def _attachments(
    msg: Message, body_part: Message | None, stub_sizes: dict[str, int], hints: Sequence[str]
) -> Iterator[Attachment]:
    for index, part in enumerate(_leaf_parts(msg)):
        if part is body_part:
            continue
        if part.get_content_maintype() == "text" and not _is_attachment(part):
            continue  # the other half of multipart/alternative, or an inline text part
        if part.get_content_maintype() == "multipart":
            continue
        yield Attachment(
            part_index=index,
            filename=clean_text(_filename(part, index, hints)),
            content_type=clean_text(_content_type(part)),
            size=stub_sizes.get(str(payload_of(part)).strip(), 0)
            if _is_stub(part)
            else _size(part),
        )


def _filename(part: Message, index: int, hints: Sequence[str] = ()) -> str:
    # As get_filename() looks (RFC 2231 continuations and charsets), read our way.
    name = param(part, "filename", "content-disposition", hints) or param(
        part, "name", hints=hints
    )
    if name:
        name = decode_words(name, hints)  # Outlook writes RFC 2047 words in file names
    if name is None and part.get_content_type() == "message/rfc822":
        inner = payload_of(part)
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            name = (Headers(inner[0], hints).text("Subject") or "message") + ".eml"
    if not name:
        return f"part-{index}"
    # A file name is data, never a path: keep only its last component.
    name = clean_text(str(name)).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:255] or f"part-{index}"


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()[:255]
    except Exception:  # noqa: BLE001
        return "application/octet-stream"


def _size(part: Message) -> int:
    if part.get_content_type() == "message/rfc822":
        try:
            return len(part.as_bytes())
        except Exception:  # noqa: BLE001
            return 0
    encoded = payload_of(part)
    if (
        isinstance(encoded, str)
        and len(encoded) > _DECODE_LIMIT
        and str(part.get("Content-Transfer-Encoding", "")).strip().lower() == "base64"
    ):
        # Counted, not decoded: decoding a 20 MB attachment to learn its length cost
        # 120 MB of memory for a moment (benchmarks/backlog_memory.py).
        whitespace = sum(encoded.count(c) for c in " \t\r\n")
        data = len(encoded) - whitespace
        padding = len(encoded.rstrip()) - len(encoded.rstrip().rstrip("="))
        return max(0, data * 3 // 4 - padding)
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        payload = None
    if isinstance(payload, bytes):
        return len(payload)
    return len(str(payload_of(part)))


def part_content(raw: bytes, part_index: int) -> bytes:
    """The decoded content of leaf part `part_index` of `raw`, as `Attachment.part_index`
    numbers it (the stored mail is the only copy of an attachment's bytes).

    An attached message (message/rfc822) is given whole, as an .eml file holds it.
    ParseError when the mail has no such part.
    """
    if raw[:1].isspace() or raw.startswith(_BOM):
        raw = raw.removeprefix(_BOM).lstrip()
    msg = email.message_from_bytes(_without_leading_junk(raw), policy=email.policy.compat32)
    for index, part in enumerate(_leaf_parts(msg)):
        if index != part_index:
            continue
        payload = payload_of(part)
        if isinstance(payload, list):  # message/rfc822: the attached mail itself
            return b"".join(inner.as_bytes() for inner in payload if isinstance(inner, Message))
        decoded = part.get_payload(decode=True)
        return decoded if isinstance(decoded, bytes) else b""
    raise ParseError(f"the mail has no part {part_index}")
