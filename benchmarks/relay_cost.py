"""What the benchmarks' relay costs an acknowledgement, by Postfix process, with its queue
on the disk and on a tmpfs (issue 18).

The end-to-end target (acks accepted by a private Postfix on this machine, >= 0.5 of the
raw floor) puts the relay's CPU on the same two cores as the daemon, PostgreSQL and
Dovecot; in production the relay is another machine. This measures that CPU alone: n
synthetic acknowledgements (`--size` bytes, one recipient each, as the outbox's) handed
to a fresh PostfixRelay (benchmarks/relay.py, discard transport) by the flush floor
(benchmarks/flush_floor.py: `--connections` pipelining connections, no database), a
warm-up of 200 first, then CPU by process read from /proc before and after the
queue is empty. Rounds alternate the queue's place, the system's temporary directory
(the disk: every queue file written and fsynced) and /dev/shm (a tmpfs: fsync costs
nothing), so the write path's share is seen. The benchmarks keep the queue on the disk.

CLI: python -m benchmarks.relay_cost [--n 3000] [--rounds 2] [--size 6000]
         [--connections 4] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from benchmarks.flush_floor import Mail, run_flush_floor
from benchmarks.relay import PostfixRelay, installed

_WARM = 200
PLACES = {"disk": None, "tmpfs": "/dev/shm"}


def acks(n: int, size: int, tag: str) -> list[Mail]:
    """n acknowledgement-shaped mails of about `size` bytes, each its own Message-ID."""
    line = "Tak for din henvendelse. Vi har registreret den som sag OO#12345.\r\n"
    body = (line * max(1, size // len(line))).encode()
    mails: list[Mail] = []
    for i in range(n):
        head = (f"From: OneOffice Support <support@oo.dk>\r\nTo: kunde{i}@kunde.dk\r\n"
                f"Subject: [OO#{i}] Vi har modtaget din henvendelse\r\n"
                f"Message-ID: <ack{i}.{tag}@oo.dk>\r\nDate: Sun, 06 Dec 2026 01:00:00 +0000\r\n"
                "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                "Content-Transfer-Encoding: 8bit\r\n\r\n").encode()
        mails.append(("support@oo.dk", [f"kunde{i}@kunde.dk"], head + body))
    return mails


def spent(before: dict[int, tuple[str, float]],
          after: dict[int, tuple[str, float]]) -> dict[str, float]:
    """CPU seconds used between two readings of PostfixRelay.processes(), by process name.
    A child that ended in between took its whole CPU into the master's "ended children";
    what it had used before is taken off there, so each second is counted once and the
    ended ones' names are given with it."""
    used: dict[str, float] = {}
    ended = [pid for pid in before if pid and pid not in after]
    for pid, (name, seconds) in after.items():
        if pid:
            used[name] = used.get(name, 0.0) + seconds - before.get(pid, (name, 0.0))[1]
    gone = after[0][1] - before[0][1] - sum(before[pid][1] for pid in ended)
    names = sorted({before[pid][0] for pid in ended})
    used["ended: " + (", ".join(names) or "before the run")] = gone
    return used


def one_round(place: str, n: int, size: int, connections: int, tag: str) -> dict[str, Any]:
    mails = acks(n + _WARM, size, tag)
    with PostfixRelay(PLACES[place]) as relay:
        run_flush_floor(relay.host, relay.port, mails[:_WARM], connections)
        relay.accepted(_WARM)
        relay.settle()
        before = relay.processes()
        sent = run_flush_floor(relay.host, relay.port, mails[_WARM:], connections)
        accepted = len(relay.accepted(n + _WARM)) - _WARM
        relay.settle()
        after = relay.processes()
    if accepted != n:
        raise RuntimeError(f"postfix accepted {accepted} of {n}")
    by_process = {name: round(1000 * ms / n, 3) for name, ms in spent(before, after).items()}
    return {"place": place, "acks": n, "acks_per_s": sent["mails_per_s"],
            "postfix_ms_per_ack": round(sum(by_process.values()), 3),
            "by_process_ms_per_ack": by_process,
            "load": float(Path("/proc/loadavg").read_text().split()[0])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--size", type=int, default=6000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not installed():
        parser.error("postfix is not installed (apt-get install postfix)")
    rows = []
    for index in range(args.rounds):
        order = ("disk", "tmpfs") if index % 2 == 0 else ("tmpfs", "disk")
        for place in order:
            row = one_round(place, args.n, args.size, args.connections, f"{index}{place}")
            rows.append(row)
            parts = "  ".join(f"{name} {ms:.3f}"
                              for name, ms in row["by_process_ms_per_ack"].items() if ms)
            print(f"{place:5}  load {row['load']:4.1f}  {row['acks_per_s']:7.1f} acks/s  "
                  f"postfix {row['postfix_ms_per_ack']:.3f} ms/ack  ({parts})", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
