"""How long a customer waits for the acknowledgement, with the daemon running as in
production: `python -m daemon run` as a child process on IMAP IDLE.

Mail is appended at a steady rate (default 20/s for 60 s), one APPEND per mail over one
IMAP connection, each with a unique Message-ID and an `X-Bench-Sent: <time.time()>`
header. The SMTP sink timestamps each acknowledgement as it accepts it (before its 250
goes back), and acks are matched to mails by In-Reply-To. Latency is from the APPEND's
completion (the mail is in the mailbox) to the ack's acceptance by the relay.

Before the timed stream one warm-up mail goes through and its ack is awaited, so the
figures show the steady state, not the daemon's first connection and template load.

A reference point: a second IMAP session that does nothing but IDLE
(mailbox_watch.IdleWatcher) notes when the server announces new mail. "notice" is
APPEND -> that announcement: what any IDLE client waits for (Dovecot holds notices back
for 500 ms). "after notice" is announcement -> ack, roughly the daemon's own part. It
is not a strict split: the daemon's session also learns of mail from the responses to
its own commands during a pass, so for some mails "after notice" is negative.

Stranded mail: if acks stop coming for STALL_SECONDS while mail sits in INBOX, the
daemon missed it (a mail that arrives during a pass is announced to that session
before it IDLEs again, and then never). The benchmark names those mails, appends one
more mail to wake the daemon, and reports them apart from the percentiles, which
would otherwise measure when the benchmark gave up waiting.

Mail bodies are corpus mails (benchmarks.corpus, so the size mix includes the 10 % with
a 50-500 KB attachment); their Message-ID, In-Reply-To and References are replaced, so
every mail is new and must get exactly one ack.

CLI: python -m benchmarks.latency [--rate 20] [--seconds 60] [--seed 1] [--results-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.corpus import generate
from benchmarks.mailbox_watch import IdleWatcher, message_ids_in
from benchmarks.sandbox import Sandbox, benchmark_overrides, sandbox
from benchmarks.sink import decoded_header
from daemon.settings import ImapSettings, OutboxSettings
from tests.harness import DaemonProcess
from tests.servers import CapturedMail, Dovecot, SmtpSink

# Headers of a corpus mail that would tie it to other mails; replaced or dropped.
_REPLACED = {b"message-id", b"in-reply-to", b"references"}
# No new ack for this long while mail waits in INBOX: the daemon is not coming for it.
# (A notice takes 0.5 s and a pass well under 1 s; a backlog still shows progress.)
STALL_SECONDS = 5.0


class TimedSink(SmtpSink):
    """An SmtpSink that notes time.time() the moment it accepts each mail."""

    def __init__(self) -> None:
        super().__init__()
        self.accepted_at: list[float] = []  # parallel to self.messages

    def _capture(self, mail: CapturedMail) -> None:
        # The sink's condition holds an RLock, so taking it here keeps both lists in
        # step for readers that wait on it.
        with self._cond:
            self.accepted_at.append(time.time())
            super()._capture(mail)


def as_new_mail(raw: bytes, message_id: str) -> bytes:
    """`raw` with its own Message-ID and no threading headers (folded lines included)."""
    head, separator, body = raw.partition(b"\r\n\r\n")
    kept: list[bytes] = []
    dropping = False
    for line in head.split(b"\r\n"):
        if line[:1] not in (b" ", b"\t"):  # a new header, not a continuation line
            dropping = line.split(b":", 1)[0].strip().lower() in _REPLACED
        if not dropping:
            kept.append(line)
    kept.append(b"Message-ID: " + message_id.encode("ascii"))
    return b"\r\n".join(kept) + separator + body


def bench_mails(count: int, seed: int) -> Iterator[tuple[str, bytes]]:
    """(Message-ID, bytes) of `count` fresh mails; the IDs are unique to this run."""
    run = uuid.uuid4().hex[:8]
    for index, raw in enumerate(generate(count, seed)):
        # Short on purpose: the ack's In-Reply-To stays one plain line.
        message_id = f"<lat-{run}-{index:05d}@bench.oo-support.invalid>"
        yield message_id, as_new_mail(raw, message_id)


def append_steadily(dovecot: Dovecot, mails: list[tuple[str, bytes]],
                    rate: float) -> dict[str, dict[str, float]]:
    """APPEND mail i at start + i/rate; returns, per Message-ID, when it was sent and
    when the APPEND completed (time.time()). A slow APPEND delays the next ones, not
    the schedule: a mail that is late goes at once."""
    appended: dict[str, dict[str, float]] = {}
    with dovecot.client() as client:
        start = time.monotonic()
        for index, (message_id, raw) in enumerate(mails):
            delay = start + index / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            sent = time.time()
            client.append("INBOX", b"X-Bench-Sent: %.6f\r\n" % sent + raw)
            appended[message_id] = {"sent": sent, "appended": time.time()}
    return appended


def wait_for_acks(sink: TimedSink, dovecot: Dovecot, expected: int, timeout: float,
                  nudge: bytes) -> list[str]:
    """Wait until `expected` acks arrived, or `timeout`. If acks stall while mail waits
    in INBOX, append `nudge` once (its ack is then expected too) and return the
    Message-IDs that were stranded there."""
    deadline = time.monotonic() + timeout
    stranded: list[str] = []
    seen, last_progress = len(sink.messages), time.monotonic()
    while len(sink.messages) < expected and time.monotonic() < deadline:
        sink.wait_for(len(sink.messages) + 1, timeout=0.5)
        if len(sink.messages) != seen:
            seen, last_progress = len(sink.messages), time.monotonic()
        elif not stranded and time.monotonic() - last_progress > STALL_SECONDS:
            stranded = message_ids_in(dovecot, "INBOX")
            if stranded:
                dovecot.append("INBOX", [nudge])
                expected += 1
    return stranded


def _proc_status(pid: int) -> dict[str, float]:
    """The daemon's own peak memory and CPU seconds so far, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    hwm_kb = next(int(line.split()[1]) for line in status.splitlines()
                  if line.startswith("VmHWM:"))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime (fields 14, 15 of stat)
    return {"peak_rss_mb": round(hwm_kb / 1024, 1),
            "cpu_s": round(ticks / os.sysconf("SC_CLK_TCK"), 2)}


