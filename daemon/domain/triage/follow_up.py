"""Whether a customer's reply on an open case that is not critical makes it critical
(BR-7..BR-10: outside hours that pages the on-call duty at once).

A case is judged when it opens (`classify` on its subject and first text). A reply is
judged on what is news in it, not on what every mail of the thread repeats:
- its subject, when it is the case's own ("SV: [OO#100001] Ingen kan logge på"): that
  headline was judged when the case opened, and staff may since have judged it not
  critical; a "Tak for svaret" under it is no new emergency;
- its signature and disclaimer (below "-- " or a closing such as "Med venlig hilsen"):
  "Mistanke om hacking? Kontakt IT" under every mail of a customer is no report;
- a sentence telling of a problem that was, and is over ("I går kunne ingen logge på,
  nu virker det": past, and `replies.settled`), sentence by sentence, so a new fault
  told after the good news ("Printeren virker igen. Nu kan ingen logge på!") is judged;
  not one in the present ("Ingen kan logge på nu" reads as settled to `settled`);
- a sentence about a matter long past ("It was hacked last year, now a new question").
Quoted history is cut before (daemon.mail.quotes.new_text). Pure: no I/O, no clock.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from daemon.domain.references import strip_references
from daemon.domain.triage import classify
from daemon.domain.triage.learned import LearnedRule
from daemon.domain.triage.model import ReplyVerdicts, Rule, Triage
from daemon.domain.triage.normalise import normalise_text, reply_headline
from daemon.domain.triage.replies import settled

# Where a signature starts: the "-- " delimiter (RFC 3676) or a closing on a line of its
# own, what follows it being name, title, phone and the company's disclaimer.
_SIGNATURE = re.compile(
    r"^[ \t]*(?:--[ \t]*|(?:med )?(?:venlig|venligst|kærlig|bedste|de bedste) hilsen(?:er)?\b"
    r"|hilsen\b|mvh\b|vh\b|(?:kind|best|warm|many) regards\b|regards\b|best wishes\b|sincerely\b)"
    r"[^\n]{0,60}$",
    re.IGNORECASE | re.MULTILINE,
)
# A sentence placing its matter a month or more back: history told, not a fault now.
# Relative words only: a year named ("i 2026") may be this one.
_LONG_AGO = re.compile(
    r"\b(?:sidste|forrige|sidst i|sidste halve) (?:år|måned)\b|\bi fjor\b|"
    r"\bfor (?:et|en|\S+) (?:år|måneder?|halvt år) siden\b|\btidligere i år\b|"
    r"\blast (?:year|month)\b|\b(?:a|one|\S+) (?:years?|months?) ago\b|\bearlier this year\b",
    re.IGNORECASE,
)
# A sentence telling of the past (with `settled`: a problem that was and is over).
_PAST = re.compile(
    r"\b(?:i går|i forgårs|i morges|i nat|i aftes|tidligere|yesterday|this morning|"
    r"last night|earlier|kunne|var|blev|havde|could|couldn'?t|was|wasn'?t|were|had)\b",
    re.IGNORECASE,
)
# A sentence ends at ". ", "!", "?", ";" or a paragraph break (as the rules read it).
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n\s*\n")


def follow_up_verdict(
    subject: str,
    said: str,
    case_subject: str,
    rules: Sequence[Rule] | None = None,
    *,
    subject_is_news: bool = False,
) -> Triage:
    """The triage of a reply on a case (subject `case_subject`), for whether it makes
    the case critical: `said` is the customer's new text (quotes cut). A verdict that
    is not critical says in its reason what was set aside. `subject_is_news`: the
    case's own subject counts too (a closed critical case the reply reopens: "SV: Ingen
    kan logge på" / "Det virker stadig ikke" is the same emergency back), unless the
    text says the problem is over (`classify` sets a settled reply's subject aside)."""
    title = subject if subject_counts(subject, case_subject, subject_is_news) else ""
    return _as_judged(classify(title, news_text(said), rules), title)


def reply_verdicts(subject: str, said: str, rules: Sequence[Rule] | None = None) -> ReplyVerdicts:
    """`follow_up_verdict`'s two possible answers for a mail that may be a reply."""
    news = news_text(said)
    without = classify("", news, rules)
    return ReplyVerdicts(classify(subject, news, rules) if subject else without, without)


def chosen(
    verdicts: ReplyVerdicts, subject: str, case_subject: str, *, subject_is_news: bool = False
) -> Triage:
    """What `follow_up_verdict` says, from the verdicts worked out ahead."""
    counted = subject_counts(subject, case_subject, subject_is_news) and subject
    return _as_judged(verdicts.with_subject if counted else verdicts.without_subject,
                      subject if counted else "")


def reply_rules(rules: Sequence[Rule]) -> tuple[Rule, ...]:
    """`rules` without the learned model, for judging replies: a reply makes a case
    critical only by a rule's match, and the model is the last rule, speaking only when
    no critical rule matched, so no such verdict changes without it, and its weights are
    not read for replies. The same tuple for the same `rules`, so the start-word scanner
    built for it is found again (Starts.of keeps it by the tuple's id)."""
    known = _REPLY_RULES.get(id(rules))
    if known is not None and known[0] is rules:
        return known[1]
    kept = tuple(rule for rule in rules if not isinstance(rule, LearnedRule))
    if len(_REPLY_RULES) >= 16:
        _REPLY_RULES.clear()
    _REPLY_RULES[id(rules)] = (rules, kept)  # holds `rules`: its id stays its own
    return kept


_REPLY_RULES: dict[int, tuple[Sequence[Rule], tuple[Rule, ...]]] = {}


def subject_counts(subject: str, case_subject: str, subject_is_news: bool) -> bool:
    """Is the reply's subject news: not the case's own headline, or that emergency
    back (`subject_is_news`)?"""
    return subject_is_news or not same_headline(subject, case_subject)


def news_text(said: str) -> str:
    """What is news in a reply's text: above its signature, without the sentences of a
    problem that was and is over or of a matter long past."""
    return "\n\n".join(
        sentence
        for sentence in _SENTENCE_END.split(without_signature(said))
        if not _LONG_AGO.search(sentence) and not _over(sentence)
    )


def _as_judged(found: Triage, title: str) -> Triage:
    if found.critical or title:
        return found
    return dataclasses.replace(found, reason=f"{found.reason}; the case's own subject set aside")


def without_signature(text: str) -> str:
    """`text` above its signature (the first "-- " or closing line), or all of it."""
    found = _SIGNATURE.search(text)
    return text[: found.start()] if found else text


def same_headline(subject: str, case_subject: str) -> bool:
    """Is `subject` the case's own subject under "SV:"/"Re:" and a case tag?"""
    return reply_headline(strip_references(subject))[0] == reply_headline(
        strip_references(case_subject)
    )[0]


def _over(sentence: str) -> bool:
    """Does the sentence tell of a problem that was and is over?"""
    return _PAST.search(sentence) is not None and settled(normalise_text(sentence))
