"""Staff work without mail: close, reopen, assign, re-prioritise,
note and reply at the command line, each written to the case history with who did it;
search; list filters; `cases show` as the whole case in local time.

Through `python -m daemon` as a supporter types it, against PostgreSQL (and SQLite
where the feature differs: search). Mail into the case is stored in-process through
the pipeline, as the mailbox or the SMTP listener would hand it over.
"""

from __future__ import annotations

import email.policy
import getpass
import json
import subprocess
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import pytest
from harness import cli, compose_mail, parse_mail, run_cli, sql, write_config
from sqlalchemy import text
from tnef_stream import outlook_mail, winmail

from daemon.app import App
from daemon.cli import build_parser
from daemon.clock import fixed_clock
from daemon.domain.sla import Priority
from daemon.inbound import InboundMail, IngestResult
from daemon.settings import load_settings
from daemon.store import migrate
from daemon.store.search import search_statement

TRUSTED = "mx.oo.dk; dkim=pass header.d=oo.dk header.s=s1; spf=pass smtp.mailfrom=oo.dk"
MONDAY_10 = "2026-11-23T10:00:00+01:00"  # in hours (BR-4)
CASE_KEYS = {
    "number", "reference", "subject", "status", "priority", "critical", "customer_email",
    "customer_domain", "agreement", "channel", "created_at", "review_due", "reviewed_at",
    "response_due", "resolve_due", "first_response_at", "resolved_at",
}


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    """In this module every test starts at the newest schema, copied from the session's
    migrated template (tests/conftest.py): the migration is not what these tests show,
    and a daemon or command would otherwise run it first, in a subprocess, each time."""
    return migrated_pg_url


def make_config(tmp_path: Path, url: str, **staff: str) -> Path:
    extra = {"staff": staff} if staff else None
    return write_config(tmp_path / "oo.toml", database_url=url, extra=extra)


def cli_json(*args: str, config: Path) -> Any:
    return json.loads(run_cli(*args, "--json", config=config))


def cli_fails(*args: str, config: Path) -> subprocess.CompletedProcess[str]:
    done = cli(*args, config=config)
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert done.stdout == ""
    return done


def phone_case(config: Path, subject: str = "Printeren virker ikke", sender: str = "kunde@firma.dk",
               at: str = MONDAY_10) -> int:
    made = cli_json("cases", "new", "--from", sender, "--subject", subject, "--body", "Ringede",
                    "--channel", "phone", "--now", at, "--no-send", config=config)
    return int(made["number"])


def show(config: Path, number: int) -> dict[str, Any]:
    return cli_json("cases", "show", str(number), config=config)


def history(config: Path, number: int) -> list[tuple[str, str, dict[str, Any]]]:
    return [(e["actor"], e["action"], e["detail"]) for e in show(config, number)["events"]]


def mail(
    sender: str,
    subject: str,
    body: str,
    message_id: str,
    *,
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
    attachment: tuple[str, bytes] | None = None,
) -> bytes:
    return compose_mail(sender=sender, subject=subject, body=body, message_id=message_id,
                        in_reply_to=in_reply_to, headers=headers, attachment=attachment)


def deliver(config: Path, at: str, *mails: bytes) -> list[IngestResult]:
    """Mail arriving at `at`, stored as the daemon stores what its sources hand over."""
    when = datetime.fromisoformat(at)
    app = App(load_settings(config, environ={}), fixed_clock(when))
    try:
        app.open_database("write")
        # As from the mailbox: the SMTP listener believes no Authentication-Results.
        inbound = [InboundMail(m, "imap:INBOX", when) for m in mails]
        return app.pipeline.ingest_batch(app.engine, inbound)
    finally:
        app.engine.dispose()


def customer_case(config: Path, at: str = MONDAY_10, **kwargs: Any) -> int:
    values = {"sender": "Søren Kunde <soren@firma.dk>", "subject": "Printeren virker ikke",
              "body": "Hej\n\nPrinteren på 2. sal blinker rødt.\n\nMvh Søren",
              "message_id": "<first@firma.dk>"} | kwargs
    [result] = deliver(config, at, mail(**values))
    assert result.case_number is not None
    return result.case_number


def staff_mail(number: int, body: str, message_id: str, cc: str | None = None) -> bytes:
    headers = {"Authentication-Results": TRUSTED}
    if cc:
        headers["Cc"] = cc
    return mail("Kim Supporter <kim@oo.dk>", f"Re: [OO#{number}] Printeren virker ikke", body,
                message_id, headers=headers)


