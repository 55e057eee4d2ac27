"""The mails written to train the learned model (tests/unit/triage_training_extra.tsv,
triage_training_a.tsv ... triage_training_g.tsv; issue 16) are well-formed, each says why
it is labelled so, and none is taken from a set that measures the classifier (the tuning
set, the blind sets): a copied row would make a held-out figure of
benchmarks/triage_loso.py a score on training mail."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import triage_accuracy
from benchmarks.train_triage_model import TRAINED_BLIND_SETS, TRAINING, TRAINING_ONLY


def _body(sentence: triage_accuracy.Sentence) -> str:
    return " ".join(sentence.body.lower().split())


# triage_training_g.tsv (helper traing) is checked here before the training tool lists it
# (tune18 adds it there); once listed it is not checked twice.
_WRITTEN_G = Path(__file__).with_name("triage_training_g.tsv")
WRITTEN = [*TRAINING_ONLY,
           *[p for p in (_WRITTEN_G,) if p.resolve() not in {t.resolve() for t in TRAINING_ONLY}]]

ONLY_TRAINED = pytest.mark.parametrize("path", WRITTEN, ids=[p.stem for p in WRITTEN])


@ONLY_TRAINED
def test_every_row_loads_says_why_and_both_labels_are_there(path: Path) -> None:
    mails = triage_accuracy.load(path)
    why = triage_accuracy.reasons(path)

    assert len(mails) >= 50
    assert not [m.line for m in mails if not why.get(m.line)]
    assert {m.critical for m in mails} == {True, False}
    assert all(m.subject.strip() and m.body.strip() for m in mails)


@ONLY_TRAINED
def test_no_row_is_there_twice_nor_taken_from_a_measured_set(path: Path) -> None:
    mails = triage_accuracy.load(path)
    bodies = [_body(m) for m in mails]
    # Every blind set beside the tests, also those written after this file (compared in
    # code, never looked at: a later set measures the model once).
    blind = sorted(path.parent.glob("triage_blind*.tsv"))
    measured = {_body(s) for path in (triage_accuracy.SENTENCES, *blind)
                for s in triage_accuracy.load(path)}

    assert len(set(bodies)) == len(bodies)
    assert not [m.line for m in mails if _body(m) in measured]


def test_the_training_tool_reads_it_with_the_tuning_and_blind_sets() -> None:
    assert [triage_accuracy.SENTENCES, *TRAINING_ONLY, *TRAINED_BLIND_SETS.values()] == TRAINING


def test_a_blind_set_is_trained_on_only_once_it_was_measured() -> None:
    # blind19 and blind20 measured the model trained on blind..blind18, once, and are
    # trained on since (tune20); any set written after them (blind21 ...) measures the
    # model trained on blind..blind20 and must not be in its training.
    measured = {"blind", *(f"blind{n}" for n in range(2, 21))}
    later = sorted(set(triage_accuracy.SENTENCES.parent.glob("triage_blind*.tsv"))
                   - {triage_accuracy.BLIND_SETS[name] for name in measured})
    assert set(TRAINED_BLIND_SETS) == measured
    assert not [path for path in later if path in TRAINING]
