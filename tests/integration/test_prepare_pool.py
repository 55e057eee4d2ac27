"""The parsing worker processes (daemon/sources/prepare_pool.py) on their own: a mail
over the time budget, a worker killed from outside, a stop, a mail over the memory
cap; after each, the next mail is prepared as usual."""

from __future__ import annotations

import os
import random
import signal
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from harness import customer_mail
from test_poison_intake import SLOW_TRIAGE, slow_mail

from daemon.inbound import InboundMail, Outcome, Prepared
from daemon.mail import LARGE_MAIL_BYTES
from daemon.mail.spooled import Raw, SpooledMail
from daemon.ops.memory import MMAP_THRESHOLD
from daemon.pipeline.read import read
from daemon.reading import slim_copy
from daemon.settings import Settings
from daemon.sources import prepare_pool, worker_process
from daemon.sources.parse_worker import NICENESS
from daemon.sources.prepare_pool import (
    PrepareFailed,
    PreparePool,
    PrepareStopped,
    WorkersUnavailable,
)


def inbound(raw: Raw) -> InboundMail:
    return InboundMail(raw, "smtp", datetime(2026, 12, 4, 10, tzinfo=UTC))


@pytest.fixture
def pool(request: pytest.FixtureRequest) -> Iterator[PreparePool]:
    parsing = getattr(request, "param", {})
    started = PreparePool(Settings.model_validate(
        {"parsing": {"workers": 1, **parsing}, "triage": SLOW_TRIAGE}))
    started.start()
    yield started
    started.close()


def normal_mail_is_prepared(pool: PreparePool) -> None:
    prepared = pool.prepare(inbound(customer_mail(1)), lambda: False)
    assert prepared.outcome is Outcome.CREATED
    assert prepared.parsed is not None and prepared.parsed.from_addr == "kunde1@firma1.dk"


def ready_worker(pool: PreparePool) -> prepare_pool.Worker:
    """The pool's one worker, once it has prepared a mail (so it is ready)."""
    normal_mail_is_prepared(pool)
    [worker] = pool.workers()
    assert worker.ready
    return worker


# The slow mail takes ~16 s of CPU (test_poison_intake.slow_mail); 1.5 s leaves the
# fresh worker that prepares the normal mail after it room on a loaded machine (0.5 s
# failed at load 8).
@pytest.mark.parametrize("pool", [{"timeout": 1.5}], indirect=True)
def test_a_mail_over_the_time_budget_fails_and_the_next_one_is_prepared(
    pool: PreparePool,
) -> None:
    with pytest.raises(PrepareFailed, match="took over 1.5 s"):
        pool.prepare(inbound(slow_mail(1, 28)), lambda: False)
    normal_mail_is_prepared(pool)


def test_a_worker_killed_from_outside_is_a_failed_try(pool: PreparePool) -> None:
    # Killed while it works on the mail, not while it starts (that is WorkersUnavailable).
    worker = ready_worker(pool)
    errors: list[BaseException] = []

    def prepare() -> None:
        try:
            pool.prepare(inbound(slow_mail(2, 28)), lambda: False)
        except BaseException as exc:  # noqa: BLE001 - looked at below
            errors.append(exc)

    thread = threading.Thread(target=prepare)
    thread.start()
    threading.Timer(0.5, os.kill, (worker.process.pid, signal.SIGKILL)).start()
    thread.join(60)
    [error] = errors
    assert isinstance(error, PrepareFailed) and "died" in str(error)
    normal_mail_is_prepared(pool)


def test_a_stop_abandons_the_mail_in_hand(pool: PreparePool) -> None:
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    with pytest.raises(PrepareStopped):
        pool.prepare(inbound(slow_mail(3, 28)), stop.is_set)
    normal_mail_is_prepared(pool)


@pytest.mark.parametrize("pool", [{"max_memory_mb": 300}], indirect=True)
def test_a_mail_over_the_memory_cap_is_kept_raw_as_rejected(pool: PreparePool) -> None:
    # A 12 MB text part of 2-byte lines inside a multipart: the stdlib parser's list of
    # lines needs far more than 300 MB for it.
    raw = (b"From: kunde@firma.dk\r\nSubject: Stor\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
           b"Content-Type: text/plain\r\n\r\n" + b"a\n" * (6 * 1024 * 1024) + b"--b--\r\n")
    prepared = pool.prepare(inbound(raw), lambda: False)
    assert isinstance(prepared, Prepared) and prepared.mail.raw is raw
    assert (prepared.outcome, prepared.reason) == (Outcome.REJECTED,
                                                    "internal error: MemoryError: ")
    normal_mail_is_prepared(pool)


