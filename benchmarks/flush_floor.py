"""The floor of sending the acks: the outbox's own bytes handed to the same relay with
nothing of the daemon around them.

`run_flush_floor` sends the given mails (envelope sender, recipients, raw bytes: the
outbox rows as the daemon reads them) to an SMTP relay over `connections` sockets at
once, one thread each, the mails dealt out in turn. Each connection pipelines as far as
RFC 2920 allows: MAIL FROM, every RCPT TO and DATA in one write, then the message, its
"." and the next mail's envelope in one write again, so a mail costs one round trip.
No database, no claims, no commits, no logging: what is left is the relay's own work,
the loopback and the Python that writes and reads the lines. Every mail must be answered
250 (else RuntimeError); the relay gets each mail once.

The relay's own CPU per mail, whoever sent them, is PostfixRelay.cpu_s() (relay.py)
read before and after.

Used by benchmarks/ingest.py: every run sends the same acks twice to its Postfix, once
by the daemon's flush and once by this floor (alternating which goes first).
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Sequence
from time import perf_counter
from typing import Any

# (envelope sender, recipients, raw bytes) of one outbox row
Mail = tuple[str, Sequence[str], bytes]


def run_flush_floor(host: str, port: int, mails: Sequence[Mail],
                    connections: int) -> dict[str, Any]:
    """Send `mails` to host:port over `connections` pipelining connections; timed from
    the first connect to the last mail's 250 (QUIT not included)."""
    lanes = [list(mails[i::connections]) for i in range(connections)]
    lanes = [lane for lane in lanes if lane]
    errors: list[BaseException] = []
    sent = [0] * len(lanes)
    start = threading.Barrier(len(lanes) + 1)

    def lane(index: int) -> None:
        try:
            sent[index] = _send_all(host, port, lanes[index], start)
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            errors.append(exc)
            start.abort()

    threads = [threading.Thread(target=lane, args=(i,), name=f"floor-lane-{i}")
               for i in range(len(lanes))]
    for thread in threads:
        thread.start()
    start.wait()
    started = perf_counter()
    for thread in threads:
        thread.join()
    seconds = perf_counter() - started
    if errors:
        raise RuntimeError(f"flush floor: {errors[0]!r}") from errors[0]
    return {"mails": sum(sent), "connections": len(lanes), "seconds": round(seconds, 3),
            "mails_per_s": round(sum(sent) / seconds, 1) if seconds else None}


def _send_all(host: str, port: int, mails: Sequence[Mail], start: threading.Barrier) -> int:
    with socket.create_connection((host, port), timeout=60) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        replies = sock.makefile("rb")
        _expect(replies, 220)
        sock.sendall(b"EHLO floor.bench.invalid\r\n")
        if b"PIPELINING" not in _expect(replies, 250).upper():
            raise RuntimeError("the relay does not offer PIPELINING")
        start.wait()  # every lane greeted: the clock starts
        pending = b""  # the previous mail's DATA payload and ".", sent with this envelope
        for envelope_from, recipients, raw in mails:
            envelope = [f"MAIL FROM:<{envelope_from}>"]
            envelope += [f"RCPT TO:<{to}>" for to in recipients]
            sock.sendall(pending + ("\r\n".join([*envelope, "DATA"]) + "\r\n").encode())
            if pending:
                _expect(replies, 250)  # the previous mail, accepted
            _expect(replies, 250)  # MAIL FROM
            for _ in recipients:
                _expect(replies, 250, 251)
            _expect(replies, 354)
            pending = _dot_stuffed(raw) + b".\r\n"
        if pending:
            sock.sendall(pending)
            _expect(replies, 250)
        sock.sendall(b"QUIT\r\n")
    return len(mails)


def _expect(replies: Any, *codes: int) -> bytes:
    """Read one (possibly multi-line) reply; its text, or RuntimeError if the code is
    not one of `codes`."""
    text = b""
    while True:
        line = replies.readline()
        if not line:
            raise RuntimeError("the relay closed the connection")
        text += line
        if line[3:4] != b"-":
            break
    if int(line[:3]) not in codes:
        raise RuntimeError(f"the relay answered {text!r}, expected {codes}")
    return text


def _dot_stuffed(raw: bytes) -> bytes:
    data = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", raw)
    data = re.sub(rb"(?m)^\.", b"..", data)
    return data if data.endswith(b"\r\n") else data + b"\r\n"
