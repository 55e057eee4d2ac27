"""A parsing worker process: `python -P -m daemon.sources.parse_worker FD`, started by
daemon/sources/prepare_pool.py with one end of a socket pair as FD.

It imports only what reading a mail needs (daemon/reading.py: the mail parsing, the
domain rules and the triage rules), not the daemon's App, SQLAlchemy, templates or
pydantic: each worker's memory counts in the daemon's (issue 18, measured with
benchmarks/backlog_memory.py). It is started on its own (exec), not forked from the
daemon (which runs threads: a fork may inherit a held lock) nor from a forkserver,
which with its resource tracker cost two more processes' memory.

The conversation on FD (multiprocessing.connection's framing, which the daemon's end
uses; this end is _Channel, the same framing without importing multiprocessing, ~1 MB
of each worker's memory: issue 18): the daemon sends one
WorkerSetup; the worker answers True once it is ready (the triage rules built); then
for each mail the daemon sends the InboundMail's other fields (daemon/inbound.py
beside_raw) and the sizes of the bodies hidden from its bytes (daemon/reading.py
slim_copy), then the bytes, and the worker answers the Prepared without them, as
tuples of its fields (daemon/sources/worker_answer.py). It ends when the daemon closes
its end or dies.
"""

from __future__ import annotations

import io
import os
import pickle
import resource
import signal
import struct
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

from daemon.domain.triage import Rule
from daemon.reading import ReadingRules


@dataclass(frozen=True)
class WorkerSetup:
    """What a worker is told once, as plain values (the settings are pydantic)."""

    reading: ReadingRules
    custom_rules: tuple[dict[str, Any], ...]  # [triage] rules
    replace_defaults: bool  # [triage] replace_defaults
    outside_services: tuple[str, ...]  # [triage] outside_services
    max_memory_mb: int  # [parsing] max_memory_mb
    log_level: str
    log_format: Literal["kv", "json"]


def triage_rules(setup: WorkerSetup) -> tuple[Rule, ...]:
    """The rules as the daemon's pipeline has them (daemon/pipeline/step.py Tools)."""
    from daemon.domain.triage import default_rules, rules_from_config

    custom = rules_from_config(list(setup.custom_rules))
    if setup.replace_defaults:
        return custom
    return custom + default_rules(setup.outside_services)


def frame_header(payload: bytes) -> bytes:
    """multiprocessing.connection's frame header (Connection._send_bytes): a 4-byte
    signed big-endian length, or -1 and an 8-byte one. Both ends write it: this
    worker's answers, the daemon's mails (daemon/sources/worker_process.py)."""
    size = len(payload)
    return struct.pack("!i", size) if size <= 0x7FFFFFFF else struct.pack("!iQ", -1, size)


class _Channel:
    """The worker's end of the socket pair, framed as multiprocessing.connection frames
    (Connection._send_bytes and _recv_bytes): a 4-byte signed big-endian length, or -1
    and an 8-byte one; a message of objects is their pickle."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __enter__(self) -> _Channel:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        os.close(self.fd)

    def recv(self) -> Any:
        return pickle.loads(self.recv_bytes())

    def recv_bytes(self) -> bytes:
        (size,) = struct.unpack("!i", self._read(4))
        if size == -1:
            (size,) = struct.unpack("!Q", self._read(8))
        return self._read(size)

    def send(self, value: object) -> None:
        data = pickle.dumps(value)
        size = len(data)
        header = frame_header(data)
        if size <= 64 * 1024:  # one write, so the daemon's thread wakes once (issue 18)
            self._write(header + data)
        else:
            self._write(header)
            self._write(data)

    def _read(self, size: int) -> bytes:
        # Into a BytesIO, whose getvalue() hands its buffer over: a big mail's bytes
        # are not copied once more (multiprocessing's own _recv does the same).
        buffer = io.BytesIO()
        remaining = size
        while remaining > 0:
            chunk = os.read(self.fd, remaining)
            if not chunk:
                if remaining == size:
                    raise EOFError
                raise OSError("got end of file during message")
            buffer.write(chunk)
            remaining -= len(chunk)
        return buffer.getvalue()

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]


def serve(conn: _Channel) -> int:
    import importlib

    from daemon import logs
    from daemon.domain.language import detect_language
    from daemon.domain.triage import classify
    from daemon.inbound import with_raw
    from daemon.mail.quotes import new_text
    from daemon.reading import read, worked_out_ahead
    from daemon.sources.worker_answer import answer_of

    setup = conn.recv()
    if not isinstance(setup, WorkerSetup):
        return 2
    logs.configure(setup.log_level, setup.log_format)
    rules = triage_rules(setup)
    # Used once, so what they build on first use (the rules' start-word scanner, the
    # quote and language patterns) is built before the first mail waits for it.
    classify("Printeren virker ikke", new_text("Hej\n\nIngen kan printe.\n"), rules)
    detect_language("Printeren virker ikke", "Hej")
    # The HTML renderer's and the charset guesser's libraries, which their modules
    # import on first use (the daemon's own process needs neither): now, not in the
    # time of the first mail with HTML or an undeclared charset.
    for library in ("lxml.etree", "charset_normalizer"):
        importlib.import_module(library)
    # The memory one mail may cost is bounded here, not by the kernel's OOM killer
    # choosing among the daemon's processes.
    heap = setup.max_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (heap, heap))
    conn.send(True)
    while True:
        try:
            values, hidden = conn.recv()
            mail = with_raw(conn.recv_bytes(), values)
        except (EOFError, OSError):
            return 0
        answer = answer_of(worked_out_ahead(read(mail, setup.reading, hidden or None), rules))
        del mail  # the raw bytes go before the answer is pickled
        conn.send(answer)  # without the mail and its headers (worker_answer.py)


# How much lower a worker's scheduling priority is than the daemon's. On two cores the
# pass's store is the serial chain of a backlog (benchmarks/README.md, pipe23): the
# pass's thread and its PostgreSQL backend, each waking after a round trip, then wait
# for a core the workers hold, ~40 round trips a batch. Below them, the workers take
# what the store leaves: their mails queue ahead of them anyway (issue 18, nice23).
NICENESS = 10


def _end_with_parent() -> None:
    """A worker must not outlive the daemon, also while it parses: when the daemon is
    gone the worker is re-parented, and it ends. (PR_SET_PDEATHSIG would fire when the
    daemon's *thread* that started the worker ends, which a pass's threads do.)"""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: Sequence[str]) -> int:
    # The daemon decides when a worker stops (it kills the one in use, which must not
    # count as the mail's failure): systemd's SIGTERM to the whole unit, or a Ctrl-C
    # to the terminal's group, would otherwise end a worker first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _end_with_parent()
    os.nice(NICENESS)
    with _Channel(int(argv[0])) as conn:
        try:
            return serve(conn)
        except (EOFError, OSError):
            return 0  # the daemon went before the worker was ready


if __name__ == "__main__":
    # By its own name, so the WorkerSetup the daemon pickles is this module's class.
    from daemon.sources import parse_worker

    sys.exit(parse_worker.main(sys.argv[1:]))
