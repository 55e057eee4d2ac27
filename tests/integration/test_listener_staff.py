"""On the SMTP listener, staff are only who the listener itself
verified (its own DKIM check, or SMTP AUTH), never who the mail's own
Authentication-Results say; against the real listener, PostgreSQL and an SMTP relay."""

from __future__ import annotations

import email.policy
import json
import smtplib
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
from dkim_keys import DkimKey
from harness import (
    DaemonProcess,
    listener_in_thread,
    parse_mail,
    run_cli,
    sql,
    wait_until,
    write_config,
)

from daemon.app import App, build_app
from daemon.passwords import hash_password
from daemon.settings import load_settings
from daemon.sources.smtp_listener import SupportMailHandler
from daemon.store.migrate import upgrade

TINA_PASSWORD = "tina-kodeord-2026"


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    """In this module every test starts at the newest schema, copied from the session's
    migrated template (tests/conftest.py): the migration is not what these tests show,
    and a daemon or command would otherwise run it first, in a subprocess, each time."""
    return migrated_pg_url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mail(sender: str, subject: str, body: str, message_id: str, top: tuple[str, ...] = ()) -> bytes:
    """A mail as its sender writes it; `top` are header lines it puts above the rest."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@oo.dk"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg.set_content(body)
    head = "".join(f"{line}\r\n" for line in top).encode()
    return head + msg.as_bytes(policy=email.policy.SMTP)


def customer_mail() -> bytes:
    return mail("Søren Hansen <soren@kunde.dk>", "Printeren virker ikke",
                "Hej\n\nPrinteren på 2. sal virker ikke.\n\nMvh Søren", "<first@kunde.dk>")


def send(port: int, raw: bytes, sender: str, login: tuple[str, str] | None = None) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        if login is not None:
            client.login(*login)
        client.sendmail(sender, ["support@oo.dk"], raw)


# -- the daemon as `oo-support run` starts it -----------------------------------------


@dataclass
class Running:
    port: int
    config: Path
    pg_url: str
    sink: object

    def case(self, number: int) -> dict:
        return json.loads(run_cli("cases", "show", str(number), "--json", config=self.config))

    def sent(self) -> list[EmailMessage]:
        return [parse_mail(m.data) for m in self.sink.messages]  # type: ignore[attr-defined]

    def sent_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.sent() if m["To"] == address]

    def open_case(self) -> int:
        send(self.port, customer_mail(), "soren@kunde.dk")
        wait_until(lambda: self.sent_to("soren@kunde.dk"), 30, "the acknowledgement")
        [(number,)] = sql(self.pg_url, "SELECT number FROM cases")
        return number

    def flags_of(self, message_id: str) -> list[str]:
        [(flags,)] = sql(self.pg_url, "SELECT c.flags FROM cases c JOIN messages m"
                         " ON m.case_id = c.id WHERE m.message_id = %s", message_id)
        return flags


@pytest.fixture
def running(tmp_path: Path, smtp_sink, pg_url: str) -> Iterator[Running]:
    """`oo-support run` with the listener on loopback and Tina as an SMTP AUTH user."""
    port = free_port()
    users = [{"login": "tina@oo.dk", "password_hash": hash_password(TINA_PASSWORD)}]
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, smtp_out=smtp_sink,
                          extra={"smtp_in": {"enabled": True, "port": port, "users": users}})
    daemon = DaemonProcess(config, tmp_path).start().wait_ready()
    try:
        yield Running(port, config, pg_url, smtp_sink)
    finally:
        assert daemon.terminate() == 0, daemon.log()[-3000:]


def test_issue_14_forged_authentication_results_on_the_listener_apply_and_relay_nothing(
    running: Running,
) -> None:
    """A pass the sender wrote itself, sent to the listener, is not believed."""
    number = running.open_case()
    forged = mail(
        "Tina Tekniker <tech@oo.dk>", f"Re: [OO#{number}] Printeren virker ikke",
        "#priority high\n#status closed\n\nKære Søren\n\nSvar med dit kodeord.",
        "<forged@oo.dk>",
        top=("Authentication-Results: mx.oo.dk; dkim=pass header.d=oo.dk",
             "Authentication-Results: mx.oo.dk; dmarc=pass header.from=oo.dk"),
    )
    send(running.port, forged, "tech@oo.dk")
    case = running.case(number)
    assert (case["priority"], case["status"]) == ("normal", "new")
    assert [m["kind"] for m in case["messages"]] == ["customer", "ack"]
    # A customer of its own (an ack comes back), flagged for staff to see.
    assert "unverified staff sender" in running.flags_of("<forged@oo.dk>")
    wait_until(lambda: running.sent_to("tech@oo.dk"), 30, "the forger's acknowledgement")
    [to_customer] = running.sent_to("soren@kunde.dk")
    assert to_customer["Auto-Submitted"] == "auto-replied"  # only the first ack
    # Removed on arrival (RFC 8601 section 5): nothing reading the mail later believes them.
    [(raw,)] = sql(running.pg_url, "SELECT raw FROM messages WHERE message_id = %s",
                   "<forged@oo.dk>")
    assert b"Authentication-Results" not in bytes(raw)
    assert b"Svar med dit kodeord." in bytes(raw)


def test_smtp_auth_as_staff_on_the_listener_is_staff(running: Running) -> None:
    number = running.open_case()
    reply = mail("Tina Tekniker <tina@oo.dk>", f"SV: [OO#{number}] Printeren virker ikke",
                 "#priority high\n\nHej Søren\n\nPrinteren er skiftet.\n\nTina", "<auth@oo.dk>")
    send(running.port, reply, "tina@oo.dk", login=("tina@oo.dk", TINA_PASSWORD))
    case = running.case(number)
    assert case["priority"] == "high"
    assert [m["kind"] for m in case["messages"]] == ["customer", "ack", "staff", "reply"]
    wait_until(lambda: len(running.sent_to("soren@kunde.dk")) == 2, 30, "the relayed reply")
    relayed = running.sent_to("soren@kunde.dk")[1]
    assert relayed["From"] == "OneOffice Support <support@oo.dk>"
    text = relayed.get_body(("plain",)).get_content()
    assert "Printeren er skiftet." in text and "#priority" not in text


def test_smtp_auth_proves_only_the_login_itself(running: Running) -> None:
    number = running.open_case()
    with smtplib.SMTP("127.0.0.1", running.port, timeout=30) as client:
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            client.login("tina@oo.dk", "forkert-kode")
        assert refused.value.smtp_code == 535
    # Tina's login, Mette's From: Tina may not speak for Mette.
    as_mette = mail("Mette <mette@oo.dk>", f"SV: [OO#{number}] Printeren virker ikke",
                    "#priority high\n\nHej", "<as-mette@oo.dk>")
    send(running.port, as_mette, "mette@oo.dk", login=("tina@oo.dk", TINA_PASSWORD))
    assert running.case(number)["priority"] == "normal"
    assert "unverified staff sender" in running.flags_of("<as-mette@oo.dk>")


# -- the listener in-process, to hand it a DKIM key lookup -----------------------------


@dataclass
class InProcess:
    app: App
    port: int
    key: DkimKey
    pg_url: str
    sink: object

    def deliver(self, raw: bytes, sender: str) -> None:
        send(self.port, raw, sender)
        self.app.flush_outbox()

    def sent_to(self, address: str) -> list[EmailMessage]:
        mails = [parse_mail(m.data) for m in self.sink.messages]  # type: ignore[attr-defined]
        return [m for m in mails if m["To"] == address]

    def case(self, number: int) -> tuple[str, str, list[str]]:
        [(priority, status, flags)] = sql(
            self.pg_url, "SELECT priority, status, flags FROM cases WHERE number = %s", number)
        return priority, status, flags


@pytest.fixture
def in_process(tmp_path: Path, smtp_sink, pg_url: str) -> Iterator[InProcess]:
    """The real listener (start_listener), with DNS for DKIM keys replaced by our key."""
    port = free_port()
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, smtp_out=smtp_sink,
                          extra={"smtp_in": {"enabled": True, "port": port}})
    app = build_app(load_settings(config, environ={}))
    upgrade(app.engine)
    key = DkimKey("oo.dk")
    handler = SupportMailHandler(app.settings, app.engine, app.pipeline, app.clock,
                                 dkim_lookup=key.lookup)
    try:
        with listener_in_thread(handler, app.settings.smtp_in):
            yield InProcess(app, port, key, pg_url, smtp_sink)
    finally:
        app.engine.dispose()


def test_dkim_signed_staff_mail_to_the_listener_is_staff(in_process: InProcess) -> None:
    desk, key = in_process, in_process.key
    desk.deliver(DkimKey("kunde.dk").sign(customer_mail()), "soren@kunde.dk")
    assert key.lookups == []  # a customer's signature costs no DNS lookup
    [(number,)] = sql(desk.pg_url, "SELECT number FROM cases")
    signed = key.sign(mail("Tina Tekniker <tina@oo.dk>", f"SV: [OO#{number}] Printeren",
                           "#priority high\n\nHej Søren\n\nPrinteren er skiftet.",
                           "<signed@oo.dk>"))
    desk.deliver(signed, "tina@oo.dk")
    assert key.lookups == [b"sel2026._domainkey.oo.dk."]
    assert desk.case(number)[0] == "high"
    [_ack, relayed] = desk.sent_to("soren@kunde.dk")
    assert relayed["From"] == "OneOffice Support <support@oo.dk>"
    assert "Printeren er skiftet." in relayed.get_body(("plain",)).get_content()


def test_a_signature_the_listener_cannot_verify_is_no_staff_whatever_the_headers_say(
    in_process: InProcess,
) -> None:
    desk = in_process
    desk.deliver(customer_mail(), "soren@kunde.dk")
    [(number,)] = sql(desk.pg_url, "SELECT number FROM cases")
    impostor = DkimKey("oo.dk")  # same selector, a key pair DNS does not publish
    forged = impostor.sign(mail(
        "Tina Tekniker <tina@oo.dk>", f"SV: [OO#{number}] Printeren", "#status closed\n\nLukket.",
        "<impostor@oo.dk>",
        top=("Authentication-Results: mx.oo.dk; dkim=pass header.d=oo.dk",),
    ))
    desk.deliver(forged, "tina@oo.dk")
    assert desk.case(number)[:2] == ("normal", "new")
    [(flags,)] = sql(desk.pg_url, "SELECT flags FROM cases WHERE customer_email = 'tina@oo.dk'")
    assert "unverified staff sender" in flags
    assert len(desk.sent_to("soren@kunde.dk")) == 1  # the ack only



def test_a_signed_staff_mail_replayed_with_an_in_reply_to_added_stays_on_its_case(
    in_process: InProcess,
) -> None:
    """redteam24b: a signer need not sign In-Reply-To (RFC 6376 5.4.1 only recommends
    it). Tina's signed reply on Søren's case, replayed by whoever holds a copy with an
    In-Reply-To to Eva's mail added on top, still verified: it closed Eva's case and
    relayed Tina's words to Søren ("Dit kodeord er ...") to Eva. Its headers and its
    (signed) subject now name two customers' cases, so it is held back as a note on
    the subject's case (redteam24a's rule): nothing applied to Eva's, nothing to her."""
    desk, key = in_process, in_process.key
    desk.deliver(customer_mail(), "soren@kunde.dk")
    desk.deliver(mail("Eva <eva@andet.dk>", "Mailen virker ikke", "Hej\n\nMailen.\n",
                      "<eva1@andet.dk>"), "eva@andet.dk")
    [(soren,), (eva,)] = sql(desk.pg_url, "SELECT number FROM cases ORDER BY number")
    signed = key.sign(mail("Tina Tekniker <tina@oo.dk>", f"SV: [OO#{soren}] Printeren",
                           "#status closed\n\nHej Søren\n\nDit kodeord er Sommer2026.",
                           "<signed@oo.dk>"))
    desk.deliver(signed, "tina@oo.dk")
    desk.deliver(b"In-Reply-To: <eva1@andet.dk>\r\n" + signed, "tina@oo.dk")
    assert desk.case(soren)[1] == "closed"
    assert desk.case(eva)[1] == "new"
    [ack] = desk.sent_to("eva@andet.dk")
    assert "Sommer2026" not in ack.get_body(("plain",)).get_content()


