"""`oo-support outbox flush` as INTERFACE.md has it: "send everything queued for sending,
then exit", also the mail a relay put off and that waits for its next attempt."""

from __future__ import annotations

import json
from pathlib import Path

from harness import run_cli, write_config


def test_flush_sends_what_waits_for_a_retry_at_once(
    tmp_path: Path, smtp_sink, pg_url: str
) -> None:
    # A long back-off, as production has (30 s doubling): the relay said 451, the
    # operator fixed it and flushes; the ack goes now, not in half an hour.
    config = write_config(
        tmp_path / "oo.toml", database_url=pg_url, smtp_out=smtp_sink,
        extra={"outbox": {"retry_base_seconds": 1800, "retry_max_seconds": 3600}},
    )
    run_cli("db", "upgrade", config=config)
    run_cli("cases", "new", "--from", "kunde@firma.dk", "--subject", "Printer", "--body", "b",
            "--channel", "phone", "--no-send", config=config)
    smtp_sink.refuse(451)
    first = json.loads(run_cli("outbox", "flush", "--json", config=config))
    assert (first["sent"], first["deferred"], first["queued"]) == (0, 1, 1)
    # Tried once a flush: a relay still refusing is not asked again in the same flush.
    assert json.loads(run_cli("outbox", "flush", "--json", config=config))["deferred"] == 1
    smtp_sink.refuse(None)
    done = json.loads(run_cli("outbox", "flush", "--json", config=config))
    assert (done["sent"], done["queued"]) == (1, 0)
    assert [m.recipients for m in smtp_sink.messages] == [["kunde@firma.dk"]]


def test_flush_before_the_retry_is_due_spends_no_attempt(
    tmp_path: Path, smtp_sink, pg_url: str
) -> None:
    # The relay greylists (451) for a while; an operator flushes again and again before
    # it lets the mail through. Each early try is one the operator asked for on top of
    # the back-off: it must not count toward max_attempts, or three flushes in a minute
    # turned the ack into "failed for good" where the back-off would have waited hours.
    config = write_config(
        tmp_path / "oo.toml", database_url=pg_url, smtp_out=smtp_sink,
        extra={"outbox": {"max_attempts": 2, "retry_base_seconds": 1800,
                          "retry_max_seconds": 3600}},
    )
    run_cli("db", "upgrade", config=config)
    run_cli("cases", "new", "--from", "kunde@firma.dk", "--subject", "Printer", "--body", "b",
            "--channel", "phone", "--no-send", config=config)
    smtp_sink.refuse(451)
    # The first try was due: it counts (attempt 1 of 2).
    assert json.loads(run_cli("outbox", "flush", "--json", config=config))["deferred"] == 1
    for _ in range(3):  # early tries: still put off, never failed
        early = json.loads(run_cli("outbox", "flush", "--json", config=config))
        assert (early["deferred"], early["failed"], early["queued"]) == (1, 0, 1)
    smtp_sink.refuse(None)
    done = json.loads(run_cli("outbox", "flush", "--json", config=config))
    assert (done["sent"], done["failed"], done["queued"]) == (1, 0, 0)
    assert [m.recipients for m in smtp_sink.messages] == [["kunde@firma.dk"]]
