"""Delivery status notifications (RFC 3464) in a multipart/report (RFC 6522).

A bounce names the message it is about in its returned part: the whole message
(message/rfc822) or only its header section (text/rfc822-headers, which Exchange
and Postfix delay notices send). The outcome is in the message/delivery-status
part: one per-message block, then one block per recipient.

Bounces come from every kind of MTA and are often malformed, so nothing here
raises: what can be read is returned, the rest is None. Parsing uses the stdlib
compat32 policy like daemon.mail.parse, for the same reason (speed).

Decisions worth knowing:
- A multipart/report without a report-type parameter is read when it holds a
  delivery-status part (older MTAs leave the parameter out; RFC 6522 requires it).
  Another report-type (disposition-notification: a read receipt) is not a bounce.
- The internationalised forms of RFC 6533 (message/global-delivery-status,
  message/global, message/global-headers) are read like the classic ones.
- With several recipients, the first one that failed is reported, else the first.
- Values are cleaned for display: the address type ("rfc822;") and diagnostic type
  ("smtp;") are dropped, comments and folding removed. The Message-ID keeps its
  angle brackets, as ParsedMail.message_id does.
"""

from __future__ import annotations

import email
import email.parser
import email.policy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message

from daemon.mail.header_text import Headers
from daemon.mail.mime_parts import param, payload_of

_REPORT_TYPES = {"delivery-status", "global-delivery-status"}
_STATUS_PARTS = {"message/delivery-status", "message/global-delivery-status"}
_RETURNED_PARTS = {
    "message/rfc822",
    "message/global",
    "text/rfc822-headers",
    "message/global-headers",
}
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_STATUS_CODE = re.compile(r"\b[245]\.\d{1,3}\.\d{1,3}\b")
_COMMENT = re.compile(r"\([^()]*\)")
_WHITESPACE = re.compile(r"\s+")
# Longest value we keep; a diagnostic is for reading, not for storing a novel.
_MAX_VALUE = 998


@dataclass(frozen=True)
class Bounce:
    original_message_id: str | None  # "<...>" of the message that bounced
    status: str | None  # "5.1.1"; the value as written when it holds no such code
    action: str | None  # lower case: "failed", "delayed", "delivered", "relayed", "expanded"
    recipient: str | None  # the Final-Recipient (else Original-Recipient) address
    diagnostic: str | None  # the remote server's words: "550 5.1.1 ... User unknown"


def read_bounce(raw: bytes) -> Bounce | None:
    """The bounce `raw` reports, or None when it is not a delivery status report."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception:  # noqa: BLE001 - unreadable bytes are not a report we can use
        return None
    if msg.get_content_type() != "multipart/report":
        return None
    parts = _children(msg)
    status_parts = [part for part in parts if part.get_content_type() in _STATUS_PARTS]
    report_type = _param(msg, "report-type")
    # Without the parameter (older MTAs leave it out) the parts have to tell.
    if report_type not in _REPORT_TYPES if report_type else not status_parts:
        return None
    recipient = _recipient_block(status_parts)
    return Bounce(
        original_message_id=_original_message_id(parts),
        status=_status(recipient),
        action=_field(recipient, "Action", lower=True),
        recipient=_address(recipient),
        diagnostic=_typed_value(_field(recipient, "Diagnostic-Code")),
    )


def _param(msg: Message, name: str) -> str:
    return (param(msg, name) or "").lower()


def _children(msg: Message) -> list[Message]:
    """The report's own parts (not parts of the message it returns)."""
    payload = payload_of(msg)
    if not isinstance(payload, list):
        return []  # no or broken boundary: nothing to read
    return [part for part in payload if isinstance(part, Message)]


def _recipient_block(status_parts: list[Message]) -> Headers | None:
    """The per-recipient block to report: the first that failed, else the first."""
    blocks = [block for part in status_parts for block in _blocks(part)]
    # A per-recipient block is known by its fields, not its position: some MTAs
    # omit the blank line and write one block for message and recipient.
    recipients = [
        block
        for block in blocks
        if any(name in block for name in ("Action", "Final-Recipient", "Status"))
    ]
    for block in recipients:
        if _field(block, "Action", lower=True) == "failed":
            return block
    return recipients[0] if recipients else None


def _blocks(part: Message) -> Iterator[Headers]:
    """The header blocks of a delivery-status part."""
    payload = payload_of(part)
    if not isinstance(payload, list):
        yield from _text_blocks(_decoded(part))  # an encoded body
        return
    # The stdlib parses message/delivery-status into one Message per block; other
    # message/* types (the RFC 6533 one) into one Message whose body holds the rest.
    for block in payload:
        if isinstance(block, Message):
            yield Headers(block)
            rest = payload_of(block)
            if isinstance(rest, str):
                yield from _text_blocks(rest)


def _text_blocks(text: str) -> Iterator[Headers]:
    parser = email.parser.HeaderParser(policy=email.policy.compat32)
    for chunk in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n")):
        if chunk.strip():
            yield Headers(parser.parsestr(chunk))


def _original_message_id(parts: list[Message]) -> str | None:
    for part in parts:
        if part.get_content_type() not in _RETURNED_PARTS:
            continue
        found = _MESSAGE_ID.search(_returned_headers(part).raw("Message-ID"))
        if found:
            return found.group(0)
    return None


def _returned_headers(part: Message) -> Headers:
    """The header section of the returned message, whole or headers only."""
    payload = payload_of(part)
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return Headers(payload[0])  # message/rfc822, parsed by the stdlib
    parser = email.parser.HeaderParser(policy=email.policy.compat32)
    return Headers(parser.parsestr(_decoded(part).lstrip("\r\n")))


def _decoded(part: Message) -> str:
    """A leaf part's body as text, transfer encoding undone."""
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - broken base64 and the like
        data = None
    if not isinstance(data, bytes):
        return str(payload_of(part) or "")
    return data.decode("utf-8", "replace")


def _field(block: Headers | None, name: str, lower: bool = False) -> str | None:
    """One field of a block unfolded (and with `lower`, without comments); None when empty."""
    if block is None or name not in block:
        return None
    value = _WHITESPACE.sub(" ", block.text(name)).strip()[:_MAX_VALUE]
    if lower:
        value = _COMMENT.sub("", value).strip().lower()
    return value or None


def _status(block: Headers | None) -> str | None:
    value = _field(block, "Status")
    if value is None:
        return None
    code = _STATUS_CODE.search(value)
    return code.group(0) if code else value  # "5.0.0 (disk quota)" -> "5.0.0"


def _address(block: Headers | None) -> str | None:
    for name in ("Final-Recipient", "Original-Recipient"):
        value = _typed_value(_field(block, name))
        if value:
            return value.strip("<>").strip() or None
    return None


def _typed_value(value: str | None) -> str | None:
    """`type; value` (RFC 3464 address-type and diagnostic-type) to the value."""
    if value is None:
        return None
    kind, separator, rest = value.partition(";")
    # Without a type, or with something that is not one, keep the whole value.
    if not separator or " " in kind.strip():
        return value
    return rest.strip() or None
