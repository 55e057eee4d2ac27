"""Projects (issue 16; BR-14, BR-15, BR-18 example 4) end to end: `cases project` with
its rate and agreed time, `#project` by staff mail, and the bill in `cases show` and
the monthly report, at fixed instants."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from harness import cli, compose_mail, run_cli, write_config
from sqlalchemy import update

from daemon.app import build_app
from daemon.inbound import InboundMail
from daemon.settings import load_settings
from daemon.store.engine import make_engine
from daemon.store.migrate import upgrade
from daemon.store.schema import case_events, time_entries

MONDAY_10 = "2026-11-23T10:00:00+01:00"  # business hours (BR-4)
SATURDAY_10 = "2026-11-28T10:00:00+01:00"  # after hours (BR-16)
TRUSTED = "mx.oo.dk; dkim=pass header.d=oo.dk header.s=s1; spf=pass smtp.mailfrom=oo.dk"


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    return migrated_pg_url


def customer_config(tmp_path: Path, database_url: str) -> Path:
    cfg = write_config(tmp_path / "oo.toml", database_url=database_url)
    with cfg.open("a", encoding="utf-8") as fh:
        fh.write('\n[[customers]]\nname = "Firma"\ndomains = ["firma.dk"]\nagreement = true\n')
    return cfg


def new_call(cfg: Path, subject: str, body: str, at: str = MONDAY_10) -> int:
    case = json.loads(run_cli("cases", "new", "--from", "lone@firma.dk", "--subject", subject,
                              "--body", body, "--channel", "phone", "--now", at, "--json",
                              config=cfg))
    return int(case["number"])


def logged_as_worked(database_url: str) -> None:
    """Every time entry logged when its work started: `time add --at` logs at the real
    clock's now, and time logged after its month is the next month's (monthly_billing)."""
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(update(time_entries).values(created_at=time_entries.c.at))
    engine.dispose()


def marked_in_november(database_url: str, at: str = MONDAY_10) -> None:
    """Every "project" event dated `at`: `cases project` marks at the real clock's now,
    and a month is priced by the terms of then (monthly_billing), so a November report
    of a case marked in December bills it as it stood in November."""
    engine = make_engine(database_url)
    when = datetime.fromisoformat(at)
    with engine.begin() as conn:
        conn.execute(update(case_events).where(case_events.c.action == "project")
                     .values(at=when, created_at=when))
    engine.dispose()


def show(cfg: Path, number: int) -> dict:
    return json.loads(run_cli("cases", "show", str(number), "--json", config=cfg))


def cli_fails(cfg: Path, *args: str) -> str:
    done = cli(*args, config=cfg)
    assert done.returncode == 1 and done.stdout == ""
    return done.stderr.strip()


def test_a_senior_project_bills_the_agreed_time_with_the_time_logged_beside_it(
    tmp_path: Path, pg_url: str
) -> None:
    """Example 4: "Projektet estimeres, planlægges og udføres [...] Afregnes efter den
    aftalte tid", at 1895,00 kr. for "en senior konsulent / IT specialist"."""
    cfg = customer_config(tmp_path, pg_url)
    number = new_call(cfg, "Ny printer", "Lone: de får en ny printer sat op i næste uge.")
    run_cli("time", "add", str(number), "150", "--at", MONDAY_10, config=cfg)
    run_cli("time", "add", str(number), "60", "--kind", "project", "--at", SATURDAY_10,
            config=cfg)
    logged_as_worked(pg_url)  # logged in November: November's report knows it
    marked = json.loads(run_cli("cases", "project", str(number), "--senior", "--estimate",
                                "4h", "--staff", "tina@oo.dk", "--json", config=cfg))
    assert marked["project_terms"] == {"rate_kind": "senior", "estimate_minutes": 240}

    shown = show(cfg, number)
    billing = shown["billing"]
    # 4 h agreed; 1 h of it was worked on a Saturday: doubled (BR-16), the rest at 1,895.00.
    assert billing["project"] == {
        "rate_kind": "senior",
        "hourly_rate": "1895.00",
        "estimate_minutes": 240,
        "actual_minutes": 210,
        "agreed_lines": [
            {"minutes": 180, "after_hours": False, "hourly_rate": "1895.00",
             "amount": "5685.00"},
            {"minutes": 60, "after_hours": True, "hourly_rate": "3790.00", "amount": "3790.00"},
        ],
    }
    assert (billing["billable_minutes"], billing["covered_minutes"]) == (240, 0)
    assert (billing["amount_excl_vat"], billing["vat"], billing["amount_incl_vat"],
            billing["currency"]) == ("9475.00", "2368.75", "11843.75", "DKK")
    assert [e["amount"] for e in shown["time_entries"]] == ["0.00", "0.00"]
    assert shown["events"][-1]["action"] == "project"
    assert shown["events"][-1]["detail"] == {
        "project": True, "rate_kind": "senior", "estimate_minutes": 240
    }

    # The project rate after all; the agreed time stays as agreed.
    run_cli("cases", "project", str(number), "--no-senior", config=cfg)
    billing = show(cfg, number)["billing"]
    assert billing["project"]["rate_kind"] == "project"
    assert billing["amount_excl_vat"] == "7475.00"  # 3 h x 1,495.00 + 1 h x 2,990.00

    # The report bills the agreed time; the minutes logged are beside it (issue 16).
    marked_in_november(pg_url)  # agreed when the call came in
    report = json.loads(run_cli("report", "--month", "2026-11", "--format", "json",
                                "--now", "2026-12-01T09:00:00+01:00", config=cfg))
    [line] = report["customers"][0]["cases"]
    assert (line["minutes"], line["billable_minutes"], line["amount_excl_vat"]) == (
        210, 240, "7475.00")
    assert (report["totals"]["minutes"], report["totals"]["billable_minutes"],
            report["totals"]["amount_excl_vat"], report["totals"]["vat"]) == (
        210, 240, "7475.00", "1868.75")

    # Each line readable: the agreed time billed, the logged work beside it at 0.00.
    lines = [(x["kind"], x["description"], x["minutes"], x["after_hours"], x["amount"])
             for x in line["lines"]]
    assert lines == [
        ("project", "aftalt tid", 180, False, "4485.00"),
        ("project", "aftalt tid", 60, True, "2990.00"),
        ("project", "efter aftalt tid", 150, False, "0.00"),
        ("project", "efter aftalt tid", 60, True, "0.00"),
    ]
    page = run_cli("report", "--month", "2026-11", "--format", "html",
                   "--now", "2026-12-01T09:00:00+01:00", config=cfg)
    assert "Projekt, aftalt tid" in page and "Projekt, efter aftalt tid" in page

    text = run_cli("cases", "show", str(number), config=cfg)
    assert "project rate, agreed 4h" in text
    assert "Agreed time (billed instead of the 210 min logged)" in text


