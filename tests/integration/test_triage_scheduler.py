"""Acceptance: reminders, escalation, on-call pages and SLA breaches, each once,
with `triage --once --now T` against PostgreSQL, IMAP and an SMTP sink."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from pathlib import Path

import pytest
from harness import (
    REPO,
    clean_env,
    compose_mail,
    customer_mail,
    parse_mail,
    run_cli,
    sql,
    write_config,
)

# Monday 23 November 2026, 10:00 in Copenhagen (09:00 UTC): normal hours.
MONDAY_10 = "2026-11-23T10:00:00+01:00"


def config_with_registry(tmp_path: Path, dovecot, smtp_sink, pg_url: str) -> Path:
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                          smtp_out=smtp_sink,
                          extra={"staff": {"team_lead": "chef@oo.dk",
                                           "primary": "team@oo.dk", "secondary": "team@oo.dk"}})
    with config.open("a", encoding="utf-8") as fh:
        fh.write(
            "\n[[customers]]\nname = \"Firma A/S\"\ndomains = [\"firma0.dk\"]\n"
            "agreement = true\nprimary = \"tina@oo.dk\"\nsecondary = \"bo@oo.dk\"\n"
        )
    return config


def triage(config: Path, now: str) -> dict[str, int]:
    return json.loads(run_cli("triage", "--once", "--now", now, "--json", config=config))


def sent_to(smtp_sink, address: str) -> list[EmailMessage]:
    return [parse_mail(m.data) for m in smtp_sink.messages if address in m.recipients]


@pytest.fixture
def one_case(tmp_path: Path, dovecot, smtp_sink, pg_url: str) -> tuple[Path, int]:
    config = config_with_registry(tmp_path, dovecot, smtp_sink, pg_url)
    dovecot.append("INBOX", [customer_mail(0)])  # kunde0@firma0.dk, a customer of Tina's
    run_cli("poll", "--once", "--now", MONDAY_10, config=config)
    [(number, review_due)] = sql(pg_url, "SELECT number, review_due FROM cases")
    assert review_due.isoformat() == "2026-11-23T10:00:00+00:00"  # 11:00 local (BR-6)
    return config, number


def test_reminder_at_45_minutes_and_escalation_at_60_each_once(
    one_case: tuple[Path, int], smtp_sink, pg_url: str
) -> None:
    config, number = one_case
    assert triage(config, "2026-11-23T10:40:00+01:00")["review_reminder"] == 0
    assert triage(config, "2026-11-23T10:45:00+01:00")["review_reminder"] == 1
    assert triage(config, "2026-11-23T10:50:00+01:00")["review_reminder"] == 0  # not twice
    [reminder] = sent_to(smtp_sink, "tina@oo.dk")  # the customer's primary supporter (BR-19)
    assert f"[OO#{number}]" in reminder["Subject"]
    assert reminder["Auto-Submitted"] == "auto-generated"

    assert triage(config, "2026-11-23T11:00:00+01:00")["review_escalation"] == 1
    assert triage(config, "2026-11-23T11:30:00+01:00")["review_escalation"] == 0
    assert len(sent_to(smtp_sink, "bo@oo.dk")) == 1  # the secondary supporter
    assert len(sent_to(smtp_sink, "chef@oo.dk")) == 1  # and the team lead
    assert sent_to(smtp_sink, "vagt@oo.dk") == []  # in hours and not critical: no page


def test_two_concurrent_passes_send_each_alert_once(
    one_case: tuple[Path, int], smtp_sink, pg_url: str
) -> None:
    config, _number = one_case
    command = [sys.executable, "-m", "daemon", "triage", "--once", "--now",
               "2026-11-23T11:05:00+01:00", "--json", "--config", str(config)]

    def run() -> dict[str, int]:
        done = subprocess.run(command, capture_output=True, text=True, env=clean_env(),
                              cwd=REPO, timeout=120, check=True)
        return json.loads(done.stdout)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: run(), range(4)))
    assert sum(r["review_escalation"] for r in results) == 1
    assert sql(pg_url, "SELECT kind, count(*) FROM alerts GROUP BY kind ORDER BY kind") == [
        ("review_escalation", 1),
    ]
    assert len(sent_to(smtp_sink, "chef@oo.dk")) == 1


def test_reply_in_time_means_no_escalation(one_case: tuple[Path, int], smtp_sink, pg_url) -> None:
    config, number = one_case
    sql(pg_url, "UPDATE cases SET reviewed_at = '2026-11-23T09:30:00+00:00', "
                "first_response_at = '2026-11-23T09:30:00+00:00'")
    counts = triage(config, "2026-11-23T16:00:00+01:00")
    assert counts["review_escalation"] == 0 and counts["response_breach"] == 0


def test_sla_breach_recorded_once(one_case: tuple[Path, int], smtp_sink, pg_url: str) -> None:
    config, number = one_case
    # Normal: respond within 4 business hours (BR-11): due Monday 14:00 local.
    [(response_due,)] = sql(pg_url, "SELECT response_due FROM cases")
    assert response_due.isoformat() == "2026-11-23T13:00:00+00:00"
    assert triage(config, "2026-11-23T13:45:00+01:00")["response_warning"] == 1
    assert triage(config, "2026-11-23T14:00:00+01:00")["response_breach"] == 1
    assert triage(config, "2026-11-23T15:00:00+01:00")["response_breach"] == 0
    assert sql(pg_url, "SELECT count(*) FROM alerts WHERE kind = 'response_breach'") == [(1,)]
    listed = json.loads(run_cli("cases", "list", "--json", config=config))
    for key in ("review_due", "reviewed_at", "response_due", "resolve_due",
                "first_response_at", "resolved_at"):
        assert key in listed[0]
    assert listed[0]["response_due"] == "2026-11-23T13:00:00+00:00"


def test_warnings_before_a_business_deadline_come_in_business_time(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    """BR-7: the review hour runs in normal hours, so its reminder is due at 45 minutes
    of it (issue 4), and an SLA warning 30 minutes of open time before a deadline in
    normal hours (BR-12). A Normal case at Thursday 15:10 is due for review Friday
    08:10: 15 wall-clock minutes before that is 07:55 on Friday, before anyone is in;
    45 open minutes is Thursday 15:55. Its resolution is due Monday 08:10, and the
    warning comes Friday 14:40, not at 07:40 on Monday."""
    config = config_with_registry(tmp_path, dovecot, smtp_sink, pg_url)
    dovecot.append("INBOX", [customer_mail(0)])
    run_cli("poll", "--once", "--now", "2026-11-26T15:10:00+01:00", config=config)
    [(review_due, resolve_due)] = sql(pg_url, "SELECT review_due, resolve_due FROM cases")
    assert review_due.isoformat() == "2026-11-27T07:10:00+00:00"  # Friday 08:10 local
    assert resolve_due.isoformat() == "2026-11-30T07:10:00+00:00"  # Monday 08:10 local
    assert triage(config, "2026-11-26T15:54:00+01:00")["review_reminder"] == 0
    assert triage(config, "2026-11-26T15:55:00+01:00")["review_reminder"] == 1
    assert triage(config, "2026-11-27T07:55:00+01:00")["review_reminder"] == 0  # not twice
    assert triage(config, "2026-11-27T14:39:00+01:00")["resolve_warning"] == 0
    assert triage(config, "2026-11-27T14:40:00+01:00")["resolve_warning"] == 1
    assert triage(config, "2026-11-30T07:40:00+01:00")["resolve_warning"] == 0


def test_a_high_case_is_warned_on_the_wall_clock(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    """BR-12: High runs on the wall clock, and so do its warnings: a hacked customer at
    Saturday 23:10 is due an answer at 00:10, warned at 23:40."""
    config = config_with_registry(tmp_path, dovecot, smtp_sink, pg_url)
    dovecot.append("INBOX", [customer_mail(
        1, subject="Vi er blevet hacket!",
        body="Hej\n\nVi har mistanke om at vi er blevet hacket, der sendes mails fra os.",
    )])
    run_cli("poll", "--once", "--now", "2026-11-28T23:10:00+01:00", config=config)
    assert sql(pg_url, "SELECT priority FROM cases") == [("high",)]
    assert triage(config, "2026-11-28T23:39:00+01:00")["response_warning"] == 0
    assert triage(config, "2026-11-28T23:40:00+01:00")["response_warning"] == 1
    assert triage(config, "2026-11-28T23:55:00+01:00")["review_reminder"] == 1


def test_now_on_the_office_clock_the_night_the_clocks_go_back_warns_15_real_minutes_before(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    """`--now` without an offset is office time (INTERFACE.md). On Sunday 25 October
    2026 a critical mail at 02:30 CEST (00:30 UTC, the first 02:30) is due for review
    one real hour later, at 02:30 CET (01:30 UTC, BR-7). At 02:50 CEST that is 40
    minutes away: no reminder yet (15 minutes before, BR-6). Adding the 15 minutes to
    an office-clock instant added wall time, 02:50 + 15 = 03:05 CET, 75 real minutes,
    and the reminder went 40 minutes early."""
    config = config_with_registry(tmp_path, dovecot, smtp_sink, pg_url)
    dovecot.append("INBOX", [customer_mail(
        1, subject="Vi er blevet hacket!",
        body="Hej\n\nVi har mistanke om at vi er blevet hacket, der sendes mails fra os.",
    )])
    run_cli("poll", "--once", "--now", "2026-10-25T02:30", config=config)
    [(critical, review_due)] = sql(pg_url, "SELECT critical, review_due FROM cases")
    assert critical and review_due.isoformat() == "2026-10-25T01:30:00+00:00"
    assert triage(config, "2026-10-25T02:50")["review_reminder"] == 0
    assert triage(config, "2026-10-25T02:15:00+01:00")["review_reminder"] == 1  # the second 02:15


def test_a_priority_changed_after_a_warning_is_warned_of_again_before_its_new_deadline(
    one_case: tuple[Path, int], smtp_sink, pg_url: str
) -> None:
    """Staff lower a Normal case (response due Monday 14:00) to Low after its response
    warning went out: its response is due Thursday 10:00 now, 24 open hours from arrival
    (BR-11, BR-12), and that deadline is warned of too, 30 minutes before (issue 4:
    'warns before every SLA breach'). The warning claimed for the old deadline held
    the (case, kind) key, and Thursday's breach came with no warning at all."""
    config, number = one_case
    assert triage(config, "2026-11-23T13:30:00+01:00")["response_warning"] == 1
    run_cli("cases", "priority", str(number), "low", "--now", "2026-11-23T13:40:00+01:00",
            config=config)
    [(response_due,)] = sql(pg_url, "SELECT response_due FROM cases")
    assert response_due.isoformat() == "2026-11-26T09:00:00+00:00"  # Thursday 10:00 local
    assert triage(config, "2026-11-23T14:00:00+01:00")["response_breach"] == 0
    assert triage(config, "2026-11-26T09:29:00+01:00")["response_warning"] == 0
    assert triage(config, "2026-11-26T09:30:00+01:00")["response_warning"] == 1
    assert triage(config, "2026-11-26T09:45:00+01:00")["response_warning"] == 0  # once


