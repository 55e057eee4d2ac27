"""Fault injection: each server fails under a running `oo-support run`, and
afterwards nothing is lost or doubled. (Dovecot restarts and the relay refusing / down
are in test_imap_ingest.py; two daemons on one mailbox there too.)"""

from __future__ import annotations

import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import DaemonProcess, customer_mail, parse_mail, sql, wait_until, write_config
from pg_cluster import PgCluster


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    """In this module every test starts at the newest schema, copied from the session's
    migrated template (tests/conftest.py): the migration is not what these tests show,
    and a daemon or command would otherwise run it first, in a subprocess, each time."""
    return migrated_pg_url


@pytest.fixture
def pg_cluster() -> Iterator[PgCluster]:
    cluster = PgCluster().init()
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.destroy()


def _acked(sink) -> list[str]:  # type: ignore[no-untyped-def]
    return [parse_mail(m.data)["In-Reply-To"] for m in sink.messages]


def test_postgres_restarted_and_unreachable_mid_run(
    tmp_path: Path, dovecot, smtp_sink, pg_cluster: PgCluster
) -> None:
    url = pg_cluster.create_database("oosupport")
    config = write_config(tmp_path / "oo.toml", database_url=url, imap=dovecot,
                          smtp_out=smtp_sink, extra={"imap": {"batch_size": 10}})
    daemon = DaemonProcess(config, tmp_path).start().wait_ready()
    try:
        dovecot.append("INBOX", [customer_mail(i) for i in range(60)])
        wait_until(lambda: len(smtp_sink.messages) >= 10, 60, "the first acks")
        pg_cluster.restart()  # every pooled connection dies, mid-ingest

        dovecot.append("INBOX", [customer_mail(i) for i in range(60, 90)])
        wait_until(lambda: len(smtp_sink.messages) >= 65, 90, "acks after the restart")
        pg_cluster.stop()  # unreachable: mail keeps arriving meanwhile
        dovecot.append("INBOX", [customer_mail(i) for i in range(90, 120)])
        wait_until(lambda: "retrying" in daemon.log(), 30, "the IMAP loop to notice")
        assert daemon.proc.poll() is None, "the daemon gave up instead of waiting"
        assert dovecot.count("INBOX") >= 30  # nothing taken out while it cannot be stored
        pg_cluster.start()

        assert smtp_sink.wait_for(120, timeout=120), daemon.log()[-3000:]
        wait_until(lambda: dovecot.count("INBOX") == 0, 30, "an empty INBOX")
    finally:
        assert daemon.terminate() == 0, daemon.log()[-3000:]
    assert sql(url, "SELECT count(*) FROM cases") == [(120,)]
    replied = _acked(smtp_sink)
    assert len(replied) == 120 == len(set(replied))
    assert sql(url, "SELECT status, count(*) FROM outbox GROUP BY status") == [("sent", 120)]
    assert dovecot.count("Processed") == 120


