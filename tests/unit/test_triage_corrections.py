"""What a staff correction says about the classifier's verdict (`triage misses`)."""

from __future__ import annotations

import pytest

from daemon.domain.triage.corrections import (
    FALSE_CRITICAL,
    MISSED_CRITICAL,
    PRIORITY,
    Verdict,
    miss_kind,
)

CRITICAL = Verdict("high", True)


@pytest.mark.parametrize(
    ("classifier", "staff", "kind"),
    [
        (Verdict("normal", False), CRITICAL, MISSED_CRITICAL),  # "Ingen kan logge på"
        (CRITICAL, Verdict("normal", False), FALSE_CRITICAL),  # "Ikke mistanke om hack"
        (CRITICAL, Verdict("low", False), FALSE_CRITICAL),
        (Verdict("normal", False), Verdict("high", False), PRIORITY),  # urgent, not critical
        (Verdict("medium", False), Verdict("low", False), PRIORITY),
        (Verdict("normal", False), Verdict("normal", False), None),  # changed, changed back
        (CRITICAL, CRITICAL, None),
        (None, CRITICAL, None),  # the verdict of a case from before it was kept
    ],
)
def test_the_kind_of_miss_is_where_staff_left_the_case(
    classifier: Verdict | None, staff: Verdict, kind: str | None
) -> None:
    assert miss_kind(classifier, staff) == kind
