"""Staff corrections of the classifier as training data (BR-8, BR-9): `#critical` and
`#priority` by mail, `cases critical|priority` at the command line, each kept with the
classifier's own verdict and reason, who and when; `oo-support triage misses` lists
them with the text the classifier read. `triage --once` works as before beside it.

At fixed instants against PostgreSQL; mail stored in-process through the pipeline as a
source hands it over, commands run as a supporter types them.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from harness import cli, compose_mail, run_cli, sql, write_config

from daemon.app import App
from daemon.clock import fixed_clock
from daemon.inbound import InboundMail
from daemon.settings import load_settings

TRUSTED = "mx.oo.dk; dkim=pass header.d=oo.dk header.s=s1; spf=pass smtp.mailfrom=oo.dk"
MONDAY = "2026-11-23T{}+01:00"
TUESDAY = "2026-11-24T{}+01:00"


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    return migrated_pg_url


@pytest.fixture
def config(tmp_path: Path, pg_url: str) -> Path:
    return write_config(tmp_path / "oo.toml", database_url=pg_url)


def deliver(config: Path, at: str, mail: bytes) -> int | None:
    when = datetime.fromisoformat(at)
    app = App(load_settings(config, environ={}), fixed_clock(when))
    try:
        app.open_database("write")
        [result] = app.pipeline.ingest_batch(app.engine, [InboundMail(mail, "imap:INBOX", when)])
        return result.case_number
    finally:
        app.engine.dispose()


def customer_case(config: Path, at: str, subject: str, body: str, message_id: str) -> int:
    number = deliver(config, at, compose_mail(sender="Søren <soren@firma.dk>", subject=subject,
                                              body=body, message_id=message_id))
    assert number is not None
    return number


def staff_commands(config: Path, at: str, number: int, commands: str, message_id: str) -> None:
    deliver(config, at, compose_mail(
        sender="Kim <kim@oo.dk>", subject=f"Re: [OO#{number}] sagen", body=commands,
        message_id=message_id, headers={"Authentication-Results": TRUSTED}))


def misses(config: Path, *args: str) -> list[dict[str, Any]]:
    return list(json.loads(run_cli("triage", "misses", *args, "--json", config=config)))


def test_corrections_are_kept_with_the_verdict_and_listed_with_the_text(
    config: Path, pg_url: str
) -> None:
    missed = customer_case(
        config, MONDAY.format("09:00:00"), "Skærmen flimrer",
        "Hej\n\nSkærmen på min pc flimrer hele tiden.\n\n> Tidligere: alt virkede\n",
        "<flimmer@firma.dk>")
    hack = customer_case(config, MONDAY.format("09:10:00"), "Vi er blevet hacket!",
                         "Hej\n\nVi har mistanke om hack, der sendes mails fra os.",
                         "<hack@firma.dk>")
    undone = customer_case(config, MONDAY.format("09:20:00"), "Licenser",
                           "Hej\n\nHvor mange licenser har vi?", "<licens@firma.dk>")
    untouched = customer_case(config, MONDAY.format("09:30:00"), "Mus", "Hej\n\nNy mus, tak.",
                              "<mus@firma.dk>")
    # By mail and at the command line, on two days.
    staff_commands(config, MONDAY.format("10:00:00"), missed, "#critical\n#internal\nAlle ramt.",
                   "<s1@oo.dk>")
    run_cli("cases", "priority", str(hack), "normal", "--staff", "lis@oo.dk",
            "--now", TUESDAY.format("09:00:00"), config=config)
    run_cli("cases", "priority", str(undone), "low", "--now", MONDAY.format("11:00:00"),
            "--staff", "lis@oo.dk", config=config)
    run_cli("cases", "priority", str(undone), "normal", "--now", MONDAY.format("11:05:00"),
            "--staff", "lis@oo.dk", config=config)
    # The correction did not overwrite the verdict: the case keeps both.
    assert sql(pg_url, "SELECT number, priority, critical, triage_priority, triage_critical,"
                       " critical_reason, triage_reason FROM cases ORDER BY number") == [
        (missed, "high", True, "normal", False, "marked critical by kim@oo.dk",
         "no rule matched"),
        (hack, "normal", False, "high", True, None, 'suspected_hack: "hack"'),
        (undone, "normal", False, "normal", False, None, "no rule matched"),
        (untouched, "normal", False, "normal", False, None, "no rule matched"),
    ]

    # cases show gives both: the case as it is now, and what the classifier said.
    shown = json.loads(run_cli("cases", "show", str(hack), "--json", config=config))
    assert (shown["priority"], shown["critical"], shown["critical_reason"]) == (
        "normal", False, None)
    assert shown["triage"] == {"priority": "high", "critical": True, "rule": "suspected_hack",
                               "reason": 'suspected_hack: "hack"'}
    table = run_cli("cases", "show", str(missed), config=config)
    assert "(marked critical by kim@oo.dk); classified normal: no rule matched" in table

    listed = misses(config)
    assert [m["number"] for m in listed] == [hack, undone, missed]  # newest change first
    by_number = {m["number"]: m for m in listed}
    first = by_number[missed]
    assert first["text"] == {"subject": "Skærmen flimrer",
                             "body": "Hej\n\nSkærmen på min pc flimrer hele tiden."}
    assert first["classifier"] == {"priority": "normal", "critical": False, "rule": None,
                                   "reason": "no rule matched"}
    assert first["staff"] == {"priority": "high", "critical": True}
    assert first["miss"] == "missed_critical"
    assert first["changes"] == [{"at": "2026-11-23T09:00:00+00:00", "by": "kim@oo.dk",
                                 "from": "normal", "to": "high", "critical": True}]
    second = by_number[hack]
    assert second["classifier"] == {"priority": "high", "critical": True,
                                    "rule": "suspected_hack", "reason": 'suspected_hack: "hack"'}
    assert (second["staff"], second["miss"]) == (
        {"priority": "normal", "critical": False}, "false_critical")
    assert second["changes"][0]["by"] == "lis@oo.dk"
    # Changed and changed back: listed, but no miss.
    assert by_number[undone]["miss"] is None
    assert [c["to"] for c in by_number[undone]["changes"]] == ["low", "normal"]

    # --since: corrections made on or after that local day.
    assert [m["number"] for m in misses(config, "--since", "2026-11-24")] == [hack]
    assert misses(config, "--since", "2026-11-25") == []
    table = run_cli("triage", "misses", config=config)
    assert "false_critical" in table and "missed_critical" in table and "kim@oo.dk" in table


def test_cases_critical_is_a_correction_too(config: Path) -> None:
    number = customer_case(config, MONDAY.format("09:00:00"), "Outlook",
                           "Hej\n\nOutlook starter ikke.", "<o@firma.dk>")
    run_cli("cases", "critical", str(number), "--staff", "lis@oo.dk",
            "--now", MONDAY.format("09:30:00"), config=config)
    [listed] = misses(config)
    assert (listed["miss"], listed["staff"]["critical"]) == ("missed_critical", True)
    assert listed["changes"][0]["by"] == "lis@oo.dk"


def test_triage_once_works_as_before_beside_misses(config: Path, pg_url: str) -> None:
    customer_case(config, MONDAY.format("09:00:00"), "Printeren virker ikke",
                  "Hej\n\nPrinteren blinker.", "<p@firma.dk>")
    later = MONDAY.format("09:50:00")
    counts = json.loads(run_cli("triage", "--once", "--now", later, "--json", config=config))
    assert counts["review_reminder"] == 1 and counts["alert_mails"] == 1
    assert set(counts) >= {"review_escalation", "oncall_page", "oncall_withheld", "sent"}
    rehearsed = json.loads(run_cli("triage", "--once", "--dry-run", "--no-send", "--json",
                                   "--now", MONDAY.format("10:05:00"), config=config))
    assert rehearsed["dry_run"] is True and rehearsed["review_escalation"] == 1
    plain = run_cli("triage", "--once", "--no-send", "--now", later, config=config)
    assert plain.startswith("review_reminder=0 ")
    assert sql(pg_url, "SELECT kind FROM alerts") == [("review_reminder",)]
    # Neither form, or both: one line, exit 1.
    for args in (["triage"], ["triage", "--once", "misses"]):
        done = cli(*args, config=config, timeout=60)
        assert done.returncode == 1 and done.stdout == ""
        assert len(done.stderr.strip().splitlines()) == 1 and "misses" in done.stderr