def test_a_signed_staff_mail_with_no_case_in_its_subject_replayed_with_an_in_reply_to_added(
    in_process: InProcess,
) -> None:
    """review24b: with no [OO#n] in the subject, the two-cases rule has nothing to
    compare, and the replay's added In-Reply-To alone named Eva's case: it closed her
    case and relayed Tina's words to Søren to her. A signature that leaves an
    In-Reply-To of the mail unsigned is no proof of staff now: the replay is kept as an
    unverified staff sender's mail, applied nowhere, relayed to no customer."""
    desk, key = in_process, in_process.key
    desk.deliver(mail("Eva <eva@andet.dk>", "Mailen virker ikke", "Hej\n\nMailen.\n",
                      "<eva1@andet.dk>"), "eva@andet.dk")
    [(eva,)] = sql(desk.pg_url, "SELECT number FROM cases ORDER BY number")
    signed = key.sign(mail("Tina Tekniker <tina@oo.dk>", "Printeren",
                           "#status closed\n\nHej Søren\n\nDit kodeord er Sommer2026.",
                           "<signed-untagged@oo.dk>"))
    desk.deliver(b"In-Reply-To: <eva1@andet.dk>\r\n" + signed, "tina@oo.dk")
    assert desk.case(eva)[1] == "new"
    [ack] = desk.sent_to("eva@andet.dk")
    assert "Sommer2026" not in ack.get_body(("plain",)).get_content()
