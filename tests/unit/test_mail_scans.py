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
@example(b"From: a\r\n\r\n\r\r\n\r", 3)
@example(b"QUJD\r\nQUJD\r\n=\r\n", 4)  # every CR before an LF: deleted (feed21)
@example(b"QUJD\r\nQUJD\r", 16)  # a CR last is kept
@given(body=MAIL_BYTES, chunk=st.integers(1, 9))
def test_the_dedupe_key_normalises_line_ends_as_bytes_replace_does(body: bytes, chunk: int) -> None:
    raw = b"From: a@b.dk\r\n\r\n" + body
    with mock.patch.object(identity, "_HASH_CHUNK", chunk):
        key = dedupe_key("<a@b>", " Bo@B.dk", raw)
    assert key == _reference_key("<a@b>", " Bo@B.dk", raw, chunk)


@settings(max_examples=400)
@given(data=MAIL_BYTES, start=st.integers(0, 30), length=st.integers(0, 200),
       chunk=st.integers(1, 9))
def test_the_white_space_of_a_hidden_body_is_counted_as_its_four_kinds(
    data: bytes, start: int, length: int, chunk: int
) -> None:
    end = min(len(data), start + length)
    start = min(start, end)
    with mock.patch.object(large_mail, "_COUNT_CHUNK", chunk):
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
    assert large_mail._next_boundary(data, start) == data.find(b"\n--", start)  # noqa: SLF001
