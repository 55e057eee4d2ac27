"""The embedded defaults (INTERFACE.md "Install and run"): no config at all, SQLite under
./var, the SMTP listener on 127.0.0.1:2525, acknowledgements as .eml files."""

from __future__ import annotations

import json
import os
import smtplib
import socket
import sqlite3
from email.message import EmailMessage
from pathlib import Path

import pytest
from harness import DaemonProcess, customer_mail, parse_mail, run_cli, wait_until, write_config


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_run_on_embedded_defaults_turns_smtp_mail_into_case_and_eml(tmp_path: Path) -> None:
    """Acceptance 7: `oo-support run` with no config; a mail to 127.0.0.1:2525."""
    assert _port_free(2525), "port 2525 is taken; the embedded default needs it"
    umask = os.umask(0o022)  # a login shell's: the daemon must not rely on a strict one
    try:
        daemon = DaemonProcess(None, tmp_path).start().wait_ready()
    finally:
        os.umask(umask)
    try:
        with smtplib.SMTP("127.0.0.1", 2525, timeout=30) as client:
            client.sendmail("kunde@firma.dk", ["support@oo.dk"], customer_mail(7))
        outbox = tmp_path / "var" / "outbox"
        wait_until(lambda: any(outbox.glob("*.eml")), 30, "an .eml acknowledgement")
    finally:
        assert daemon.terminate() == 0, daemon.log()[-2000:]
    assert (tmp_path / "var" / "oo-support.db").is_file()
    [eml] = list(outbox.glob("*.eml"))
    # Customers' mail is readable by the daemon's user only, whatever the umask (022 here).
    assert (tmp_path / "var").stat().st_mode & 0o777 == 0o700
    assert outbox.stat().st_mode & 0o777 == 0o700
    for made in (tmp_path / "var").glob("oo-support.db*"):
        assert made.stat().st_mode & 0o777 == 0o600, made
    assert eml.stat().st_mode & 0o777 == 0o600
    ack = parse_mail(eml.read_bytes())
    [case] = json.loads(run_cli("cases", "list", "--json", cwd=tmp_path))
    assert ack["Subject"] == f"[OO#{case['number']}] Printeren virker ikke (7)"
    assert ack["To"] == "kunde7@firma0.dk"
    assert ack["In-Reply-To"] == "<mail-7@firma0.dk>"
    assert ack["Auto-Submitted"] == "auto-replied"
    assert case["channel"] == "email" and case["status"] == "new"


