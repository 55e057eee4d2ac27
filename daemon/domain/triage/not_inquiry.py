"""Mail that is no inquiry at all (BR-6): an automatic reply, a newsletter, an alarm
the writer withdraws. Such mail is not judged, whatever words it holds."""

from __future__ import annotations

import re
from typing import NamedTuple

from daemon.domain.triage.replies import STILL_BROKEN
from daemon.domain.triage.required import search

# A suspicion of hack the writer takes back: "Det er ikke et hack, jeg trykkede send to
# gange", "So no hack after all", "Det viste sig at det var Bodil der havde lånt min pc",
# "the sign-in from Germany was me on the train" (BR-9: no suspicion is left). The one
# entry of _NOT_AN_INQUIRY that takes back only what came before it: what follows it is
# judged by the caller (`NoInquiry.after`), so it is named here, not found by its place.
_TAKE_BACK = re.compile(
    r"(?:(?:^|[.!?\n-]\s*)(?:så |so |nej,? |no,? )?(?:det er|det var|it'?s|it is|it was)"
    r"(?: altså| alligevel| bare| just| simply)? (?:ikke|not) (?:et |a |noget )?hack\w*|"
    r"\b(?:no|ikke|intet|not) (?:blevet )?hack\w* (?:after all|alligevel)|"
    r"\b(?:undskyld|beklager|sorry (?:for|about)) (?:\S+ )?(?:forvirringen|alarmen|uroen|"
    r"the (?:false )?alarm|the confusion|the panic)|"
    r"\bdet viste sig,? at det var (?![^.!?\n]{0,30}?(?:hack|svindl|kriminel|fremmed|ukendt|angrib|"
    # "det var nogen fra Rusland der": someone unknown is the hack, not its end.
    r"nogen\b(?! af (?:os|jer)\b)|someone|somebody))"
    r"(?:\S+ ){1,3}?der\b|\bwas (?:just )?me (?:on|in|at) (?:the|my|a|holiday|vacation)\b)"
    r"(?![^.!?\n]*\?)"
)

# Mail that reports no fault of its own, whatever words it holds, is not judged (BR-6:
# the criticality of an inquiry; these are none). Each names what it is, for the reason.
_NOT_AN_INQUIRY = (
    # An out-of-office or other automatic reply answers our mail: its subject is ours
    # ("Automatisk svar: Kan ikke logge på"), its body an absence.
    (
        "automatic_reply",
        re.compile(
            r"^(?:automatisk svar|autosvar|auto-?svar|automatisk besked|automatic reply|"
            r"auto-?reply|autoreply|auto-?response|out of (?:the )?office|fraværende|fravær|"
            r"ikke til stede|abwesend|automatische antwort|réponse automatique|frånvaro)\s*:"
        ),
        None,
    ),
    (
        "automatic_reply",
        re.compile(
            r"\b(?:automatisk svar|automatisk genereret|autogenereret|automatic reply|"
            r"auto-?reply|automatically generated|this is an automat(?:ic|ed))\b"
        ),
        # ... and says the writer is away: "Jeg er på ferie til og med", "out of the office".
        re.compile(
            r"\b(?:på ferie|holder ferie|fraværende|på barsel|på kursus|ikke på kontoret|ude af "
            r"huset|out of (?:the )?office|on (?:leave|holiday|vacation|annual leave|sick leave)|"
            r"away from (?:the|my) (?:office|desk)|away until)\b"
        ),
    ),
    # A newsletter or other bulk mail: its footer. News about hackers reports nothing here.
    (
        "newsletter",
        re.compile(
            r"\b(?:afmeld|frameld) (?:dig |nyhedsbrevet\b|nyhedsbrev\b|her\b|abonnement)|"
            r"\bunsubscribe (?:here|from (?:this|these|our|the)|at any time|now)\b|"
            r"\b(?:click here|klik her) to unsubscribe\b|\bto unsubscribe\b|"
            r"\bfor at (?:afmelde|framelde)\b|\bdu modtager (?:denne|dette) (?:\S+ )?"
            r"(?:mail|e-?mail|nyhedsbrev|besked)\w* (?:\S+ )?(?:fordi|da)\b|\byou (?:are )?"
            r"receiv(?:e|ing) this (?:\S+ )?(?:e-?mail|newsletter|message) because\b|"
            r"\bview (?:this (?:e-?mail|newsletter) )?in (?:your|a) browser\b"
        ),
        None,
    ),
    # The writer withdraws the alarm: "Falsk alarm", "se bort fra min tidligere mail",
    # "please disregard my earlier message" (unless something is still wrong, below).
    (
        "withdrawn",
        re.compile(
            r"(?:\bfalsk alarm\b|\bfalse alarm\b|\b(?:se|kig) bort fra (?:min|mit|mine|den|det|de|"
            r"vores) (?:\S+ )?(?:mail|e-?mail|besked|henvendelse|sag)\w*|\b(?:disregard|ignore) "
            r"(?:my|the|our) (?:\S+ )?(?:e-?mail|message|mail|request|ticket)s?\b|\bglem (?:min|"
            r"mit|den|det|vores) (?:\S+ )?(?:mail|besked|henvendelse)\w*|\bnever ?mind\b|"
            r"\bannuller (?:min|mit|sagen|henvendelsen)\b|\bcancel (?:my|the) (?:request|"
            r"ticket|case)\b)(?![^.!?\n]*\?)"
        ),
        None,
    ),
    (
        "withdrawn",
        _TAKE_BACK,
        None,
    ),
)


# Every cue above holds one of these: a mail without any is not searched (a few
# substring tests cost less than one scan of the regexes).
_NOT_AN_INQUIRY_HINTS = (
    "auto", "fravær", "ikke til stede", "out of", "abwesend", "réponse", "frånvaro",
    "afmeld", "frameld", "unsubscribe", "du modtager", "receiv", "browser",
    "alarm", "bort fra", "disregard", "ignore", "glem ", "never", "annuller", "cancel",
    "hack", "undskyld", "beklager", "sorry", "viste sig", "was me", "was just me",
)


class NoInquiry(NamedTuple):
    """Why a mail reports no fault, as 'kind: "words"'; `after` is None when that covers
    the whole mail, else the text after a hack taken back, still to be judged: "Undskyld
    forvirringen i morges. Nu er hele netværket nede" withdraws the morning's alarm, not
    the network down it goes on to report (BR-8/BR-9)."""

    why: str
    after: str | None


def not_an_inquiry(title: str, new_text: str) -> NoInquiry | None:
    """Why a mail reports no fault at all (None: judge it): an automatic reply, a
    newsletter, an alarm the writer withdraws. `title` is the normalised subject without
    reply prefixes, `new_text` the normalised new text."""
    text = f"{title}\n{new_text}"
    if not any(map(text.__contains__, _NOT_AN_INQUIRY_HINTS)):  # the loop in C
        return None
    for kind, cue, also in _NOT_AN_INQUIRY:
        # search(): cue.search's answer, the strings its matches hold tested first.
        found = search(cue, title) if cue.pattern.startswith("^") else search(cue, text)
        if found is None or (also is not None and search(also, text) is None):
            continue
        # What is still wrong is told in the new text; a subject "Kode virker ikke - glem
        # det" is the withdrawn fault's own headline.
        if kind == "withdrawn" and search(STILL_BROKEN, new_text or title) is not None:
            continue  # "Falsk alarm med hacket, men nu kan jeg ikke logge på"
        why = f'{kind}: "{found.group().strip()}"'
        return NoInquiry(why, text[found.end():] if cue is _TAKE_BACK else None)
    return None
