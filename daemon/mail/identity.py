"""The identity of an inbound mail, to tell a re-delivery from a new mail, and the
Message-ID of one that could not be parsed."""

from __future__ import annotations

import hashlib
import re

from daemon.mail.leading_junk import BLANK_LINE


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
    end = BLANK_LINE.search(raw)
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
    end = BLANK_LINE.search(raw)  # the header section only: split() would copy the body
    head = raw[: end.start()] if end else raw[:65536]
    match = re.search(
        rb"^message-id:[ \t]*(<[^<>\s\x00-\x1f\x7f]+>)", head, re.IGNORECASE | re.MULTILINE
    )
    return match.group(1).decode("ascii", "replace") if match else None
