"""A Message-ID held by two cases (redteam25a): a stranger who saw a customer's
Message-ID (a Cc, a forward) and sends a mail under it gets a case of their own (issue
14), but the reply lookup then took whichever case the database named last: a
colleague's reply to the customer's mail opened a new case instead of joining it,
and the thread was cut by one stranger's mail (BR-2)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from harness import run_cli, write_config

from daemon.app import App, build_app
from daemon.inbound import InboundMail
from daemon.settings import load_settings
from daemon.store.migrate import upgrade

WHEN = datetime.fromisoformat("2026-11-23T10:00:00+01:00")


@pytest.fixture
def app(tmp_path: Path) -> App:
    cfg = write_config(tmp_path / "oo.toml", database_url=f"sqlite:///{tmp_path / 'oo.db'}")
    with cfg.open("a", encoding="utf-8") as fh:
        fh.write('\n[[customers]]\nname = "Kunde"\ndomains = ["kunde.dk"]\n')
    app = build_app(load_settings(cfg, environ={}), lambda: WHEN)
    upgrade(app.engine)
    run_cli("customers", "sync", config=cfg)
    return app


def deliver(app: App, sender: str, subject: str, message_id: str, answers: str = "") -> int:
    threading = f"In-Reply-To: {answers}\r\nReferences: {answers}\r\n" if answers else ""
    raw = (
        f"From: {sender}\r\nTo: support@oo.dk\r\nSubject: {subject}\r\n"
        f"Message-ID: {message_id}\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\n{threading}"
        f"\r\n{subject} tekst\r\n"
    ).encode()
    [result] = app.pipeline.ingest_batch(app.engine, [InboundMail(raw, "imap:INBOX", WHEN)])
    assert result.case_number is not None
    return result.case_number


@pytest.mark.parametrize("stranger_first", [False, True])
def test_each_sender_finds_the_case_they_belong_to_under_a_shared_message_id(
    app: App, stranger_first: bool
) -> None:
    bo = ("bo@kunde.dk", "Serveren er nede", "<m1@kunde.dk>")
    stranger = ("x@evil.example", "Hej", "<m1@kunde.dk>")
    first, second = (stranger, bo) if stranger_first else (bo, stranger)
    numbers = {first[0]: deliver(app, *first), second[0]: deliver(app, *second)}
    assert len(set(numbers.values())) == 2
    # Bo's colleague answers Bo's mail; the stranger answers their own.
    assert deliver(app, "lone@kunde.dk", "Re: Serveren er nede", "<r1@kunde.dk>",
                   "<m1@kunde.dk>") == numbers["bo@kunde.dk"]
    assert deliver(app, "x@evil.example", "Re: Hej", "<r2@evil.example>",
                   "<m1@kunde.dk>") == numbers["x@evil.example"]
