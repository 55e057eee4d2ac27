"""The metrics observers and the stall detector, without servers."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from prometheus_client import generate_latest

from daemon.inbound import InboundMail, IngestResult, Outcome
from daemon.ops.health import Health
from daemon.ops.metrics import Metrics
from daemon.ops.systemd import Notifier

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _value(metrics: Metrics, line_start: str) -> float:
    for line in generate_latest(metrics.registry).decode().splitlines():
        if line.startswith(line_start + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{line_start} not exposed")


def test_ingest_counts_by_outcome_and_latency_only_for_cases() -> None:
    metrics = Metrics(lambda: 3)
    mails = [InboundMail(b"x", "imap:INBOX", NOW - timedelta(seconds=s)) for s in (2, 4, 1)]
    results = [
        IngestResult(Outcome.CREATED, 100001),
        IngestResult(Outcome.IGNORED, None, "auto-replied"),
        IngestResult(Outcome.THREADED, 100001, "reply"),
    ]
    metrics.ingested(mails, results, NOW)
    assert _value(metrics, 'oo_support_mails_total{outcome="created"}') == 1
    assert _value(metrics, 'oo_support_mails_total{outcome="ignored"}') == 1
    assert _value(metrics, "oo_support_ingest_latency_seconds_count") == 2
    assert _value(metrics, "oo_support_ingest_latency_seconds_sum") == 3
    assert _value(metrics, "oo_support_outbox_depth") == 3


def test_outbox_and_alert_counters() -> None:
    metrics = Metrics(lambda: 0)
    metrics.outbox_result("ack", "sent")
    metrics.outbox_result("ack", "deferred")
    metrics.alerts_raised({"response_breach": 2, "reminder": 0, "oncall_page": 1,
                           "oncall_withheld": 3, "alert_mails": 2})
    assert _value(metrics, 'oo_support_outbox_sent_total{kind="ack"}') == 1
    assert _value(metrics, 'oo_support_outbox_failures_total{kind="ack",result="deferred"}') == 1
    assert _value(metrics, 'oo_support_sla_breaches_total{deadline="response"}') == 2
    assert _value(metrics, 'oo_support_alerts_total{kind="oncall_page"}') == 1
    assert _value(metrics, 'oo_support_alerts_total{kind="oncall_withheld"}') == 3
    assert 'kind="alert_mails"' not in generate_latest(metrics.registry).decode()


def test_a_loop_is_stalled_only_past_its_allowance() -> None:
    now = [100.0]
    health = Health(lambda: now[0])
    beat_imap = health.register("imap", 10)
    health.register("outbox", 30)
    now[0] = 109.0
    assert health.stalled() == {}
    now[0] = 111.0
    assert health.stalled() == {"imap": 11.0}
    beat_imap()
    assert health.stalled() == {}
    now[0] = 131.5
    assert set(health.stalled()) == {"imap", "outbox"}


def test_watchdog_interval_is_half_of_watchdog_usec_for_this_process() -> None:
    env = {"NOTIFY_SOCKET": "", "WATCHDOG_USEC": "4000000"}
    assert Notifier(env).watchdog_interval == 2.0
    assert Notifier(env | {"WATCHDOG_PID": str(os.getpid())}).watchdog_interval == 2.0
    assert Notifier(env | {"WATCHDOG_PID": "1"}).watchdog_interval is None
    assert Notifier({}).watchdog_interval is None
    assert not Notifier({}).enabled
    Notifier({}).notify(READY=1)  # outside systemd: nothing to tell, no error
