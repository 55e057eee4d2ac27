"""Wrapping plain-text paragraphs of the mail the daemon writes (templates' `wrap` filter).

A template writes each paragraph as one line, with the facts (a time, an amount, the
phone number) filled in, and the filter wraps it. Plain `textwrap` would break such a
fact in two ("kl." / "09:00", "1.000,00" / "kr.", "+45" / "7021 1813"); the spaces
inside them are held together while wrapping.
"""

from __future__ import annotations

import re
import textwrap

WIDTH = 76
_HOLD = "\x00"  # never in rendered text (templates and mail text carry no NUL)
# Spaces a line must not break at: inside a phone number, between a number and its
# unit, after "kl."/"at"/"DKK" before a number, and between a day and its month.
_UNBREAKABLE = re.compile(
    r"(?<=\d) (?=\d)"  # a phone number: +45 7021 1813
    r"|(?<=\d) (?=kr\.|%)"  # an amount or a share: 1.000,00 kr., 100 %
    r"|(?<=\bDKK) (?=\d)"  # DKK 1,000.00
    r"|(?<=\S) (?=\+ (?:moms|VAT)\b)|(?<=\+) (?=(?:moms|VAT)\b)"  # ... + moms
    r"|(?<=\bkl\.) (?=\d)|(?<=\bat) (?=\d\d:\d\d)"  # kl. 09:00, at 09:00
    r"|(?<=\btast) (?=\d)|(?<=\bpress) (?=\d)"  # tast 2, press 2
)


def wrap_paragraphs(text: str, width: int = WIDTH) -> str:
    """Each line of `text` wrapped to `width`, never inside a held fact; empty lines,
    and words longer than a line (a URL, a CJK subject), are kept as they are."""
    held = _UNBREAKABLE.sub(_HOLD, text)
    lines = []
    for line in held.split("\n"):
        wrapped = textwrap.wrap(
            line, width=width, break_long_words=False, break_on_hyphens=False
        )
        lines.append("\n".join(wrapped))
    return "\n".join(lines).replace(_HOLD, " ")
