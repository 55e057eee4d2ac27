"""What people see: `cases list` as a table that stays whole off a terminal, and
progress for a long IMAP pass that never reaches stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from harness import REPO, clean_env, customer_mail, run_cli, write_config

from daemon.app import build_app
from daemon.settings import load_settings

LONG_SENDER = "anders.christian.mortensen@en-virksomhed-med-et-meget-langt-navn.dk"
LONG_SUBJECT = "Serveren er nede og intet virker, hele firmaet står stille [bold]nu[/bold] i dag"


def test_cases_list_off_a_terminal_is_plain_and_whole(tmp_path: Path) -> None:
    config = write_config(tmp_path / "oo.toml", database_url=f"sqlite:///{tmp_path}/oo.db")
    for sender, subject in [("kunde@firma.dk", "Printeren virker ikke"),
                            (LONG_SENDER, LONG_SUBJECT)]:
        run_cli("cases", "new", "--from", sender, "--subject", subject, "--body", "Hjælp",
                "--channel", "phone", "--no-send", "--now", "2026-11-23T10:20:00+01:00",
                config=config)
    # A narrow COLUMNS and FORCE_COLOR: what would wrap or colour a table meant for a
    # terminal. A pipe still gets whole lines of plain text.
    done = subprocess.run(
        [sys.executable, "-m", "daemon", "cases", "list", "--config", str(config)],
        capture_output=True, text=True, cwd=REPO, timeout=60,
        env=clean_env() | {"COLUMNS": "40", "FORCE_COLOR": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout
    header, newest, oldest, caption = done.stdout.splitlines()
    assert header.split() == ["case", "status", "priority", "!", "customer", "subject",
                              "created", "response", "due"]
    assert newest.startswith("100002  new ")
    # The whole address, the critical mark, the subject cut at 60 characters with an
    # ellipsis and shown as written (not as rich markup), local times.
    assert f"  !  {LONG_SENDER}  " in newest
    assert f"  {LONG_SUBJECT[:59]}…  2026-11-23 10:20  " in newest
    assert oldest.startswith("100001  new     normal")
    assert "  kunde@firma.dk  " in oldest and "Printeren virker ikke" in oldest
    assert all(line == line.rstrip() for line in done.stdout.splitlines())
    assert caption == "2 cases (open); ! = critical; times in Europe/Copenhagen"
    # --json is untouched by all this.
    listed = json.loads(run_cli("cases", "list", "--json", config=config))
    assert [(c["number"], c["subject"]) for c in listed] == [(100002, LONG_SUBJECT),
                                                            (100001, "Printeren virker ikke")]


def test_progress_hook_counts_up_to_the_folder_total(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    dovecot.append("INBOX", [customer_mail(i) for i in range(30)])
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                          smtp_out=smtp_sink, extra={"imap": {"batch_size": 7}})
    app = build_app(load_settings(config, environ={}))
    app.prepare_database()
    seen: list[tuple[int, int]] = []
    source = app.imap_source()
    try:
        report = source.poll_once(on_progress=lambda done, total: seen.append((done, total)))
    finally:
        source.close()
    assert report.created == 30
    # Once the folder is searched, then after each batch of 7.
    assert seen == [(0, 30), (7, 30), (14, 30), (21, 30), (28, 30), (30, 30)]


def test_poll_progress_goes_to_stderr_and_json_stays_one_document(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    dovecot.append("INBOX", [customer_mail(i) for i in range(30)])
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                          smtp_out=smtp_sink, extra={"imap": {"batch_size": 10}})

    def poll(*flags: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "daemon", "poll", "--once", "--json", "--no-send", *flags,
             "--config", str(config)],
            capture_output=True, text=True, env=clean_env(), cwd=REPO, timeout=120,
        )

    # Asked for off a terminal: the bar is drawn on stderr, finished at 30 of 30.
    drawn = poll("--progress")
    assert drawn.returncode == 0, drawn.stderr
    assert json.loads(drawn.stdout)["created"] == 30  # the whole of stdout: one document
    assert "30/30" in drawn.stderr
    assert "\x1b" not in drawn.stdout
    # Not asked for, and stderr is no terminal: no bar.
    dovecot.append("INBOX", [customer_mail(i) for i in range(100, 130)])
    quiet = poll()
    assert quiet.returncode == 0, quiet.stderr
    assert json.loads(quiet.stdout)["created"] == 30
    assert "30/30" not in quiet.stderr and "\x1b" not in quiet.stderr


def test_ignored_and_staff_lists_show_local_times_to_the_minute(tmp_path: Path) -> None:
    # As `cases list` and `cases show` do (and say so): not UTC ISO with microseconds.
    from datetime import UTC, datetime

    from daemon.inbound import InboundMail

    config = write_config(tmp_path / "oo.toml", database_url=f"sqlite:///{tmp_path}/oo.db")
    at = datetime(2026, 11, 23, 9, 20, 5, 123456, tzinfo=UTC)
    app = build_app(load_settings(config, environ={}), lambda: at)
    app.prepare_database()
    raw = (b"From: noreply@vendor.dk\r\nTo: support@oo.dk\r\nSubject: Out of office\r\n"
           b"Auto-Submitted: auto-replied\r\nMessage-ID: <ooo1@vendor.dk>\r\n\r\nAway\r\n")
    app.pipeline.ingest_batch(app.engine, [InboundMail(raw, "smtp", at)])
    password = tmp_path / "pw"
    password.write_text("Korrekt-Hest-Batteri-9\n", encoding="utf-8")
    run_cli("staff", "add", "tina@oo.dk", "--password-file", str(password), config=config)

    kept = run_cli("ignored", "list", config=config).splitlines()
    assert kept[1].startswith("2026-11-23 10:20  ignored  noreply@vendor.dk  "), kept
    assert kept[-1] == "kept without a case: 1; times in Europe/Copenhagen"
    staff = run_cli("staff", "list", config=config)
    assert "T" not in staff.split("since ")[1] and "+" not in staff, staff
    # --json keeps the instants whole.
    [row] = json.loads(run_cli("ignored", "list", "--json", config=config))
    assert row["at"] == "2026-11-23T09:20:05.123456+00:00"
