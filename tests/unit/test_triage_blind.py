"""The blind held-out triage set (tests/unit/triage_blind.tsv) is well-formed.

Only the file's shape is checked here, never the classifier's accuracy on it: the set
is measured by `python -m benchmarks.triage_accuracy` (row "blind") and must not become
a target the rules are tuned to (BR-8..BR-10 decide the labels, not the rules).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks import triage_accuracy

BLIND = Path(__file__).with_name("triage_blind.tsv")

# A row is Danish by its letters or common words; a row without them must read as English.
DANISH = re.compile(r"[æøå]|\b(jeg|ikke|kan|hej|vi|min|og|til|det)\b", re.IGNORECASE)
ENGLISH = re.compile(r"\b(the|my|i|it|you|of|can.t|cannot|please|our|since|and|is|we)\b",
                     re.IGNORECASE)


def _rows() -> list[str]:
    return [line for line in BLIND.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def test_every_row_has_a_valid_label_a_subject_and_a_body() -> None:
    for line in _rows():
        fields = line.split("\t")
        assert len(fields) == 3, line
        label, subject, body = fields
        assert label in ("critical", "normal"), line
        assert subject.strip() and body.strip(), line
        assert subject == subject.strip() and body == body.strip(), line


def test_the_benchmark_loads_every_row() -> None:
    sentences = triage_accuracy.load(BLIND)

    assert len(sentences) == len(_rows()) >= 200


def test_no_mail_is_there_twice() -> None:
    sentences = triage_accuracy.load(BLIND)
    texts = [(s.subject, " ".join(s.body.lower().split())) for s in sentences]

    assert len(set(texts)) == len(texts)
    assert len({body for _, body in texts}) == len(texts), "two rows with the same body"


def test_no_mail_is_copied_from_the_tuning_set() -> None:
    # Compared as text without looking at it: a copied row would not be blind.
    tuned = triage_accuracy.load(triage_accuracy.SENTENCES)
    seen = {" ".join(s.body.lower().split()) for s in tuned}

    assert not [s.line for s in triage_accuracy.load(BLIND)
                if " ".join(s.body.lower().split()) in seen]


def test_both_languages_and_both_labels_are_well_represented() -> None:
    sentences = triage_accuracy.load(BLIND)
    danish = [s for s in sentences if DANISH.search(f"{s.subject} {s.body}")]
    english = [s for s in sentences if not DANISH.search(f"{s.subject} {s.body}")
               and ENGLISH.search(f"{s.subject} {s.body}")]
    critical = [s for s in sentences if s.critical]

    assert len(danish) + len(english) == len(sentences), "a row in neither language"
    assert len(danish) >= 0.6 * len(sentences)
    assert len(english) >= 0.2 * len(sentences)
    assert 0.3 * len(sentences) <= len(critical) <= 0.5 * len(sentences)
    assert {s.critical for s in danish} == {s.critical for s in english} == {True, False}


def test_every_row_says_why_it_was_labelled_so() -> None:
    why = triage_accuracy.reasons(BLIND)

    missing = [s.line for s in triage_accuracy.load(BLIND) if not why.get(s.line)]
    assert not missing


@pytest.mark.parametrize("bad", ["urgent\tSubject\tBody", "critical\tSubject only"])
def test_the_loader_refuses_a_malformed_row(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "blind.tsv"
    path.write_text(f"# why: test\n{bad}\n", encoding="utf-8")

    with pytest.raises(ValueError):
        triage_accuracy.load(path)