def test_a_worker_loads_none_of_the_database_templates_or_settings_code(
    pool: PreparePool,
) -> None:
    # Each worker's memory counts in the daemon's (issue 18): it reads mail and triages
    # it, and needs neither SQLAlchemy, psycopg, Jinja2 (markupsafe) nor pydantic. Their
    # native libraries show in the process's memory map once imported.
    worker = ready_worker(pool)
    maps = Path(f"/proc/{worker.process.pid}/maps").read_text()
    assert "lxml" in maps  # the parsing's own native code: the map is the worker's
    loaded = [name for name in ("sqlalchemy", "psycopg", "markupsafe", "pydantic_core")
              if name in maps]
    assert loaded == []


def test_a_worker_runs_with_the_daemons_fixed_mmap_threshold(pool: PreparePool) -> None:
    # glibc's dynamic mmap threshold kept a freed mail buffer's pages in the heap; the
    # daemon fixes it with mallopt (daemon/ops/memory.py), a worker by glibc's variable
    # (no ctypes imported for it): issue 18, ~1.3 MB less VmHWM per worker measured.
    worker = ready_worker(pool)
    environ = Path(f"/proc/{worker.process.pid}/environ").read_bytes().split(b"\0")
    assert f"MALLOC_MMAP_THRESHOLD_={MMAP_THRESHOLD}".encode() in environ
    assert "_ctypes" not in Path(f"/proc/{worker.process.pid}/maps").read_text()


def test_a_worker_runs_below_the_daemons_priority(pool: PreparePool) -> None:
    # The store's round trips wake the pass's thread and its PostgreSQL backend ~40
    # times a batch; each must not wait for a core behind a worker (issue 18, nice23).
    worker = ready_worker(pool)
    expected = min(os.getpriority(os.PRIO_PROCESS, 0) + NICENESS, 19)
    assert os.getpriority(os.PRIO_PROCESS, worker.process.pid) == expected
    assert NICENESS > 0


@pytest.mark.parametrize(
    ("size", "spooled"),
    [(6 * 1024 * 1024, False), (6 * 1024 * 1024, True), (300 * 1024, False)],
    ids=["large", "large-spooled", "300KB"],
)
def test_a_large_mail_reads_as_in_the_daemon_and_the_worker_is_kept(
    pool: PreparePool, size: int, spooled: bool
) -> None:
    # Its big attachment is hidden from the worker (daemon/reading.py slim_copy): the
    # worker parses only the rest, and what it answers is what reading the whole
    # bytes gives, the attachment's size and the dedupe key (which covers it) included.
    # So for a file of 300 KB in a small mail, and for a large mail the IMAP source
    # spooled to a file (issue 18).
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "kunde@firma.dk", "support@oo.dk", "Scan"
    mail["Message-ID"] = "<large-slim@firma.dk>"
    mail.set_content("Hej\n\nScanningen er vedhæftet.\n")
    data = random.Random(7).randbytes(size)
    mail.add_attachment(data, maintype="application", subtype="pdf", filename="scan.pdf")
    raw = mail.as_bytes()
    assert (len(raw) > LARGE_MAIL_BYTES) == (size > LARGE_MAIL_BYTES)
    assert slim_copy(raw)[1]  # the attachment is hidden from the worker
    given: Raw = raw
    if spooled:
        given = SpooledMail()
        given.append(raw)
    before = ready_worker(pool)  # the worker that should stay

    prepared = pool.prepare(inbound(given), lambda: False)
    whole = read(inbound(raw), pool.settings)

    assert prepared.mail.raw is given
    assert prepared.parsed is not None and whole.parsed is not None
    assert [(a.filename, a.size) for a in prepared.parsed.attachments] == [
        ("scan.pdf", len(data))]
    assert prepared.parsed.attachments == whole.parsed.attachments
    assert prepared.parsed.body_text == whole.parsed.body_text
    assert (prepared.key, prepared.outcome) == (whole.key, whole.outcome)
    [after] = pool.workers()
    assert after is before


