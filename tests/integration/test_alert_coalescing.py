"""Floods of alerts are coalesced. On PostgreSQL at fixed instants, the pass
run in-process (triage_pass(..., now)) as `oo-support run` runs it: one mail per
recipient and kind in a pass, the on-call duty paged once per quiet period and at
most so often per sender and customer, and still every case alerted exactly once,
also by passes that run at the same time."""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update

from daemon.app import App, build_app
from daemon.scheduler import triage_pass
from daemon.settings import Settings
from daemon.store import repository
from daemon.store.engine import rehearsal
from daemon.store.schema import alerts, cases, customers, messages

MONDAY_10 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Copenhagen: open
SATURDAY_23 = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)  # 23:00: the on-call's night
ONCALL = "vagt@oo.dk"
FIRMS = [
    {"name": f"Firma {k}", "domains": [f"firma{k}.dk"], "agreement": True,
     "primary": f"primaer{k % 4}@oo.dk", "secondary": f"sekundaer{k % 3}@oo.dk"}
    for k in range(12)
]
KIND_BY_TITLE = {
    "Påmindelse": "review_reminder", "Eskalering": "review_escalation",
    "SLA: svarfristen": "response_warning", "SLA brudt: svarfristen": "response_breach",
    "SLA: løsningsfristen": "resolve_warning", "SLA brudt: løsningsfristen": "resolve_breach",
    "VAGT": "oncall_page", "KRITISK": "critical_alert",
}


@pytest.fixture
def make_app(pg_url: str, tmp_path: Path) -> Iterator[Any]:
    built: list[App] = []

    def make(**scheduler: int) -> App:
        settings = Settings.model_validate({
            "database": {"url": pg_url},
            "outbox": {"pickup_dir": str(tmp_path / "outbox")},
            "staff": {"team_lead": "chef@oo.dk", "primary": "team@oo.dk",
                      "secondary": "team@oo.dk"},
            "support": {"oncall_address": ONCALL},
            "scheduler": scheduler,
            "customers": FIRMS,
        })
        app = build_app(settings)
        app.prepare_database()
        built.append(app)
        return app

    yield make
    for app in built:
        app.engine.dispose()


def add_case(app: App, sender: str, created: datetime, *, critical: bool = False,
             assignee: str | None = None) -> int:
    """A case as the pipeline stores one, deadlines a fixed span after `created`."""
    domain = sender.rpartition("@")[2]
    with app.engine.begin() as conn:
        customer_id = conn.execute(
            select(customers.c.id).where(customers.c.domain == domain)).scalar()
        number = conn.execute(select(func.coalesce(func.max(cases.c.number), 100000))).scalar()
        conn.execute(insert(cases).values(
            number=number + 1, subject=f"Sag fra {sender}", status="new",
            priority="high" if critical else "normal", critical=critical, channel="email",
            customer_id=customer_id, customer_email=sender, customer_domain=domain,
            agreement=customer_id is not None, language="da", assignee=assignee,
            created_at=created, updated_at=created, review_due=created + timedelta(hours=1),
            response_due=created + timedelta(hours=1 if critical else 4),
            resolve_due=created + timedelta(hours=2 if critical else 8), flags=[],
        ))
    return number + 1


def run_pass(app: App, now: datetime) -> dict[str, int]:
    return triage_pass(app.engine, app.settings, app.calendar, app.renderer, now)


def alert_mails(app: App) -> list[tuple[str, list[str], list[int], str]]:
    """(kind, recipients, case numbers listed, subject) of every alert mail, in order."""
    with app.engine.connect() as conn:
        rows = conn.execute(select(messages.c.subject, messages.c.to_addrs, messages.c.body_text)
                            .where(messages.c.kind == "notice").order_by(messages.c.id))
        found = []
        for subject, to, body in rows:
            kind = next(k for title, k in KIND_BY_TITLE.items() if title in subject)
            listed = [int(n) for n in re.findall(r"^Sag: +\[OO#(\d+)\]", body, re.M)]
            found.append((kind, list(to), listed, subject))
    return found


def pages(app: App) -> list[list[int]]:
    return [listed for kind, to, listed, _ in alert_mails(app) if kind == "oncall_page"]


