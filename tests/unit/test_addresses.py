"""Address lists read to (name, address) pairs: the answers kept (issue 18,
worker18) are the answers the whole reading gives."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daemon.mail import addresses
from daemon.mail.addresses import mailboxes
from daemon.mail.parse import ParseError, parse

REPO = Path(__file__).resolve().parents[2]


def the_whole_way(value: str, hints: tuple[str, ...], keep_case: bool) -> list[tuple[str, str]]:
    """mailboxes() with no value kept: every value read as before issue 18."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(addresses, "_KEPT_MAX_CHARS", -1)
        return mailboxes(value, hints, keep_case)


_PIECES = st.sampled_from([
    "Bo Hansen", "bo@kunde.dk", "Bo.Hansen@Kunde.DK", "<", ">", '"', "\\", "(", ")", ",",
    ";", ":", " ", "\t", "\n", "@", "=?", "?=", "=\\?", "=?utf-8?q?M=C3=BCller?=", "Müller",
    "æøå", "\x00", "\udce6", "Hansen, Bo", "group:", "support@oo.dk", "x",
])
_HINTS = st.sampled_from([(), ("iso-8859-1",), ("gb2312", "windows-1252")])


@given(st.lists(_PIECES, max_size=10).map("".join) | st.text(max_size=60), _HINTS,
       st.booleans())
def test_a_kept_answer_is_the_whole_readings(value: str, hints: tuple[str, ...],
                                             keep_case: bool) -> None:
    expected = the_whole_way(value, hints, keep_case)
    assert mailboxes(value, hints, keep_case) == expected
    assert mailboxes(value, hints, keep_case) == expected  # kept now: the same again


def test_a_quoted_pair_that_makes_an_encoded_word_is_read_the_whole_way() -> None:
    value = '"=\\?utf-8?q?M=C3=BCller?=" <a@b.dk>'
    assert "=?" not in value
    assert mailboxes(value) == [("Müller", "a@b.dk")] == the_whole_way(value, (), False)


def test_every_corpus_mails_addresses_read_as_the_whole_way() -> None:
    values = []
    for path in sorted([*(REPO / "tests" / "corpus" / "realworld").rglob("*.eml"),
                        *(REPO.parent / "shared" / "corpus").glob("*/*")]):
        with contextlib.suppress(ParseError):
            headers = parse(path.read_bytes()).headers
            values += [(v, headers.hints) for n in ("From", "To", "Cc", "Reply-To", "Sender")
                       for v in headers.all(n)]
    assert len(values) > 200
    for value, hints in values:
        for keep_case in (False, True):
            assert mailboxes(value, hints, keep_case) == the_whole_way(value, hints, keep_case)


def test_a_value_read_with_the_mails_hints_is_not_kept_for_another_mail() -> None:
    # Undeclared 8-bit bytes in an encoded word labelled ASCII: read in the charset the
    # mail declares elsewhere, so the same field reads differently in two mails.
    value = "=?us-ascii?b?5vg=?= <bo@kunde.dk>"  # the bytes e6 f8
    greek = mailboxes(value, ("iso-8859-7",))
    latin = mailboxes(value, ("windows-1252",))
    assert greek == [("ζψ", "bo@kunde.dk")] == the_whole_way(value, ("iso-8859-7",), False)
    assert latin == [("æø", "bo@kunde.dk")] == the_whole_way(value, ("windows-1252",), False)
    assert mailboxes(value, ("iso-8859-7",)) == greek
