"""Acceptance: threading, staff by email, commands, loop safety, against real
Dovecot, PostgreSQL and an SMTP sink."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from harness import compose_mail, parse_mail, run_cli, sql, write_config
from sqlalchemy import event

from daemon.app import App, build_app
from daemon.settings import load_settings
from daemon.store.migrate import upgrade

TRUSTED = "mx.oo.dk; dkim=pass header.d=oo.dk header.s=s1; spf=pass smtp.mailfrom=oo.dk"


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    """In this module every test starts at the newest schema, copied from the session's
    migrated template (tests/conftest.py): the migration is not what these tests show,
    and a daemon or command would otherwise run it first, in a subprocess, each time."""
    return migrated_pg_url


class Desk:
    """The daemon in-process, with helpers to send mail into its mailbox."""

    def __init__(self, tmp_path: Path, dovecot, smtp_sink, pg_url: str) -> None:
        self.config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                                   smtp_out=smtp_sink)
        self.app: App = build_app(load_settings(self.config, environ={}))
        upgrade(self.app.engine)
        self.dovecot, self.sink, self.pg_url = dovecot, smtp_sink, pg_url

    def deliver(self, *mails: bytes) -> dict[str, int]:
        self.dovecot.append("INBOX", mails)
        source = self.app.imap_source()
        try:
            report = source.poll_once()
        finally:
            source.close()
        self.app.flush_outbox()
        return vars(report)

    def case(self, number: int) -> dict:
        return json.loads(run_cli("cases", "show", str(number), "--json", config=self.config))

    def sent(self) -> list[EmailMessage]:
        return [parse_mail(m.data) for m in self.sink.messages]

    def only_case_number(self) -> int:
        [(number,)] = sql(self.pg_url, "SELECT number FROM cases")
        return number


@pytest.fixture
def desk(tmp_path: Path, dovecot, smtp_sink, pg_url: str) -> Desk:
    return Desk(tmp_path, dovecot, smtp_sink, pg_url)


def mail(
    sender: str = "Søren Hansen <soren@kunde.dk>",
    subject: str = "Printeren virker ikke",
    body: str = "Hej\n\nPrinteren på 2. sal virker ikke.\n\nMvh Søren",
    to: str = "support@oo.dk",
    cc: str | None = None,
    message_id: str = "<first@kunde.dk>",
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    return compose_mail(sender=sender, subject=subject, body=body, to=to, cc=cc,
                        message_id=message_id, in_reply_to=in_reply_to, headers=headers)


def open_case(desk: Desk) -> tuple[int, EmailMessage]:
    assert desk.deliver(mail())["created"] == 1
    [ack] = desk.sent()
    return desk.only_case_number(), ack


@pytest.mark.parametrize("prefix", ["Re: ", "SV: ", "AW: ", "VS: SV: ", "Fwd: "])
def test_reply_with_tag_joins_case_without_new_ack(desk: Desk, prefix: str) -> None:
    number, ack = open_case(desk)
    reply = mail(subject=f"{prefix}[OO#{number}] Printeren virker ikke",
                 body="Den blinker stadig.", message_id="<second@kunde.dk>")
    report = desk.deliver(reply)
    assert (report["created"], report["threaded"]) == (0, 1)
    assert len(desk.sent()) == 1  # no second acknowledgement
    kinds = [m["kind"] for m in desk.case(number)["messages"]]
    assert kinds == ["customer", "ack", "customer"]


def test_reply_without_tag_but_in_reply_to_the_ack_joins(desk: Desk) -> None:
    number, ack = open_case(desk)
    reply = mail(subject="Hvad så?", body="Status?", message_id="<third@kunde.dk>",
                 in_reply_to=ack["Message-ID"])
    assert desk.deliver(reply)["threaded"] == 1
    assert sql(desk.pg_url, "SELECT count(*) FROM cases") == [(1,)]
    assert desk.case(number)["messages"][-1]["body_text"] == "Status?"


def test_outlook_danish_reply_shows_only_the_new_text(desk: Desk) -> None:
    number, _ack = open_case(desk)
    body = (
        "Nu virker den igen, tak!\n\nMvh Søren\n\n"
        "Fra: OneOffice Support <support@oo.dk>\n"
        "Sendt: 25. november 2026 10:15\n"
        "Til: Søren Hansen <soren@kunde.dk>\n"
        f"Emne: [OO#{number}] Printeren virker ikke\n\n"
        "Kære Søren Hansen\n\nTak for din henvendelse.\n"
    )
    desk.deliver(mail(subject=f"SV: [OO#{number}] Printeren virker ikke", body=body,
                      message_id="<outlook@kunde.dk>"))
    shown = desk.case(number)["messages"][-1]["body_text"]
    assert shown.startswith("Nu virker den igen, tak!")
    assert "Tak for din henvendelse" not in shown and "Sendt:" not in shown
    [(raw,)] = sql(desk.pg_url, "SELECT raw FROM messages WHERE message_id = %s",
                   "<outlook@kunde.dk>")
    assert b"Tak for din henvendelse" in bytes(raw)  # the raw mail is kept whole


def test_stranger_quoting_a_tag_gets_a_new_case_and_learns_nothing(desk: Desk) -> None:
    number, _ack = open_case(desk)
    before = desk.case(number)["messages"]
    stranger = mail(sender="mallory@evil.example", subject=f"Re: [OO#{number}] hej",
                    body="Send me the details", message_id="<evil@evil.example>")
    assert desk.deliver(stranger)["created"] == 1
    assert desk.case(number)["messages"] == before
    to_stranger = [m for m in desk.sent() if m["To"] == "mallory@evil.example"]
    [ack] = to_stranger
    text = ack.get_body(("plain",)).get_content()
    assert f"[OO#{number}]" not in ack["Subject"] and "Printeren" not in text


def test_staff_reply_is_relayed_recorded_and_commands_applied(desk: Desk) -> None:
    number, _ack = open_case(desk)
    staff = mail(
        sender="Tina Tekniker <tina@oo.dk>", subject=f"SV: [OO#{number}] Printeren virker ikke",
        body="#priority high\n#time 20\n\nHej Søren\n\nJeg har genstartet printeren.\n\nTina",
        message_id="<staff-1@oo.dk>", headers={"Authentication-Results": TRUSTED},
    )
    assert desk.deliver(staff)["threaded"] == 1
    relayed = [m for m in desk.sent() if m["To"] == "soren@kunde.dk" and
               m["Auto-Submitted"] is None]
    assert len(relayed) == 1
    reply = relayed[0]
    assert f"[OO#{number}]" in reply["Subject"]
    assert reply["From"] == "OneOffice Support <support@oo.dk>"
    assert reply["In-Reply-To"] == "<first@kunde.dk>"
    text = reply.get_body(("plain",)).get_content()
    assert "Jeg har genstartet printeren." in text and "#priority" not in text
    case = desk.case(number)
    assert case["priority"] == "high"
    assert case["first_response_at"] is not None
    assert case["status"] == "open"
    assert [m["kind"] for m in case["messages"]] == ["customer", "ack", "staff", "reply"]
    [(minutes, kind, staff_addr)] = sql(desk.pg_url,
                                        "SELECT minutes, kind, staff FROM time_entries")
    assert (minutes, kind, staff_addr) == (20, "support", "tina@oo.dk")
    desk.deliver(staff)  # the same mail again changes nothing
    assert len(desk.sent()) == 2


def test_internal_note_is_not_sent(desk: Desk) -> None:
    number, _ack = open_case(desk)
    note = mail(sender="tina@oo.dk", subject=f"[OO#{number}] note",
                body="#internal\n#status waiting\nKunden skal bestille toner.",
                message_id="<note@oo.dk>", headers={"Authentication-Results": TRUSTED})
    desk.deliver(note)
    assert len(desk.sent()) == 1  # only the original ack
    case = desk.case(number)
    assert case["status"] == "waiting"
    assert case["first_response_at"] is None  # a note is no response (BR-12)
    assert case["messages"][-1]["kind"] == "note"


def test_staff_mail_to_customer_with_support_in_cc_is_recorded_not_sent(desk: Desk) -> None:
    number, _ack = open_case(desk)
    direct = mail(sender="tina@oo.dk", to="soren@kunde.dk", cc="support@oo.dk",
                  subject=f"[OO#{number}] Printeren", body="Jeg kommer kl. 14.",
                  message_id="<direct@oo.dk>", headers={"Authentication-Results": TRUSTED})
    desk.deliver(direct)
    assert len(desk.sent()) == 1
    case = desk.case(number)
    assert case["first_response_at"] is not None
    assert case["messages"][-1]["kind"] == "staff"


def test_invalid_command_is_answered_to_the_staff_sender(desk: Desk) -> None:
    number, _ack = open_case(desk)
    staff = mail(sender="tina@oo.dk", subject=f"[OO#{number}] x",
                 body="#priority urgent\n#internal\nnote", message_id="<bad@oo.dk>",
                 headers={"Authentication-Results": TRUSTED})
    desk.deliver(staff)
    [notice] = [m for m in desk.sent() if m["To"] == "tina@oo.dk"]
    assert "#priority urgent" in notice.get_body(("plain",)).get_content()
    assert desk.case(number)["priority"] == "normal"


def test_staff_domain_without_trusted_authentication_is_a_customer(desk: Desk) -> None:
    number, _ack = open_case(desk)
    forged = mail(sender="tina@oo.dk", subject=f"SV: [OO#{number}] Printeren",
                  body="#priority high\n#status closed\nLukket.", message_id="<forged@x>",
                  headers={"Authentication-Results": "evil.example; dkim=pass header.d=oo.dk"})
    report = desk.deliver(forged)
    assert report["created"] == 1  # not a participant: a case of its own, not a staff reply
    case = desk.case(number)
    assert (case["priority"], case["status"]) == ("normal", "new")
    assert case["first_response_at"] is None
    [(flags,)] = sql(desk.pg_url, "SELECT flags FROM cases WHERE customer_email = 'tina@oo.dk'")
    assert "unverified staff sender" in flags
    assert not [m for m in desk.sent() if m["To"] == "soren@kunde.dk" and
                m["Auto-Submitted"] is None]


def test_an_unverified_staff_mail_on_a_case_it_is_cc_on_does_not_make_it_critical(
    desk: Desk,
) -> None:
    """BR-7, BR-10: a mail from a staff domain nothing vouches for joins the case it is
    Cc'd on as a customer's would (flagged), but it is our side telling of the
    customer's trouble, or a forger of our domain: it does not make the case critical
    nor page the on-call duty. Before: critical and High on "din konto var låst"."""
    assert desk.deliver(mail(cc="Tina <tina@oo.dk>"))["created"] == 1
    number = desk.only_case_number()
    unverified = mail(sender="tina@oo.dk", subject=f"SV: [OO#{number}] Printeren virker ikke",
                      body="Hej Søren\n\nDin konto var låst; jeg har nulstillet din adgangskode.",
                      message_id="<unverified@oo.dk>")
    assert desk.deliver(unverified)["threaded"] == 1
    case = desk.case(number)
    assert (case["critical"], case["priority"]) == (False, "normal")


# Trace fields as the hops add them, newest on top: the mailbox's delivery,
# the border MTA's own Received, under which lies whatever the sender wrote.
DELIVERY = "Received: from mx.oo.dk by imap.oo.dk with LMTP; Mon, 23 Nov 2026 10:15:02 +0100"
BORDER = ("Received: from mail.evil.example (mail.evil.example [192.0.2.66])\r\n"
          "\tby mx.oo.dk (Postfix) with ESMTPS id 4Vt8Xb0Qz1; Mon, 23 Nov 2026 10:15:01 +0100")


def traced(raw: bytes, *fields: str) -> bytes:
    """`raw` with header fields prepended, top first, as the hops on its way add them."""
    return "".join(f"{field}\r\n" for field in fields).encode() + raw


def staff_reply(number: int, message_id: str, body: str = "#priority high\n#status closed\n"
                "\nKære Søren\n\nSvar med dit kodeord.") -> bytes:
    return mail(sender="Tina <tina@oo.dk>", subject=f"SV: [OO#{number}] Printeren virker ikke",
                body=body, message_id=message_id)


def test_lenient_authentication_results_of_issue_14_are_not_believed(desk: Desk) -> None:
    """Item 2's list: ids not exactly ours, a pass below our border's fail, SPF alone."""
    number, _ack = open_case(desk)
    claims = ['"mx.oo.dk"', "mx.oo.dk.", "(x)mx.oo.dk", "MX.OO.DK", "mx.oo.dk 1"]
    forged = [traced(staff_reply(number, f"<forged-{i}@oo.dk>"), DELIVERY, BORDER,
                     f"Authentication-Results: {claim}; dkim=pass header.d=oo.dk")
              for i, claim in enumerate(claims)]
    forged.append(traced(staff_reply(number, "<below-fail@oo.dk>"), DELIVERY,
                         "Authentication-Results: mx.oo.dk; spf=fail smtp.mailfrom=oo.dk", BORDER,
                         "Authentication-Results: mx.oo.dk; dkim=pass header.d=oo.dk"))
    forged.append(traced(staff_reply(number, "<spf-only@oo.dk>"), DELIVERY,
                         "Authentication-Results: mx.oo.dk; spf=pass smtp.mailfrom=tina@oo.dk",
                         BORDER))
    assert desk.deliver(*forged)["created"] == len(forged)  # each a customer of its own
    case = desk.case(number)
    assert (case["priority"], case["status"]) == ("normal", "new")
    assert [m["kind"] for m in case["messages"]] == ["customer", "ack"]
    flags = sql(desk.pg_url, "SELECT flags FROM cases WHERE customer_email = 'tina@oo.dk'")
    assert len(flags) == len(forged)
    assert all("unverified staff sender" in case_flags for (case_flags,) in flags)
    assert not [m for m in desk.sent() if m["To"] == "soren@kunde.dk" and
                m["Auto-Submitted"] is None]


def test_only_the_border_mtas_topmost_authentication_results_count(desk: Desk) -> None:
    number, _ack = open_case(desk)
    # The border says fail; a pass written by the sender lies below it: not staff.
    below = traced(staff_reply(number, "<below@oo.dk>"), DELIVERY,
                   "Authentication-Results: mx.oo.dk; dkim=fail header.d=oo.dk", BORDER,
                   "Authentication-Results: mx.oo.dk; dkim=pass header.d=oo.dk")
    assert desk.deliver(below)["created"] == 1
    assert desk.case(number)["priority"] == "normal"
    # The border says pass; an older fail below changes nothing: staff.
    genuine = traced(staff_reply(number, "<genuine@oo.dk>", "#priority high\n\nDen er skiftet."),
                     DELIVERY, "Authentication-Results: mx.oo.dk; dkim=pass header.d=oo.dk",
                     BORDER, "Authentication-Results: mx.oo.dk; dkim=fail header.d=oo.dk")
    assert desk.deliver(genuine)["threaded"] == 1
    assert desk.case(number)["priority"] == "high"
    [relayed] = [m for m in desk.sent() if m["To"] == "soren@kunde.dk" and
                 m["Auto-Submitted"] is None]
    assert "Den er skiftet." in relayed.get_body(("plain",)).get_content()


def test_out_of_office_reply_is_recorded_without_answer(desk: Desk) -> None:
    number, ack = open_case(desk)
    ooo = mail(subject=f"Automatisk svar: [OO#{number}] Printeren virker ikke",
               body="Jeg er på ferie.", message_id="<ooo@kunde.dk>",
               in_reply_to=ack["Message-ID"], headers={"Auto-Submitted": "auto-replied"})
    assert desk.deliver(ooo)["threaded"] == 1
    assert len(desk.sent()) == 1
    assert desk.case(number)["messages"][-1]["kind"] == "auto"


def test_newsletter_is_ignored_kept_and_filed(desk: Desk) -> None:
    news = mail(sender="news@vendor.example", subject="Nyhedsbrev", message_id="<n@v>",
                headers={"List-Id": "<news.vendor.example>"})
    assert desk.deliver(news)["ignored"] == 1
    assert sql(desk.pg_url, "SELECT count(*) FROM cases") == [(0,)]
    assert desk.sent() == []
    [kept] = json.loads(run_cli("ignored", "list", "--json", config=desk.config))
    assert kept["kind"] == "ignored" and "List-Id" in kept["reason"]
    assert desk.dovecot.count("Ignored") == 1


def test_autoresponder_without_headers_gets_at_most_five_acks_an_hour(desk: Desk) -> None:
    bot = [mail(sender="bot@loop.example", subject=f"Thank you for your mail {i}",
                body=f"We got your message {i}.", message_id=f"<bot-{i}@loop.example>")
           for i in range(8)]
    desk.deliver(*bot[:3])
    desk.deliver(*bot[3:])
    assert sql(desk.pg_url, "SELECT count(*) FROM cases") == [(8,)]
    assert len(desk.sent()) == 5
    suppressed = sql(desk.pg_url, "SELECT count(*) FROM cases WHERE flags::text LIKE "
                                  "'%suppressed%'")
    assert suppressed == [(3,)]


def test_bounce_of_an_ack_marks_it_failed(desk: Desk) -> None:
    number, ack = open_case(desk)
    report = (
        "From: MAILER-DAEMON@mx.kunde.dk\r\nTo: support@oo.dk\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-1@mx.kunde.dk>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.kunde.dk\r\n\r\n"
        "Final-Recipient: rfc822; soren@kunde.dk\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {ack['Message-ID']}\r\nSubject: {ack['Subject']}\r\n"
        "--B--\r\n"
    ).encode()
    assert desk.deliver(report)["threaded"] == 1
    [(status, error)] = sql(desk.pg_url, "SELECT o.status, o.last_error FROM outbox o JOIN "
                                         "messages m ON m.id = o.message_pk WHERE m.kind = 'ack'")
    assert status == "failed" and "5.1.1" in error
    assert desk.case(number)["messages"][-1]["kind"] == "bounce"


def test_encoded_line_breaks_in_subject_add_no_headers(desk: Desk) -> None:
    raw = (
        b"From: kunde@firma.dk\r\nTo: support@oo.dk\r\nMessage-ID: <inj@firma.dk>\r\n"
        b"Subject: =?utf-8?q?Hj=C3=A6lp=0D=0ABcc:_x@y.example?=\r\n\r\nbody\r\n"
    )
    desk.deliver(raw)
    [ack] = desk.sent()
    assert ack["Bcc"] is None
    assert len(ack.get_all("Subject")) == 1
    assert desk.sink.messages[0].recipients == ["kunde@firma.dk"]


def test_command_only_reply_over_quoted_history_relays_nothing(desk: Desk) -> None:
    number, _ack = open_case(desk)
    body = (
        "#status closed\n\n"
        "Fra: Søren Hansen <soren@kunde.dk>\nSendt: 25. november 2026 10:15\n"
        f"Til: support@oo.dk\nEmne: [OO#{number}] Printeren virker ikke\n\n"
        "Hej\n\nPrinteren på 2. sal virker ikke.\n"
    )
    staff = mail(sender="tina@oo.dk", subject=f"SV: [OO#{number}] Printeren virker ikke",
                 body=body, message_id="<close@oo.dk>",
                 headers={"Authentication-Results": TRUSTED})
    desk.deliver(staff)
    assert len(desk.sent()) == 1  # the ack only: nothing relayed
    case = desk.case(number)
    assert case["status"] == "closed" and case["resolved_at"] is not None


def test_customer_reply_reopens_a_recently_closed_case(desk: Desk) -> None:
    number, _ack = open_case(desk)
    close = mail(sender="tina@oo.dk", subject=f"[OO#{number}] x", body="#status closed\n",
                 message_id="<close2@oo.dk>", headers={"Authentication-Results": TRUSTED})
    desk.deliver(close)
    again = mail(subject=f"SV: [OO#{number}] Printeren virker ikke", body="Den er gal igen",
                 message_id="<again@kunde.dk>")
    assert desk.deliver(again)["threaded"] == 1
    case = desk.case(number)
    assert case["status"] == "open" and case["resolved_at"] is None


@pytest.mark.parametrize(
    ("at", "after_hours", "amount"),
    [("2026-11-23T10:00:00+01:00", False, "456.25"),  # Monday morning: list price
     ("2026-11-23T20:00:00+01:00", True, "912.50")],  # Monday evening: double (BR-16)
)
def test_time_from_staff_mail_and_cli_show_with_amounts(
    desk: Desk, at: str, after_hours: bool, amount: str
) -> None:
    """`#time 25` and `time add` priced in `cases show --json`."""
    when = datetime.fromisoformat(at)
    desk.app = build_app(load_settings(desk.config, environ={}), lambda: when)
    number, _ack = open_case(desk)
    staff = mail(sender="tina@oo.dk", subject=f"[OO#{number}] x", body="#time 25\n#internal\n",
                 message_id="<time@oo.dk>", headers={"Authentication-Results": TRUSTED})
    desk.deliver(staff)
    run_cli("time", "add", str(number), "60", "--kind", "senior", "--staff", "bo@oo.dk",
            "--at", "2026-11-23T10:00:00+01:00", config=desk.config)
    shown = desk.case(number)
    entries = sorted(shown["time_entries"], key=lambda e: e["minutes"])
    from_mail, from_cli = entries
    assert (from_mail["minutes"], from_mail["kind"], from_mail["staff"]) == (25, "support",
                                                                             "tina@oo.dk")
    # The mail arrived at `at` (a fixed clock): its hours decide the rate (BR-16).
    assert (from_mail["after_hours"], from_mail["amount"]) == (after_hours, amount)
    assert (from_cli["kind"], from_cli["after_hours"], from_cli["amount"]) == (
        "senior", False, "1895.00")  # BR-15
    assert shown["billing"]["billable_minutes"] == 85


# Found in review: mail that depends on mail of the same pass.
def test_reply_in_the_same_pass_as_its_original_joins_its_case(desk: Desk) -> None:
    first = mail(message_id="<a@kunde.dk>")
    forgot = mail(subject="Re: Printeren virker ikke", body="Glemte at sige: HP LaserJet.",
                  message_id="<b@kunde.dk>", in_reply_to="<a@kunde.dk>")
    report = desk.deliver(first, forgot)
    assert (report["created"], report["threaded"]) == (1, 1)
    assert len(desk.sent()) == 1


def test_customer_reply_after_staff_close_in_the_same_pass_reopens(desk: Desk) -> None:
    number, _ack = open_case(desk)
    close = mail(sender="tina@oo.dk", subject=f"[OO#{number}] x", body="#status closed\n",
                 message_id="<close3@oo.dk>", headers={"Authentication-Results": TRUSTED})
    again = mail(subject=f"SV: [OO#{number}] Printeren", body="Den er gal igen",
                 message_id="<again3@kunde.dk>")
    desk.deliver(close, again)
    assert desk.case(number)["status"] == "open"


def test_two_replies_on_one_closed_case_in_one_run_reopen_it_once(desk: Desk) -> None:
    """The conversation step reads a run's cases at once: the second reply, on the
    same case in the same run, must see the case the first reopened (one "status"
    event), not the closed row read before it."""
    number, ack = open_case(desk)
    close = mail(sender="tina@oo.dk", subject=f"[OO#{number}] x", body="#status closed\n",
                 message_id="<close4@oo.dk>", headers={"Authentication-Results": TRUSTED})
    desk.deliver(close)
    # No case number in the subjects and different mails answered: one run, one case.
    first = mail(subject="Printeren", body="Den er gal igen", message_id="<r1@kunde.dk>",
                 in_reply_to="<first@kunde.dk>")
    second = mail(subject="Hvad så?", body="Stadig gal", message_id="<r2@kunde.dk>",
                  in_reply_to=ack["Message-ID"])
    assert desk.deliver(first, second)["threaded"] == 2
    case = desk.case(number)
    moves = [e["detail"] for e in case["events"] if e["action"] == "status"]
    assert moves == [{"from": "new", "to": "closed"}, {"from": "closed", "to": "open"}]


def test_staff_reply_all_is_not_relayed_twice(desk: Desk) -> None:
    number, _ack = open_case(desk)
    reply_all = mail(sender="tina@oo.dk", to="support@oo.dk", cc="soren@kunde.dk",
                     subject=f"SV: [OO#{number}] Printeren", body="Jeg ser på det nu.",
                     message_id="<all@oo.dk>", headers={"Authentication-Results": TRUSTED})
    desk.deliver(reply_all)
    assert len(desk.sent()) == 1  # the customer had it in Cc: nothing relayed
    assert desk.case(number)["first_response_at"] is not None


def test_commands_alone_are_no_response_to_the_customer(desk: Desk) -> None:
    number, _ack = open_case(desk)
    only = mail(sender="tina@oo.dk", subject=f"[OO#{number}] x", body="#priority medium\n",
                message_id="<only@oo.dk>", headers={"Authentication-Results": TRUSTED})
    desk.deliver(only)
    case = desk.case(number)
    assert case["priority"] == "medium"
    assert case["first_response_at"] is None  # BR-12: nothing reached the customer
    assert case["reviewed_at"] is not None


def test_delay_notice_does_not_fail_the_ack(desk: Desk) -> None:
    _number, ack = open_case(desk)
    delayed = (
        "From: MAILER-DAEMON@mx.kunde.dk\r\nTo: support@oo.dk\r\nSubject: Delayed Mail\r\n"
        "Message-ID: <delay-1@mx.kunde.dk>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nStill trying.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        "Final-Recipient: rfc822; soren@kunde.dk\r\nAction: delayed\r\nStatus: 4.4.7\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {ack['Message-ID']}\r\n--B--\r\n"
    ).encode()
    desk.deliver(delayed)
    assert sql(desk.pg_url, "SELECT o.status, o.last_error FROM outbox o JOIN messages m "
                            "ON m.id = o.message_pk WHERE m.kind = 'ack'") == [("sent", None)]


def test_quoted_history_does_not_make_a_new_case_critical(desk: Desk) -> None:
    old = (
        "Tak, det virker nu. Luk bare sagen.\n\n"
        "Den man. 2. nov. 2026 kl. 10.15 skrev Søren Hansen <soren@kunde.dk>:\n"
        "> Min konto er låst og jeg kan ikke logge på.\n"
    )
    desk.deliver(mail(subject="Re: gammel sag", body=old, message_id="<old-thread@kunde.dk>"))
    assert sql(desk.pg_url, "SELECT critical FROM cases") == [(False,)]


def test_a_forwarded_outage_is_critical_by_what_it_passes_on(desk: Desk) -> None:
    """A forward's matter is below the writer's note (BR-8): the quote is not history
    here, so the triage reads it, and the case says why it is critical."""
    forward = (
        "Hej, kan I se på nedenstående fra vores afdeling i Aarhus?\n\n"
        "-----Oprindelig meddelelse-----\n"
        "Fra: Lise Holm <lise@kunde.dk>\nSendt: 4. december 2026 08:12\n"
        "Til: Søren Hansen <soren@kunde.dk>\nEmne: Ingen net\n\n"
        "Ingen af os herude har internet siden i morges, vi kan ikke arbejde.\n"
    )
    desk.deliver(mail(subject="VS: Ingen net", body=forward, message_id="<fwd@kunde.dk>"))
    [(critical, reason)] = sql(desk.pg_url, "SELECT critical, critical_reason FROM cases")
    assert critical is True
    assert "internet" in reason


def test_assign_only_to_staff_and_time_capped_per_mail(desk: Desk) -> None:
    """A staff mailbox in the wrong hands (or a slip) cannot send a case's alerts to an
    outsider, nor put a week of senior work on it: both are refused with an answer."""
    number, _ack = open_case(desk)
    body = "#assign attacker@evil.example\n" + "#time 1440 senior\n" * 100 + "#internal\n"
    desk.deliver(mail(sender="tina@oo.dk", subject=f"[OO#{number}] x", body=body,
                      message_id="<grab@oo.dk>", headers={"Authentication-Results": TRUSTED}))
    assert sql(desk.pg_url, "SELECT assignee FROM cases") == [(None,)]
    # 1440 is over the 480 minutes one mail may log: every line of it is refused.
    assert sql(desk.pg_url, "SELECT count(*) FROM time_entries") == [(0,)]
    [answer] = [m for m in desk.sent() if m["To"] == "tina@oo.dk"]
    text = answer.get_body(("plain",)).get_content()
    assert "attacker@evil.example: not a staff address" in text
    assert "at most 480 minutes" in text

    # Within the limits it works: a staff address, and time up to 8 hours in one mail.
    body = "#assign bo@oo.dk\n#time 240\n#time 240\n#time 1\n#internal\n"
    desk.deliver(mail(sender="tina@oo.dk", subject=f"[OO#{number}] x", body=body,
                      message_id="<ok@oo.dk>", headers={"Authentication-Results": TRUSTED}))
    assert sql(desk.pg_url, "SELECT assignee FROM cases") == [("bo@oo.dk",)]
    assert sql(desk.pg_url, "SELECT sum(minutes) FROM time_entries") == [(480,)]


def test_a_leaked_message_id_lets_no_stranger_in_nor_reopen(desk: Desk) -> None:
    number, ack = open_case(desk)
    before = desk.case(number)["messages"]
    stranger = mail(sender="mallory@evil.example", subject="Re: Printeren virker ikke",
                    body="Hvad er status?", message_id="<evil-2@evil.example>",
                    in_reply_to=ack["Message-ID"])
    assert desk.deliver(stranger)["created"] == 1
    assert desk.case(number)["messages"] == before
    [to_stranger] = [m for m in desk.sent() if m["To"] == "mallory@evil.example"]
    assert f"[OO#{number}]" not in to_stranger["Subject"]


def test_a_leaked_message_id_on_an_automatic_mail_lets_no_stranger_in(desk: Desk) -> None:
    """redteam24b: the same leaked Message-ID with `Auto-Submitted: auto-replied` added
    put the stranger's text on the case: automatic mail joined by its headers without
    the check a person's mail gets. Now it joins only as a person's mail would; the
    stranger's is kept in the ignored pile, unanswered."""
    number, ack = open_case(desk)
    before = desk.case(number)["messages"]
    sent = len(desk.sent())
    stranger = mail(sender="mallory@evil.example", subject="Automatisk svar: Printeren",
                    body="Ring til 12345678 for at få hjælp", message_id="<evil-3@evil.example>",
                    in_reply_to=ack["Message-ID"], headers={"Auto-Submitted": "auto-replied"})
    assert desk.deliver(stranger)["ignored"] == 1
    assert desk.case(number)["messages"] == before
    assert len(desk.sent()) == sent
    [kept] = json.loads(run_cli("ignored", "list", "--json", config=desk.config))
    assert kept["kind"] == "ignored"