def test_a_project_without_an_estimate_bills_all_its_time_at_the_project_rate(
    tmp_path: Path,
) -> None:
    """BR-15: 1495,00 kr. for project work, whatever kind each entry was logged as, and
    never covered by the agreement (BR-14), though 10 minutes of support would be."""
    cfg = customer_config(tmp_path, f"sqlite:///{tmp_path / 'oo.db'}")
    number = new_call(cfg, "Ny medarbejder", "Ny medarbejder starter mandag, skal have pc.")
    run_cli("time", "add", str(number), "10", "--at", MONDAY_10, config=cfg)
    assert show(cfg, number)["billing"]["amount_excl_vat"] == "0.00"  # BR-13: covered
    run_cli("cases", "project", str(number), config=cfg)
    shown = show(cfg, number)
    assert shown["billing"]["amount_excl_vat"] == "249.17"  # 10 min x 1,495.00 / 60
    assert shown["billing"]["project"]["estimate_minutes"] is None
    assert shown["time_entries"][0]["kind"] == "support"  # as logged; billed as project
    run_cli("cases", "project", str(number), "--off", config=cfg)
    billing = show(cfg, number)["billing"]
    assert (billing["project"], billing["amount_excl_vat"]) == (None, "0.00")
    # The month's report reads the same SQLite database (its query once used PostgreSQL's
    # GREATEST): the case is in November's, its 10 minutes with it.
    logged_as_worked(f"sqlite:///{tmp_path / 'oo.db'}")
    report = json.loads(run_cli("report", "--month", "2026-11", "--format", "json",
                                "--now", "2026-12-01T09:00:00+01:00", config=cfg))
    [line] = report["customers"][0]["cases"]
    assert (line["number"], line["minutes"]) == (number, 10)


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["--estimate", "4"], "--estimate '4' is not a length of time (e.g. 4h, 90m"),
        (["--estimate", "1.01h"], "not a whole number of minutes"),
        (["--estimate", "2000h"], "--estimate is at most 1000h"),
        (["--off", "--senior"], "--off takes no --senior"),
        (["--estimate", "4h", "--no-estimate"], "exclude each other"),
    ],
)
def test_a_wrong_estimate_is_a_one_line_error_and_changes_nothing(
    tmp_path: Path, args: list[str], why: str
) -> None:
    cfg = customer_config(tmp_path, f"sqlite:///{tmp_path / 'oo.db'}")
    number = new_call(cfg, "Ny printer", "x")
    reason = cli_fails(cfg, "cases", "project", str(number), *args)
    assert why in reason and "\n" not in reason
    assert show(cfg, number)["billing"]["project"] is None


