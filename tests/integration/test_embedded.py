"""The embedded defaults (INTERFACE.md "Install and run"): no config at all, SQLite under
./var, the SMTP listener on 127.0.0.1:2525, acknowledgements as .eml files."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import smtplib
import socket
import sqlite3
from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from harness import (
    DaemonProcess,
    compose_mail,
    customer_mail,
    parse_mail,
    run_cli,
    wait_until,
    write_config,
)
from servers import free_port

from daemon.app import build_app
from daemon.service import run_daemon
from daemon.settings import load_settings


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


async def _listening(port: int, daemon: asyncio.Task[None]) -> None:
    """Until the listener takes connections; raises what stopped the daemon, if it did."""
    for _ in range(600):
        if daemon.done():
            daemon.result()
            raise AssertionError("the daemon stopped before it listened")
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise AssertionError(f"nothing listens on port {port} after 30 s")


@contextlib.asynccontextmanager
async def running_daemon(config: Path) -> AsyncIterator[None]:
    """The daemon's own async main (run_daemon) on this test's event loop, stopped the
    way SIGTERM stops it. In-process, so a test talks to the listener from a thread
    (smtplib blocks) while the loop serves it."""
    settings = load_settings(config, environ={})
    stop = asyncio.Event()
    daemon = asyncio.create_task(run_daemon(build_app(settings), stop))
    try:
        await _listening(settings.smtp_in.port, daemon)
        yield
    finally:
        stop.set()
        await daemon


@pytest.fixture
async def listener(tmp_path: Path) -> AsyncIterator[tuple[int, Path]]:
    """A daemon on SQLite with the listener on a free port and a 64 KB size limit."""
    port = free_port()
    config = write_config(
        tmp_path / "oo.toml",
        database_url=f"sqlite:///{tmp_path / 'oo.db'}",
        extra={"smtp_in": {"enabled": True, "port": port, "max_message_size": 65536}},
    )
    async with running_daemon(config):
        yield port, config


async def test_listener_refuses_relaying(listener: tuple[int, Path]) -> None:
    port, config = listener

    def send() -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
                client.sendmail("spammer@evil.example", ["victim@example.com"], customer_mail(1))
            assert refused.value.recipients["victim@example.com"][0] == 550

    await asyncio.to_thread(send)
    cases = await asyncio.to_thread(run_cli, "cases", "list", "--status", "all", "--json",
                                    config=config)
    assert json.loads(cases) == []


async def test_listener_refuses_oversize_mail(listener: tuple[int, Path]) -> None:
    port, config = listener
    big = customer_mail(1, body=("y" * 70 + "\n") * 1500)  # ~105 KB

    def send() -> None:
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

    await asyncio.to_thread(send)
    cases = await asyncio.to_thread(run_cli, "cases", "list", "--status", "all", "--json",
                                    config=config)
    assert json.loads(cases) == []


async def test_listener_answers_250_only_after_commit(listener: tuple[int, Path]) -> None:
    port, config = listener

    def send() -> list[dict[str, Any]]:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.sendmail("kunde@firma.dk", ["SUPPORT@oo.dk"], customer_mail(3))
            # The moment 250 is back, the case is readable by another process.
            return json.loads(run_cli("cases", "list", "--json", config=config))

    [case] = await asyncio.to_thread(send)
    assert case["customer_email"] == "kunde3@firma3.dk"
    shown = await asyncio.to_thread(run_cli, "cases", "show", str(case["number"]), "--json",
                                    config=config)
    assert [m["kind"] for m in json.loads(shown)["messages"]] == ["customer", "ack"]


async def test_unparseable_mail_over_smtp_is_a_case_of_its_envelope_sender_else_rejected(
    listener: tuple[int, Path],
) -> None:
    """A mail with no readable header section still becomes a case from whatever names
    a sender: here only the envelope (MAIL FROM). With none anywhere (a null sender)
    it is kept raw as rejected, with the reason."""
    port, config = listener

    def send(envelope_sender: str) -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.sendmail(envelope_sender, ["support@oo.dk"], b"\r\n\r\nno headers at all\r\n")

    await asyncio.to_thread(send, "kunde@firma.dk")
    await asyncio.to_thread(send, "")
    [case] = json.loads(await asyncio.to_thread(run_cli, "cases", "list", "--json",
                                                config=config))
    assert case["customer_email"] == "kunde@firma.dk"
    [kept] = json.loads(await asyncio.to_thread(run_cli, "ignored", "list", "--json",
                                                config=config))
    assert kept["kind"] == "rejected"
    assert kept["reason"]


async def test_listener_answers_451_when_the_database_is_unusable(tmp_path: Path) -> None:
    """Nothing is lost when we cannot store: the client is told to try again."""
    port = free_port()
    db = tmp_path / "oo.db"
    config = write_config(
        tmp_path / "oo.toml",
        database_url=f"sqlite:///{db}",
        extra={"smtp_in": {"enabled": True, "port": port}},
    )
    msg = EmailMessage()
    msg["From"] = "kunde@firma.dk"
    msg["Subject"] = "hjælp"
    msg.set_content("Hej")

    def send() -> None:
        with sqlite3.connect(db) as conn:  # the table the pipeline writes to is gone
            conn.execute("ALTER TABLE messages RENAME TO messages_gone")
        with (
            smtplib.SMTP("127.0.0.1", port, timeout=30) as client,
            pytest.raises(smtplib.SMTPDataError) as refused,
        ):
            client.sendmail("kunde@firma.dk", ["support@oo.dk"], msg.as_bytes())
        assert refused.value.smtp_code == 451

    async with running_daemon(config):
        await asyncio.to_thread(send)


def _send(port: int, raw: bytes) -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo()
        client.mail("afsender@example.com")
        client.rcpt("support@oo.dk")
        return client.data(raw)


async def test_a_reused_message_id_does_not_make_mail_vanish(listener: tuple[int, Path]) -> None:
    """A scanner's Message-ID, reused by another customer's urgent mail: both are cases,
    both answered; the listener's 250 says nothing about either case."""
    port, config = listener
    scan = customer_mail(1, sender="Scanner <scan@kunde-a.dk>", subject="Scannet dokument",
                         body="Se vedhæftede.", message_id="<scan0001@mfp.local>")
    urgent = customer_mail(2, sender="Eva <eva@kunde-b.dk>", subject="Serveren er nede",
                           body="Serveren er nede, alle er berørt.",
                           message_id="<scan0001@mfp.local>")
    assert await asyncio.to_thread(_send, port, scan) == (250, b"2.0.0 OK")
    assert await asyncio.to_thread(_send, port, urgent) == (250, b"2.0.0 OK")
    cases = json.loads(await asyncio.to_thread(run_cli, "cases", "list", "--json", config=config))
    assert sorted(c["customer_email"] for c in cases) == ["eva@kunde-b.dk", "scan@kunde-a.dk"]
    kept = await asyncio.to_thread(run_cli, "ignored", "list", "--json", config=config)
    assert json.loads(kept) == []


