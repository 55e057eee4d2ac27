"""The floors of ingestion: the least work any daemon must do per mail.

Two of them, measured on the same mailbox:
  - the **parse floor** (`run_floor`): fetch, parse with the standard library, one COPY;
    a floor for one way of doing the work (one process, one parse loop);
  - the **raw floor** (`run_raw_floor`): fetch and one binary COPY of the raw bytes, no
    parsing at all: what the network, Dovecot and PostgreSQL allow on this machine, the
    bound a daemon that parses on other cores while it fetches and stores approaches.

Fetch every mail of a folder over IMAP (UID SEARCH ALL, UID FETCH BODY.PEEK[] in
batches), parse it the way the daemon does (email.policy.default, get_body, get_content)
and store uid, Message-ID, subject, sender, body text and the raw bytes with one binary
COPY in one transaction. Nothing else: no threading rules, no case numbers, no
acknowledgements, no indexes. The daemon's throughput is judged against this number
measured in the same run on the same machine, because absolute mails/s mean little
across machines.

The mailbox is left exactly as it was (EXAMINE, BODY.PEEK, no flags, no moves), so the
daemon can drain the same mailbox right after.

CLI: python -m benchmarks.floor --host H --port P --user U --password W \\
         [--folder INBOX] --pg-url postgresql://postgres@127.0.0.1:5432/DB [--raw]
     python -m benchmarks.floor --corpus 2000 [--seed 1] [--raw]
The second form starts a throwaway Dovecot and database (tests/servers.py), appends
that many corpus mails and prints the floor, then removes both.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from email import message_from_bytes, policy
from pathlib import Path
from time import perf_counter
from typing import Any

import psycopg
from imapclient import IMAPClient
from psycopg import sql

DEFAULT_TABLE = "benchmark_floor_mail"
RAW_TABLE = "benchmark_raw_floor_mail"
RAW_COLUMNS = (("uid", "bigint"), ("raw", "bytea"))
BATCH_SIZE = 200

# (uid, message_id, subject, sender, body_text, raw)
Row = tuple[int, str | None, str | None, str | None, str | None, bytes]
COLUMNS = ("uid", "message_id", "subject", "sender", "body_text", "raw")
COLUMN_TYPES = ("bigint", "text", "text", "text", "text", "bytea")


def psycopg_url(url: str) -> str:
    """Accept tests/servers.py's SQLAlchemy URL ("postgresql+psycopg://") as well."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _storable(value: object) -> str | None:
    """Text PostgreSQL will accept: no NUL, no lone surrogates from undecodable bytes.

    Either would abort the whole COPY, so every honest ingester pays for this check.
    """
    if value is None:
        return None
    text = str(value)  # header objects are str subclasses; adapt them as plain text
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def parse_row(uid: int, raw: bytes) -> tuple[Row, bool]:
    """The row for one mail and whether it parsed. A mail that fails to parse is still
    stored, raw, as a daemon must: losing a customer's mail is worse than a bad row."""
    try:
        msg = message_from_bytes(raw, policy=policy.default)
        body = msg.get_body(("plain", "html"))
        text = body.get_content() if body is not None else None
        row: Row = (uid, _storable(msg["message-id"]), _storable(msg["subject"]),
                    _storable(msg["from"]), _storable(text), raw)
        return row, True
    except Exception:  # noqa: BLE001 - any parser failure is counted, never fatal
        return (uid, None, None, None, None, raw), False


def _batches(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _create_table(conn: psycopg.Connection[Any], table: str,
                  columns_and_types: Sequence[tuple[str, str]] | None = None) -> None:
    """A fresh table, committed apart from the COPY so the COPY is not the cheaper
    COPY-into-a-new-table case, which no long-running daemon gets."""
    name = sql.Identifier(table)
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(column), sql.SQL(kind))
        for column, kind in (columns_and_types or zip(COLUMNS, COLUMN_TYPES, strict=True))
    )
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(name))
    conn.execute(sql.SQL("CREATE TABLE {} ({})").format(name, columns))
    conn.commit()


