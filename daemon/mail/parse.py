"""Bytes -> ParsedMail: decoded headers, a plain-text body and the attachment list.

Mail from the wild is often broken (undeclared or unknown charsets, bad folding,
malformed MIME). Everything here degrades to a readable best effort instead of
raising; only bytes without a header section are refused (ParseError), and the
caller keeps those raw as a rejection.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime

from daemon.mail.html_text import html_to_text

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WHITESPACE = re.compile(r"\s+")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
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
    # The parsed message, for rules that look at further headers (auto-replies, auth).
    message: EmailMessage = field(repr=False, compare=False)

    @property
    def sender_domain(self) -> str:
        return self.from_addr.rpartition("@")[2]


def parse(raw: bytes) -> ParsedMail:
    if not raw.strip():
        raise ParseError("empty message")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(msg, EmailMessage) or not msg.keys():
        raise ParseError("no header section found")
    from_name, from_addr = _sender(msg)  # "" when there is none; the pipeline decides
    body_part = _body_part(msg)
    return ParsedMail(
        message_id=_first_id(header_text(msg, "Message-ID")),
        in_reply_to=_first_id(header_text(msg, "In-Reply-To")),
        references=_all_ids(header_text(msg, "References")),
        subject=_one_line(header_text(msg, "Subject")),
        from_addr=from_addr,
        from_name=from_name,
        to=_addresses(msg, "To"),
        cc=_addresses(msg, "Cc"),
        date=_date(header_text(msg, "Date")),
        body_text=_body_text(body_part),
        attachments=list(_attachments(msg, body_part)),
        message=msg,
    )


def dedupe_key(message_id: str | None, raw: bytes) -> str:
    """The identity of an inbound mail: its Message-ID, else its exact bytes."""
    if message_id:
        return "mid:" + hashlib.sha256(message_id.encode("utf-8", "replace")).hexdigest()
    return "sha:" + hashlib.sha256(raw).hexdigest()


def sniff_message_id(raw: bytes) -> str | None:
    """The Message-ID of a mail that could not be parsed, for its dedupe key."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    match = re.search(rb"^message-id:[ \t]*(<[^<>\s]+>)", head, re.IGNORECASE | re.MULTILINE)
    return match.group(1).decode("ascii", "replace") if match else None


def header_text(msg: Message, name: str) -> str:
    """A header decoded to text, or "" — never an exception, whatever its bytes."""
    try:
        value = msg.get(name)
        if value is None:
            return ""
        text = str(value)
        if "\ufffd" not in text:
            return clean_text(text)
    except Exception:  # noqa: BLE001 - malformed headers are the norm, not the exception
        pass
    for key, raw_value in msg.raw_items():
        if key.lower() == name.lower():
            return clean_text(_raw_header_text(str(raw_value)))
    return ""


def _raw_header_text(raw_value: str) -> str:
    if any("\udc80" <= char <= "\udcff" for char in raw_value):
        # Undeclared 8-bit bytes (the parser kept them as surrogates): guess the charset.
        return guess_decode(raw_value.encode("utf-8", "surrogateescape"))
    try:
        return str(make_header(decode_header(raw_value)))
    except Exception:  # noqa: BLE001
        return raw_value


def guess_decode(data: bytes) -> str:
    """Bytes of undeclared charset as text: UTF-8 if valid, else Windows-1252.

    Detectors (charset-normalizer was tried) misread short Danish text as cp775 or
    Big5; our senders write Danish and English, so the Western codepage is the
    honest default, and a wrong guess still keeps every byte in `raw`.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def clean_text(text: str) -> str:
    """Text safe to store anywhere: no NUL or other control characters, no lone surrogates."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return _CONTROL.sub("", text)


def _one_line(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def _sender(msg: EmailMessage) -> tuple[str, str]:
    for name in ("From", "Sender", "Reply-To", "Return-Path"):
        pairs = _address_pairs(msg, name)
        for display, addr in pairs:
            if "@" in addr:
                return _one_line(display), addr
    return "", ""


def _address_pairs(msg: Message, name: str) -> list[tuple[str, str]]:
    text = header_text(msg, name)
    if not text:
        return []
    pairs = []
    for display, addr in getaddresses([text]):
        addr = addr.strip().strip("<>").lower()
        if addr and len(addr) <= 320:
            pairs.append((display, addr))
    return pairs


def _addresses(msg: Message, name: str) -> list[str]:
    return [addr for _display, addr in _address_pairs(msg, name) if "@" in addr]


def _first_id(text: str) -> str | None:
    ids = _all_ids(text)
    if ids:
        return ids[0]
    text = text.strip()
    return text[:_MAX_ID] if text else None


def _all_ids(text: str) -> list[str]:
    return [found for found in _MESSAGE_ID.findall(text) if len(found) <= _MAX_ID]


def _date(text: str) -> datetime | None:
    if not text:
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _body_part(msg: EmailMessage) -> Message | None:
    if msg.get_content_type() == "message/rfc822":
        # A bare forwarded message: its own body is what the sender wants us to read.
        inner = msg.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], EmailMessage):
            return _body_part(inner[0])
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
    except Exception:  # noqa: BLE001 - malformed MIME trees
        part = None
    if part is not None:
        return part
    if msg.get_content_maintype() == "multipart" and isinstance(msg.get_payload(), str):
        return msg  # boundary missing or wrong: the text between the headers and EOF is it
    # No body by the RFC's rules: take the first text part we can find.
    for part in _leaf_parts(msg):
        if part.get_content_maintype() == "text" and not _is_attachment(part):
            return part
    return None


def _body_text(part: Message | None) -> str:
    if part is None:
        return ""
    text = decode_text(part).replace("\r\n", "\n")
    if part.get_content_type() == "text/html":
        text = html_to_text(text)
    return clean_text(text).strip()


def decode_text(part: Message) -> str:
    """A text part's content as str, whatever its declared (or missing, or false) charset."""
    if isinstance(part, EmailMessage):
        try:
            content = part.get_content()
            if isinstance(content, str) and "\ufffd" not in content:
                return content
        except Exception:  # noqa: BLE001 - unknown charset, bad encoding
            pass
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = str(part.get_payload()).encode("utf-8", "surrogateescape")
    charset = part.get_content_charset()
    if charset:
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return guess_decode(payload)


def _leaf_parts(msg: Message) -> Iterator[Message]:
    """Every non-multipart part, not descending into attached messages."""
    payload = msg.get_payload()
    if msg.get_content_maintype() == "multipart" and isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, Message):
                yield from _leaf_parts(sub)
        return
    yield msg


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";", 1)[0].strip().lower()
    return disposition == "attachment" or bool(part.get_param("name") or part.get_filename())


def _attachments(msg: Message, body_part: Message | None) -> Iterator[Attachment]:
    for index, part in enumerate(_leaf_parts(msg)):
        if part is body_part:
            continue
        if part.get_content_maintype() == "text" and not _is_attachment(part):
            continue  # the other half of multipart/alternative, or an inline text part
        if part.get_content_maintype() == "multipart":
            continue
        yield Attachment(
            part_index=index,
            filename=_filename(part, index),
            content_type=_content_type(part),
            size=_size(part),
        )


def _filename(part: Message, index: int) -> str:
    try:
        name = part.get_filename()  # RFC 2231 and RFC 2047 forms
    except Exception:  # noqa: BLE001
        name = None
    if name is None and part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            name = (header_text(inner[0], "Subject") or "message") + ".eml"
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
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        payload = None
    if isinstance(payload, bytes):
        return len(payload)
    return len(str(part.get_payload()))
