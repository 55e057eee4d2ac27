"""What a staff correction says about the classifier's verdict: training data for the
rules (BR-8, BR-9; `oo-support triage misses`).

Staff correct a verdict with `#priority` / `#critical` (or `cases priority|critical`);
the case keeps the classifier's own verdict beside the corrected one, and the history
says who corrected it and when. Plain data in, plain data out.
"""

from __future__ import annotations

from dataclasses import dataclass

MISSED_CRITICAL = "missed_critical"  # judged not critical; staff made it critical
FALSE_CRITICAL = "false_critical"  # judged critical; staff said it is not
PRIORITY = "priority"  # critical judged right, the priority not


@dataclass(frozen=True)
class Verdict:
    priority: str  # high, medium, normal, low
    critical: bool


def miss_kind(classifier: Verdict | None, staff: Verdict) -> str | None:
    """How the classifier was wrong, judged by where staff left the case; None when
    staff ended where it began (changed, and changed back), or the verdict is unknown
    (a case from before it was kept)."""
    if classifier is None or classifier == staff:
        return None
    if staff.critical and not classifier.critical:
        return MISSED_CRITICAL
    if classifier.critical and not staff.critical:
        return FALSE_CRITICAL
    return PRIORITY