def test_close_and_reopen_resolve_and_unresolve_and_say_who(tmp_path: Path, pg_url: str) -> None:
    config = make_config(tmp_path, pg_url, cli_user="Tina@OO.dk")
    number = phone_case(config)
    closed = cli_json("cases", "close", str(number), "--now", "2026-11-23T12:00:00+01:00",
                      config=config)
    assert closed.keys() >= CASE_KEYS
    assert (closed["status"], closed["resolved_at"]) == ("closed", "2026-11-23T11:00:00+00:00")
    assert closed["reviewed_at"] == "2026-11-23T11:00:00+00:00"  # staff have read it (BR-6)
    # Closing again changes nothing, the resolution time least of all.
    again = cli_json("cases", "close", str(number), "--now", "2026-11-23T15:00:00+01:00",
                     config=config)
    assert again["resolved_at"] == "2026-11-23T11:00:00+00:00"
    reopened = cli_json("cases", "reopen", str(number), "--staff", "Kim@oo.dk",
                        "--now", "2026-11-24T09:00:00+01:00", config=config)
    assert (reopened["status"], reopened["resolved_at"]) == ("open", None)
    events = show(config, number)["events"]
    assert [(e["at"], e["actor"], e["action"], e["detail"]) for e in events] == [
        ("2026-11-23T11:00:00+00:00", "tina@oo.dk", "status", {"from": "new", "to": "closed"}),
        ("2026-11-24T08:00:00+00:00", "kim@oo.dk", "status", {"from": "closed", "to": "open"}),
    ]


def test_without_staff_or_cli_user_the_login_name_is_recorded(tmp_path: Path, pg_url: str) -> None:
    config = make_config(tmp_path, pg_url)
    login = getpass.getuser().lower()  # the tests run with the caller's environment
    assert login and login != "unknown"
    number = phone_case(config)
    run_cli("time", "add", str(number), "20", "--at", MONDAY_10, config=config)
    run_cli("cases", "fee", str(number), "--amount", "100.00", "--description", "kørsel",
            config=config)
    run_cli("cases", "priority", str(number), "low", config=config)
    detail = show(config, number)
    assert [e["staff"] for e in detail["time_entries"]] == [login]
    assert sql(pg_url, "SELECT added_by FROM case_fees") == [(login,)]
    assert [(e["actor"], e["action"]) for e in detail["events"]] == [
        (login, "time"), (login, "fee"), (login, "priority"),
    ]
    # With cli_user set, that is who did it; --staff wins over both.
    config = make_config(tmp_path, pg_url, cli_user="tina@oo.dk")
    run_cli("time", "add", str(number), "5", config=config)
    run_cli("time", "add", str(number), "5", "--staff", "bo@oo.dk", config=config)
    assert [e["staff"] for e in show(config, number)["time_entries"]][1:] == [
        "tina@oo.dk", "bo@oo.dk",
    ]


def test_assign_takes_a_supporter_and_refuses_anyone_else(tmp_path: Path, pg_url: str) -> None:
    config = make_config(tmp_path, pg_url, cli_user="lead@oo.dk")
    number = phone_case(config)
    refused = cli_fails("cases", "assign", str(number), "kunde@firma.dk", config=config)
    assert refused.stderr.strip().splitlines() == [
        f"oo-support: [OO#{number}] not changed: #assign kunde@firma.dk: "
        "not a staff address"
    ]
    untouched = show(config, number)
    assert (untouched["assignee"], untouched["reviewed_at"], untouched["events"]) == (
        None, None, []
    )
    assigned = cli_json("cases", "assign", str(number), "Kim@OO.dk", config=config)
    assert assigned["assignee"] == "kim@oo.dk"
    assert history(config, number) == [("lead@oo.dk", "assign", {"from": None, "to": "kim@oo.dk"})]
    assert cli_fails("cases", "assign", "999", "kim@oo.dk", config=config).stderr.endswith(
        "oo-support: no case 999\n"
    )


def test_priorities_are_the_sla_levels() -> None:
    parser = build_parser()
    for level in Priority:
        parsed = parser.parse_args(["cases", "priority", "1", level.value])
        assert parsed.priority == level.value
        assert parser.parse_args(["cases", "list", "--priority", level.value]).priority == level
    with pytest.raises(SystemExit):
        parser.parse_args(["cases", "priority", "1", "urgent"])


