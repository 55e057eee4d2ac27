"""Acceptance 6: every mail of ../shared/corpus goes through Dovecot into PostgreSQL without an
exception, as a case (readable subject and body) or a recorded, kept rejection."""

from __future__ import annotations

import email
import email.message
import email.policy
import json
from pathlib import Path

from harness import run_cli, sql, write_config

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
FILES = sorted(p for p in CORPUS.glob("*/*") if p.is_file() and p.name != "README.md")
BROKEN = b"\x00\x01\x02 this is not a mail \xff\xfe\r\n\r\n"


def _has_text(raw: bytes) -> bool:
    """Whether the mail itself (not a message attached to it) has a non-empty text part."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    if message.get_content_type() == "message/rfc822":  # a bare forward: read the inner one
        message = message.get_payload(0)
    return _text_in(message)


def _text_in(part: email.message.Message) -> bool:
    if part.get_content_maintype() == "multipart":
        inner = part.get_payload()
        if isinstance(inner, str):  # broken MIME (no usable boundary): the text is all there is
            return bool(inner.strip())
        return any(_text_in(sub) for sub in inner)
    if part.get_content_maintype() != "text" or part.get_filename():
        return False
    payload = part.get_payload(decode=True)
    return isinstance(payload, bytes) and bool(payload.strip())


def lf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n")


def test_whole_corpus_ingests(tmp_path: Path, dovecot, smtp_sink, pg_url: str) -> None:
    mails = [p.read_bytes() for p in FILES]
    dovecot.append("INBOX", [*mails, BROKEN])
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                          smtp_out=smtp_sink)
    report = json.loads(run_cli("poll", "--once", "--json", config=config))

    assert report["total"] == len(mails) + 1
    assert dovecot.count("INBOX") == 0
    assert dovecot.count("Processed") + dovecot.count("Ignored") == report["total"]
    kept = sql(pg_url, "SELECT count(*) FROM messages WHERE direction = 'in'")[0][0]
    assert kept == report["total"] - report["duplicate"]
    # Nothing failed inside our code: every rejection is a reason about the mail itself.
    reasons = [r for (r,) in sql(pg_url, "SELECT reject_reason FROM messages "
                                         "WHERE kind = 'rejected'")]
    assert not [r for r in reasons if r.startswith("internal error")], reasons
    assert report["created"] >= 50

    for number, subject in sql(pg_url, "SELECT number, subject FROM cases"):
        shown = json.loads(run_cli("cases", "show", str(number), "--json", config=config)) \
            if number % 10 == 0 else None
        assert "\ufffd" not in subject
        if shown is not None:
            assert shown["subject"] == subject
            assert shown["messages"][0]["direction"] == "in"
    # A mail with any words in a text part shows words (judged by the stdlib's own walk).
    bodies = dict(sql(pg_url, "SELECT source_uid, body_text FROM messages "
                              "WHERE direction = 'in' AND kind = 'customer'"))
    # A fresh mailbox numbers the appended mails 1, 2, ... in order (source_uid).
    for uid, raw in enumerate([*mails, BROKEN], start=1):
        if uid in bodies and _has_text(raw):
            assert bodies[uid].strip(), f"no body shown for uid {uid}"

    [(raw, reason)] = sql(
        pg_url, "SELECT raw, reject_reason FROM messages WHERE position(%s in raw) > 0",
        b" this is not a mail ",
    )
    # Kept as served (Dovecot stores NUL as 0x80), with the reason.
    assert bytes(raw) == BROKEN.replace(b"\x00", b"\x80")
    assert reason == "no header section found"
    listed = json.loads(run_cli("ignored", "list", "--json", config=config))
    assert any(item["kind"] == "rejected" and item["reason"] == reason for item in listed)


def test_corpus_mail_kept_byte_for_byte(tmp_path: Path, dovecot, smtp_sink, pg_url: str) -> None:
    sample = FILES[0].read_bytes()
    dovecot.append("INBOX", [sample])
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                          smtp_out=smtp_sink)
    run_cli("poll", "--once", config=config)
    [(raw,)] = sql(pg_url, "SELECT raw FROM messages WHERE direction = 'in'")
    # Dovecot serves line ends as CRLF; apart from that the stored bytes are the mail.
    assert lf(bytes(raw)) == lf(sample)
