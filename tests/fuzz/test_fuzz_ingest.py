"""Fuzzing: mails mutated from ../shared/corpus and generated ones go through
the whole pipeline into PostgreSQL. None may crash it; each becomes a case (or joins
one, or is a duplicate, or is ignored as automatic mail) or a recorded rejection, and
its raw bytes are kept either way. Nothing is deferred: that would mean the database
refused even the raw bytes.

It runs OO_FUZZ_N mails (default 1,000 in the suite; `bash .ci/long` runs the full
10,000: `OO_FUZZ_N=10000 python -m pytest tests/fuzz -q`). The seed is fixed, so a failure
repeats; the first 1,000 mails are those of the full run. OO_FUZZ_SEED picks another sequence.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from harness import sql
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daemon.app import build_app
from daemon.inbound import InboundMail, Outcome
from daemon.mail.parse import ParseError, parse
from daemon.settings import Settings

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
SEEDS = [p.read_bytes() for p in sorted(CORPUS.glob("*/*")) if p.is_file()
         and p.name != "README.md"]
N = int(os.environ.get("OO_FUZZ_N", "1000"))
SEED = int(os.environ.get("OO_FUZZ_SEED", "20261126"))
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)

# Fragments that parsers trip over: broken encodings, boundaries, folding, NULs.
NASTY = [
    b"=?utf-8?B?////?=", b"=?x-unknown?Q?=FF=FE?=", b"=?utf-8?Q?=C3?=", b"\x00", b"\xff\xfe",
    b"\r\n\t", b"\r\n ", b"\r", b"--", b"boundary=\"\"", b"Content-Type: multipart/mixed\r\n",
    b"Content-Transfer-Encoding: base64\r\n", b"charset=\"utf-99\"", b"<>", b"@", b";;;",
    b"Content-Type: message/rfc822\r\n\r\n", b"\r\n\r\n", b"=\r\n", b"%s%n", b"{{ x }}",
    b"Subject: " + b"A" * 5000 + b"\r\n", b"From: <@>\r\n", b"Message-ID: <\x00>\r\n",
]


def _mutate(raw: bytes, rng: random.Random) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randint(1, 8)):
        action = rng.randrange(7)
        at = rng.randrange(len(data) + 1)
        if action == 0 and data:  # flip a byte
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif action == 1:  # insert a nasty fragment
            data[at:at] = rng.choice(NASTY)
        elif action == 2:  # cut
            del data[at : at + rng.randint(1, 400)]
        elif action == 3:  # truncate
            del data[at:]
        elif action == 4 and data:  # repeat a slice (headers twice, boundaries twice)
            end = min(len(data), at + rng.randint(1, 300))
            data[at:at] = data[at:end] * rng.randint(2, 5)
        elif action == 5:  # line endings changed
            data = bytearray(bytes(data).replace(b"\r\n", rng.choice([b"\n", b"\r", b"\r\r\n"])))
        else:  # swap two chunks
            other = rng.randrange(len(data) + 1)
            a, b = sorted((at, other))
            data = data[:a] + data[b:] + data[a:b]
    return bytes(data)


def _generated(rng: random.Random) -> bytes:
    """A mail built from random header values and a random MIME shape."""
    def junk(n: int) -> bytes:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, n)))

    headers = [
        b"From: " + rng.choice([b"Kunde <kunde@firma.dk>", junk(40), b"=?utf-8?B?" + junk(20)
                                + b"?= <a@b.dk>"]),
        b"To: support@oo.dk",
        b"Subject: " + rng.choice([junk(80), "Printer på 2. sal".encode(), b"=?iso-8859-1?Q?"
                                   + junk(30) + b"?="]),
        b"Message-ID: <" + junk(30) + b">",
        b"Content-Type: " + rng.choice([b"text/plain; charset=utf-8", b"multipart/mixed; "
                                        b"boundary=XX", b"text/html", junk(40)]),
    ]
    rng.shuffle(headers)
    body = b"--XX\r\nContent-Type: text/plain\r\n\r\n" + junk(500) + b"\r\n--XX--\r\n"
    return b"\r\n".join(headers) + b"\r\n\r\n" + rng.choice([body, junk(2000)])


def fuzz_mails(n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    makers: list[Callable[[], bytes]] = [
        lambda: _mutate(rng.choice(SEEDS), rng),
        lambda: _mutate(rng.choice(SEEDS), rng),
        lambda: _mutate(rng.choice(SEEDS), rng),
        lambda: _generated(rng),
    ]
    return [rng.choice(makers)() for _ in range(n)]


def test_mutated_and_generated_mails_never_crash_and_are_all_kept(
    tmp_path: Path, pg_url: str
) -> None:
    assert SEEDS, f"no corpus at {CORPUS}"
    mails = fuzz_mails(N, SEED)
    app = build_app(
        Settings.model_validate(
            {"database": {"url": pg_url}, "outbox": {"pickup_dir": str(tmp_path / "out")}}
        ),
        lambda: NOW,
    )
    app.prepare_database()
    outcomes: Counter[Outcome] = Counter()
    try:
        for start in range(0, len(mails), 100):
            batch = [InboundMail(raw, "fuzz", NOW) for raw in mails[start : start + 100]]
            results = app.pipeline.ingest_batch(app.engine, batch)
            assert len(results) == len(batch)
            outcomes.update(r.outcome for r in results)
    finally:
        app.engine.dispose()
    print(f"fuzz N={N} seed={SEED}: {dict(outcomes)}")
    assert Outcome.DEFERRED not in outcomes, outcomes
    assert outcomes[Outcome.CREATED] > N // 4  # most mutations still read as mail
    # Every mail is kept byte for byte (a case's message or a rejection), or is a
    # duplicate of one kept: mutations often keep the seed's Message-ID, and a mail
    # with a known Message-ID is the same mail delivered again.
    rows = sql(pg_url, "SELECT raw, dedupe_key FROM messages WHERE direction = 'in'")
    kept, keys = {bytes(raw) for raw, _k in rows}, {key for _r, key in rows}
    missing = [
        raw for raw in set(mails)
        if raw not in kept and app.pipeline.prepare(InboundMail(raw, "fuzz", NOW)).key not in keys
    ]
    assert not missing, f"{len(missing)} mails not kept, e.g. {missing[0][:200]!r}"
    # No mail made the parser fail: each read as mail, or was refused for a stated reason.
    reasons = sql(pg_url, "SELECT reject_reason FROM messages WHERE kind = 'rejected'")
    assert not [r for (r,) in reasons if r and r.startswith("internal error")], reasons[:5]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_parse_never_raises_anything_but_parse_error(raw: bytes) -> None:
    try:
        parsed = parse(raw)
    except ParseError:
        return
    assert isinstance(parsed.subject, str)
    assert isinstance(parsed.body_text, str)
