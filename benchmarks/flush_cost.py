"""Where a flush's time goes, per ack: the daemon's CPU (by thread), its PostgreSQL
backends' CPU, Postfix's CPU and the wall time, beside the flush floor (issue 18).

One sandbox (Dovecot, a fresh database, a private Postfix delivering to discard): n
corpus mails drained by one in-process pass that only queues the acks (not timed).
Then `--rounds` rounds, each the queued acks sent twice to that Postfix, once by the
daemon's flush (`App.flush_outbox`, `[smtp_out] connections` lanes) and once by the
flush floor (benchmarks/flush_floor.py: the same bytes, smtplib-like pipelining, no
database), alternating which goes first. Between sends the outbox is put back as it was
queued (status, attempts, sent_at, last_error) and VACUUMed, so every round sends the
same rows from the same table.

CPU is read from /proc: this process's threads (/proc/self/task), the PostgreSQL
backends connected to the sandbox's database (pg_stat_activity; the shared cluster's
background writers are not counted), Postfix's processes (relay.cpu_s(), after its
queue is delivered). `idle` is what two cores could have done in the wall time and no
one of these three used (other load on the machine included): wall x 2 - the sum.

CLI: python -m benchmarks.flush_cost [--n 2000] [--rounds 3] [--connections 4]
         [--profile]   # cProfile of the flush's own thread, in the last round
     (run from a tree with PYTHONPATH=TREE to measure that tree's daemon/)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

from benchmarks import report
from benchmarks.corpus import generate
from benchmarks.flush_floor import Mail, run_flush_floor
from benchmarks.ingest import daemon_logging, drain
from benchmarks.pass_cpu import ThreadCpu
from benchmarks.profiling import profiled
from benchmarks.relay import PostfixRelay
from benchmarks.sandbox import Sandbox, sandbox
from daemon.app import App, build_app
from daemon.settings import load_settings
from daemon.store.migrate import upgrade

_TICKS = os.sysconf("SC_CLK_TCK")
_CORES = os.cpu_count() or 1


def _proc_cpu(path: str) -> float:
    fields = Path(path).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def by_kind(used: dict[str, float]) -> dict[str, float]:
    """ThreadCpu.by_name() with the lanes' threads summed as one."""
    kinds: dict[str, float] = {}
    for name, seconds in used.items():
        kind = ("lanes" if "lane" in name else "flush (main)" if "main" in name
                else name)
        kinds[kind] = kinds.get(kind, 0.0) + seconds
    return kinds


def backends_cpu(box: Sandbox, database: str) -> dict[int, float]:
    pids = [row[0] for row in box.query(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        database)]
    cpu: dict[int, float] = {}
    for pid in pids:
        try:
            cpu[pid] = _proc_cpu(f"/proc/{pid}/stat")
        except OSError:
            continue
    return cpu


def requeue(box: Sandbox) -> None:
    box.query("UPDATE outbox SET status = 'queued', attempts = 0, sent_at = NULL,"
              " last_error = NULL RETURNING 1")
    import psycopg

    from benchmarks.floor import psycopg_url
    with psycopg.connect(psycopg_url(box.database_url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE outbox")
        conn.execute("CHECKPOINT")


def send_once(app: App, box: Sandbox, relay: PostfixRelay, database: str, phase: str,
              mails: list[Mail], connections: int, profile: Path | None) -> dict[str, Any]:
    requeue(box)
    relay_before = relay.cpu_s()
    backends_before = backends_cpu(box, database)
    notes = ""
    process_before = process_time()
    started = perf_counter()
    with ThreadCpu() as threads:
        if phase == "floor":
            sent = run_flush_floor(relay.host, relay.port, mails, connections)["mails"]
        elif profile is not None:
            flushed, notes = profiled(app.flush_outbox, "cprofile", profile)
            sent = flushed.sent
        else:
            sent = app.flush_outbox().sent
        wall = perf_counter() - started
        process_s = process_time() - process_before
    backends_after = backends_cpu(box, database)
    relay.settle()
    relay_cpu = relay.cpu_s() - relay_before
    if sent != len(mails):
        raise RuntimeError(f"{phase} sent {sent} of {len(mails)}")
    per = 1000 / sent
    daemon = {name: round(per * used, 3) for name, used in by_kind(threads.by_name()).items()}
    daemon_ms = per * process_s
    pg_ms = per * sum(used - backends_before.get(pid, 0.0)
                      for pid, used in backends_after.items())
    relay_ms = per * relay_cpu
    wall_ms = per * wall
    return {
        "phase": phase, "acks": sent, "seconds": round(wall, 3),
        "acks_per_s": round(sent / wall, 1), "load": report.load_average(),
        "wall_ms": round(wall_ms, 3), "process_ms": round(daemon_ms, 3),
        "threads_ms": daemon, "postgres_ms": round(pg_ms, 3), "postfix_ms": round(relay_ms, 3),
        "idle_ms": round(_CORES * wall_ms - daemon_ms - pg_ms - relay_ms, 3),
        "profile": notes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.flush_cost",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--connections", type=int, default=None)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="write every row here too")
    args = parser.parse_args(argv)
    extra = {"smtp_out": {"connections": args.connections}} if args.connections else None
    rows: list[dict[str, Any]] = []
    with PostfixRelay() as relay, sandbox("flushcost") as box:
        box.dovecot.append("INBOX", generate(args.n, args.seed))
        app = build_app(load_settings(box.write_config(smtp_out=relay, extra=extra),
                                      environ={}))
        upgrade(app.engine)
        database = box.query("SELECT current_database()")[0][0]
        connections = app.settings.smtp_out.connections if app.settings.smtp_out else 1
        with daemon_logging(box.root / "daemon.log"):
            drain(app, None, box.root / "unused", {})
            mails: list[Mail] = [(row[0], row[1], row[2]) for row in box.query(
                "SELECT o.envelope_from, o.recipients, m.raw FROM outbox o"
                " JOIN messages m ON m.id = o.message_pk ORDER BY o.id")]
            for number in range(args.rounds):
                order = ("floor", "flush") if number % 2 else ("flush", "floor")
                for phase in order:
                    profile = (box.root / "flush.prof" if args.profile and phase == "flush"
                               and number == args.rounds - 1 else None)
                    row = send_once(app, box, relay, database, phase, mails, connections,
                                    profile)
                    row["round"] = number + 1
                    rows.append(row)
                    notes = row.pop("profile")
                    print(json.dumps(row), flush=True)
                    if notes:
                        print(notes, file=sys.stderr)
        app.engine.dispose()
    print(f"\n{args.n} mails, {len(mails)} acks, {connections} connections, "
          f"Postfix {relay.version}")
    header = ("round", "phase", "load", "acks/s", "wall ms", "process ms", "postgres ms",
              "postfix ms", "idle ms")
    print("  ".join(f"{h:>11}" for h in header))
    for row in rows:
        print("  ".join(f"{v:>11}" for v in (
            row["round"], row["phase"], row["load"], row["acks_per_s"], row["wall_ms"],
            row["process_ms"], row["postgres_ms"], row["postfix_ms"], row["idle_ms"])))
    for row in rows:
        print(f"round {row['round']} {row['phase']} threads ms/ack: {row['threads_ms']}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
