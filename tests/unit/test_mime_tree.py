"""The bodies of a mail's smaller base64 files are hidden from the stdlib parser
(daemon.mail.mime_tree) only where the mail reads the same: the same ParsedMail, every
attachment's size included, as the parser gives with nothing hidden."""

from __future__ import annotations

import base64
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daemon.mail import mime_tree
from daemon.mail.parse import ParsedMail, parse

HEAD = (
    b"From: Mette <mette@firma.dk>\r\nTo: support@oo.dk\r\nSubject: Log\r\n"
    b"Message-ID: <t1@firma.dk>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
    b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSe vedhaeftet.\r\n"
)


def with_file(body: bytes, headers: bytes = b"Content-Type: application/pdf; name=log.pdf\r\n"
              b"Content-Transfer-Encoding: base64\r\n", end: bytes = b"--b1--\r\n") -> bytes:
    return HEAD + b"--b1\r\n" + headers + b"\r\n" + body + end


def encoded(size: int, line: int = 76, newline: bytes = b"\r\n") -> bytes:
    text = base64.b64encode(os.urandom(size))
    return b"".join(text[i : i + line] + newline for i in range(0, len(text), line))


def read(raw: bytes) -> tuple[ParsedMail, list[tuple[int, str, str, int]], str]:
    parsed = parse(raw)
    return parsed, [(a.part_index, a.filename, a.content_type, a.size)
                    for a in parsed.attachments], parsed.body_text


def hidden_and_not(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object, bool]:
    """(the mail read, the mail read with nothing hidden, whether a body was hidden)."""
    kept: list[bool] = []
    held = mime_tree._held

    def spy(msg: object, sizes: dict[str, int]) -> bool:
        kept.append(held(msg, sizes))  # type: ignore[arg-type]
        return kept[-1]

    with monkeypatch.context() as patch:
        patch.setattr(mime_tree, "_held", spy)
        fast = read(raw)
    with monkeypatch.context() as patch:
        patch.setattr(mime_tree, "_stub_file_bodies", lambda raw: (raw, {}))
        whole = read(raw)
    return fast, whole, any(kept)


@pytest.mark.parametrize("size", [3 * 1024 + 1, 20_000, 20_001, 20_002, 150_000])
def test_a_plain_base64_file_is_hidden_and_its_size_is_the_decoded_one(
    size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = with_file(encoded(size))
    fast, whole, hidden = hidden_and_not(raw, monkeypatch)
    assert hidden
    assert fast == whole
    assert fast[1] == [(1, "log.pdf", "application/pdf", size)]


CASES = {
    "a space at each line's end": with_file(encoded(9000, newline=b" \r\n")),
    "missing padding": with_file(encoded(9000).rstrip().rstrip(b"=") + b"\r\n"),
    "padding inside": with_file(b"QUJD=" + encoded(9000)),
    "a character outside the alphabet": with_file(encoded(9000) + b"!!!!\r\n"),
    "bare LF lines": with_file(encoded(9000, newline=b"\n")),
    "base64 with a blank after it": with_file(encoded(9000), headers=(
        b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64 \r\n")),
    "two encodings, the first read": with_file(encoded(9000), headers=(
        b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: 7bit\r\n"
        b"Content-Transfer-Encoding: base64\r\n")),
    "text declared": with_file(encoded(9000), headers=(
        b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n")),
    "two types, the first read": with_file(encoded(9000), headers=(
        b"Content-Type: text/plain\r\nContent-Type: application/pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n")),
    "a line of dashes that is no boundary": with_file(
        encoded(9000) + b"--not-the-boundary\r\n" + encoded(9000)),
    "no closing boundary": with_file(encoded(9000), end=b""),
    "an attached message before it": HEAD + b"--b1\r\nContent-Type: message/rfc822\r\n\r\n"
    b"Subject: inner\r\n\r\nhej\r\n" + with_file(encoded(9000))[len(HEAD) :],
    "the whole mail one file": b"From: a@firma.dk\r\nContent-Type: application/zip\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n" + encoded(9000),
    "not multipart after all": with_file(encoded(9000)).replace(
        b"Content-Type: multipart/mixed", b"Content -Type: multipart/mixed"),
}


@pytest.mark.parametrize("raw", CASES.values(), ids=CASES.keys())
def test_a_file_read_otherwise_is_read_as_the_parser_reads_it(
    raw: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, whole, _hidden = hidden_and_not(raw, monkeypatch)
    assert fast == whole


_PIECES = st.sampled_from([b"QUJD", b"RA==", b"RUY=", b"=", b"-", b"--b1", b"\r\n", b"\n", b"\r",
                           b" ", b"\t", b"!", b"A", b"\xc3\xa6", b"--b1--\r\n"])


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=12), st.integers(0, 200), st.integers(1, 300))
def test_any_body_near_base64_is_read_as_the_parser_reads_it(
    pieces: list[bytes], at: int, lines: int
) -> None:
    body = bytearray(encoded(57 * lines))
    for piece in pieces:
        place = min(len(body), at * 97 % (len(body) + 1))
        body[place:place] = piece
        at += 31
    raw = with_file(bytes(body))
    with pytest.MonkeyPatch.context() as patch:
        fast, whole, _hidden = hidden_and_not(raw, patch)
    assert fast == whole


def test_a_mail_of_a_million_parts_is_read_into_a_bounded_tree() -> None:
    """redteam25a: 7 MB of empty parts (one per 7 bytes, a million of them) took a
    parsing worker ~24 s (load 9) in the stdlib's parser, each part a Message; three
    sent at once to the listener held a one-line mail behind them for 55 s. Past
    MAX_PARTS delimiter lines the rest is not parsed (the mail is kept whole): the
    tree, and the work, are bounded; what comes first is read as before."""
    from daemon.mail.mime_tree import MAX_PARTS

    read = mime_tree.mime_tree
    head = (b"From: bo@kunde.dk\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
            b"--b\r\nContent-Type: text/plain\r\n\r\nPrinteren virker ikke.\r\n"
            b"--b\r\nContent-Type: application/pdf; name=a.pdf\r\n\r\nx\r\n")
    many = head + b"--b\r\n\r\n" * (3 * MAX_PARTS) + b"--b--\r\n"
    msg = read(many, {})
    assert MAX_PARTS <= sum(1 for _ in msg.walk()) <= MAX_PARTS + 2
    assert msg.get_payload(0).get_payload() == "Printeren virker ikke."
    assert msg.get_payload(1).get_filename() == "a.pdf"
    # A mail of fewer parts is the parser's whole tree, as before.
    few = head + b"--b\r\n\r\n" * (MAX_PARTS - 10) + b"--b--\r\n"
    assert sum(1 for _ in read(few, {}).walk()) == MAX_PARTS - 10 + 3