def test_cli_and_mail_commands_change_a_case_alike_and_both_are_history(
    tmp_path: Path, pg_url: str
) -> None:
    config = make_config(tmp_path, pg_url)
    by_mail = customer_case(config)
    by_cli = customer_case(config, message_id="<second@firma.dk>", subject="Printeren igen")
    later = "2026-11-23T10:30:00+01:00"
    deliver(config, later, staff_mail(
        by_mail, "#priority high\n#assign Jens@oo.dk\n#time 20\n\nVi kigger på det nu.",
        "<kim-1@oo.dk>",
    ))
    run_cli("cases", "priority", str(by_cli), "high", "--staff", "kim@oo.dk", "--now", later,
            config=config)
    run_cli("cases", "assign", str(by_cli), "jens@oo.dk", "--staff", "kim@oo.dk", "--now", later,
            config=config)
    mailed, typed = show(config, by_mail), show(config, by_cli)
    # BR-11/BR-12: High from arrival on the wall clock, the same by either way.
    for key in ("priority", "assignee", "review_due", "response_due", "resolve_due",
                "reviewed_at"):
        assert mailed[key] == typed[key], key
    assert (typed["response_due"], typed["resolve_due"]) == (
        "2026-11-23T10:00:00+00:00", "2026-11-23T11:00:00+00:00"
    )
    change = [("kim@oo.dk", "priority", {"from": "normal", "to": "high"}),
              ("kim@oo.dk", "assign", {"from": None, "to": "jens@oo.dk"})]
    assert history(config, by_cli) == change
    # By mail the staff words were relayed too: the case is answered, so open.
    assert [e for e in history(config, by_mail) if e[1] not in ("reply", "status")] == change + [
        ("kim@oo.dk", "time", {"minutes": 20, "kind": "support", "after_hours": False,
                               "started_at": "2026-11-23T10:10:00+01:00"}),
    ]

    # Closed by mail, reopened by the customer's reply: both in the history, by whom.
    deliver(config, "2026-11-23T11:00:00+01:00",
            staff_mail(by_mail, "#status closed\n#internal\nLøst.", "<kim-2@oo.dk>"))
    deliver(config, "2026-11-23T12:00:00+01:00", mail(
        "Søren Kunde <soren@firma.dk>", f"Re: [OO#{by_mail}] Printeren virker ikke",
        "Den blinker igen.", "<third@firma.dk>",
    ))
    assert [e for e in history(config, by_mail) if e[1] in ("status", "note")][-3:] == [
        ("kim@oo.dk", "status", {"from": "open", "to": "closed"}),
        ("kim@oo.dk", "note", {"message_id": "<kim-2@oo.dk>"}),
        ("soren@firma.dk", "status", {"from": "closed", "to": "open"}),
    ]
    # By mail too, a customer cannot be assigned: the staff sender is told why.
    deliver(config, "2026-11-23T12:30:00+01:00",
            staff_mail(by_mail, "#assign soren@firma.dk\n#internal", "<kim-3@oo.dk>"))
    assert show(config, by_mail)["assignee"] == "jens@oo.dk"
    [(to, body)] = sql(pg_url, "SELECT to_addrs::text, body_text FROM messages "
                               "WHERE kind = 'notice' AND in_reply_to = '<kim-3@oo.dk>'")
    assert "kim@oo.dk" in to and "not a staff address" in body


def test_note_stays_internal_and_is_history(tmp_path: Path, pg_url: str) -> None:
    config = make_config(tmp_path, pg_url)
    number = customer_case(config)
    queued = sql(pg_url, "SELECT count(*) FROM outbox")[0][0]
    done = cli_json("cases", "note", str(number), "--text", "Kunden ringer tilbage i morgen.",
                    "--staff", "tina@oo.dk", "--now", "2026-11-23T10:20:00+01:00", config=config)
    detail = show(config, number)
    note = detail["messages"][-1]
    assert (note["kind"], note["from"], note["body_text"], note["message_id"]) == (
        "note", "tina@oo.dk", "Kunden ringer tilbage i morgen.", done["message_id"]
    )
    assert sql(pg_url, "SELECT count(*) FROM outbox")[0][0] == queued  # never sent
    assert detail["reviewed_at"] == "2026-11-23T09:20:00+00:00"
    assert detail["first_response_at"] is None  # a note is no answer to the customer (BR-12)
    assert history(config, number) == [
        ("tina@oo.dk", "note", {"message_id": done["message_id"]})
    ]


