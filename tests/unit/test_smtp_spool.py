"""DATA spooled as it comes, dot-unstuffed, nothing kept past a limit; lines of any
length, and lines ended by a bare LF, kept as Postfix keeps them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from daemon.sources import smtp_spool
from daemon.sources.smtp_spool import DataSpool, DataState


def stuffed(content: bytes) -> bytes:
    """What a client sends for `content` (RFC 5321 4.5.2), without the end line."""
    lines = content.split(b"\r\n")
    return b"\r\n".join(b"." + line if line.startswith(b".") else line for line in lines)


def spooled(wire: bytes, chunk: int, limit: int | None = None) -> DataSpool:
    spool = DataSpool(limit)
    for start in range(0, len(wire), chunk):
        spool.feed(wire[start : start + chunk])
    return spool


lines = st.lists(st.sampled_from([b"", b".", b"..", b".x", b"a", b"a.", b"\r", b"x.y"]))


@given(lines, st.integers(1, 9))
def test_unstuffing_gives_back_the_content_at_any_chunk_size(
    parts: list[bytes], chunk: int
) -> None:
    content = b"".join(part + b"\r\n" for part in parts)
    spool = spooled(stuffed(content), chunk)
    assert spool.state is DataState.NOMINAL
    assert spool.content() == content


def test_past_the_memory_threshold_the_spool_is_a_file() -> None:
    content = b"a\r\n.b\r\n" * (smtp_spool.SPOOL_IN_MEMORY // 4)
    spool = spooled(stuffed(content), 1000)
    assert spool._file._rolled  # type: ignore[attr-defined] - on disk, not in memory
    assert spool.content() == content


def test_over_the_limit_nothing_is_kept() -> None:
    spool = spooled(b"a\r\n" * 400, 100, limit=1000)
    assert spool.state is DataState.TOO_MUCH
    assert spool._file.closed
    assert spool.received == 1200


def test_a_line_of_any_length_is_kept() -> None:
    for line in (b"x" * 999, b"x" * 1000, b"." + b"x" * 70_000):
        spool = spooled(stuffed(line + b"\r\n"), 7)
        assert spool.state is DataState.NOMINAL
        assert spool.content() == line + b"\r\n"


plain_lines = st.lists(st.sampled_from([b"", b".", b"..", b".x", b"a", b"a.", b"x" * 1500]))


@given(plain_lines, st.integers(1, 9), st.booleans())
def test_bare_lf_line_ends_are_kept_as_crlf_at_any_chunk_size(
    parts: list[bytes], chunk: int, mixed: bool
) -> None:
    """A client that ends lines with LF only (or mixes both) is read as if it sent CRLF."""
    wire_lines = [b"." + part if part.startswith(b".") else part for part in parts]
    ends = [b"\n" if not mixed or i % 2 else b"\r\n" for i in range(len(parts))]
    wire = b"".join(line + end for line, end in zip(wire_lines, ends, strict=True))
    spool = spooled(wire, chunk)
    assert spool.state is DataState.NOMINAL
    assert spool.content() == b"".join(part + b"\r\n" for part in parts)


def test_a_bare_cr_is_kept_also_at_a_chunk_end() -> None:
    assert spooled(b"a\rb\r\nc\r\r\n", 2).content() == b"a\rb\r\nc\r\r\n"
