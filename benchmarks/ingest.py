"""The daemon's ingestion throughput, measured against the floor on the same mailbox.

Each run starts a fresh Dovecot and database, appends the corpus (fixed seed) and then,
in the same run, measures
  - the parse floor (benchmarks.floor.run_floor: fetch, parse, one COPY; mailbox
    untouched) and the raw floor (run_raw_floor: fetch, one COPY of the raw bytes),
  - the daemon draining that mailbox in-process: `ImapSource.poll_once()` (fetch,
    parse, cases, acknowledgements queued, commit, MOVE to Processed), and then
    `App.flush_outbox()` sending the queued acknowledgements to the relay: a private
    Postfix delivering to its discard transport (benchmarks/relay.py; `--relay sink`:
    the aiosmtpd sink of benchmarks/sink.py),
  - the flush floor (Postfix only): the same acks' bytes sent to the same Postfix over
    as many pipelining connections, no database (benchmarks/flush_floor.py), before
    or after the daemon's flush (alternating), with Postfix's CPU per ack for each.
Runs alternate the order (floors first, then daemon first) so neither side always gets
the warmer page cache, Dovecot index or database. When the daemon went first, the
floor reads the same mails from the processed folder: a maildir MOVE renames the
same files, so the bytes are identical.

Every run is checked before it counts (see verify): every mail stored once as a new
case or a reply on one, one acknowledgement per new case, to its sender, the relay
given exactly what the outbox sent, INBOX empty. A failed check exits 1.

CLI: python -m benchmarks.ingest [--n 5000] [--runs 3] [--seed 1]
         [--profile cprofile|pyinstrument] [--results-dir DIR] [--connections N]
     python -m benchmarks.ingest --service [--n 5000] [--runs 3]   # intake and sending
         overlapped, `python -m daemon run` (benchmarks/ingest_service.py)
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from time import perf_counter, process_time
from typing import Any, TypeVar

from benchmarks import report
from benchmarks.corpus import generate
from benchmarks.floor import run_floor, run_raw_floor
from benchmarks.flush_floor import Mail, run_flush_floor
from benchmarks.ingest_service import ServiceFailure, measure_service_run, service_table
from benchmarks.profiling import profiled
from benchmarks.relay import PostfixRelay, installed
from benchmarks.sandbox import Sandbox, benchmark_overrides, sandbox
from benchmarks.sink import Accepted, SinkProcess
from daemon.app import App, build_app
from daemon.logs import KeyValueFormatter, lean_records
from daemon.outbox import FlushReport
from daemon.settings import load_settings
from daemon.sources.imap import PassReport
from daemon.store.migrate import upgrade

TARGET_RATIO = 0.60  # daemon ingest / raw floor (issue 18; was / parse floor before)
TARGET_E2E_RATIO = 0.50  # end to end / raw floor (issue 18)
Result = TypeVar("Result")


class BenchmarkFailure(Exception):
    """A run did not do what it should; its timings mean nothing."""


@contextlib.contextmanager
def daemon_logging(path: Path) -> Iterator[None]:
    """Log as `python -m daemon` does (INFO, one line per case and per ack), to a file.

    The production daemon pays for its log lines, so the in-process one must too;
    a file stands in for journald's pipe.
    """
    lean_records()  # as daemon/logs.configure does
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(KeyValueFormatter())  # the daemon's own log lines, as in production
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("imapclient").setLevel(logging.WARNING)  # as daemon/logs.py does
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()


def _timed(call: Callable[[], Result], profile: str | None, profile_path: Path,
           notes: dict[str, str]) -> tuple[Result, float]:
    started = perf_counter()
    if profile is None:
        result = call()
    else:
        result, summary = profiled(call, profile, profile_path)
        notes[profile_path.stem] = summary
    return result, perf_counter() - started


def drain(app: App, profile: str | None, profile_prefix: Path,
          notes: dict[str, str]) -> dict[str, Any]:
    """The daemon's ingest: one IMAP pass, timed."""
    # The parsing workers as `oo-support run` has them: started with the daemon, before
    # any mail. Their start (spawning the processes) is not timed, their start-up is:
    # the pass waits for them to be ready, as a daemon's first pass does (~0.8 s of
    # CPU a worker: imports, the triage rules; benchmarks/worker_start.py).
    pool = app.prepare_pool()
    pool.start()

    def ingest() -> PassReport:
        source = app.imap_source()
        source.use_pool(pool)
        try:
            return source.poll_once()
        finally:
            source.close()  # logging out is part of a pass, as it is for the floor

    report.reset_peak_rss()
    try:
        passed, ingest_s = _timed(ingest, profile, Path(f"{profile_prefix}-ingest"), notes)
    finally:
        pool.close()
    return {"pass": passed, "ingest_s": ingest_s, "rss": {"daemon_ingest": report.peak_rss_mb()}}


