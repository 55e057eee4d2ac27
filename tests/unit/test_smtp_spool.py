"""DATA spooled as it comes, dot-unstuffed, nothing kept past a limit."""

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
    spool = DataSpool(limit, 1001)
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


def test_a_line_over_1001_bytes_is_too_long() -> None:
    assert spooled(b"x" * 999 + b"\r\n", 7).state is DataState.NOMINAL
    assert spooled(b"x" * 1000 + b"\r\n", 7).state is DataState.TOO_LONG
    assert spooled(b"x" * 5000, 7).state is DataState.TOO_LONG  # never ended