def test_project_by_staff_mail_and_a_wrong_one_answered_with_the_reason(
    tmp_path: Path,
) -> None:
    cfg = customer_config(tmp_path, f"sqlite:///{tmp_path / 'oo.db'}")
    when = datetime.fromisoformat(MONDAY_10)
    app = build_app(load_settings(cfg, environ={}), lambda: when)
    upgrade(app.engine)

    def deliver(raw: bytes) -> int | None:
        [result] = app.pipeline.ingest_batch(app.engine, [InboundMail(raw, "imap:INBOX", when)])
        return result.case_number

    number = deliver(compose_mail(sender="Lone <lone@firma.dk>", subject="Nyt kontor",
                                  body="Vi åbner et nyt kontor i Aarhus.",
                                  message_id="<office@firma.dk>"))
    assert number is not None

    def staff(body: str, message_id: str) -> None:
        deliver(compose_mail(sender="tina@oo.dk", subject=f"[OO#{number}] Nyt kontor",
                             body=body, message_id=message_id,
                             headers={"Authentication-Results": TRUSTED}))

    staff("#project senior estimate 1h30m\n#internal\nAftalt med Lone.", "<p1@oo.dk>")
    terms = app.reads.case(number)["billing"]["project"]
    assert (terms["rate_kind"], terms["estimate_minutes"]) == ("senior", 90)
    assert app.reads.case(number)["billing"]["amount_excl_vat"] == "2842.50"  # 1.5 h x 1,895

    staff("#project estimate fire timer\n#internal\nx", "<p2@oo.dk>")
    assert app.reads.case(number)["billing"]["project"]["estimate_minutes"] == 90  # unchanged
    app.flush_outbox()
    answers = [p.read_text(errors="replace") for p in (tmp_path / "outbox").glob("*.eml")]
    [answer] = [a for a in answers if "To: tina@oo.dk" in a]
    assert "estimate takes one length of time" in answer


