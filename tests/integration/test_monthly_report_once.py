"""The monthly report mail goes out once per customer and month: with two daemons on
one PostgreSQL running the job at the same instant, after a crash before or after the
claim, and when the daemon was down on the first business day (then it goes later,
still once). Mail is written to the pickup directory, one file per outbox row."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from harness import write_config
from sqlalchemy import create_engine, func, select, text

from daemon.app import App, build_app
from daemon.mail.render import TemplateRenderer
from daemon.outputs import monthly_reports
from daemon.outputs.reports import REPORT_TEMPLATE
from daemon.scheduler import triage_pass
from daemon.settings import load_settings
from daemon.store import repository
from daemon.store.schema import outbox, report_runs

# Tuesday 1 December 2026, the month's first business day; 10:00 in Copenhagen.
FIRST_BUSINESS_DAY_10 = datetime(2026, 12, 1, 9, tzinfo=UTC)
NOVEMBER_MONDAY = datetime(2026, 11, 23, 9, tzinfo=UTC)
CUSTOMERS = """
[[customers]]
name = "Firma A/S"
domains = ["firma.dk", "Firma.com"]
agreement = true
contact = "it@firma.dk"

[[customers]]
name = "Stille ApS"
domains = ["stille.dk"]
agreement = true
contact = "chef@stille.dk"

[[customers]]
name = "Uden Kontakt ApS"
domains = ["ukendt.dk"]
agreement = true

[reports]
monthly_email = true
"""


@pytest.fixture
def config(tmp_path: Path, migrated_pg_url: str) -> Path:
    path = write_config(tmp_path / "oo.toml", database_url=migrated_pg_url)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(CUSTOMERS)
    return path


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def start_app(config: Path, at: datetime) -> App:
    """A daemon's objects, as a (re)started process builds them."""
    app = build_app(load_settings(config, environ={}), Clock(at))
    app.prepare_database()
    return app


@pytest.fixture
def november(config: Path) -> Iterator[None]:
    """A closed case of November on each of Firma's two domains, answered in time (so
    the pass raises no SLA alerts, only report mails)."""
    app = start_app(config, NOVEMBER_MONDAY)
    with app.engine.begin() as conn:
        for index, domain in enumerate(["firma.dk", "firma.com"]):
            created = NOVEMBER_MONDAY + timedelta(hours=index)
            repository.insert_cases(conn, [{
                "subject": f"Sag på {domain}", "status": "closed", "priority": "normal",
                "critical": False, "channel": "email", "customer_email": f"bo@{domain}",
                "customer_domain": domain, "agreement": True, "language": "da",
                "created_at": created, "updated_at": created, "flags": [],
                "review_due": created + timedelta(hours=1), "reviewed_at": created,
                "response_due": created + timedelta(hours=4),
                "resolve_due": created + timedelta(hours=8),
                "first_response_at": created + timedelta(minutes=5),
                "resolved_at": created + timedelta(minutes=30),
            }])
    app.engine.dispose()
    yield


def report_files(config: Path) -> list[EmailMessage]:
    """The report mails written to the pickup directory."""
    found = []
    for path in sorted((config.parent / "outbox").glob("*.eml")):
        mail = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(mail, EmailMessage)
        if str(mail["Subject"]).startswith("Supportrapport"):
            found.append(mail)
    return found


def queued_reports(app: App) -> int:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(func.count()).select_from(outbox).where(outbox.c.case_id.is_(None))
        ).scalar_one()
    return int(rows)


def pass_of(app: App, renderer: TemplateRenderer | None = None) -> dict[str, int]:
    return triage_pass(app.engine, app.settings, app.calendar, renderer or app.renderer,
                       app.clock())


def assert_each_customer_got_one_report(config: Path) -> None:
    mails = report_files(config)
    by_recipient = sorted(str(m["To"]) for m in mails)
    assert by_recipient == ["chef@stille.dk", "it@firma.dk"]  # no contact: no mail
    [firma] = [m for m in mails if str(m["To"]) == "it@firma.dk"]
    html_part = firma.get_body(("html",))
    assert html_part is not None
    page = html_part.get_content()
    # One mail for the customer, with the cases of both its domains, and their sum.
    assert "Sag på firma.dk" in page and "Sag på firma.com" in page
    assert "Firma A/S i alt" in page and "Alle kunder" not in page


class HeldRenderer(TemplateRenderer):
    """Renders as usual, but the first report page waits for `release`: the claim is
    made, its transaction still open, when `holding` is set."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.holding = threading.Event()
        self.release = threading.Event()

    def render(self, name: str, context: dict[str, Any]) -> str:
        if name == REPORT_TEMPLATE and not self.holding.is_set():
            self.holding.set()
            assert self.release.wait(60), "the test never released the first daemon"
        return super().render(name, context)


def wait_for_a_lock_wait(pg_url: str) -> None:
    """Until some session of the test database waits for a lock (the second daemon's
    claim, blocked by the first's uncommitted one)."""
    engine = create_engine(pg_url)
    try:
        for _ in range(600):
            with engine.connect() as conn:
                waiting = conn.execute(text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )).scalar_one()
            if waiting:
                return
            time.sleep(0.05)
        raise AssertionError("the second daemon never waited for the first one's claim")
    finally:
        engine.dispose()