@pytest.fixture
def listener(tmp_path: Path) -> tuple[DaemonProcess, int, Path]:
    """A daemon on SQLite with the listener on a free port and a 64 KB size limit."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = write_config(
        tmp_path / "oo.toml",
        database_url=f"sqlite:///{tmp_path / 'oo.db'}",
        extra={"smtp_in": {"enabled": True, "port": port, "max_message_size": 65536}},
    )
    daemon = DaemonProcess(config, tmp_path).start().wait_ready()
    yield daemon, port, config
    assert daemon.terminate() == 0, daemon.log()[-2000:]


def test_listener_refuses_relaying(listener: tuple[DaemonProcess, int, Path]) -> None:
    _daemon, port, config = listener
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.sendmail("spammer@evil.example", ["victim@example.com"], customer_mail(1))
        assert refused.value.recipients["victim@example.com"][0] == 550
    assert json.loads(run_cli("cases", "list", "--status", "all", "--json", config=config)) == []


def test_listener_refuses_oversize_mail(listener: tuple[DaemonProcess, int, Path]) -> None:
    _daemon, port, config = listener
    big = customer_mail(1, body=("y" * 70 + "\n") * 1500)  # ~105 KB
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        # A client that declares SIZE is refused at MAIL FROM ...
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.sendmail("kunde@firma.dk", ["support@oo.dk"], big)
        assert refused.value.smtp_code == 552
        # ... one that does not, after DATA.
        client.rset()
        assert client.mail("kunde@firma.dk")[0] == 250
        assert client.rcpt("support@oo.dk")[0] == 250
        assert client.data(big)[0] == 552
    assert json.loads(run_cli("cases", "list", "--status", "all", "--json", config=config)) == []


def test_listener_answers_250_only_after_commit(listener: tuple[DaemonProcess, int, Path]) -> None:
    _daemon, port, config = listener
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.sendmail("kunde@firma.dk", ["SUPPORT@oo.dk"], customer_mail(3))
        # The moment 250 is back, the case is readable by another process.
        [case] = json.loads(run_cli("cases", "list", "--json", config=config))
    assert case["customer_email"] == "kunde3@firma3.dk"
    shown = json.loads(run_cli("cases", "show", str(case["number"]), "--json", config=config))
    assert [m["kind"] for m in shown["messages"]] == ["customer", "ack"]


def test_unparseable_mail_over_smtp_is_kept_as_rejected(
    listener: tuple[DaemonProcess, int, Path],
) -> None:
    _daemon, port, config = listener
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.sendmail("kunde@firma.dk", ["support@oo.dk"], b"\r\n\r\nno headers at all\r\n")
    [kept] = json.loads(run_cli("ignored", "list", "--json", config=config))
    assert kept["kind"] == "rejected"
    assert kept["reason"]


def test_listener_answers_451_when_the_database_is_unusable(tmp_path: Path) -> None:
    """Nothing is lost when we cannot store: the client is told to try again."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    db = tmp_path / "oo.db"
    config = write_config(
        tmp_path / "oo.toml",
        database_url=f"sqlite:///{db}",
        extra={"smtp_in": {"enabled": True, "port": port}},
    )
    daemon = DaemonProcess(config, tmp_path).start().wait_ready()
    try:
        with sqlite3.connect(db) as conn:  # the table the pipeline writes to is gone
            conn.execute("ALTER TABLE messages RENAME TO messages_gone")
        msg = EmailMessage()
        msg["From"] = "kunde@firma.dk"
        msg["Subject"] = "hjælp"
        msg.set_content("Hej")
        with (
            smtplib.SMTP("127.0.0.1", port, timeout=30) as client,
            pytest.raises(smtplib.SMTPDataError) as refused,
        ):
            client.sendmail("kunde@firma.dk", ["support@oo.dk"], msg.as_bytes())
        assert refused.value.smtp_code == 451
    finally:
        assert daemon.terminate() == 0


def _send(port: int, raw: bytes) -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo()
        client.mail("afsender@example.com")
        client.rcpt("support@oo.dk")
        return client.data(raw)


def test_a_reused_message_id_does_not_make_mail_vanish(
    listener: tuple[DaemonProcess, int, Path],
) -> None:
    """A scanner's Message-ID, reused by another customer's urgent mail: both are cases,
    both answered; the listener's 250 says nothing about either case."""
    _daemon, port, config = listener
    scan = customer_mail(1, sender="Scanner <scan@kunde-a.dk>", subject="Scannet dokument",
                         body="Se vedhæftede.", message_id="<scan0001@mfp.local>")
    urgent = customer_mail(2, sender="Eva <eva@kunde-b.dk>", subject="Serveren er nede",
                           body="Serveren er nede, alle er berørt.",
                           message_id="<scan0001@mfp.local>")
    assert _send(port, scan) == (250, b"2.0.0 OK")
    assert _send(port, urgent) == (250, b"2.0.0 OK")
    cases = json.loads(run_cli("cases", "list", "--json", config=config))
    assert sorted(c["customer_email"] for c in cases) == ["eva@kunde-b.dk", "scan@kunde-a.dk"]
    assert json.loads(run_cli("ignored", "list", "--json", config=config)) == []


def test_a_true_redelivery_is_one_case_and_recorded_as_a_duplicate(
    listener: tuple[DaemonProcess, int, Path],
) -> None:
    _daemon, port, config = listener
    first = customer_mail(3, message_id="<once@kunde.dk>")
    again = b"Received: from relay2.kunde.dk\r\nX-Spam-Score: 0.1\r\n" + first
    assert _send(port, first)[0] == 250
    assert _send(port, again)[0] == 250
    [case] = json.loads(run_cli("cases", "list", "--json", config=config))
    [kept] = json.loads(run_cli("ignored", "list", "--json", config=config))
    assert kept["kind"] == "duplicate"
    assert kept["message_id"] == "<once@kunde.dk>"
    assert kept["reason"].endswith(f"on case {case['number']}")
    assert kept["source"] == "smtp"
