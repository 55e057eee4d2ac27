"""The identity of an inbound mail, to tell a re-delivery from a new mail, and the
Message-ID of one that could not be parsed."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from daemon.mail.header_block import header_fields
from daemon.mail.leading_junk import blank_line_span
from daemon.mail.spooled import Raw, raw_chunks


def dedupe_key(message_id: str | None, sender: str, raw: Raw) -> str:
    """The identity of an inbound mail: its Message-ID (else its Date as written),
    sender and content; the exact bytes of a mail with neither id nor sender.

    A Message-ID alone is not an identity: scanners and some mailers reuse theirs, and
    anyone who saw one (a Cc'd stranger) can send another mail under it; keyed by the
    Message-ID only, that mail vanished as a "duplicate". With the sender and the body
    (everything after the header section: text and attachments, line endings
    normalised) in the key, only a true re-delivery is a duplicate, however its trace
    headers differ (Received, Authentication-Results, a spam score).
    """
    if not message_id and not sender.strip():
        return "sha:" + sha256_of(raw)  # nothing read of it: its exact bytes
    digest = hashlib.sha256()
    if message_id:
        digest.update(message_id.encode("utf-8", "replace") + b"\n")
    else:
        # No Message-ID: the exact bytes were its identity, and they differ by the trace
        # fields of each path (Received, Return-Path, a gateway's tag fields), so one
        # mail by two paths (the listener, the mailbox behind the border) was two cases
        # and two acks. Its Date as written stands in for the id (date_stamp): the same
        # text sent again at another time is another mail. A prefix of its own keeps
        # these keys apart from those of mail with an id.
        digest.update(b"no message-id\n" + date_stamp(raw).encode("utf-8", "replace") + b"\n")
    digest.update(sender.strip().lower().encode("utf-8", "replace") + b"\n")
    end = blank_line(raw)
    body = end[1] if end else len(raw)
    # In chunks: a 60 MB mail is hashed without a second copy of it. The same bytes
    # always give the same key; a copy converted between CR LF and LF does too, unless
    # a CR LF falls across a chunk boundary (then it counts as a new mail: kept, not
    # lost). A spooled mail is read in the same chunks, so its key is the same.
    if isinstance(raw, bytes) and len(raw) - body <= _HASH_CHUNK:
        digest.update(_lf_body(raw, body))  # one chunk, not copied out first
    else:
        for chunk in raw_chunks(raw, body, _HASH_CHUNK):
            digest.update(_lf_line_ends(bytes(chunk)))
    return ("mid:" if message_id else "nid:") + digest.hexdigest()


def _lf_body(raw: bytes, body: int) -> bytes | memoryview:
    """_lf_line_ends(raw[body:]), the body the last chunk, without the copy of it: when
    every CR of the body begins a CR LF, the CRs of the whole mail deleted and the
    header section's cut off (its CRs counted). A 470 KB attachment's key 1.02 ->
    ~0.7 ms of the dispatcher's thread (issue 18, daemon23)."""
    if _CR_NOT_BEFORE_LF.search(raw, body) is not None:
        return _lf_line_ends(raw[body:])
    return memoryview(raw.replace(b"\r", b""))[body - raw.count(b"\r", 0, body) :]


def variant_key(key: str, marks: tuple[object, ...]) -> str:
    """The identity of a mail that has `key` but is not the mail stored under it
    (domain/dedupe.py `same_mail`): `key` with what tells it apart."""
    digest = hashlib.sha256(f"{key}\n{marks!r}".encode("utf-8", "replace"))
    return "mid:" + digest.hexdigest()


# How much of a mail's start `date_stamp` reads: the same for a mail read now and for the
# stored copy of one (repository.inbound_heads), so both give the same stamp.
HEAD_BYTES = 1 << 16


def date_stamp(head: Raw) -> str:
    """The Date field of a mail as its sender wrote it: its raw bytes (the first
    HEAD_BYTES of the mail read), unfolded, each run of white space one blank. No
    parser reads it, so every version of the daemon gives a stored mail the same stamp;
    "" when the mail has none. A re-delivery and a re-read after a crash carry the
    sender's Date unchanged; a device that reuses a Message-ID and its text at another
    time does not (domain/dedupe.py)."""
    data = head[:HEAD_BYTES] if isinstance(head, bytes) else head.read_at(0, HEAD_BYTES)
    values = [field.value(data) for field in header_fields(data) if field.name == b"date"]
    return b" ".join(b" ".join(value.split()) for value in values).decode("latin-1")


def sent_at(head: Raw, arrival: datetime) -> datetime | None:
    """When a mail was sent, for telling one sending from another (domain/dedupe.py):
    the instant of its one Date field, or `arrival` when it has none (the first
    HEAD_BYTES read, as date_stamp reads them); None when that cannot be told (a Date
    no one can read, two Date fields)."""
    data = head[:HEAD_BYTES] if isinstance(head, bytes) else head.read_at(0, HEAD_BYTES)
    values = [field.value(data) for field in header_fields(data) if field.name == b"date"]
    if not values:
        return arrival
    if len(values) > 1:
        return None
    try:
        when = parsedate_to_datetime(b" ".join(values[0].split()).decode("latin-1"))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)  # "-0000"


