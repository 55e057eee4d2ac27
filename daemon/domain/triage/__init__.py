"""How critical a new case is, and its priority, from its subject and body (BR-8..BR-10).

The rules are data: each `Rule` is a set of regular expressions matched against the
*normalised* text (normalise.py: lower case, accents folded, hard-wrapped lines
joined) of the subject and the first `BODY_CHARS` characters of the body (the caller
passes the new text; quoted history must already be gone; "Re:", "SV:", "VS:"
prefixes are dropped from the subject).

A rule matches when
- one of its `patterns` matches, in a sentence where none of its `excludes` matches
  (a sentence ends at ". ", ! ? ; or a paragraph break; excludes are sentence-local so
  that "the printer works again" does not cancel "nobody has internet" elsewhere;
  a match in the subject, a headline, is tested against the excludes of the whole
  text), and, for a `negatable` rule (the built-in ones), no negation comes before it
  in its clause ("Vi har ikke mistanke om hack"), and no service of its `outside`
  list is named in or right around it ("kan ikke logge på Facebook"; scope.py);
- a match in the subject stands unless the new text has the same symptom and
  cancels it there ("Hack?" / "Vi er ikke blevet hacket");
- if it has `requires_any`, one of those matches anywhere in the text (BR-8's
  "everyone affected" is often its own sentence: "Kan ikke printe. Alle er berørt."),
  not negated in its clause ("Det er ikke hele kontoret").

A reply ("SV:", "RE:") whose new text says the problem is over ("Det virker igen,
tak") is judged without its subject: the subject is old news. So is a quoted original
below such a text, if the caller left it in (`replies.own_words`). A forward ("VS:",
"Fwd:") is not: what it passes on is the matter. An
automatic reply, a newsletter or a withdrawn alarm ("Falsk alarm") is not judged at all
(`not_inquiry.not_an_inquiry`): it reports no fault.

Patterns are written in lower case, since the text is; an upper-case letter in a
pattern could never match and is refused. A critical rule gives priority "high"; if
several rules match, the first critical one wins, else the highest priority. The
result's `reason` says why, for staff: the rule and the words it matched, or why
nothing counted.

The parts: `model.py` (Rule, the checks of its regexes, rules from the config file),
`normalise.py` (the text the rules read), `scope.py` (negation and outside services
around a match), `starts.py` (where a match can start: the places of the text each
rule's regexes need trying at all), `rules.py` (the built-in rules, built on first
use, gathered from `rules_security.py`, `rules_outage.py`, `rules_logon.py` and
`rules_system.py`, written with the regex fragments of `fragments.py` and the
qualifiers of `context.py`), `not_inquiry.py` (mail that is no inquiry),
`replies.py` (a reply whose new text says the problem is over), `corrections.py`
(what a staff correction says about a verdict: `oo-support triage misses`). The
services outside the IT we run are in daemon/domain/outside_services.py.
tests/unit/triage_sentences.tsv is the hand-written set they are measured on
(`python -m benchmarks.triage_accuracy`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from daemon.domain.sla import Priority
from daemon.domain.triage.learned import LearnedRule
from daemon.domain.triage.model import Rule, Triage, rules_from_config
from daemon.domain.triage.normalise import normalise_text, reply_headline
from daemon.domain.triage.replies import is_forward, own_words, settled
from daemon.domain.triage.rules import default_rules, not_an_inquiry
from daemon.domain.triage.starts import Starts

__all__ = [
    "BODY_CHARS",
    "SUBJECT_CHARS",
    "Rule",
    "Triage",
    "classify",
    "default_rules",
    "normalise_text",
    "rules_from_config",
]

# Enough for any real description of a fault; bounds the work per mail.
BODY_CHARS = 2000
SUBJECT_CHARS = 500

_RANK: dict[str, int] = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.MEDIUM: 2, Priority.HIGH: 3}


def classify(subject: str, body: str, rules: Sequence[Rule] | None = None) -> Triage:
    """Criticality and priority of a new case: the first critical rule, else the highest.

    `rules` None means the built-in ones (`default_rules()`). The result's `reason`
    says which words matched, or why nothing counted.
    """
    if rules is None:
        rules = default_rules()
    title, reply = reply_headline(subject[:SUBJECT_CHARS])
    new_text = normalise_text(body[:BODY_CHARS])
    set_aside = ""
    own = own_words(subject[:SUBJECT_CHARS], body[:BODY_CHARS])
    if own is not None and settled(own_text := normalise_text(own)):
        # "Nettet er tilbage, tak" over a quoted "Ingen på kontoret har internet": the
        # quote is the old problem (the pipeline cuts it before; a caller may not have).
        new_text = own_text
        set_aside = "; the quoted original is set aside, the new text says it is solved"
    if (no_inquiry := not_an_inquiry(title, new_text)) is not None:
        # An automatic reply, a newsletter, a withdrawn alarm: no fault is reported.
        # A hack taken back takes back only what came before it: a fault reported after
        # it ("Beklager alarmen i går. I dag er min konto hacket") is judged (BR-8/BR-9).
        after_text = no_inquiry.after
        if after_text and own is not None:
            # A quoted original under it is what is taken back, not news: only the
            # writer's own words after the take-back can report a fault.
            mine = not_an_inquiry(title, normalise_text(own))
            after_text = mine.after if mine is not None else None
        if after_text is not None and after_text.strip():
            after = classify("", after_text, rules)
            if after.critical:
                why = f"{after.reason}; after the take-back ({no_inquiry.why})"
                return dataclasses.replace(after, reason=why)
        why = f"not judged, {no_inquiry.why}"
        return Triage(critical=False, priority=Priority.NORMAL, rule=None, reason=why)
    if title and reply and not is_forward(subject) and settled(new_text):
        # "SV: Min konto er låst" / "Det virker igen, tak": the subject is the old
        # problem, the new text says it is over; what is new is judged alone. Not a
        # forward: "VS: Ingen net i Aarhus" / "Tak for sidst, se nedenfor" passes it on.
        set_aside += (
            f'; the reply\'s subject "{title}" is set aside, the new text says it is solved'
        )
        title = ""
    text = f"{title}\n{new_text}"
    starts = Starts.of(rules, text)
    best: tuple[Rule, str] | None = None
    cancelled: str | None = None
    ruled_out = False
    for rule in rules:
        if (ruled_out or set_aside) and isinstance(rule, LearnedRule):
            # A rule found the symptom and the text rules it out ("det er ikke hele
            # kontoret", "virker igen"): that knowledge beats a guess from the wording.
            # So does a reply whose own words say the problem is over (tune18): the
            # model weighs the story thanked for ("Tusind tak fordi I reagerede så
            # hurtigt. Jeg har fået ny kode ..."); a new fault in it is the rules' to find.
            continue
        found = rule.find(text, len(title), starts)
        if found.evidence is None:
            if rule.critical and cancelled is None and found.cancelled is not None:
                cancelled = f"{rule.name}: {found.cancelled}"
            ruled_out = ruled_out or (rule.critical and found.ruled_out)
            continue
        reason = f'{rule.name}: "{found.evidence}"'
        if rule.critical:
            return Triage(critical=True, priority=Priority.HIGH, rule=rule.name, reason=reason)
        if best is None or _RANK[rule.priority] > _RANK[best[0].priority]:
            best = (rule, reason)
    if best is None:
        why = "no rule matched" + (f"; {cancelled}" if cancelled else "") + set_aside
        return Triage(critical=False, priority=Priority.NORMAL, rule=None, reason=why)
    rule, reason = best
    why = reason + (f"; not critical: {cancelled}" if cancelled else "") + set_aside
    return Triage(critical=False, priority=rule.priority, rule=rule.name, reason=why)
