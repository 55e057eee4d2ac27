"""The MIME tree of a mail as the stdlib parser (compat32) makes it, with the bodies of
its base64 files of a few KB or more hidden from the parser behind markers when
nothing read of the mail can differ for it.

The parser splits every body into one str per line and tests each line for a boundary
before it joins them again: a corpus mail's 50-250 KB attachment cost a parsing worker
~0.8 ms, most of the MIME tree's time (issue 18, worker24). Of a file's part nothing
but its headers and its size is read (attachments.py); large_mail.stub_large_base64
already hides the bodies of 256 KB or more for memory, their sizes counted from the
bytes. Below that, a body is hidden only when the count is exactly what the parser's
decoding gives (`_plain_base64_size`: nothing but the base64 alphabet and line ends,
whole 4-character groups, "=" only as their end), and the tree parsed with it is
kept only when each marker is a whole file part's body, with the Content-Type and the
Content-Transfer-Encoding the parser reads (`_held`); else the mail is parsed again,
whole. The same ParsedMail either way (tests/unit/test_mime_tree.py holds it to that).
"""

from __future__ import annotations

import email
import email.policy
from email.message import Message
from email.parser import BytesParser

from daemon.mail.large_mail import FileParts, base64_bodies
from daemon.mail.mime_parts import STUB, is_stub, normalise_transfer_encodings, payload_of

# Smaller bodies cost the parser too little to be worth their search.
_FILE_MIN = 4 * 1024
# Markers of their own: a mail read from a slim copy (reading.slim_copy) has the
# daemon's markers, numbered from 0, already.
_MARKER = f"{STUB}w"
_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# The most delimiter-like lines (starting "--") of a mail the parser is given: the
# stdlib's parser makes a Message of every part, ~24 us each, so a 7 MB mail of a
# million empty parts held a parsing worker ~24 s (three of them, every worker and
# the mail behind). Issue 8's 5,000 parts are read whole; past this, what follows is
# not parsed (the mail itself is stored whole, its bytes as they came).
MAX_PARTS = 10_000


def mime_tree(data: bytes, stub_sizes: dict[str, int]) -> Message:
    """`data` parsed; the sizes of the bodies it hid added to `stub_sizes`."""
    data = _parts_capped(data)
    slimmer, sizes = _stub_file_bodies(data)
    if sizes:
        try:
            msg = normalise_transfer_encodings(
                email.message_from_bytes(slimmer, policy=email.policy.compat32)
            )
        except RecursionError:
            pass  # the header section alone, below, from the whole bytes
        else:
            if _held(msg, sizes):
                stub_sizes.update(sizes)
                return msg
    try:
        return normalise_transfer_encodings(
            email.message_from_bytes(data, policy=email.policy.compat32)
        )
    except RecursionError:
        # MIME nested deeper than the parser recurses (it recurses once a level; no
        # mail client nests more than a few): its header section, and its body as
        # the text between them and the end (body.body_part), still make a case.
        return BytesParser(policy=email.policy.compat32).parsebytes(data, True)


def _parts_capped(data: bytes) -> bytes:
    """`data` up to its line after MAX_PARTS lines that begin with "--" (a part's
    delimiter, or text such as a signature's "-- "), all of it when it has fewer;
    counted in C (bytes.count, bytes.find), so an ordinary mail costs one scan."""
    if data.count(b"\n--") <= MAX_PARTS:
        return data
    position = -1
    for _ in range(MAX_PARTS + 1):
        position = data.find(b"\n--", position + 1)
    return data[: position + 1]


def _stub_file_bodies(raw: bytes) -> tuple[bytes, dict[str, int]]:
    """`raw` with the plain base64 bodies of its files of _FILE_MIN or more replaced by
    markers, and each one's decoded size; found by large_mail's byte searches, as
    stub_large_base64 finds them (no file after an attached message's Content-Type:
    its size is its bytes, markers included)."""
    pieces: list[bytes] = []
    sizes: dict[str, int] = {}
    position = 0
    files = FileParts(raw)
    for body in base64_bodies(raw):
        start, end = body.start, body.end
        if start < position or end - start < _FILE_MIN or not files.holds(body):
            continue
        size = _plain_base64_size(raw[start:end])
        if size is None:
            continue
        marker = f"{_MARKER}{len(sizes)}"
        sizes[marker] = size
        pieces += [raw[position:start], marker.encode(), b"\r\n"]
        position = end
    if not sizes:
        return raw, {}
    pieces.append(raw[position:])
    return b"".join(pieces), sizes


def _plain_base64_size(body: bytes) -> int | None:
    """The bytes `body` decodes to, when it is base64 the parser's decoding reads
    strictly (base64.b64decode with validate=True, after the line ends are joined:
    email.message.Message.get_payload): else None. Its size counted this way is what
    attachments._size counts of it, also of a body over _DECODE_LIMIT."""
    data = body.translate(None, b"\r\n")
    if len(data) % 4:
        return None
    padding = data.translate(None, _BASE64_ALPHABET)
    if padding not in (b"", b"=", b"==") or not data.endswith(padding):
        return None
    return len(data) * 3 // 4 - len(padding)


def _held(msg: Message, sizes: dict[str, int]) -> bool:
    """Whether each marker of `sizes` is, in `msg`, the whole body of a part that is
    read as a file of that size: declared neither text (which may be the body a
    person reads) nor a message nor multipart, and base64 as get_payload(decode=True)
    tests it (the first such field, lower-cased, not stripped)."""
    found: set[str] = set()
    for part in msg.walk():
        payload = payload_of(part)
        if not isinstance(payload, str) or _MARKER not in payload:
            continue
        marker = payload.strip()
        if (
            marker not in sizes
            or not is_stub(part)
            or part.get_content_maintype() in ("text", "message", "multipart")
            or str(part.get("content-transfer-encoding", "")).lower() != "base64"
        ):
            return False
        found.add(marker)
    return len(found) == len(sizes)
