"""A large mail's raw bytes kept in a temporary file, not in memory (issue 18).

A 20 MB attachment is ~27 MB on the wire; held as bytes from its FETCH until its
commit, it sat on top of the daemon's working set of small mail, and the peak of the
backlog benchmark was that sum (benchmarks/backlog_memory.py). The IMAP source writes
such a mail's partial FETCHes straight into one of these; whatever reads it (the dedupe
key, the hash, the slim copy for a parsing worker, the COPY into PostgreSQL) reads it a
chunk at a time.

The file is unnamed (tempfile.TemporaryFile): it is gone with the process however the
process ends, and it is never the mail's only copy: the mail stays in the mailbox until
its row is committed (daemon/sources/imap.py moves it only then).
"""

from __future__ import annotations

import os
import tempfile
import weakref
from collections.abc import Iterator

CHUNK = 1024 * 1024


class SpooledMail:
    """Raw mail bytes in an unnamed temporary file, written once, then only read."""

    def __init__(self) -> None:
        # Unbuffered: every write is in the file before a reader's pread sees it.
        self._file = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115 - held for its life
        # Closed when the mail is dropped (the file is unnamed: closing frees it).
        weakref.finalize(self, self._file.close)
        self._size = 0

    def append(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[self._file.write(view) or 0 :]
        self._size += len(data)

    def __len__(self) -> int:
        return self._size

    def read_at(self, offset: int, size: int) -> bytes:
        """Up to `size` bytes from `offset` (fewer only at the end of the mail)."""
        size = max(0, min(size, self._size - offset))
        parts = []
        while size > 0:
            part = os.pread(self._file.fileno(), size, offset)
            if not part:
                raise OSError(f"spooled mail ended early at {offset} of {self._size}")
            parts.append(part)
            offset += len(part)
            size -= len(part)
        return b"".join(parts) if len(parts) != 1 else parts[0]

    def chunks(
        self, start: int = 0, end: int | None = None, size: int | None = None
    ) -> Iterator[bytes]:
        """The bytes from `start` to `end` (the end of the mail), `size` (CHUNK) at a time."""
        size = size or CHUNK
        stop = self._size if end is None else min(end, self._size)
        for offset in range(start, stop, size):
            yield self.read_at(offset, min(size, stop - offset))

    def read(self) -> bytes:
        """The whole mail in memory: for the few callers that must parse it whole (a
        one-shot pass prepares in its own process, daemon/sources/prepare_pool.py)."""
        return self.read_at(0, self._size)

    def close(self) -> None:
        self._file.close()


Raw = bytes | SpooledMail


def whole(raw: Raw) -> bytes:
    """`raw` as bytes (read into memory if spooled)."""
    return raw if isinstance(raw, bytes) else raw.read()


def raw_chunks(raw: Raw, start: int, size: int) -> Iterator[bytes | memoryview]:
    """`raw` from `start`, `size` bytes at a time, without a copy of bytes in memory."""
    if isinstance(raw, SpooledMail):
        yield from raw.chunks(start, None, size)
        return
    view = memoryview(raw)
    for offset in range(start, len(raw), size):
        yield view[offset : offset + size]
