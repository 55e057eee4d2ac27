"""When a mail is one we have already: the rule behind the pipeline's dedupe step.

A mail's identity is its Message-ID with its sender and content, else the hash of its
bytes (daemon/mail/identity.py `dedupe_key`). A mail whose identity is stored already, or
came earlier in the same batch, changes nothing (BR-2: one inquiry, one case); that is
what makes reading a mailbox again after a crash safe.
"""

from __future__ import annotations

from collections.abc import Container

# Where a mail was read: (source, UIDVALIDITY, UID); UID None for the SMTP listener.
Position = tuple[str, int | None, int | None]


def is_repeat(key: str, stored: Container[str], earlier: Container[str]) -> bool:
    """Is the mail with identity `key` one already stored, or one earlier in this batch?"""
    return key in stored or key in earlier


def records_arrival(arrival: Position, original: Position) -> bool:
    """Is a repeat recorded as a re-delivery of `original`? Every one is, except a
    re-read of the very same IMAP message (a crash before its MOVE): that is not a
    second arrival, only a second look."""
    return arrival[2] is None or arrival != original
