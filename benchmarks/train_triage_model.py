"""Train the learned second opinion of the triage rules (issue 16), a development tool.

The rules catch a fault told in words they have; a fault told in other words is missed
(blind sets: recall 0.91-0.95 by the rules alone). A logistic regression over character
n-grams of what the rules read learns the wording of critical mail from the labelled
sets, and the daemon calls a mail critical when a rule or the model says so
(daemon/domain/triage/learned.py). scikit-learn is used here only, to fit it; the
daemon reads the weights it writes with plain Python (no numpy in the daemon or its
parsing workers: their memory is counted, issue 18).

Trained on every labelled set: tests/unit/triage_sentences.tsv (the tuning set),
tests/unit/triage_training_extra.tsv, triage_training_a.tsv ... triage_training_g.tsv
(mails written to train on) and the blind sets blind..blind20, all measured and reported
before they were trained on. What that gives on mail nobody tuned to is estimated by
leaving a round out (benchmarks/triage_loso.py --round; leaving one set out flatters), never
by scoring a set trained on.

The threshold is fixed in CHOSEN, chosen (tune17) by leaving whole rounds of blind sets
out (benchmarks/triage_loso.py --sweep): the rules and a model fitted without the round, at
each of 0.30, 0.35 ... 0.95, pooled over the held-out pairs; the rule is written above
CHOSEN. Before tune17 it was picked here by cross-validation on the training mails (the
lowest threshold at which the model alone reached CHOSEN.target_precision over 5 folds),
still what a Settings without a threshold does. The rules then add what the model misses;
the model adds what the rules miss.

Also written: a few (text, probability) pairs computed by scikit-learn, which
tests/unit/test_triage_learned.py checks the plain-Python reading reproduces.

    pip install scikit-learn   # not a dependency of the daemon
    python -m benchmarks.train_triage_model [--out daemon/domain/triage/learned_weights.json]
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import triage_accuracy
from daemon.domain.triage.learned import (
    NGRAMS,
    WEIGHTS,
    judged_text,
    load_weights,
    probability_of,
)

EXTRA = triage_accuracy.SENTENCES.with_name("triage_training_extra.tsv")
# Mails written only to train on, each by an engineer who opened neither the classifier
# nor a measured set: the extra mails aimed at the kinds of miss leaving a set out
# showed; a and b at the kinds blind7 and blind8 showed on the model before, c and d at
# those blind9 showed after (told to their writers as kinds, never as mails); e at the kinds
# leaving a round out (blind7+8, blind9+10) showed, before blind11/12 were opened.
TRAINING_ONLY = [
    EXTRA,
    triage_accuracy.SENTENCES.with_name("triage_training_a.tsv"),
    triage_accuracy.SENTENCES.with_name("triage_training_b.tsv"),
    triage_accuracy.SENTENCES.with_name("triage_training_c.tsv"),
    triage_accuracy.SENTENCES.with_name("triage_training_d.tsv"),
    triage_accuracy.SENTENCES.with_name("triage_training_e.tsv"),
    # f: written by tune17 at the kinds blind13/blind14 showed once they were measured.
    triage_accuracy.SENTENCES.with_name("triage_training_f.tsv"),
    # g: written by helper traing (tune18) at the kinds blind15/blind16 showed once they were
    # measured (alarms of the customer's own systems, log-ons of outside services, thanks
    # replies, ...), never their mails.
    triage_accuracy.SENTENCES.with_name("triage_training_g.tsv"),
]
# The blind sets measured and reported before they were trained on; a later set (blind21
# ...) is never read here: it measures the result, once.
TRAINED_BLIND_SETS = {name: triage_accuracy.BLIND_SETS[name]
                      for name in ("blind", *(f"blind{n}" for n in range(2, 21)))}
TRAINING = [triage_accuracy.SENTENCES, *TRAINING_ONLY, *TRAINED_BLIND_SETS.values()]
WORD_NGRAMS = (1, 2)
MIN_DF = 2  # an n-gram seen in one mail only says nothing general


@dataclass(frozen=True)
class Settings:
    """What is fitted, chosen by leaving one blind set out (benchmarks/triage_loso.py)."""

    c: float = 4.0  # inverse regularisation
    words: bool = False  # word uni- and bigrams beside the character n-grams
    balanced: bool = True  # class_weight="balanced"
    # The model alone over 5 folds; the product's target is 0.9 for rules and model.
    target_precision: float = 0.98
    # Fixed by the round-out sweep (triage_loso --sweep, tune17); None: the lowest threshold
    # at which the model alone reaches target_precision over 5 folds (the rule before).
    threshold: float | None = None


# Left one blind set out (pooled over blind..blind6, rules and model; benchmarks/README.md):
# char only at CV 0.98 P 0.981 R 0.986; words, extra mails, CV 0.95 P 0.971 R 0.996, CV 0.97
# P 0.979 R 0.996, CV 0.98 P 0.981 R 0.993. CV 0.95 (threshold 0.60) also flagged
# hand-written normal mails of test_triage.py at p 0.60-0.72.
# Retrained on blind..blind10 and training a-d (5,861 mails), CV 0.97 picked 0.65 and the
# model then flagged a hand-written normal mail of test_triage.py ("Windows kunne ikke
# installere opdateringen i nat.", BR-13, p 0.695): decided before either was measured
# on blind11/blind12, the target went to 0.98 (threshold 0.75). blind11/blind12 with
# CV 0.97: P 0.911/0.921 R 0.962/0.972; with CV 0.98: P 0.910/0.920 R 0.953/0.963.
#
# Issue 16, tune16, decided before blind13/blind14 were scored, from figures on blind7..10
# alone: leaving a round out (triage_loso --round 9+10 --round 7+8; pooled blind7..10,
# 1,005 mails, 433 critical) reproduced the fresh figures of the model then shipped exactly
# (blind9 0.962/0.936, blind10 0.938/0.991) and its recall on blind11/12 within 0.01 (0.961
# against 0.953/0.963); its precision it overstated by ~0.05 (0.967 against 0.91/0.92).
# C (1, 4, 16) and class weights changed nothing there; char n-grams alone lost recall
# (0.952). With this branch's first two rule commits (before training_e), per CV target:
# 0.90 P 0.955 R 0.991; 0.95 P 0.988 R 0.982; 0.97 P 0.995 R 0.975; 0.98 P 0.995 R 0.968.
# Recall is the binding target on fresh mail and the round-out predicts it well; precision
# falls on fresh mail, so 0.90 leaves no margin above 0.9. Chosen: CV 0.95. If the model so
# trained flags a hand-written normal mail of tests/unit/test_triage*.py, the target goes to
# 0.97, then 0.98 (the first that flags none); no test is changed to let a model pass.
# Trained on blind..blind12 and training a-e (6,524 mails): CV 0.95 picked 0.55 and flagged
# three ("Kan ikke printe. Kun mig." p 0.61, "Ingen kommer ind på kontoret før låsesmeden
# ..." p 0.68, "Computeren giver fejl når jeg starter Excel." p 0.64); CV 0.97 picked 0.70
# and flagged "Windows kunne ikke installere opdateringen i nat." (p 0.75); CV 0.98 picked
# 0.75 and flags none: shipped. Scored once on blind13/blind14, never trained on (rules +
# model, as written; --new-text in brackets): blind13 P 0.964 R 0.981 (0.972/0.981), blind14
# P 0.911 R 0.962 (0.927/0.962); main's model: 0.963/0.963 (0.972/0.963), 0.912/0.972
# (0.928/0.972). Pooled recall 0.972 against 0.967, precision 0.937 against 0.937.
#
# Issue 16, tune17. blind13/blind14 measured (above), their misses fixed in the rules by kind
# and 162 mails written at those kinds (training_f); trained on blind..blind14 and training
# a-f (7,186 mails). The cross-validated threshold of the model alone no longer decides; the
# rule, fixed before the sweep was run (the helper brief's suggestion, taken as written):
# leave each of rounds 9+10, 11+12, 13+14 out (triage_loso ROUNDS: the pair and the mails
# written after its kinds of miss), score rules + model on the three held-out pairs pooled
# at 0.30, 0.35 ... 0.95, and take the highest pooled recall at pooled precision >= 0.95
# (round-out overstated fresh precision by ~0.05 last time, so 0.95 aims fresh at ~0.90);
# of equal recall the highest threshold (triage_loso.chosen_threshold). Then the guard
# kept from before: if the model so trained flags a hand-written normal mail of
# tests/unit/test_triage*.py, the next step up, until none is flagged; no test is changed.
# `python -m benchmarks.triage_loso --words --sweep` (1,501 mails, 643 critical; load 5.4):
#   0.40 P 0.945 R 0.991 | 0.45 P 0.954 R 0.991 | 0.50 P 0.962 R 0.989 | 0.55 P 0.968 R 0.988
#   0.60 P 0.971 R 0.986 | 0.65 P 0.974 R 0.986 | 0.70 P 0.974 R 0.981 | 0.75 P 0.974 R 0.978
#   0.80 P 0.973 R 0.969 | 0.85 P 0.975 R 0.963 | 0.90 P 0.974 R 0.947
# The sweep chose 0.45. The guard: tests of test_triage.py failing on normal mails the model
# flagged: 7 at 0.45, 5 at 0.50, 4 at 0.55, 3 at 0.60 and 0.65, 2 at 0.70 ("Teams bad mig
# logge ind igen, og det gjorde jeg. Nu virker det." p 0.703, "Windows kunne ikke
# installere opdateringen i nat." p 0.735), none at 0.75: shipped at 0.75. Its round-out
# figure, the prediction for blind15/blind16 (recall it predicted within ~0.01 before;
# precision ~0.05 too high): pooled P 0.974
# R 0.978 (629 tp, 17 fp, 14 fn); 9+10 P 0.990 R 0.967, 11+12 P 0.955 R 0.981, 13+14
# P 0.977 R 0.986. The rules were fixed on blind13/14's misses and every
# earlier round's, so each round-out row flatters the rules.
#
# Issue 16, tune18. blind15/blind16 measured once (pooled fresh P 0.944 R 0.923 against the
# round-out's P 0.974 R 0.978: recall 0.055 and precision 0.03 lower), their misses fixed in
# the rules by kind (branches alarms, mend17); trained on blind..blind16, training a-g. The
# rule, fixed before the sweep was run: tune17's, with round 15+16 added (SWEEP_ROUNDS:
# 9+10, 11+12, 13+14, 15+16, each with the mails written after its kinds of miss out): the
# highest pooled recall at pooled round-out precision >= 0.95, of equal recall the highest
# threshold; then the guard, unchanged: the next step up until the model so trained flags
# no hand-written normal mail of tests/unit/test_triage*.py; no guard test is changed.
# Before the sweep, the kinds of normal mail that forced tune17's guard up were settled in
# general terms (learned.asked_about: a text ending "nu virker det", "kun mig." alone, an
# update that failed to install, the building's door alone; tests/unit/test_triage_tune18.py).
# `python -m benchmarks.triage_loso --words --sweep` (2,001 mails, 863 critical), run after
# each rule change of this branch, the rule unchanged. With training_g in and the rules
# before the last one (load 3.2):
#   0.40 P 0.969 R 1.000 | 0.45 P 0.971 R 1.000 | 0.50 P 0.977 R 0.999 | 0.60 P 0.981 R 0.999
# It chose 0.45; the guard flagged four normal mails of test_triage.py there (p 0.45-0.49:
# "Jeg kan ikke få forbindelse til VPN hjemmefra.", "Vi har fået en mail fra GLS om pakken
# ...", the tuning set's "Jeg får ikke kopi af mine sendte mails i Outlook." and "Microsoft
# sendte mig en mail om at min adgangskode udløber om 14 dage."), none at 0.50. Then the
# round-out's one miss at 0.50 (blind10: "Could someone have my password?") was fixed by
# kind in the rules, and the same sweep (load 4.1) gave, as shipped:
#   0.30 P 0.949 R 1.000 | 0.35 P 0.960 R 1.000 | 0.40 P 0.969 R 1.000 | 0.45 P 0.971 R 1.000
#   0.50 P 0.977 R 1.000 | 0.55 P 0.980 R 1.000 | 0.60 P 0.981 R 1.000 | 0.65 P 0.981 R 0.998
#   0.70 P 0.983 R 0.994 | 0.75 P 0.984 R 0.991 | 0.80 P 0.986 R 0.986 | 0.85 P 0.986 R 0.976
#   0.90 P 0.986 R 0.962 | 0.95 P 0.985 R 0.941
# Chosen 0.60 (the highest threshold of recall 1.000); the guard flags nothing there (none
# at 0.50 already): shipped at 0.60. (Before tune18's kinds, a model with blind15/16 flagged
# at 0.50 "Kan ikke printe. Kun mig.", the locksmith, the Teams log-in that works again and
# Excel at its start.) Recall is 1.000 because the rules were fixed on every round's misses:
# the round-out flatters the rules, most on 15+16; fresh recall came 0.055 below it last time.
#
# Issue 16, mend18. blind17/blind18 measured once on tune18's model (pooled fresh P 0.909
# R 0.955 against the round-out's P 0.981 R 1.000: recall 0.045 lower, precision 0.07
# lower), their misses fixed in the rules by kind (tests/unit/test_triage_mend18.py);
# trained on blind..blind18 and training a-g (8,486 mails; nothing was written to train on
# after blind17/18). The rule, tune18's unchanged, with round 17+18 added (SWEEP_ROUNDS:
# 9+10, 11+12, 13+14, 15+16, 17+18): the highest pooled round-out recall at pooled
# precision >= 0.95, of equal recall the highest threshold; then the guard, unchanged: the
# next step up until the model so trained flags no hand-written normal mail of
# tests/unit/test_triage*.py; no guard test is changed.
# `python -m benchmarks.triage_loso --words --sweep` (2,501 mails, 1,083 critical), on the
# final rules (load 6.3-7.0):
#   0.30 P 0.947 R 0.999 | 0.35 P 0.952 R 0.999 | 0.40 P 0.960 R 0.999 | 0.45 P 0.967 R 0.999
#   0.50 P 0.974 R 0.998 | 0.55 P 0.977 R 0.998 | 0.60 P 0.977 R 0.998 | 0.65 P 0.977 R 0.995
#   0.70 P 0.982 R 0.991 | 0.75 P 0.982 R 0.984 | 0.80 P 0.982 R 0.976 | 0.85 P 0.983 R 0.965
#   0.90 P 0.983 R 0.950 | 0.95 P 0.982 R 0.924
# It chose 0.45; the guard: three normal mails of test_triage.py flagged there (p 0.45-0.50:
# "Jeg kan ikke få forbindelse til VPN hjemmefra.", the GLS parcel mail, the tuning set's
# "Jeg får ikke kopi af mine sendte mails i Outlook." p 0.46), none at 0.50: shipped at
# 0.50 (tune18: 0.60). Round-out at 0.50 (--threshold 0.5 --round ...): pooled P 0.974
# R 0.998 (1,081 tp, 29 fp, 2 fn); 17+18 P 0.948 R 0.991. The rules were fixed on every
# round's misses, 17+18's last, so the round-out flatters them; fresh recall came 0.045-0.055
# below it in the last two rounds.
#
# Issue 16, tune20. blind19/blind20 measured once after mend18 (pooled fresh P 0.955 R 0.959,
# on the new text P 0.959 R 0.968, against the round-out's P 0.974 R 0.998), their misses
# and false alarms fixed in the rules by kind (tests/unit/test_triage_tune20.py); trained on
# blind..blind20 and training a-g (8,986 mails; nothing written to train on after them).
# The rule, mend18's unchanged, with round 19+20 added (SWEEP_ROUNDS: 9+10 ... 19+20):
# the highest pooled round-out recall at pooled precision >= 0.95, of equal recall the
# highest threshold; then the guard, now mechanical (benchmarks/triage_guard.py): the next
# step up until the model so trained flags no guard mail. The guard mails are every text
# the model is asked about in a unit test of tests/unit/test_triage*.py that fails when
# the model is forced to say critical (the test expects it normal), and every mail written
# in tests/integration/*.py (and tests/harness.py's defaults) that the shipped classifier
# judges normal and the model is asked about (test_triage_guard.py keeps that collection in
# step with the integration files that assert a normal case); no guard test is changed.
#   python -m benchmarks.train_triage_model --out /tmp/candidate.json
#   python -m benchmarks.triage_guard --weights /tmp/candidate.json
# `python -m benchmarks.triage_loso --words --sweep` (3,001 mails, 1,303 critical), on the
# final rules (load 4.7-5.8):
#   0.30 P 0.949 R 0.999 | 0.35 P 0.961 R 0.999 | 0.40 P 0.967 R 0.999 | 0.45 P 0.972 R 0.998
#   0.50 P 0.977 R 0.998 | 0.55 P 0.979 R 0.998 | 0.60 P 0.980 R 0.996 | 0.65 P 0.980 R 0.995
#   0.70 P 0.982 R 0.990 | 0.75 P 0.983 R 0.986 | 0.80 P 0.983 R 0.979 | 0.85 P 0.984 R 0.965
#   0.90 P 0.984 R 0.947 | 0.95 P 0.984 R 0.922
# It chose 0.40; the guard (35 unit mails, 29 integration mails) flagged two there, both
# normal mails of test_triage.py ("Vi har fået en mail fra GLS om pakken ..." p 0.47, "Jeg
# kan ikke få forbindelse til VPN hjemmefra." p 0.44), one at 0.45 (GLS), none at 0.50:
# shipped at 0.50 (mend18: 0.50). Round-out at 0.50: pooled P 0.977 R 0.998 (1,301 tp,
# 31 fp, 2 fn). The rules were fixed on every round's misses, 19+20's last, so the
# round-out flatters them; fresh recall came 0.04-0.055 below it in the last three rounds.
CHOSEN = Settings(words=True, threshold=0.50)


def pipeline(settings: Settings) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True,
                            min_df=MIN_DF, lowercase=False)
    features: Any = chars
    if settings.words:
        words = TfidfVectorizer(analyzer="word", ngram_range=WORD_NGRAMS, sublinear_tf=True,
                                min_df=MIN_DF, lowercase=False)
        features = FeatureUnion([("chars", chars), ("words", words)])
    return make_pipeline(features, LogisticRegression(
        C=settings.c, class_weight="balanced" if settings.balanced else None, max_iter=5000))


def pick_threshold(texts: Sequence[str], labels: Sequence[bool],
                   settings: Settings) -> tuple[float, float, float] | None:
    """The lowest threshold at which the model alone reaches the target precision over
    5 folds of the training mails, with that precision and recall; None if none does."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    folds = StratifiedKFold(5, shuffle=True, random_state=1)
    cv = cross_val_predict(pipeline(settings), list(texts), list(labels), cv=folds,
                           method="predict_proba")[:, 1]
    for step in range(30, 100, 5):
        chosen = [p >= step / 100 for p in cv]
        tp = sum(c and y for c, y in zip(chosen, labels, strict=True))
        fp = sum(c and not y for c, y in zip(chosen, labels, strict=True))
        if tp + fp and tp / (tp + fp) >= settings.target_precision:
            return step / 100, tp / (tp + fp), tp / sum(labels)
    return None


