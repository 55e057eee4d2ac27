"""Which language to answer in: Danish unless the customer clearly wrote English."""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["da", "en"]

_WORD = re.compile(r"[a-zæøå]+")
# Short, frequent function words: they decide the language of a few lines reliably.
_DANISH = frozenset(
    "og jeg ikke det er vi har med til kan hej på af en et den som vores min mit "
    "virker tak venlig hilsen mvh godt fra skal når eller hvad hvordan".split()
)
_ENGLISH = frozenset(
    "the and is are not we have with to can hello hi dear of on my our it this that "
    "does doesn work thanks regards please could would from when what how".split()
)
_DANISH_LETTERS = re.compile(r"[æøåÆØÅ]")


def detect_language(subject: str, body: str) -> Language:
    text = f"{subject}\n{body[:2000]}"
    words = _WORD.findall(text.lower())
    # æ/ø/å count as Danish evidence, not proof: "Søren" may well sign in English.
    danish = sum(word in _DANISH for word in words) + len(_DANISH_LETTERS.findall(text))
    english = sum(word in _ENGLISH for word in words)
    return "en" if english >= 2 and english > 2 * danish else "da"
