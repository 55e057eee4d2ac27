"""One parsing worker process (`python -m daemon.sources.parse_worker`) seen from the
daemon: its start, its socket, and the framing of what goes through it.

The framing is multiprocessing.connection's (Connection.send and send_bytes: a 4-byte
signed big-endian length, or -1 and an 8-byte one; an object is its pickle), which the
worker's end (parse_worker._Channel) reads. The daemon's end is written and read by the
pool's dispatcher (daemon/sources/prepare_pool.py) without blocking: several mails'
frames in one write, every answer waiting in one read (issue 18, feed20).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import site
import socket
import struct
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path

import daemon
from daemon.inbound import InboundMail, beside_raw
from daemon.ops.memory import MMAP_THRESHOLD
from daemon.sources.parse_worker import WorkerSetup, frame_header


class Worker:
    """One `python -m daemon.sources.parse_worker` and the daemon's end of its socket,
    non-blocking once the setup is written (the dispatcher reads and writes it)."""

    def __init__(self, setup: WorkerSetup) -> None:
        ours, theirs = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                # -P: not the working directory first on sys.path, as `python -m` puts
                # it; a module file there must not replace one the worker imports.
                [sys.executable, "-P", "-m", "daemon.sources.parse_worker",
                 str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # its log goes to stderr, as the daemon's
                env=_worker_environment(),
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.fd = self.conn.fileno()
        self.ready = False
        # A process that ran and exited before it read its setup (a broken install:
        # the interpreter fails at once) breaks this pipe, or not, by how fast it
        # exits: either way it is told as one that did not start (its first answer is
        # missing), not as one that could not be started (no program, Popen's OSError).
        self.unsent: OSError | None = None
        try:
            self.conn.send(setup)  # small: one blocking write, before the socket is not
        except OSError as exc:
            self.unsent = exc
        os.set_blocking(self.fd, False)

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.wait(5)
        with contextlib.suppress(Exception):
            self.conn.close()


def mail_frames(mail: InboundMail, hidden: dict[str, int], slim: bytes) -> list[bytes]:
    """The mail's fields but its bytes (inbound.beside_raw) and the sizes hidden from
    them (one frame), then the bytes sent for it, `slim` (a second frame), as the
    worker's _Channel reads them: the bytes as they are, not copied behind the frame
    header (the frames of several mails go out in one os.writev)."""
    described = pickle.dumps((beside_raw(mail), hidden))
    return [frame_header(described) + described + frame_header(slim), slim]



def complete_frames(inbox: bytearray) -> list[bytes]:
    """The payloads of every complete frame at the start of `inbox`, taken out of it
    (a frame cut short by the read stays for the next); ValueError for a length no
    frame has."""
    payloads: list[bytes] = []
    start, end = 0, len(inbox)
    while end - start >= 4:
        (size,) = struct.unpack_from("!i", inbox, start)
        head = 4
        if size == -1:
            if end - start < 12:
                break
            (size,) = struct.unpack_from("!Q", inbox, start + 4)
            head = 12
        elif size < 0:
            # Only a broken worker writes one; read as a length it would step back
            # through the buffer, round and round (review20b).
            raise ValueError(f"a frame of length {size}")
        if end - start < head + size:
            break
        payloads.append(bytes(inbox[start + head : start + head + size]))
        start += head + size
    del inbox[:start]
    return payloads


def _worker_environment() -> dict[str, str]:
    """The daemon's environment; when its code was imported from a checkout (not from
    site-packages, which every interpreter of this environment finds anyway), that
    directory first on the path: a worker must run the same code. And glibc's mmap
    threshold fixed as the daemon fixes its own (daemon/ops/memory.py), by glibc's
    environment variable, so the worker imports no ctypes for it: a buffer of a mail
    (the bytes received, the parser's copies) goes back to the kernel when freed, not
    to a heap that stays resident (issue 18). Other C libraries ignore the variable."""
    environment = {**os.environ, "MALLOC_MMAP_THRESHOLD_": str(MMAP_THRESHOLD)}
    code = Path(daemon.__file__).resolve().parent.parent
    installed = {Path(p).resolve() for p in [*site.getsitepackages(), site.getusersitepackages()]}
    if code in installed:
        return environment
    path = os.environ.get("PYTHONPATH")
    return {**environment, "PYTHONPATH": f"{code}{os.pathsep}{path}" if path else str(code)}