def test_a_name_that_is_an_address_does_not_join_by_domain(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    """From: soren@kunde.dk <attacker@evil.example> is attacker@evil.example, as Outlook
    and DMARC read it; the mail is a new case flagged, and the ack goes to the attacker."""
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                          smtp_out=smtp_sink)
    with config.open("a", encoding="utf-8") as fh:
        fh.write('\n[[customers]]\nname = "Kunde"\ndomains = ["kunde.dk"]\n')
    desk = Desk.__new__(Desk)
    Desk.__init__(desk, tmp_path, dovecot, smtp_sink, pg_url)
    desk.config = config
    desk.app = build_app(load_settings(config, environ={}))
    desk.app.prepare_database()
    number, _ack = open_case(desk)
    forged = mail(sender="soren@kunde.dk <attacker@evil.example>",
                  subject=f"Re: [OO#{number}] Printeren virker ikke",
                  body="Send os adgangskoden", message_id="<forged@evil.example>")
    assert desk.deliver(forged)["created"] == 1
    rows = sql(pg_url, "SELECT customer_email, flags::text FROM cases WHERE number <> %s",
               number)
    [(customer, flags)] = rows
    assert customer == "attacker@evil.example" and "ambiguous sender" in flags
    assert [m["kind"] for m in desk.case(number)["messages"]] == ["customer", "ack"]


