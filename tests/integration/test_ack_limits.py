"""Acks cannot be weaponised, end to end: real Dovecot, PostgreSQL and an SMTP sink.

Every mail still becomes a case; what is held back is the acknowledgement that would
carry an attacker's words from support@oo.dk to whatever address they forged.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path

from harness import parse_mail, sql, write_config

from daemon.app import build_app
from daemon.settings import load_settings
from daemon.store.migrate import upgrade


def _mail(n: int, sender: str, *, name: str = "", subject: str = "Hjælp",
          headers: dict[str, str] | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = formataddr((name, sender)) if name else sender
    msg["To"] = "support@oo.dk"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<m{n}@afsender.example>"
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content("Hej, det virker ikke.")
    return msg.as_bytes()


def _deliver(tmp_path: Path, dovecot, smtp_sink, pg_url: str, mails: list[bytes],
             support: dict[str, object]) -> list[EmailMessage]:
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                          smtp_out=smtp_sink, extra={"support": support})
    app = build_app(load_settings(config, environ={}))
    upgrade(app.engine)
    dovecot.append("INBOX", mails)
    source = app.imap_source()
    try:
        source.poll_once()
    finally:
        source.close()
    app.flush_outbox()
    return [parse_mail(m.data) for m in smtp_sink.messages]


def test_forged_senders_get_capped_acks_but_every_case(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    mails = (
        # 40 forged senders across many domains: the total cap (30) holds.
        [_mail(n, f"offer{n}@victim{n}.example") for n in range(40)]
        # 12 sub-address variants of one mailbox: the per-address cap (5) holds.
        + [_mail(100 + n, f"same+{n}@firma.example") for n in range(12)]
    )
    support = {"ack_limit_per_hour": 5, "ack_limit_per_domain_per_hour": 20,
               "ack_limit_total_per_hour": 30}
    acks = _deliver(tmp_path, dovecot, smtp_sink, pg_url, mails, support)
    assert sql(pg_url, "SELECT count(*) FROM cases") == [(52,)]
    assert len(acks) == 30
    same = [a for a in acks if a["To"].startswith("same+")]
    assert len(same) <= 5
    suppressed = sql(pg_url, "SELECT count(*) FROM cases"
                             " WHERE flags::text LIKE '%acknowledgement suppressed%'")
    assert suppressed == [(22,)]


def test_spam_verdict_and_links_in_the_greeting(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    long_name = "Vind 10.000 kr. på https://evil.example/claim?id=1 " * 80  # ~4 KB
    mails = [
        _mail(1, "spam@afsender.example", headers={"X-Spam-Flag": "YES"}),
        _mail(2, "kunde@firma.example", name=long_name,
              subject="Gevinst: www.evil.example/x venter"),
    ]
    acks = _deliver(tmp_path, dovecot, smtp_sink, pg_url, mails, {})
    assert sql(pg_url, "SELECT count(*) FROM cases") == [(2,)]
    [ack] = acks  # none for the mail the border MTA called spam
    assert ack["To"] == "kunde@firma.example"
    text = ack.get_body(("plain",)).get_content()
    greeting = text.splitlines()[0]
    assert len(greeting) < 80, greeting
    assert "evil.example" not in text and "http" not in text
    assert "evil.example" not in ack["Subject"]


def test_no_ack_to_a_sender_our_border_mta_says_is_forged(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    forged = _mail(1, "ceo@bank.example", headers={
        "Authentication-Results": "mx.oo.dk; dmarc=fail (p=reject dis=none)"
                                  " header.from=bank.example"})
    honest = _mail(2, "kunde@firma.example", headers={
        "Authentication-Results": "mx.oo.dk; dmarc=pass header.from=firma.example"})
    acks = _deliver(tmp_path, dovecot, smtp_sink, pg_url, [forged, honest], {})
    assert sql(pg_url, "SELECT count(*) FROM cases") == [(2,)]
    assert [a["To"] for a in acks] == ["kunde@firma.example"]


def test_the_last_hours_acks_are_counted_per_mailbox_across_passes(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    # The second pass reads the first one's acks from the database, counted there per
    # address as stored (issue 18): one address acknowledged twice, and a case/+tag
    # variant of it, are three acks to one mailbox against its limit of five.
    support = {"ack_limit_per_hour": 5}
    first = [_mail(1, "bo@firma.example"), _mail(2, "bo@firma.example"),
             _mail(3, "Bo+x@Firma.example")]
    assert len(_deliver(tmp_path, dovecot, smtp_sink, pg_url, first, support)) == 3
    second = [_mail(10 + n, f"bo+{n}@firma.example") for n in range(4)]
    acks = _deliver(tmp_path, dovecot, smtp_sink, pg_url, second, support)
    assert sql(pg_url, "SELECT count(*) FROM cases") == [(7,)]
    assert len(acks) == 5  # the first pass's three and two of the second's four
