"""The outbox with the pickup-dir transport on SQLite (the embedded default): retries with
backoff, giving up, and files that a repeat overwrites instead of doubling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness import customer_mail, write_config

from daemon.app import build_app
from daemon.pipeline import InboundMail
from daemon.settings import load_settings
from daemon.store.migrate import upgrade
from daemon.store.schema import outbox

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def make_app(tmp_path: Path, pickup: Path, clock: Clock, **outbox: object):
    config = write_config(
        tmp_path / "oo.toml", database_url=f"sqlite:///{tmp_path / 'oo.db'}",
        extra={"outbox": {"pickup_dir": str(pickup), "retry_base_seconds": 60,
                          "retry_max_seconds": 600, **outbox}},
    )
    app = build_app(load_settings(config, environ={}), clock)
    upgrade(app.engine)
    return app


def ingest(app, count: int) -> None:
    mails = [InboundMail(customer_mail(i), "test", app.clock()) for i in range(count)]
    app.pipeline.ingest_batch(app.engine, mails)


def outbox_rows(app) -> list:
    with app.engine.connect() as conn:
        return conn.execute(outbox.select().order_by(outbox.c.id)).all()


def test_pickup_dir_gets_one_file_per_row(tmp_path: Path) -> None:
    clock = Clock()
    app = make_app(tmp_path, tmp_path / "out", clock)
    ingest(app, 3)
    assert app.flush_outbox().sent == 3
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "00000001.eml", "00000002.eml", "00000003.eml"
    ]
    assert app.flush_outbox().sent == 0  # nothing is sent twice
    assert [r.status for r in outbox_rows(app)] == ["sent"] * 3


def test_unwritable_pickup_dir_pauses_sending_and_uses_up_no_attempts(tmp_path: Path) -> None:
    """A disk problem is nobody's mail's fault: however long it lasts, the rows stay
    queued with their attempts untouched (and the reason kept), never failed."""
    clock = Clock()
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the pickup dir should be")
    app = make_app(tmp_path, blocked, clock, max_attempts=3)
    ingest(app, 2)

    for hour in range(10):
        clock.now = T0 + timedelta(hours=hour)
        report = app.flush_outbox()
        assert (report.sent, report.deferred, report.failed) == (0, 0, 0)
        assert report.relay_error is not None and "pickup dir" in report.relay_error
    rows = outbox_rows(app)
    assert [(r.status, r.attempts) for r in rows] == [("queued", 0), ("queued", 0)]
    assert "pickup dir" in rows[0].last_error


def test_disk_problem_clears_and_mail_goes_out(tmp_path: Path) -> None:
    clock = Clock()
    pickup = tmp_path / "out"
    pickup.write_text("in the way")
    app = make_app(tmp_path, pickup, clock)
    ingest(app, 2)
    assert app.flush_outbox().relay_error is not None
    pickup.unlink()
    clock.now += timedelta(minutes=5)
    assert app.flush_outbox().sent == 2
    assert len(list(pickup.glob("*.eml"))) == 2
