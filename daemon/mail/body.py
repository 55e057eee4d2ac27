"""The text a person reads in a mail: the part chosen as its body, as plain text
(HTML turned to text, long text cut), with when and where of an invitation."""

from __future__ import annotations

from collections.abc import Sequence
from email.message import Message

from daemon.mail.calendar_text import invitation_text
from daemon.mail.flowed import unflowed
from daemon.mail.header_text import clean_text
from daemon.mail.html_text import CUT_TEXT, TEXT_LIMIT, html_to_text
from daemon.mail.mime_parts import (
    decode_text,
    disposition,
    is_attachment,
    is_stub,
    leaf_parts,
    param,
)


def body_part(msg: Message) -> Message | None:
    """The part a person reads: the first inline text/plain, else the first inline HTML."""
    # is_multipart(), not get_payload(): without decode=True, compat32 decodes 8-bit
    # text with the raw charset parameter, which can be an RFC 2231 tuple (TypeError).
    if msg.get_content_type() == "message/rfc822" and msg.is_multipart():
        inner = msg.get_payload(0)
        if isinstance(inner, Message):
            return body_part(inner)  # a bare forward: the inner message is the content
    if msg.get_content_maintype() == "multipart" and not msg.is_multipart():
        return msg  # boundary missing or wrong: the text between the headers and EOF is it
    html = other = None
    for part in leaf_parts(msg):
        # Like get_body(): only an explicit "attachment" disposition rules a text part out.
        if part.get_content_maintype() != "text" or disposition(part) == "attachment":
            continue
        subtype = part.get_content_subtype()
        if subtype == "plain":
            return part
        if subtype == "html" and html is None:
            html = part
        elif other is None:
            other = part
    return html or other


def readable_body(msg: Message, hints: Sequence[str] = ()) -> tuple[Message | None, str]:
    """The part a person reads and its text: `body_part`, unless it is a text/plain
    with no text beside an HTML part that has some. Mobile apps and web forms send an
    empty plain alternative; a mail client shows the HTML then, and the case had no
    text at all ("Ingen af os kan logge på" unread by staff and the triage)."""
    part = body_part(msg)
    text = body_text(part, hints)
    if text or part is None or part.get_content_type() != "text/plain":
        return part, text
    for other in leaf_parts(msg):
        # Not a file the mail carries (an HTML invoice beside an empty text): that one
        # stays listed among the attachments, not read as the text.
        if other.get_content_type() == "text/html" and not is_attachment(other):
            html = body_text(other, hints)
            if html:
                return other, html
    return part, text


def body_text(part: Message | None, hints: Sequence[str] = ()) -> str:
    if part is None:
        return ""
    text = decode_text(part, hints).replace("\r\n", "\n")
    if part.get_content_type() == "text/html":
        return clean_text(html_to_text(text)).strip()  # cut to TEXT_LIMIT there
    if (param(part, "format") or "").lower() == "flowed":  # RFC 3676: Apple Mail, Thunderbird
        text = unflowed(text, (param(part, "delsp") or "").lower() == "yes")
    text = clean_text(text).strip()
    if len(text) > TEXT_LIMIT:
        # As for HTML: a person reads no further, and 28 MB of text would be copied
        # into every process and statement that handles the message. The raw mail
        # is kept whole.
        text = text[:TEXT_LIMIT].rstrip() + "\n\n" + CUT_TEXT
    return text


def with_invitation(
    body: str, msg: Message, body_part: Message | None, hints: Sequence[str]
) -> str:
    """The body, with when and where of a calendar invitation the mail carries: the
    text part of a meeting request often holds only its description."""
    calendar = next(
        (p for p in leaf_parts(msg) if p.get_content_type() == "text/calendar"), None
    )
    if calendar is None or is_stub(calendar):
        return body
    summary = clean_text(invitation_text(decode_text(calendar, hints))).strip()
    if calendar is body_part:
        return summary or body  # the bare iCalendar text only when no event is in it
    return f"{body}\n\n{summary}".strip() if summary else body
