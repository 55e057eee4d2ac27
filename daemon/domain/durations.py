"""A length of time as staff type it: `4h`, `90m`, `1h30m`, `1.5h` (or `1,5h`, as a
Dane writes it), for a project's agreed estimate (BR-18 example 4: "Projektet
estimeres [...] Afregnes efter den aftalte tid").

Whole minutes only: `1.01h` is 60.6 minutes, which no one agreed to, so it is refused
rather than rounded. A bare number has no unit and is refused too: "4" could be
hours or minutes, and a bill must not guess.
"""

from __future__ import annotations

import re
from decimal import Decimal

# Hours (a decimal fraction allowed) then minutes, each optional but not both absent.
_DURATION = re.compile(
    r"(?:(?P<hours>[0-9]{1,6}(?:[.,][0-9]{1,4})?)\s*(?:h|t|timer?|hours?))?"
    r"\s*(?:(?P<minutes>[0-9]{1,6})\s*(?:m|min|minutter|minutes?))?",
    re.IGNORECASE,
)
EXAMPLES = "e.g. 4h, 90m, 1h30m or 1.5h"


class DurationError(ValueError):
    """Text that is not a length of time; the message says what is accepted."""


def parse_duration(text: str) -> int:
    """The whole minutes `text` names; DurationError otherwise."""
    spoken = text.strip()
    match = _DURATION.fullmatch(spoken)
    if not spoken or match is None or not (match["hours"] or match["minutes"]):
        raise DurationError(f"{_shown(text)} is not a length of time ({EXAMPLES})")
    hours = Decimal(match["hours"].replace(",", ".")) if match["hours"] else Decimal(0)
    total = hours * 60 + int(match["minutes"] or 0)
    if total != total.to_integral_value():
        raise DurationError(f"{_shown(text)} is not a whole number of minutes ({total} min)")
    if total <= 0:
        raise DurationError(f"{_shown(text)} is no time at all ({EXAMPLES})")
    return int(total)


def format_duration(minutes: int) -> str:
    """`240` -> "4h", `90` -> "1h30m", `45` -> "45m": as parse_duration reads it."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h{rest}m" if rest else f"{hours}h"


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "...")
