"""The command line's own value types and shared options: instants and dates read on
the office clock, the SLA levels, --staff.
"""

from __future__ import annotations

import argparse
import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from daemon.domain.sla import Priority

if TYPE_CHECKING:
    from daemon.settings import Settings


def iso_instant(text: str) -> datetime:
    """An ISO-8601 instant; one without an offset is local time, made aware once the
    config (and so [support] timezone) is known: see local_instants."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO-8601 time: {text!r} (e.g. 2026-12-04T19:30 or 2026-12-04T19:30+01:00)"
        ) from None


# The largest key the database stores (a bigint); a larger one was a "bigint out of
# range" database error instead of "no case N".
MAX_STORED_ID = 2**63 - 1
_CASE_REFERENCE = re.compile(r"\[?OO#(\d+)\]?", re.IGNORECASE)


def case_number(text: str) -> int:
    """A case number, also as its reference is pasted from a subject: "[OO#100042]"."""
    reference = _CASE_REFERENCE.fullmatch(text.strip())
    return stored_id(reference.group(1) if reference else text, "case number")


def stored_id(text: str, what: str = "id") -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a {what}: {text!r}") from None
    if not 1 <= value <= MAX_STORED_ID:
        raise argparse.ArgumentTypeError(f"not a {what}: {text!r}")
    return value


def local_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (e.g. 2026-12-01)") from None


# The options that take an instant; each is read in the business calendar's zone when
# it carries no offset (a supporter types the time on the office clock).
INSTANT_OPTIONS = ("now", "at")
INSTANT_HELP = "ISO-8601; without an offset it is local time in [support] timezone"


def local_instants(args: argparse.Namespace, settings: Settings) -> None:
    zone = ZoneInfo(settings.support.timezone)
    for name in INSTANT_OPTIONS:
        value = getattr(args, name, None)
        if isinstance(value, datetime) and value.tzinfo is None:
            # fold=0: an ambiguous time in the autumn DST change is read as the first one.
            setattr(args, name, value.replace(tzinfo=zone))


PRIORITIES = tuple(level.value for level in Priority)  # BR-11


def staff_option(p: Any, what: str) -> None:
    p.add_argument(
        "--staff",
        default="",
        metavar="EMAIL",
        help=f"{what}, for the case history (default: [staff] cli_user, else the login name)",
    )