async def test_a_reused_message_id_on_a_reply_to_another_case_joins_that_case(
    listener: tuple[int, Path],
) -> None:
    """A device (or a script) that sends every mail under one Message-ID and the same
    text: a reply naming another case, by its reference in the Subject or by
    In-Reply-To, is a different mail, not a re-delivery of the first; it vanished as a
    "duplicate" (redteam23). Its true re-delivery is still one message."""
    port, config = listener
    sender, mid, body = "NAS <nas@kunde.dk>", "<alert@nas.local>", "Disk 2 fejler."

    def mail(subject: str, in_reply_to: str | None = None, body: str = body) -> bytes:
        return compose_mail(sender=sender, subject=subject, body=body, message_id=mid,
                            in_reply_to=in_reply_to)

    def numbers() -> list[int]:
        cases = json.loads(run_cli("cases", "list", "--status", "all", "--json", config=config))
        return sorted(c["number"] for c in cases)

    async def send(raw: bytes) -> None:
        assert (await asyncio.to_thread(_send, port, raw))[0] == 250

    await send(mail("NAS-advarsel"))
    await send(mail("Backup fejlede", body="Backup fejlede i nat."))  # another text
    first, second = await asyncio.to_thread(numbers)
    by_tag = mail(f"Re: [OO#{second}] NAS-advarsel")
    await send(by_tag)
    shown = json.loads(await asyncio.to_thread(
        run_cli, "cases", "show", str(second), "--json", config=config))
    ack = next(m["message_id"] for m in shown["messages"] if m["direction"] == "out")
    await send(mail("NAS-advarsel", in_reply_to=ack))
    await send(by_tag)  # delivered again: a duplicate
    assert await asyncio.to_thread(numbers) == [first, second]
    shown = json.loads(await asyncio.to_thread(
        run_cli, "cases", "show", str(second), "--json", config=config))
    inbound = [m for m in shown["messages"] if m["direction"] == "in"]
    assert [m["subject"] for m in inbound] == [
        "Backup fejlede", f"Re: [OO#{second}] NAS-advarsel", "NAS-advarsel"]
    [kept] = json.loads(await asyncio.to_thread(run_cli, "ignored", "list", "--json",
                                                config=config))
    assert kept["kind"] == "duplicate"
    assert kept["subject"] == f"Re: [OO#{second}] NAS-advarsel"


