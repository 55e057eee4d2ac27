"""Every acknowledgement's bytes, held to what they were before the IMAP pass's
composing was made cheaper (issue 18): Danish and English, e-mail and phone, critical
or not, in hours, an evening, a weekend, a named holiday and Christmas Eve, sent the
day it came or the next; greeted by name or not, subjects plain, empty, Danish, CJK,
with links and markup; answering a thread or nothing.

The expected bytes (tests/unit/ack_bytes.json) were written by main's code before the
change (7b9a855) with the Message-ID's and the boundary's randomness drawn from a
counter; the Date header is the composing instant. To write them anew, from the tree
whose acks are right: `PYTHONPATH=. python tests/unit/test_ack_bytes.py --write`.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from daemon.domain.ack_policy import ack_hours
from daemon.domain.business_calendar import BusinessCalendar
from daemon.mail import compose
from daemon.mail.render import TemplateRenderer
from daemon.settings import Settings

EXPECTED = Path(__file__).with_name("ack_bytes.json")
TEMPLATES = Path(__file__).parents[2] / "templates"  # this tree's, whatever the settings say
CPH = ZoneInfo("Europe/Copenhagen")


def _cph(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=CPH)


# (name, received, sent): sent later than received only for "next day".
INSTANTS = (
    ("in-hours", _cph(2026, 11, 23, 10, 17), _cph(2026, 11, 23, 10, 18)),
    ("evening", _cph(2026, 11, 23, 19, 5), _cph(2026, 11, 23, 19, 5)),
    ("saturday", _cph(2026, 11, 28, 11), _cph(2026, 11, 28, 11)),
    ("skaertorsdag", _cph(2026, 4, 2, 10), _cph(2026, 4, 2, 10)),
    ("christmas-eve", _cph(2026, 12, 24, 9, 30), _cph(2026, 12, 24, 9, 31)),
    ("next-day", _cph(2026, 11, 27, 16, 30), _cph(2026, 11, 28, 8)),
)
NAMES = ("Søren Ørsted", "", "Mallory <b>www.evil.example</b> " + "x" * 70, "Dr. Anne-Marie Hansen")
SUBJECTS = (
    "Printeren på 2. sal virker ikke",
    "",
    "Ingen kan logge på: se https://evil.example/x og ring",
    "<script>alert(1)</script> {{ support.address }} & co",
    "打印机不工作了，请尽快帮忙处理一下这个问题，谢谢你们的帮助和支持" * 2,
    "Server down",
)
ANSWERED = (
    compose.Answered("<orig@kunde.dk>", ["<older@kunde.dk>", "<oldest@kunde.dk>"]),
    compose.Answered(None, []),
    compose.Answered("<æøå@kunde.dk>", []),
)


def matrix() -> Iterator[tuple[str, dict[str, Any]]]:
    """Each instant in each language, channel and criticality; the names, subjects and
    threads taken in turn, so each meets each kind of ack."""
    settings, calendar = Settings(), BusinessCalendar()
    renderer = TemplateRenderer(TEMPLATES)
    combos = itertools.product(INSTANTS, ("da", "en"), ("email", "phone"), (False, True))
    for index, ((when, received, sent), language, channel, critical) in enumerate(combos):
        within_hour = calendar.is_open(received)
        review_due = (received + timedelta(minutes=45) if within_hour
                      else calendar.next_opening(received) + timedelta(hours=2))
        name = f"{index:02d}-{when}-{language}-{channel}-{'critical' if critical else 'normal'}"
        yield name, {
            "renderer": renderer,
            "support": settings.support,
            "case_number": 100000 + 997 * index,
            "case_subject": SUBJECTS[index % len(SUBJECTS)],
            "language": language,
            "customer_name": NAMES[index % len(NAMES)],
            "customer_addr": f"kunde{index}@firma.dk",
            "answered": ANSWERED[index % len(ANSWERED)],
            "received_at": received,
            "review_due": review_due,
            "hours": ack_hours(calendar, received, sent, language),  # type: ignore[arg-type]
            "now": sent,
            "channel": channel,
            "critical": critical,
        }


def composed(monkeypatch: Any = None,
             kinds: Callable[[], Iterator[tuple[str, dict[str, Any]]]] = matrix,
             ) -> dict[str, str]:
    """The raw acks of `kinds()` (`matrix()` unless told), the random hex drawn from a
    counter."""
    counter = itertools.count(1)

    def counted(nbytes: int) -> str:
        return f"{next(counter):0{2 * nbytes}x}"

    if monkeypatch is not None:
        monkeypatch.setattr(compose, "random_hex", counted)
    else:
        compose.random_hex = counted  # type: ignore[assignment]
    return {name: compose.acknowledgement(**args).raw.decode("ascii")
            for name, args in kinds()}


def test_every_ack_is_byte_for_byte_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    got = composed(monkeypatch)
    assert list(got) == list(expected)
    for name, raw in got.items():
        assert raw == expected[name], name


def test_the_matrix_reaches_every_kind_of_ack() -> None:
    # The expected file is only worth what it covers: both parts, both languages,
    # folded RFC 2047 subjects, threads, phone and critical wording, closed days.
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    joined = "\n".join(expected.values())
    assert len(expected) == 48
    for needle in ("Content-Language: da", "Content-Language: en", "text/html",
                   "=?utf-8?", "\r\n =?utf-8?", "In-Reply-To: <orig@kunde.dk>",
                   "References: <older@kunde.dk> <oldest@kunde.dk> <orig@kunde.dk>",
                   "sk=C3=A6rtorsdag", "Christmas Eve", "opringning", "for your call"):
        assert needle in joined, needle


# What a customer may write that the matrix above has not: emoji, encoded words left
# in a Subject, long Danish subjects, links in upper case or as bare addresses (the
# echoed subject's link filter, ack24), runs of spaces, empty brackets, CJK spaces.
AWKWARD_SUBJECTS = (
    "Hjælp 🙈 printeren på 3. sal æder papir 🖨️🔥",
    "=?utf-8?q?Fl=C3=B8de_b=C3=B8ller?= og =?iso-8859-1?B?5vjl?=",
    "Regnskabsprogrammet går ned når vi åbner årsafslutningen for 2025, og økonomiafdelingen "
    "kan ikke bogføre før det er løst; det haster meget, for momsen skal afregnes på fredag",
    "SE WWW.EVIL.EXAMPLE/Login NU",
    "Mail til jens.ærø@firma.dk kommer retur (550)",
    "ftp://files.example/x virker ikke	med  tabulator   og mellemrum",
    "( ) [ ] < > tomme parenteser efter et link: [https://x.example]",
    "サーバー\u3000ダウン\u3000至急",
    "Øv",
)
AWKWARD_NAMES = (
    "Øjvind \"Ø\" Æbelø 😀",
    "=?utf-8?q?S=C3=B8ren?= Ørsted",
    "jens@firma.dk",
    "Åse www.Example.dk Ågård",
)


def awkward() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every awkward subject with each awkward name in turn, in each language and
    channel, on the matrix's evening and in-hours instants (72 acks)."""
    base = {name: args for name, args in matrix()}
    kinds = [args for name, args in base.items()
             if ("-evening-" in name or "-in-hours-" in name) and "critical" not in name]
    for index, (subject, args) in enumerate(itertools.product(AWKWARD_SUBJECTS, kinds)):
        name = f"{index:02d}-{args['language']}-{args['channel']}-{args['now'].hour}"
        yield name, {**args, "case_number": 200000 + index, "case_subject": subject,
                     "customer_name": AWKWARD_NAMES[index % len(AWKWARD_NAMES)]}


def test_awkward_subjects_and_names_give_the_bytes_they_gave_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """tests/unit/ack_bytes_awkward.json was written by main's code before ack24's
    changes (0b13031), as ack_bytes.json was: `PYTHONPATH=OLD_TREE python
    tests/unit/test_ack_bytes.py --write-awkward`."""
    expected = json.loads(EXPECTED_AWKWARD.read_text(encoding="utf-8"))
    got = composed(monkeypatch, awkward)
    assert list(got) == list(expected)
    for name, raw in got.items():
        assert raw == expected[name], name
    joined = "\n".join(expected.values())
    for needle in ("=F0=9F=99=88", "=?utf-8?b?", "\r\n =?utf-8?", "Content-Language: en"):
        assert needle in joined, needle


EXPECTED_AWKWARD = Path(__file__).with_name("ack_bytes_awkward.json")

if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    EXPECTED.write_text(json.dumps(composed(), indent=1, ensure_ascii=True) + "\n",
                        encoding="utf-8")
if __name__ == "__main__" and sys.argv[1:] == ["--write-awkward"]:
    EXPECTED_AWKWARD.write_text(
        json.dumps(composed(kinds=awkward), indent=1, ensure_ascii=True) + "\n", encoding="utf-8"
    )
