"""Our compat32-based parser reads subjects and bodies as the stdlib's policy.default does
(daemon/mail/parse.py says why we do not use policy.default itself)."""

from __future__ import annotations

import email
import email.policy
import sys
from pathlib import Path

import pytest

from daemon.mail.parse import ParseError, parse

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"
sys.path.insert(0, str(REPO))
from benchmarks.corpus import generate  # noqa: E402

SAMPLES = [
    *[(p.name, p.read_bytes()) for p in sorted(CORPUS.glob("*/*")) if p.name != "README.md"],
    *[(f"generated-{i}", raw) for i, raw in enumerate(generate(300, seed=3))],
]


def reference_reading(raw: bytes) -> tuple[str | None, str | None]:
    """Subject and plain-text body as policy.default gives them; None where it cannot."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    try:
        subject = " ".join(str(message["subject"] or "").split())
    except Exception:  # noqa: BLE001
        subject = None
    try:
        part = message.get_body(("plain", "html"))
        body = None
        if part is not None and part.get_content_type() == "text/plain":
            body = part.get_content().replace("\r\n", "\n").replace("\x00", "").strip()
    except Exception:  # noqa: BLE001
        body = None
    # Where policy.default itself gives replacement marks, there is no reference.
    return (
        None if subject is None or "\ufffd" in subject else subject,
        None if body is None or "\ufffd" in body else body,
    )


@pytest.mark.parametrize(("name", "raw"), SAMPLES, ids=[n for n, _ in SAMPLES])
def test_same_subject_and_body_as_policy_default(name: str, raw: bytes) -> None:
    try:
        mail = parse(raw)
    except ParseError:
        return
    subject, body = reference_reading(raw)
    if subject is not None:
        assert mail.subject == subject
    if body is not None:
        assert mail.body_text == body
