"""A large single-part mail is parsed without the standard library's list of lines
(daemon.mail.large_mail.large_single_part), and comes out the same as through it."""

from __future__ import annotations

import pytest

from daemon.mail import LARGE_MAIL_BYTES, parse
from daemon.mail.html_text import CUT_TEXT, TEXT_LIMIT

HEAD = (
    b"From: =?utf-8?q?S=C3=B8ren?= <soeren@firma.dk>\r\nTo: support@oo.dk\r\n"
    b"Subject: Stor log\r\nMessage-ID: <large@firma.dk>\r\n"
)


def text_mail(headers: bytes, line: bytes) -> bytes:
    return HEAD + headers + b"\r\n" + line * (LARGE_MAIL_BYTES // len(line) + 1)


CASES = {
    "7bit short lines": text_mail(b"", b"a\r\n"),
    "utf-8 8bit": text_mail(
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n",
        "Kære kunde, æøå\r\n".encode(),
    ),
    "undeclared latin-1": text_mail(b"", "Hilsen Søren\r\n".encode("latin-1")),
    "quoted-printable": text_mail(
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n",
        b"K=E6re kunde, tak=\r\n for sidst\r\n",
    ),
    "html": text_mail(b"Content-Type: text/html; charset=utf-8\r\n", b"<p>linje</p>\n"),
    "bare LF": text_mail(b"", b"b\n").replace(b"\r\n", b"\n"),
    "an attachment as the whole mail": text_mail(
        b"Content-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename=log.txt\r\n",
        b"0123456789\r\n",
    ),
}


@pytest.mark.parametrize("raw", CASES.values(), ids=CASES.keys())
def test_large_single_part_mail_parses_as_the_full_parser_does(
    raw: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(raw) >= LARGE_MAIL_BYTES
    fast = parse.parse(raw)
    monkeypatch.setattr(parse, "large_single_part", lambda raw: None)
    full = parse.parse(raw)
    assert fast == full
    assert fast.from_name == "Søren" and (fast.body_text or fast.attachments)


def test_a_broken_header_section_is_left_to_the_full_parser() -> None:
    # A line that is no header ends the header section for the parser: the fast path
    # must not take the lines after it for headers.
    raw = HEAD + b"this is not a header\r\nX-Later: 1\r\n\r\n" + b"a\r\n" * (LARGE_MAIL_BYTES // 3)
    parsed = parse.parse(raw)
    assert "X-Later" not in parsed.headers
    assert parsed.body_text.startswith("this is not a header")


def test_a_long_plain_text_is_cut_as_html_is_and_says_so() -> None:
    raw = text_mail(b"", b"Linje med tekst\r\n")
    body = parse.parse(raw).body_text
    assert body.startswith("Linje med tekst\nLinje med tekst\n")
    assert body.endswith("\n\n" + CUT_TEXT)
    assert len(body) <= TEXT_LIMIT + len(CUT_TEXT) + 2
