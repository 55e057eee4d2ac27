"""A length of time as staff type it: `4h`, `90m`, `1h30m`, `1.5h` (or `1,5h`, as a
Dane writes it), for a project's agreed estimate (BR-18 example 4: "Projektet
estimeres [...] Afregnes efter den aftalte tid") and for time logged by mail
(`#time 1 t 15 min`, BR-17: time is billed by the minute).

Also read, because Danish technicians write them in a time log: `1 t 15 min`,
`1 time og 15 minutter`, `45 minutter`, `1½ t`, `halvanden time`, `en halv time`,
`et kvarter`, `tre kvarter`, and `h:mm` (`0:45`, `1:15 t`).

Whole minutes only: `1.01h` is 60.6 minutes, which no one agreed to, so it is refused
rather than rounded. A bare number has no unit and is refused too: "4" could be
hours or minutes, and a bill must not guess. For the same reason `1:30 minutter`
is refused: the agreement itself writes a minute and a half that way ("en
gennemsnitlig svartid på 1:30 minutter"), so `m:ss` is not whole minutes.
"""

from __future__ import annotations

import re
from decimal import Decimal

# Hours (a decimal fraction allowed) then minutes, each optional but not both absent;
# a unit may end in a full stop ("min.", "t."), and "og"/"and"/", " may join the two.
_DURATION = re.compile(
    r"(?:(?P<hours>[0-9]{1,6}(?:[.,][0-9]{1,4})?)\s*"
    r"(?:h|t|hrs?|timer?|hours?)\.?)?"
    r"(?:\s*(?:,|og|and)?\s*(?P<minutes>[0-9]{1,6})\s*(?:m|min|mins|minutter|minutes?)\.?)?",
    re.IGNORECASE,
)
# h:mm, as a time sheet writes it; an hour unit may follow, a minute unit may not.
_CLOCK = re.compile(
    r"(?P<hours>[0-9]{1,4}):(?P<minutes>[0-5][0-9])(?:\s*(?:h|t|timer?|hours?)\.?)?",
    re.IGNORECASE,
)
# m:ss, as the agreement writes "1:30 minutter": a minute and some seconds.
_MINUTES_SECONDS = re.compile(
    r"[0-9]{1,4}:[0-5][0-9]\s*(?:m|min|mins|minutter|minutes?)\.?", re.IGNORECASE
)
# Spoken fractions of an hour, in the form _DURATION reads. Longest first: "tre
# kvarter" before "kvarter", "halvanden" before "halv".
_SPOKEN = (
    (re.compile(r"\bhalvanden\b", re.IGNORECASE), "1,5"),
    (re.compile(r"\b(?:en\s+)?halv\s+(?=time\b)", re.IGNORECASE), "0,5 "),
    (re.compile(r"\btre\s+kvarter\b", re.IGNORECASE), "45 min"),
    (re.compile(r"\b(?:et\s+)?kvarter\b", re.IGNORECASE), "15 min"),
    (re.compile(r"(?<=[0-9])\s*½"), ",5"),
    (re.compile(r"½"), "0,5"),
)
EXAMPLES = "e.g. 4h, 90m, 1h30m or 1.5h"


class DurationError(ValueError):
    """Text that is not a length of time; the message says what is accepted."""


def parse_duration(text: str) -> int:
    """The whole minutes `text` names; DurationError otherwise."""
    spoken = _plain(text)
    if _MINUTES_SECONDS.fullmatch(spoken):
        raise DurationError(
            f"{_shown(text)} reads as minutes:seconds (the agreement writes a minute and a"
            " half as 1:30 minutter), not whole minutes; write e.g. 90m or 1h30m"
        )
    clock = _CLOCK.fullmatch(spoken)
    match = clock or _DURATION.fullmatch(spoken)
    if not spoken or match is None or not (match["hours"] or match["minutes"]):
        raise DurationError(f"{_shown(text)} is not a length of time ({EXAMPLES})")
    hours = Decimal(match["hours"].replace(",", ".")) if match["hours"] else Decimal(0)
    total = hours * 60 + int(match["minutes"] or 0)
    if total != total.to_integral_value():
        raise DurationError(f"{_shown(text)} is not a whole number of minutes ({total} min)")
    if total <= 0:
        raise DurationError(f"{_shown(text)} is no time at all ({EXAMPLES})")
    return int(total)


def _plain(text: str) -> str:
    """`text` with spoken fractions written as numbers ("halvanden time" -> "1,5 time")."""
    plain = text.strip()
    for spoken, written in _SPOKEN:
        plain = spoken.sub(written, plain)
    return plain.strip()


def format_duration(minutes: int) -> str:
    """`240` -> "4h", `90` -> "1h30m", `45` -> "45m": as parse_duration reads it."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h{rest}m" if rest else f"{hours}h"


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "...")