def _lf_line_ends(data: bytes) -> bytes:
    """`data` with each CR LF made LF, as data.replace(b"\r\n", b"\n") gives it. When
    every CR in it begins a CR LF (a mail's usual case) that is `data` with every CR
    deleted, in one pass and one buffer: a 470 KB attachment's key 1.19 -> 1.03 ms and
    349 -> 231 page faults with the daemon's malloc (issue 18, feed21), against a split
    into its lines and a join (a bytes object a line), which in turn took ~0.7 of
    replace's CPU. A CR not before an LF, or last (its LF may open the next chunk,
    which counts apart), is kept: then the split and join."""
    if _CR_NOT_BEFORE_LF.search(data) is None:
        return data.replace(b"\r", b"")  # memchr and memcpy: ~0.6 of a translate's CPU
    return b"\n".join(data.split(b"\r\n"))


_CR_NOT_BEFORE_LF = re.compile(rb"\r(?!\n)")


def sha256_of(raw: Raw) -> str:
    """The SHA-256 of the mail's bytes, in memory or spooled, as hex."""
    if isinstance(raw, bytes):
        return hashlib.sha256(raw).hexdigest()
    digest = hashlib.sha256()
    for chunk in raw.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def blank_line(raw: Raw) -> tuple[int, int] | None:
    """Where the first blank line (BLANK_LINE) of `raw` is, as BLANK_LINE.search finds
    it; a spooled mail is searched a chunk at a time, the chunks overlapping by the
    pattern's longest match less one, so a match across two chunks is found too."""
    if isinstance(raw, bytes):
        return blank_line_span(raw)
    offset, carry = 0, b""
    for chunk in raw.chunks():
        data = carry + chunk
        span = blank_line_span(data)
        if span is not None:
            base = offset - len(carry)
            return base + span[0], base + span[1]
        offset += len(chunk)
        carry = data[-3:]
    return None


_HASH_CHUNK = 1 << 20


def sniff_message_id(raw: Raw) -> str | None:
    """The Message-ID of a mail that could not be parsed, for its dedupe key."""
    end = blank_line(raw)  # the header section only: split() would copy the body
    stop = end[0] if end else 65536
    head = raw[:stop] if isinstance(raw, bytes) else raw.read_at(0, stop)
    match = re.search(
        rb"^message-id:[ \t]*(<[^<>\s\x00-\x1f\x7f]+>)", head, re.IGNORECASE | re.MULTILINE
    )
    return match.group(1).decode("ascii", "replace") if match else None
