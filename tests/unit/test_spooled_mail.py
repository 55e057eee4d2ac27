"""A large mail spooled to a temporary file (daemon/mail/spooled.py, issue 18) reads as
the same mail in memory: the same slim copy for the parsing worker, the same dedupe
key, hash and Message-ID, whatever the chunks' boundaries cut."""

from __future__ import annotations

import errno
from email.message import EmailMessage
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from daemon.mail import identity, large_mail, spooled
from daemon.mail.identity import dedupe_key, sha256_of, sniff_message_id
from daemon.mail.large_mail import stub_large_base64, stub_spooled
from daemon.mail.spooled import SpooledMail


def spool(raw: bytes, piece: int = 1000) -> SpooledMail:
    mail = SpooledMail()
    for start in range(0, len(raw), piece):
        mail.append(raw[start : start + piece])
    return mail


# Lines a mail is made of, for the stubbing to find (or miss): base64 headers as the
# regexes read them, blank lines, boundaries, declared types, base64 and text.
LINES = [
    b"Content-Transfer-Encoding: base64",
    b"content-transfer-encoding:\tBASE64 \r",
    b"Content-Transfer-Encoding: base64x",
    b"",
    b"\r",
    b"--b1",
    b"--b1--",
    b"-x",
    b"Content-Type: application/pdf; name=a.pdf",
    b"Content-Type: text/plain",
    b"Content-Type:\r\n\timage/png",
    b"content-type: message/rfc822",
    b"From: a@b.dk",
    b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=",
    b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5",
    b"Hej med dig",
]


PDF, CTE, B64, N = LINES[8], LINES[0], LINES[13], b"\r\n"


@settings(max_examples=300)
# A boundary right after the blank line is not where the body ends ("\n--" from the
# body's start); a base64 header inside a hidden body whose blank line ends just where
# that body does opens a body of its own there.
@example([(PDF, 1, N), (CTE, 1, N), (b"", 1, N), (b"--b1", 1, N), (B64, 10, N),
          (b"--b1", 1, N)], True, 5, 10**9)
@example([(PDF, 1, N), (CTE, 1, N), (b"", 1, N), (B64, 10, N), (CTE, 1, N), (b"", 1, N),
          (b"--b1", 1, N), (B64, 10, N)], True, 7, 10**9)
@given(
    lines=st.lists(
        st.tuples(st.sampled_from(LINES), st.integers(1, 40), st.sampled_from([b"\n", b"\r\n"])),
        max_size=40,
    ),
    last_newline=st.booleans(),
    chunk=st.integers(1, 97),
    large_at=st.sampled_from([200, 1500, 10**9]),
)
def test_a_spooled_mail_is_stubbed_as_the_same_bytes_are(
    lines: list[tuple[bytes, int, bytes]], last_newline: bool, chunk: int, large_at: int
) -> None:
    # The limits made small, and the file read in small chunks, so that chunk edges fall
    # everywhere: inside lines, between CR and LF, inside a blank line or a header.
    raw = b"".join((line + end) * times for line, times, end in lines)
    if not last_newline:
        raw = raw.rstrip(b"\r\n")
    with (
        mock.patch.multiple(large_mail, _STUB_MIN=300, _FILE_STUB_MIN=120,
                            LARGE_MAIL_BYTES=large_at),
        mock.patch.object(spooled, "CHUNK", chunk),
    ):
        assert stub_spooled(spool(raw, 13)) == stub_large_base64(raw)


@settings(max_examples=300)
@example([(CTE, 1, N)], False)  # the mail's first line, and its last without a line end
@example([(LINES[1], 2, b"\n")], True)
@given(
    lines=st.lists(
        st.tuples(st.sampled_from(LINES), st.integers(1, 3), st.sampled_from([b"\n", b"\r\n"])),
        max_size=30,
    ),
    last_newline=st.booleans(),
)
def test_base64_headers_are_found_where_the_line_anchored_pattern_finds_them(
    lines: list[tuple[bytes, int, bytes]], last_newline: bool
) -> None:
    # The search that looks for "\n" first (issue 18: the multiline "^" tried every
    # position of a 400 KB mail) must find exactly the lines the anchored one finds.
    raw = b"".join((line + end) * times for line, times, end in lines)
    if not last_newline:
        raw = raw.rstrip(b"\r\n")
    anchored = [(m.start(), m.end()) for m in large_mail._BASE64_HEADER.finditer(raw)]
    assert list(large_mail.base64_headers(raw)) == anchored


