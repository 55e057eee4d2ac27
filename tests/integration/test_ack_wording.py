"""What the acknowledgement promises (issue 16), through the whole daemon: a mail
ingested by the pipeline and a call registered with `cases new --channel phone`, at
fixed instants, with the ack read from the outbox pickup directory. The wording in
every branch is shown in tests/unit/test_ack_text.py; these show the pipeline hands
the ack the case's hours, channel, criticality and sender's name."""

from __future__ import annotations

import html as html_lib
import json
import re
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from harness import compose_mail, parse_mail, run_cli, write_config

from daemon.app import build_app
from daemon.inbound import InboundMail, Outcome
from daemon.settings import load_settings

CPH = ZoneInfo("Europe/Copenhagen")
SKAERTORSDAG_10 = datetime(2026, 4, 2, 10, 0, tzinfo=CPH)  # Easter Sunday is 5 April 2026
WHIT_MONDAY_11 = datetime(2026, 5, 25, 11, 0, tzinfo=CPH)
SATURDAY_10 = datetime(2026, 11, 28, 10, 0, tzinfo=CPH)


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    """Every test starts at the newest schema, copied from the session's template."""
    return migrated_pg_url


def _read(ack: EmailMessage) -> tuple[str, str]:
    """The text part and the HTML part as read: tags out, white space as single spaces."""
    html = re.sub(r"<[^>]+>", " ", ack.get_body(("html",)).get_content())
    return (
        " ".join(ack.get_body(("plain",)).get_content().split()),
        " ".join(html_lib.unescape(html).split()),
    )


def _ack_of_mail(tmp_path: Path, pg_url: str, at: datetime, raw: bytes) -> tuple[str, str]:
    config = write_config(tmp_path / "oo.toml", database_url=pg_url)
    app = build_app(load_settings(config, environ={}), lambda: at)
    app.prepare_database()
    [result] = app.pipeline.ingest_batch(app.engine, [InboundMail(raw, "smtp", at)])
    assert result.outcome is Outcome.CREATED
    app.flush_outbox()
    [eml] = (tmp_path / "outbox").glob("*.eml")
    return _read(parse_mail(eml.read_bytes()))


def test_a_mail_on_skaertorsdag_is_told_the_day_and_when_we_are_back(
    tmp_path: Path, pg_url: str
) -> None:
    raw = compose_mail(
        sender="Müller, Andreas <am@firma.dk>", subject="Printeren på 2. sal",
        body="Hej\n\nPrinteren på 2. sal skriver ikke ud. Kan I se på det?\n\nMvh Andreas",
        message_id="<easter-1@firma.dk>",
    )
    text, html = _ack_of_mail(tmp_path, pg_url, SKAERTORSDAG_10, raw)
    assert text.startswith("Hej Andreas, ")
    for part in (text, html):
        assert "I dag er det skærtorsdag, og vi holder lukket." in part
        assert "Vi er tilbage tirsdag 7.4. kl. 08:00." in part
        assert "senest tirsdag 7.4. kl. 09:00" in part  # BR-7: an hour after opening
        assert "mandag-torsdag 8-16" not in part
        assert "koster et gebyr på 1.000,00 kr. + moms" in part  # BR-10
        assert "afregnes med 100 % tillæg på timeprisen" in part  # BR-16


def test_an_english_mail_on_whit_monday_is_answered_in_english(
    tmp_path: Path, pg_url: str
) -> None:
    raw = compose_mail(
        sender='"MÜLLER Andreas" <am@firma.dk>', subject="Outlook does not start",
        body="Hello,\n\nOutlook does not start on my laptop. Could you please help?\n\n"
        "Thanks and regards",
        message_id="<whit-1@firma.dk>",
    )
    text, html = _ack_of_mail(tmp_path, pg_url, WHIT_MONDAY_11, raw)
    assert text.startswith("Hi Andreas, ")
    for part in (text, html):
        assert "Today is Whit Monday, and we are closed." in part
        assert "We are back on Tuesday 26 May at 08:00." in part
        assert "100% surcharge on the hourly rate" in part


def test_a_critical_mail_after_hours_is_not_told_to_wait(tmp_path: Path, pg_url: str) -> None:
    raw = compose_mail(
        sender="IT-afdelingen <it@firma.dk>", subject="Min konto er låst",
        body="Min konto er låst, og jeg kan ikke arbejde.", message_id="<locked-1@firma.dk>",
    )
    text, _html = _ack_of_mail(tmp_path, pg_url, SATURDAY_10, raw)
    assert text.startswith("Hej, ")  # a department is nobody to greet by name
    assert "uden for normal arbejdstid" in text and "Vi er tilbage" not in text
    assert "inden for en time" in text  # BR-7: critical runs on the wall clock


@pytest.mark.parametrize(
    ("now", "subject", "body", "critical", "hours"),
    [
        ("2026-12-24T19:00:00+01:00", "Printeren skal have toner", "Lone ringede om toner.",
         False, "I dag er det juleaftensdag, og vi holder lukket."),
        ("2026-11-23T10:00:00+01:00", "Kontoen er låst",
         "Lone ringede: hendes konto er låst efter for mange forsøg.", True, ""),
        ("2026-11-23T21:00:00+01:00", "Kontoen er låst",
         "Lone ringede: hendes konto er låst efter for mange forsøg.", True,
         "Du ringede uden for normal arbejdstid"),
    ],
)
def test_a_phone_case_is_confirmed_not_told_to_call(
    tmp_path: Path, pg_url: str, now: str, subject: str, body: str, critical: bool, hours: str
) -> None:
    config = write_config(tmp_path / "oo.toml", database_url=pg_url)
    case = json.loads(run_cli(
        "cases", "new", "--from", "lone@firma.dk", "--name", "Lone Berg", "--subject", subject,
        "--body", body, "--channel", "phone", "--now", now, "--json", config=config,
    ))
    assert case["critical"] is critical
    sent = [parse_mail(eml.read_bytes()) for eml in (tmp_path / "outbox").glob("*.eml")]
    [ack] = [m for m in sent if m["To"] == "lone@firma.dk" or "<lone@firma.dk>" in m["To"]]
    # A critical call in business hours is also told to the staff at once (BR-6), and
    # nothing else is sent.
    staff = [m for m in sent if m is not ack]
    assert len(staff) == (1 if critical and not hours else 0)
    assert ack["Subject"] == f"{case['reference']} {subject}"
    text, html = _read(ack)
    assert text.startswith("Hej Lone, ")
    for part in (text, html):
        assert "Tak for din opringning." in part and f"oprettet sag {case['reference']}" in part
        assert hours in part
        assert "+45 7021 1813" not in part and "ring til" not in part and "vagten på" not in part
        after_hours = bool(hours)
        assert ("afregnes med 100 % tillæg" in part) is after_hours  # BR-16
        assert ("koster et gebyr på 1.000,00 kr." in part) is (after_hours and not critical)
