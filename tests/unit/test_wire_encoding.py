"""daemon/mail/wire_encoding.py writes what the stdlib writes, byte for byte: the
outbox's bytes did not change when the acks' encoding was made cheaper (issue 18).

Each test compares with the stdlib's own encoder on the same input, over generated
text that reaches the folding rules' corners (lines of 74-78 characters, an escape
or a space at the cut, CJK and emoji subjects longer than a header line)."""

from __future__ import annotations

import email.quoprimime
import os
from email.charset import Charset
from email.header import Header

from hypothesis import example, given, settings
from hypothesis import strategies as st

from daemon.mail import compose
from daemon.mail.wire_encoding import UTF8_HEADERS, qp_body, qp_text, random_hex

# Characters that matter to QP: plain, "=", space and tab, Danish, CJK, an emoji.
_TEXT = st.text(alphabet="ab æøå=\t.-\u00e9\u4e2d\U0001f600\x0b\x85", max_size=400)


def _as_latin1(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


@settings(max_examples=600, deadline=None)
@given(st.lists(_TEXT, max_size=6))
@example(["x" * 74 + " ", "x" * 75 + " ", "x" * 76 + "\t", "x" * 77 + " "])
@example(["x" * 73 + "æ", "x" * 74 + "æ", "x" * 75 + "=" + "x" * 10, "=" * 200])
@example(["", "", ""])
def test_qp_body_is_quoprimes_body_encode(lines: list[str]) -> None:
    text = _as_latin1("\n".join(lines))
    assert qp_body(text) == email.quoprimime.body_encode(text, eol="\r\n")


def test_qp_body_of_every_line_length_and_ending() -> None:
    """Every length around the 76-character fold, each ending the stdlib treats apart."""
    for length in range(60, 240):
        for ending in ("", " ", "\t", "=", "æ", "æ ", "=\t", "ø\t"):
            text = _as_latin1("x" * length + ending + "\n")
            assert qp_body(text) == email.quoprimime.body_encode(text, eol="\r\n"), (
                length,
                ending,
            )


@settings(max_examples=600, deadline=None)
@given(st.lists(_TEXT, max_size=6))
@example(["x" * 74 + " ", "x" * 75 + "\u00e6", "x" * 73 + "\u4e2d", "=" * 90 + "\t"])
@example(["\x00\x1f\x7f\x80\u00ff", "\u00e6\u00f8\u00e5\u00c6\u00d8\u00c5" * 20, ""])
def test_qp_text_is_quoprimes_body_encode_of_its_utf8(lines: list[str]) -> None:
    """qp_text (the acks' way, issue 18): the Unicode text's UTF-8 octets, as quoprimime
    writes them; control characters (\\x0b, \\x00) take qp_body's way."""
    text = "\n".join(lines)
    assert qp_text(text) == email.quoprimime.body_encode(_as_latin1(text), eol="\r\n")


def test_qp_text_of_every_line_length_and_ending() -> None:
    for length in range(60, 240):
        for ending in ("", " ", "\t", "=", "æ", "æ ", "=\t", "ø\t", "中", "\U0001f600 "):
            text = "x" * length + ending + "\n" + "æ" * (length // 2)
            assert qp_text(text) == email.quoprimime.body_encode(_as_latin1(text),
                                                                 eol="\r\n"), (length, ending)


def _encoded(value: str, charset: Charset | str) -> str:
    header = Header(header_name="Subject")
    header.append(value, charset)
    return header.encode(linesep="\r\n")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="Printer på 2. sal_=?!\u4e2d\u6587\U0001f600\u00e9", min_size=1,
               max_size=300))
@example("Printeren på 2. sal virker ikke")
@example("\U0001f600" * 60)
@example("中文" * 80)
def test_utf8_headers_fit_as_the_stdlibs_utf8(value: str) -> None:
    assert _encoded(value, UTF8_HEADERS) == _encoded(value, Charset("utf-8"))


def test_ack_subject_header_is_the_stdlibs() -> None:
    """The Subject line of an ack: the [OO#n] tag readable, the rest encoded words."""
    subject = "[OO#10234] Printeren på 2. sal virker ikke, og " + "scanneren " * 12 + "æ"
    header = Header(header_name="Subject")
    header.append("[OO#10234] Printeren ", "us-ascii")
    header.append(subject[len("[OO#10234] Printeren ") :], "utf-8")
    assert compose.header_line("Subject", subject) == "Subject: " + header.encode(
        linesep="\r\n"
    )


