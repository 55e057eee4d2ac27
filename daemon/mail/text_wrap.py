"""Wrapping plain-text paragraphs of the mail the daemon writes (templates' `wrap` filter).

A template writes each paragraph as one line, with the facts (a time, an amount, the
phone number) filled in, and the filter wraps it. Plain wrapping would break such a
fact in two ("kl." / "09:00", "1.000,00" / "kr.", "+45" / "7021 1813"); the spaces
inside them are held together while wrapping.

Greedy and written out here rather than `textwrap`: every acknowledgement passes
through it, and `textwrap`'s chunking regexes cost more than rendering the rest.
"""

from __future__ import annotations

import functools
import re

WIDTH = 76
_HOLD = "\x00"  # never in rendered text (templates and mail text carry no NUL)
# Spaces a line must not break at. Each alternative starts with the space itself,
# so the engine jumps from space to space.
_UNBREAKABLE = re.compile(
    r" (?:"
    r"(?<=\d )(?=\d|kr\.|%)"  # a phone number (+45 7021 1813); 1.000,00 kr.; 100 %
    r"|(?<=\bDKK )(?=\d)"  # DKK 1,000.00
    r"|(?=\+ (?:moms|VAT)\b)|(?<=\+ )(?=(?:moms|VAT)\b)"  # ... + moms, ... + VAT
    r"|(?<=\bkl\. )(?=\d)|(?<=\bat )(?=\d\d:\d\d)"  # kl. 09:00, at 09:00
    r"|(?<=\d\. )(?=kl\. \d)"  # 30.11. kl. 09:00: the day and its hour on one line
    r"|(?<=dag )(?=\d\d?\.\d\d?\.)"  # mandag 30.11.
    r"|(?<=\btast )(?=\d)|(?<=\bpress )(?=\d)"  # tast 2, press 2
    r")"
)


def wrap_paragraphs(text: str, width: int = WIDTH) -> str:
    """Each line of `text` wrapped to `width` at spaces, never inside a held fact.
    A line that fits is left as it is, empty lines are kept, and a word longer than a
    line (a URL, a CJK subject) is kept whole on a line of its own."""
    lines: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width:
            lines.append(line)
        else:
            kept = len(line) <= _KEPT_LINE
            lines.extend(_wrapped_kept(line, width) if kept else _wrapped(line, width))
    return "\n".join(lines)


def _wrapped(line: str, width: int) -> tuple[str, ...]:
    """The lines one line longer than `width` is wrapped to (none for blanks only)."""
    held = _UNBREAKABLE.sub(_HOLD, line.strip(" "))
    return tuple(chunk.strip(" ").replace(_HOLD, " ") for chunk in _chunks(width).findall(held))


# A template's paragraphs are mostly the same in every ack (the on-call rule, the fee,
# the review promise); each wrapped one is kept, the last _KEPT_LINES of them, as at
# most ~1 MB: ~15 us an ack in the IMAP pass's thread (issue 18, feed19).
_KEPT_LINE = 1000
_KEPT_LINES = 512
_wrapped_kept = functools.lru_cache(maxsize=_KEPT_LINES)(_wrapped)


@functools.lru_cache(maxsize=8)
def _chunks(width: int) -> re.Pattern[str]:
    # Greedy in C: the longest run of at most `width` characters that ends at a space
    # (or the end); else one word longer than that, whole. Only " " breaks a line:
    # the ideographic space (U+3000) is a character of CJK text.
    return re.compile(f"[^\\n]{{1,{width}}}(?: +|$)|[^ ]+(?: +|$)")
