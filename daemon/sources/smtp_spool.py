"""DATA of one SMTP transaction, kept at most once and mostly on disk.

aiosmtpd collects DATA as a list of one bytes object per line and joins them at the
end: a 40 MB mail of short lines cost over a gigabyte, per connection. Here the
listener feeds what it reads, in chunks of about a kilobyte, to a DataSpool: lines are
dot-unstuffed (RFC 5321 section 4.5.2) as they come and written to a
SpooledTemporaryFile, in memory up to SPOOL_IN_MEMORY and on disk (a 0600 file with
no name, in the system temp directory) past it. Past the size limit nothing more is
kept; the reading goes on to the end of DATA, as the protocol requires, and the
listener then refuses the mail.

What Postfix accepts is accepted (its `smtpd_forbid_bare_newline = normalize`): a line
ended by a bare LF is taken as ended by CRLF, and kept so; a line of any length is
kept (RFC 5321's 1000 is for senders to keep to; mail in the wild breaks it), since
the size limit bounds it anyway. The end of DATA stays `<CRLF>.<CRLF>` only (the
reader decides that): a bare-LF dot line ends nothing, so no second message can be
smuggled behind a first one.
"""

from __future__ import annotations

import enum
import tempfile

SPOOL_IN_MEMORY = 1024 * 1024  # bytes of DATA held in memory before the spool is a file


class DataState(enum.Enum):
    NOMINAL = "nominal"
    TOO_MUCH = "too much"  # over the size limit: 552


class DataSpool:
    """The unstuffed DATA so far; `feed` it raw chunks, `content` the bytes at the end."""

    def __init__(self, size_limit: int | None) -> None:
        self.size_limit = size_limit
        self.state = DataState.NOMINAL
        self.received = 0  # raw bytes read, dots and all (aiosmtpd counts the same)
        # What the last chunk left open: are we at the start of a line (a dot there is
        # a stuffed one), and did it end in a CR whose LF may come in the next chunk.
        self._line_start = True
        self._cr = False
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - close()

    def feed(self, chunk: bytes) -> None:
        self.received += len(chunk)
        if self.state is not DataState.NOMINAL:
            return
        if self.size_limit and self.received > self.size_limit:
            self._fail(DataState.TOO_MUCH)
            return
        text = b"\r" + chunk if self._cr else chunk
        self._cr = text.endswith(b"\r")
        if self._cr:
            text = text[:-1]  # CRLF split between chunks, or a bare CR: the next one tells
        if not text:
            return
        # One line end, LF, for the moment: CRLF and bare LF alike (a bare CR stays).
        text = text.replace(b"\r\n", b"\n")
        stuffed = self._line_start and text.startswith(b".")
        self._line_start = text.endswith(b"\n")
        if stuffed:
            text = text[1:]
        self._file.write(text.replace(b"\n.", b"\n").replace(b"\n", b"\r\n"))

    def content(self) -> bytes:
        """All the DATA, read once from the spool (call after the end of DATA)."""
        if self.state is not DataState.NOMINAL:
            raise ValueError(f"no content: {self.state.value}")
        if self._cr:  # the end of DATA follows a CRLF, so only a client's stray CR
            self._file.write(b"\r")
            self._cr = False
        self._file.seek(0)
        return self._file.read()

    def close(self) -> None:
        self._file.close()

    def _fail(self, state: DataState) -> None:
        self.state = state
        self._file.close()  # the memory, or the file, goes now, not at the end of DATA
