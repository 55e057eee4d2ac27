"""What classifying a new case costs, with and without the start-word prefilter.

    python -m benchmarks.classify [--n 5000] [--runs 5] [--seed 1] [--results-dir DIR]

The subjects and new text (quotes stripped) of `corpus.generate(n, seed)`, as the
pipeline hands them to `classify()`. Each run builds the built-in rules (regex cache
purged first, as in a fresh process) and classifies every mail twice: with the rules
as built (daemon/domain/triage/starts.py finds where each rule's matches can start)
and with the same rules without start words (every regex scans the whole text). Both
must give the same result for every mail, else FAILED and exit 1. The figure to set
against the ingest benchmark is the time per mail: that is what the pipeline pays for
each new case. "cpu" is the process's CPU time for the same pass: on a shared machine
wall time also counts the waits for a core, CPU time much less so.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import time
from pathlib import Path
from unittest import mock

from benchmarks.corpus import generate
from benchmarks.report import conclude, environment, format_table, median
from daemon.domain.triage import Rule, classify, model, starts
from daemon.domain.triage import rules as rules_module
from daemon.domain.triage.learned import LearnedRule
from daemon.domain.triage.rules import default_rules
from daemon.mail.parse import parse
from daemon.mail.quotes import new_text


def texts(n: int, seed: int) -> list[tuple[str, str]]:
    mails = []
    for raw in generate(n, seed=seed):
        parsed = parse(raw)
        mails.append((parsed.subject, new_text(parsed.body_text)))
    return mails


def build(prefilter: bool) -> tuple[tuple[Rule, ...], float]:
    re.purge()
    rules_module._built_rules.cache_clear()  # noqa: SLF001 - time a build from scratch
    # And the triage's own caches of compiled regexes and start words (issue 18, triage19).
    for cache in (starts.alone, starts.compile_alternation, starts._regex_starts):  # noqa: SLF001
        cache.cache_clear()
    started = time.perf_counter()
    if prefilter:
        rules = default_rules()
    else:
        with mock.patch.object(model, "start_words", return_value=None):
            rules = tuple(rule if isinstance(rule, LearnedRule) else dataclasses.replace(rule)
                          for rule in default_rules())
    return rules, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--results-dir", type=Path, default=None)
    args = parser.parse_args()
    mails = texts(args.n, args.seed)
    seconds: dict[str, dict[str, list[float]]] = {
        variant: {"build": [], "classify": [], "cpu": []} for variant in ("with", "without")
    }
    outcomes = {}
    for _run in range(args.runs):
        for variant in ("with", "without"):
            rules, built = build(prefilter=variant == "with")
            started, cpu_started = time.perf_counter(), time.process_time()
            outcomes[variant] = [classify(subject, body, rules) for subject, body in mails]
            seconds[variant]["build"].append(built)
            seconds[variant]["classify"].append(time.perf_counter() - started)
            seconds[variant]["cpu"].append(time.process_time() - cpu_started)
    problems = [] if outcomes["with"] == outcomes["without"] else ["results differ"]
    rows = []
    for variant, timed in seconds.items():
        per_mail = [s / args.n * 1000 for s in timed["classify"]]
        cpu_per_mail = [s / args.n * 1000 for s in timed["cpu"]]
        rows.append({
            "prefilter": variant,
            "build_ms": round(median(timed["build"]) * 1000, 1),
            "classify_ms_per_mail": round(median(per_mail), 3),
            "classify_ms_per_mail_min": round(min(per_mail), 3),
            "cpu_ms_per_mail_min": round(min(cpu_per_mail), 3),
        })
    critical = sum(outcome.critical for outcome in outcomes["with"])
    print(f"{args.n} mails (seed {args.seed}), {args.runs} runs; {critical} critical")
    print(format_table(
        ["prefilter", "build rules ms", "classify ms/mail", "min ms/mail", "min cpu ms/mail"],
        [[r["prefilter"], r["build_ms"], r["classify_ms_per_mail"],
          r["classify_ms_per_mail_min"], r["cpu_ms_per_mail_min"]] for r in rows],
    ))
    conclude("classify", {
        "benchmark": "classify", "n": args.n, "seed": args.seed, "runs": args.runs,
        "critical": critical, "rows": rows, "seconds": seconds, "problems": problems,
        "environment": environment(),
    }, args.results_dir)


if __name__ == "__main__":
    main()
