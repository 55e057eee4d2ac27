"""Leave one blind set out: what the triage rules and the learned model do on mail
nobody tuned to, now that every blind set is trained on (issue 16).

    python -m benchmarks.triage_loso [--c 4] [--words] [--unbalanced]
        [--target-precision 0.98] [--no-extra] [--show-misses blind5]
        [--round 9+10] [--threshold 0.75] [--sweep [--min-precision 0.95]]

For each blind set trained on (blind..blind12): the model is fitted as benchmarks/
train_triage_model.py fits it (its threshold picked by 5-fold cross-validation on the
training mails alone) on the tuning set, the mails written only to train on
(train_triage_model.TRAINING_ONLY, unless --no-extra) and the other blind sets, and the
held-out set is classified by the rules and that model together, exactly as classify()
combines them (the model speaks only when no critical rule matched, no rule ruled the
symptom out, the mail is an inquiry, and learned.asked_about the text). The rules are
the daemon's as they are: they were tuned on blind..blind3's misses and on the kinds of
miss of blind4..blind12, so every row flatters the rules somewhat. The pooled row sums the held-out
sets.

`--round NAME` leaves a whole round out instead (ROUNDS): the pair of blind sets written
together, and the mails written to train on after that pair's kinds of miss were told
(training_a/_b after blind7+8, training_c/_d after blind9+10, training_e after both;
none after blind11+12; training_f after blind13+14, training_g after blind15+16;
none after blind17+18 or blind19+20).
Leaving one set out keeps
its sibling, written at the same time in the same style, and the mails written for its
misses in training, which is why it flattered (0.996 against 0.94-0.99 fresh); a round
out is the position a new pair is in. The held-out pair is scored as one model scores it
(one fit, one threshold), per set and pooled.

`--sweep` (tune17) leaves each of SWEEP_ROUNDS (or the --round given) out, one fit each,
and prints rules + model on the pooled held-out pairs at every threshold of THRESHOLDS,
with the one chosen_threshold picks: how train_triage_model.CHOSEN's threshold is chosen.
`--threshold T` scores at T instead of a cross-validated threshold.

`--show-misses NAME` lists the held-out set's wrong verdicts with the model's
probability and the row's "# why:" line.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class Round:
    """A pair of blind sets written together, and the training-only files written after
    their kinds of miss were known (so they know the held-out pair)."""

    held: tuple[str, ...]
    written_after: tuple[str, ...]  # file stems in TRAINING_ONLY


# training_e was written from the misses of both rounds below, so it is out of both.
ROUNDS = {
    "7+8": Round(("blind7", "blind8"),
                 ("triage_training_a", "triage_training_b", "triage_training_e")),
    "9+10": Round(("blind9", "blind10"),
                  ("triage_training_c", "triage_training_d", "triage_training_e")),
    "11+12": Round(("blind11", "blind12"), ()),
    # training_f was written by tune17 from blind13/blind14's misses, once they were measured.
    "13+14": Round(("blind13", "blind14"), ("triage_training_f",)),
    # training_g was written by helper traing (tune18) from blind15/blind16's kinds of miss,
    # once they were measured. The rules were fixed on those misses (branches alarms,
    # mend17, tune18), so this round flatters the rules most.
    "15+16": Round(("blind15", "blind16"), ("triage_training_g",)),
    # blind17/blind18 (mend18): nothing was written to train on after them; the rules were
    # fixed on their misses by kind (mend18), so this round flatters the rules too.
    "17+18": Round(("blind17", "blind18"), ()),
    # blind19/blind20 (tune20): nothing was written to train on after them either.
    "19+20": Round(("blind19", "blind20"), ()),
}


def round_training(round_: Round, sets: dict[str, list[triage_accuracy.Sentence]],
                   extra: dict[str, list[triage_accuracy.Sentence]],
                   tuning: list[triage_accuracy.Sentence]) -> list[triage_accuracy.Sentence]:
    """The tuning set, the training-only files not written after the round, and every
    blind set outside it: what a model fitted before the round was written could know."""
    kept = [s for stem, part in extra.items() if stem not in round_.written_after for s in part]
    others = [s for name, part in sets.items() if name not in round_.held for s in part]
    return [*tuning, *kept, *others]


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
    pipe, threshold = fitted(name, training, settings)
    return scored_row(name, held, pipe, threshold, show_misses)


def fitted(name: str, training: list[triage_accuracy.Sentence],
           settings: Settings) -> tuple[Any, float]:
    """The model fitted on training, and its threshold picked by cross-validation on it."""
    texts = [judged_text(s.subject, s.body) for s in training]
    labels = [s.critical for s in training]
    if settings.threshold is not None:  # fixed (tune17), not picked by cross-validation
        pipe = pipeline(settings)
        pipe.fit(texts, labels)
        return pipe, settings.threshold
    picked = pick_threshold(texts, labels, settings)
    if picked is None:
        print(f"{name}: no threshold reaches precision {settings.target_precision}")
        threshold = 1.01
    else:
        threshold = picked[0]
    pipe = pipeline(settings)
    pipe.fit(texts, labels)
    return pipe, threshold


def scored_row(name: str, held: list[Judged], pipe: Any, threshold: float,
               show_misses: bool) -> triage_accuracy.Score:
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


# The rounds the shipped threshold is chosen on (train_triage_model.CHOSEN, tune17): each is
# left out in turn, its pair classified by the rules and a model fitted without it, at
# every threshold of THRESHOLDS, and the held-out pairs pooled.
SWEEP_ROUNDS = ("9+10", "11+12", "13+14", "15+16", "17+18", "19+20")
THRESHOLDS = tuple(step / 100 for step in range(30, 100, 5))


def sweep(keys: Sequence[str], settings: Settings,
          sets: dict[str, list[triage_accuracy.Sentence]],
          extra: dict[str, list[triage_accuracy.Sentence]],
          tuning: list[triage_accuracy.Sentence]) -> dict[float, triage_accuracy.Score]:
    """Rules and model on each round left out, pooled, at every threshold of THRESHOLDS
    (one fit per round: a threshold only reads the probabilities)."""
    pooled = {t: [0, 0, 0, 0] for t in THRESHOLDS}
    for key in keys:
        round_ = ROUNDS[key]
        training = round_training(round_, sets, extra, tuning)
        pipe = pipeline(settings)
        pipe.fit([judged_text(s.subject, s.body) for s in training],
                 [s.critical for s in training])
        held = [j for name in round_.held for j in judged(sets[name])]
        asked = [j.asked for j in held if j.asked is not None]
        chances = iter(pipe.predict_proba(asked)[:, 1]) if asked else iter(())
        for j in held:
            chance = float(next(chances)) if j.asked is not None else None
            for t, counts in pooled.items():
                critical = j.by_rules or (chance is not None and chance >= t)
                # tp, fp, fn, tn, as triage_accuracy.Score takes them.
                index = (0 if critical else 2) if j.mail.critical else (1 if critical else 3)
                counts[index] += 1
    return {t: triage_accuracy.Score(*counts) for t, counts in pooled.items()}


def chosen_threshold(scores: dict[float, triage_accuracy.Score],
                     min_precision: float) -> float | None:
    """The rule fixed before the sweep was run (tune17): of the thresholds whose pooled
    round-out precision is at least `min_precision`, the one with the highest recall; of
    equal recall, the highest threshold (the model flags least). None if none reaches it."""
    reaching = [(score.recall, t) for t, score in scores.items()
                if score.precision >= min_precision]
    return max(reaching)[1] if reaching else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--c", type=float, default=4.0)
    parser.add_argument("--words", action="store_true")
    parser.add_argument("--unbalanced", action="store_true")
    parser.add_argument("--target-precision", type=float, default=0.98)
    parser.add_argument("--threshold", type=float, default=None,
                        help="use this threshold, not one picked by cross-validation")
    parser.add_argument("--no-extra", action="store_true")
    parser.add_argument("--only", choices=tuple(TRAINED_BLIND_SETS), action="append")
    parser.add_argument("--show-misses", choices=tuple(TRAINED_BLIND_SETS), action="append",
                        default=[])
    parser.add_argument("--round", choices=tuple(ROUNDS), action="append",
                        help="leave this round (a pair and the mails written after it) out")
    parser.add_argument("--sweep", action="store_true",
                        help="leave each of SWEEP_ROUNDS (or the --round given) out and score "
                             "the pooled pairs at every threshold; print the one chosen")
    parser.add_argument("--min-precision", type=float, default=0.95,
                        help="with --sweep: the pooled round-out precision to reach")
    args = parser.parse_args()
    settings = Settings(c=args.c, words=args.words, balanced=not args.unbalanced,
                        target_precision=args.target_precision, threshold=args.threshold)
    print(settings, "" if args.no_extra else "+ extra")
    tuning = triage_accuracy.load(triage_accuracy.SENTENCES)
    extra = {} if args.no_extra else {
        path.stem: triage_accuracy.load(path) for path in TRAINING_ONLY}
    base = tuning + [s for part in extra.values() for s in part]
    sets = {name: triage_accuracy.load(path) for name, path in TRAINED_BLIND_SETS.items()}
    if args.sweep:
        keys = args.round or list(SWEEP_ROUNDS)
        print(f"rounds left out: {', '.join(keys)}; rules + model, pooled")
        print(f"{'threshold':>9} {'precision':>9} {'recall':>7}  tp fp fn tn")
        scores = sweep(keys, settings, sets, extra, tuning)
        for t, score in scores.items():
            print(f"{t:>9.2f} {score.precision:>9.3f} {score.recall:>7.3f}  "
                  f"{score.true_positive} {score.false_positive} {score.false_negative} "
                  f"{score.true_negative}")
        print(f"chosen (highest recall at precision >= {args.min_precision}): "
              f"{chosen_threshold(scores, args.min_precision)}")
        return
    print(f"{'held out':<8} {'n':>4} {'critical':>8} {'threshold':>9} {'precision':>9} "
          f"{'recall':>7}  tp fp fn tn")
    scores = []
    if args.round:
        for key in args.round:
            round_ = ROUNDS[key]
            pipe, threshold = fitted(key, round_training(round_, sets, extra, tuning), settings)
            parts = [scored_row(name, judged(sets[name]), pipe, threshold,
                                name in args.show_misses) for name in round_.held]
            scores += parts
    else:
        for name in args.only or TRAINED_BLIND_SETS:
            training = base + [s for other, part in sets.items() if other != name for s in part]
            scores.append(held_out_row(name, judged(sets[name]), training, settings,
                                       name in args.show_misses))
    pooled = [0, 0, 0, 0]
    for score in scores:
        for i, value in enumerate((score.true_positive, score.false_positive,
                                   score.false_negative, score.true_negative)):
            pooled[i] += value
    total = triage_accuracy.Score(*pooled)
    print(f"{'pooled':<8} {total.total:>4} {total.true_positive + total.false_negative:>8} "
          f"{'':>9} {total.precision:>9.3f} {total.recall:>7.3f}  "
          f"{' '.join(map(str, pooled))}")


if __name__ == "__main__":
    main()
