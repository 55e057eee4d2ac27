"""The texts the rules read of three hand-written sets: what the tests of the triage's
machinery (starts.py, required.py) compare a cheap way and a plain way on."""

from __future__ import annotations

from pathlib import Path

from daemon.domain.triage.learned import judged_text

SETS = Path(__file__).parent


def judged_texts() -> list[str]:
    texts = []
    for name in ("triage_sentences.tsv", "triage_blind.tsv", "triage_blind8.tsv"):
        for line in (SETS / name).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                _, subject, body = line.split("\t")
                texts.append(judged_text(subject, body.replace("\\n", "\n")))
    return texts
