"""A calendar invitation (text/calendar, RFC 5545) as the lines a person reads: what,
when and where.

Outlook and Google send meeting requests whose text part holds only the description
(or nothing); when and where are in the iCalendar part alone. Only the few properties
shown are read: no recurrence expansion, no time-zone arithmetic (the time is shown as
written, with its zone's name).
"""

from __future__ import annotations

import re

_FOLDED = re.compile(r"\r?\n[ \t]")
_DATE_TIME = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(Z?))?$")
_SHOWN = (("SUMMARY", "Invitation"), ("DTSTART", "When"), ("LOCATION", "Where"))


def invitation_text(ics: str) -> str:
    """"Invitation: …\\nWhen: …\\nWhere: …" for the first event; "" when there is none."""
    unfolded = _FOLDED.sub("", ics)
    if "BEGIN:VEVENT" not in unfolded.upper():
        return ""
    event: dict[str, tuple[str, dict[str, str]]] = {}
    inside = False
    for line in unfolded.splitlines():
        upper = line.upper()
        if upper.startswith("BEGIN:VEVENT"):
            inside = True
        elif upper.startswith("END:VEVENT"):
            break
        elif inside and ":" in line:
            head, value = line.split(":", 1)
            name, *options = head.split(";")
            pairs = (option.split("=", 1) for option in options if "=" in option)
            event.setdefault(name.upper(), (value, {k.upper(): v for k, v in pairs}))
    lines = []
    for key, label in _SHOWN:
        if key not in event:
            continue
        value, params = event[key]
        if key == "DTSTART":
            shown = _when(value, params)
            if "DTEND" in event:
                shown += " – " + _when(*event["DTEND"])
        else:
            shown = _unescaped(value)
        if shown.strip():
            lines.append(f"{label}: {shown.strip()}")
    return "\n".join(lines)


def _when(value: str, params: dict[str, str]) -> str:
    match = _DATE_TIME.match(value.strip())
    if match is None:
        return value.strip()
    year, month, day, hour, minute, _second, utc = match.groups()
    if hour is None:
        return f"{year}-{month}-{day}"
    zone = " UTC" if utc else f" ({params['TZID'].strip(chr(34))})" if "TZID" in params else ""
    return f"{year}-{month}-{day} {hour}:{minute}{zone}"


def _unescaped(value: str) -> str:
    """RFC 5545 3.3.11 TEXT: \\n is a line break, \\, \\; \\\\ the character itself."""
    return re.sub(r"\\([nN,;\\])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)
