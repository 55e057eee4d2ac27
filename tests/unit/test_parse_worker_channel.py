"""The parsing worker's end of its socket (daemon/sources/parse_worker.py _Channel)
speaks multiprocessing.connection's framing, which the daemon's end uses, without
importing multiprocessing (~1 MB of each worker's memory, issue 18)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from multiprocessing.connection import Connection

import pytest

from daemon.sources.parse_worker import _Channel


def _pair() -> tuple[Connection, _Channel]:
    ours, theirs = socket.socketpair()
    return Connection(ours.detach()), _Channel(theirs.detach())


def test_the_worker_reads_what_the_daemon_sends_and_back() -> None:
    daemon, worker = _pair()
    big = os.urandom(3 * 1024 * 1024)  # more than a socket buffer: read in pieces
    value = {"mail": ("x", 1, None), "hidden": {"part": 5}}
    # The daemon's sends block until read: from a thread, as the two processes do.
    sender = threading.Thread(target=lambda: (daemon.send(value), daemon.send_bytes(big),
                                              daemon.send_bytes(b"")))
    sender.start()
    assert worker.recv() == value
    assert worker.recv_bytes() == big
    assert worker.recv_bytes() == b""
    sender.join()
    replier = threading.Thread(target=lambda: (worker.send(True), worker.send(big)))
    replier.start()
    assert daemon.recv() is True
    assert daemon.recv() == big
    replier.join()
    daemon.close()
    with pytest.raises(EOFError):  # the daemon gone: the worker ends
        worker.recv()
    with worker:
        pass


def test_a_message_cut_short_is_an_error_not_a_message() -> None:
    ours, theirs = socket.socketpair()
    worker = _Channel(theirs.detach())
    ours.sendall(b"\x00\x00\x00\x10half")  # 16 bytes announced, 4 sent
    ours.close()
    with pytest.raises(OSError, match="end of file"):
        worker.recv_bytes()


def test_a_worker_imports_no_multiprocessing() -> None:
    script = (
        "import sys\n"
        "from daemon import logs\n"
        "from daemon.sources import parse_worker\n"
        "from daemon.reading import read, worked_out_ahead\n"
        "print(sorted(m for m in sys.modules if m.startswith('multiprocessing')))\n"
    )
    done = subprocess.run([sys.executable, "-P", "-c", script], capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_mail_sent_by_the_pool_is_read_by_the_worker_as_two_frames() -> None:
    # prepare_pool.send_mail writes the mail's description and its bytes with the
    # framing of Connection.send and send_bytes, a small mail in one write (issue 18).
    from datetime import UTC, datetime
    from unittest import mock

    from daemon.inbound import InboundMail
    from daemon.sources import prepare_pool

    daemon, worker = _pair()
    bare = InboundMail(raw=b"", source="imap:INBOX", received_at=datetime(2026, 12, 5, tzinfo=UTC),
                       uidvalidity=3, uid=9)
    small, big = b"From: a@b.dk\r\n\r\nHej\r\n", os.urandom(200 * 1024)
    with mock.patch.object(prepare_pool.os, "write", wraps=os.write) as write:
        prepare_pool.send_mail(daemon, bare, {}, small)
    assert write.call_count == 1
    assert worker.recv() == (bare, {})
    assert worker.recv_bytes() == small
    sender = threading.Thread(
        target=lambda: prepare_pool.send_mail(daemon, bare, {"OO-STUBBED-BASE64-0": 7}, big))
    sender.start()
    assert worker.recv() == (bare, {"OO-STUBBED-BASE64-0": 7})
    assert worker.recv_bytes() == big
    sender.join()
    # And the worker's answer, small in one write too, is read by the daemon's end.
    with mock.patch("daemon.sources.parse_worker.os.write", wraps=os.write) as write:
        worker.send({"answer": 1})
    assert write.call_count == 1
    assert daemon.recv() == {"answer": 1}
