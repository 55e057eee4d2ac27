"""BR-6: "Ved kritiske sager vil kunden blive kontaktet så snart sagen er læst": a case
that is critical in normal hours is told at once to its primary supporter and the
support team, with why it is critical; outside hours the on-call duty is paged as
before (BR-7, BR-10), never both. Once per case: the alerts table's unique key.

At fixed instants, against PostgreSQL and an SMTP sink; mail is stored in-process
through the pipeline as a source hands it over, commands run as a supporter types them.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from harness import REPO, clean_env, compose_mail, parse_mail, run_cli, sql, write_config

from daemon.app import App
from daemon.clock import fixed_clock
from daemon.inbound import InboundMail, IngestResult
from daemon.settings import load_settings

MONDAY_10 = "2026-11-23T10:00:00+01:00"  # normal hours (BR-4)
SATURDAY_NIGHT = "2026-11-28T23:10:00+01:00"
TRUSTED = "mx.oo.dk; dkim=pass header.d=oo.dk header.s=s1; spf=pass smtp.mailfrom=oo.dk"
NOBODY_CAN_LOG_ON = "Hej\n\nIngen af os kan logge på. Det gælder hele kontoret.\n\nMvh Søren"


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    return migrated_pg_url


@pytest.fixture
def config(tmp_path: Path, smtp_sink: Any, pg_url: str) -> Path:
    path = write_config(
        tmp_path / "oo.toml", database_url=pg_url, smtp_out=smtp_sink,
        extra={"staff": {"team": "Team@oo.dk", "primary": "vagtplan@oo.dk",
                         "secondary": "bo@oo.dk", "team_lead": "chef@oo.dk"}},
    )
    with path.open("a", encoding="utf-8") as fh:
        fh.write('\n[[customers]]\nname = "Firma A/S"\ndomains = ["firma.dk"]\n'
                 'primary = "tina@oo.dk"\nsecondary = "bo@oo.dk"\n')
    run_cli("customers", "sync", config=path)
    return path


def deliver(config: Path, at: str, *mails: bytes) -> list[IngestResult]:
    when = datetime.fromisoformat(at)
    app = App(load_settings(config, environ={}), fixed_clock(when))
    try:
        app.open_database("write")
        return app.pipeline.ingest_batch(app.engine, [InboundMail(m, "imap:INBOX", when)
                                                      for m in mails])
    finally:
        app.engine.dispose()


def customer(subject: str, body: str, message_id: str,
             sender: str = "Søren <soren@firma.dk>") -> bytes:
    return compose_mail(sender=sender, subject=subject, body=body, message_id=message_id)


def new_case(config: Path, at: str, subject: str, body: str, message_id: str, **kw: str) -> int:
    [result] = deliver(config, at, customer(subject, body, message_id, **kw))
    assert result.case_number is not None
    return result.case_number


def triage(config: Path, now: str) -> dict[str, int]:
    return json.loads(run_cli("triage", "--once", "--now", now, "--json", config=config))


def flush(config: Path) -> None:
    run_cli("outbox", "flush", config=config)


def critical_alerts(smtp_sink: Any) -> list[tuple[set[str], EmailMessage]]:
    """The critical-case alerts the sink received: (recipients, mail)."""
    found = [(set(m.recipients), parse_mail(m.data)) for m in smtp_sink.messages]
    return [(to, mail) for to, mail in found if "KRITISK" in mail["Subject"]]


def alert_rows(pg_url: str) -> list[tuple[int, str]]:
    return sql(pg_url, "SELECT c.number, a.kind FROM alerts a JOIN cases c ON c.id = a.case_id "
                       "ORDER BY c.number, a.kind")


def test_critical_mail_in_hours_alerts_primary_and_team_at_once_with_why(
    config: Path, smtp_sink: Any, pg_url: str
) -> None:
    number = new_case(config, MONDAY_10, "Ingen kan logge på", NOBODY_CAN_LOG_ON, "<a@firma.dk>")
    # Queued with the case, in its transaction: before any scheduler pass.
    [(kind, recipients)] = sql(pg_url, "SELECT m.kind, o.recipients FROM outbox o JOIN messages m"
                                       " ON m.id = o.message_pk WHERE m.kind = 'notice'")
    assert sorted(recipients) == ["team@oo.dk", "tina@oo.dk"]  # the customer's primary
    flush(config)
    [(to, alert)] = critical_alerts(smtp_sink)
    assert to == {"tina@oo.dk", "team@oo.dk"}
    assert alert["Subject"] == f"[OO#{number}] KRITISK sag: Ingen kan logge på"
    assert alert["Auto-Submitted"] == "auto-generated"
    text = alert.get_body(("plain",)).get_content()
    [why] = [line for line in text.splitlines() if line.startswith("Hvorfor:")]
    reason = sql(pg_url, "SELECT critical_reason FROM cases")[0][0]
    assert reason and reason in why  # the rule and the words it matched (BR-8)
    assert "kontaktes, så snart sagen er læst" in text
    # Not again: neither the scheduler's passes nor the same mail delivered again.
    deliver(config, "2026-11-23T10:01:00+01:00",
            customer("Ingen kan logge på", NOBODY_CAN_LOG_ON, "<a@firma.dk>"))
    assert triage(config, "2026-11-23T10:02:00+01:00")["critical_alert"] == 0
    assert triage(config, "2026-11-23T10:30:00+01:00")["critical_alert"] == 0
    assert len(critical_alerts(smtp_sink)) == 1
    assert [row for row in alert_rows(pg_url) if row[1] == "critical_alert"] == [
        (number, "critical_alert"),
    ]


def test_critical_mail_the_border_mta_calls_spam_alerts_nobody_now_or_later(
    config: Path, smtp_sink: Any, pg_url: str
) -> None:
    """A phishing run writes "we have been hacked" too: mail marked spam gets no ack,
    and its critical case no alert; the alert is recorded withheld, so no pass sends it."""
    spam = compose_mail(sender="Søren <soren@firma.dk>", subject="Vi er blevet hacket!",
                        body="Hej\n\nVi er blevet hacket. Klik her.", message_id="<spam@x.dk>",
                        headers={"X-Spam-Flag": "YES"})
    [result] = deliver(config, MONDAY_10, spam)
    assert sql(pg_url, "SELECT critical FROM cases") == [(True,)]
    assert sql(pg_url, "SELECT kind, notified_at, withheld FROM alerts") == [
        ("critical_alert", None, "suspect_mail"),
    ]
    assert triage(config, "2026-11-23T10:05:00+01:00")["critical_alert"] == 0
    flush(config)
    assert critical_alerts(smtp_sink) == []
    assert result.case_number is not None


def test_a_normal_case_in_hours_alerts_nobody(config: Path, smtp_sink: Any, pg_url: str) -> None:
    new_case(config, MONDAY_10, "Printeren virker ikke", "Hej\n\nPrinteren blinker rødt.",
             "<p@firma.dk>")
    assert triage(config, "2026-11-23T10:05:00+01:00")["critical_alert"] == 0
    assert sql(pg_url, "SELECT count(*) FROM outbox o JOIN messages m ON m.id = o.message_pk"
                       " WHERE m.kind = 'notice'") == [(0,)]
    assert alert_rows(pg_url) == []
    assert critical_alerts(smtp_sink) == []


def test_after_hours_a_critical_case_pages_oncall_as_before_and_is_not_alerted_too(
    config: Path, smtp_sink: Any, pg_url: str
) -> None:
    number = new_case(config, SATURDAY_NIGHT, "Vi er blevet hacket!",
                      "Hej\n\nVi har mistanke om hack, der sendes mails fra os.", "<h@firma.dk>")
    assert sql(pg_url, "SELECT count(*) FROM alerts") == [(0,)]  # nothing at ingest
    assert triage(config, "2026-11-28T23:11:00+01:00")["oncall_page"] == 1
    # Monday morning, still unreviewed: the on-call duty had it, the team is not told again.
    assert triage(config, "2026-11-30T08:05:00+01:00")["critical_alert"] == 0
    flush(config)
    [page] = [parse_mail(m.data) for m in smtp_sink.messages if "vagt@oo.dk" in m.recipients]
    assert page["Subject"].startswith(f"[OO#{number}] VAGT")
    assert critical_alerts(smtp_sink) == []
    assert ("team@oo.dk" not in {r for m in smtp_sink.messages for r in m.recipients})
    assert (number, "critical_alert") not in alert_rows(pg_url)


def test_staff_making_a_case_critical_in_hours_alerts_once_by_mail_and_cli(
    config: Path, smtp_sink: Any, pg_url: str
) -> None:
    number = new_case(config, MONDAY_10, "Spørgsmål om Teams",
                      "Hej\n\nKan I hjælpe med Teams?", "<q@firma.dk>")
    assert sql(pg_url, "SELECT critical FROM cases") == [(False,)]
    staff = compose_mail(sender="Kim <kim@oo.dk>", subject=f"Re: [OO#{number}] Spørgsmål om Teams",
                         body="#critical\n#internal\nHele kontoret er ramt.",
                         message_id="<s1@oo.dk>", headers={"Authentication-Results": TRUSTED})
    deliver(config, "2026-11-23T10:20:00+01:00", staff)
    assert sql(pg_url, "SELECT critical, priority, critical_reason FROM cases") == [
        (True, "high", "marked critical by kim@oo.dk"),
    ]
    # The command line's action says the same again: no second alert.
    shown = json.loads(run_cli("cases", "critical", str(number), "--staff", "lis@oo.dk",
                               "--now", "2026-11-23T10:25:00+01:00", "--json", config=config))
    assert (shown["critical"], shown["priority"]) == (True, "high")
    flush(config)
    [(to, alert)] = critical_alerts(smtp_sink)
    assert to == {"tina@oo.dk", "team@oo.dk"}
    assert "marked critical by kim@oo.dk" in alert.get_body(("plain",)).get_content()
    assert alert_rows(pg_url) == [(number, "critical_alert")]


def test_cases_critical_in_hours_alerts_and_after_hours_leaves_it_to_the_pager(
    config: Path, smtp_sink: Any, pg_url: str
) -> None:
    day = new_case(config, MONDAY_10, "Skærm flimrer", "Hej\n\nSkærmen flimrer.", "<d@firma.dk>")
    night = new_case(config, "2026-11-23T18:00:00+01:00", "Skærm flimrer igen",
                     "Hej\n\nSkærmen flimrer stadig.", "<n@firma.dk>")
    run_cli("cases", "critical", str(day), "--now", "2026-11-23T10:10:00+01:00", config=config)
    run_cli("cases", "critical", str(night), "--now", "2026-11-23T18:05:00+01:00", config=config)
    assert alert_rows(pg_url) == [(day, "critical_alert")]
    assert triage(config, "2026-11-23T18:06:00+01:00")["oncall_page"] == 2  # both, as before
    assert [row for row in alert_rows(pg_url) if "breach" not in row[1]] == [
        (day, "critical_alert"), (day, "oncall_page"), (night, "oncall_page"),
    ]


def test_a_page_dropped_when_the_office_opens_alerts_the_staff_once(
    config: Path, smtp_sink: Any, pg_url: str
) -> None:
    """A critical case that came in before opening and whose page never went out (no
    pass ran, or it waited out a quiet period) is the staff's at opening: told at once,
    once, however many passes run at the same time."""
    number = new_case(config, "2026-11-23T07:40:00+01:00", "Ingen kan logge på",
                      NOBODY_CAN_LOG_ON, "<early@firma.dk>")
    assert sql(pg_url, "SELECT count(*) FROM alerts") == [(0,)]  # 07:40 is outside hours
    command = [sys.executable, "-m", "daemon", "triage", "--once", "--no-send", "--now",
               "2026-11-23T08:02:00+01:00", "--json", "--config", str(config)]

    def run() -> dict[str, int]:
        done = subprocess.run(command, capture_output=True, text=True, env=clean_env(),
                              cwd=REPO, timeout=120, check=True)
        return dict(json.loads(done.stdout))

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: run(), range(3)))
    assert sum(r["critical_alert"] for r in results) == 1
    assert triage(config, "2026-11-23T08:10:00+01:00")["critical_alert"] == 0
    flush(config)
    [(to, alert)] = critical_alerts(smtp_sink)
    assert to == {"tina@oo.dk", "team@oo.dk"} and f"[OO#{number}]" in alert["Subject"]


def test_a_service_of_outside_services_makes_no_critical_case_nor_alert(tmp_path: Path) -> None:
    """[triage] outside_services (BR-13: we support the customer's existing IT): a log-on
    problem with a service listed there is not critical; with the built-in list it is.
    On SQLite, through the pipeline as a source hands mail over."""
    mail = customer("e-conomic", "Hej\n\nJeg kan ikke logge på e-conomic.", "<e@firma.dk>")
    found = {}
    for name, extra in [("built-in", {}),
                        ("listed", {"triage": {"outside_services": [r"\be-?conomic\b"]}})]:
        path = write_config(tmp_path / f"{name}.toml",
                            database_url=f"sqlite:///{tmp_path / name}.db", extra=extra)
        deliver(path, MONDAY_10, mail)
        found[name] = sql_sqlite(tmp_path / f"{name}.db",
                                 "SELECT critical, triage_reason FROM cases")
        found[name + " alerts"] = sql_sqlite(tmp_path / f"{name}.db", "SELECT kind FROM alerts")
    assert found["built-in"] == [(1, 'login_failure: "kan ikke logge på"')]
    assert found["built-in alerts"] == [("critical_alert",)]
    [(critical, reason)] = found["listed"]
    assert not critical and "e-conomic, outside the IT we run" in reason
    assert found["listed alerts"] == []


def sql_sqlite(path: Path, query: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(query).fetchall()
