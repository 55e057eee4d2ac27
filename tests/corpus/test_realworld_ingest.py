"""Every mail of tests/corpus/realworld, taken in as the SMTP listener hands it over, becomes
a case whose subject, customer and acknowledgement read as its sender meant them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from harness import parse_mail, sql, write_config

from daemon.app import build_app
from daemon.inbound import InboundMail, Outcome
from daemon.settings import load_settings

HERE = Path(__file__).resolve().parent / "realworld"
NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)  # a Friday, within business hours


def test_every_realworld_mail_becomes_a_readable_case_and_ack(tmp_path: Path, pg_url: str) -> None:
    config = write_config(tmp_path / "oo.toml", database_url=pg_url,
                          extra={"support": {"ack_limit_per_hour": 1_000_000}})
    app = build_app(load_settings(config, environ={}), lambda: NOW)
    app.prepare_database()
    mails = sorted(HERE.glob("*.eml"))
    expected = {}
    for path in mails:
        want = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        [result] = app.pipeline.ingest_batch(
            app.engine, [InboundMail(path.read_bytes(), "smtp", NOW)])
        # Mailing-list mail is automatic (RFC 3834): kept, no case; that is its rule.
        allowed = [Outcome.CREATED, Outcome.THREADED]
        if b"\r\nList-Id:" in path.read_bytes():
            allowed.append(Outcome.IGNORED)
        assert result.outcome in allowed, (path.stem, result)
        if result.outcome is Outcome.CREATED:
            expected[result.case_number] = want
    assert len(expected) >= 40
    rows = sql(pg_url, "SELECT number, subject, customer_email FROM cases")
    for number, subject, customer in rows:
        want = expected[number]
        assert (subject, customer) == (want["subject"], want["sender"]), number
    app.flush_outbox()
    sent = [parse_mail(eml.read_bytes()) for eml in (tmp_path / "outbox").glob("*.eml")]
    # Besides the acks: a staff alert for each case judged critical in hours (BR-6).
    acks = [mail for mail in sent if mail["Auto-Submitted"] == "auto-replied"]
    alerts = [mail for mail in sent if mail["Auto-Submitted"] == "auto-generated"]
    assert len(alerts) == sql(pg_url, "SELECT count(*) FROM cases WHERE critical")[0][0]
    assert all("KRITISK" in str(alert["Subject"]) for alert in alerts)
    assert len(acks) == len(expected)
    for ack in acks:
        number = int(str(ack["Subject"]).split("[OO#", 1)[1].split("]", 1)[0])
        assert expected[number]["subject"] in str(ack["Subject"])
        assert "\ufffd" not in str(ack["Subject"])
        assert str(ack["To"]).endswith(expected[number]["sender"] + ">") or str(
            ack["To"]) == expected[number]["sender"]
