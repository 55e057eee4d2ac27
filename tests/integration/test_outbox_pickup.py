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


def test_failure_defers_with_doubling_backoff_then_gives_up(tmp_path: Path) -> None:
    clock = Clock()
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the pickup dir should be")
    app = make_app(tmp_path, blocked, clock, max_attempts=3)
    ingest(app, 1)

    assert app.flush_outbox().deferred == 1
    [row] = outbox_rows(app)
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.next_attempt_at == T0 + timedelta(seconds=60)
    assert app.flush_outbox().deferred == 0  # not due yet: left alone

    clock.now = T0 + timedelta(seconds=60)
    assert app.flush_outbox().deferred == 1
    [row] = outbox_rows(app)
    assert row.next_attempt_at == clock.now + timedelta(seconds=120)

    clock.now += timedelta(seconds=120)
    assert app.flush_outbox().failed == 1  # third attempt: max_attempts reached
    [row] = outbox_rows(app)
    assert (row.status, row.attempts) == ("failed", 3)
    assert "pickup dir" in row.last_error


def test_disk_problem_clears_and_mail_goes_out(tmp_path: Path) -> None:
    clock = Clock()
    pickup = tmp_path / "out"
    pickup.write_text("in the way")
    app = make_app(tmp_path, pickup, clock)
    ingest(app, 2)
    assert app.flush_outbox().deferred == 1
    pickup.unlink()
    clock.now += timedelta(minutes=5)
    assert app.flush_outbox().sent == 2
    assert len(list(pickup.glob("*.eml"))) == 2
