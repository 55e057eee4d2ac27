"""The parsing worker's end of its socket (daemon/sources/parse_worker.py _Channel)
speaks multiprocessing.connection's framing, which the daemon's end uses, without
importing multiprocessing (~1 MB of each worker's memory, issue 18)."""

from __future__ import annotations

import dataclasses
import os
import pickle
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
        "from daemon.sources import worker_answer\n"
        "print(sorted(m for m in sys.modules if m.startswith('multiprocessing')))\n"
    )
    done = subprocess.run([sys.executable, "-P", "-c", script], capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_frames_of_several_mails_written_at_once_are_read_by_the_worker_in_turn() -> None:
    # The pool's dispatcher writes several mails' frames (worker_process.mail_frames:
    # the description, then the bytes as they are) in one os.writev, and reads the
    # worker's answers with complete_frames, every whole frame of what one read got
    # (issue 18, feed20).
    from datetime import UTC, datetime

    from daemon.inbound import InboundMail, with_raw
    from daemon.sources.worker_process import complete_frames, mail_frames

    daemon, worker = _pair()
    bare = InboundMail(raw=b"", source="imap:INBOX", received_at=datetime(2026, 12, 5, tzinfo=UTC),
                       uidvalidity=3, uid=9)
    small, big = b"From: a@b.dk\r\n\r\nHej\r\n", os.urandom(200 * 1024)
    frames = [*mail_frames(bare, {}, small), *mail_frames(bare, {"OO-STUBBED-BASE64-0": 7}, big),
              *mail_frames(bare, {}, b"")]
    # More than the socket's buffer: written from a thread, as the worker reads.
    sender = threading.Thread(target=_write_all, args=(daemon.fileno(), b"".join(frames)))
    sender.start()
    for raw, hidden in [(small, {}), (big, {"OO-STUBBED-BASE64-0": 7}), (b"", {})]:
        values, sent_hidden = worker.recv()  # the mail's fields as a tuple (daemon23)
        assert (with_raw(worker.recv_bytes(), values), sent_hidden) == (
            dataclasses.replace(bare, raw=raw), hidden)
    sender.join()
    # The worker's answers, then half of one more: the whole ones come out, the cut
    # one stays for the next read, whatever the read's boundaries.
    worker.send({"answer": 1})
    worker.send(big)
    stream = os.read(daemon.fileno(), 1 << 20)
    while len(stream) < 200 * 1024:
        stream += os.read(daemon.fileno(), 1 << 20)
    inbox = bytearray()
    payloads = []
    for cut in range(0, len(stream), 7001):
        inbox += stream[cut : cut + 7001]
        payloads += complete_frames(inbox)
    assert [pickle.loads(p) for p in payloads] == [{"answer": 1}, big]
    assert inbox == bytearray()
    inbox += stream[:3]
    assert complete_frames(inbox) == [] and inbox == stream[:3]


def test_a_frame_length_no_frame_has_is_an_error_not_a_loop() -> None:
    # Only -1 announces an 8-byte length; any other negative length is a broken worker
    # (review20b): read as a length it stepped back through the buffer without end.
    import struct

    from daemon.sources.worker_process import complete_frames

    whole = struct.pack("!i", 2) + b"ok"
    for size in (-2, -5, -(2**31)):
        inbox = bytearray(whole + struct.pack("!i", size) + b"x" * 16)
        with pytest.raises(ValueError, match=f"length {size}"):
            complete_frames(inbox)
    assert complete_frames(bytearray(whole)) == [b"ok"]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def test_a_mail_sent_to_a_worker_as_its_values_is_the_same_mail_every_field_set() -> None:
    # The dispatcher sends a mail's fields but its bytes as a tuple (daemon23); the
    # worker's mail must be the daemon's, every field, a listener's proof too.
    from datetime import UTC, datetime

    from daemon.domain.staff import ListenerProof
    from daemon.inbound import InboundMail, beside_raw, with_raw

    mail = InboundMail(
        raw=b"From: a@b.dk\r\n\r\nHej\r\n", source="smtp",
        received_at=datetime(2026, 12, 5, 20, 10, tzinfo=UTC), uidvalidity=7, uid=11,
        channel="phone", listener_proof=ListenerProof("bo", frozenset({"b.dk"})))
    values = pickle.loads(pickle.dumps(beside_raw(mail)))
    assert len(values) == len(dataclasses.fields(InboundMail)) - 1
    assert with_raw(mail.raw, values) == mail
    assert with_raw(b"", values) == dataclasses.replace(mail, raw=b"")


def test_every_field_of_an_inbound_mail_reaches_the_worker_in_its_own_place() -> None:
    # beside_raw/with_raw (daemon23) send the fields by position, raw first and apart:
    # a field added later must arrive too, at its own name, never shifted onto another
    # (a keyword-only or init=False field, raw not first, would). Each field is given
    # a value of its own here, whatever the fields are then (review23c).
    from daemon.inbound import InboundMail, beside_raw, with_raw

    names = [field.name for field in dataclasses.fields(InboundMail)]
    assert names[0] == "raw"
    assert all(field.init and not field.kw_only for field in dataclasses.fields(InboundMail))
    mail = InboundMail(**{name: f"the {name}" for name in names})  # type: ignore[arg-type]
    values = pickle.loads(pickle.dumps(beside_raw(mail)))
    arrived = with_raw(b"bytes", values)
    assert {name: getattr(arrived, name) for name in names} == {
        "raw": b"bytes", **{name: f"the {name}" for name in names[1:]}}
    for name in names[1:]:  # and a None where a field may be None
        assert getattr(with_raw(b"", beside_raw(dataclasses.replace(mail, **{name: None}))),
                       name) is None
