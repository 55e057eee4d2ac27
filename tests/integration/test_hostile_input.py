"""Hostile input: what a customer writes is data everywhere the daemon writes
HTML or renders templates, and an attachment's name never becomes a path.

(Staff impersonation, tag hijack, header injection and the SMTP listener's refusals
have their tests beside the features: see README "Guarantees".)
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from harness import parse_mail, run_cli, write_config

from daemon.app import build_app
from daemon.inbound import InboundMail, Outcome
from daemon.settings import load_settings

SCRIPT = "<script>alert('oo')</script>"
TEMPLATE = "{{ 7 * 7 }}{% for x in range(3) %}loop{% endfor %}"
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday, within business hours


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    """In this module every test starts at the newest schema, copied from the session's
    migrated template (tests/conftest.py): the migration is not what these tests show,
    and a daemon or command would otherwise run it first, in a subprocess, each time."""
    return migrated_pg_url


def hostile_mail(filename: str = "rapport.pdf") -> bytes:
    mail = EmailMessage()
    mail["From"] = f'"{SCRIPT} <b>Mallory</b>" <mallory@firma.dk>'
    mail["To"] = "support@oo.dk"
    mail["Subject"] = f"{SCRIPT} {TEMPLATE} hjælp"
    mail["Message-ID"] = "<hostile-1@firma.dk>"
    mail["Date"] = "Tue, 24 Nov 2026 11:00:00 +0100"
    mail.set_content(f"Hej {TEMPLATE}\n{SCRIPT}\n")
    mail.add_alternative(f"<p onclick=\"steal()\">Hej {TEMPLATE}</p>{SCRIPT}", subtype="html")
    mail.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename=filename)
    return mail.as_bytes()


def _app(tmp_path: Path, pg_url: str):  # type: ignore[no-untyped-def]
    config = write_config(tmp_path / "oo.toml", database_url=pg_url)
    app = build_app(load_settings(config, environ={}), lambda: NOW)
    app.prepare_database()
    return app, config


def _html_parts(raw: bytes) -> list[str]:
    message = parse_mail(raw)
    return [part.get_content() for part in message.walk() if part.get_content_type() == "text/html"]


def test_customer_text_is_escaped_in_the_html_ack_and_never_template_source(
    tmp_path: Path, pg_url: str
) -> None:
    app, _config = _app(tmp_path, pg_url)
    [result] = app.pipeline.ingest_batch(app.engine, [InboundMail(hostile_mail(), "smtp", NOW)])
    assert result.outcome is Outcome.CREATED
    app.flush_outbox()
    [eml] = list((tmp_path / "outbox").glob("*.eml"))
    ack = parse_mail(eml.read_bytes())
    [html] = _html_parts(eml.read_bytes())
    text = ack.get_body(("plain",)).get_content()

    assert "<script>" not in html and "<b>Mallory" not in html
    assert "&lt;script&gt;" in html  # shown, as text
    for rendered in (html, text, str(ack["Subject"])):
        assert "49" not in rendered and "looploop" not in rendered  # never evaluated
    assert "{{ 7 * 7 }}" in text  # the customer's words, verbatim
    assert "{{ 7 * 7 }}" in str(ack["Subject"])


def test_customer_text_is_escaped_in_the_html_report(tmp_path: Path, pg_url: str) -> None:
    app, config = _app(tmp_path, pg_url)
    app.pipeline.ingest_batch(app.engine, [InboundMail(hostile_mail(), "smtp", NOW)])
    page = run_cli("report", "--month", "2026-11", "--format", "html", config=config)
    assert "firma.dk" in page  # the case is in the report
    assert SCRIPT not in page and "<b>Mallory" not in page
    assert "&lt;script&gt;" in page  # the subject is listed, as text
    assert "{{ 7 * 7 }}" in page  # and never evaluated as a template


def test_attachment_filenames_never_reach_the_file_system(tmp_path: Path, pg_url: str) -> None:
    """Names that climb out of a directory are kept as data; nothing is written by name."""
    target = tmp_path / "escaped.txt"
    names = [
        f"../../../../../../{target}",
        str(target),
        "..\\..\\..\\windows\\win.ini",
        "/etc/passwd",
        "con\x00.txt",
    ]
    work = tmp_path / "work"
    work.mkdir()
    app, config = _app(work, pg_url)
    before = {p for p in tmp_path.rglob("*")}
    mails = []
    for i, name in enumerate(names):
        raw = hostile_mail(name).replace(b"hostile-1@", f"hostile-{i + 10}@".encode())
        mails.append(InboundMail(raw, "smtp", NOW))
    cwd = os.getcwd()
    os.chdir(work)  # a relative name, if it were ever used as a path, would land here
    try:
        results = app.pipeline.ingest_batch(app.engine, mails)
        app.flush_outbox()
    finally:
        os.chdir(cwd)
    assert {r.outcome for r in results} == {Outcome.CREATED}
    assert not target.exists()
    created = {p for p in tmp_path.rglob("*")} - before
    # Only the acks in the pickup dir (by outbox id) and the test's own config.
    assert {p.parent for p in created if p.is_file()} <= {work / "outbox"}
    assert all(p.suffix == ".eml" for p in created if p.is_file())
    shown = json.loads(run_cli("cases", "show", str(results[0].case_number), "--json",
                               config=config))
    [attachment] = [a for m in shown["messages"] for a in m["attachments"]]
    assert attachment["filename"].endswith("escaped.txt")  # kept, as text


def test_line_breaks_in_a_display_name_add_no_header_to_the_ack(
    tmp_path: Path, pg_url: str
) -> None:
    """From: with an encoded CR/LF and a Bcc in its display name: the ack goes to the
    sender alone, with one To and no Bcc."""
    app, _config = _app(tmp_path, pg_url)
    raw = (
        b"From: =?utf-8?q?Mallory=0D=0ABcc=3A_victim=40example.com?= <mallory@firma.dk>\r\n"
        b"To: support@oo.dk\r\nSubject: Hej\r\nMessage-ID: <name-inject@firma.dk>\r\n"
        b"Date: Tue, 24 Nov 2026 11:00:00 +0100\r\n\r\nHej\r\n"
    )
    [result] = app.pipeline.ingest_batch(app.engine, [InboundMail(raw, "smtp", NOW)])
    assert result.outcome is Outcome.CREATED
    app.flush_outbox()
    [eml] = list((tmp_path / "outbox").glob("*.eml"))
    ack = parse_mail(eml.read_bytes())
    assert ack.get_all("Bcc") is None
    assert ack.get_all("To") == [ack["To"]] and "mallory@firma.dk" in ack["To"]
    assert "victim@example.com" not in ack["To"]
    assert b"\nBcc:" not in eml.read_bytes()
