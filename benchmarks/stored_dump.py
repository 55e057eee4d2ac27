"""What one `poll --once` stores, dumped line by line, to show a change left it alone.

`python -m daemon poll --once --no-send --now 2026-11-23T19:05+01:00` of n corpus mails
(fresh Dovecot and database) with TREE's daemon (`python -m daemon` run from TREE,
e.g. a `git archive` of daemon/ and templates/), then every row of messages (in and
out; md5 of `raw`), cases, case_events, outbox, attachments and duplicates, every
column but the ids of messages and those that differ from run to run on the same code
(the arrival time, the clock's created_at, the mailbox's UIDVALIDITY); the random part
of our Message-IDs and MIME boundaries masked, in text and before the md5 of `raw`.
Two trees' dumps compare with `diff` (issue 18: the daemon's CPU cut, the data the same).

`--big N` adds N mails with one `--big-mb` MB attachment each among the corpus, as
benchmarks/backlog_memory.py makes them (a large mail takes other paths: fetched in
chunks, its attachment hidden from the parser, COPYed in chunks).

CLI: python -m benchmarks.stored_dump TREE OUT [--n 400] [--seed 1] [--big 0] [--big-mb 6]
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
from pathlib import Path

from benchmarks.backlog_memory import Appended, backlog
from benchmarks.corpus import generate
from benchmarks.sandbox import Sandbox, sandbox
from tests.harness import clean_env

NOW = "2026-11-23T19:05+01:00"
_RANDOM = re.compile(rb"(<oo\.\d+\.)[0-9a-f]+(@)|(=_oo_)[0-9a-f]+")
# (table, order, columns left out)
TABLES = (
    ("messages", "direction, dedupe_key, message_id",
     ("id", "at", "created_at", "source_uidvalidity")),
    ("cases", "number", ("id",)),
    ("case_events", "id", ("id",)),
    ("outbox", "id", ()),
    ("attachments", "id", ()),
    ("duplicates", "id", ("source_uidvalidity",)),
)


def masked(data: bytes) -> bytes:
    return _RANDOM.sub(
        lambda m: m.group(1) + b"X" + m.group(2) if m.group(1) else m.group(3) + b"X", data)


def dump(box: Sandbox) -> list[str]:
    lines = []
    for table, order, left_out in TABLES:
        columns = [name for (name,) in box.query(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
            " ORDER BY ordinal_position", table) if name not in left_out]
        quoted = ", ".join(f'"{name}"' for name in columns)
        for row in box.query(f"SELECT {quoted} FROM {table} ORDER BY {order}"):
            values = []
            for name, value in zip(columns, row, strict=True):
                if isinstance(value, bytes | memoryview):
                    value = "md5:" + hashlib.md5(masked(bytes(value))).hexdigest()
                elif isinstance(value, str):
                    value = masked(value.encode()).decode()
                values.append(f"{name}={value!r}")
            lines.append(f"{table}: " + " ".join(values))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stored_dump")
    parser.add_argument("tree", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--big", type=int, default=0, help="mails with a big attachment")
    parser.add_argument("--big-mb", type=int, default=6, help="each big attachment, MB")
    args = parser.parse_args(argv)
    tree = args.tree.resolve()
    with sandbox("dump") as box:
        mails = (backlog(args.n, args.big, args.big_mb, args.seed, Appended()) if args.big
                 else generate(args.n, args.seed))
        box.dovecot.append("INBOX", mails)
        config = str(box.write_config(smtp_out=None))
        env = clean_env() | {"PYTHONPATH": str(tree)}
        for command in (["db", "upgrade"], ["poll", "--once", "--no-send", "--now", NOW]):
            subprocess.run([sys.executable, "-m", "daemon", *command, "--config", config],
                           cwd=tree, env=env, check=True, capture_output=True)
        lines = dump(box)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    acks = sum(line.startswith("outbox:") for line in lines)
    print(f"{args.out}: {len(lines)} lines, {acks} acks queued")
    return 0


if __name__ == "__main__":
    sys.exit(main())