def exported(pipe: Any, settings: Settings, threshold: float, mails: int) -> dict[str, Any]:
    """The fitted pipeline as the daemon reads it (learned.load_weights)."""
    features, model = pipe[0], pipe[1]
    coef = model.coef_[0]
    chars = features.transformer_list[0][1] if settings.words else features
    weights: dict[str, Any] = {
        "about": "benchmarks/train_triage_model.py; char_wb tf-idf (sublinear, l2)"
                 + (" + word 1-2-gram tf-idf (sublinear, l2)" if settings.words else "")
                 + f" + logistic regression C={settings.c}"
                 + (", balanced" if settings.balanced else "")
                 + f", trained on {mails} labelled mails",
        "ngrams": list(NGRAMS),
        "threshold": threshold,
        "intercept": round(float(model.intercept_[0]), 6),
        "grams": _grams(chars, coef, 0),
        "checks": [],
    }
    if settings.words:
        words = features.transformer_list[1][1]
        weights["word_ngrams"] = list(WORD_NGRAMS)
        weights["words"] = _grams(words, coef, len(chars.vocabulary_))
    return weights


def _grams(vectorizer: Any, coef: Any, offset: int) -> dict[str, list[float]]:
    return {gram: [round(float(vectorizer.idf_[i]), 6), round(float(coef[offset + i]), 6)]
            for gram, i in sorted(vectorizer.vocabulary_.items())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    args = parser.parse_args()
    settings = CHOSEN
    mails = [s for path in TRAINING for s in triage_accuracy.load(path)]
    texts = [judged_text(s.subject, s.body) for s in mails]
    labels = [s.critical for s in mails]
    if settings.threshold is not None:
        threshold = settings.threshold
        print(f"threshold {threshold}: fixed by the round-out sweep (CHOSEN)")
    else:
        picked = pick_threshold(texts, labels, settings)
        if picked is None:
            raise SystemExit("no threshold reaches the precision; nothing written")
        threshold, precision, recall = picked
        print(f"threshold {threshold}: cross-validated precision {precision:.3f}, "
              f"recall {recall:.3f} (model alone)")
    pipe = pipeline(settings)
    pipe.fit(texts, labels)
    weights = exported(pipe, settings, threshold, len(mails))
    args.out.write_text(json.dumps(weights, ensure_ascii=False, separators=(",", ":")),
                        encoding="utf-8")
    # The rounded weights as the daemon reads them, against scikit-learn's own answer.
    load_weights.cache_clear()
    samples = [texts[i] for i in range(0, len(texts), max(1, len(texts) // 25))]
    for text in samples:
        expected = float(pipe.predict_proba([text])[0, 1])
        got = probability_of(text, args.out)
        assert math.isclose(got, expected, abs_tol=1e-4), (text, got, expected)
        weights["checks"].append([text, round(expected, 6)])
    args.out.write_text(json.dumps(weights, ensure_ascii=False, separators=(",", ":")),
                        encoding="utf-8")
    grams = len(weights["grams"]) + len(weights.get("words", {}))
    print(f"{grams} n-grams, {len(mails)} mails -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
