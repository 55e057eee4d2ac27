"""Does a change to the triage's machinery keep every verdict? Two trees, the same mails.

    python -m benchmarks.triage_golden                       # this tree against main
    python -m benchmarks.triage_golden --against REV         # ... against REV's daemon/
    python -m benchmarks.triage_golden --trees DIR_A DIR_B   # two trees holding daemon/
        [--n 1000] [--seed 1] [--keep DIR]

For making classify() cheaper (issue 18) without changing what it says. The mails:
every row of tests/unit/triage_*.tsv and tests/unit/probes/*.tsv (subject and body as
written), and n corpus mails (benchmarks.corpus.generate) twice: the text the pipeline
classifies (daemon.reading.triage_text: the new text, a forward whole) and the whole
body (quotes left in: replies.own_words sets them aside). Each tree's daemon/ records,
per mail, in a process of its own (both at once): the text the rules read (its md5),
classify()'s verdict and reason, every built-in rule's finding on that text (the words
it matched, or why they did not count, also for rules classify never reached), whether
the learned model is asked, and its probability. Everything must be equal, but the
probability to within 1e-9 (a sum taken in another order may differ in its last bits).
Prints the first differences and exits 1 if there are any.

Both trees are read with the same weights file each holds: compare trees with the same
learned_weights.json (tune16's retrained weights change the probabilities on purpose).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TSV_FILES = (*sorted((REPO / "tests" / "unit").glob("triage_*.tsv")),
             *sorted((REPO / "tests" / "unit" / "probes").glob("*.tsv")))
TOLERANCE = 1e-9
FLOAT_FIELDS = ("probability",)


def tsv_mails(path: Path) -> list[tuple[str, str, str]]:
    """(id, subject, body) of each row; the row format of benchmarks.triage_accuracy."""
    mails = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        _label, subject, body = line.split("\t")
        mails.append((f"{path.name}:{number}", subject.replace("\\n", "\n"),
                      body.replace("\\n", "\n")))
    return mails


def corpus_mails(n: int, seed: int) -> list[tuple[str, str, str]]:
    from benchmarks.corpus import generate
    from daemon.mail.parse import parse
    from daemon.reading import triage_text

    mails = []
    for index, raw in enumerate(generate(n, seed=seed)):
        parsed = parse(raw)
        said = triage_text(parsed.subject, parsed.body_text)
        mails.append((f"corpus:{index}:new", parsed.subject, said))
        mails.append((f"corpus:{index}:whole", parsed.subject, parsed.body_text))
    return mails


def records(mails: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """What the tree on sys.path says about each mail (see the module docstring)."""
    from daemon.domain.triage import SUBJECT_CHARS, classify, default_rules
    from daemon.domain.triage.learned import asked_about, judged_text, load_weights, probability
    from daemon.domain.triage.normalise import reply_headline
    from daemon.domain.triage.starts import Starts

    rules = default_rules()
    weights = load_weights()
    found = []
    for name, subject, body in mails:
        verdict = classify(subject, body, rules)
        text = judged_text(subject, body)
        subject_end = len(reply_headline(subject[:SUBJECT_CHARS])[0])
        starts = Starts.of(rules, text)
        findings = []
        for rule in rules:
            finding = rule.find(text, subject_end, starts)
            findings.append([rule.name, finding.evidence, finding.cancelled, finding.ruled_out])
        found.append({
            "id": name,
            "text_md5": hashlib.md5(text.encode()).hexdigest(),
            "verdict": [verdict.critical, str(verdict.priority), verdict.rule, verdict.reason],
            "findings": findings,
            "asked": asked_about(text),
            "probability": probability(text, weights),
        })
    return found


def differences(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    """Each way `after` differs from `before`: a field not equal (a probability off by
    more than TOLERANCE), or a mail missing."""
    if [r["id"] for r in before] != [r["id"] for r in after]:
        return ["the trees recorded different mails"]
    found = []
    for old, new in zip(before, after, strict=True):
        for key in old.keys() | new.keys():
            a, b = old.get(key), new.get(key)
            if key in FLOAT_FIELDS and isinstance(a, float) and isinstance(b, float):
                same = math.isclose(a, b, rel_tol=0.0, abs_tol=TOLERANCE)
            else:
                same = a == b
            if same:
                continue
            if key == "findings" and isinstance(a, list) and isinstance(b, list) \
                    and len(a) == len(b):
                # One line per rule that found otherwise, not the whole list.
                found += [f"{old['id']} finding: {x!r} != {y!r}"
                          for x, y in zip(a, b, strict=True) if x != y]
            else:
                found.append(f"{old['id']} {key}: {a!r} != {b!r}")
    return found


def dump_in(tree: Path, inputs: Path, output: Path) -> subprocess.Popen[bytes]:
    """Start a process recording `tree`'s answers (this file run with `--dump`)."""
    return subprocess.Popen([sys.executable, __file__, "--dump", str(tree), str(inputs),
                             str(output)])


def archive(rev: str, into: Path) -> Path:
    """REV's daemon/ (git archive) in a directory of its own."""
    into.mkdir(parents=True)
    tar = subprocess.run(["git", "-C", str(REPO), "archive", rev, "daemon"], check=True,
                         capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=tar, check=True)
    return into


def compare(trees: tuple[Path, Path], n: int, seed: int, keep: Path | None) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        work = keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        mails = [mail for path in TSV_FILES for mail in tsv_mails(path)]
        mails += corpus_mails(n, seed)
        inputs = work / "mails.json"
        inputs.write_text(json.dumps(mails), encoding="utf-8")
        outputs = (work / "before.json", work / "after.json")
        procs = [dump_in(tree, inputs, out) for tree, out in zip(trees, outputs, strict=True)]
        if any(proc.wait() != 0 for proc in procs):
            print("FAILED: a tree could not record its answers")
            return 1
        before, after = (json.loads(out.read_text(encoding="utf-8")) for out in outputs)
        found = differences(before, after)
        critical = sum(r["verdict"][0] for r in after)
        print(f"{len(mails)} mails ({len(TSV_FILES)} files, {n} corpus mails x 2), {critical} "
              f"critical; {trees[0]} vs {trees[1]}: {len(found)} differences "
              f"({time.monotonic() - started:.0f} s)")
        kinds = Counter(line.split(" ", 2)[1] for line in found)
        if kinds:
            print("  by field: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
        for line in found[:20]:
            print("  " + line)
        if found:
            print("FAILED: the trees do not agree")
            return 1
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--against", default="main", help="a revision: its daemon/ vs this tree")
    parser.add_argument("--trees", type=Path, nargs=2, default=None)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None, help="keep the records here")
    parser.add_argument("--dump", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump:
        tree, inputs, output = args.dump
        sys.path[0] = str(tree)  # the tree's daemon/, not the one installed
        mails = [tuple(mail) for mail in json.loads(inputs.read_text(encoding="utf-8"))]
        import daemon

        print(f"recording with {Path(daemon.__file__).parent}", file=sys.stderr)
        output.write_text(json.dumps(records(mails)), encoding="utf-8")  # type: ignore[arg-type]
        return
    if args.trees:
        sys.exit(compare((args.trees[0], args.trees[1]), args.n, args.seed, args.keep))
    with tempfile.TemporaryDirectory() as scratch:
        base = archive(args.against, Path(scratch) / args.against.replace("/", "_"))
        sys.exit(compare((base, REPO), args.n, args.seed, args.keep))


if __name__ == "__main__":
    main()
