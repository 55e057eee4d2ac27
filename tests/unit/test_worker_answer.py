"""A parsing worker's answer on the wire (daemon/sources/worker_answer.py): the Prepared
the daemon builds from it is the one the worker worked out, every field and type."""

from __future__ import annotations

import dataclasses
import functools
import pickle
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any

import pytest

from benchmarks.corpus import generate
from daemon.domain.triage import default_rules
from daemon.inbound import InboundMail, Prepared
from daemon.mail.header_text import HeadersLeftBehind
from daemon.reading import ReadingRules, read, slim_copy, worked_out_ahead
from daemon.sources import prepare_pool
from daemon.sources.worker_answer import answer_of, prepared_of

RULES = ReadingRules("support@oo.dk", "oo.dk", {}, ("oneoffice.dk",), ())
AT = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)

BOUNCE = (
    b"From: MAILER-DAEMON@mx.firma.dk\r\nTo: support@oo.dk\r\nSubject: Undelivered\r\n"
    b"Auto-Submitted: auto-replied\r\nMessage-ID: <b1@mx.firma.dk>\r\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
    b"--b\r\nContent-Type: text/plain\r\n\r\nIt bounced.\r\n"
    b"--b\r\nContent-Type: message/delivery-status\r\n\r\n"
    b"Reporting-MTA: dns; mx.firma.dk\r\n\r\nFinal-Recipient: rfc822; ole@firma.dk\r\n"
    b"Action: failed\r\nStatus: 5.1.1\r\n\r\n"
    b"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <ack1@oo.dk>\r\n\r\n--b--\r\n"
)
OTHERS = [
    BOUNCE,
    b"From: Bo <bo@oneoffice.dk>\r\nTo: support@oo.dk\r\nSubject: Staff\r\n\r\nHej\r\n",
    b"Subject: no sender anywhere\r\n\r\nnothing\r\n",
    b"",
]


def _fields(value: Any) -> Any:
    """Every field, also those left out of ==, and each value's type: an enum must come
    back an enum, a list a list."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value), [(f.name, _fields(getattr(value, f.name)))
                              for f in dataclasses.fields(value)])
    if isinstance(value, list | tuple):
        return (type(value), [_fields(v) for v in value])
    return (type(value), value)


@functools.cache
def _prepared() -> list[Prepared]:
    rules = default_rules(())
    found = []
    for uid, raw in enumerate([*generate(150, 11), *OTHERS], start=1):
        slim, hidden = slim_copy(raw)
        mail = InboundMail(raw=slim, source="imap:INBOX", received_at=AT, uidvalidity=4, uid=uid)
        found.append(worked_out_ahead(read(mail, RULES, hidden or None), rules))
    return found


def test_the_prepared_built_from_an_answer_is_the_one_the_worker_sent() -> None:
    prepared = _prepared()
    # Unreadable, a bounce, triaged, with attachments: every nested value travels.
    assert any(p.parsed is None for p in prepared)
    assert any(p.bounce is not None for p in prepared)
    assert any(p.triage is not None for p in prepared)
    assert any(p.parsed and p.parsed.attachments for p in prepared)
    for sent in prepared:
        back = prepared_of(pickle.loads(pickle.dumps(answer_of(sent))), sent.mail)
        assert _fields(back) == _fields(dataclasses.replace(
            sent, parsed=sent.parsed and dataclasses.replace(
                sent.parsed, headers=back.parsed.headers if back.parsed else None)))
        assert back.mail is sent.mail
        if back.parsed is not None:
            assert isinstance(back.parsed.headers, HeadersLeftBehind)


def test_an_answer_carries_neither_the_mail_nor_its_headers() -> None:
    sent = _prepared()[0]
    wire = pickle.dumps(answer_of(sent))
    assert sent.parsed is not None and sent.parsed.headers.raw("Received")
    assert b"Received" not in wire and b"InboundMail" not in wire and b"Prepared" not in wire


@pytest.mark.parametrize("answer", [None, (), ("key",) * 3, ["key"] * 10])
def test_an_answer_of_another_shape_is_an_error(answer: object) -> None:
    with pytest.raises(ValueError, match="not of a Prepared's fields"):
        prepared_of(answer, InboundMail(b"", "imap:INBOX", AT))


def test_the_pool_fails_a_mail_whose_worker_answered_wrongly() -> None:
    job = prepare_pool._Job(InboundMail(b"x", "imap:INBOX", AT), lambda: False, Future())
    prepare_pool._answer(job, {"not": "an answer"})
    with pytest.raises(prepare_pool.PrepareFailed, match="answered wrongly"):
        job.future.result(0)