async def test_a_reused_message_id_and_text_sent_again_later_is_not_lost(
    listener: tuple[int, Path],
) -> None:
    """A device that sends every alarm under one Message-ID, with the same subject and
    text: the alarm an hour later is another mail (another Date), not a re-delivery, and
    vanished as a "duplicate" (review23b). The same mail delivered again, its Date
    refolded on the way, is still one message."""
    port, config = listener

    def mail(date: str) -> bytes:
        return compose_mail(sender="NAS <nas@kunde.dk>", subject="NAS-advarsel",
                            body="Disk 2 fejler.", message_id="<alert@nas.local>",
                            headers={"Date": date})

    async def send(raw: bytes) -> None:
        assert (await asyncio.to_thread(_send, port, raw))[0] == 250

    def inbound() -> list[dict[str, Any]]:
        cases = json.loads(run_cli("cases", "list", "--status", "all", "--json", config=config))
        shown = [json.loads(run_cli("cases", "show", str(c["number"]), "--json",
                                    config=config)) for c in cases]
        return [m for case in shown for m in case["messages"] if m["direction"] == "in"]

    first = mail("Mon, 02 Dec 2024 08:00:00 +0100")
    await send(first)
    await send(mail("Mon, 02 Dec 2024 09:00:00 +0100"))
    refolded = first.replace(b"Date: Mon, 02 Dec 2024 08:00:00 +0100",
                             b"Date: Mon, 02 Dec 2024\r\n 08:00:00 +0100")
    assert refolded != first
    await send(b"Received: from relay2.kunde.dk\r\n" + refolded)
    assert len(await asyncio.to_thread(inbound)) == 2
    [kept] = json.loads(await asyncio.to_thread(run_cli, "ignored", "list", "--json",
                                                config=config))
    assert kept["kind"] == "duplicate"


async def test_a_true_redelivery_is_one_case_and_recorded_as_a_duplicate(
    listener: tuple[int, Path],
) -> None:
    port, config = listener
    first = customer_mail(3, message_id="<once@kunde.dk>")
    again = b"Received: from relay2.kunde.dk\r\nX-Spam-Score: 0.1\r\n" + first
    assert (await asyncio.to_thread(_send, port, first))[0] == 250
    assert (await asyncio.to_thread(_send, port, again))[0] == 250
    [case] = json.loads(await asyncio.to_thread(run_cli, "cases", "list", "--json",
                                                config=config))
    [kept] = json.loads(await asyncio.to_thread(run_cli, "ignored", "list", "--json",
                                                config=config))
    assert kept["kind"] == "duplicate"
    assert kept["message_id"] == "<once@kunde.dk>"
    assert kept["reason"].endswith(f"on case {case['number']}")
    assert kept["source"] == "smtp"
