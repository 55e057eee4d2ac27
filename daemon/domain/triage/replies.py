"""A reply whose new text says the problem is over ("SV: Min konto er låst" / "Det virker
igen, tak"): its subject is old news, and the classifier judges the new text alone
(__init__.py `classify`)."""

from __future__ import annotations

import re

# The new text says the problem is over ("det virker igen", "problemet er løst",
# "working again", "tak for hjælpen") ...
_SETTLED = re.compile(
    r"\b(?:virker|virkede|fungerer|fungerede|kører|kørte|printer|er oppe|er inde|kom ind|"
    r"kan logge (?:på|paa|pa|ind))\b(?: \S+){0,3}? (?:igen|nu|fint)\b|"
    r"\b(?:er|blev|er blevet) (?:nu )?(?:løst|fikset|fixet|ordnet)\b|\bproblemet er løst\b|"
    r"\b(?:lukke|luk) sagen\b|\bfalsk alarm\b|\b(?:tak|tusind tak) for (?:hjælpen|hurtig hjælp)\b|"
    r"\b(?:working|works|worked|running|up) (?:\S+ )?(?:again|now|fine)\b|\bback (?:in|up|online)\b|"
    r"\b(?:is|has been|was|got) (?:now )?(?:fixed|resolved|sorted)\b|\bnever ?mind\b|"
    r"\bfalse alarm\b|\bclose the (?:case|ticket)\b|\bthanks? (?:you )?for the (?:quick )?help\b|"
    r"\b(?:erledigt|funktioniert wieder|geht wieder)\b|"
    r"\b(?:nu|now) (?:virker|fungerer|kører|works?|working) (?:det|den|alt|it|everything)\b|"
    r"\ball good\b|\balt (?:er )?(?:godt|fint|ok)\b|"
    r"\b(?:fikset|fixet|løst|løste|ordnet|fixed|solved|sorted) (?:det|it|problemet|the problem)\b"
)
# ... unless it also says something is still wrong ("virker stadig ikke").
_STILL_BROKEN = re.compile(
    r"\b(?:stadig|fortsat|endnu ikke|igen ikke|still|not yet|again not)\b|"
    r"\b(?:virker|fungerer|kører) (?:\S+ )?(?:ikke|ik)\b|\bikke løst\b|"
    r"\b(?:doesn'?t|does not|isn'?t|is not|not) (?:\S+ )?work"
)


def settled(new_text: str) -> bool:
    """Does a reply's (normalised) new text say the problem is over, and nothing still
    wrong? Then its subject, the old problem, is not what the new case is about."""
    return _SETTLED.search(new_text) is not None and _STILL_BROKEN.search(new_text) is None
