"""A mail's attachments: which parts are files, their names (never a path) and
sizes, and the content of one of them from the stored raw mail."""

from __future__ import annotations

import email
import email.policy
import mimetypes
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email.message import Message

from daemon.mail import ParseError
from daemon.mail.header_text import Headers, clean_text, decode_words
from daemon.mail.leading_junk import BOM, without_leading_junk
from daemon.mail.mime_parts import (
    is_attachment,
    is_stub,
    leaf_parts,
    normalise_transfer_encodings,
    param,
    payload_of,
)
from daemon.mail.tnef import tnef_files

# Attachments larger than this (encoded) are measured without decoding them.
_DECODE_LIMIT = 1024 * 1024


@dataclass(frozen=True)
class Attachment:
    part_index: int
    filename: str
    content_type: str
    size: int


def attachments(
    msg: Message, body_part: Message | None, stub_sizes: dict[str, int], hints: Sequence[str]
) -> Iterator[Attachment]:
    for index, part in enumerate(leaf_parts(msg)):
        if part is body_part:
            continue
        if part.get_content_maintype() == "text" and not is_attachment(part):
            continue  # the other half of multipart/alternative, or an inline text part
        if part.get_content_maintype() == "multipart":
            continue
        yield Attachment(
            part_index=index,
            filename=clean_text(_filename(part, index, hints)),
            content_type=clean_text(_content_type(part)),
            size=stub_sizes.get(str(payload_of(part)).strip(), 0)
            if is_stub(part)
            else _size(part),
        )
        if _is_tnef(part):
            yield from _tnef_members(part, index)


# The n-th file (from 0) inside the winmail.dat of leaf part i is numbered
# i + TNEF_MEMBER * (n + 1): after every leaf part, and found again by part_content.
TNEF_MEMBER = 1 << 20
_TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})
# A file's type from its name: Python's own table and Office's formats, never the
# machine's /etc/mime.types (the same mail must list alike on every machine).
_FILE_TYPES = mimetypes.MimeTypes()
for _extension, _type in (
    (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    (".msg", "application/vnd.ms-outlook"),
):
    _FILE_TYPES.add_type(_type, _extension)


def _is_tnef(part: Message) -> bool:
    if is_stub(part):
        return False  # a large one is listed as winmail.dat alone; the raw mail keeps it
    if part.get_content_type() in _TNEF_TYPES:
        return True
    written = f"{part.get('Content-Type', '')} {part.get('Content-Disposition', '')}"
    return "winmail.dat" in written.lower() and (
        (param(part, "name") or param(part, "filename", "content-disposition") or "")
        .lower() == "winmail.dat"
    )


def _tnef_members(part: Message, index: int) -> Iterator[Attachment]:
    """The files inside Outlook's winmail.dat, listed beside it (issue 15): other mail
    clients show winmail.dat alone, and staff cannot open it."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return
    for n, member in enumerate(tnef_files(payload)):
        name = _last_component(member.name) or f"part-{index}-{n + 1}"
        yield Attachment(
            part_index=index + TNEF_MEMBER * (n + 1),
            filename=name,
            content_type=_FILE_TYPES.guess_type(name)[0] or "application/octet-stream",
            size=len(member.data),
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
    return _last_component(str(name)) or f"part-{index}"


def _last_component(name: str) -> str:
    # A file name is data, never a path: keep only its last component.
    return clean_text(name).replace("\\", "/").rsplit("/", 1)[-1].strip()[:255]


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
    if part_index >= TNEF_MEMBER:  # a file inside a winmail.dat
        leaf, member = part_index % TNEF_MEMBER, part_index // TNEF_MEMBER - 1
        files = tnef_files(part_content(raw, leaf))
        if member >= len(files):
            raise ParseError(f"the mail has no part {part_index}")
        return files[member].data
    if raw[:1].isspace() or raw.startswith(BOM):
        raw = raw.removeprefix(BOM).lstrip()
    msg = normalise_transfer_encodings(
        email.message_from_bytes(without_leading_junk(raw), policy=email.policy.compat32)
    )
    for index, part in enumerate(leaf_parts(msg)):
        if index != part_index:
            continue
        payload = payload_of(part)
        if isinstance(payload, list):  # message/rfc822: the attached mail itself
            return b"".join(inner.as_bytes() for inner in payload if isinstance(inner, Message))
        decoded = part.get_payload(decode=True)
        return decoded if isinstance(decoded, bytes) else b""
    raise ParseError(f"the mail has no part {part_index}")
