"""Precision and recall of "critical" on the hand-written sentence set.

    python -m benchmarks.triage_accuracy
        [--show-misses tune|held-out|all|blind|blind2|...|blind14|file]
        [--file PATH] [--new-text] [--rules-only]

The set is tests/unit/triage_sentences.tsv: realistic mails (subject and new text),
Danish and English, each labelled critical or normal by the agreement (BR-8..BR-10).
A fixed fifth of it, chosen by a hash of the line (not by hand), is held out: it was
not looked at while the rules were tuned, so its figures say how the rules do on
sentences they were not fitted to. Prints both slices; `--show-misses` lists the
wrong ones of a slice with the reason the classifier gives.

A last row, "blind", scores tests/unit/triage_blind.tsv: mails written and labelled by
someone who never saw the rules nor the tuning set, and never tuned on. Its misses
(`--show-misses blind`) also print why the mail was labelled so (the file's
"# why:" line above each row).

A row "blind2" scores tests/unit/triage_blind2.tsv, a second blind set written the
same way by another engineer after the rules were tuned on the first one (so "blind"
is no longer blind; "blind2" is, until someone tunes on it). A row "blind3" scores
tests/unit/triage_blind3.tsv, a third set written the same way without opening the
other two, while the rules were being tuned on "blind2". A row "blind4" scores
tests/unit/triage_blind4.tsv, a fourth set written the same way without opening the other
three, while the rules were being tuned on "blind3". A row "blind5" scores
tests/unit/triage_blind5.tsv, a fifth set written the same way without opening the other
four. A row "blind6" scores tests/unit/triage_blind6.tsv, a sixth set written the same way
without opening the other five; "blind7" and "blind8" two more, written the same way by two
engineers at once, each without opening any other set, while the learned second opinion
was being retrained on blind..blind6; "blind9" and "blind10" two more written the same
way, to measure the model once more after it is trained on blind7 and blind8 too; and
"blind11" and "blind12" once more, after it is trained on blind9 and blind10; "blind13"
and "blind14" once more, after it is trained on blind11 and blind12.
`--file PATH` adds a row "file" for any other file in the same format (`--show-misses file`).

`--new-text` classifies what the pipeline classifies (daemon/pipeline/triage.py
`triage_text`): the body cut to the customer's new text by daemon.mail.quotes.new_text,
without a quoted original below a reply; a forward whole. Without it the body is
classified as written in the file.

`--rules-only` leaves the learned second opinion (daemon/domain/triage/learned.py) out,
to see what the hand-written rules catch alone.
"""

from __future__ import annotations

import argparse
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from daemon.domain.triage import Rule, classify
from daemon.domain.triage.learned import LearnedRule
from daemon.domain.triage.rules import default_rules
from daemon.reading import triage_text

SENTENCES = Path(__file__).resolve().parent.parent / "tests" / "unit" / "triage_sentences.tsv"
# Every blind set, in the order they were written: the rows of the printed table.
BLIND_SETS = {name: SENTENCES.with_name(f"triage_{name}.tsv")
              for name in ("blind", *(f"blind{n}" for n in range(2, 25)))}
BLIND = BLIND_SETS["blind"]
WHY = "# why:"


@dataclass(frozen=True)
class Sentence:
    critical: bool
    subject: str
    body: str
    line: int

    @property
    def held_out(self) -> bool:
        # A hash, not a choice: the slice cannot be picked to flatter the rules.
        return zlib.crc32(f"{self.subject}\t{self.body}".encode()) % 5 == 0


@dataclass(frozen=True)
class Score:
    true_positive: int
    false_positive: int
    false_negative: int
    true_negative: int

    @property
    def precision(self) -> float:
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        critical = self.true_positive + self.false_negative
        return self.true_positive / critical if critical else 1.0

    @property
    def total(self) -> int:
        return self.true_positive + self.false_positive + self.false_negative + self.true_negative


def load(path: Path = SENTENCES) -> list[Sentence]:
    sentences = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        label, subject, body = line.split("\t")
        if label not in ("critical", "normal"):
            raise ValueError(f"{path}:{number}: expected critical or normal, got {label!r}")
        unescape = lambda text: text.replace("\\n", "\n")  # noqa: E731
        sentences.append(Sentence(label == "critical", unescape(subject), unescape(body), number))
    return sentences


def reasons(path: Path = BLIND) -> dict[int, str]:
    """The label's reason for each row: line number -> the "# why:" comment just above it."""
    found: dict[int, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines[1:], start=2):
        above = lines[number - 2]
        if line.strip() and not line.startswith("#") and above.startswith(WHY):
            found[number] = above[len(WHY):].strip()
    return found


def score(sentences: Iterable[Sentence], rules: Sequence[Rule] | None = None) -> Score:
    counts = {(True, True): 0, (False, True): 0, (True, False): 0, (False, False): 0}
    for sentence in sentences:
        found = classify(sentence.subject, sentence.body, rules).critical
        counts[(sentence.critical, found)] += 1
    return Score(counts[(True, True)], counts[(False, True)], counts[(True, False)],
                 counts[(False, False)])


def slices(sentences: Sequence[Sentence]) -> dict[str, list[Sentence]]:
    return {
        "tune": [s for s in sentences if not s.held_out],
        "held-out": [s for s in sentences if s.held_out],
        "all": list(sentences),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show-misses",
                        choices=("tune", "held-out", "all", *BLIND_SETS, "file"),
                        default=None)
    parser.add_argument("--file", type=Path, default=None,
                        help="also score this file (same format), as the row 'file'")
    parser.add_argument("--new-text", action="store_true",
                        help="classify only the new text of each body, as the pipeline does")
    parser.add_argument("--rules-only", action="store_true",
                        help="leave the learned second opinion out: the hand-written rules alone")
    args = parser.parse_args()
    rules = ([r for r in default_rules() if not isinstance(r, LearnedRule)]
             if args.rules_only else None)
    parts = slices(load())
    blind_files = dict(BLIND_SETS)
    if args.file is not None:
        blind_files["file"] = args.file
    elif args.show_misses == "file":
        parser.error("--show-misses file needs --file PATH")
    for name, path in blind_files.items():
        parts[name] = load(path)
    if args.new_text:
        parts = {name: [replace(s, body=triage_text(s.subject, s.body)) for s in part]
                 for name, part in parts.items()}
    print(f"{'slice':<9} {'n':>4} {'critical':>8} {'precision':>9} {'recall':>7}  tp fp fn tn")
    for name, part in parts.items():
        s = score(part, rules)
        print(f"{name:<9} {s.total:>4} {s.true_positive + s.false_negative:>8} "
              f"{s.precision:>9.3f} {s.recall:>7.3f}  {s.true_positive} {s.false_positive} "
              f"{s.false_negative} {s.true_negative}")
    if args.show_misses:
        labelled = args.show_misses in blind_files
        why = reasons(blind_files[args.show_misses]) if labelled else {}
        for sentence in parts[args.show_misses]:
            found = classify(sentence.subject, sentence.body, rules)
            if found.critical != sentence.critical:
                expected = "critical" if sentence.critical else "normal"
                print(f"line {sentence.line}: expected {expected}: {sentence.subject!r} "
                      f"{sentence.body!r} -> {found}")
                if labelled:
                    print(f"    labelled so: {why.get(sentence.line, '?')}")


if __name__ == "__main__":
    main()
