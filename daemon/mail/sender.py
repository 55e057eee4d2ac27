"""Who sent a mail: the search for its sender, from the From field(s) through
Sender, Reply-To and Return-Path, to a sender named in text a broken header section
hid (an mbox "From " line, a Received field's envelope-from). The envelope sender,
the last resort, is the caller's (daemon/mail/parse.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from daemon.mail.addresses import address, address_pairs, mailboxes
from daemon.mail.header_text import (
    Headers,
    clean_text,
    decode_words,
    guess_decode,
    one_line,
    recovered,
)


@dataclass(frozen=True)
class Sender:
    name: str
    address: str  # "" when the mail names none
    # The From field(s) name more than one mailbox, or a name that is itself an address
    # other than the one in angle brackets: which one sent it is a guess.
    ambiguous: bool = False


def sender_of(headers: Headers) -> Sender:
    """Who sent the mail, read as mail clients and DMARC read it.

    From first (every From field, if a relay duplicated it), then Sender, Reply-To and
    Return-Path for mail that has no usable From. In `bo@kunde.dk <x@evil.example>` the
    address is the one in angle brackets (what Outlook shows and DMARC checks); the
    text before it is only a name, and such a From is ambiguous.
    """
    found: list[tuple[str, str]] = []
    ambiguous = False
    for value in headers.all("From"):
        value = recovered(value, headers.hints)
        pairs = [
            (name, addr)
            for name, addr in mailboxes(value, headers.hints, keep_case=True)
            if "@" in addr
        ]
        angle = _ANGLE_ADDR.findall(_COMMENTS_AND_QUOTES.sub(" ", value))
        if len(angle) == 1:  # the one address in angle brackets is the sender
            addr = address(angle[0], keep_case=True)
            named = next((n for n, a in pairs if a == addr and n), "")
            named = named or decode_words(value.split("<", 1)[0], headers.hints)
            name = one_line(clean_text(named)).strip('"')
            # getaddresses takes an unquoted name that is an address (`'bo@kunde.dk'
            # <bo@kunde.dk>`) for a mailbox of its own: it names another only if it
            # is another address.
            ambiguous = ambiguous or any(_names_another(a, addr) for _n, a in pairs)
            pairs = [(name, addr)] if addr else []
        elif len(pairs) > 1 or len(angle) > 1:
            ambiguous = True
        found += pairs
    if found:
        name, addr = found[0]
        if not name:  # the old form: bo@kunde.dk (Bo Hansen)
            comment = _COMMENT.search(recovered(headers.all("From")[0], headers.hints))
            decoded = decode_words(comment.group(1), headers.hints) if comment else ""
            name = one_line(clean_text(decoded))
        ambiguous = ambiguous or len({a.lower() for _n, a in found}) > 1
        return Sender(name, addr, ambiguous or _names_another(name, addr))
    for header in ("Sender", "Reply-To", "Return-Path"):
        for name, addr in address_pairs(headers, header, keep_case=True):
            if "@" in addr:
                return Sender(name, addr)
    return Sender("", "")


def _names_another(name: str, addr: str) -> bool:
    """Does the display name hold an address other than the sender's? Shown as the
    sender by some clients (`"chef@oo.dk" <x@evil.example>`), it is then a guess who
    wrote. The sender's own address as its name (Outlook with no name set writes
    `"bo@kunde.dk" <bo@kunde.dk>`) names nobody else."""
    if "@" not in name:
        return False
    named = _NAMED_ADDRESS.findall(name)
    return not named or any(found.strip("'.").lower() != addr.lower() for found in named)


# An apostrophe may be part of an address (lucy.o'brien@), or quote one in a name.
_NAMED_ADDRESS = re.compile(r"[^\s<>()\[\]\",;:]+@[^\s<>()\[\]\",;:]+")
_ANGLE_ADDR = re.compile(r"<\s*([^<>\s@]+@[^<>\s@]+?)\s*>")
# Quoted strings and comments, where angle brackets are only text.
_COMMENTS_AND_QUOTES = re.compile(r'"(?:[^"\\]|\\.)*"|\((?:[^()\\]|\\.)*\)')
_COMMENT = re.compile(r"\(((?:[^()\\]|\\.)+)\)")
_SENDER_LINE = re.compile(
    rb"(?im)^(?:>?from[ \t]+(?P<envelope>[^\s@]+@[^\s@]+)[ \t]|(?:from|sender|return-path)"
    rb"[ \t]*:[ \t]*(?P<field>[^\r\n]*@[^\r\n]*))"
)


def sender_in_text(raw: bytes) -> str:
    """The first sender named anywhere in the mail's first 64 KB: a From, Sender or
    Return-Path field, an mbox "From " line, a Received field's envelope-from; ""."""
    for pattern in (_SENDER_LINE, _ENVELOPE_FROM):
        match = pattern.search(raw, 0, 65536)
        if match is not None:
            found = guess_decode(next(g for g in match.groups() if g).strip())
            named = mailboxes(found, keep_case=True)
            if named and "@" in named[0][1]:
                return named[0][1]
    return ""


_ENVELOPE_FROM = re.compile(rb"(?i)envelope-from[ \t]*[<=][ \t]*<?([^\s<>@;]+@[^\s<>;]+)")
