"""End to end with intake and sending overlapped, as in service: `python -m benchmarks.ingest
--service`.

The in-process ingest run (benchmarks/ingest.py) times the IMAP pass and then the outbox
flush one after the other. In service they overlap: `oo-support run` sends while it
reads, its sender woken by each batch's commit. Here a mailbox is filled with the corpus
first, then `python -m daemon run` starts as a child process (tests/harness.DaemonProcess,
as benchmarks/latency.py runs it, with the production poll and flush intervals) against
a private Postfix (benchmarks/relay.py), and the clock runs from starting it until Postfix
has accepted the last ack: every mail stored (n inbound messages), no ack queued, and
Postfix's log holding as many acks as the outbox marked sent. The state is polled every
0.1 s, so the figure is late by up to that much plus Postfix's log write. The schema is
migrated before (as in the in-process run); the rest of start-up (to "daemon running")
is in the time and reported apart.

Beside it, in the same run, the raw floor of the same mailbox (benchmarks.floor:
fetch and one COPY of the raw bytes), before the daemon in odd runs, after it (from the
processed folder, the same files) in even runs.

Checked after every run (else BenchmarkFailure): every mail a case or a reply on one,
n inbound messages, one ack per new case, the outbox all sent, Postfix accepted exactly
the sent acks' Message-IDs, once each, INBOX empty and n mails processed, the daemon
exits 0 on SIGTERM.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg

from benchmarks import report
from benchmarks.corpus import generate
from benchmarks.floor import psycopg_url, run_raw_floor
from benchmarks.relay import PostfixRelay
from benchmarks.sandbox import Sandbox, sandbox
from daemon.settings import ImapSettings, OutboxSettings, load_settings
from daemon.store.engine import make_engine
from daemon.store.migrate import upgrade
from tests.harness import DaemonProcess


class ServiceFailure(Exception):
    """A run did not do what it should; its timings mean nothing."""


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _drained(db: psycopg.Connection[Any], n: int, relay: PostfixRelay) -> bool:
    """Every mail stored, no ack left to send, and Postfix logged every sent one (the
    log, the costly read, only once the database says so)."""
    row = db.execute(
        "SELECT (SELECT count(*) FROM messages WHERE direction = 'in'),"
        " (SELECT count(*) FROM outbox WHERE status <> 'sent'),"
        " (SELECT count(*) FROM outbox WHERE status = 'sent')").fetchone()
    inbound, queued, sent = row if row is not None else (0, 0, 0)
    return bool(inbound == n and queued == 0 and len(relay.accepted(sent, timeout=0)) >= sent)


def _check(box: Sandbox, n: int, processed_folder: str, relay: PostfixRelay,
           exit_code: int | None, floor: dict[str, Any]) -> dict[str, Any]:
    problems: list[str] = []
    if floor["mails"] != n or floor["failures"]:
        problems.append(f"raw floor read {floor['mails']} mails, {floor['failures']} failed")
    cases = box.query("SELECT count(*) FROM cases")[0][0]
    inbound = box.query("SELECT count(*) FROM messages WHERE direction = 'in'")[0][0]
    acks = [row[0] for row in box.query(
        "SELECT in_reply_to FROM messages WHERE direction = 'out' AND kind = 'ack'")]
    if inbound != n or len(acks) != cases or len(set(acks)) != len(acks):
        problems.append(f"{inbound} inbound messages, {cases} cases, {len(acks)} acks "
                        f"({len(set(acks))} distinct): expected {n} and one ack a case")
    outbox = dict(box.query("SELECT status, count(*) FROM outbox GROUP BY status"))
    if set(outbox) - {"sent"}:
        problems.append(f"outbox {outbox}: expected all sent")
    sent_ids = Counter(row[0] for row in box.query(
        "SELECT m.message_id FROM outbox o JOIN messages m ON m.id = o.message_pk"
        " WHERE o.status = 'sent'"))
    relay_ids = relay.accepted(sum(sent_ids.values()))
    if Counter(relay_ids) != sent_ids:
        problems.append(f"postfix accepted {len(relay_ids)} mails ({len(set(relay_ids))} "
                        f"distinct), the outbox sent {sum(sent_ids.values())}")
    inbox, processed = box.dovecot.count("INBOX"), box.dovecot.count(processed_folder)
    if (inbox, processed) != (0, n):
        problems.append(f"INBOX has {inbox} mails and {processed_folder} {processed}, "
                        f"expected 0 and {n}")
    if exit_code != 0:
        problems.append(f"the daemon exited {exit_code} on SIGTERM, expected 0")
    if problems:
        raise ServiceFailure("; ".join(problems))
    return {"cases": cases, "acks": len(acks), "relay_accepted": len(relay_ids)}


def measure_service_run(number: int, n: int, seed: int, floor_first: bool,
                        extra: dict[str, dict[str, Any]] | None = None,
                        timeout: float = 900) -> dict[str, Any]:
    """One run: fresh servers, the corpus appended, the raw floor and `daemon run`."""
    with PostfixRelay() as relay, sandbox("ingest-service") as box:
        box.dovecot.append("INBOX", generate(n, seed))
        # The production intervals: acks must come from the commit waking the sender.
        sections = {"imap": {"poll_interval": ImapSettings().poll_interval},
                    "outbox": {"flush_interval": OutboxSettings().flush_interval},
                    **(extra or {})}
        config = box.write_config(smtp_out=relay, extra=sections)
        settings = load_settings(config, environ={})
        engine = make_engine(settings.database.url)
        upgrade(engine)  # as the in-process run: the schema is there before the clock
        engine.dispose()
        processed_folder = settings.imap.processed_folder if settings.imap else ""
        floor: dict[str, Any] = {}

        def raw_floor(folder: str) -> dict[str, Any]:
            box.checkpoint()
            return run_raw_floor(box.dovecot.host, box.dovecot.port, box.dovecot.user,
                                 box.dovecot.password, folder, box.database_url)

        if floor_first:
            floor = raw_floor("INBOX")
        box.checkpoint()
        # One connection to watch the database from, not one per look.
        db = psycopg.connect(psycopg_url(box.database_url), autocommit=True)
        daemon = DaemonProcess(config, box.root)
        load = report.load_average()
        started = time.perf_counter()
        daemon.start()
        assert daemon.proc is not None
        ready_s: float | None = None
        exit_code: int | None = None
        try:
            deadline = started + timeout
            while not _drained(db, n, relay):
                if ready_s is None and "daemon running" in daemon.log():
                    ready_s = time.perf_counter() - started
                if daemon.proc.poll() is not None or time.perf_counter() > deadline:
                    raise ServiceFailure(f"run {number}: the daemon ended or took over "
                                         f"{timeout} s\n{daemon.log()[-3000:]}")
                time.sleep(0.1)
            seconds = time.perf_counter() - started
            cpu_s = _cpu_s(daemon.proc.pid)
        finally:
            db.close()
            if daemon.proc.poll() is None:
                exit_code = daemon.terminate(timeout=120)
        if not floor_first:
            floor = raw_floor(processed_folder)
        try:
            checks = _check(box, n, processed_folder, relay, exit_code, floor)
        except ServiceFailure as exc:
            raise ServiceFailure(f"run {number}: {exc}\n{daemon.log()[-3000:]}") from None
    rate = n / seconds
    return {
        "run": number,
        "order": "raw_floor,service" if floor_first else "service,raw_floor",
        "relay": f"postfix {relay.version}",
        "load_average": load,
        "load_average_after": report.load_average(),
        "raw_floor": floor,
        "service": {"seconds": round(seconds, 3), "ready_s": round(ready_s or 0.0, 3),
                    "mails_per_s": round(rate, 1), "acks": checks["acks"],
                    "daemon_cpu_s": round(cpu_s, 2)},
        "end_to_end_to_raw_floor": round(rate / floor["mails_per_s"], 3),
        "checks": checks,
    }


def service_table(runs: list[dict[str, Any]]) -> str:
    headers = ("run", "order", "load", "raw floor", "start s", "seconds", "e2e m/s",
               "e2e/raw", "daemon cpu s")
    rows: list[list[object]] = [
        [run["run"], run["order"], run["load_average"], run["raw_floor"]["mails_per_s"],
         run["service"]["ready_s"], run["service"]["seconds"], run["service"]["mails_per_s"],
         run["end_to_end_to_raw_floor"], run["service"]["daemon_cpu_s"]]
        for run in runs
    ]
    rows.append(["median", "", "",
                 report.median([run["raw_floor"]["mails_per_s"] for run in runs]), "",
                 report.median([run["service"]["seconds"] for run in runs]),
                 report.median([run["service"]["mails_per_s"] for run in runs]),
                 report.median([run["end_to_end_to_raw_floor"] for run in runs]), ""])
    return report.format_table(headers, rows)