def test_reply_reaches_the_customer_as_a_relayed_staff_mail_does(
    tmp_path: Path, pg_url: str
) -> None:
    config = make_config(tmp_path, pg_url)
    outbox = tmp_path / "outbox"
    number = customer_case(config, attachment=("faktura.pdf", b"%PDF-1.4 " + b"x" * 2000))
    run_cli("outbox", "flush", config=config)  # the acknowledgement
    before = set(outbox.glob("*.eml"))
    done = cli_json("cases", "reply", str(number), "--text", "Hej Søren\n\nVi kommer i morgen.",
                    "--staff", "tina@oo.dk", "--now", "2026-11-23T10:40:00+01:00", config=config)
    assert done["sent"] == 1
    [eml] = set(outbox.glob("*.eml")) - before
    reply = parse_mail(eml.read_bytes())
    assert parseaddr(reply["From"])[1] == "support@oo.dk"
    assert reply["To"] == "soren@firma.dk"
    assert reply["Subject"] == f"[OO#{number}] Re: Printeren virker ikke"
    assert reply["In-Reply-To"] == "<first@firma.dk>"
    assert reply["References"].split() == ["<first@firma.dk>"]
    assert reply["Message-ID"] == done["message_id"]
    assert reply["Message-ID"].endswith("@support.oo.dk>")
    assert reply["Auto-Submitted"] is None  # a person wrote it
    body = reply.get_content()
    assert "Vi kommer i morgen." in body and "tina@oo.dk" in body

    # A staff mail relayed on the same case makes the same kind of mail.
    deliver(config, "2026-11-23T11:00:00+01:00",
            staff_mail(number, "Vi er på vej.", "<kim-1@oo.dk>"))
    run_cli("outbox", "flush", config=config)
    [relayed_eml] = set(outbox.glob("*.eml")) - before - {eml}
    relayed = parse_mail(relayed_eml.read_bytes())
    assert sorted(relayed.keys()) == sorted(reply.keys())
    for header in ("From", "To", "Subject", "In-Reply-To", "References"):
        assert relayed[header] == reply[header], header
    kinds = sql(pg_url, "SELECT m.kind, o.status FROM outbox o JOIN messages m "
                        "ON m.id = o.message_pk WHERE m.kind = 'reply' ORDER BY o.id")
    assert kinds == [("reply", "sent"), ("reply", "sent")]

    detail = show(config, number)
    out = [m for m in detail["messages"] if m["kind"] == "reply"]
    assert out[0]["direction"] == "out" and out[0]["message_id"] == done["message_id"]
    assert detail["first_response_at"] == "2026-11-23T09:40:00+00:00"  # BR-12
    assert detail["status"] == "open"
    assert ("tina@oo.dk", "reply", {"message_id": done["message_id"], "to": ["soren@firma.dk"]}) \
        in history(config, number)
    assert ("tina@oo.dk", "status", {"from": "new", "to": "open"}) in history(config, number)


