"""Prometheus metrics and /healthz on loopback.

One registry per App (tests build several in one process). The counters are fed by
observers the composition root hangs on the pipeline, the outbox and the scheduler;
the outbox depth is read from the database when scraped, so it is never stale.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import WSGIApplication

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app

from daemon.domain.alerts import SLA_BREACHES
from daemon.inbound import InboundMail, IngestResult
from daemon.ops.health import Health

log = logging.getLogger(__name__)

# Arrival to commit: IMAP IDLE adds ~0.25 s, a backlog adds minutes.
_LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600)


class Metrics:
    def __init__(self, outbox_depth: Callable[[], float]) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.mails = Counter(
            "oo_support_mails",
            "Mails taken in, by outcome (created, threaded, duplicate, ignored, rejected,"
            " deferred, quarantined)",
            ["outcome"],
            registry=r,
        )
        self.ingest_latency = Histogram(
            "oo_support_ingest_latency_seconds",
            "Seconds from a mail's arrival at the mailbox to its commit as a case",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.sent = Counter(
            "oo_support_outbox_sent",
            "Mails accepted by the relay (or pickup dir), by kind (ack, reply, alert, ...)",
            ["kind"],
            registry=r,
        )
        self.send_failures = Counter(
            "oo_support_outbox_failures",
            "Sends that failed: result deferred (will retry) or failed (given up), by kind",
            ["kind", "result"],
            registry=r,
        )
        self.alerts = Counter(
            "oo_support_alerts",
            "Alerts raised by the scheduler, by kind (sla_breach_response, page, ...)",
            ["kind"],
            registry=r,
        )
        self.sla_breaches = Counter(
            "oo_support_sla_breaches",
            "SLA deadlines missed (BR-11), by deadline (response, resolve)",
            ["deadline"],
            registry=r,
        )
        self.imap_last_success = Gauge(
            "oo_support_imap_last_success_timestamp_seconds",
            "Unix time of the last IMAP pass that completed",
            registry=r,
        )
        depth = Gauge(
            "oo_support_outbox_depth", "Mails queued for sending (not yet sent)", registry=r
        )
        depth.set_function(outbox_depth)

    # -- observers -----------------------------------------------------------

    def ingested(
        self, mails: Sequence[InboundMail], results: Sequence[IngestResult], now: datetime
    ) -> None:
        for mail, result in zip(mails, results, strict=True):
            self.mails.labels(result.outcome.value).inc()
            if result.case_number is not None and mail.received_at <= now:
                self.ingest_latency.observe((now - mail.received_at).total_seconds())

    def outbox_result(self, kind: str, result: str) -> None:
        if result == "sent":
            self.sent.labels(kind).inc()
        else:
            self.send_failures.labels(kind, result).inc()

    def alerts_raised(self, counts: dict[str, int]) -> None:
        for kind, count in counts.items():
            # alert_mails counts mails, not alerts: oo_support_outbox_sent has them.
            if count and kind != "alert_mails":
                self.alerts.labels(kind).inc(count)
                if kind in SLA_BREACHES:
                    self.sla_breaches.labels(SLA_BREACHES[kind]).inc(count)

    def imap_pass_done(self, unix_time: float) -> None:
        self.imap_last_success.set(unix_time)


class _Server(ThreadingMixIn, WSGIServer):
    """One thread per request: a client that connects and sends nothing holds only
    its own thread (for `timeout`), not /healthz and not the daemon's shutdown."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # An idle or vanished client (the handler's timeout): not worth a traceback.
        log.debug("metrics request from %s failed", client_address, exc_info=True)


class _QuietHandler(WSGIRequestHandler):
    timeout = 5  # seconds a silent client may hold its connection

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        pass  # a scrape every 15 s is not news


def wsgi_app(metrics: Metrics, health: Health) -> Callable[..., Iterable[bytes]]:
    exposition: WSGIApplication = make_wsgi_app(metrics.registry)  # typed as a bare Callable there

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            stalled = health.stalled()
            body = json.dumps(
                {"ok": not stalled, "stalled": stalled, "silence_seconds": health.silence()}
            ).encode()
            status = "200 OK" if not stalled else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json")])
            return [body]
        return exposition(environ, start_response)

    return app


def serve(metrics: Metrics, health: Health, host: str, port: int) -> WSGIServer:
    """Serve /metrics and /healthz from a daemon thread; `.shutdown()` stops it."""
    try:
        server = make_server(
            host, port, wsgi_app(metrics, health), server_class=_Server,
            handler_class=_QuietHandler,
        )
    except OSError as exc:
        # One line naming the key to change, as [web] listen's and [smtp_in]'s do.
        raise OSError(exc.errno, f"[metrics] host/port {host}:{port}: {exc.strerror}") from None
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    log.info("metrics on http://%s:%s/metrics", host, server.server_port)
    return server