def send_acks(app: App, box: Sandbox, relay: PostfixRelay | SinkProcess, floor_first: bool,
              profile: str | None, profile_prefix: Path,
              notes: dict[str, str]) -> dict[str, Any]:
    """The queued acks sent twice to a Postfix relay, alternating which goes first: by
    the daemon's flush (`App.flush_outbox`) and by the flush floor (the same rows' bytes
    over as many pipelining connections, no database: benchmarks/flush_floor.py). Each
    is timed, with Postfix's CPU and this process's CPU per mail. A sink relay gets the
    daemon's flush only (it checks what it received against the outbox)."""
    connections = app.settings.smtp_out.connections if app.settings.smtp_out else 1
    postfix = relay if isinstance(relay, PostfixRelay) else None
    order = ("flush_floor", "flush") if floor_first and postfix else ("flush", "flush_floor")
    done: dict[str, Any] = {"order": ",".join(order) if postfix else "flush"}
    mails: list[Mail] = [(row[0], row[1], row[2]) for row in box.query(
        "SELECT o.envelope_from, o.recipients, m.raw FROM outbox o"
        " JOIN messages m ON m.id = o.message_pk ORDER BY o.id")]
    for phase in order:
        if phase == "flush_floor" and postfix is None:
            continue
        box.checkpoint()
        postfix_before = postfix.cpu_s() if postfix else 0.0
        own_before = process_time()
        if postfix is not None and phase == "flush_floor":
            floor = run_flush_floor(postfix.host, postfix.port, mails, connections)
            sent, done["flush_floor"] = floor["mails"], floor
        else:
            report.reset_peak_rss()
            flushed, flush_s = _timed(app.flush_outbox, profile,
                                      Path(f"{profile_prefix}-flush"), notes)
            done.update(flush=flushed, flush_s=flush_s, rss=report.peak_rss_mb())
            sent = flushed.sent
        own_s = process_time() - own_before
        if postfix:
            postfix.settle()  # its queue delivered: the CPU of this phase's mail, all of it
        costs = {"benchmark_process_cpu_ms_per_mail": round(1000 * own_s / max(sent, 1), 3)}
        if postfix:
            costs["postfix_cpu_ms_per_mail"] = round(
                1000 * (postfix.cpu_s() - postfix_before) / max(sent, 1), 3)
        if phase == "flush_floor":
            done["flush_floor"].update(costs)
        else:
            done["flush_cpu"] = costs
    return done


# Outcomes a clean corpus of fresh customer mail must never produce. "created" and
# "threaded" (a corpus reply joining the case of the mail it answers) are expected.
_EXPECTED_OUTCOMES = ("created", "threaded")