def test_a_new_case_about_something_new_is_flagged_a_possible_project_on_arrival(
    tmp_path: Path, pg_url: str
) -> None:
    """"noget nyt der skal tilføjes til din IT-løsning" (BR-14): flagged with the words,
    in `cases show` and `cases list --json`; not a verdict, nothing billed differently."""
    cfg = customer_config(tmp_path, pg_url)
    when = datetime.fromisoformat(MONDAY_10)
    app = build_app(load_settings(cfg, environ={}), lambda: when)
    mails = [
        ("Printer", "Hej\n\nVi får en ny printer sat op i næste uge.\n\nMvh Lone", "<p@firma.dk>"),
        ("Ny fejl i Outlook", "Der er kommet en ny fejl i Outlook.", "<o@firma.dk>"),
        ("SV: Printer", "Tak!\n\n> Vi får en ny printer sat op i næste uge.", "<q@firma.dk>"),
    ]
    numbers = [
        result.case_number
        for result in app.pipeline.ingest_batch(app.engine, [
            InboundMail(compose_mail(sender="Lone <lone@firma.dk>", subject=subject, body=body,
                                     message_id=message_id), "imap:INBOX", when)
            for subject, body, message_id in mails
        ])
    ]
    printer, outlook, quoted = numbers
    assert printer is not None and outlook is not None and quoted is not None
    listed = {c["number"]: c for c in json.loads(run_cli("cases", "list", "--json", config=cfg))}
    assert listed[printer]["possible_project"] == 'new_thing: "ny printer"'
    assert listed[outlook]["possible_project"] is None
    assert listed[quoted]["possible_project"] is None  # only what the customer wrote now
    shown = show(cfg, printer)
    assert (shown["possible_project"], shown["project"]) == ('new_thing: "ny printer"', False)
    text = run_cli("cases", "show", str(printer), config=cfg)
    assert 'no  (possible project: new_thing: "ny printer")' in text

    # A phone call is judged by the same rule.
    call = new_call(cfg, "Ny medarbejder", "Ny medarbejder starter mandag og skal have en pc.")
    assert show(cfg, call)["possible_project"] == 'new_person: "Ny medarbejder"'


def test_a_non_critical_call_after_hours_proposes_the_oncall_fee_until_staff_confirm(
    tmp_path: Path,
) -> None:
    """BR-10: "Alle opkald til vagten der ikke er drifts-kritiske, bliver pålagt et gebyr
    på 1.000,00 kr. + moms ved opstart af opgave": proposed, billed once confirmed."""
    cfg = customer_config(tmp_path, f"sqlite:///{tmp_path / 'oo.db'}")
    monday_evening = "2026-11-23T20:00:00+01:00"
    number = new_call(cfg, "Outlook-signatur", "Lone vil have ændret sin signatur.",
                      at=monday_evening)
    shown = show(cfg, number)
    assert shown["proposed_fees"] == [{
        "kind": "oncall",
        "description": "Gebyr for ikke-kritisk opkald til vagten",
        "amount": "1000.00",
        "reason": "a non-critical call to the on-call duty after hours (BR-10)",
    }]
    assert (shown["fees"], shown["billing"]["amount_excl_vat"]) == ([], "0.00")  # proposed only
    text = run_cli("cases", "show", str(number), config=cfg)
    assert f"Proposed fees, not billed (confirm: oo-support cases fee {number} --oncall)" in text

    run_cli("cases", "fee", str(number), "--oncall", "--staff", "vagt@oo.dk", config=cfg)
    shown = show(cfg, number)
    assert shown["proposed_fees"] == []
    assert shown["billing"]["amount_excl_vat"] == "1000.00"


@pytest.mark.parametrize(
    ("subject", "body", "at"),
    [
        # Critical (BR-9, a locked account): what the on-call duty is for.
        ("Konto låst", "Lones konto er låst.", "2026-11-23T20:00:00+01:00"),
        # Business hours: the call reached the support desk, not the on-call duty.
        ("Outlook-signatur", "Lone vil have ændret sin signatur.", MONDAY_10),
    ],
)
def test_no_fee_is_proposed_for_a_critical_call_or_one_in_business_hours(
    tmp_path: Path, subject: str, body: str, at: str
) -> None:
    cfg = customer_config(tmp_path, f"sqlite:///{tmp_path / 'oo.db'}")
    assert show(cfg, new_call(cfg, subject, body, at=at))["proposed_fees"] == []


def test_no_fee_is_proposed_for_mail_after_hours(tmp_path: Path) -> None:
    cfg = customer_config(tmp_path, f"sqlite:///{tmp_path / 'oo.db'}")
    when = datetime.fromisoformat("2026-11-28T10:00:00+01:00")  # a Saturday
    app = build_app(load_settings(cfg, environ={}), lambda: when)
    upgrade(app.engine)
    raw = compose_mail(sender="Lone <lone@firma.dk>", subject="Outlook-signatur",
                       body="Kan I ændre min signatur?", message_id="<sig@firma.dk>")
    [result] = app.pipeline.ingest_batch(app.engine, [InboundMail(raw, "imap:INBOX", when)])
    assert result.case_number is not None
    assert show(cfg, result.case_number)["proposed_fees"] == []
