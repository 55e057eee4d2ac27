"""The encodings of the mail the daemon writes, byte for byte the stdlib's, cheaper.

Every new case's acknowledgement passes through here, in the IMAP pass's own thread
(issue 18: rendering the acks was the largest piece of that thread's time). Three
stdlib pieces cost more than the rest of composing an ack put together:

- `email.quoprimime.body_encode` maps every character through a Python table; here
  the few characters to quote are found by one regex pass, and lines are folded by
  the same rules. The result is the same string.
- `email.header.Header` with the utf-8 charset fits a non-ASCII subject into encoded
  words by re-encoding the whole line so far after every character (quadratic, "brute
  force" in its own words). `UTF8_HEADERS` is that charset with the same greedy fit
  worked out by adding each character's encoded length once.
- `secrets.token_hex` reads the OS random source for each Message-ID and boundary;
  each read gives up the GIL, and taking it back waits for the fetch and parsing
  threads of the pass. `random_hex` draws 4 KB at a time (per thread) instead.

tests/unit/test_wire_encoding.py holds the first two to the stdlib's own output.
"""

from __future__ import annotations

import binascii
import codecs
import email.base64mime
import email.quoprimime
import os
import re
import threading
from collections.abc import Iterator
from email.charset import SHORTEST, Charset

_MAX_LINE = 76  # RFC 2045, as quoprimime.body_encode folds
# What quoted-printable body encoding leaves as it is: printable ASCII but "=", and tab;
# and the line break, which qp_body splits at after quoting the whole text in one pass.
_NEEDS_QUOTING = re.compile(r"[^\t\n !-<>-~]")
_QUOTED = {chr(octet): f"={octet:02X}" for octet in range(256)}


def qp_body(text: str, eol: str = "\r\n") -> str:
    """`text` (a str of UTF-8 bytes as latin-1, as quoprimime takes it) quoted-printable
    with `eol` line ends: exactly `email.quoprimime.body_encode(text, eol=eol)`.

    `text` has "\\n" line ends only (compose normalises them)."""
    # One regex pass over the whole text, not one a line (an ack has ~50 lines): the
    # quoting is character by character, so where the lines are cut does not matter.
    return _fold_lines(_NEEDS_QUOTING.sub(_quote, text), eol)


def qp_text(text: str, eol: str = "\r\n") -> str:
    """`text` (a str, "\\n" line ends only) as UTF-8 quoted-printable: exactly
    `qp_body(text.encode("utf-8").decode("latin-1"), eol)`.

    A line at a time, each line as `_qp_line` writes it: QP quotes character by
    character and folds line by line, so the lines' encodings joined are the text's.
    Most lines of an ack are its template's own, the same in every ack (the greeting
    aside, the case number and the times are a few lines of ~40): a short line's
    encoding is kept (the last _KEPT_LINES of them), and an ack's two parts cost ~5 us
    to encode, not ~35 (issue 18, feed19). They are kept in a plain dict for each line
    ending and looked up by the line alone: an lru_cache's (line, eol) key and its
    bookkeeping cost more than the rest of it, for the ~50 lines of an ack (pass21)."""
    kept = _kept_lines.get(eol)
    if kept is None:
        kept = _kept_lines.setdefault(eol, {})
    quoted = []
    for line in text.split("\n"):
        encoded = kept.get(line)
        if encoded is None:
            encoded = _qp_line(line, eol)
            if len(line) <= _KEPT_LINE:
                if len(kept) >= _KEPT_LINES:
                    kept.clear()  # the template's own lines are back after one ack
                kept[line] = encoded
        quoted.append(encoded)
    return eol.join(quoted)


def _qp_line(line: str, eol: str) -> str:
    """One line (no "\\n") as UTF-8 quoted-printable, folded as quoprimime folds it.

    What QP quotes is "=", every octet of a non-ASCII character and the control
    characters but tab and line break; the ASCII encoder hands each run of non-ASCII
    characters to `_QP_RUNS` at once (issue 18: `qp_body`'s regex called back once for
    every octet to quote), and a line with such a control character (none of the
    daemon's own) takes `qp_body`'s way.

    A line that needs no fold is quoted by `binascii.b2a_qp` (C), which quotes the
    same octets as quoprimime but for two cases kept away from it: a space or tab
    ending the line (quoprimime may push it past a soft break instead) and a line
    that is a lone "." (b2a_qp quotes it, for SMTP's sake). A line of an ack that is
    not its template's own (the greeting, the subject, the times) is quoted in a
    third of the time (issue 18, pass21)."""
    octets = line.encode("utf-8")
    if octets.translate(None, _NOT_CONTROL):  # a control character left
        return qp_body(octets.decode("latin-1"), eol)
    if line[-1:] not in (" ", "\t") and line != ".":
        quick = binascii.b2a_qp(octets)
        if len(quick) <= _MAX_LINE and b"\n" not in quick:  # b2a_qp folded nothing
            return quick.decode("ascii")
    quoted = line.replace("=", "=3D").encode("ascii", _QP_RUNS).decode("ascii")
    if len(quoted) <= _MAX_LINE and quoted[-1:] not in (" ", "\t"):
        return quoted
    return eol.join(_folded(quoted, eol))


# Lines kept encoded: an ack template's own lines are ~40 a language and part; the
# bound keeps the memory at ~1 MB whatever the customers' subjects and names.
_KEPT_LINE = 200
_KEPT_LINES = 2048
_kept_lines: dict[str, dict[str, str]] = {}  # eol -> line -> its encoding


# The octets that are not a control character QP quotes: deleting them (bytes.translate,
# ~1 ns an octet) leaves nothing in a text without one, cheaper than a regex search.
_NOT_CONTROL = bytes(octet for octet in range(256) if octet in (9, 10) or 32 <= octet != 127)
_QP_RUNS = "oo-qp-runs"