def big_mail(attachment: int, *, maintype: str = "application", subtype: str = "pdf") -> bytes:
    msg = EmailMessage()
    msg["From"] = "Søren <soren@kunde.dk>"
    msg["Subject"] = "Scannet rapport"
    msg["Message-ID"] = "<big-1@kunde.dk>"
    msg.set_content("Hej\n\nSe vedhæftede.")
    msg.add_attachment(bytes(range(256)) * (attachment // 256), maintype=maintype,
                       subtype=subtype, filename="rapport.pdf")
    msg.add_attachment(b"\x00\x01" * 200_000, maintype="image", subtype="png",
                       filename="skærm.png")
    return msg.as_bytes()


def test_a_large_mail_spooled_gives_the_same_slim_copy_key_and_hash() -> None:
    raw = big_mail(5 * 1024 * 1024)
    mail = spool(raw, 1024 * 1024)
    slim, hidden = stub_spooled(mail)
    assert (slim, hidden) == stub_large_base64(raw)
    assert len(hidden) == 2 and len(slim) < 4096  # the PDF (1 MB+) and the PNG (256 KB+)
    assert len(mail) == len(raw) and mail.read() == raw
    assert sha256_of(mail) == sha256_of(raw)
    assert sniff_message_id(mail) == sniff_message_id(raw) == "<big-1@kunde.dk>"
    for message_id in ("<big-1@kunde.dk>", None):
        assert dedupe_key(message_id, "soren@kunde.dk", mail) == dedupe_key(
            message_id, "soren@kunde.dk", raw)


def test_the_blank_line_is_found_across_a_chunk_edge() -> None:
    raw = b"From: a@b.dk\r\nSubject: x\r\n\r\nbody\r\n"
    edge = raw.index(b"\r\n\r\n")
    for cut in range(edge - 2, edge + 5):
        with mock.patch.object(spooled, "CHUNK", cut):
            assert identity.blank_line(spool(raw)) == identity.blank_line(raw) == (edge, edge + 4)


def test_a_big_mail_without_base64_comes_back_whole() -> None:
    raw = b"From: a@b.dk\r\n\r\n" + b"tekst\r\n" * 700_000
    assert stub_spooled(spool(raw, 1 << 20)) == (raw, {})


class _PartialFetches:
    """An IMAP client answering BODY.PEEK[]<offset.length> of one mail, as Dovecot does."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def fetch(self, uids: list[int], items: list[str]) -> dict[int, dict[bytes, object]]:
        offset, length = (int(n) for n in items[0].split("<")[1].rstrip(">").split("."))
        return {uids[0]: {f"BODY[]<{offset}>".encode(): self.raw[offset : offset + length]}}


RAW = bytes(range(256)) * 40 + b"end"


def _fetch(client: _PartialFetches) -> object:
    from daemon.sources import imap

    with mock.patch.object(imap, "_FETCH_CHUNK", 1000):
        return imap._fetch_in_chunks(client, 7)  # type: ignore[arg-type]  # noqa: SLF001


def test_a_large_mail_is_fetched_into_a_temporary_file() -> None:
    fetched = _fetch(_PartialFetches(RAW))
    assert isinstance(fetched, SpooledMail) and fetched.read() == RAW


def test_a_full_temporary_directory_holds_the_large_mail_in_memory() -> None:
    """TMPDIR full half way through the mail: the mail is read whole all the same (an
    OSError would pass for a broken connection, and every pass stop at this mail)."""
    append = SpooledMail.append
    calls = 0

    def full_on_the_third(self: SpooledMail, data: bytes) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            self._file.write(data[:100])  # noqa: SLF001 - part of it written, then full
            raise OSError(errno.ENOSPC, "No space left on device")
        append(self, data)

    with mock.patch.object(SpooledMail, "append", full_on_the_third):
        fetched = _fetch(_PartialFetches(RAW))
    assert calls == 3 and fetched == RAW


def test_no_temporary_file_at_all_holds_the_large_mail_in_memory() -> None:
    with mock.patch("tempfile.TemporaryFile", side_effect=OSError(errno.ENOSPC, "full")):
        fetched = _fetch(_PartialFetches(RAW))
    assert fetched == RAW


class _LostAfterTwoChunks(_PartialFetches):
    def __init__(self, raw: bytes) -> None:
        super().__init__(raw)
        self.calls = 0

    def fetch(self, uids: list[int], items: list[str]) -> dict[int, dict[bytes, object]]:
        self.calls += 1
        if self.calls == 3:
            raise OSError(errno.ECONNRESET, "connection reset")
        return super().fetch(uids, items)


def test_a_connection_lost_half_way_closes_the_temporary_file_at_once() -> None:
    # The pass retries the mail later; its half file must not wait for the collector.
    made: list[SpooledMail] = []
    real = SpooledMail.__init__

    def record(self: SpooledMail) -> None:
        real(self)
        made.append(self)

    with mock.patch.object(SpooledMail, "__init__", record), pytest.raises(OSError):
        _fetch(_LostAfterTwoChunks(RAW))
    assert len(made) == 1 and made[0]._file.closed  # noqa: SLF001
