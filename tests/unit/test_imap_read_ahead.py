"""_read_ahead: bytes imaplib read past the line it handed out count as said by the
server, for the imaplib of Python 3.11-3.13 (a BufferedReader, `file`) and of 3.14 (a
buffer of its own, `_readbuf`). The real connections are tested against Dovecot in
tests/integration/test_imap_ingest.py and test_tls.py; this holds the 3.14 shape, which
this project's Python cannot make."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from daemon.sources.imap import _idle_lines, _read_ahead


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    ours, server = socket.socketpair()
    yield ours, server
    ours.close()
    server.close()


def client_with(imap: Any, sock: socket.socket) -> Any:
    return SimpleNamespace(_imap=imap, socket=lambda: sock)


def test_a_buffered_reader_holding_the_next_line_is_read_ahead(pair) -> None:
    ours, server = pair
    reader = ours.makefile("rb")
    server.sendall(b"+ idling\r\n* 3 EXISTS\r\n")  # one packet, as Dovecot sends them
    assert reader.readline() == b"+ idling\r\n"
    client = client_with(SimpleNamespace(file=reader), ours)
    assert _read_ahead(client)
    assert reader.readline() == b"* 3 EXISTS\r\n"  # the peek consumed nothing
    assert not _read_ahead(client)  # nothing buffered, nothing on the socket: no block
    assert ours.gettimeout() is None  # the socket is given back as it was


class Imap314:
    """The reading side of Python 3.14's imaplib, as _read_ahead and _idle_lines meet
    it: what it took from the socket is a list of chunks, `_readbuf`, and a line handed
    out leaves the rest of its chunk at the front of that list: b"" when the line ended
    the chunk, so a buffer with nothing in it can be `[b""]`, not only `[]`."""

    def __init__(self, sock: socket.socket, buffered: list[bytes] | None = None) -> None:
        self.sock = sock
        self._readbuf: list[bytes] = buffered if buffered is not None else []

    @property
    def file(self) -> Any:
        raise AssertionError("3.14's imaplib warns on `file`: it must not be read")

    def _get_line(self) -> bytes:
        taken = []
        while True:
            if self._readbuf:
                chunk = self._readbuf.pop(0)  # b"" here is an empty chunk, not an EOF
            elif not (chunk := self.sock.recv(4096)):
                raise ConnectionError("EOF")
            end = chunk.find(b"\n") + 1
            if end:
                self._readbuf.insert(0, chunk[end:])
                return b"".join([*taken, chunk[:end - 2]])
            taken.append(chunk)


def test_pythons_own_imaplib_buffer_is_looked_at_and_not_file(pair) -> None:
    ours, _ = pair
    assert _read_ahead(client_with(Imap314(ours, [b"* 3 EXISTS\r\n"]), ours))
    assert _read_ahead(client_with(Imap314(ours, [b"", b"* 3 EXISTS\r\n"]), ours))
    assert not _read_ahead(client_with(Imap314(ours, []), ours))


def test_pythons_own_imaplib_buffer_emptied_by_a_line_is_not_read_ahead(pair) -> None:
    """After 3.14's imaplib hands out "+ idling" its buffer is [b""]: nothing is read
    ahead. Taken for something said, the IDLE wait read the socket for a line that
    was not coming, and ended in the connection's timeout (a session dropped and a
    WARNING each quiet `timeout` seconds, SIGTERM unheard meanwhile)."""
    ours, server = pair
    imap = Imap314(ours)
    client = client_with(imap, ours)
    server.sendall(b"+ idling\r\n")
    assert imap._get_line() == b"+ idling"
    assert imap._readbuf == [b""]  # the shape this test is about
    assert not _read_ahead(client)
    ours.settimeout(5)  # the connection's timeout: the error, if the wait reads anyway
    assert _idle_lines(client, timeout=0.1) == []
    server.sendall(b"* 3 EXISTS\r\n* 1 FETCH (FLAGS ())\r\n")
    assert _idle_lines(client, timeout=5) == [b"* 3 EXISTS", b"* 1 FETCH (FLAGS ())"]
    assert imap._readbuf == [b""] and not _read_ahead(client)


def test_a_line_that_never_ends_is_given_up_within_the_line_limit(pair) -> None:
    """A server that trickles a line and never ends it (idle23): each byte would come
    within the socket's timeout, so only a bound on the whole line ends the read. The
    connection is shut and the error names the server; a line that came whole in time
    is read as before."""
    ours, server = pair
    client = client_with(Imap314(ours), ours)
    server.sendall(b"* 1 FETCH (FLAGS ())\r\n")
    assert _idle_lines(client, 1.0, 5.0, "imap.example:993") == [b"* 1 FETCH (FLAGS ())"]
    server.sendall(b"* 1 FE")  # and no more
    with pytest.raises(ConnectionError, match=r"imap\.example:993 sent no whole line"):
        _idle_lines(client, 1.0, 0.5, "imap.example:993")
    assert ours.recv(1) == b""  # shut down: the session is not used again