def _fold_lines(quoted: str, eol: str) -> str:
    """`quoted`'s lines folded as quoprimime folds them, joined with `eol`."""
    return eol.join([
        line if len(line) <= _MAX_LINE and line[-1:] not in (" ", "\t")
        else eol.join(_folded(line, eol))
        for line in quoted.split("\n")
    ])


def _quoted_run(error: UnicodeError) -> tuple[str, int]:
    """The ASCII encoder's error handler for `qp_text`: a run of non-ASCII characters
    as its UTF-8 octets, each "=XX" (upper-case hex, as quoprimime writes them)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    octets = error.object[error.start : error.end].encode("utf-8")
    return "=" + octets.hex("=").upper(), error.end


codecs.register_error(_QP_RUNS, _quoted_run)


def _folded(quoted: str, eol: str) -> list[str]:
    """A quoted line as quoprimime folds it: pieces of at most 75 characters and a
    soft break "=", never splitting an "=XX"; a space or tab ending the line is
    quoted (it would be taken for padding), or pushed past a soft break."""
    pieces = []
    start, last = 0, len(quoted) - 1 - _MAX_LINE  # a piece starting after `last` fits
    while start <= last:
        stop = start + _MAX_LINE - 1
        if quoted[stop - 2] == "=":  # an escape would be cut: its "=" is the soft break
            pieces.append(quoted[start : stop - 1])
            start = stop - 2
        elif quoted[stop - 1] == "=":
            pieces.append(quoted[start:stop])
            start = stop - 1
        else:
            pieces.append(quoted[start:stop] + "=")
            start = stop
    end = quoted[-1:]
    if end not in (" ", "\t"):
        pieces.append(quoted[start:])
        return pieces
    room = start - last  # what is left of the last piece's 76 characters, less one
    if room >= 3:
        tail = _QUOTED[end]
    elif room == 2:
        tail = end + "=" + eol
    else:
        tail = "=" + eol + _QUOTED[end]
    pieces.append(quoted[start:-1] + tail)
    return pieces


def _quote(found: re.Match[str]) -> str:
    return _QUOTED[found.group()]


class _Utf8HeaderCharset(Charset):
    """utf-8 for headers, as `Charset("utf-8")`, with a linear `header_encode_lines`."""

    def header_encode_lines(self, string: str, maxlengths: Iterator[int]) -> list[str | None]:
        """The stdlib's greedy fit: each encoded word takes as many characters as fit in
        the line's length (less the RFC 2047 chrome); an encoded word's length only grows
        as characters are added, so the length of the line so far is kept rather than
        encoding it again for every character."""
        codec = "utf-8"
        whole = string.encode(codec)
        # SHORTEST: B or Q, whichever encodes the whole value shorter (Q on a tie). The
        # lengths as base64mime's and quoprimime's header_length count them, in C: Q
        # writes each octet but the plain ones as "=XX".
        b_length = 4 * -(-len(whole) // 3)
        q_length = len(whole) + 2 * len(whole.translate(None, _Q_PLAIN_OCTETS))
        base64 = b_length < q_length
        encoder_module = email.base64mime if base64 else email.quoprimime
        extra = len(codec) + 7  # =?utf-8?q?...?= (email.charset.RFC2047_CHROME_LEN)
        maxlen = next(maxlengths) - extra
        if (b_length if base64 else q_length) <= maxlen:
            # All of it fits the first line (an ack's Danish subject, mostly): the loop
            # below would walk every character to the same one word.
            return [encoder_module.header_encode(whole, codec)]
        lines: list[str | None] = []
        start, used = 0, 0  # where the line began; its octets (B) or encoded length (Q)
        for index, character in enumerate(string):
            grown = used + (_utf8_length(character) if base64 else _q_length(character))
            if (4 * -(-grown // 3) if base64 else grown) <= maxlen:
                used = grown
                continue
            if not lines and index == start:
                lines.append(None)  # nothing fits on the first line (as the stdlib marks it)
            else:
                lines.append(encoder_module.header_encode(string[start:index].encode(codec), codec))
            start, used = index, grown - used
            maxlen = next(maxlengths) - extra
        lines.append(encoder_module.header_encode(string[start:].encode(codec), codec))
        return lines


def _utf8_length(character: str) -> int:
    code = ord(character)
    return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4


# Q encoding in a header (RFC 2047 4.2): these stay as they are, space becomes "_",
# any other octet is "=XX". Every octet of a non-ASCII character is quoted.
_Q_PLAIN = frozenset("-!*+/ abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_Q_PLAIN_OCTETS = "".join(sorted(_Q_PLAIN)).encode("ascii")


def _q_length(character: str) -> int:
    return 1 if character in _Q_PLAIN else 3 * _utf8_length(character)


UTF8_HEADERS = _Utf8HeaderCharset("utf-8")
assert UTF8_HEADERS.header_encoding == SHORTEST  # what header_encode_lines above assumes

_RANDOM_BLOCK = 4096
_random = threading.local()  # each thread its own pool: no lock, no sharing


def _forget_pools() -> None:
    # A forked child must not hand out the bytes its parent hands out too.
    global _random
    _random = threading.local()


os.register_at_fork(after_in_child=_forget_pools)


def random_hex(nbytes: int) -> str:
    """`nbytes` random bytes from the OS's source, as hex (secrets.token_hex), drawn
    from a per-thread pool filled 4 KB at a time; each byte is handed out once."""
    pool: bytes = getattr(_random, "pool", b"")
    if len(pool) < nbytes:
        pool = os.urandom(max(_RANDOM_BLOCK, nbytes))
    _random.pool = pool[nbytes:]
    return pool[:nbytes].hex()