def page_alerts(app: App) -> dict[int, tuple[datetime | None, str | None]]:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(cases.c.number, alerts.c.notified_at, alerts.c.withheld)
            .join(cases, cases.c.id == alerts.c.case_id).where(alerts.c.kind == "oncall_page"))
        return {number: (at, why) for number, at, why in rows}


def expected_recipients(number: int, sender: str, assignee: str | None) -> dict[str, set[str]]:
    """Who hears of an overdue case, by kind (domain/alerts.py, BR-19), worked out here."""
    domain = sender.rpartition("@")[2]
    firm = next((f for f in FIRMS if domain in f["domains"]), None)
    primary = firm["primary"] if firm else "team@oo.dk"
    secondary = firm["secondary"] if firm else "team@oo.dk"
    breach = {a for a in (assignee, primary, "chef@oo.dk") if a}
    return {"review_escalation": {secondary, "chef@oo.dk"},
            "response_breach": breach, "resolve_breach": breach}


def test_390_overdue_cases_make_one_mail_per_recipient_and_kind(make_app) -> None:
    app = make_app()
    week_ago = MONDAY_10 - timedelta(days=7)
    wanted: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for i in range(390):
        sender = f"kunde{i}@firma{i % 12}.dk" if i % 13 else f"kunde{i}@gmail.com"
        assignee = f"tekniker{i % 2}@oo.dk" if i % 5 == 0 else None
        number = add_case(app, sender, week_ago, assignee=assignee)
        for kind, addresses in expected_recipients(number, sender, assignee).items():
            for address in addresses:
                wanted[kind][address].add(number)

    # The dry run shows the same coalesced mails the pass then queues, and records none.
    with rehearsal(app.engine) as db:
        mark = repository.last_outbox_id(db.conn)
        dry = triage_pass(db, app.settings, app.calendar, app.renderer, MONDAY_10)
        would_send = repository.outbox_after(db.conn, mark)
    with app.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(alerts)).scalar() == 0

    counts = run_pass(app, MONDAY_10)
    assert counts == dry
    for kind in ("review_escalation", "response_breach", "resolve_breach"):
        assert counts[kind] == 390  # the counts stay per case
    sent = alert_mails(app)
    received: dict[str, dict[str, list[list[int]]]] = defaultdict(lambda: defaultdict(list))
    for kind, to, listed, subject in sent:
        assert len(listed) == len(set(listed))
        assert subject.startswith(f"[OO#{listed[0]}] ")  # the first, most urgent case
        if len(listed) > 1:
            assert f" {len(listed)} sager" in subject
        for address in to:
            received[kind][address].append(listed)
    for kind, by_address in wanted.items():
        # Every recipient exactly one mail of this kind, listing exactly their cases ...
        assert {a: [set(m) for m in ms] for a, ms in received[kind].items()} == {
            a: [numbers] for a, numbers in by_address.items()}
        # ... and recipients with the same cases share it: mails = distinct lists.
        distinct = {frozenset(numbers) for numbers in by_address.values()}
        assert len([m for m in sent if m[0] == kind]) == len(distinct)
    assert len(sent) < 60  # was 3 * 390 = 1,170
    assert counts["alert_mails"] == len(sent) == len(would_send)

    again = run_pass(app, MONDAY_10 + timedelta(minutes=1))
    assert not any(again.values())
    assert len(alert_mails(app)) == len(sent)


def test_twenty_critical_cases_of_twenty_customers_are_two_pages_listing_all(
    make_app,
) -> None:
    app = make_app()  # a quiet period of 30 minutes
    senders = [f"it@firma{k}.dk" for k in range(12)] + [f"it@nyfirma{k}.dk" for k in range(8)]
    first = [add_case(app, s, SATURDAY_23, critical=True) for s in senders[:10]]
    assert run_pass(app, SATURDAY_23 + timedelta(minutes=1))["oncall_page"] == 10
    later = SATURDAY_23 + timedelta(minutes=10)
    second = [add_case(app, s, later, critical=True) for s in senders[10:]]
    counts = run_pass(app, later + timedelta(minutes=1))
    assert counts["oncall_page"] == 10 and counts["alert_mails"] == 0  # recorded; waits
    assert pages(app) == [first]
    run_pass(app, SATURDAY_23 + timedelta(minutes=31))  # one follow-up for all of them
    run_pass(app, SATURDAY_23 + timedelta(minutes=45))
    assert pages(app) == [first, second]
    [page] = [subject for kind, _, listed, subject in alert_mails(app) if listed == second]
    assert page.startswith(f"[OO#{second[0]}] VAGT: 10 kritiske sager")
    assert all(at is not None and why is None for at, why in page_alerts(app).values())