def _untraced(imap: IMAPClient) -> None:
    """imaplib's trace off, as the daemon has it (daemon/sources/imap.py, ack18):
    IMAPClient sets imaplib's debug level to 5, which formats the repr of every fetched
    mail for a log message nobody reads (~0.3 ms a mail). A floor is the cheapest way to
    do its work, so it does not pay for that either."""
    imap._imap.debug = 0


def run_floor(host: str, port: int, user: str, password: str, folder: str, pg_url: str,
              *, batch_size: int = BATCH_SIZE, table: str = DEFAULT_TABLE) -> dict[str, Any]:
    """Ingest every mail of `folder` into `table` at the floor; return the measurements.

    fetch_s covers UID SEARCH and UID FETCH, parse_s the email package, insert_s the
    COPY and its commit; other_s is the rest (connecting, logging in, the table).
    """
    times = {"fetch": 0.0, "parse": 0.0, "insert": 0.0}
    mails = failures = total_bytes = 0
    started = perf_counter()
    with IMAPClient(host, port=port, ssl=False, timeout=120) as imap, \
            psycopg.connect(psycopg_url(pg_url)) as conn:
        _untraced(imap)
        imap.login(user, password)
        # Read-only (EXAMINE): even a FETCH without PEEK could not set \Seen.
        imap.select_folder(folder, readonly=True)
        _create_table(conn, table)
        mark = perf_counter()
        uids = sorted(imap.search("ALL"))  # imapclient sends UID SEARCH
        times["fetch"] += perf_counter() - mark
        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, COLUMNS)))
        with conn.cursor() as cursor:
            with cursor.copy(copy_sql) as copy:
                copy.set_types(list(COLUMN_TYPES))
                for batch in _batches(uids, batch_size):
                    mark = perf_counter()
                    fetched = imap.fetch(batch, [b"BODY.PEEK[]"])
                    parsed_at = perf_counter()
                    rows = [parse_row(uid, fetched[uid][b"BODY[]"]) for uid in batch
                            if uid in fetched]  # a mail expunged meanwhile is skipped
                    copied_at = perf_counter()
                    for row, ok in rows:
                        copy.write_row(row)
                        failures += not ok
                        total_bytes += len(row[5])
                    mails += len(rows)
                    end = perf_counter()
                    times["fetch"] += parsed_at - mark
                    times["parse"] += copied_at - parsed_at
                    times["insert"] += end - copied_at
                mark = perf_counter()  # leaving the block ends the COPY
            conn.commit()
            times["insert"] += perf_counter() - mark
        imap.logout()
    seconds = perf_counter() - started
    return {
        "mails": mails,
        "failures": failures,
        "megabytes": round(total_bytes / 1e6, 1),
        "seconds": round(seconds, 3),
        "mails_per_s": round(mails / seconds, 1) if seconds else 0.0,
        "fetch_s": round(times["fetch"], 3),
        "parse_s": round(times["parse"], 3),
        "insert_s": round(times["insert"], 3),
        "other_s": round(seconds - sum(times.values()), 3),
    }


