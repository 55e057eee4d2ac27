"""Structured logging: one event per line, fields from `extra=`."""

from __future__ import annotations

import io
import json
import logging
import shlex

import pytest

from daemon import logs


@pytest.fixture
def stream() -> io.StringIO:
    out = io.StringIO()
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    logs.configure("INFO", "kv", stream=out)
    yield out
    root.handlers[:] = before[0]
    root.setLevel(before[1])


def test_kv_line_carries_message_and_extra_fields(stream: io.StringIO) -> None:
    logging.getLogger("daemon.pipeline").info(
        "case created", extra={"case": 100042, "from": 'Ann "A" <a@b.dk>'}
    )
    [line] = stream.getvalue().splitlines()
    fields = dict(part.split("=", 1) for part in shlex.split(line))
    assert fields["level"] == "info"
    assert fields["logger"] == "daemon.pipeline"
    assert fields["msg"] == "case created"
    assert fields["case"] == "100042"
    assert fields["from"] == 'Ann "A" <a@b.dk>'


def test_json_format_is_one_object_per_line_even_with_a_traceback() -> None:
    out = io.StringIO()
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    try:
        logs.configure("INFO", "json", stream=out)
        try:
            raise ValueError("boom\nsecond line")
        except ValueError:
            logging.getLogger("x").exception("failed", extra={"case": 7})
    finally:
        root.handlers[:] = before[0]
        root.setLevel(before[1])
    [line] = out.getvalue().splitlines()
    event = json.loads(line)
    assert event["msg"] == "failed" and event["case"] == 7
    assert "ValueError: boom" in event["exc"]


def test_configure_twice_replaces_the_handler(stream: io.StringIO) -> None:
    logs.configure("INFO", "kv", stream=stream)
    logging.getLogger("y").info("once")
    assert stream.getvalue().count("once") == 1


def test_chatty_protocol_loggers_stay_quiet_at_info(stream: io.StringIO) -> None:
    logging.getLogger("imapclient").info("> A001 LOGIN support@oo.dk secret")
    assert stream.getvalue() == ""
