"""Limits: mails built to exhaust memory or time go through the pipeline into
PostgreSQL like any other: each becomes a case, its raw bytes are kept, the ack goes to
the sender only, and the memory it takes is bounded by a small multiple of its size.

Time and memory are recorded in test-artifacts/limits.json (not asserted as speed:
the machines are shared). Memory is asserted as a bound, because tracemalloc counts
allocations, not the machine's load.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import pytest
from harness import REPO, run_cli, sql, write_config

from daemon.app import build_app
from daemon.inbound import InboundMail, Outcome
from daemon.mail.html_text import CUT_HTML
from daemon.mail.spooled import Raw, SpooledMail, whole
from daemon.settings import Settings

MB = 1024 * 1024
RESULTS: dict[str, dict[str, float]] = {}


def _base(subject: str, message_id: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Kunde <kunde@firma.dk>"
    mail["To"] = "support@oo.dk"
    mail["Subject"] = subject
    mail["Message-ID"] = f"<{message_id}@firma.dk>"
    mail["Date"] = "Mon, 23 Nov 2026 10:15:00 +0100"
    return mail


def mail_60_mb() -> bytes:
    mail = _base("Log-filer fra serveren", "big60")
    mail.set_content("Se vedhæftet.")
    # 45 MB of bytes is 60 MB as base64 on the wire.
    mail.add_attachment(
        bytes(range(256)) * (45 * MB // 256), maintype="application",
        subtype="octet-stream", filename="server.log",
    )
    return mail.as_bytes()


def mail_5000_parts() -> bytes:
    mail = MIMEMultipart()
    mail["From"] = "kunde@firma.dk"
    mail["To"] = "support@oo.dk"
    mail["Subject"] = "5000 dele"
    mail["Message-ID"] = "<parts5000@firma.dk>"
    for i in range(5000):
        mail.attach(MIMEText(f"del {i}", "plain", "utf-8"))
    return mail.as_bytes()


def mail_zip_bomb() -> bytes:
    """200 MB of zeros deflated to ~200 KB; the daemon never unpacks attachments."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("nuller.txt", b"0" * (200 * MB))
    mail = _base("Fakturaer", "zipbomb")
    mail.set_content("Her er filerne.")
    mail.add_attachment(
        packed.getvalue(), maintype="application", subtype="zip", filename="fakturaer.zip"
    )
    return mail.as_bytes()


def mail_1_mb_subject() -> bytes:
    mail = _base("x", "subject1mb")
    del mail["Subject"]
    mail["Subject"] = ("Printeren virker ikke " * 50_000)[:MB]
    mail.set_content("Hej")
    return mail.as_bytes()


def mail_10000_recipients() -> bytes:
    mail = _base("Til alle", "rcpt10k")
    del mail["To"]
    mail["To"] = ", ".join(f"bruger{i}@firma{i % 50}.dk" for i in range(10_000))
    mail["Cc"] = "support@oo.dk"
    mail.set_content("Hej alle")
    return mail.as_bytes()


@pytest.fixture(scope="module", autouse=True)
def _record() -> None:
    yield
    out = REPO / "test-artifacts" / "limits.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(RESULTS, indent=2) + "\n")


