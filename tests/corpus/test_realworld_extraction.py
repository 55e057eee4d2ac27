"""Every mail of tests/corpus/realworld reads as its sender meant it: subject, sender, name,
text and attachments equal NAME.json beside NAME.eml (written by make_corpus.py there,
from the text each mail was made of, not from what the parser gives)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from daemon.mail.parse import parse

HERE = Path(__file__).resolve().parent / "realworld"
MAILS = sorted(HERE.glob("*.eml"))


def expectation(path: Path) -> dict[str, Any]:
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def mismatches(path: Path) -> list[str]:
    """What of the mail's extraction differs from its expectation ([] when all is right)."""
    want = expectation(path)
    mail = parse(path.read_bytes())
    found = []
    for key, got in (("subject", mail.subject), ("sender", mail.from_addr),
                     ("name", mail.from_name)):
        if got != want[key]:
            found.append(f"{key}: {got!r} != {want[key]!r}")
    found += [f"text lacks {t!r}" for t in want["text"] if t not in mail.body_text]
    found += [f"text has {t!r}" for t in want["absent"] if t in mail.body_text]
    got_files = [[a.filename, a.size] for a in mail.attachments]
    want_files = [[n, s] for n, s in want["attachments"]]
    # A size of null is not fixed by the mail's bytes (an attached message as re-serialised).
    got_files = [[n, None if w[1] is None else s] for (n, s), w in
                 zip(got_files, want_files, strict=False)] + got_files[len(want_files):]
    if got_files != want_files:
        found.append(f"attachments: {got_files!r} != {want_files!r}")
    return found


def test_corpus_is_large_and_varied() -> None:
    families = Counter(expectation(p)["family"] for p in MAILS)
    assert len(MAILS) >= 70
    assert all(p.with_suffix(".json").exists() for p in MAILS)
    for family in ("chinese-gbk", "chinese-big5", "japanese", "korean", "czech",
                   "german-cp1252", "danish", "cyrillic", "polish"):
        assert families[family] >= 2, family


@pytest.mark.parametrize("path", MAILS, ids=lambda p: p.stem)
def test_mail_extracted_as_its_sender_meant(path: Path) -> None:
    assert mismatches(path) == []
