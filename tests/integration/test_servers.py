"""The test servers really work: if these fail, every integration test is suspect."""

from __future__ import annotations

import smtplib
import socket
from email.message import EmailMessage

import psycopg
import pytest
from servers import (
    DATABASE_URL_ENV,
    DatabaseDropper,
    Dovecot,
    SmtpSink,
    database_exists,
    database_server_url,
    free_port,
    postgres_database,
)
from sqlalchemy.engine import make_url

from daemon.store.migrate import SCHEMA_HEAD


def make_mail(n: int, size: int = 2000) -> bytes:
    """A small RFC 5322 message with CRLF line endings, as it would arrive."""
    body = b"".join(b"line %d of mail %d\r\n" % (i, n) for i in range(size // 20))
    return (
        b"From: Kunde <kunde@example.dk>\r\n"
        b"To: support@oo.dk\r\n"
        b"Subject: Sag " + str(n).encode() + b"\r\n"
        b"Message-ID: <mail-" + str(n).encode() + b"@example.dk>\r\n"
        b"\r\n" + body
    )


def psycopg_dsn(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


# -- Dovecot -------------------------------------------------------------------------


def test_dovecot_append_and_uid_fetch(dovecot: Dovecot) -> None:
    mails = [make_mail(n) for n in range(3)]
    dovecot.append("INBOX", mails)

    assert dovecot.count("INBOX") == 3
    uids = dovecot.uids("INBOX")
    assert len(uids) == 3
    with dovecot.client() as client:
        caps = set(client.capabilities())
        assert {b"IDLE", b"MOVE", b"UIDPLUS"} <= caps
        client.select_folder("INBOX", readonly=True)
        fetched = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"])
    assert [fetched[uid][b"BODY[]"] for uid in uids] == mails
    assert all(b"\\Seen" not in fetched[uid][b"FLAGS"] for uid in uids)


def test_dovecot_append_creates_folder_with_flags(dovecot: Dovecot) -> None:
    assert dovecot.count("Archive/2024") == 0
    assert dovecot.uids("Archive/2024") == []

    dovecot.append("Archive/2024", [make_mail(1), make_mail(2)], flags=[r"\Seen"])

    assert dovecot.uids("Archive/2024") == [1, 2]
    with dovecot.client() as client:
        client.select_folder("Archive/2024", readonly=True)
        flags = client.get_flags([1, 2])
    assert all(b"\\Seen" in f for f in flags.values())


def test_dovecot_move_and_idle(dovecot: Dovecot) -> None:
    dovecot.append("INBOX", [make_mail(1)])
    with dovecot.client() as client:
        client.create_folder("Done")
        client.select_folder("INBOX")
        client.move(dovecot.uids("INBOX"), "Done")
        assert dovecot.count("INBOX") == 0
        assert dovecot.count("Done") == 1

        # IDLE: a mail appended by someone else is announced without polling.
        client.idle()
        try:
            dovecot.append("INBOX", [make_mail(2)])
            responses = client.idle_check(timeout=5)
        finally:
            client.idle_done()
    assert (1, b"EXISTS") in responses


def test_dovecot_restart_keeps_mail_port_and_uidvalidity(dovecot: Dovecot) -> None:
    dovecot.append("INBOX", [make_mail(1), make_mail(2)])
    port = dovecot.port
    with dovecot.client() as client:
        before = client.folder_status("INBOX", ["UIDVALIDITY"])[b"UIDVALIDITY"]

    dovecot.restart()

    assert dovecot.port == port
    assert dovecot.uids("INBOX") == [1, 2]
    with dovecot.client() as client:
        assert client.folder_status("INBOX", ["UIDVALIDITY"])[b"UIDVALIDITY"] == before


def test_dovecot_stop_and_kill_close_the_port(dovecot: Dovecot) -> None:
    dovecot.append("INBOX", [make_mail(1)])
    dovecot.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((dovecot.host, dovecot.port), timeout=2)

    dovecot.start()
    dovecot.kill()  # a crash, as far as clients can tell
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((dovecot.host, dovecot.port), timeout=2)

    dovecot.start()
    assert dovecot.count("INBOX") == 1


def test_dovecot_rejects_wrong_password(dovecot: Dovecot) -> None:
    import imapclient

    client = imapclient.IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=10)
    try:
        with pytest.raises(imapclient.exceptions.LoginError):
            client.login(dovecot.user, "wrong")
    finally:
        client.shutdown()


# -- SMTP sink -----------------------------------------------------------------------


def send(sink: SmtpSink, subject: str, to: list[str]) -> None:
    msg = EmailMessage()
    msg["From"] = "support@oo.dk"
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg.set_content("Hej\n.\nline with a lone dot above\n")
    with smtplib.SMTP(sink.host, sink.port, timeout=10) as smtp:
        smtp.send_message(msg, from_addr="bounce@oo.dk", to_addrs=to)


def test_smtp_sink_captures_mail(smtp_sink: SmtpSink) -> None:
    assert smtp_sink.wait_for(1, timeout=0.1) is False

    send(smtp_sink, "Sag 17", ["kunde@example.dk", "cc@example.dk"])

    assert smtp_sink.wait_for(1, timeout=5)
    [mail] = smtp_sink.messages
    assert mail.envelope_from == "bounce@oo.dk"
    assert mail.recipients == ["kunde@example.dk", "cc@example.dk"]
    assert b"Subject: Sag 17\r\n" in mail.data
    assert b"\r\n.\r\nline with a lone dot" in mail.data  # dot-unstuffed, CRLF kept


def test_smtp_sink_refuse_is_temporary(smtp_sink: SmtpSink) -> None:
    smtp_sink.refuse(451)
    with pytest.raises((smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)) as info:
        send(smtp_sink, "Sag 1", ["kunde@example.dk"])
    if isinstance(info.value, smtplib.SMTPRecipientsRefused):
        assert {code for code, _ in info.value.recipients.values()} == {451}
    else:
        assert info.value.smtp_code == 451
    assert smtp_sink.messages == []

    smtp_sink.refuse(None)
    send(smtp_sink, "Sag 1", ["kunde@example.dk"])
    assert smtp_sink.wait_for(1, timeout=5)
    assert len(smtp_sink.messages) == 1


def test_smtp_sink_stop_means_relay_down(smtp_sink: SmtpSink) -> None:
    port = smtp_sink.port
    smtp_sink.stop()
    with pytest.raises(ConnectionRefusedError):
        smtplib.SMTP(smtp_sink.host, smtp_sink.port, timeout=5)

    smtp_sink.start()
    assert smtp_sink.port == port
    send(smtp_sink, "Back", ["kunde@example.dk"])
    assert smtp_sink.wait_for(1, timeout=5)


def test_smtp_sink_stop_cuts_open_sessions(smtp_sink: SmtpSink) -> None:
    smtp = smtplib.SMTP(smtp_sink.host, smtp_sink.port, timeout=5)
    try:
        smtp.ehlo()
        smtp_sink.stop()
        with pytest.raises(smtplib.SMTPServerDisconnected):
            smtp.noop()
    finally:
        smtp.close()


# -- PostgreSQL ----------------------------------------------------------------------


def test_pg_url_is_a_fresh_database(pg_url: str) -> None:
    url, server = make_url(pg_url), database_server_url()
    assert url == server.set(database=url.database)  # same server, role and password
    assert url.database is not None and url.database.startswith("oo_test_")
    with psycopg.connect(psycopg_dsn(pg_url)) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        assert tables == (0,)
        conn.execute("CREATE TABLE t (id int)")


def test_postgres_database_is_dropped_even_with_open_connections() -> None:
    with postgres_database("oo_droptest") as url:
        name = url.rsplit("/", 1)[1]
        assert database_exists(name)
        leaked = psycopg.connect(psycopg_dsn(url))  # e.g. a pool the test forgot
    try:
        assert not database_exists(name)
    finally:
        leaked.close()


@pytest.mark.parametrize("turn", ["first", "second"])
def test_migrated_pg_url_is_a_private_copy_at_the_newest_schema(
    migrated_pg_url: str, _migrated_template: str, turn: str
) -> None:
    """Each test gets its own copy of the template: what one writes, the next (the
    second turn) and the template do not see; CREATE TABLE would fail on a shared one."""
    name = make_url(migrated_pg_url).database
    assert name is not None and name.startswith("oo_test_") and name != _migrated_template
    with psycopg.connect(psycopg_dsn(migrated_pg_url)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (SCHEMA_HEAD,)
        ]
        assert conn.execute("SELECT count(*) FROM cases").fetchone() == (0,)
        conn.execute("CREATE TABLE written_by_a_test (turn text)")
        conn.execute("INSERT INTO written_by_a_test VALUES (%s)", (turn,))
    with postgres_database(template=_migrated_template) as other, psycopg.connect(
        psycopg_dsn(other)
    ) as conn:
        found = conn.execute("SELECT to_regclass('written_by_a_test')").fetchone()
        assert found == (None,)


def test_database_dropper_drops_what_was_queued_by_close() -> None:
    dropper = DatabaseDropper()
    with postgres_database("oo_droptest", dropper=dropper) as url:
        name = url.rsplit("/", 1)[1]
        leaked = psycopg.connect(psycopg_dsn(url))
    try:
        dropper.close()
        assert not database_exists(name)
    finally:
        leaked.close()


def test_the_database_server_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI hands over a role with a password (.ci/run); nothing may fall back to the default."""
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    assert str(database_server_url()) == "postgresql+psycopg://postgres@127.0.0.1:5432"
    nowhere = f"postgresql+psycopg://someone:pw@127.0.0.1:{free_port()}"
    monkeypatch.setenv(DATABASE_URL_ENV, nowhere)
    assert database_server_url() == make_url(nowhere)
    with pytest.raises(psycopg.OperationalError, match="127.0.0.1"), postgres_database():
        pass