def test_show_prints_the_whole_case_in_local_time(tmp_path: Path, pg_url: str) -> None:
    config = make_config(tmp_path, pg_url)
    number = customer_case(config, at="2026-11-23T10:15:00+01:00",
                           attachment=("faktura.pdf", b"%PDF-1.4 " + b"x" * 2000))
    run_cli("time", "add", str(number), "30", "--staff", "tina@oo.dk", "--at",
            "2026-11-23T13:00:00+01:00", config=config)
    run_cli("cases", "note", str(number), "--text", "Ringer i morgen.", "--staff", "tina@oo.dk",
            "--now", "2026-11-23T13:31:00+01:00", config=config)
    # Days later, unanswered: the scheduler records the breaches.
    run_cli("triage", "--once", "--no-send", "--now", "2026-11-27T12:00:00+01:00", config=config)
    detail = show(config, number)
    assert {"response_breach", "resolve_breach"} <= {a["kind"] for a in detail["alerts"]}
    assert detail["messages"][0]["attachments"] == [
        {"filename": "faktura.pdf", "content_type": "application/pdf", "size": 2009}
    ]

    table = run_cli("cases", "show", str(number), config=config)
    lines = table.splitlines()
    assert lines[0] == f"[OO#{number}] Printeren virker ikke"
    assert "customer      soren@firma.dk  (firma.dk, agreement: no)" in lines
    assert "created       2026-11-23 10:15" in lines
    assert "review due    2026-11-23 11:15  (reviewed 2026-11-23 13:31)" in lines
    assert "--- 2026-11-23 10:15  in customer  from soren@firma.dk  to support@oo.dk" in lines
    assert "Printeren på 2. sal blinker rødt." in lines
    assert "[attachment] faktura.pdf  application/pdf  2.0 KB" in lines
    assert "--- 2026-11-23 13:31  in note  from tina@oo.dk  to support@oo.dk" in lines
    assert any(line.split() == ["2026-11-23", "13:00", "30", "support", "tina@oo.dk", "no",
                                "547.50"] for line in lines)
    assert "Billing: 30 min billable, 0 min covered; 547.50 + VAT 136.88 = 684.38 DKK" in lines
    assert any(line.split() == ["2026-11-27", "12:00", "response_breach"] for line in lines)
    assert any(line.split()[:4] == ["2026-11-23", "13:31", "tina@oo.dk", "note"]
               for line in lines)
    assert any(line.split()[2:] == ["tina@oo.dk", "time", "30", "min", "support"]
               for line in lines)
    # Local minutes only: no UTC offsets, seconds or microseconds from the JSON.
    assert "+00:00" not in table and "T09:" not in table and ":00.0" not in table


def test_list_filters(tmp_path: Path, pg_url: str) -> None:
    config = make_config(tmp_path, pg_url, cli_user="lead@oo.dk")
    a = phone_case(config, "Printer", "kunde@firma.dk", MONDAY_10)
    b = phone_case(config, "Netværk nede", "anna@andet.dk", "2026-11-23T10:05:00+01:00")
    c = phone_case(config, "Ny bruger", "bo@firma.dk", "2026-11-23T10:10:00+01:00")
    run_cli("cases", "assign", str(a), "kim@oo.dk", "--now", "2026-11-23T10:20:00+01:00",
            config=config)
    run_cli("cases", "priority", str(b), "high", "--now", "2026-11-23T10:20:00+01:00",
            config=config)
    run_cli("cases", "close", str(c), "--now", "2026-11-23T10:20:00+01:00", config=config)

    def listed(*args: str) -> list[int]:
        return [case["number"] for case in cli_json("cases", "list", *args, config=config)]

    assert listed() == [b, a]
    assert listed("--customer", "firma.dk") == [a]
    assert listed("--customer", "@Firma.DK", "--status", "all") == [c, a]
    assert listed("--priority", "high") == [b]
    assert listed("--priority", "normal", "--status", "closed") == [c]
    assert listed("--assigned", "Kim@oo.dk") == [a]
    assert listed("--assigned", "none") == [b]
    # Overdue: a deadline passed and not met. All three were reviewed at 10:20 by the
    # commands above; b is High, so its answer is due at 11:05 on the wall clock.
    assert listed("--overdue", "--now", "2026-11-23T11:00:00+01:00") == []
    assert listed("--overdue", "--now", "2026-11-23T11:06:00+01:00") == [b]
    assert listed("--overdue", "--now", "2026-11-24T10:00:00+01:00") == [b, a]
    assert listed("--overdue", "--status", "all", "--now", "2026-11-24T10:00:00+01:00") == [b, a]
    table = run_cli("cases", "list", "--customer", "firma.dk", "--overdue", "--now",
                    "2026-11-24T10:00:00+01:00", config=config)
    assert table.splitlines()[-1] == (
        "1 case (open, customer firma.dk, overdue); ! = critical; times in Europe/Copenhagen"
    )


