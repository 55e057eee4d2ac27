"""A parsing worker process: `python -P -m daemon.sources.parse_worker FD`, started by
daemon/sources/prepare_pool.py with one end of a socket pair as FD.

It imports only what reading a mail needs (daemon/reading.py: the mail parsing, the
domain rules and the triage rules), not the daemon's App, SQLAlchemy, templates or
pydantic: each worker's memory counts in the daemon's (issue 18, measured with
benchmarks/backlog_memory.py). It is started on its own (exec), not forked from the
daemon (which runs threads: a fork may inherit a held lock) nor from a forkserver,
which with its resource tracker cost two more processes' memory.

The conversation on FD (multiprocessing.connection framing): the daemon sends one
WorkerSetup; the worker answers True once it is ready (the triage rules built); then
for each mail the daemon sends the InboundMail without its bytes and the sizes of the
bodies hidden from them (daemon/reading.py slim_copy), then the bytes, and the worker
answers the Prepared without them. It ends when the daemon closes its end
or dies.
"""

from __future__ import annotations

import dataclasses
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
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


def serve(conn: Connection) -> int:
    import importlib

    from daemon import logs
    from daemon.domain.language import detect_language
    from daemon.domain.triage import classify
    from daemon.mail.quotes import new_text
    from daemon.reading import read, worked_out_ahead

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
            bare, hidden = conn.recv()
            mail = dataclasses.replace(bare, raw=conn.recv_bytes())
        except (EOFError, OSError):
            return 0
        prepared = dataclasses.replace(
            worked_out_ahead(read(mail, setup.reading, hidden or None), rules), mail=bare
        )
        del mail  # the raw bytes go before the answer is pickled
        conn.send(prepared)


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
    with Connection(int(argv[0])) as conn:
        try:
            return serve(conn)
        except (EOFError, OSError):
            return 0  # the daemon went before the worker was ready


if __name__ == "__main__":
    # By its own name, so the WorkerSetup the daemon pickles is this module's class.
    from daemon.sources import parse_worker

    sys.exit(parse_worker.main(sys.argv[1:]))
