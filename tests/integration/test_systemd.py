"""The daemon under systemd - the unit file, sd_notify, the watchdog,
/metrics and /healthz - against the real servers, `oo-support run` as a child process."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import REPO, DaemonProcess, customer_mail, parse_mail, sql, wait_until, write_config
from servers import _alive_in_group, free_port

UNIT = REPO / "config" / "oo-support.service"


# -- the unit file ---------------------------------------------------------------------


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    """In this module every test starts at the newest schema, copied from the session's
    migrated template (tests/conftest.py): the migration is not what these tests show,
    and a daemon or command would otherwise run it first, in a subprocess, each time."""
    return migrated_pg_url


def _verify(unit: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )


def _unit_with_installed_script(tmp_path: Path, script: str) -> Path:
    """The unit as shipped, with ExecStart pointing where this machine has the script
    (verify checks that the executable exists; .ci/run also verifies the file as is)."""
    text = UNIT.read_text().replace("/usr/local/bin/oo-support", script)
    unit = tmp_path / "oo-support.service"
    unit.write_text(text)
    return unit


def test_unit_file_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    # The script beside the Python running the tests (.ci/run's virtualenv), else on PATH.
    beside = Path(sys.executable).with_name("oo-support")
    script = str(beside) if beside.is_file() else shutil.which("oo-support")
    assert script, "the console script is not installed: pip install -e ."
    done = _verify(_unit_with_installed_script(tmp_path, script))
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr  # no warnings either


def test_verify_would_catch_a_broken_unit(tmp_path: Path) -> None:
    """The check above can fail: a unit whose program is missing does not verify."""
    done = _verify(_unit_with_installed_script(tmp_path, "/nonexistent/oo-support"))
    assert done.returncode != 0
    assert "/nonexistent/oo-support" in done.stderr


def test_unit_asks_for_notify_watchdog_and_hardening() -> None:
    directives = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            directives.setdefault(key, []).append(value)
    assert directives["Type"] == ["notify"]
    assert int(directives["WatchdogSec"][0]) > 0
    assert directives["User"] == ["oo-support"]
    assert directives["Restart"] == ["on-failure"]
    assert directives["CapabilityBoundingSet"] == [""]
    for key in ("NoNewPrivileges", "ProtectHome", "PrivateTmp"):
        assert directives[key] == ["yes"], key
    assert directives["ProtectSystem"] == ["strict"]
    assert directives["ReadWritePaths"] == ["/var/lib/oo-support"]
    assert set(directives["RestrictAddressFamilies"][0].split()) == {
        "AF_INET",
        "AF_INET6",
        "AF_UNIX",
    }
    assert directives["LoadCredential"] and directives["EnvironmentFile"]
    # A poison mail or a flood cannot take the machine with it; nothing it writes is
    # readable by others; no W+X memory, no cloud metadata service.
    for key in ("MemoryDenyWriteExecute", "PrivateMounts", "RemoveIPC"):
        assert directives[key] == ["yes"], key
    assert directives["MemoryMax"] == ["1G"] and directives["TasksMax"] == ["128"]
    assert directives["ProtectProc"] == ["invisible"]
    assert directives["UMask"] == ["0077"]
    assert "link-local" in directives["IPAddressDeny"][0]


def test_unit_exposure_is_low(tmp_path: Path) -> None:
    """`systemd-analyze security` scores the unit as shipped (lower is safer)."""
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(_unit_with_installed_script(
            tmp_path, shutil.which("oo-support") or "/usr/local/bin/oo-support"))],
        capture_output=True, text=True, timeout=60,
    )
    [line] = [x for x in done.stdout.splitlines() if "Overall exposure level" in x]
    exposure = float(line.split("oo-support.service:")[1].split()[0])
    assert exposure <= 1.5, line


# -- sd_notify and the watchdog ----------------------------------------------------------


class NotifySocket:
    """The systemd end of $NOTIFY_SOCKET: collects (time, {key: value}) datagrams."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.2)
        self.messages: list[tuple[float, dict[str, str]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            fields = dict(line.split("=", 1) for line in data.decode().splitlines() if line)
            self.messages.append((time.monotonic(), fields))

    def times(self, key: str) -> list[float]:
        return [t for t, fields in self.messages if key in fields]

    def statuses(self) -> list[str]:
        return [fields["STATUS"] for _t, fields in self.messages if "STATUS" in fields]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[NotifySocket]:
    listener = NotifySocket(tmp_path / "notify.sock")
    yield listener
    listener.close()


def _env(notify: NotifySocket, watchdog_seconds: float) -> dict[str, str]:
    return {
        "NOTIFY_SOCKET": str(notify.path),
        "WATCHDOG_USEC": str(int(watchdog_seconds * 1_000_000)),
    }


TOTAL = 1000


def test_ready_watchdog_stopping_and_nothing_lost_or_half_sent(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str, notify_socket: NotifySocket
) -> None:
    """Acceptance 2: READY=1, WATCHDOG=1 periodically, STOPPING=1 on SIGTERM mid-work,
    exit 0; then every mail is a case or still in the INBOX, every ack went out once.
    The mails arrive while it runs, and SIGTERM comes when the first acks are out."""
    config = write_config(
        tmp_path / "oo.toml", database_url=pg_url, imap=dovecot, smtp_out=smtp_sink,
        extra={"imap": {"batch_size": 20}},
    )
    daemon = DaemonProcess(config, tmp_path, env=_env(notify_socket, 1.0)).start()
    started = time.monotonic()
    try:
        wait_until(lambda: notify_socket.times("READY"), 60, "READY=1")
        wait_until(lambda: len(notify_socket.times("WATCHDOG")) >= 3, 30, "three pets")
        dovecot.append("INBOX", [customer_mail(i) for i in range(TOTAL)])
        wait_until(lambda: len(smtp_sink.messages) >= 20, 60, "the first acks")
    finally:
        code = daemon.terminate()
    assert code == 0, daemon.log()[-3000:]
    [ready] = notify_socket.times("READY")
    [stopping] = notify_socket.times("STOPPING")
    pets = notify_socket.times("WATCHDOG")
    assert ready > started and stopping > ready
    assert all(ready <= t <= stopping for t in pets)
    gaps = [b - a for a, b in zip(pets, pets[1:], strict=False)]
    assert max(gaps) < 1.0, gaps  # WatchdogSec=1 s: a pet every half of it

    # Nothing lost: every mail is a case (moved to Processed) or untouched in INBOX.
    cases = sql(pg_url, "SELECT count(*) FROM cases")[0][0]
    assert dovecot.count("Processed") == cases
    assert dovecot.count("INBOX") + cases == TOTAL
    assert cases < TOTAL, "SIGTERM came after the work was done: the test proves less"
    # Nothing half-sent: what the relay has is exactly what the outbox calls sent.
    sent = {mid for (mid,) in sql(
        pg_url,
        "SELECT m.message_id FROM outbox o JOIN messages m ON m.id = o.message_pk"
        " WHERE o.status = 'sent'",
    )}
    captured = [parse_mail(m.data)["Message-ID"] for m in smtp_sink.messages]
    assert len(captured) == len(set(captured))
    assert set(captured) == sent

    # The next start takes the rest; in the end 300 cases and 300 acks, none twice.
    again = DaemonProcess(config, tmp_path, log_name="again.log").start().wait_ready()
    try:
        assert smtp_sink.wait_for(TOTAL, timeout=120), again.log()[-3000:]
    finally:
        assert again.terminate() == 0, again.log()[-3000:]
    assert sql(pg_url, "SELECT count(*) FROM cases")[0][0] == TOTAL
    captured = [parse_mail(m.data)["In-Reply-To"] for m in smtp_sink.messages]
    assert len(captured) == TOTAL == len(set(captured))


# -- metrics and /healthz -------------------------------------------------------------------


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _metric(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} not in /metrics"
    return float(match.group(1))


def test_metrics_move_and_healthz_flips_when_imap_loop_stalls(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str, notify_socket: NotifySocket
) -> None:
    """Acceptance 5, and the watchdog: no pets while a loop is stalled."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = write_config(
        tmp_path / "oo.toml", database_url=pg_url, imap=dovecot, smtp_out=smtp_sink,
        extra={
            "imap": {"timeout": 60},
            "metrics": {"enabled": True, "port": port, "stall_seconds": 3},
        },
    )
    dovecot.append("INBOX", [customer_mail(i) for i in range(5)])
    daemon = DaemonProcess(config, tmp_path, env=_env(notify_socket, 1.0)).start()
    stopped: list[int] = []
    idle = socket.socket()
    try:
        daemon.wait_ready()
        assert smtp_sink.wait_for(5, timeout=60), daemon.log()[-3000:]
        wait_until(lambda: "oo_support_outbox_sent_total{kind=\"ack\"} 5.0" in _get(
            f"{base}/metrics")[1], 20, "5 acks counted")
        status, text = _get(f"{base}/metrics")
        assert status == 200
        assert _metric(text, 'oo_support_mails_total{outcome="created"}') == 5
        assert _metric(text, "oo_support_ingest_latency_seconds_count") == 5
        assert _metric(text, "oo_support_outbox_depth") == 0
        assert _metric(text, "oo_support_imap_last_success_timestamp_seconds") > time.time() - 60

        dovecot.append("INBOX", [customer_mail(i) for i in range(5, 8)])  # the counters move
        assert smtp_sink.wait_for(8, timeout=60)
        wait_until(lambda: "oo_support_outbox_sent_total{kind=\"ack\"} 8.0" in _get(
            f"{base}/metrics")[1], 20, "8 acks counted")
        assert _metric(_get(f"{base}/metrics")[1], 'oo_support_mails_total{outcome="created"}') == 8

        # A client that connects and says nothing holds up neither /healthz nor the stop.
        idle.connect(("127.0.0.1", port))
        status, body = _get(f"{base}/healthz")
        assert status == 200 and json.loads(body)["ok"] is True, body

        # Freeze the IMAP server: the loop blocks in a command, stops beating.
        stopped = _alive_in_group(dovecot._proc.pid)
        for pid in stopped:
            os.kill(pid, signal.SIGSTOP)
        wait_until(lambda: _get(f"{base}/healthz")[0] == 503, 30, "/healthz to fail")
        report = json.loads(_get(f"{base}/healthz")[1])
        assert report["ok"] is False and "imap" in report["stalled"], report
        wait_until(lambda: any("STALLED" in s for s in notify_socket.statuses()), 25, "STATUS")
        quiet_from = time.monotonic()
        time.sleep(2.5)
        assert not [t for t in notify_socket.times("WATCHDOG") if t > quiet_from + 1.0]

        for pid in stopped:
            os.kill(pid, signal.SIGCONT)
        stopped = []
        wait_until(lambda: _get(f"{base}/healthz")[0] == 200, 90, "/healthz to recover")
        resumed = time.monotonic()
        wait_until(lambda: any(t > resumed for t in notify_socket.times("WATCHDOG")), 10,
                   "the pets to resume")
    finally:
        for pid in stopped:
            os.kill(pid, signal.SIGCONT)
        assert daemon.terminate() == 0, daemon.log()[-3000:]
        idle.close()


def test_sighup_reloads_customers_without_dropping_the_imap_session(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    """SIGHUP: [[customers]] re-read into the registry; the daemon keeps running."""
    config = write_config(
        tmp_path / "oo.toml", database_url=pg_url, imap=dovecot, smtp_out=smtp_sink
    )
    daemon = DaemonProcess(config, tmp_path).start()
    try:
        daemon.wait_ready()
        assert sql(pg_url, "SELECT count(*) FROM customers")[0][0] == 0
        logins = dovecot._logs().count("imap-login: Login")
        with config.open("a") as fh:
            fh.write('\n[[customers]]\nname = "Firma Nul"\ndomains = ["firma0.dk"]\n'
                     "agreement = true\n")
        daemon.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: sql(pg_url, "SELECT count(*) FROM customers")[0][0] == 1, 20,
                   "the customer to be synced")
        dovecot.append("INBOX", [customer_mail(0)])  # from firma0.dk: now a customer
        assert smtp_sink.wait_for(1, timeout=30), daemon.log()[-3000:]
        assert sql(pg_url, "SELECT agreement FROM cases") == [(True,)]
        assert dovecot._logs().count("imap-login: Login") == logins  # same session
        assert "customer registry reloaded" in daemon.log()
    finally:
        assert daemon.terminate() == 0, daemon.log()[-3000:]


# -- the log --------------------------------------------------------------------------


def test_log_is_one_json_event_per_line_with_case_numbers_and_no_bodies(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    """Logging: journald gets one event per line; lines about a case carry its
    number; neither the message body nor the IMAP password appears at INFO."""
    marker = "BODY-MARKER-7731"
    mails = [customer_mail(i, body=f"Hej\n\n{marker} printer {i}\n") for i in range(3)]
    dovecot.append("INBOX", mails)
    config = write_config(
        tmp_path / "oo.toml", database_url=pg_url, imap=dovecot, smtp_out=smtp_sink,
        extra={"logging": {"format": "json"}},
    )
    daemon = DaemonProcess(config, tmp_path).start()
    try:
        assert smtp_sink.wait_for(3, timeout=60), daemon.log()[-3000:]
        wait_until(lambda: daemon.log().count('"msg": "sent"') >= 3, 20, "3 sent lines")
    finally:
        assert daemon.terminate() == 0, daemon.log()[-3000:]
    text = daemon.log()
    events = [json.loads(line) for line in text.splitlines()]  # every line is one event
    assert all({"ts", "level", "logger", "msg"} <= event.keys() for event in events)
    numbers = {n for (n,) in sql(pg_url, "SELECT number FROM cases")}
    assert {e["case"] for e in events if e["msg"] == "case created"} == numbers
    assert {e["case"] for e in events if e["msg"] == "sent"} == numbers
    assert marker not in text
    assert f'"{dovecot.password}"' not in text and f"={dovecot.password}" not in text


def test_a_refused_statement_logs_no_mail_body(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Two daemons racing for one mail: the loser's IntegrityError (whose text would carry
    the statement's parameters, i.e. the body) is logged without them."""
    from datetime import UTC, datetime

    from daemon.app import build_app
    from daemon.inbound import InboundMail, Outcome
    from daemon.settings import Settings
    from daemon.store import repository

    secret = "Min adgangskode er Sommer2025"
    raw = customer_mail(1, body=f"Hej\n\n{secret}\n")
    app = build_app(Settings.model_validate(
        {"database": {"url": pg_url}, "outbox": {"pickup_dir": str(tmp_path / "out")}}
    ))
    app.prepare_database()
    now = datetime.now(UTC)
    app.pipeline.ingest_batch(app.engine, [InboundMail(raw, "smtp", now)])
    monkeypatch.setattr(repository, "known_inbound", lambda conn, keys: {})  # the race
    with caplog.at_level("INFO"):
        [result] = app.pipeline.ingest_batch(app.engine, [InboundMail(raw, "smtp", now)])
    app.engine.dispose()
    assert result.outcome is Outcome.DUPLICATE
    assert "not stored at once" in caplog.text  # the path under test was taken
    assert secret not in caplog.text
