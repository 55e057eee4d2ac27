"""Leave one blind set out: what the triage rules and the learned model do on mail
nobody tuned to, now that every blind set is trained on (issue 16).

    python -m benchmarks.triage_loso [--c 4] [--words] [--unbalanced]
        [--target-precision 0.98] [--no-extra] [--show-misses blind5]

For each blind set trained on (blind..blind8): the model is fitted as benchmarks/
train_triage_model.py fits it (its threshold picked by 5-fold cross-validation on the
training mails alone) on the tuning set, the mails written only to train on
(train_triage_model.TRAINING_ONLY, unless --no-extra) and the other blind sets, and the
held-out set is classified by the rules and that model together, exactly as classify()
combines them (the model speaks only when no critical rule matched, no rule ruled the
symptom out, the mail is an inquiry, and learned.asked_about the text). The rules are
the daemon's as they are: they were tuned on blind..blind3's misses, so those four rows
flatter the rules; blind4..blind8 were never tuned on. The pooled row sums the held-out
sets.

`--show-misses NAME` lists the held-out set's wrong verdicts with the model's
probability and the row's "# why:" line.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks import triage_accuracy
from benchmarks.train_triage_model import (
    TRAINED_BLIND_SETS,
    TRAINING_ONLY,
    Settings,
    pick_threshold,
    pipeline,
)
from daemon.domain.triage import classify, default_rules
from daemon.domain.triage.learned import LearnedRule, asked_about, judged_text
from daemon.domain.triage.model import Finding
from daemon.domain.triage.starts import Starts

_asked: list[str] = []


class _AskedModel(LearnedRule):
    """In the model's place: records the text classify() would ask the model about."""

    def find(self, text: str, subject_end: int, starts: Starts) -> Finding:
        _asked.append(text)
        return Finding()


@dataclass(frozen=True)
class Judged:
    mail: triage_accuracy.Sentence
    by_rules: bool  # a critical rule matched
    asked: str | None  # the text the model would be asked about, if it would be


def judged(mails: Sequence[triage_accuracy.Sentence]) -> list[Judged]:
    rules = (*default_rules()[:-1], _AskedModel())
    found = []
    for mail in mails:
        _asked.clear()
        verdict = classify(mail.subject, mail.body, rules)
        asked = _asked[0] if _asked and asked_about(_asked[0]) else None
        found.append(Judged(mail, verdict.critical, asked))
    return found


def held_out_row(name: str, held: list[Judged], training: list[triage_accuracy.Sentence],
                 settings: Settings, show_misses: bool) -> triage_accuracy.Score:
    texts = [judged_text(s.subject, s.body) for s in training]
    labels = [s.critical for s in training]
    picked = pick_threshold(texts, labels, settings)
    if picked is None:
        print(f"{name}: no threshold reaches precision {settings.target_precision}")
        threshold = 1.01
    else:
        threshold = picked[0]
    pipe = pipeline(settings)
    pipe.fit(texts, labels)
    asked = [j.asked for j in held if j.asked is not None]
    chances = iter(pipe.predict_proba(asked)[:, 1]) if asked else iter(())
    counts = {(True, True): 0, (False, True): 0, (True, False): 0, (False, False): 0}
    why = triage_accuracy.reasons(TRAINED_BLIND_SETS[name]) if show_misses else {}
    misses = []
    for j in held:
        chance = float(next(chances)) if j.asked is not None else None
        critical = j.by_rules or (chance is not None and chance >= threshold)
        counts[(j.mail.critical, critical)] += 1
        if critical != j.mail.critical:
            misses.append((j, chance))
    score = triage_accuracy.Score(counts[(True, True)], counts[(False, True)],
                                  counts[(True, False)], counts[(False, False)])
    print(f"{name:<8} {score.total:>4} {score.true_positive + score.false_negative:>8} "
          f"{threshold:>9.2f} {score.precision:>9.3f} {score.recall:>7.3f}  "
          f"{score.true_positive} {score.false_positive} {score.false_negative} "
          f"{score.true_negative}", flush=True)
    for j, chance in misses if show_misses else []:
        expected = "critical" if j.mail.critical else "normal"
        p = "rules" if chance is None and j.by_rules else (
            "not asked" if chance is None else f"p {chance:.2f}")
        print(f"  line {j.mail.line}: expected {expected} ({p}): {j.mail.subject!r} "
              f"{j.mail.body!r}\n    labelled so: {why.get(j.mail.line, '?')}")
    return score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--c", type=float, default=4.0)
    parser.add_argument("--words", action="store_true")
    parser.add_argument("--unbalanced", action="store_true")
    parser.add_argument("--target-precision", type=float, default=0.98)
    parser.add_argument("--no-extra", action="store_true")
    parser.add_argument("--only", choices=tuple(TRAINED_BLIND_SETS), action="append")
    parser.add_argument("--show-misses", choices=tuple(TRAINED_BLIND_SETS), action="append",
                        default=[])
    args = parser.parse_args()
    settings = Settings(c=args.c, words=args.words, balanced=not args.unbalanced,
                        target_precision=args.target_precision)
    print(settings, "" if args.no_extra else "+ extra")
    base = triage_accuracy.load(triage_accuracy.SENTENCES)
    if not args.no_extra:
        base += [s for path in TRAINING_ONLY for s in triage_accuracy.load(path)]
    sets = {name: triage_accuracy.load(path) for name, path in TRAINED_BLIND_SETS.items()}
    print(f"{'held out':<8} {'n':>4} {'critical':>8} {'threshold':>9} {'precision':>9} "
          f"{'recall':>7}  tp fp fn tn")
    pooled = [0, 0, 0, 0]
    for name in args.only or TRAINED_BLIND_SETS:
        training = base + [s for other, part in sets.items() if other != name for s in part]
        score = held_out_row(name, judged(sets[name]), training, settings,
                             name in args.show_misses)
        for i, value in enumerate((score.true_positive, score.false_positive,
                                   score.false_negative, score.true_negative)):
            pooled[i] += value
    total = triage_accuracy.Score(*pooled)
    print(f"{'pooled':<8} {total.total:>4} {total.true_positive + total.false_negative:>8} "
          f"{'':>9} {total.precision:>9.3f} {total.recall:>7.3f}  "
          f"{' '.join(map(str, pooled))}")


if __name__ == "__main__":
    main()
