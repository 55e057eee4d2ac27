"""A customer's domain in any of its spellings is the customer (redteam25a; BR-19,
BR-22): `bo@kunde.dk.`, an internationalised domain written as typed or in its ASCII
form, and a [[customers]] entry written either way. Missed, the case was opened as
"no agreement" (billed in full) and a colleague's mail could not join it by domain."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from harness import parse_mail, run_cli, write_config
from sqlalchemy import text

from daemon.app import App, build_app
from daemon.inbound import InboundMail
from daemon.settings import load_settings
from daemon.store.migrate import upgrade

WHEN = datetime.fromisoformat("2026-11-23T10:00:00+01:00")
CUSTOMERS = """
[[customers]]
name = "Kunde"
domains = ["kunde.dk"]

[[customers]]
name = "Blåbær"
domains = ["blåbær.dk"]

[[customers]]
name = "Rødgrød"
domains = ["xn--rdgrd-vuad.dk", "Grød.DK."]
"""


@pytest.fixture
def desk(tmp_path: Path) -> tuple[App, Path]:
    cfg = write_config(tmp_path / "oo.toml", database_url=f"sqlite:///{tmp_path / 'oo.db'}")
    with cfg.open("a", encoding="utf-8") as fh:
        fh.write(CUSTOMERS)
    app = build_app(load_settings(cfg, environ={}), lambda: WHEN)
    upgrade(app.engine)
    run_cli("customers", "sync", config=cfg)
    return app, cfg


def deliver(
    app: App, sender: str, message_id: str, subject: str = "Printer", answers: str = ""
) -> int:
    replying = f"In-Reply-To: {answers}\r\n" if answers else ""
    raw = (
        f"From: {sender}\r\nTo: support@oo.dk\r\nSubject: {subject}\r\n{replying}"
        f"Message-ID: {message_id}\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nPrinteren virker ikke.\r\n"
    ).encode()
    [result] = app.pipeline.ingest_batch(app.engine, [InboundMail(raw, "imap:INBOX", WHEN)])
    assert result.case_number is not None
    return result.case_number


@pytest.mark.parametrize(
    ("sender", "domain"),
    [
        ("bo@kunde.dk.", "kunde.dk"),
        ("Bo@KUNDE.DK.", "kunde.dk"),
        ("bo@xn--blbr-roah.dk", "blåbær.dk"),
        ("bo@BLÅBÆR.DK", "blåbær.dk"),
        ("bo@rødgrød.dk", "rødgrød.dk"),
        ("bo@xn--rdgrd-vuad.dk", "rødgrød.dk"),
        ("bo@grød.dk", "grød.dk"),
        ("bo@xn--grd-1na.dk.", "grød.dk"),
    ],
)
def test_a_customer_in_another_spelling_is_the_customer(
    desk: tuple[App, Path], sender: str, domain: str
) -> None:
    app, _cfg = desk
    case = app.reads.case(deliver(app, sender, "<m1@x.example>"))
    assert (case["customer_domain"], case["agreement"]) == (domain, True)


def test_a_look_alike_of_a_customer_domain_is_no_customer(desk: tuple[App, Path]) -> None:
    app, _cfg = desk
    for number, sender in enumerate(["bo@xn--kunde-.dk", "bo@ｋｕｎｄｅ.dk"]):
        case = app.reads.case(deliver(app, sender, f"<m{number}@x.example>"))
        assert case["agreement"] is False, sender


def test_a_colleague_writing_the_domain_another_way_joins_by_domain(
    desk: tuple[App, Path],
) -> None:
    app, _cfg = desk
    number = deliver(app, "bo@xn--blbr-roah.dk", "<first@x.example>")
    joined = deliver(app, "lone@blåbær.dk", "<second@x.example>", f"Re: [OO#{number}] Printer")
    assert joined == number


def test_cases_move_takes_the_customer_in_another_spelling(desk: tuple[App, Path]) -> None:
    app, cfg = desk
    number = deliver(app, "privat@gmail.example", "<p@gmail.example>")
    moved = json.loads(run_cli("cases", "move", str(number), "--customer", "XN--BLBR-ROAH.DK.",
                               "--json", config=cfg))
    assert (moved["customer_domain"], moved["agreement"]) == ("blåbær.dk", True)


def test_the_ack_to_an_internationalised_domain_goes_to_its_ascii_form(
    desk: tuple[App, Path], tmp_path: Path
) -> None:
    """`bo@blåbær.dk` was answered `To: =?utf-8?b?...?=` (an encoded word is no address)
    and, over a relay, refused for good: "not sendable without SMTPUTF8". Its domain's
    ASCII form needs no SMTPUTF8 (RFC 5890); only a non-ASCII local part does."""
    app, _cfg = desk
    deliver(app, "Bo <bo@blåbær.dk>", "<idn@x.example>")
    app.flush_outbox()
    [ack] = [parse_mail(p.read_bytes()) for p in (tmp_path / "outbox").glob("*.eml")]
    assert ack["To"] == "bo@xn--blbr-roah.dk"
    with app.engine.connect() as conn:
        [recipients] = conn.execute(text("SELECT recipients FROM outbox")).scalars()
    assert "bo@xn--blbr-roah.dk" in str(recipients) and "blåbær" not in str(recipients)


QUOTED = ['"bo"@gmail.example', '"b\\o"@gmail.example', '"bo"@GMAIL.example.']


@pytest.mark.parametrize("spelling", QUOTED)
def test_a_needlessly_quoted_address_is_the_same_sender(
    desk: tuple[App, Path], spelling: str
) -> None:
    """`"bo"@gmail.example` is bo@gmail.example (RFC 5321 4.1.2: a quoted local part
    that needs no quotes names the same mailbox). Compared as written, Bo's reply from
    a client that quotes opened a new case, and each spelling had an ack limit of its
    own: an ack flood to one mailbox through five an hour per spelling."""
    app, _cfg = desk
    number = deliver(app, "bo@gmail.example", "<q1@gmail.example>")
    reply = deliver(app, spelling, "<q2@gmail.example>", "Re: Printer", "<q1@gmail.example>")
    assert reply == number
    assert app.reads.case(number)["customer_email"] == "bo@gmail.example"


def test_the_ack_limit_counts_every_spelling_of_one_mailbox(
    desk: tuple[App, Path], tmp_path: Path
) -> None:
    app, _cfg = desk
    spellings = ["bo@gmail.example", *QUOTED]
    for number in range(12):
        deliver(app, spellings[number % len(spellings)], f"<f{number}@gmail.example>",
                f"Ny sag {number}")
    app.flush_outbox()
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 5  # [support] default 5/hour


@pytest.mark.parametrize("written", ["blåbær.dk", "XN--BLBR-ROAH.DK.", "@Blåbær.dk"])
def test_cases_list_finds_a_customer_by_any_spelling(desk: tuple[App, Path], written: str) -> None:
    app, cfg = desk
    number = deliver(app, "bo@xn--blbr-roah.dk", "<l1@x.example>")
    found = json.loads(run_cli("cases", "list", "--customer", written, "--json", config=cfg))
    assert [case["number"] for case in found] == [number]


def test_the_ack_limit_counts_an_idn_mailbox_in_both_forms(
    desk: tuple[App, Path], tmp_path: Path
) -> None:
    """Acks go out to the ASCII form while the sender may write the domain as typed:
    counted by spelling, the per-address limit never met the acks it had sent."""
    app, _cfg = desk
    for number in range(8):
        sender = "bo@blåbær.dk" if number % 2 else "bo@xn--blbr-roah.dk"
        deliver(app, sender, f"<i{number}@x.example>", f"Ny sag {number}")
        app.flush_outbox()
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 5