@pytest.fixture(params=["postgresql", "sqlite"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'oo.db'}"
    return request.getfixturevalue("pg_url")


def test_search_finds_danish_word_forms_best_first(tmp_path: Path, db_url: str) -> None:
    config = make_config(tmp_path, db_url, cli_user="tina@oo.dk")
    results = deliver(
        config, MONDAY_10,
        mail("a@firma.dk", "Ny printer til kontoret", "Vi skal have sat en printer op.",
             "<a@firma.dk>"),
        mail("b@andet.dk", "Skærm", "Skærmene flimrer, når printeren udskriver.", "<b@andet.dk>"),
        mail("c@tredje.dk", "Adgangskode udløbet", "Jeg kan ikke logge på.", "<c@tredje.dk>"),
    )
    a, b, c = (r.case_number for r in results)
    run_cli("cases", "note", str(c), "--text", "Ny adgangskode givet over telefonen.",
            config=config)
    run_cli("cases", "reply", str(a), "--text", "Teknikeren kommer torsdag.", "--no-send",
            config=config)

    def found(query: str) -> list[int]:
        matches = cli_json("cases", "search", query, config=config)
        assert all(m.keys() >= CASE_KEYS for m in matches)
        return [m["number"] for m in matches]

    assert found("printeren") == [a, b]  # a: subject and text; b: only its text
    assert found("skærmen") == [b]
    assert found("telefon") == [c]  # an internal note is searched
    assert found("teknikerne") == [a]  # and a reply
    assert sorted(found("skærm or adgangskoden")) == [b, c]
    assert found("printer -skærme") == [a]
    assert found(f"[OO#{c}]") == [c]
    assert found(str(b)) == [b]
    assert found("henvendelse") == []  # the acknowledgements' words are not the cases'
    table = run_cli("cases", "search", "printeren", config=config).splitlines()
    assert table[0].split()[:3] == ["case", "status", "priority"]
    assert table[-1].startswith("2 cases matching 'printeren', best first")

    # What was stored before the search existed is found too (the migration fills it).
    engine = App(load_settings(config, environ={})).engine
    config_alembic = migrate.alembic_config()
    from alembic import command

    with engine.begin() as conn:
        config_alembic.attributes["connection"] = conn
        command.downgrade(config_alembic, "0006")
    migrate.upgrade(engine)
    engine.dispose()
    assert found("printeren") == [a, b]
    assert found("telefonen") == [c]


def test_postgresql_search_uses_its_indexes(tmp_path: Path, pg_url: str) -> None:
    config = make_config(tmp_path, pg_url)
    customer_case(config)
    app = App(load_settings(config, environ={}))
    statement = search_statement("postgresql", "printeren", 50)
    assert statement is not None
    with app.engine.connect() as conn:
        compiled = statement.compile(dialect=conn.dialect)
        conn.execute(text("SET enable_seqscan = off"))  # a tiny table would be scanned
        plan = "\n".join(
            row[0] for row in conn.exec_driver_sql("EXPLAIN " + compiled.string, compiled.params)
        )
    app.engine.dispose()
    assert "ix_cases_search" in plan and "ix_messages_search" in plan, plan


def test_attachments_get_writes_each_file_under_a_safe_name_and_never_overwrites(
    tmp_path: Path, pg_url: str
) -> None:
    config = make_config(tmp_path, pg_url)
    msg = EmailMessage()
    msg["From"], msg["To"] = "Søren Kunde <soren@firma.dk>", "support@oo.dk"
    msg["Subject"], msg["Message-ID"] = "Fakturaen", "<files@firma.dk>"
    msg.set_content("Se vedhæftede filer.")
    pdf, script, second = b"%PDF-1.4 rapport", b"#!/bin/sh\nrm -rf ~\n", b"%PDF-1.4 version 2"
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="rapport.pdf")
    # A name is the sender's text: a path out of the directory, a hidden file.
    msg.add_attachment(script, maintype="text", subtype="x-sh", filename="../../.profile")
    msg.add_attachment(second, maintype="application", subtype="pdf", filename="Rapport.pdf")
    [result] = deliver(config, MONDAY_10, msg.as_bytes(policy=email.policy.SMTP))
    number = result.case_number
    assert number is not None
    out = tmp_path / "filer"
    out.mkdir()
    (out / "rapport.pdf").write_bytes(b"staff's own file")  # there already: kept

    written = cli_json("attachments", "get", str(number), "--out", str(out), config=config)

    assert [(w["filename"], Path(w["path"]).name) for w in written] == [
        ("rapport.pdf", "rapport (2).pdf"),
        (".profile", "profile"),  # the parser kept only the last part of the path
        ("Rapport.pdf", "Rapport (3).pdf"),
    ]
    assert sorted(p.name for p in out.iterdir()) == [
        "Rapport (3).pdf", "profile", "rapport (2).pdf", "rapport.pdf"
    ]
    assert not (tmp_path / ".profile").exists()
    assert (out / "rapport.pdf").read_bytes() == b"staff's own file"
    assert (out / "rapport (2).pdf").read_bytes() == pdf
    assert (out / "profile").read_bytes() == script
    assert (out / "Rapport (3).pdf").read_bytes() == second
    assert [w["written_bytes"] for w in written] == [len(pdf), len(script), len(second)]
    # What cases show lists is what get writes.
    listed = [a["filename"] for m in show(config, number)["messages"] for a in m["attachments"]]
    assert listed == [w["filename"] for w in written]