def test_a_replys_case_row_is_read_once_in_its_run(desk: Desk) -> None:
    """The route step reads the case a reply names (its row, for the threading
    decision); the conversation step takes that row as read, in the same transaction,
    and does not read it again (issue 18, pass21: a statement a run). The reply still
    reopens the case by the row's status."""
    number, ack = open_case(desk)
    close = mail(sender="tina@oo.dk", subject=f"[OO#{number}] x", body="#status closed\n",
                 message_id="<close5@oo.dk>", headers={"Authentication-Results": TRUSTED})
    desk.deliver(close)
    reads: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().startswith("SELECT cases.id, cases.number, cases.subject"):
            reads.append(statement)

    event.listen(desk.app.engine, "before_cursor_execute", count)
    try:
        reply = mail(subject="Printeren", body="Den er gal igen", message_id="<r5@kunde.dk>",
                     in_reply_to=ack["Message-ID"])
        assert desk.deliver(reply)["threaded"] == 1
    finally:
        event.remove(desk.app.engine, "before_cursor_execute", count)
    assert len(reads) == 1
    assert desk.case(number)["status"] == "open"


def test_a_reply_is_judged_on_the_case_as_another_transaction_left_it(desk: Desk) -> None:
    """A customer answers a waiting case while staff close it (`cases close`, the
    console, another daemon: their own transaction). The reply is judged on the case
    as it is (BR-2, customer_reply_effect: "decided on the case as it is now"): the
    close comes first (the reply reopens the case) or after it (the case stays closed),
    never half of each. pass21 judged the reply on the row the route step had read:
    a close committed in between was not seen, the reply "woke" the case, and its
    status went back to open with the close's resolved_at kept (out of the resolve
    SLA and the critical paging, which take resolved_at as solved)."""
    number, ack = open_case(desk)
    note = mail(sender="tina@oo.dk", subject=f"[OO#{number}] note",
                body="#internal\n#status waiting\nVenter på kunden.",
                message_id="<wait6@oo.dk>", headers={"Authentication-Results": TRUSTED})
    desk.deliver(note)
    assert desk.case(number)["status"] == "waiting"
    store = next(step for step in desk.app.pipeline.steps if type(step).__name__ == "Store")
    finish, closing = store.finish, threading.Thread(
        target=desk.app.work.apply, args=(number, "status", "closed", "tina@oo.dk")
    )

    def close_meanwhile(run):  # type: ignore[no-untyped-def]
        finish(run)
        if closing.ident is None:  # between the route step and the conversation step
            closing.start()
            # Until it committed, or waits for this transaction's lock on the case.
            for _ in range(600):
                closing.join(0.05)
                if not closing.is_alive() or sql(desk.pg_url, WAITING_FOR_A_LOCK):
                    break

    store.finish = close_meanwhile
    reply = mail(subject="Printeren", body="Nu virker den", message_id="<r6@kunde.dk>",
                 in_reply_to=ack["Message-ID"])
    assert desk.deliver(reply)["threaded"] == 1
    closing.join(30)
    assert not closing.is_alive()
    [(status, resolved_at)] = sql(desk.pg_url, "SELECT status, resolved_at FROM cases")
    assert (status, resolved_at is None) in {("open", True), ("closed", False)}


WAITING_FOR_A_LOCK = (
    "SELECT pid FROM pg_stat_activity"
    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
)
