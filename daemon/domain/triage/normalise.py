"""The text the triage rules read: one form for every way a mail can spell the same thing.

Normalised means: NFC, lower case, æ/ø/å kept, other accents folded (é -> e, ä -> æ,
ö -> ø), typographic quotes and dashes made plain, a line break inside a paragraph
read as a space (mail is hard-wrapped), a blank line kept as one "\\n", runs of spaces
as one; a few Danish words spelt with "aa" for "å" ("paa", "naar") respelt; "2. sal"
and "kl. 9" do not end a sentence.
"""

from __future__ import annotations

import re
import unicodedata

# "SV: VS: Låst" is the headline "låst" (Danish, English, German, French clients).
_REPLY_PREFIXES = re.compile(
    r"^(?:(?:re|sv|svar|vs|fw|fwd|aw|antw|wg|tr|ref)(?:\[\d+\])?\s*:\s*)+"
)

_FOLD_MAP = {
    **dict.fromkeys("àáâãāăą", "a"),
    **dict.fromkeys("èéêëēėę", "e"),
    **dict.fromkeys("ìíîïī", "i"),
    **dict.fromkeys("òóôõō", "o"),
    **dict.fromkeys("ùúûüū", "u"),
    **dict.fromkeys("ýÿ", "y"),
    "ç": "c",
    "ñ": "n",
    "ä": "æ",  # a Swedish or German keyboard writes Danish this way
    "ö": "ø",
    "ß": "ss",
    **dict.fromkeys("’‘‛´`′", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−", "-"),
    **dict.fromkeys("\u00a0\u2007\u202f", " "),
    **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", ""),  # invisible: dropped
}
# A regex finds the few characters to fold faster than str.translate visits every one.
_FOLDABLE = re.compile(f"[{re.escape(''.join(_FOLD_MAP))}]")
# A blank line. It begins at its "\n": the spaces before it end the paragraph above, whose
# white space is joined anyway; beginning with "\n", the regex engine skips to each "\n"
# rather than trying every place of the text (issue 18, classify20: ~13 -> ~4 µs a body).
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
# "2. sal", "kl. 9", "f.eks. printeren" do not end a sentence.
_ABBREVIATIONS = frozenset(
    "kl ca evt bl.a f.eks mht inkl nr pga dvs ift vedr tlf e.g i.e vs etc".split()
)


# A keyboard without å writes "aa" (the old spelling): "kan ikke komme paa serveren",
# "naar jeg tænder den". Only whole words that are nothing else in Danish or English.
_AA_WORDS = {
    "paa": "på", "naar": "når", "faa": "få", "faar": "får", "faaet": "fået", "gaa": "gå",
    "gaar": "går", "gaaet": "gået", "saa": "så", "staar": "står", "maa": "må", "aabne": "åbne",
    "aabner": "åbner", "aabnes": "åbnes", "aaben": "åben", "aabent": "åbent", "laast": "låst",
    "laaste": "låste", "laases": "låses", "blaa": "blå", "opstaaet": "opstået",
    "maaske": "måske",
}
_AA_WORD = re.compile(r"\b(?:" + "|".join(sorted(_AA_WORDS, key=len, reverse=True)) + r")\b")


def headline(subject: str) -> str:
    """The normalised subject without its reply and forward prefixes."""
    return _REPLY_PREFIXES.sub("", normalise_text(subject))


def reply_headline(subject: str) -> tuple[str, bool]:
    """The headline, and whether the subject had a reply or forward prefix ("SV:", "Fwd:")."""
    normalised = normalise_text(subject)
    title = _REPLY_PREFIXES.sub("", normalised)
    return title, len(title) != len(normalised)


def normalise_text(text: str) -> str:
    """The form rules match against (see the module docstring)."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)  # Apple Mail writes å as a + ring
    text = text.lower()
    if not text.isascii():
        text = _FOLDABLE.sub(_fold, text)
    if "aa" in text:
        text = _AA_WORD.sub(_aa_word, text)
    text = "\n".join(
        " ".join(paragraph.split()) for paragraph in _PARAGRAPH_BREAK.split(text.strip())
    )
    return _join_abbreviations(text) if ". " in text else text


def _fold(match: re.Match[str]) -> str:
    return _FOLD_MAP[match.group()]


def _aa_word(match: re.Match[str]) -> str:
    return _AA_WORDS[match.group()]


def _join_abbreviations(text: str) -> str:
    sentences = text.split(". ")
    joined = [sentences[0]]
    for sentence in sentences[1:]:
        before = joined[-1]
        last_word = before[before.rfind(" ") + 1 :].rpartition("\n")[2]
        if last_word.isdigit() or last_word in _ABBREVIATIONS:
            joined[-1] = f"{before} {sentence}"
        else:
            joined.append(sentence)
    return ". ".join(joined)


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of `text` that holds text[start:end]."""
    begin, stop = sentence_bounds(text, start, end)
    return text[begin:stop]


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the sentence holding text[start:end] begins and ends."""
    # A sentence ends at ". " (not the dots of "oo.dk" or "1.000"), ! ? ; or a paragraph.
    dot = text.rfind(". ", 0, start)
    begin = max(dot + 2 if dot != -1 else 0, *(text.rfind(c, 0, start) + 1 for c in "!?;\n"))
    stop = len(text)
    for found in (text.find(c, end) for c in (". ", "!", "?", ";", "\n")):
        if found != -1 and found < stop:
            stop = found
    return begin, stop
