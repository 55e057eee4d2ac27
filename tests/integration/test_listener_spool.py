"""The listener spools DATA (memory, then disk) and caps its connections;
against the daemon's own async main on SQLite, in-process."""

from __future__ import annotations

import asyncio
import json
import smtplib
import socket
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from harness import customer_mail, run_cli, wait_until, write_config
from servers import free_port
from test_embedded import running_daemon

SIZE_LIMIT = 3 * 1024 * 1024  # above the spool's 1 MB in memory, so the file is used


@pytest.fixture
async def listener(tmp_path: Path) -> AsyncIterator[tuple[int, Path]]:
    port = free_port()
    config = write_config(
        tmp_path / "oo.toml",
        database_url=f"sqlite:///{tmp_path / 'oo.db'}",
        extra={"smtp_in": {"enabled": True, "port": port, "max_message_size": SIZE_LIMIT,
                           "max_connections_per_client": 2}},
    )
    async with running_daemon(config):
        yield port, tmp_path


def stored_raw(tmp_path: Path) -> list[bytes]:
    with sqlite3.connect(tmp_path / "oo.db") as conn:
        rows = conn.execute("SELECT raw FROM messages WHERE direction = 'in'").fetchall()
    return [bytes(raw) for (raw,) in rows]


def dialogue(port: int, data: bytes) -> list[bytes]:
    """One transaction by hand (data as it goes on the wire), the server's replies."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        replies = sock.makefile("rb")
        sent = [b"EHLO kunde.dk\r\n", b"MAIL FROM:<kunde@firma.dk>\r\n",
                b"RCPT TO:<support@oo.dk>\r\n", b"DATA\r\n"]
        answers = [replies.readline()]
        for line in sent:
            sock.sendall(line)
            answers.append(replies.readline())
            while answers[-1][3:4] == b"-":
                answers.append(replies.readline())
        sock.sendall(data + b".\r\nQUIT\r\n")  # QUIT pipelined: read after the DATA only
        answers += [replies.readline(), replies.readline()]
        return answers


async def test_spooled_mail_is_stored_byte_for_byte(listener: tuple[int, Path]) -> None:
    port, tmp_path = listener
    # Lines that start with a dot (sent doubled), a lone dot, and past 1 MB of short
    # lines so the spool goes to disk; CRLF kept, a bare CR kept.
    body = b"Hej\r\n.signatur\r\n.\r\n..\r\nslut.\r\nbare\rcr\r\n" + b"a\r\n.b\r\n" * 200_000
    content = customer_mail(1).split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n" + body
    wire = b"".join(b"." + line if line.startswith(b".") else line
                    for line in content.splitlines(keepends=True))
    assert len(content) > 1024 * 1024
    answers = await asyncio.to_thread(dialogue, port, wire)
    assert answers[-2].startswith(b"250 "), answers
    assert answers[-1].startswith(b"221 "), answers
    # As received, with the envelope sender on top, as a final delivery puts it.
    assert stored_raw(tmp_path) == [b"Return-Path: <kunde@firma.dk>\r\n" + content]


async def test_mail_over_the_limit_gets_552_and_nothing_is_stored(
    listener: tuple[int, Path],
) -> None:
    port, tmp_path = listener
    too_big = customer_mail(2, body="y\n" * (SIZE_LIMIT // 2 + 10))

    def send() -> tuple[int, int]:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.ehlo()
            client.esmtp_features.pop("size", None)  # a client that does not declare SIZE
            assert client.mail("kunde@firma.dk")[0] == 250
            assert client.rcpt("support@oo.dk")[0] == 250
            refused = client.data(too_big)[0]
            # The connection goes on: a normal mail after it is taken.
            client.sendmail("kunde@firma.dk", ["support@oo.dk"], customer_mail(3))
            return refused, client.noop()[0]

    assert await asyncio.to_thread(send) == (552, 250)
    [stored] = stored_raw(tmp_path)
    assert b"<mail-3@" in stored
    wait_until(lambda: any((tmp_path / "outbox").glob("*.eml")), 30, "an acknowledgement")
    cases = json.loads(await asyncio.to_thread(
        run_cli, "cases", "list", "--json", config=tmp_path / "oo.toml"))
    assert len(cases) == 1


async def test_connections_over_the_per_client_cap_get_421(listener: tuple[int, Path]) -> None:
    port, _tmp_path = listener

    def greeting(sock: socket.socket) -> bytes:
        return sock.makefile("rb").readline()

    def connect_three() -> list[bytes]:
        first = socket.create_connection(("127.0.0.1", port), timeout=30)
        second = socket.create_connection(("127.0.0.1", port), timeout=30)
        with first, second:
            greetings = [greeting(first), greeting(second)]
            with socket.create_connection(("127.0.0.1", port), timeout=30) as third:
                greetings.append(greeting(third))
                greetings.append(third.recv(100))  # closed by the server: end of stream
        return greetings

    def welcomed() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            return greeting(sock).startswith(b"220 ")

    first, second, third, end = await asyncio.to_thread(connect_three)
    assert first.startswith(b"220 ") and second.startswith(b"220 ")
    assert third == b"421 4.7.0 Too many connections, try again later\r\n"
    assert end == b""
    # Both closed: their places are free again (once the server has seen the closes).
    await asyncio.to_thread(wait_until, welcomed, 30, "a connection welcomed again")


async def test_bare_lf_mail_with_long_lines_is_taken_as_postfix_takes_it(
    listener: tuple[int, Path],
) -> None:
    """A client that ends its lines with LF only (scripts, some appliances), with a line
    far over 1000 bytes: stored with CRLF line ends, dot-unstuffed, every byte kept.
    The end of DATA is <CRLF>.<CRLF> only: a dot line ended by a bare LF is content
    (its dot read as stuffing), so nothing can be smuggled behind it."""
    port, tmp_path = listener
    long_line = "Lang linje: " + "æøå " * 4000  # ~28 KB of UTF-8, no line break
    content = (
        b"From: Kunde 4 <kunde4@firma4.dk>\r\nTo: support@oo.dk\r\nSubject: LF only\r\n"
        b"Message-ID: <lf-4@firma4.dk>\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nHej\r\n.punktum\r\n"
        + long_line.encode() + b"\r\nslut\r\n"
    )
    stuffed = b"".join(b"." + line if line.startswith(b".") else line
                       for line in content.replace(b"\r\n", b"\n").splitlines(True))
    answers = await asyncio.to_thread(dialogue, port, stuffed + b".\nMAIL FROM:<x@y.dk>\r\n")
    assert answers[-2].startswith(b"250 "), answers
    assert stored_raw(tmp_path) == [
        b"Return-Path: <kunde@firma.dk>\r\n" + content + b"\r\nMAIL FROM:<x@y.dk>\r\n"
    ]
    [case] = json.loads(await asyncio.to_thread(
        run_cli, "cases", "list", "--json", config=tmp_path / "oo.toml"))
    assert case["subject"] == "LF only"
    shown = json.loads(await asyncio.to_thread(
        run_cli, "cases", "show", str(case["number"]), "--json", config=tmp_path / "oo.toml"))
    assert long_line in shown["messages"][0]["body_text"]


async def test_the_envelope_sender_replaces_a_written_return_path_and_is_the_last_resort(
    listener: tuple[int, Path],
) -> None:
    """A Return-Path the client wrote is its word, not the envelope: the listener puts
    the real one (MAIL FROM) in its place. A mail whose header section is lost (junk
    from a gateway, no From anywhere) still becomes a case, from the envelope sender."""
    port, tmp_path = listener
    forged = (b"Return-Path: <ceo@oo.dk>\r\nFrom: Kunde <kunde@firma.dk>\r\n"
              b"To: support@oo.dk\r\nSubject: Returadresse\r\nMessage-ID: <rp-1@firma.dk>"
              b"\r\n\r\nHej\r\n")
    lost = b"\x01\x02 gateway-rod\r\nPrinteren i stuen virker ikke\r\n"
    for content in (forged, lost):
        answers = await asyncio.to_thread(dialogue, port, content)
        assert answers[-2].startswith(b"250 "), answers
    first, second = stored_raw(tmp_path)
    assert first.startswith(b"Return-Path: <kunde@firma.dk>\r\nFrom: ") and b"ceo@" not in first
    assert second == b"Return-Path: <kunde@firma.dk>\r\n" + lost
    cases = json.loads(await asyncio.to_thread(
        run_cli, "cases", "list", "--json", config=tmp_path / "oo.toml"))
    assert sorted(c["customer_email"] for c in cases) == ["kunde@firma.dk", "kunde@firma.dk"]