def _latencies(sink: TimedSink, appended: dict[str, dict[str, float]],
               service_ids: set[str]) -> tuple[dict[str, float], list[str]]:
    """Seconds from APPEND completion to ack, per Message-ID; and the problems found."""
    problems: list[str] = []
    acked: dict[str, float] = {}
    for mail, at in zip(list(sink.messages), list(sink.accepted_at), strict=True):
        headers = mail.data.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
        in_reply_to = _header(headers, "in-reply-to")
        if in_reply_to in service_ids:  # the warm-up and nudge mails
            continue
        if in_reply_to not in appended:
            problems.append(f"ack answering an unknown mail: {in_reply_to!r}")
        elif in_reply_to in acked:
            problems.append(f"second ack for {in_reply_to}")
        else:
            acked[in_reply_to] = at - appended[in_reply_to]["appended"]
    missing = len(appended) - len(acked)
    if missing:
        problems.append(f"{missing} of {len(appended)} mails got no ack")
    return acked, problems


def _header(head: str, name: str) -> str:
    """One header's value from a header block (unfolded, RFC 2047 decoded)."""
    unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ")
    for line in unfolded.split("\r\n"):
        key, _, value = line.partition(":")
        if key.strip().lower() == name:
            return decoded_header(value)
    return ""


def _check_store(box: Sandbox, expected: int) -> list[str]:
    problems = []
    cases = box.query("SELECT count(*) FROM cases")[0][0]
    if cases != expected:
        problems.append(f"{cases} cases, expected {expected}")
    outbox = dict(box.query("SELECT status, count(*) FROM outbox GROUP BY status"))
    if outbox != {"sent": expected}:
        problems.append(f"outbox {outbox}, expected all {expected} sent")
    inbox = box.dovecot.count("INBOX")
    if inbox:
        problems.append(f"{inbox} mails still in INBOX")
    return problems


def run_latency(rate: float, seconds: float, seed: int = 1,
                keep_log: Path | None = None) -> dict[str, Any]:
    """Start everything, stream the mail, stop the daemon; the figures and checks.

    Problems (missing or extra acks, a bad exit, mail left behind) are listed under
    "problems" next to whatever was measured, so a failed run can still be read;
    the daemon's log is copied to `keep_log` for the same reason.
    """
    count = max(1, round(rate * seconds))
    (warmup_id, warmup), (nudge_id, nudge) = bench_mails(2, seed + 1)
    mails = list(bench_mails(count, seed))  # made before the clock starts
    appended: dict[str, dict[str, float]] = {}
    watcher: IdleWatcher | None = None
    stranded: list[str] = []
    problems: list[str] = []
    daemon_usage: dict[str, float] = {}
    sink = TimedSink()
    sink.start()
    try:
        with sandbox("latency") as box:
            # Production values, not the test config's fast ones: the ack must come
            # from IDLE and the commit waking the sender, never from a short poll.
            config = box.write_config(smtp_out=sink, extra={
                "imap": {"poll_interval": ImapSettings().poll_interval},
                "outbox": {"flush_interval": OutboxSettings().flush_interval},
            })
            daemon = DaemonProcess(config, box.root)
            daemon.start()
            try:
                daemon.wait_ready(timeout=60)
                box.dovecot.append("INBOX", [warmup])
                if sink.wait_for(1, timeout=60):
                    watcher = IdleWatcher(box.dovecot)
                    watcher.start()
                    try:
                        appended = append_steadily(box.dovecot, mails, rate)
                        stranded = wait_for_acks(sink, box.dovecot, count + 1,
                                                 max(60.0, seconds), nudge)
                    finally:
                        watcher.stop()
                else:
                    problems.append("no ack for the warm-up mail within 60 s")
                if daemon.proc is not None:
                    daemon_usage = _proc_status(daemon.proc.pid)
            finally:
                exit_code = daemon.terminate(timeout=60) if daemon.proc else None
                if keep_log is not None:
                    keep_log.write_text(daemon.log())
            acked, found = _latencies(sink, appended, {warmup_id, nudge_id})
            problems += found
            if exit_code != 0:
                problems.append(f"daemon exited {exit_code} on SIGTERM, expected 0")
            problems += _check_store(box, 1 + len(appended) + bool(stranded))
            log_errors = [line for line in daemon.log().splitlines()
                          if " ERROR " in line or "Traceback" in line]
    finally:
        sink.stop()
    return {
        **_figures(appended, acked, watcher, stranded),
        "rate_requested": rate,
        "daemon_exit_code": exit_code,
        "daemon": daemon_usage,
        "daemon_log_errors": log_errors[-20:],
        "problems": problems,
    }