def test_two_daemons_at_the_same_instant_send_each_customer_one_report(
    config: Path, november: None, migrated_pg_url: str
) -> None:
    first = start_app(config, FIRST_BUSINESS_DAY_10)
    second = start_app(config, FIRST_BUSINESS_DAY_10)
    held = HeldRenderer(first.settings.templates.dir)
    results: dict[str, dict[str, int]] = {}
    errors: list[BaseException] = []

    def run(name: str, app: App, renderer: TemplateRenderer | None) -> None:
        try:
            results[name] = pass_of(app, renderer)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    one = threading.Thread(target=run, args=("first", first, held))
    two = threading.Thread(target=run, args=("second", second, None))
    one.start()
    assert held.holding.wait(60)  # the first daemon has claimed Firma, not committed
    two.start()
    # The second daemon's claim of the same customer waits for the first's to commit
    # (the unique key), then finds it taken.
    wait_for_a_lock_wait(migrated_pg_url)
    held.release.set()
    one.join(60)
    two.join(60)
    assert not errors, errors
    assert results["first"]["monthly_report"] + results["second"]["monthly_report"] == 2
    assert results["first"]["monthly_report"] >= 1  # Firma's, at least
    assert queued_reports(first) == 2
    # Both daemons send what is queued, at once: each row goes out once.
    senders = [threading.Thread(target=app.flush_outbox) for app in (first, second)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(60)
    assert_each_customer_got_one_report(config)
    with first.engine.connect() as conn:
        claims = sorted(conn.execute(select(report_runs.c.month, report_runs.c.customer_domain)))
    assert claims == [("2026-11", "firma.com"), ("2026-11", "firma.dk"),
                      ("2026-11", "stille.dk")]
    for app in (first, second):
        app.engine.dispose()


def test_a_restart_after_the_claim_and_before_the_send_sends_it_once(
    config: Path, november: None
) -> None:
    crashed = start_app(config, FIRST_BUSINESS_DAY_10)
    assert pass_of(crashed)["monthly_report"] == 2
    crashed.engine.dispose()  # the process dies here: claimed and queued, nothing sent
    assert report_files(config) == []

    restarted = start_app(config, FIRST_BUSINESS_DAY_10 + timedelta(minutes=1))
    assert pass_of(restarted)["monthly_report"] == 0  # claimed already: not queued again
    restarted.flush_outbox()
    assert_each_customer_got_one_report(config)
    restarted.engine.dispose()

    next_day = start_app(config, FIRST_BUSINESS_DAY_10 + timedelta(days=1))
    assert pass_of(next_day)["monthly_report"] == 0
    next_day.flush_outbox()
    assert_each_customer_got_one_report(config)
    next_day.engine.dispose()


class FailingRenderer(TemplateRenderer):
    """The process dies while the report is made: after the claim, before the commit."""

    def render(self, name: str, context: dict[str, Any]) -> str:
        if name == REPORT_TEMPLATE:
            raise RuntimeError("killed while rendering the report")
        return super().render(name, context)


def test_a_crash_inside_the_claim_leaves_nothing_and_the_next_pass_sends_once(
    config: Path, november: None
) -> None:
    crashed = start_app(config, FIRST_BUSINESS_DAY_10)
    with pytest.raises(RuntimeError, match="killed"):
        pass_of(crashed, FailingRenderer(crashed.settings.templates.dir))
    with crashed.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(report_runs)).scalar_one() == 0
    assert queued_reports(crashed) == 0
    crashed.engine.dispose()

    restarted = start_app(config, FIRST_BUSINESS_DAY_10 + timedelta(minutes=1))
    assert pass_of(restarted)["monthly_report"] == 2
    assert pass_of(restarted)["monthly_report"] == 0
    restarted.flush_outbox()
    assert_each_customer_got_one_report(config)
    restarted.engine.dispose()


def test_a_daemon_down_on_the_first_business_day_sends_the_report_the_next_day(
    config: Path, november: None
) -> None:
    # Saturday 5 December, 10:00: closed, so not yet (BR-4).
    saturday = start_app(config, datetime(2026, 12, 5, 9, tzinfo=UTC))
    assert pass_of(saturday)["monthly_report"] == 0
    saturday.engine.dispose()
    monday = start_app(config, datetime(2026, 12, 7, 9, tzinfo=UTC))
    assert pass_of(monday)["monthly_report"] == 2
    assert pass_of(monday)["monthly_report"] == 0
    monday.flush_outbox()
    assert_each_customer_got_one_report(config)
    monday.engine.dispose()


def test_a_pass_makes_a_bounded_number_of_report_mails_and_the_next_pass_the_rest(
    config: Path, november: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(monthly_reports, "REPORTS_PER_PASS", 1)
    app = start_app(config, FIRST_BUSINESS_DAY_10)
    assert [pass_of(app)["monthly_report"] for _ in range(3)] == [1, 1, 0]
    app.flush_outbox()
    assert_each_customer_got_one_report(config)
    app.engine.dispose()
