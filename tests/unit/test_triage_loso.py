"""Leaving a whole round out (benchmarks/triage_loso.py --round, issue 16): the model is
fitted on what could be known before the round's pair was written, never on the pair nor
on the mails written after its kinds of miss were told."""

from __future__ import annotations

from benchmarks import triage_accuracy
from benchmarks.train_triage_model import TRAINED_BLIND_SETS, TRAINING_ONLY
from benchmarks.triage_loso import ROUNDS, round_training


def _mail(line: int) -> triage_accuracy.Sentence:
    return triage_accuracy.Sentence(critical=line % 2 == 0, subject="s", body=f"b{line}",
                                    line=line)


def test_a_round_out_trains_on_neither_its_pair_nor_the_mails_written_after_it() -> None:
    sets = {name: [_mail(100 + i)] for i, name in enumerate(TRAINED_BLIND_SETS)}
    extra = {path.stem: [_mail(200 + i)] for i, path in enumerate(TRAINING_ONLY)}
    tuning = [_mail(1)]
    for key, round_ in ROUNDS.items():
        training = round_training(round_, sets, extra, tuning)
        held = [m for name in round_.held for m in sets[name]]
        after = [m for stem in round_.written_after for m in extra[stem]]
        assert held, key
        assert not [m for m in training if m in held or m in after], key
        # Everything else is kept: the tuning set, the other sets, the other training mail.
        assert len(training) == 1 + len(sets) + len(extra) - len(held) - len(after), key


def test_the_rounds_name_real_sets_and_training_files() -> None:
    stems = {path.stem for path in TRAINING_ONLY}
    for round_ in ROUNDS.values():
        assert set(round_.held) <= set(TRAINED_BLIND_SETS)
        assert set(round_.written_after) <= stems