def test_a_worker_imports_nothing_from_the_daemons_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `python -m` puts the working directory first on sys.path (the daemon itself, run
    # as `oo-support`, does not): a file there named as a module the worker imports
    # (here the standard library's `email`) must not replace it.
    (tmp_path / "email.py").write_text("raise ImportError('not the standard library')\n")
    monkeypatch.chdir(tmp_path)
    pool = PreparePool(Settings.model_validate({"parsing": {"workers": 1}}))
    try:
        normal_mail_is_prepared(pool)
    finally:
        pool.close()


def test_a_worker_that_cannot_start_is_the_daemons_fault_not_the_mails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A broken install (here: the interpreter exits at once) must not count a failed
    try on each mail until all are quarantined: it is WorkersUnavailable, which the
    sources treat like a lost database (the try given back, the pass failed loudly)."""
    pool = PreparePool(Settings.model_validate({"parsing": {"workers": 1}}))
    try:
        monkeypatch.setattr(worker_process.sys, "executable", "/bin/false")
        with pytest.raises(WorkersUnavailable, match="did not start"):
            pool.prepare(inbound(customer_mail(1)), lambda: False)
        # The same process gone before its setup could be written (a race the first
        # case wins or loses by timing, here lost on purpose): still "did not start".
        def pipe_broken(self: object, obj: object) -> None:
            raise BrokenPipeError(32, "Broken pipe")

        with monkeypatch.context() as lost:
            lost.setattr(worker_process.Connection, "send", pipe_broken)
            with pytest.raises(WorkersUnavailable, match="did not start.*Broken pipe"):
                pool.prepare(inbound(customer_mail(1)), lambda: False)
        monkeypatch.setattr(worker_process.sys, "executable", "/nonexistent/python3")
        with pytest.raises(WorkersUnavailable, match="could not start"):
            pool.prepare(inbound(customer_mail(1)), lambda: False)
        monkeypatch.undo()
        normal_mail_is_prepared(pool)  # the place was kept: a working install prepares
    finally:
        pool.close()


def test_mails_their_callers_gave_up_do_not_take_the_news_that_no_worker_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pass that failed (WorkersUnavailable, a lost database) cancels its mails still
    waiting; since daemon23 they stay queued until their turn. While no worker starts,
    each failed start told its WorkersUnavailable to the oldest mail waiting: a
    cancelled one told nobody, and the next pass's mail behind them waited for one
    failed start (a process spawned, up to _START_SECONDS for one never ready) per
    cancelled mail before its pass failed loudly (review23c)."""
    gate = threading.Event()
    starts: list[int] = []

    def not_starting(_setup: object) -> prepare_pool.Worker:
        gate.wait(30)
        starts.append(1)
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(prepare_pool, "Worker", not_starting)
    pool = PreparePool(Settings.model_validate({"parsing": {"workers": 1}}))
    try:
        given_up = [pool.submit(inbound(customer_mail(uid)), lambda: False)
                    for uid in range(20)]
        assert all(future.cancel() for future in given_up)  # the first pass ended
        waiting = pool.submit(inbound(customer_mail(20)), lambda: False)  # the next one
        gate.set()
        with pytest.raises(WorkersUnavailable, match="could not start"):
            waiting.result(60)
        assert len(starts) <= 2, f"{len(starts)} failed starts before the waiting mail was told"
    finally:
        gate.set()
        pool.close()


def test_a_workers_answer_is_what_reading_gives_without_the_headers(pool: PreparePool) -> None:
    """The worker sends back every field the steps use, but not the mail's headers:
    `read` was their only reader, in the worker, and they were ~41 KB of a corpus
    mail's ~44 KB answer, unpickled in the daemon's own thread (issue 18). A look at
    them from the daemon's side is a bug and raises, rather than reading as empty."""
    mail = inbound(customer_mail(1))
    prepared = pool.prepare(mail, lambda: False)
    whole = read(mail, pool.settings)

    assert prepared.parsed is not None and whole.parsed is not None
    assert prepared.parsed == whole.parsed  # every field but the headers (compare=False)
    assert (prepared.key, prepared.outcome, prepared.no_ack, prepared.is_staff) == (
        whole.key, whole.outcome, whole.no_ack, whole.is_staff)
    assert "From" in whole.parsed.headers
    with pytest.raises(RuntimeError, match="parsing worker"):
        prepared.parsed.headers.text("From")