def test_the_files_inside_an_outlook_winmail_dat_are_listed_and_written(
    tmp_path: Path, pg_url: str
) -> None:
    """Issue 15: Outlook's winmail.dat with the files listed, so staff can open them."""
    config = make_config(tmp_path, pg_url)
    contract = bytes(range(256)) * 40  # 10 KB: a body the parser would not see unread
    tnef = winmail([("KONTRA~1.PDF", "Kontrakt for Søren Ærø.pdf", contract, True)])
    [result] = deliver(config, MONDAY_10, outlook_mail(tnef))
    number = result.case_number
    assert number is not None
    listed = [(a["filename"], a["size"]) for m in show(config, number)["messages"]
              for a in m["attachments"]]
    assert listed == [("winmail.dat", len(tnef)), ("Kontrakt for Søren Ærø.pdf", len(contract))]
    written = cli_json("attachments", "get", str(number), "--out", str(tmp_path / "f"),
                       config=config)
    assert [Path(w["path"]).read_bytes() for w in written] == [tnef, contract]
    assert Path(written[1]["path"]).name == "Kontrakt for Søren Ærø.pdf"


def test_oncall_fee_only_where_br10_puts_it_unless_forced_and_then_logged(
    tmp_path: Path, pg_url: str
) -> None:
    """BR-10: the fee is for a non-critical call to the on-call duty, i.e. after hours,
    not for a mail."""
    config = make_config(tmp_path, pg_url)
    in_hours = phone_case(config, subject="Printeren virker ikke", at=MONDAY_10)
    evening = "2026-11-23T20:00:00+01:00"  # Monday after hours (BR-4)
    critical = phone_case(config, subject="Kontoen er låst", at=evening)  # BR-9
    ordinary = phone_case(config, subject="Printeren virker ikke", at=evening)

    refused = cli_fails("cases", "fee", str(in_hours), "--oncall", config=config)
    assert "business hours" in refused.stderr and "--force" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    refused = cli_fails("cases", "fee", str(critical), "--oncall", config=config)
    assert "critical" in refused.stderr
    assert show(config, in_hours)["fees"] == show(config, critical)["fees"] == []

    # A mail sent on Saturday morning is no call to the on-call duty.
    saturday_mail = customer_case(config, at="2026-11-28T10:00:00+01:00")
    refused = cli_fails("cases", "fee", str(saturday_mail), "--oncall", config=config)
    assert "by email" in refused.stderr and "--force" in refused.stderr
    assert show(config, saturday_mail)["fees"] == []

    cli_json("cases", "fee", str(ordinary), "--oncall", "--staff", "vagt@oo.dk", config=config)
    assert [f["amount"] for f in show(config, ordinary)["fees"]] == ["1000.00"]
    assert "forced" not in history(config, ordinary)[-1][2]

    # One call, one fee (BR-10: "pålagt et gebyr ... ved opstart af opgave"): a second
    # --oncall (a retyped command, the web desk's form sent twice) is refused.
    refused = cli_fails("cases", "fee", str(ordinary), "--oncall", config=config)
    assert "already" in refused.stderr and "--force" in refused.stderr
    assert [f["amount"] for f in show(config, ordinary)["fees"]] == ["1000.00"]

    cli_json("cases", "fee", str(in_hours), "--oncall", "--force", "--staff", "kim@oo.dk",
             config=config)
    assert [f["amount"] for f in show(config, in_hours)["fees"]] == ["1000.00"]
    actor, action, detail = history(config, in_hours)[-1]
    assert (actor, action) == ("kim@oo.dk", "fee")
    assert "business hours" in detail["forced"]
    # The table of `cases show` says it was forced, and why, as the JSON does.
    table = run_cli("cases", "show", str(in_hours), config=config)
    assert "(forced: the case came in during business hours" in table
