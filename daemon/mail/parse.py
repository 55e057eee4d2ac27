"""Bytes -> ParsedMail: decoded headers, a plain-text body and the attachment list.

Mail from the wild is often broken (undeclared, unknown or false charsets, raw 8-bit
headers, junk before the header section, bad folding, malformed MIME). Everything here
degrades to a readable best effort instead of raising; only bytes in which no sender
can be found anywhere are refused (ParseError), and the caller keeps those raw as a
rejection. Charsets are read as mail clients read them (daemon/mail/charsets.py).

The MIME tree comes from the stdlib parser with the compat32 policy, and the few
headers we need are decoded with the stdlib's RFC 2047/2231 functions. This module
puts the mail together; the parts are read by:
  leading_junk   where the header section starts (junk before it stepped over)
  large_mail     big mail parsed without holding it line by line
  header_text    header values as text (encoded words, raw 8-bit bytes, ids, dates)
  mime_parts     parts, their parameters, a text part's content, declared charsets
  sender         who sent it: From, Sender, Reply-To, Return-Path, text, envelope
  addresses      address lists to (name, address) pairs
  body           the text a person reads; attachments: the files
  identity       the mail's dedupe key
`policy.default` gives the same results through its header registry, but it parses
every header it touches into objects, which profiling showed to be half the cost
of ingesting a mail; the test corpus holds both policies to the same output.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from daemon.domain.domain_names import canonical_domain
from daemon.mail import ParseError
from daemon.mail.addresses import address, addresses
from daemon.mail.attachments import Attachment, attachments, part_content
from daemon.mail.body import readable_body, with_invitation
from daemon.mail.header_text import (
    FIELD_MAX_CHARS,
    Headers,
    all_ids,
    bound_fields,
    clean_text,
    date_of,
    decode_bytes,
    decode_words,
    first_id,
    guess_decode,
    one_line,
)
from daemon.mail.identity import dedupe_key, sniff_message_id
from daemon.mail.large_mail import large_single_part, stub_large_base64
from daemon.mail.leading_junk import BOM, headerless, without_leading_junk
from daemon.mail.mime_parts import (
    DeclaredCharsets,
    decode_text,
    normalise_transfer_encodings,
    param,
    payload_of,
)
from daemon.mail.mime_tree import mime_tree
from daemon.mail.sender import Sender, sender_in_text, sender_of

# What callers have imported from here since before the split.
__all__ = [
    "Attachment",
    "Headers",
    "ParseError",
    "ParsedMail",
    "clean_text",
    "decode_bytes",
    "decode_text",
    "decode_words",
    "dedupe_key",
    "guess_decode",
    "param",
    "parse",
    "part_content",
    "payload_of",
    "sniff_message_id",
]


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
        """The From domain as customers are looked up by it (one spelling of it)."""
        return canonical_domain(self.from_addr.rpartition("@")[2])


def parse(
    raw: bytes, envelope_sender: str | None = None, hidden: Mapping[str, int] | None = None
) -> ParsedMail:
    """`raw` as a mail; `envelope_sender` (SMTP MAIL FROM) is the sender of last resort.
    `hidden`: the sizes of the big base64 bodies the caller already replaced by markers
    (large_mail.stub_large_base64), when `raw` is such a slim copy of the mail."""
    if not raw or raw.isspace():  # not raw.strip(): that copies a 60 MB mail
        raise ParseError("empty message")
    if raw[:1].isspace() or raw.startswith(BOM):  # rare: the copy is affordable
        raw = raw.removeprefix(BOM).lstrip()
    headed = without_leading_junk(raw)
    msg = large_single_part(headed)
    stub_sizes: dict[str, int] = dict(hidden or {})
    if msg is not None:
        normalise_transfer_encodings(msg)
    else:
        stubbed = headed
        if not hidden:  # else a slim copy, whose big bodies are hidden already
            stubbed, stub_sizes = stub_large_base64(headed)
        msg = mime_tree(stubbed, stub_sizes)  # smaller files' bodies hidden there
    if len(headed) > FIELD_MAX_CHARS:  # else no field can be longer
        bound_fields(msg)
    if not msg.keys():
        msg = headerless(raw, envelope_sender)
    hints = DeclaredCharsets(msg)
    headers = Headers(msg, hints)
    sender = sender_of(headers)  # "" when there is none; the pipeline decides
    if not sender.address:  # From unreadable or lost (a junk line ended the headers)
        sender = Sender("", sender_in_text(raw) or address(envelope_sender or "", True))
    shown, text = readable_body(msg, hints)
    return ParsedMail(
        message_id=first_id(headers.raw("Message-ID")),
        in_reply_to=first_id(headers.raw("In-Reply-To")),
        references=all_ids(headers.raw("References")),
        subject=one_line(headers.text("Subject")),
        from_addr=sender.address,
        from_name=sender.name,
        sender_ambiguous=sender.ambiguous,
        to=addresses(headers, "To"),
        cc=addresses(headers, "Cc"),
        date=date_of(headers.raw("Date")),
        body_text=with_invitation(text, msg, shown, hints),
        attachments=list(attachments(msg, shown, stub_sizes, hints)),
        headers=headers,
    )