def test_concurrent_passes_alert_each_case_once_and_page_once(make_app) -> None:
    app = make_app()
    friday = SATURDAY_23 - timedelta(days=1, hours=12)
    overdue = {add_case(app, f"kunde{i}@firma{i % 12}.dk", friday) for i in range(60)}
    critical = [add_case(app, f"it@nyfirma{k}.dk", SATURDAY_23, critical=True)
                for k in range(10)]
    start = threading.Barrier(4)

    def one_pass(_: int) -> dict[str, int]:
        start.wait()
        return run_pass(app, SATURDAY_23 + timedelta(minutes=1))

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one_pass, range(4)))
    for kind in ("review_escalation", "response_breach", "resolve_breach"):
        assert sum(r[kind] for r in results) == 60
    assert sum(r["oncall_page"] for r in results) == 10
    told: dict[tuple[str, str, int], int] = defaultdict(int)
    for kind, to, listed, _ in alert_mails(app):
        for address in to:
            for number in listed:
                told[kind, address, number] += 1
    assert set(told.values()) == {1}  # nobody hears of a case twice
    assert {number for kind, _, number in told if kind == "response_breach"} == overdue
    assert pages(app) == [critical]  # one page: the passes took their turn


def test_a_capped_sender_is_paged_again_the_next_night(make_app) -> None:
    app = make_app(page_quiet_minutes=0)
    stranger = "anders.1987@gmail.com"
    numbers = []
    for minutes in (0, 5, 10):  # Saturday 23:00, 23:05, 23:10
        at = SATURDAY_23 + timedelta(minutes=minutes)
        numbers.append(add_case(app, stranger, at, critical=True))
        run_pass(app, at + timedelta(minutes=1))
    sunday = SATURDAY_23 + timedelta(days=1, minutes=30)  # the window is at most a day
    numbers.append(add_case(app, stranger, sunday, critical=True))
    assert run_pass(app, sunday + timedelta(minutes=1))["oncall_withheld"] == 0
    assert pages(app) == [[numbers[0]], [numbers[1]], [numbers[3]]]
    assert page_alerts(app)[numbers[2]] == (None, "sender_cap")


def test_a_page_still_waiting_when_the_office_opens_is_never_sent(make_app) -> None:
    app = make_app()
    early = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)  # Monday 07:30, before opening
    first = add_case(app, "it@firma1.dk", early, critical=True)
    run_pass(app, early + timedelta(minutes=1))
    waiting = add_case(app, "it@firma2.dk", early + timedelta(minutes=10), critical=True)
    run_pass(app, early + timedelta(minutes=11))
    run_pass(app, early + timedelta(minutes=35))  # 08:05: open, staff read it themselves
    run_pass(app, datetime(2026, 11, 23, 15, 30, tzinfo=UTC))  # 16:30: closed again
    assert pages(app) == [[first]]
    assert page_alerts(app)[waiting] == (None, "office_open")
    # ... told to them at once (BR-6), as a case that comes in during hours is; the
    # case the on-call duty was paged about is not told twice.
    alerted = [listed for kind, _, listed, _ in alert_mails(app) if kind == "critical_alert"]
    assert alerted == [[waiting]]


def test_a_page_waiting_for_a_case_resolved_meanwhile_is_not_sent(make_app) -> None:
    app = make_app()
    first = add_case(app, "it@firma1.dk", SATURDAY_23, critical=True)
    run_pass(app, SATURDAY_23 + timedelta(minutes=1))
    done = add_case(app, "it@firma2.dk", SATURDAY_23 + timedelta(minutes=5), critical=True)
    run_pass(app, SATURDAY_23 + timedelta(minutes=6))
    with app.engine.begin() as conn:
        conn.execute(update(cases).where(cases.c.number == done)
                     .values(resolved_at=SATURDAY_23 + timedelta(minutes=20)))
    run_pass(app, SATURDAY_23 + timedelta(minutes=35))
    assert pages(app) == [[first]]
    assert page_alerts(app)[done] == (None, "settled")
