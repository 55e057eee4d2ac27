"""The whole-mail scans the daemon's own threads make of a mail with a big attachment
(issue 18, feed19): the dedupe key's line-end normalisation and the white space counted
in a hidden base64 body, each held to its plain definition over arbitrary bytes."""

from __future__ import annotations

import hashlib
from unittest import mock

from hypothesis import example, given, settings
from hypothesis import strategies as st

from daemon.mail import identity, large_mail
from daemon.mail.identity import dedupe_key

# Bytes rich in what the scans look at: CR, LF, CR CR LF, spaces, tabs.
MAIL_BYTES = st.lists(
    st.sampled_from([b"\r\n", b"\r", b"\n", b"\r\r\n", b" ", b"\t", b"QUJD", b"=", b"x\r"]),
    max_size=60,
).map(b"".join)

HEAD = b"From: a@b.dk\r\n\r\n"


def _reference_key(message_id: str, sender: str, raw: bytes, chunk: int) -> str:
    # dedupe_key as it was written before feed19: each chunk's CR LF replaced by LF.
    digest = hashlib.sha256()
    digest.update(message_id.encode("utf-8", "replace") + b"\n")
    digest.update(sender.strip().lower().encode("utf-8", "replace") + b"\n")
    end = large_mail.BLANK_LINE.search(raw)
    view = memoryview(raw)
    for offset in range(end.end() if end else len(raw), len(raw), chunk):
        digest.update(bytes(view[offset : offset + chunk]).replace(b"\r\n", b"\n"))
    return "mid:" + digest.hexdigest()


@settings(max_examples=400)
@example(head=HEAD, body=b"From: a\r\n\r\n\r\r\n\r", chunk=3)
@example(head=HEAD, body=b"QUJD\r\nQUJD\r\n=\r\n", chunk=4)  # every CR before LF (feed21)
@example(head=HEAD, body=b"QUJD\r\nQUJD\r", chunk=16)  # a CR last is kept
@example(head=HEAD, body=b"QUJD\r\nQUJD\r\n", chunk=64)  # one chunk (daemon23)
@example(head=HEAD, body=b"\rQUJD\r\n", chunk=64)  # a lone CR: split
@given(body=MAIL_BYTES, chunk=st.integers(1, 90),
       head=st.sampled_from([HEAD, b"From: a\rb\r\r\n\r\n", b"From: a\n\n"]))
def test_the_dedupe_key_normalises_line_ends_as_bytes_replace_does(
    head: bytes, body: bytes, chunk: int
) -> None:
    """Chunk by chunk, or the body whole when it is one chunk (daemon23: the CRs of the
    whole mail deleted, the header section's counted and cut off): the same key."""
    raw = head + body
    with mock.patch.object(identity, "_HASH_CHUNK", chunk):
        key = dedupe_key("<a@b>", " Bo@B.dk", raw)
    assert key == _reference_key("<a@b>", " Bo@B.dk", raw, chunk)


@settings(max_examples=400)
@given(data=MAIL_BYTES, start=st.integers(0, 30), length=st.integers(0, 200),
       chunk=st.integers(1, 400), outside=st.integers(0, 40))
def test_the_white_space_of_a_hidden_body_is_counted_as_its_four_kinds(
    data: bytes, start: int, length: int, chunk: int, outside: int
) -> None:
    """Counted a chunk of the body at a time, or (daemon23) as the whole buffer's less
    what lies outside the body, whichever the bounds choose: the same count."""
    end = min(len(data), start + length)
    start = min(start, end)
    with (mock.patch.object(large_mail, "_COUNT_CHUNK", chunk),
          mock.patch.object(large_mail, "_OUTSIDE_BYTES", outside)):
        counted = large_mail._white_space(data, start, end)  # noqa: SLF001
    assert counted == sum(data.count(c, start, end) for c in (b"\n", b"\r", b" ", b"\t"))


@settings(max_examples=400)
@example(b"-\n--", 0)
@example(b"\n-x\n--", 0)
@given(data=st.lists(st.sampled_from([b"\n", b"-", b"--", b"\r\n", b"QUJD", b"\n--"]),
                     max_size=30).map(b"".join),
       start=st.integers(0, 40))
def test_a_hidden_body_ends_at_the_next_boundary_as_a_search_for_it_finds(
    data: bytes, start: int
) -> None:
    assert large_mail.next_boundary(data, start) == data.find(b"\n--", start)


@settings(max_examples=600)
@example(b"\r\r\n\n", 0)
@example(b"\r\n\r\r\n\n", 0)
@example(b"a\r\n\r\n", 2)
@given(data=MAIL_BYTES, start=st.integers(0, 12))
def test_the_blank_line_is_found_where_its_regex_finds_it(data: bytes, start: int) -> None:
    """Issue 18 (worker21): the first blank line (the header section's end, the dedupe
    key's body) is found from its first LF, a literal the regex engine skips to; the
    span is BLANK_LINE.search's, from any start."""
    from daemon.mail.leading_junk import BLANK_LINE, blank_line_span

    found = BLANK_LINE.search(data, start)
    assert blank_line_span(data, start) == (found.span() if found else None)


@settings(max_examples=400)
@given(value=st.lists(st.sampled_from(["\r\n", "\r", "\n", " ", "\t", "a", "=?x?=", "\udc80"]),
                      max_size=20).map("".join))
def test_a_header_value_is_unfolded_as_its_fold_regex_unfolds_it(value: str) -> None:
    """Issue 18 (worker21): a value without a LF is not searched for folds (it has none)."""
    from daemon.mail.header_text import _FOLD, unfolded

    assert unfolded(value) == _FOLD.sub("", value)


def test_an_absent_header_field_reads_as_an_empty_text() -> None:
    """Headers.text of a field the mail lacks: "" at once, what decoding "" gives."""
    import email

    from daemon.mail.header_text import Headers, clean_text, decode_words, recovered

    headers = Headers(email.message_from_string("Subject: =?utf-8?q?Hej?=\n\nx"))
    assert headers.text("List-Id") == "" == clean_text(decode_words(recovered("")))
    assert headers.text("subject") == "Hej" and headers.raw("X-Autoreply") == ""
