"""DATA of one SMTP transaction, kept at most once and mostly on disk.

aiosmtpd collects DATA as a list of one bytes object per line and joins them at the
end: a 40 MB mail of short lines cost over a gigabyte, per connection. Here the
listener feeds what it reads, in chunks of about a kilobyte, to a DataSpool: lines are
dot-unstuffed (RFC 5321 section 4.5.2) as they come and written to a
SpooledTemporaryFile, in memory up to SPOOL_IN_MEMORY and on disk (a 0600 file with
no name, in the system temp directory) past it. Past the size limit, or on a line
longer than the protocol allows, nothing more is kept; the reading goes on to the end
of DATA, as the protocol requires, and the listener then refuses the mail.
"""

from __future__ import annotations

import enum
import re
import tempfile

SPOOL_IN_MEMORY = 1024 * 1024  # bytes of DATA held in memory before the spool is a file


class DataState(enum.Enum):
    NOMINAL = "nominal"
    TOO_MUCH = "too much"  # over the size limit: 552
    TOO_LONG = "too long"  # a line over the line length limit: 500


class DataSpool:
    """The unstuffed DATA so far; `feed` it raw chunks, `content` the bytes at the end."""

    def __init__(self, size_limit: int | None, line_limit: int) -> None:
        self.size_limit = size_limit
        self.line_limit = line_limit
        self.state = DataState.NOMINAL
        self.received = 0  # raw bytes read, dots and all (aiosmtpd counts the same)
        # Lines are unstuffed whole: a chunk's last, unfinished line waits here. It
        # always starts at the start of a line, and is never longer than a line may be.
        self._unfinished = b""
        # A run of more than line_limit bytes without a LF: a line (CRLF included)
        # longer than the limit. A bare LF inside a line makes this more lenient only.
        self._long_line = re.compile(rb"[^\n]{%d}" % line_limit)
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - close()

    def feed(self, chunk: bytes) -> None:
        self.received += len(chunk)
        if self.state is not DataState.NOMINAL:
            return
        if self.size_limit and self.received > self.size_limit:
            self._fail(DataState.TOO_MUCH)
            return
        text = self._unfinished + chunk
        cut = text.rfind(b"\r\n") + 2  # 1 when no CRLF: then nothing is complete
        complete, self._unfinished = (text[:cut], text[cut:]) if cut > 1 else (b"", text)
        if self._long_line.search(complete) or len(self._unfinished) > self.line_limit:
            self._fail(DataState.TOO_LONG)
            return
        if complete.startswith(b"."):  # `complete` starts a line, as all of them do
            complete = complete[1:]
        self._file.write(complete.replace(b"\r\n.", b"\r\n"))

    def content(self) -> bytes:
        """All the DATA, read once from the spool (call after the end of DATA)."""
        if self.state is not DataState.NOMINAL:
            raise ValueError(f"no content: {self.state.value}")
        # The end of DATA follows a CRLF, so nothing can be unfinished here; a client
        # that ends its last line without one gets it kept as sent.
        self._file.write(self._unfinished)
        self._unfinished = b""
        self._file.seek(0)
        return self._file.read()

    def close(self) -> None:
        self._file.close()

    def _fail(self, state: DataState) -> None:
        self.state = state
        self._unfinished = b""
        self._file.close()  # the memory, or the file, goes now, not at the end of DATA