# The ack as Outlook quotes it under a reply, without ">": its on-call paragraph names
# log-on trouble and hacking, and must not make a thanks critical.
QUOTED_ACK = (
    "\n\nFra: OneOffice Support <support@oo.dk>\nSendt: 27. november 2026 17:00\n"
    "Til: kunde0@firma0.dk\nEmne: [OO#100001] Printeren virker ikke (0)\n\n"
    "Hej Kunde,\n\nTak for din henvendelse. Vi har oprettet den som supportsag 100001.\n\n"
    "Er sagen driftskritisk (fx kan ingen logge på, din adgangskode virker ikke, eller du"
    " har mistanke om hacking), så ring til vagten på +45 7021 1813 (tast 2)."
)


def test_a_customer_reply_that_is_critical_at_night_pages_oncall_and_a_thanks_does_not(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    """BR-7, BR-10: a critical inquiry outside hours pages the on-call duty, also when
    the customer writes it as a reply to the ack of a case that was not critical (BR-8:
    "ingen kan logge på"). A reply that only thanks us, quoting the ack (which names
    log-on trouble and hacking), Outlook-style without ">", stays as it was. Before,
    no reply was judged: the night's "vi er blevet hacket" on an old case paged no one."""
    config = config_with_registry(tmp_path, dovecot, smtp_sink, pg_url)
    dovecot.append("INBOX", [customer_mail(0)])
    run_cli("poll", "--once", "--now", "2026-11-27T17:00:00+01:00", config=config)
    [(number, critical)] = sql(pg_url, "SELECT number, critical FROM cases")
    assert not critical
    [ack] = sent_to(smtp_sink, "kunde0@firma0.dk")
    assert QUOTED_ACK.split("\n\n")[-1].split(" (")[0] in " ".join(
        ack.get_body(("plain",)).get_content().split())  # the ack says what we quote

    def reply(raw: bytes, at: str) -> None:
        dovecot.append("INBOX", [raw])
        run_cli("poll", "--once", "--now", at, config=config)

    reply(compose_mail(sender="Kunde 0 <kunde0@firma0.dk>", subject=f"SV: {ack['Subject']}",
                       body="Tak for svaret, det haster ikke." + QUOTED_ACK,
                       message_id="<reply-1@firma0.dk>", in_reply_to=ack["Message-ID"]),
          "2026-11-28T21:00:00+01:00")
    assert sql(pg_url, "SELECT count(*), bool_or(critical) FROM cases") == [(1, False)]
    assert triage(config, "2026-11-28T21:01:00+01:00")["oncall_page"] == 0

    reply(compose_mail(sender="Kunde 0 <kunde0@firma0.dk>", subject=f"SV: {ack['Subject']}",
                       body="Nu kan ingen af os logge på, vi tror vi er blevet hacket!"
                       + QUOTED_ACK,
                       message_id="<reply-2@firma0.dk>", in_reply_to=ack["Message-ID"]),
          "2026-11-28T22:00:00+01:00")
    [(critical, priority, review_due)] = sql(
        pg_url, "SELECT critical, priority, review_due FROM cases")
    assert (critical, priority) == (True, "high")
    assert review_due.isoformat() == "2026-11-28T22:00:00+00:00"  # 23:00 local (BR-7)
    assert triage(config, "2026-11-28T22:01:00+01:00")["oncall_page"] == 1
    [page] = sent_to(smtp_sink, "vagt@oo.dk")
    assert f"[OO#{number}]" in page["Subject"]


@pytest.mark.parametrize(("subject", "body"), [
    ("SV: Hack?", "Tak for svaret, hvornår kigger I på den?"),
    ("SV: Hack?", "Tak.\n\nMed venlig hilsen\nKunde 0\nFirma A/S\n"
                  "Mistanke om hacking eller phishing? Kontakt IT straks."),
    ("SV: Hack?", "I går kunne ingen logge på, nu virker det. Kan I se på mailen?"),
    ("Re: Hack?", "Our mailbox was hacked last year, so we are careful. Can you check it?"),
])
def test_replies_that_repeat_the_subject_or_a_signature_or_tell_the_past_page_no_one(
    subject: str, body: str, tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    """BR-7, BR-10: only news pages the on-call duty at night. A case opened in hours
    as "Hack?" / "Vi er ikke blevet hacket" is not critical; the customer's reply under
    its own subject, a signature warning of hacking, a problem told as over or a year
    old, says nothing critical. Before, each of them made the case critical and paged
    the duty (the subject and the signature were judged as news)."""
    config = config_with_registry(tmp_path, dovecot, smtp_sink, pg_url)
    dovecot.append("INBOX", [compose_mail(
        sender="Kunde 0 <kunde0@firma0.dk>", subject="Hack?",
        body="Vi er ikke blevet hacket, men en kollega fik en underlig mail.",
        message_id="<first@firma0.dk>")])
    run_cli("poll", "--once", "--now", MONDAY_10, config=config)
    assert sql(pg_url, "SELECT critical, priority FROM cases") == [(False, "normal")]
    [ack] = sent_to(smtp_sink, "kunde0@firma0.dk")
    dovecot.append("INBOX", [compose_mail(
        sender="Kunde 0 <kunde0@firma0.dk>", subject=subject, body=body,
        message_id="<reply@firma0.dk>", in_reply_to=ack["Message-ID"])])
    run_cli("poll", "--once", "--now", "2026-11-28T21:00:00+01:00", config=config)
    assert sql(pg_url, "SELECT count(*), bool_or(critical) FROM cases") == [(1, False)]
    assert triage(config, "2026-11-28T21:01:00+01:00")["oncall_page"] == 0
    assert sent_to(smtp_sink, "vagt@oo.dk") == []


# (when the case opened, closed, was replied to, the pass after), all local time.
IN_HOURS = ("2026-11-23T10:00:00+01:00", "2026-11-23T12:00:00+01:00",
            "2026-11-23T21:00:00+01:00", "2026-11-23T21:01:00+01:00")
AT_NIGHT = ("2026-11-28T21:00:00+01:00", "2026-11-28T23:00:00+01:00",
            "2026-11-29T20:00:00+01:00", "2026-11-29T20:01:00+01:00")


@pytest.mark.parametrize(("times", "subject", "body", "paged"), [
    (IN_HOURS, "SV: Ingen kan logge på", "Tak for hjælpen, alt virker igen.", False),
    (AT_NIGHT, "SV: Ingen kan logge på", "Det virker stadig ikke, vi kan ikke arbejde!", True),
])
def test_a_reply_reopening_a_critical_case_pages_only_if_the_emergency_is_back(
    times: tuple[str, str, str, str], subject: str, body: str, paged: bool,
    tmp_path: Path, dovecot, smtp_sink, pg_url: str,
) -> None:
    """BR-7, BR-10: a critical case, closed, reopened at night by the customer's reply.
    A thanks is no critical inquiry: the case is reopened, not critical, and the on-call
    duty is not paged (before: paged "VAGT: kritisk sag" for the emergency of the day).
    The emergency back pages the duty again, also when it was paged for it before
    (before: no page, the case's one page was spent)."""
    opened, closed, replied, after = times
    config = config_with_registry(tmp_path, dovecot, smtp_sink, pg_url)
    dovecot.append("INBOX", [compose_mail(
        sender="Kunde 0 <kunde0@firma0.dk>", subject="Ingen kan logge på",
        body="Ingen på kontoret kan logge på.", message_id="<first@firma0.dk>")])
    run_cli("poll", "--once", "--now", opened, config=config)
    [(number, critical)] = sql(pg_url, "SELECT number, critical FROM cases")
    assert critical
    triage(config, opened)  # at night: the first page
    pages_before = len(sent_to(smtp_sink, "vagt@oo.dk"))
    run_cli("cases", "close", str(number), "--now", closed, config=config)
    [ack] = sent_to(smtp_sink, "kunde0@firma0.dk")
    dovecot.append("INBOX", [compose_mail(
        sender="Kunde 0 <kunde0@firma0.dk>", subject=subject, body=body,
        message_id="<reply@firma0.dk>", in_reply_to=ack["Message-ID"])])
    run_cli("poll", "--once", "--now", replied, config=config)
    assert sql(pg_url, "SELECT status, critical FROM cases") == [("open", paged)]
    assert triage(config, after)["oncall_page"] == int(paged)
    assert len(sent_to(smtp_sink, "vagt@oo.dk")) == pages_before + int(paged)
    assert triage(config, after.replace(":01:", ":30:"))["oncall_page"] == 0  # once


def test_a_customer_reply_that_is_critical_in_hours_tells_the_team_at_once(
    one_case: tuple[Path, int], dovecot, smtp_sink, pg_url: str
) -> None:
    """In hours a case that becomes critical by the customer's own reply is told to its
    primary supporter at once (BR-6), once, as a new critical case is."""
    config, number = one_case
    dovecot.append("INBOX", [compose_mail(
        sender="Kunde 0 <kunde0@firma0.dk>", subject=f"SV: [OO#{number}] Printeren",
        body="Nu kan ingen af os logge på, vi tror vi er blevet hacket!",
        message_id="<reply-hours@firma0.dk>",
    )])
    run_cli("poll", "--once", "--now", "2026-11-23T10:30:00+01:00", config=config)
    assert sql(pg_url, "SELECT critical, priority FROM cases") == [(True, "high")]
    assert sql(pg_url, "SELECT kind FROM alerts") == [("critical_alert",)]
    assert triage(config, "2026-11-23T10:31:00+01:00")["critical_alert"] == 0
    [alert] = [m for m in sent_to(smtp_sink, "tina@oo.dk") if "KRITISK" in m["Subject"]]
    assert f"[OO#{number}]" in alert["Subject"]


def test_critical_mail_on_saturday_night_pages_oncall_once(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    config = config_with_registry(tmp_path, dovecot, smtp_sink, pg_url)
    saturday_night = "2026-11-28T23:10:00+01:00"
    dovecot.append("INBOX", [customer_mail(
        1, subject="Vi er blevet hacket!",
        body="Hej\n\nVi har mistanke om at vi er blevet hacket, der sendes mails fra os.",
    )])
    run_cli("poll", "--once", "--now", saturday_night, config=config)
    [(critical, priority)] = sql(pg_url, "SELECT critical, priority FROM cases")
    assert (critical, priority) == (True, "high")
    assert triage(config, "2026-11-28T23:11:00+01:00")["oncall_page"] == 1
    assert triage(config, "2026-11-28T23:12:00+01:00")["oncall_page"] == 0
    [page] = sent_to(smtp_sink, "vagt@oo.dk")
    assert "VAGT" in page["Subject"]


def test_non_critical_mail_on_saturday_night_no_page_and_ack_names_next_opening(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    config = config_with_registry(tmp_path, dovecot, smtp_sink, pg_url)
    dovecot.append("INBOX", [customer_mail(2, subject="Ny skærm til receptionen",
                                           body="Hej, kan I bestille en ny skærm?")])
    run_cli("poll", "--once", "--now", "2026-11-28T23:10:00+01:00", config=config)
    assert triage(config, "2026-11-28T23:11:00+01:00")["oncall_page"] == 0
    assert sent_to(smtp_sink, "vagt@oo.dk") == []
    [ack] = sent_to(smtp_sink, "kunde2@firma2.dk")
    text = ack.get_body(("plain",)).get_content()
    assert "mandag 30.11. kl. 09:00" in text  # one business hour after Monday's opening
    assert "vagten" in text and "1.000,00" in text  # BR-10, outside hours


def test_monthly_report_mailed_once_on_the_first_business_day(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    config = config_with_registry(tmp_path, dovecot, smtp_sink, pg_url)
    with config.open("a", encoding="utf-8") as fh:
        fh.write('contact = "it@firma0.dk"\n\n[reports]\nmonthly_email = true\n'
                 'account_manager = "salg@oo.dk"\n')
    dovecot.append("INBOX", [customer_mail(0)])
    run_cli("poll", "--once", "--now", MONDAY_10, config=config)  # a November case
    # 1 December 2026 is a Tuesday: the first business day; 07:30 is before opening.
    assert triage(config, "2026-12-01T07:30:00+01:00")["monthly_report"] == 0
    assert triage(config, "2026-12-01T09:00:00+01:00")["monthly_report"] == 1
    assert triage(config, "2026-12-01T10:00:00+01:00")["monthly_report"] == 0  # once
    assert triage(config, "2026-12-02T09:00:00+01:00")["monthly_report"] == 0  # nor day 2
    [report] = sent_to(smtp_sink, "it@firma0.dk")
    [same] = sent_to(smtp_sink, "salg@oo.dk")  # the account manager, on the same mail
    assert same["Message-ID"] == report["Message-ID"]
    html = report.get_body(("html",)).get_content()
    assert "Supportrapport" in html and "[OO#100001]" in html
    assert report["Auto-Submitted"] == "auto-generated"


def hack_mail(index: int, sender: str = "Anders <anders.1987@gmail.com>") -> bytes:
    return customer_mail(
        100 + index, sender=sender, subject=f"Vi er blevet hacket!! ({index})",
        message_id=f"<hack-{index}@gmail.com>",
        body="Hej\n\nVi er blevet hacket, der sendes mails fra os. Ring nu!",
    )


def test_twenty_hack_mails_from_one_stranger_at_night_page_at_most_twice(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    """One freemail stranger's 20 mails in a Saturday night are one or two
    pages, never twenty; the customer who writes after that is still paged."""
    config = config_with_registry(tmp_path, dovecot, smtp_sink, pg_url)
    night = "2026-11-28T{}+01:00"

    def arrive(indexes: range, at: str) -> None:
        dovecot.append("INBOX", [hack_mail(i) for i in indexes])
        run_cli("poll", "--once", "--no-send", "--now", night.format(at), config=config)

    arrive(range(0, 5), "23:00:00")
    assert triage(config, night.format("23:01:00"))["oncall_page"] == 5
    arrive(range(5, 10), "23:10:00")
    assert triage(config, night.format("23:11:00"))["oncall_page"] == 5  # held: quiet period
    assert len(sent_to(smtp_sink, "vagt@oo.dk")) == 1
    triage(config, night.format("23:35:00"))  # the quiet half hour is over: one follow-up
    arrive(range(10, 20), "23:50:00")
    counts = triage(config, night.format("23:51:00"))
    assert counts["oncall_page"] == 10 and counts["oncall_withheld"] == 10  # two pages: cap
    triage(config, "2026-11-29T00:30:00+01:00")
    pages = sent_to(smtp_sink, "vagt@oo.dk")
    assert len(pages) == 2
    listed = "\n".join(page.get_body(("plain",)).get_content() for page in pages)
    numbers = [n for (n,) in sql(pg_url, "SELECT number FROM cases ORDER BY number")]
    assert len(numbers) == 20
    assert [n for n in numbers if f"[OO#{n}]" in listed] == numbers[:10]
    assert sql(pg_url, "SELECT count(*), count(withheld) FROM alerts "
                       "WHERE kind = 'oncall_page'") == [(20, 10)]

    # A real emergency from a customer, after the stranger's cap, pages at once.
    dovecot.append("INBOX", [customer_mail(
        0, subject="Vores server er nede", message_id="<server@firma0.dk>",
        body="Hej\n\nIngen kan komme på serveren, alle er ramt.",
    )])
    run_cli("poll", "--once", "--no-send", "--now", "2026-11-29T00:40:00+01:00", config=config)
    assert triage(config, "2026-11-29T00:41:00+01:00")["oncall_page"] == 1
    pages = sent_to(smtp_sink, "vagt@oo.dk")
    assert len(pages) == 3 and "Vores server er nede" in pages[-1]["Subject"]
