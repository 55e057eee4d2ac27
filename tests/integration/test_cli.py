"""The command line's outside (INTERFACE.md): JSON shapes, exit codes, start-up failures.

check-config has its own file, test_check_config.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from harness import (
    REPO,
    DaemonProcess,
    clean_env,
    cli,
    customer_mail,
    run_cli,
    sql,
    wait_until,
    write_config,
)
from servers import free_port

CASE_KEYS = {
    "number", "reference", "subject", "status", "priority", "critical", "customer_email",
    "customer_domain", "agreement", "channel", "created_at", "review_due", "reviewed_at",
    "response_due", "resolve_due", "first_response_at", "resolved_at",
}
MESSAGE_KEYS = {
    "direction", "kind", "from", "to", "cc", "subject", "message_id", "body_text", "at",
    "attachments",
}


def test_case_json_shapes(tmp_path: Path, dovecot, smtp_sink, pg_url: str) -> None:
    dovecot.append("INBOX", [customer_mail(1), customer_mail(2)])
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                          smtp_out=smtp_sink)
    run_cli("poll", "--once", "--now", "2026-11-23T10:20:00+01:00", config=config)
    listed = json.loads(run_cli("cases", "list", "--json", config=config))
    assert [c["number"] for c in listed] == [100002, 100001]  # newest first
    for case in listed:
        assert case.keys() >= CASE_KEYS
        assert case["reference"] == f"[OO#{case['number']}]"
        assert (case["status"], case["priority"], case["critical"]) == ("new", "normal", False)
        assert case["agreement"] is False  # unknown domain: no agreement (BR-22)
        assert case["created_at"].endswith("+00:00")
    shown = json.loads(run_cli("cases", "show", "100001", "--json", config=config))
    assert shown.keys() >= CASE_KEYS
    assert [m["direction"] for m in shown["messages"]] == ["in", "out"]
    for message in shown["messages"]:
        assert message.keys() >= MESSAGE_KEYS
    assert shown["time_entries"] == []
    assert shown["billing"]["currency"] == "DKK"
    assert shown["billing"]["amount_incl_vat"] == "0.00"  # no time logged, nothing billed
    # Polled "as if" Monday 10:20 +01:00 (09:20 UTC), in hours: the mail arrives then and
    # is due for review one business hour later (BR-6, BR-7).
    assert shown["created_at"] == "2026-11-23T09:20:00+00:00"
    assert shown["review_due"] == "2026-11-23T10:20:00+00:00"
    assert json.loads(run_cli("cases", "list", "--status", "closed", "--json",
                              config=config)) == []


def test_unknown_case_is_a_one_line_error(tmp_path: Path) -> None:
    config = write_config(tmp_path / "oo.toml", database_url=f"sqlite:///{tmp_path}/oo.db")
    run_cli("db", "upgrade", config=config)
    done = subprocess.run(
        [sys.executable, "-m", "daemon", "cases", "show", "999", "--json", "--config",
         str(config)],
        capture_output=True, text=True, env=clean_env(), cwd=REPO,
    )
    assert done.returncode != 0
    assert done.stdout == ""
    # One line and nothing else: no library's log lines before it.
    assert done.stderr == "oo-support: no case 999\n"


def test_bad_config_names_the_key_and_exits_nonzero(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[imap]\nport = \"imap\"\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "daemon", "run", "--config", str(bad)],
        capture_output=True, text=True, env=clean_env(), cwd=REPO, timeout=60,
    )
    assert done.returncode == 2
    assert "imap.port" in done.stderr


def test_sigterm_mid_drain_leaves_no_half_state(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    """SIGTERM: the batch in hand is finished (stored and moved), the rest stays, exit 0."""
    total = 400
    dovecot.append("INBOX", [customer_mail(i) for i in range(total)])
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                          smtp_out=smtp_sink, extra={"imap": {"batch_size": 25}})
    daemon = DaemonProcess(config, tmp_path).start().wait_ready()
    wait_until(lambda: sql(pg_url, "SELECT count(*) FROM cases")[0][0] > 0, 30, "a case")
    assert daemon.terminate() == 0, daemon.log()[-2000:]
    cases = sql(pg_url, "SELECT count(*) FROM cases")[0][0]
    processed = dovecot.count("Processed")
    assert 0 < cases < total, "stopped too late to show anything"
    assert processed == cases  # every stored mail moved, no moved mail unstored
    assert dovecot.count("INBOX") == total - cases
    # The final flush sent what was queued, within its time bound.
    assert sql(pg_url, "SELECT count(*) FROM outbox WHERE status = 'sent'")[0][0] == cases


@pytest.mark.parametrize(
    "broken", ["ack.en.txt.j2", "reply.txt.j2", "alert.txt.j2", "report.html.j2"]
)
def test_broken_template_stops_the_start(tmp_path: Path, broken: str) -> None:
    """Every template is rendered with sample data at start, not only the acks: a broken
    on-call page must not wait for the night it is needed."""
    templates = tmp_path / "templates"
    templates.mkdir()
    for source in (REPO / "templates").glob("*.j2"):  # not __init__.py, __pycache__
        (templates / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    with (templates / broken).open("a", encoding="utf-8") as fh:
        fh.write("{{ no_such_value.x }}\n")
    config = write_config(tmp_path / "oo.toml", database_url=f"sqlite:///{tmp_path}/oo.db",
                          extra={"templates": {"dir": str(templates)}})
    done = subprocess.run(
        [sys.executable, "-m", "daemon", "run", "--config", str(config)],
        capture_output=True, text=True, env=clean_env(), cwd=tmp_path, timeout=60,
    )
    assert done.returncode == 2
    assert "template error" in done.stderr and "no_such_value" in done.stderr


def test_start_up_failure_after_imap_does_not_hang(tmp_path: Path, dovecot, pg_url) -> None:
    """The listener's port is taken: the daemon says so and exits, no thread left behind."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                              extra={"smtp_in": {"enabled": True,
                                                 "port": taken.getsockname()[1]}})
        done = subprocess.run(
            [sys.executable, "-m", "daemon", "run", "--config", str(config)],
            capture_output=True, text=True, env=clean_env(), cwd=tmp_path, timeout=60,
        )
    assert done.returncode == 1
    assert "address already in use" in done.stderr.strip().splitlines()[-1].lower()
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("imap", "said"),
    [
        ({"password": "wrong"}, "oo-support: imap login refused for support@oo.dk by 127.0.0.1:"),
        ({"folder": "Foo"}, "oo-support: imap server 127.0.0.1:"),
        ({"port": free_port()}, "oo-support: imap server 127.0.0.1:"),
    ],
    ids=["wrong-password", "no-such-folder", "nobody-listening"],
)
def test_poll_with_a_wrong_imap_setting_says_so_in_one_line_and_takes_nothing(
    tmp_path: Path, dovecot, pg_url: str, imap: dict[str, str], said: str
) -> None:
    """redteam24b: `poll --once` with a wrong IMAP password (or folder) ended in a
    traceback of imaplib and imapclient, not the one line every command promises; a
    wrong port said only "[Errno 111] Connection refused", not of what."""
    dovecot.append("INBOX", [customer_mail(1)])
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                          extra={"imap": imap})
    done = cli("poll", "--once", config=config)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(said), line
    assert dovecot.count("INBOX") == 1  # nothing taken, nothing lost


def test_ignored_list_asks_for_the_kinds_the_pipeline_keeps() -> None:
    # `ignored list` names them without importing the pipeline (its start-up cost).
    from daemon.case_reads import KEPT_KINDS as LISTED
    from daemon.pipeline import KEPT_KINDS

    assert LISTED == KEPT_KINDS
