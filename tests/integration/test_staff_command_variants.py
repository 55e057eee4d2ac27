"""Staff commands as technicians really write them, through the real daemon (Dovecot,
PostgreSQL, an SMTP sink): Danish words, units of time, colons, HTML-only mail, and
commands where they are not read (INTERFACE.md "Staff by email"; BR-12, BR-15, BR-17).

Red team 24a: on main each of these either logged no time, relayed the command line
(or an internal note) to the customer, or left a misplaced command silently unapplied.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from harness import compose_mail, sql
from test_conversations import TRUSTED, Desk, mail, open_case

from daemon.app import build_app
from daemon.settings import load_settings

MONDAY_MORNING = datetime.fromisoformat("2026-11-23T10:00:00+01:00")  # open (BR-4)


@pytest.fixture
def desk(tmp_path: Path, dovecot, smtp_sink, migrated_pg_url: str) -> Desk:
    desk = Desk(tmp_path, dovecot, smtp_sink, migrated_pg_url)
    desk.app = build_app(load_settings(desk.config, environ={}), lambda: MONDAY_MORNING)
    return desk


def staff_mail(number: int, body: str, message_id: str, **kwargs: object) -> bytes:
    return mail(sender="Tina Tekniker <tina@oo.dk>", subject=f"SV: [OO#{number}] Printeren",
                body=body, message_id=message_id,
                headers={"Authentication-Results": TRUSTED}, **kwargs)  # type: ignore[arg-type]


def to_customer(desk: Desk) -> list[str]:
    return [m.get_body(("plain",)).get_content() for m in desk.sent()
            if m["To"] == "soren@kunde.dk" and m["Auto-Submitted"] is None]


def notices(desk: Desk) -> list[str]:
    return [m.get_body(("plain",)).get_content() for m in desk.sent() if m["To"] == "tina@oo.dk"]


def test_danish_commands_with_colons_and_units_are_applied(desk: Desk) -> None:
    number, _ack = open_case(desk)
    body = "#Tid: 1 t 15 min\n#status: lukket\n#prioritet høj\n\nHej Søren\n\nDen virker nu.\n"
    desk.deliver(staff_mail(number, body, "<dk@oo.dk>"))
    case = desk.case(number)
    assert (case["status"], case["priority"]) == ("closed", "high")
    # 75 minutes at 1,095.00 an hour, by the minute (BR-15, BR-17), worked in hours.
    assert [(e["minutes"], e["amount"]) for e in case["time_entries"]] == [(75, "1368.75")]
    [relayed] = to_customer(desk)
    assert "Den virker nu." in relayed
    assert not {"#status", "#Tid", "lukket", "#prioritet"} & set(relayed.split())
    assert notices(desk) == []


def test_an_html_only_reply_with_an_invisible_first_character_is_read(desk: Desk) -> None:
    number, _ack = open_case(desk)
    html = ("<html><body><p>&#8203;#time 0:45</p><p class=MsoNormal>\uff03status closed</p>"
            "<p>Hej S&oslash;ren</p><p>Printeren er skiftet.</p></body></html>")
    raw = compose_mail(sender="tina@oo.dk", to="support@oo.dk", subject=f"[OO#{number}] x",
                       body="", message_id="<html@oo.dk>",
                       headers={"Authentication-Results": TRUSTED})
    head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
    head = b"\r\n".join(line for line in head.splitlines()
                        if not line.lower().startswith((b"content-type", b"content-transfer",
                                                        b"mime-version")))
    raw = head + (b"\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n"
                  b"Content-Transfer-Encoding: 8bit\r\n\r\n") + html.encode()
    desk.deliver(raw)
    case = desk.case(number)
    assert case["status"] == "closed"
    assert [e["minutes"] for e in case["time_entries"]] == [45]
    [relayed] = to_customer(desk)
    assert "Printeren er skiftet." in relayed and "time" not in relayed and "status" not in relayed


def test_internal_after_a_greeting_is_kept_from_the_customer_and_reported(desk: Desk) -> None:
    number, _ack = open_case(desk)
    body = "Hej,\n#internal\nKunden har ikke betalt sidste faktura.\n"
    desk.deliver(staff_mail(number, body, "<late-internal@oo.dk>"))
    assert to_customer(desk) == []  # the note never left
    kinds = {m["message_id"]: m["kind"] for m in desk.case(number)["messages"]}
    assert kinds["<late-internal@oo.dk>"] == "note"
    [notice] = notices(desk)
    assert "#internal" in notice and "internal note" in notice


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("Hej Søren,\n\n#status closed\n\nDen virker nu.\n", "#status closed"),
        ("Tid: 1 t 15 min\n\nHej Søren, den virker nu.\n", "Tid: 1 t 15 min"),
        ("Luk sagen.\n", "Luk sagen."),
    ],
)
def test_a_misplaced_command_is_not_applied_and_the_sender_is_told(
    desk: Desk, body: str, line: str
) -> None:
    number, _ack = open_case(desk)
    desk.deliver(staff_mail(number, body, "<misplaced@oo.dk>"))
    case = desk.case(number)
    assert case["status"] != "closed" and case["time_entries"] == []
    [notice] = notices(desk)
    assert line in notice and "not applied" in notice
    assert sql(desk.pg_url, "SELECT count(*) FROM time_entries") == [(0,)]


def test_time_logged_at_the_console_is_priced_as_the_same_time_logged_by_mail(
    tmp_path: Path, dovecot, smtp_sink, migrated_pg_url: str
) -> None:
    """BR-16 ("Alle henvendelser, som vi sætter i gang udenfor normal åbningstid"): the
    surcharge depends on when the work *started*. Logged at 16:10 on a Monday, 30
    minutes of work started at 15:40, in normal hours, whether logged by `#time 30` or
    in the web console (CaseWork.add_time without an instant); on main the console
    took 16:10 as the start and billed the double rate."""
    desk = Desk(tmp_path, dovecot, smtp_sink, migrated_pg_url)
    logged_at = datetime.fromisoformat("2026-11-23T16:10:00+01:00")
    desk.app = build_app(load_settings(desk.config, environ={}), lambda: logged_at)
    number, _ack = open_case(desk)
    desk.deliver(staff_mail(number, "#time 30\n#internal\n", "<time-mail@oo.dk>"))
    desk.app.work.add_time(number, 30, "support", "tina@oo.dk")
    entries = desk.case(number)["time_entries"]
    assert [(e["after_hours"], e["amount"]) for e in entries] == [(False, "547.50")] * 2
    assert len({e["at"] for e in entries}) == 1  # both started at 15:40


def test_a_staff_reply_naming_two_cases_is_kept_as_a_note_and_sent_to_no_customer(
    desk: Desk,
) -> None:
    """A technician answers an old mail of Søren's case and changes the subject to
    Mette's case: on main Mette's answer went to Søren (another customer), Søren's
    case was closed and billed 20 minutes. Now neither case is changed or answered."""
    first, _ack = open_case(desk)
    desk.deliver(mail(sender="Mette <mette@andet.dk>", subject="Outlook",
                      body="Outlook virker ikke", message_id="<b@andet.dk>"))
    second = first + 1
    body = "#status closed\n#time 20\n\nHej Mette, Outlook virker nu.\n"
    desk.deliver(mail(sender="tina@oo.dk", subject=f"SV: [OO#{second}] Outlook", body=body,
                      message_id="<two-cases@oo.dk>", in_reply_to="<first@kunde.dk>",
                      headers={"Authentication-Results": TRUSTED}))
    customers = [m["To"] for m in desk.sent() if m["Auto-Submitted"] is None]
    assert customers == []  # no staff words relayed to anyone
    soren, mette = desk.case(first), desk.case(second)
    assert (soren["status"], soren["time_entries"]) == ("new", [])
    assert (mette["status"], mette["time_entries"]) == ("new", [])
    kept = {m["message_id"]: m for m in mette["messages"]}["<two-cases@oo.dk>"]
    assert kept["kind"] == "note" and "Outlook virker nu." in kept["body_text"]
    [notice] = notices(desk)
    assert f"case {first}" in notice and f"case {second}" in notice


def test_a_staff_reply_on_a_case_linked_to_a_long_closed_one_is_relayed(desk: Desk) -> None:
    """The same customer's two cases are no conflict: a reply to a long-closed case opens
    a new linked case whose mail keeps the old reference in its subject; staff answering
    that mail reach the customer on the new case, as before."""
    old, _ack = open_case(desk)
    desk.deliver(staff_mail(old, "#status closed\n#internal\n", "<close-old@oo.dk>"))
    later = datetime.fromisoformat("2026-12-21T10:00:00+01:00")  # past the reopen window
    desk.app = build_app(load_settings(desk.config, environ={}), lambda: later)
    desk.deliver(mail(subject=f"SV: [OO#{old}] Printeren virker ikke", body="Den er gal igen.",
                      message_id="<again@kunde.dk>", in_reply_to="<first@kunde.dk>"))
    new = old + 1
    assert desk.case(new)["status"] == "new"
    desk.deliver(staff_mail(old, "#time 10\n\nHej Søren, jeg kigger på den.\n",
                            "<on-linked@oo.dk>", in_reply_to="<again@kunde.dk>"))
    assert any("jeg kigger på den" in text for text in to_customer(desk))
    assert [e["minutes"] for e in desk.case(new)["time_entries"]] == [10]
    assert notices(desk) == []


def test_a_staff_reply_on_a_colleagues_case_linked_to_a_long_closed_one_is_relayed(
    desk: Desk,
) -> None:
    """review24b: the linked case of a registered customer may be a colleague's (Mette
    of kunde.dk answers Søren's long-closed case: a new case linked to it, hers). Staff
    answering her mail name her case by In-Reply-To and Søren's by the subject: two
    addresses, but the new case was opened from the old one, so it is no mis-threaded
    mail. Held back before the fix: Mette got no answer, Tina a refusal."""
    with desk.config.open("a", encoding="utf-8") as fh:
        fh.write('\n[[customers]]\nname = "Kunde"\ndomains = ["kunde.dk"]\n')
    desk.app = build_app(load_settings(desk.config, environ={}), lambda: MONDAY_MORNING)
    desk.app.prepare_database()
    old, _ack = open_case(desk)
    desk.deliver(staff_mail(old, "#status closed\n#internal\n", "<close-old@oo.dk>"))
    later = datetime.fromisoformat("2026-12-21T10:00:00+01:00")  # past the reopen window
    desk.app = build_app(load_settings(desk.config, environ={}), lambda: later)
    desk.deliver(mail(sender="Mette Kunde <mette@kunde.dk>",
                      subject=f"SV: [OO#{old}] Printeren virker ikke", body="Den er gal igen.",
                      message_id="<mette-again@kunde.dk>", in_reply_to="<first@kunde.dk>"))
    new = old + 1
    assert desk.case(new)["customer_email"] == "mette@kunde.dk"
    desk.deliver(staff_mail(old, "#time 10\n\nHej Mette, jeg kigger på den.\n",
                            "<on-mettes@oo.dk>", in_reply_to="<mette-again@kunde.dk>"))
    assert any("jeg kigger på den" in m.get_body(("plain",)).get_content() for m in desk.sent()
               if m["To"] == "mette@kunde.dk" and m["Auto-Submitted"] is None)
    assert [e["minutes"] for e in desk.case(new)["time_entries"]] == [10]
    assert notices(desk) == []


@pytest.mark.parametrize("logged", ["2026-11-23T08:05:00+01:00", "2026-12-01T00:10:00+01:00"])
def test_time_logged_just_after_hours_end_is_surcharged_alike_by_mail_and_console(
    tmp_path: Path, dovecot, smtp_sink, migrated_pg_url: str, logged: str
) -> None:
    """review24b: 30 minutes logged at 08:05 on a Monday, or at 00:10 on the 1st,
    began at 07:35 or at 23:40 the month before, by the entry's own record: after hours
    (BR-16, "som vi sætter i gang udenfor normal åbningstid"), by mail and in the
    console alike. Before the fix neither was surcharged at 08:05, as the logging
    instant was in hours."""
    desk = Desk(tmp_path, dovecot, smtp_sink, migrated_pg_url)
    logged_at = datetime.fromisoformat(logged)
    desk.app = build_app(load_settings(desk.config, environ={}), lambda: logged_at)
    number, _ack = open_case(desk)
    desk.deliver(staff_mail(number, "#time 30\n#internal\n", "<time-mail@oo.dk>"))
    desk.app.work.add_time(number, 30, "support", "tina@oo.dk")
    entries = desk.case(number)["time_entries"]
    assert [(e["after_hours"], e["amount"]) for e in entries] == [(True, "1095.00")] * 2
    [started] = {e["at"] for e in entries}
    assert datetime.fromisoformat(started) == logged_at - timedelta(minutes=30)
