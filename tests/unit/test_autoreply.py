"""Automatic mail is recognised and never acknowledged (RFC 3834, loop safety)."""

import pytest

from daemon.domain.autoreply import automatic_reason

OWN = ("support@oo.dk", "support.oo.dk")


def reason(headers: dict[str, str], sender: str = "kunde@firma.dk") -> str | None:
    lookup = {k.lower(): v for k, v in headers.items()}
    return automatic_reason(lambda name: lookup.get(name.lower(), ""), sender, *OWN)


def test_a_person_writing_is_not_automatic() -> None:
    assert reason({"Subject": "Printer", "Auto-Submitted": "no"}) is None


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated"},
        {"Precedence": "bulk"},
        {"Precedence": "list"},
        {"List-Id": "<news.example.com>"},
        {"List-Unsubscribe": "<mailto:u@example.com>"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "yes"},
        {"Return-Path": "<>"},
        {"Content-Type": "multipart/report; report-type=delivery-status"},
        {"Message-ID": "<oo.100001.abc@support.oo.dk>"},
    ],
)
def test_automatic_headers(headers: dict[str, str]) -> None:
    assert reason(headers) is not None


@pytest.mark.parametrize(
    "sender", ["MAILER-DAEMON@mx.example.com", "postmaster@x.dk", "support@oo.dk"]
)
def test_system_and_own_senders(sender: str) -> None:
    assert reason({}, sender=sender) is not None