def verify(box: Sandbox, n: int, processed_folder: str, floors: dict[str, dict[str, Any]],
           passed: PassReport, flushed: FlushReport, accepted: list[Accepted] | None,
           relay_ids: list[str] | None = None,
           flush_floor: dict[str, Any] | None = None) -> dict[str, Any]:
    """Raise BenchmarkFailure unless every mail was stored once, every new case got one
    acknowledgement, to its sender, and the relay received exactly what the outbox sent."""
    problems: list[str] = []
    for name, floor in floors.items():
        if floor["mails"] != n or floor["failures"]:
            problems.append(f"{name} read {floor['mails']} mails, {floor['failures']} failed")
    outcomes = asdict(passed)
    if sum(outcomes.values()) != n:
        problems.append(f"pass report {outcomes} accounts for {sum(outcomes.values())} of {n}")
    unexpected = {k: v for k, v in outcomes.items() if v and k not in _EXPECTED_OUTCOMES}
    if unexpected:
        problems.append(f"pass report {outcomes}: unexpected {unexpected}")
    cases = box.query("SELECT count(*) FROM cases")[0][0]
    inbound = dict(box.query("SELECT message_id, from_addr FROM messages WHERE direction = 'in'"))
    if cases != passed.created or len(inbound) != n:
        problems.append(f"{cases} cases and {len(inbound)} inbound messages stored, "
                        f"expected {passed.created} and {n}")
    outbox = dict(box.query("SELECT status, count(*) FROM outbox GROUP BY status"))
    if set(outbox) - {"sent"} or (flushed.deferred, flushed.failed) != (0, 0) \
            or flushed.sent != outbox.get("sent", 0):
        problems.append(f"outbox {outbox} after flush {asdict(flushed)}: expected all sent")
    # One ack per new case (the benchmark lifts the per-address limit: see sandbox.py).
    ack_targets = [row[0] for row in box.query(
        "SELECT in_reply_to FROM messages WHERE direction = 'out' AND kind = 'ack'")]
    if len(ack_targets) != passed.created or len(set(ack_targets)) != len(ack_targets):
        problems.append(f"{len(ack_targets)} acks for {len(set(ack_targets))} mails, "
                        f"expected one for each of {passed.created} new cases")
    # The relay got exactly what the outbox marked sent, nothing twice, nothing lost.
    sent = Counter(row[0] for row in box.query(
        "SELECT m.in_reply_to FROM outbox o JOIN messages m ON m.id = o.message_pk"
        " WHERE o.status = 'sent'"))
    if accepted is not None and Counter(mail.in_reply_to for mail in accepted) != sent:
        problems.append(f"the sink accepted {len(accepted)} mails, the outbox sent "
                        f"{sum(sent.values())}, or they answer different mails")
    if relay_ids is not None:
        sent_ids = Counter(row[0] for row in box.query(
            "SELECT m.message_id FROM outbox o JOIN messages m ON m.id = o.message_pk"
            " WHERE o.status = 'sent'"))
        if flush_floor is not None:  # the floor sent each of them once more
            if flush_floor["mails"] != flushed.sent:
                problems.append(f"the flush floor sent {flush_floor['mails']} mails, "
                                f"the daemon {flushed.sent}")
            sent_ids = sent_ids + sent_ids
        if Counter(relay_ids) != sent_ids:
            problems.append(f"postfix accepted {len(relay_ids)} mails "
                            f"({len(set(relay_ids))} distinct), expected "
                            f"{sum(sent_ids.values())} (the outbox's sent rows"
                            f"{', twice' if flush_floor is not None else ''})")
    acks = set(ack_targets)
    misaddressed = sum(mail.recipients != (inbound.get(mail.in_reply_to),)
                       for mail in accepted or () if mail.in_reply_to in acks)
    if misaddressed:
        problems.append(f"{misaddressed} acks not addressed to the sender of their mail")
    inbox, processed = box.dovecot.count("INBOX"), box.dovecot.count(processed_folder)
    if (inbox, processed) != (0, n):
        problems.append(f"INBOX has {inbox} mails and {processed_folder} {processed}, "
                        f"expected 0 and {n}")
    if problems:
        raise BenchmarkFailure("; ".join(problems))
    return {"cases": cases, "threaded": outcomes.get("threaded", 0), "acks": len(ack_targets),
            "outbox": outbox,
            # The daemon's: with the flush floor Postfix took every ack twice.
            "relay_accepted": (len(accepted) if accepted is not None
                               else len(relay_ids or ()) // (2 if flush_floor else 1)),
            "inbox_after": inbox, "processed_after": processed,
            # Not a throughput failure, but a defect worth seeing in every result.
            "acks_with_encoded_in_reply_to": sum(mail.in_reply_to_encoded
                                                 for mail in accepted or ())}


def _log_problems(path: Path, limit: int = 20) -> str:
    """The daemon's warnings and errors of this run, for a failure message."""
    if not path.exists():
        return ""
    lines = [line for line in path.read_text(errors="replace").splitlines()
             if " WARNING " in line or " ERROR " in line]
    return "daemon log:\n" + "\n".join(lines[-limit:]) if lines else "daemon log: no warnings"


def measure_run(number: int, n: int, seed: int, floor_first: bool, profile: str | None,
                profile_prefix: Path, relay_kind: str = "postfix",
                extra: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """One run: fresh servers, the corpus appended, floor and daemon on the same mail.

    Profiles (with `profile`) are written to <profile_prefix>-run<number>-ingest.prof etc.
    """
    notes: dict[str, str] = {}
    relay: PostfixRelay | SinkProcess = (
        PostfixRelay() if relay_kind == "postfix" else SinkProcess())
    with relay, sandbox("ingest") as box:
        started = perf_counter()
        box.dovecot.append("INBOX", generate(n, seed))
        append_s = perf_counter() - started
        app = build_app(load_settings(box.write_config(smtp_out=relay, extra=extra),
                                      environ={}))
        upgrade(app.engine)  # the daemon migrates at start, before any mail
        processed_folder = app.settings.imap.processed_folder if app.settings.imap else ""
        rss: dict[str, float] = {}
        floors: dict[str, dict[str, Any]] = {}
        daemon: dict[str, Any] = {}
        order = (("raw_floor", "floor", "daemon") if floor_first
                 else ("daemon", "floor", "raw_floor"))
        log_path = box.root / "daemon.log"
        with daemon_logging(log_path):
            for phase in order:
                box.checkpoint()
                if phase != "daemon":
                    # Daemon first: its MOVE put the same files into the processed folder.
                    folder = "INBOX" if floor_first else processed_folder
                    measure = run_floor if phase == "floor" else run_raw_floor
                    report.reset_peak_rss()
                    floors[phase] = measure(box.dovecot.host, box.dovecot.port,
                                            box.dovecot.user, box.dovecot.password, folder,
                                            box.database_url)
                    rss[phase] = report.peak_rss_mb()
                else:
                    daemon = drain(app, profile, Path(f"{profile_prefix}-run{number}"), notes)
                    rss.update(daemon["rss"])
            # Sending comes last in either order, so the floors never run beside it.
            sending = send_acks(app, box, relay, floor_first, profile,
                                Path(f"{profile_prefix}-run{number}"), notes)
            rss["daemon_flush"] = sending["rss"]
        app.engine.dispose()
        accepted = relay.stop() if isinstance(relay, SinkProcess) else None
        copies = 2 if "flush_floor" in sending else 1  # the floor sent every ack again
        relay_ids = (relay.accepted(copies * sending["flush"].sent)
                     if isinstance(relay, PostfixRelay) else None)
        try:
            checks = verify(box, n, processed_folder, floors, daemon["pass"], sending["flush"],
                            accepted, relay_ids, sending.get("flush_floor"))
        except BenchmarkFailure as exc:
            raise BenchmarkFailure(f"run {number}: {exc}\n{_log_problems(log_path)}") from None
    ingest_s, flush_s = daemon["ingest_s"], sending["flush_s"]
    ingest_rate, e2e_rate = n / ingest_s, n / (ingest_s + flush_s)
    flush_rate = sending["flush"].sent / flush_s
    flush_floor = sending.get("flush_floor")
    floor, raw = floors["floor"]["mails_per_s"], floors["raw_floor"]["mails_per_s"]
    return {
        "run": number,
        "order": ",".join(order),
        "send_order": sending["order"],
        "profiled": profile,
        "relay": relay_kind + (f" {relay.version}" if isinstance(relay, PostfixRelay) else ""),
        "append_s": round(append_s, 2),
        "floor": floors["floor"],
        "raw_floor": floors["raw_floor"],
        "flush_floor": flush_floor,
        "load_average": report.load_average(),
        "daemon": {
            "ingest_s": round(ingest_s, 3),
            "flush_s": round(flush_s, 3),
            "end_to_end_s": round(ingest_s + flush_s, 3),
            "ingest_mails_per_s": round(ingest_rate, 1),
            "flush_acks_per_s": round(flush_rate, 1),
            "end_to_end_mails_per_s": round(e2e_rate, 1),
            "pass_report": asdict(daemon["pass"]),
            "flush_report": asdict(sending["flush"]),
            "flush_cpu": sending["flush_cpu"],
        },
        "ratios": {
            "ingest_to_floor": round(ingest_rate / floor, 3),
            "end_to_end_to_floor": round(e2e_rate / floor, 3),
            "ingest_to_raw_floor": round(ingest_rate / raw, 3),
            "end_to_end_to_raw_floor": round(e2e_rate / raw, 3),
            "flush_to_flush_floor": (round(flush_rate / flush_floor["mails_per_s"], 3)
                                     if flush_floor else None),
        },
        "peak_rss_mb": {**rss, "max": max(rss.values())},
        "checks": checks,
        "profile_summaries": notes,
    }


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over runs; the ratios are medians of each run's own (paired) ratio."""
    def med(pick: Callable[[dict[str, Any]], float]) -> float:
        return round(report.median([pick(run) for run in runs]), 3)

    def med_or_none(pick: Callable[[dict[str, Any]], float | None]) -> float | None:
        values = [value for run in runs if (value := pick(run)) is not None]
        return round(report.median(values), 3) if values else None

    ratio = med(lambda r: r["ratios"]["ingest_to_raw_floor"])
    e2e_ratio = med(lambda r: r["ratios"]["end_to_end_to_raw_floor"])
    return {
        "raw_floor_mails_per_s": med(lambda r: r["raw_floor"]["mails_per_s"]),
        "floor_mails_per_s": med(lambda r: r["floor"]["mails_per_s"]),
        "ingest_mails_per_s": med(lambda r: r["daemon"]["ingest_mails_per_s"]),
        "flush_acks_per_s": med(lambda r: r["daemon"]["flush_acks_per_s"]),
        "end_to_end_mails_per_s": med(lambda r: r["daemon"]["end_to_end_mails_per_s"]),
        "flush_floor_mails_per_s": med_or_none(
            lambda r: r["flush_floor"]["mails_per_s"] if r["flush_floor"] else None),
        "flush_to_flush_floor": med_or_none(lambda r: r["ratios"]["flush_to_flush_floor"]),
        "postfix_cpu_ms_per_ack": med_or_none(
            lambda r: r["daemon"]["flush_cpu"].get("postfix_cpu_ms_per_mail")),
        "ingest_to_floor": med(lambda r: r["ratios"]["ingest_to_floor"]),
        "end_to_end_to_floor": med(lambda r: r["ratios"]["end_to_end_to_floor"]),
        "ingest_to_raw_floor": ratio,
        "end_to_end_to_raw_floor": e2e_ratio,
        "peak_rss_mb": max(run["peak_rss_mb"]["max"] for run in runs),
        "target_ingest_to_raw_floor": TARGET_RATIO,
        "target_met": ratio >= TARGET_RATIO,
        "target_end_to_end_to_raw_floor": TARGET_E2E_RATIO,
        "e2e_target_met": e2e_ratio >= TARGET_E2E_RATIO,
    }


def table(runs: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    headers = ("run", "order", "load", "raw floor", "floor m/s", "ingest m/s", "flush acks/s",
               "flush floor", "flush/ffloor", "pf cpu ms", "e2e m/s", "ingest/raw",
               "ingest/floor", "e2e/raw", "e2e/floor", "peak RSS MB")
    rows: list[list[object]] = [
        [run["run"], run["order"], run["load_average"], run["raw_floor"]["mails_per_s"],
         run["floor"]["mails_per_s"],
         run["daemon"]["ingest_mails_per_s"], run["daemon"]["flush_acks_per_s"],
         run["flush_floor"]["mails_per_s"] if run["flush_floor"] else "-",
         run["ratios"]["flush_to_flush_floor"] or "-",
         run["daemon"]["flush_cpu"].get("postfix_cpu_ms_per_mail", "-"),
         run["daemon"]["end_to_end_mails_per_s"], run["ratios"]["ingest_to_raw_floor"],
         run["ratios"]["ingest_to_floor"], run["ratios"]["end_to_end_to_raw_floor"],
         run["ratios"]["end_to_end_to_floor"], run["peak_rss_mb"]["max"]]
        for run in runs
    ]
    rows.append(["median", "", "", summary["raw_floor_mails_per_s"],
                 summary["floor_mails_per_s"], summary["ingest_mails_per_s"],
                 summary["flush_acks_per_s"], summary["flush_floor_mails_per_s"] or "-",
                 summary["flush_to_flush_floor"] or "-", summary["postfix_cpu_ms_per_ack"] or "-",
                 summary["end_to_end_mails_per_s"],
                 summary["ingest_to_raw_floor"], summary["ingest_to_floor"],
                 summary["end_to_end_to_raw_floor"], summary["end_to_end_to_floor"],
                 summary["peak_rss_mb"]])
    return report.format_table(headers, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ingest",
                                     description="Daemon ingestion throughput vs the floor")
    parser.add_argument("--n", type=int, default=5000, help="corpus mails per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1, help="corpus seed")
    parser.add_argument("--profile", choices=("cprofile", "pyinstrument"),
                        help="profile the daemon's ingest and flush (timings then inflated)")
    parser.add_argument("--results-dir", type=Path, default=report.RESULTS_DIR)
    parser.add_argument("--relay", choices=("postfix", "sink"),
                        default="postfix" if installed() else "sink",
                        help="the relay the acks go to (default: postfix when installed)")
    parser.add_argument("--connections", type=int,
                        help="[smtp_out] connections (default: the daemon's)")
    parser.add_argument("--workers", type=int,
                        help="[parsing] workers (default: the daemon's)")
    parser.add_argument("--service", action="store_true",
                        help="end to end with intake and sending overlapped: `python -m "
                             "daemon run` on the filled mailbox (benchmarks/ingest_service.py)")
    args = parser.parse_args(argv)
    extra: dict[str, dict[str, Any]] = {}
    if args.connections:
        extra["smtp_out"] = {"connections": args.connections}
    if args.workers:
        extra["parsing"] = {"workers": args.workers}
    if args.n < 1 or args.runs < 1:
        parser.error("--n and --runs must be at least 1")

    args.results_dir.mkdir(parents=True, exist_ok=True)
    if args.service:
        return service_main(args.n, args.runs, args.seed, extra, args.results_dir)
    stamp = report.timestamp()
    document: dict[str, Any] = {
        "benchmark": "ingest", "n": args.n, "relay": args.relay, "extra_config": extra,
        "runs_requested": args.runs, "seed": args.seed,
        "environment": report.environment(), "config_overrides": benchmark_overrides(),
        "runs": [],
    }
    print(f"ingest benchmark: {args.n} mails x {args.runs} runs, seed {args.seed}"
          + (f", profiled with {args.profile}" if args.profile else ""), flush=True)
    try:
        for index in range(args.runs):
            run = measure_run(index + 1, args.n, args.seed, index % 2 == 0, args.profile,
                              args.results_dir / f"ingest-{stamp}", args.relay, extra)
            document["runs"].append(run)
            print(f"  run {run['run']} ({run['order']}): raw floor "
                  f"{run['raw_floor']['mails_per_s']} m/s, floor {run['floor']['mails_per_s']}"
                  f" m/s, daemon ingest {run['daemon']['ingest_mails_per_s']} m/s, "
                  f"flush {run['daemon']['flush_acks_per_s']} acks/s, flush floor "
                  f"{(run['flush_floor'] or {}).get('mails_per_s', '-')} acks/s, "
                  f"load {run['load_average']}, checks ok", flush=True)
            encoded = run["checks"]["acks_with_encoded_in_reply_to"]
            if encoded:
                print(f"  WARNING: {encoded} acks carry an RFC 2047-encoded In-Reply-To "
                      "(Exchange drops those; see shared/notes)", flush=True)
            for name, summary in run["profile_summaries"].items():
                print(f"\n--- {name} (run {run['run']})\n{summary}\n")
    except BenchmarkFailure as exc:
        document["error"] = str(exc)
        path = report.write_result("ingest", document, args.results_dir, stamp)
        print(f"FAILED: {exc}\nresult: {path}", file=sys.stderr)
        return 1
    document["summary"] = summarise(document["runs"])
    print()
    print(table(document["runs"], document["summary"]))
    verdict = "met" if document["summary"]["target_met"] else "NOT met"
    print(f"target ingest/raw floor >= {TARGET_RATIO:.2f}: {verdict}")
    verdict = "met" if document["summary"]["e2e_target_met"] else "NOT met"
    print(f"target end to end/raw floor >= {TARGET_E2E_RATIO:.2f}: {verdict}")
    print(f"result: {report.write_result('ingest', document, args.results_dir, stamp)}")
    return 0


def service_main(n: int, runs: int, seed: int, extra: dict[str, dict[str, Any]],
                 results_dir: Path) -> int:
    """--service: benchmarks/ingest_service.py, its runs alternating the raw floor's turn."""
    if not installed():
        print("--service needs Postfix (apt-get install postfix)", file=sys.stderr)
        return 1
    stamp = report.timestamp()
    document: dict[str, Any] = {
        "benchmark": "ingest-service", "n": n, "extra_config": extra, "runs_requested": runs,
        "seed": seed, "environment": report.environment(),
        "config_overrides": benchmark_overrides(), "runs": [],
    }
    print(f"ingest benchmark, service mode: {n} mails x {runs} runs, seed {seed}", flush=True)
    try:
        for index in range(runs):
            run = measure_service_run(index + 1, n, seed, index % 2 == 0, extra)
            document["runs"].append(run)
            print(f"  run {run['run']} ({run['order']}): raw floor "
                  f"{run['raw_floor']['mails_per_s']} m/s, end to end "
                  f"{run['service']['mails_per_s']} m/s ({run['service']['seconds']} s), "
                  f"load {run['load_average']}, checks ok", flush=True)
    except ServiceFailure as exc:
        document["error"] = str(exc)
        path = report.write_result("ingest-service", document, results_dir, stamp)
        print(f"FAILED: {exc}\nresult: {path}", file=sys.stderr)
        return 1
    ratio = report.median([run["end_to_end_to_raw_floor"] for run in document["runs"]])
    document["summary"] = {"end_to_end_to_raw_floor": ratio,
                           "target_end_to_end_to_raw_floor": TARGET_E2E_RATIO,
                           "e2e_target_met": ratio >= TARGET_E2E_RATIO}
    print()
    print(service_table(document["runs"]))
    verdict = "met" if ratio >= TARGET_E2E_RATIO else "NOT met"
    print(f"target end to end/raw floor >= {TARGET_E2E_RATIO:.2f}: {verdict}")
    print(f"result: {report.write_result('ingest-service', document, results_dir, stamp)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
