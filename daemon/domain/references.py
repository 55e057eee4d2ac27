"""The case reference customers and staff quote: `[OO#100042]` (BR-3)."""

from __future__ import annotations

import re

# Tolerant of the spacing and case that mail clients and people introduce.
_REFERENCE = re.compile(r"\[\s*OO\s*#\s*(\d{1,12})\s*\]", re.IGNORECASE)


def format_reference(number: int) -> str:
    return f"[OO#{number}]"


def find_reference(subject: str) -> int | None:
    """The case number a subject names, or None."""
    match = _REFERENCE.search(subject)
    return int(match.group(1)) if match else None


def tagged_subject(number: int, subject: str) -> str:
    """The subject with the case's reference in front, exactly once."""
    reference = format_reference(number)
    if find_reference(subject) == number:
        return subject
    return f"{reference} {subject}".rstrip()


# White space runs, but not the ideographic space (U+3000): in Chinese and Japanese
# subjects it is a character of its own (daemon/mail/header_text.py keeps it too).
_SPACES = re.compile(r"[^\S\u3000]+")


def strip_references(subject: str) -> str:
    """The subject without any case tags: a new case must not carry another case's."""
    return _SPACES.sub(" ", _REFERENCE.sub(" ", subject)).strip(" ")