def run_raw_floor(host: str, port: int, user: str, password: str, folder: str, pg_url: str,
                  *, batch_size: int = BATCH_SIZE, table: str = RAW_TABLE) -> dict[str, Any]:
    """The raw floor: every mail of `folder` fetched as run_floor fetches it and its raw
    bytes stored with one binary COPY into (uid, raw), no parsing at all.

    The same IMAP session and COPY as run_floor, so the two differ by the parse only;
    the mailbox is left as it was. fetch_s is UID SEARCH and UID FETCH, insert_s the
    COPY and its commit, other_s the rest.
    """
    times = {"fetch": 0.0, "insert": 0.0}
    mails = total_bytes = 0
    started = perf_counter()
    with IMAPClient(host, port=port, ssl=False, timeout=120) as imap, \
            psycopg.connect(psycopg_url(pg_url)) as conn:
        _untraced(imap)
        imap.login(user, password)
        imap.select_folder(folder, readonly=True)
        _create_table(conn, table, RAW_COLUMNS)
        mark = perf_counter()
        uids = sorted(imap.search("ALL"))
        times["fetch"] += perf_counter() - mark
        copy_sql = sql.SQL("COPY {} (uid, raw) FROM STDIN (FORMAT BINARY)").format(
            sql.Identifier(table))
        with conn.cursor() as cursor:
            with cursor.copy(copy_sql) as copy:
                copy.set_types([kind for _, kind in RAW_COLUMNS])
                for batch in _batches(uids, batch_size):
                    mark = perf_counter()
                    fetched = imap.fetch(batch, [b"BODY.PEEK[]"])
                    copied_at = perf_counter()
                    for uid in batch:
                        data = fetched.get(uid)
                        if data is None:
                            continue  # expunged meanwhile
                        raw = data[b"BODY[]"]
                        copy.write_row((uid, raw))
                        mails += 1
                        total_bytes += len(raw)
                    times["fetch"] += copied_at - mark
                    times["insert"] += perf_counter() - copied_at
                mark = perf_counter()
            conn.commit()
            times["insert"] += perf_counter() - mark
        imap.logout()
    seconds = perf_counter() - started
    return {
        "mails": mails,
        "failures": 0,
        "megabytes": round(total_bytes / 1e6, 1),
        "seconds": round(seconds, 3),
        "mails_per_s": round(mails / seconds, 1) if seconds else 0.0,
        "fetch_s": round(times["fetch"], 3),
        "insert_s": round(times["insert"], 3),
        "other_s": round(seconds - sum(times.values()), 3),
    }


def _self_hosted(count: int, seed: int, raw: bool = False) -> dict[str, Any]:
    """Floor on `count` corpus mails in a throwaway Dovecot and database."""
    # Imported here: the plain CLI form must work without the test helpers.
    from benchmarks.corpus import generate
    from tests.servers import Dovecot, postgres_database

    # Dovecot's mail processes run as the dovecot user and must be able to enter the
    # directory; mkdtemp makes it 0700.
    root = Path(tempfile.mkdtemp(prefix="oo-floor-"))
    root.chmod(0o755)
    dovecot = Dovecot(root)
    try:
        dovecot.start()
        mark = perf_counter()
        dovecot.append("INBOX", generate(count, seed))
        appended_s = perf_counter() - mark
        with postgres_database("oo_floor") as url:
            measure, table = (run_raw_floor, RAW_TABLE) if raw else (run_floor, DEFAULT_TABLE)
            result = measure(dovecot.host, dovecot.port, dovecot.user, dovecot.password,
                             "INBOX", url)
            with psycopg.connect(psycopg_url(url)) as conn:
                row = conn.execute(
                    sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
                ).fetchone()
        with dovecot.client() as client:
            client.select_folder("INBOX", readonly=True)
            seen = client.search("SEEN")
        result.update(append_s=round(appended_s, 2), rows_stored=row[0] if row else 0,
                      mailbox_count=dovecot.count("INBOX"), seen_after=len(seen))
        return result
    finally:
        dovecot.stop()
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.floor",
                                     description="Ingestion floors: IMAP -> [parse ->] COPY")
    parser.add_argument("--corpus", type=int, metavar="N",
                        help="start a throwaway Dovecot and database with N corpus mails")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (with --corpus)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=143)
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--folder", default="INBOX")
    parser.add_argument("--pg-url", help="postgresql:// or postgresql+psycopg:// URL")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--raw", action="store_true",
                        help="the raw floor: fetch and COPY the raw bytes, no parsing")
    args = parser.parse_args(argv)
    if args.corpus is not None:
        result = _self_hosted(args.corpus, args.seed, args.raw)
    else:
        if not (args.user and args.password and args.pg_url):
            parser.error("--user, --password and --pg-url are required without --corpus")
        measure = run_raw_floor if args.raw else run_floor
        result = measure(args.host, args.port, args.user, args.password, args.folder,
                         args.pg_url, batch_size=args.batch_size)
    print(json.dumps(result, indent=2))
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
