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

from daemon.sources.imap import _read_ahead


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


def test_pythons_own_imaplib_buffer_is_looked_at_and_not_file(pair) -> None:
    ours, _ = pair

    class Imap314:
        def __init__(self, buffered: bytes) -> None:
            self._readbuf = buffered

        @property
        def file(self) -> Any:
            raise AssertionError("3.14's imaplib warns on `file`: it must not be read")

    assert _read_ahead(client_with(Imap314(b"* 3 EXISTS\r\n"), ours))
    assert not _read_ahead(client_with(Imap314(b""), ours))
