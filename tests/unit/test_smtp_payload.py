"""What the outbox hands the relay after DATA and in its envelope (daemon/outbox.py): the
cheaper forms (issue 18, flush20) give the bytes the plain regexes and smtplib give."""

from __future__ import annotations

import re
import smtplib

from hypothesis import given
from hypothesis import strategies as st

from daemon.outbox import _dot_stuffed, _envelope_lines


def reference_dot_stuffed(raw: bytes) -> bytes:
    """The payload as it was written before flush20: two regexes."""
    data = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", raw)
    data = re.sub(rb"(?m)^\.", b"..", data)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


# Line ends of every kind, dots where a line starts, and text between them.
_PIECES = st.sampled_from([b"\r\n", b"\n", b"\r", b".", b"..", b"a", b"Hej .", b"\r\n.\r\n"])


@given(st.lists(_PIECES, max_size=40).map(b"".join))
def test_dot_stuffed_is_the_regexes_payload(raw: bytes) -> None:
    assert _dot_stuffed(raw) == reference_dot_stuffed(raw)


def test_dot_stuffed_doubles_leading_dots_of_a_crlf_mail() -> None:
    raw = b".first\r\nHej\r\n.\r\n..two\r\nend."
    assert _dot_stuffed(raw) == b"..first\r\nHej\r\n..\r\n...two\r\nend.\r\n"


@given(
    st.sampled_from(["support@oo.dk", "Support <support@oo.dk>", "<a@b.dk>", "", "x"]),
    st.lists(st.sampled_from(["kunde@firma.dk", "Ann <ann@x.dk>", "bad address", "<>"]),
             min_size=1, max_size=3),
)
def test_envelope_lines_quote_as_smtplib_does(sender: str, recipients: list[str]) -> None:
    for _ in range(2):  # the second time from the kept quotes
        expected = [f"MAIL FROM:{smtplib.quoteaddr(sender)}"]
        expected += [f"RCPT TO:{smtplib.quoteaddr(to)}" for to in recipients]
        assert _envelope_lines(sender, recipients) == (
            "\r\n".join([*expected, "DATA"]) + "\r\n"
        ).encode("ascii")
