"""format=flowed text (RFC 3676) as its writer's paragraphs.

Apple Mail, iOS and Thunderbird send text/plain with `format=flowed`: each paragraph is
cut into lines of ~76 characters, and a line that goes on in the next ends with a space
(a "soft" break). With `delsp=yes` (Apple's) that space was added by the sender and
is no part of the text, so a word or a Japanese sentence may be cut anywhere ("gen " /
"starte"). Read line by line, the text had breaks a person never wrote and, with
delsp=yes, words cut in two, for staff, the triage and the quoting rules alike.
Pure and linear.
"""

from __future__ import annotations

import re

_QUOTES = re.compile(r"^>+")
_SIGNATURE = "-- "


def unflowed(text: str, delsp: bool) -> str:
    """`text` (lines ending "\\n") with its soft line breaks joined (RFC 3676 4.2):
    quote depth kept ("> " per level as written by the sender), space-stuffing undone,
    the soft break's space removed with delsp=yes."""
    out: list[str] = []
    paragraph: list[str] = []
    depth = -1  # the quote depth of the paragraph being joined
    for line in text.split("\n"):
        marks = _QUOTES.match(line)
        level = len(marks.group()) if marks else 0
        content = line[level:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffed (RFC 3676 4.4), or "> " after quotes
        if paragraph and level != depth:  # a soft break into another depth: ends here
            out.append(_joined(paragraph, depth))
            paragraph = []
        depth = level
        soft = content.endswith(" ") and content != _SIGNATURE
        paragraph.append(content[:-1] if soft and delsp else content)
        if not soft:
            out.append(_joined(paragraph, depth))
            paragraph = []
    if paragraph:
        out.append(_joined(paragraph, depth))
    return "\n".join(out)


def _joined(lines: list[str], depth: int) -> str:
    text = "".join(lines)
    return f"{'>' * depth} {text}" if depth else text
