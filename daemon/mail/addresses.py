"""Address lists read to (display name, address) pairs, as the stdlib's header
registry reads them where encoded words could cut a name apart, and addresses
kept as sent (local part's case) or folded for comparing."""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Iterator, Sequence
from email.headerregistry import HeaderRegistry
from email.utils import getaddresses
from typing import overload

from daemon.mail.header_text import Headers, clean_text, decode_words, one_line

_REGISTRY = HeaderRegistry()
_REGISTRY_MAX_CHARS = 16_384


def mailboxes(
    value: str, hints: Sequence[str] = (), keep_case: bool = False
) -> list[tuple[str, str]]:
    """(display name, address) of each mailbox in an address list.

    The standard library's header parser first: it decodes encoded words as whole
    tokens, so `=?UTF-8?Q?Andreas,=20M=C3=BCller?=` stays one name (split at its comma
    before decoding, it became two broken addresses). getaddresses for what it cannot
    read.
    """
    if len(value) <= _KEPT_MAX_CHARS:
        kept = _kept_mailboxes(value, keep_case)
        if kept is not None:
            return list(kept)
    return _mailboxes(value, hints, keep_case)


# The answers kept: a desk's mail comes to the same few addresses and, again and again,
# from the same customers; reading an address list (getaddresses, the header parser for
# encoded words) was most of a parsing worker's header fields (issue 18). A longer list
# is read each time and not held. The last 1,024 values: the benchmarks' corpus has 267
# senders in 5,000 mails; 1,024 lists of 256 characters of short addresses, the most
# they can hold, measured ~3 MB (tracemalloc; the workers' memory counts in the
# daemon's, issue 18).
_KEPT_MAX_CHARS = 256


@functools.lru_cache(maxsize=1024)
def _kept_mailboxes(value: str, keep_case: bool) -> tuple[tuple[str, str], ...] | None:
    """mailboxes(value, any hints, keep_case), when the hints were never looked at (the
    bytes of every encoded word read in their declared charset); else None, and the
    value is read with the mail's hints each time."""
    probe = _HintsLookedAt()
    pairs = _mailboxes(value, probe, keep_case)
    return None if probe.looked else tuple(pairs)


class _HintsLookedAt(Sequence[str]):
    """No hints, and a note of whether anything asked for them."""

    looked = False

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        self.looked = True
        return ()[index]

    def __len__(self) -> int:
        self.looked = True
        return 0

    def __iter__(self) -> Iterator[str]:
        self.looked = True
        return iter(())


def _mailboxes(value: str, hints: Sequence[str], keep_case: bool) -> list[tuple[str, str]]:
    # Only where it matters: the header parser builds a token tree of the whole field,
    # which for 10,000 recipients costs ~80 MB and seconds; plain lists need none of it.
    found: list[tuple[str, str]] = []
    if "=?" in value and len(value) <= _REGISTRY_MAX_CHARS:
        try:
            header = _REGISTRY("To", _as_utf8_words(value, hints))
            found = [(a.display_name, a.addr_spec) for a in header.addresses]  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - pathological address lists
            found = []
    if any("<" in addr for _display, addr in found):
        # A whole mailbox in one encoded word (`=?utf-8?Q?Hans_=3Chans@firma.de=3E?=`,
        # from scripts that encode the From field whole): the parser takes it for a
        # name and its quoted text for the address; the address is in the decoded text.
        value = decode_words(value, hints)
        found = []
    if not found:
        try:
            found = getaddresses([value])
        except Exception:  # noqa: BLE001
            found = []
    pairs = []
    for display, addr in found:
        addr = address(addr, keep_case)
        if addr:
            pairs.append((one_line(clean_text(decode_words(display, hints))), addr))
    return pairs


# A run of encoded words with only white space between them (RFC 2047 6.2: decoded
# as one text, so a character cut across two words is whole again).
_ENCODED_RUN = re.compile(
    r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=(?:[ \t]+=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)*"
)


def _as_utf8_words(value: str, hints: Sequence[str]) -> str:
    """`value` with each run of encoded words decoded our way (gb2312 as GB18030, ...)
    and encoded again as one UTF-8 word, for the header parser, which reads labels
    strictly."""

    def utf8_word(run: re.Match[str]) -> str:
        text = clean_text(decode_words(run.group(0), hints))
        return "=?utf-8?b?" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "?="

    return _ENCODED_RUN.sub(utf8_word, value)


def address(addr: str, keep_case: bool = False) -> str:
    """The address as sent, its domain in lower case; with keep_case False all of it
    in lower case (recipient lists, which the pipeline compares as keys)."""
    addr = clean_text(addr).strip().strip("<>")
    # A local part is case-sensitive (RFC 5321 2.4): Bo.Hansen@ is shown as sent;
    # comparisons elsewhere fold case themselves. Domains have no case.
    local, at, domain = addr.rpartition("@")
    # `bo@kunde.dk.`: the root's dot names the same domain, and a relay may refuse it
    # in RCPT TO (RFC 5321 4.1.2 has none); one spelling for keys, limits and replies.
    domain = domain.lower().removesuffix(".") if local else domain.lower()
    local = _unquoted(local)
    addr = f"{local if keep_case else local.lower()}{at}{domain}"
    # RFC 5321 limits: longer ones are not addresses anyone can answer.
    if len(addr) > 320 or len(addr.rpartition("@")[2]) > 255:
        return ""
    return addr


# A local part that needs no quotes (RFC 5322 dot-atom; UTF-8 letters too, RFC 6531).
_DOT_ATOM = re.compile(r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*")
_QUOTED_PAIR = re.compile(r"\\(.)")


def _unquoted(local: str) -> str:
    """`"bo"@` and `"b\\o"@` are bo@ (RFC 5321 4.1.2: quoting where none is needed
    names the same mailbox; such forms SHOULD NOT be used). Kept as written, one
    mailbox was several senders: a reply from a client that quotes did not join its
    case, and each spelling had an ack limit of its own. A quoted local part that needs
    its quotes (`"tech@oo.dk"@evil.example`, blanks) is kept as it is."""
    if len(local) < 2 or local[0] != '"' or local[-1] != '"':
        return local
    inner = _QUOTED_PAIR.sub(r"\1", local[1:-1])
    return inner if _DOT_ATOM.fullmatch(inner) else local


def address_pairs(
    headers: Headers, name: str, keep_case: bool = False
) -> list[tuple[str, str]]:
    value = headers.raw(name)
    return mailboxes(value, headers.hints, keep_case) if value else []


def addresses(headers: Headers, name: str) -> list[str]:
    return [addr for _display, addr in address_pairs(headers, name) if "@" in addr]