def test_relay_refusing_then_down_then_back_under_a_running_daemon(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    """The relay answers 451, then is gone, then returns: every ack goes out, once."""
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                          smtp_out=smtp_sink)
    daemon = DaemonProcess(config, tmp_path).start().wait_ready()
    try:
        smtp_sink.refuse(451)
        dovecot.append("INBOX", [customer_mail(i) for i in range(10)])
        wait_until(lambda: sql(pg_url, "SELECT count(*) FROM outbox WHERE attempts > 0"
                               " AND status = 'queued'")[0][0] >= 1, 30, "a deferred ack")
        smtp_sink.stop()
        dovecot.append("INBOX", [customer_mail(i) for i in range(10, 20)])
        wait_until(lambda: sql(pg_url, "SELECT count(*) FROM cases") == [(20,)], 30, "cases")
        wait_until(lambda: "relay unreachable" in daemon.log(), 30, "a failed connect")
        assert smtp_sink.messages == [] and daemon.proc.poll() is None
        smtp_sink.refuse(None)
        smtp_sink.start()
        assert smtp_sink.wait_for(20, timeout=60), daemon.log()[-3000:]
    finally:
        assert daemon.terminate() == 0, daemon.log()[-3000:]
    replied = _acked(smtp_sink)
    assert len(replied) == 20 == len(set(replied))
    assert sql(pg_url, "SELECT status, count(*) FROM outbox GROUP BY status") == [("sent", 20)]


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A 96 KB tmpfs: room for a few acknowledgements, then ENOSPC."""
    mount = Path(tempfile.mkdtemp(prefix="oo-full-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", f"oo-{uuid.uuid4().hex[:6]}",
                    str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
        mount.rmdir()


def test_full_pickup_disk_defers_and_then_delivers_each_ack_once(
    tmp_path: Path, dovecot, pg_url: str, small_disk: Path
) -> None:
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                          extra={"outbox": {"pickup_dir": str(small_disk)}})
    daemon = DaemonProcess(config, tmp_path).start().wait_ready()
    try:
        dovecot.append("INBOX", [customer_mail(i) for i in range(40)])
        wait_until(lambda: sql(pg_url, "SELECT count(*) FROM cases") == [(40,)], 60, "cases")
        wait_until(lambda: "No space left on device" in daemon.log(), 30, "ENOSPC")
        written = list(small_disk.glob("*.eml"))
        assert 0 < len(written) < 40
        assert not list(small_disk.glob(".*.tmp"))  # no half-written file fills the disk
        assert daemon.proc.poll() is None

        subprocess.run(["mount", "-o", "remount,size=8m", str(small_disk)], check=True)
        wait_until(lambda: len(list(small_disk.glob("*.eml"))) == 40, 60, "all 40 acks")
    finally:
        assert daemon.terminate() == 0, daemon.log()[-3000:]
    replied = [parse_mail(p.read_bytes())["In-Reply-To"] for p in small_disk.glob("*.eml")]
    assert len(replied) == 40 == len(set(replied))
    assert sql(pg_url, "SELECT status, count(*) FROM outbox GROUP BY status") == [("sent", 40)]


def test_a_mail_the_relay_refuses_gives_up_but_a_login_problem_fails_no_mail(
    tmp_path: Path, smtp_sink, pg_url: str
) -> None:
    """451 to a mail counts against that mail (max_attempts, then failed); a relay we
    cannot log in to (here: a username set, no AUTH offered) pauses sending instead."""
    from datetime import UTC, datetime, timedelta

    from daemon.app import build_app
    from daemon.inbound import InboundMail
    from daemon.settings import Settings

    now = [datetime(2026, 11, 24, 10, tzinfo=UTC)]

    def app_with(**smtp_out: object):  # type: ignore[no-untyped-def]
        settings = Settings.model_validate({
            "database": {"url": pg_url},
            "smtp_out": {"host": smtp_sink.host, "port": smtp_sink.port, "security": "none",
                         **smtp_out},
            "outbox": {"max_attempts": 2, "retry_base_seconds": 60},
        })
        app = build_app(settings, lambda: now[0])
        app.prepare_database()
        return app

    app = app_with()
    app.pipeline.ingest_batch(app.engine, [InboundMail(customer_mail(1), "smtp", now[0])])
    smtp_sink.refuse(451)
    assert app.flush_outbox().deferred == 1
    now[0] += timedelta(minutes=2)
    assert app.flush_outbox().failed == 1  # second attempt: max_attempts reached
    smtp_sink.refuse(None)

    app = app_with(username="support@oo.dk", password="wrong")
    app.pipeline.ingest_batch(app.engine, [InboundMail(customer_mail(2), "smtp", now[0])])
    for _ in range(6):
        now[0] += timedelta(hours=1)
        report = app.flush_outbox()
        assert report.relay_error and (report.sent, report.failed) == (0, 0)
    assert sql(pg_url, "SELECT status, attempts FROM outbox ORDER BY id") == [
        ("failed", 2), ("queued", 0)
    ]
    assert smtp_sink.messages == []
    app.engine.dispose()


def test_relay_wide_refusals_pause_sending_and_touch_no_mail(
    tmp_path: Path, smtp_sink, pg_url: str
) -> None:
    """530 to MAIL FROM (our one sender) and 421 refuse every mail: sending pauses, no
    row uses up an attempt, and all go out once the relay takes mail again."""
    from datetime import UTC, datetime

    from daemon.app import build_app
    from daemon.inbound import InboundMail
    from daemon.settings import Settings

    now = datetime(2026, 11, 24, 10, tzinfo=UTC)
    settings = Settings.model_validate({
        "database": {"url": pg_url},
        "smtp_out": {"host": smtp_sink.host, "port": smtp_sink.port, "security": "none"},
    })
    app = build_app(settings, lambda: now)
    app.prepare_database()
    mails = [customer_mail(i) for i in range(3)]
    app.pipeline.ingest_batch(app.engine, [InboundMail(raw, "smtp", now) for raw in mails])

    smtp_sink.refuse_mail_code = 530
    report = app.flush_outbox()
    assert report.relay_error and "530" in report.relay_error
    smtp_sink.refuse_mail_code = None
    smtp_sink.refuse(421)
    report = app.flush_outbox()
    assert report.relay_error and "421" in report.relay_error
    assert sql(pg_url, "SELECT DISTINCT status, attempts FROM outbox") == [("queued", 0)]

    smtp_sink.refuse(None)
    report = app.flush_outbox()
    assert (report.sent, report.failed, report.relay_error) == (3, 0, None)
    assert len(smtp_sink.messages) == 3
    app.engine.dispose()