def _header_line_by_the_stdlib(name: str, value: str) -> str:
    """compose.header_line as it was before its fast path: every value through Header."""
    if value.isascii() and len(name) + len(value) < 900:
        return f"{name}: {value}"
    words = "".join(chr(c) for c in range(32, 127))
    cut = len(value) - len(value.lstrip(words)) if not value.isascii() else len(value)
    cut = value.rfind(" ", 0, cut) + 1 if cut < len(value) else cut
    header = Header(header_name=name)
    if cut:
        header.append(value[:cut], "us-ascii")
    if cut < len(value):
        header.append(value[cut:], UTF8_HEADERS)
    return f"{name}: " + header.encode(linesep="\r\n")


# An ack's Subject: the tag, ASCII words (short or past a line), then anything, line
# separators of every kind email.header splits at included.
_TAGGED = st.builds(
    lambda number, words, rest: f"[OO#{number}] {words}{rest}",
    st.integers(1, 10**9),
    st.text(alphabet="Printer på2. _=?,;:-", max_size=90).map(
        lambda t: t.encode("ascii", "ignore").decode()),
    st.text(alphabet="æøå Printer中文\U0001f600=?_\x0b\x85\u2028\x1c\t", max_size=200),
)


@settings(max_examples=1500, deadline=None)
@given(_TAGGED, st.sampled_from(["Subject", "X-A-Longer-Header-Name", "To"]))
@example("[OO#100042] Printeren på 2. sal virker ikke", "Subject")
@example("[OO#1] " + "x " * 31 + "æ", "Subject")  # the ASCII words end at the line's end
@example("[OO#1] " + "x " * 32 + "æ", "Subject")  # and one past it
@example("[OO#1] " + "x" * 60 + " " + "\U0001f600" * 30, "Subject")  # no room for a word
@example("[OO#1] Hej æ\u2028ø", "Subject")
def test_header_line_is_the_stdlibs_header(value: str, name: str) -> None:
    assert compose.header_line(name, value) == _header_line_by_the_stdlib(name, value)


def test_random_hex_gives_fresh_bytes_each_call() -> None:
    drawn = [random_hex(8) for _ in range(5000)]  # more than one 4 KB pool
    assert all(len(token) == 16 and int(token, 16) >= 0 for token in drawn)
    assert len(set(drawn)) == len(drawn)


def test_a_forked_child_does_not_repeat_its_parents_random_bytes() -> None:
    random_hex(8)  # the parent's pool is filled
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child
        os.write(write, random_hex(8).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    childs = os.read(read, 64).decode()
    os.close(read)
    assert len(childs) == 16
    assert childs != random_hex(8)


def test_a_kept_lines_encoding_is_the_encoding_itself() -> None:
    """qp_text keeps short lines encoded (issue 18, feed19): asked again, and beside
    lines too long to keep, a text is still quoprimime's."""
    text = "Hej Søren,\n" + "x" * 74 + " \n" + "æ=" * 150 + "\n\nVenlig hilsen\n"
    for _ in range(3):
        assert qp_text(text) == email.quoprimime.body_encode(_as_latin1(text), eol="\r\n")


def test_a_line_quoted_whole_by_binascii_is_quoprimes() -> None:
    """Lines that need no fold are quoted by binascii.b2a_qp (issue 18, pass21), which
    quotes a lone "." and a line's last space or tab its own way: every length up to
    the fold and past it, with "=", a non-ASCII character, a space, a tab or a "."
    at each place and each ending, are still quoprimime's."""
    for length in range(82):
        for at in range(length):
            for odd in ("=", "æ", " ", "\t", ".", "\U0001f600"):
                for ending in ("", "x", " ", "\t", "=", "."):
                    line = "x" * at + odd + "x" * (length - at - 1) + ending
                    assert qp_text(line) == email.quoprimime.body_encode(
                        _as_latin1(line), eol="\r\n"
                    ), line
    for line in (".", " .", ". ", "..", "=", " ", "\t", ""):
        assert qp_text(line) == email.quoprimime.body_encode(_as_latin1(line), eol="\r\n")