@pytest.mark.parametrize(
    "build",
    [mail_60_mb, mail_5000_parts, mail_zip_bomb, mail_1_mb_subject, mail_10000_recipients],
    ids=lambda build: build.__name__,
)
def test_hostile_size_is_a_case_with_bounded_memory(
    tmp_path: Path, pg_url: str, build: Callable[[], bytes]
) -> None:
    raw = build()
    settings = Settings.model_validate(
        {"database": {"url": pg_url}, "outbox": {"pickup_dir": str(tmp_path / "out")}}
    )
    app = build_app(settings)
    app.prepare_database()
    app.pipeline.triage_rules  # built once per process; not the mail's cost  # noqa: B018
    tracemalloc.start()
    started = time.perf_counter()
    try:
        [result] = app.pipeline.ingest_batch(
            app.engine, [InboundMail(raw, "imap:INBOX", datetime.now(UTC))]
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        app.engine.dispose()
    seconds = time.perf_counter() - started
    RESULTS[build.__name__] = {
        "mail_bytes": len(raw),
        "seconds": round(seconds, 3),
        "peak_python_mb": round(peak / MB, 1),
    }

    assert result.outcome is Outcome.CREATED, result
    # Kept byte for byte, whatever its size.
    [(kept, digest)] = sql(
        pg_url, "SELECT length(raw), md5(raw) FROM messages WHERE direction = 'in'"
    )
    assert (kept, digest) == (len(raw), hashlib.md5(raw).hexdigest())
    # The ack answers the sender only, with a subject a mail client can show.
    [(recipients, subject)] = sql(
        pg_url,
        "SELECT o.recipients, m.subject FROM outbox o JOIN messages m ON m.id = o.message_pk",
    )
    assert recipients == ["kunde@firma.dk"]
    assert len(subject) < 300
    # Bounded: the raw bytes, a decoded copy and the database's copy, not more.
    assert peak < 4 * len(raw) + 64 * MB, f"peak {peak / MB:.0f} MB for {len(raw) / MB:.1f} MB"


def test_html_mail_of_unclosed_tags_does_not_hold_up_intake(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    """60 KB of `<a ` in a text/html body kept `poll --once` from storing
    anything for 60 s (the stdlib parser took time quadratic in it: 3 MB would have
    taken days). run_cli gives the whole pass 120 s. Only the first 2 MB is rendered."""
    pathological = _base("Nyhedsbrev", "html-a-open")
    pathological.set_content("<p>Kære kunde</p>" + "<a " * MB, subtype="html")
    ordinary = _base("Printer", "after-html")
    ordinary.set_content("Printeren virker ikke")
    dovecot.append("INBOX", [pathological.as_bytes(), ordinary.as_bytes()])
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                          smtp_out=smtp_sink)
    report = json.loads(run_cli("poll", "--once", "--json", config=config))

    assert report["created"] == 2
    bodies = dict(sql(pg_url, "SELECT subject, body_text FROM messages WHERE direction = 'in'"))
    assert bodies == {"Nyhedsbrev": "Kære kunde\n\n" + CUT_HTML,
                      "Printer": "Printeren virker ikke"}


@pytest.mark.parametrize("chunk", [1024 * 1024, None], ids=["1MB-chunks", "exact-multiple"])
def test_big_mail_from_imap_is_fetched_in_chunks_byte_for_byte(
    tmp_path: Path, dovecot, pg_url: str, monkeypatch: pytest.MonkeyPatch, chunk: int | None
) -> None:
    """A 12 MB mail comes in by partial FETCHes (memory: daemon/sources/imap.py) and is
    stored exactly as the server has it, also when its size is a multiple of the chunk."""
    from email import policy

    from daemon.sources import imap

    mail = _base("Stor fil", "big-imap")
    mail.set_content("Se vedhæftet.")
    mail.add_attachment(bytes(range(256)) * (9 * MB // 256), maintype="application",
                        subtype="octet-stream", filename="data.bin")
    raw = mail.as_bytes(policy=policy.SMTP)
    small = _base("Lille", "small-imap")
    small.set_content("Hej")
    dovecot.append("INBOX", [raw, small.as_bytes(policy=policy.SMTP)])
    monkeypatch.setattr(imap, "_FETCH_CHUNK", chunk or _divisor(len(raw)))
    settings = Settings.model_validate({
        "database": {"url": pg_url},
        "outbox": {"pickup_dir": str(tmp_path / "out")},
        "imap": {"host": dovecot.host, "port": dovecot.port, "security": "none",
                 "username": dovecot.user, "password": dovecot.password},
    })
    app = build_app(settings)
    app.prepare_database()
    source = app.imap_source()
    try:
        report = source.poll_once()
    finally:
        source.close()
        app.engine.dispose()
    assert report.created == 2
    rows = dict(sql(pg_url, "SELECT subject, md5(raw) FROM messages WHERE direction = 'in'"))
    assert rows["Stor fil"] == hashlib.md5(raw).hexdigest()
    assert dovecot.count("INBOX") == 0


def _divisor(n: int) -> int:
    """A chunk size that divides n exactly, near a quarter of it."""
    for size in range(n // 4, n // 8, -1):
        if n % size == 0:
            return size
    return n // 2 if n % 2 == 0 else n


def test_big_mail_from_imap_is_held_alone_within_the_byte_budget(
    tmp_path: Path, dovecot, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 12 MB mail among small ones, through the real Dovecot: the pass fetches it only
    once the mail before it is stored, and the mail after it only once it is stored, so
    it is never held beside other batches (daemon/sources/prefetch.py's byte budget,
    issue 18); and every mail is stored once, the big one byte for byte. Without the
    budget the lookahead fetched the big mail while the batch before it was stored."""
    from email import policy

    from daemon.sources import imap

    def small(index: int) -> bytes:
        mail = _base(f"Lille {index}", f"small-{index}")
        mail.set_content(f"Printeren virker ikke ({index})\n" + "Hilsen Kunde\n" * 2000)
        return mail.as_bytes(policy=policy.SMTP)

    big = _base("Stor fil", "big-budget")
    big.set_content("Se vedhæftet.")
    big.add_attachment(bytes(range(256)) * (9 * MB // 256), maintype="application",
                       subtype="octet-stream", filename="data.bin")
    raw = big.as_bytes(policy=policy.SMTP)
    dovecot.append("INBOX", [small(1), small(2), small(3), raw, small(4), small(5), small(6)])
    monkeypatch.setattr(imap, "_IN_FLIGHT_BYTES", 2 * MB)  # room for a few small batches
    settings = Settings.model_validate({
        "database": {"url": pg_url},
        "outbox": {"pickup_dir": str(tmp_path / "out")},
        "imap": {"host": dovecot.host, "port": dovecot.port, "security": "none",
                 "username": dovecot.user, "password": dovecot.password, "batch_size": 1},
    })
    app = build_app(settings)
    app.prepare_database()
    source = app.imap_source()
    events: list[tuple[str, list[str]]] = []  # ("fetched" | "stored", subjects), in order
    fetch_batch, ingest_prepared = source._fetch_batch, source.pipeline.ingest_prepared

    spooled: list[str] = []  # the mails fetched into a temporary file, not memory

    def subjects_of(raws: list[Raw]) -> list[str]:
        return [whole(r).split(b"Subject: ", 1)[1].split(b"\r\n", 1)[0].decode() for r in raws]

    def fetched(*args, **kwargs):  # type: ignore[no-untyped-def]
        mails = fetch_batch(*args, **kwargs)
        events.append(("fetched", subjects_of([m.raw for m in mails])))
        spooled.extend(subjects_of([m.raw for m in mails if isinstance(m.raw, SpooledMail)]))
        return mails

    def stored(engine, prepared, settle=None):  # type: ignore[no-untyped-def]
        results = ingest_prepared(engine, prepared, settle)
        events.append(("stored", subjects_of([p.mail.raw for p in prepared])))
        return results

    monkeypatch.setattr(source, "_fetch_batch", fetched)
    monkeypatch.setattr(source.pipeline, "ingest_prepared", stored)
    try:
        report = source.poll_once()
    finally:
        source.close()
        app.engine.dispose()
    assert report.created == 7
    order = [(kind, subject) for kind, subjects in events for subject in subjects]
    big_fetched = order.index(("fetched", "Stor fil"))
    big_stored = order.index(("stored", "Stor fil"))
    held_beside = {s for kind, s in order[:big_fetched] if kind == "fetched"} - {
        s for kind, s in order[:big_fetched] if kind == "stored"}
    assert held_beside == set(), f"fetched and not stored when the big mail came: {order}"
    assert not [s for kind, s in order[big_fetched + 1 : big_stored] if kind == "fetched"], order
    assert [s for kind, s in order if kind == "fetched"] == [s for kind, s in order
                                                             if kind == "stored"]
    rows = dict(sql(pg_url, "SELECT subject, md5(raw) FROM messages WHERE direction = 'in'"))
    assert len(rows) == 7 and rows["Stor fil"] == hashlib.md5(raw).hexdigest()
    assert spooled == ["Stor fil"]  # issue 18: a large mail is never whole in memory
    assert dovecot.count("INBOX") == 0