def _figures(appended: dict[str, dict[str, float]], acked: dict[str, float],
             watcher: IdleWatcher | None, stranded: list[str]) -> dict[str, Any]:
    """Counts and latency spreads (ms); stranded mails are left out of the spreads."""
    notice: dict[str, float] = {}
    for mid, times in appended.items():
        at = watcher.announced_at(times["appended"]) if watcher else None
        if at is not None:
            notice[mid] = at - times["appended"]
    steady = [mid for mid in acked if mid not in stranded]  # see the module docstring
    noticed = [mid for mid in steady if mid in notice]
    return {
        "mails": len(appended),
        "acks": len(acked),
        "rate_achieved": _achieved_rate(appended),
        "latency_ms": _spread([1000 * acked[mid] for mid in steady]),
        "notice_ms": _spread([1000 * notice[mid] for mid in noticed]),
        "after_notice_ms": _spread([1000 * (acked[mid] - notice[mid]) for mid in noticed]),
        "append_ms": _spread([1000 * (a["appended"] - a["sent"]) for a in appended.values()]),
        "stranded": stranded,
        # In sending order, None for no ack: shows whether the daemon fell behind.
        "latency_ms_by_mail": [round(1000 * acked[mid], 1) if mid in acked else None
                               for mid in appended],
    }


def _achieved_rate(appended: dict[str, dict[str, float]]) -> float | None:
    if len(appended) < 2:
        return None
    first = min(a["sent"] for a in appended.values())
    last = max(a["sent"] for a in appended.values())
    return round((len(appended) - 1) / (last - first), 2) if last > first else None


def _spread(ms: list[float]) -> dict[str, float | None]:
    if not ms:
        return dict.fromkeys(("p50", "p95", "p99", "max", "min", "mean"))
    return {
        "p50": round(report.percentile(ms, 50), 1),
        "p95": round(report.percentile(ms, 95), 1),
        "p99": round(report.percentile(ms, 99), 1),
        "max": round(max(ms), 1),
        "min": round(min(ms), 1),
        "mean": round(sum(ms) / len(ms), 1),
    }


def table(result: dict[str, Any]) -> str:
    latency, notice, own = (result["latency_ms"], result["notice_ms"],
                            result["after_notice_ms"])
    headers = ("mails", "acks", "rate/s", "p50 ms", "p95 ms", "p99 ms", "max ms",
               "notice p50", "after notice p50", "after notice p99", "stranded", "CPU s",
               "RSS MB", "exit")
    row = [result["mails"], result["acks"], result["rate_achieved"], latency["p50"],
           latency["p95"], latency["p99"], latency["max"], notice["p50"], own["p50"],
           own["p99"], len(result["stranded"]), result["daemon"].get("cpu_s", ""),
           result["daemon"].get("peak_rss_mb", ""), result["daemon_exit_code"]]
    return report.format_table(headers, [row])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.latency",
                                     description="Mail-to-acknowledgement latency under IDLE")
    parser.add_argument("--rate", type=float, default=20.0, help="mails per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the stream")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed")
    parser.add_argument("--results-dir", type=Path, default=report.RESULTS_DIR)
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.seconds <= 0:
        parser.error("--rate and --seconds must be positive")

    stamp = report.timestamp()
    document: dict[str, Any] = {
        "benchmark": "latency", "rate": args.rate, "seconds": args.seconds, "seed": args.seed,
        "environment": report.environment(), "config_overrides": benchmark_overrides(),
    }
    print(f"latency benchmark: {args.rate:g} mails/s for {args.seconds:g} s, seed {args.seed}",
          flush=True)
    log_path = args.results_dir / f"latency-{stamp}.daemon.log"
    args.results_dir.mkdir(parents=True, exist_ok=True)
    result = run_latency(args.rate, args.seconds, args.seed, keep_log=log_path)
    document["result"] = result
    path = report.write_result("latency", document, args.results_dir, stamp)
    print()
    print(table(result))
    print(f"result: {path}\ndaemon log: {log_path}")
    if result["stranded"]:
        print(f"WARNING: {len(result['stranded'])} mail(s) sat in INBOX, unnoticed by the "
              f"daemon, until one more mail arrived (left out of the percentiles): "
              f"{', '.join(result['stranded'])}")
    if result["problems"]:
        print("FAILED: " + "; ".join(result["problems"]), file=sys.stderr)
        for line in result["daemon_log_errors"]:
            print("  " + line, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
