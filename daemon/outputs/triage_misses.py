"""`oo-support triage misses`: the classifier's verdicts that staff corrected, each with
the text the classifier read, as training data for the rules (BR-8, BR-9).

One document per case: the text (the subject and the new text of its first mail, cut
as the classifier cuts them), the classifier's verdict and reason, where staff left it
(`staff`), how the verdict was wrong (`miss`), and every change with who and when.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from daemon.domain.references import format_reference
from daemon.domain.triage import BODY_CHARS, SUBJECT_CHARS
from daemon.domain.triage.corrections import Verdict, miss_kind
from daemon.mail.quotes import new_text
from daemon.outputs.views import iso


def miss_document(
    case: Row[Any], changes: list[Row[Any]], opening: Row[Any] | None
) -> dict[str, Any]:
    classifier = (
        Verdict(case.triage_priority, bool(case.triage_critical))
        if case.triage_priority is not None
        else None  # a case from before the verdict was kept (migration 0017)
    )
    staff = Verdict(case.priority, case.critical)
    return {
        "number": case.number,
        "reference": format_reference(case.number),
        "created_at": iso(case.created_at),
        "channel": case.channel,
        "customer_domain": case.customer_domain,
        # What the classifier read (pipeline/triage.py): the mail's own subject, and
        # what the customer wrote now, without the quoted thread.
        "text": {
            "subject": (opening.subject if opening else case.subject)[:SUBJECT_CHARS],
            "body": new_text(opening.body_text)[:BODY_CHARS] if opening else "",
        },
        "classifier": {
            "priority": classifier.priority if classifier else None,
            "critical": classifier.critical if classifier else None,
            "rule": case.triage_rule,
            "reason": case.triage_reason,
        },
        "staff": {"priority": staff.priority, "critical": staff.critical},
        "miss": miss_kind(classifier, staff),
        "changes": [
            {
                "at": iso(event.at),
                "by": event.actor,
                "from": event.detail.get("from"),
                "to": event.detail.get("to"),
                "critical": event.detail.get("critical"),
            }
            for event in changes
        ],
    }
