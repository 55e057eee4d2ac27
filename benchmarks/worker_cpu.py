"""Where a parsing worker's CPU goes, by stage, for each mail of the benchmarks' corpus
(issue 18, cpu18).

In one process, with no profiler, each mail of `benchmarks.corpus.generate(n, seed)`
goes through what the daemon does to it outside its database work, one stage at a
time, each timed with `time.process_time_ns()` (summed over the mails, divided by n):
  daemon process: slim_copy (the big base64 bodies hidden), pickling what is sent to
    the worker, unpickling the answer;
  worker: the stdlib MIME tree (`email.message_from_bytes`, compat32, with the leading
    junk stepped over, large mail's shortcuts and smaller files' bodies hidden
    (daemon.mail.mime_tree), as daemon.mail.parse.parse does),
    the header fields read (Headers, sender, ids, addresses, date), the body part and
    its text (split: text/plain, HTML turned to text), an invitation looked for, the
    attachments listed, the rest of `read` (identity, automatic mail, staff, spam),
    the new text (quotes cut), classify() and the language guess, pickling the answer.
The parse stages repeat the steps of `parse()` in its order; their sum is checked
against one `parse()` of the same mails (printed as `parse() as one call`), and the
ParsedMail they build against parse()'s (exit 1 if any differs), so they cannot drift
from the daemon's code unseen.

CLI: python -m benchmarks.worker_cpu [--n 2000] [--seed 1] [--rounds 2]
The minimum over rounds is printed for each stage (other load only adds).
"""

from __future__ import annotations

import argparse
import dataclasses
import pickle
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from benchmarks import report
from benchmarks.corpus import generate
from daemon.domain.language import detect_language
from daemon.domain.triage import classify, default_rules
from daemon.inbound import InboundMail
from daemon.mail.addresses import address, addresses
from daemon.mail.attachments import attachments
from daemon.mail.body import body_part, body_text, with_invitation
from daemon.mail.header_text import Headers, all_ids, date_of, first_id, one_line
from daemon.mail.large_mail import large_single_part, stub_large_base64
from daemon.mail.leading_junk import BOM, headerless, without_leading_junk
from daemon.mail.mime_parts import DeclaredCharsets
from daemon.mail.mime_tree import mime_tree
from daemon.mail.parse import ParsedMail, parse
from daemon.mail.quotes import new_text
from daemon.mail.sender import Sender, sender_in_text, sender_of
from daemon.reading import ReadingRules, read, slim_copy, triage_text
from daemon.sources.worker_answer import answer_of, prepared_of

RULES = ReadingRules("support@oo.dk", "oo.dk", {}, ("oneoffice.dk",), ())
STAGES = (
    "daemon: slim_copy", "daemon: pickle to worker", "worker: MIME tree (stdlib)",
    "worker: header fields", "worker: body text/plain", "worker: body HTML -> text",
    "worker: invitation", "worker: attachments", "worker: rest of read",
    "worker: new text", "worker: classify", "worker: language", "worker: pickle answer",
    "daemon: unpickle answer",
)


def stages_of(raw: bytes, hidden: dict[str, int], clock: Callable[[], int],
              into: dict[str, int], rules: Any) -> ParsedMail:
    """parse(raw, hidden=hidden) step by step, as daemon.mail.parse.parse does it."""
    t = clock()
    if raw[:1].isspace() or raw.startswith(BOM):
        raw = raw.removeprefix(BOM).lstrip()
    headed = without_leading_junk(raw)
    msg = large_single_part(headed)
    stub_sizes = dict(hidden)
    if msg is None:
        stubbed = headed
        if not hidden:  # as parse(): a worker sent nothing hidden stubs again
            stubbed, stub_sizes = stub_large_base64(headed)
        msg = mime_tree(stubbed, stub_sizes)
    if not msg.keys():
        msg = headerless(raw, None)
    now = clock()
    into["worker: MIME tree (stdlib)"] += now - t
    t = now
    hints = DeclaredCharsets(msg)
    headers = Headers(msg, hints)
    sender = sender_of(headers)
    if not sender.address:
        sender = Sender("", sender_in_text(raw) or address("", True))
    fields = dict(
        message_id=first_id(headers.raw("Message-ID")),
        in_reply_to=first_id(headers.raw("In-Reply-To")),
        references=all_ids(headers.raw("References")),
        subject=one_line(headers.text("Subject")),
        from_addr=sender.address, from_name=sender.name, sender_ambiguous=sender.ambiguous,
        to=addresses(headers, "To"), cc=addresses(headers, "Cc"),
        date=date_of(headers.raw("Date")),
    )
    now = clock()
    into["worker: header fields"] += now - t
    shown = body_part(msg)
    text = body_text(shown, hints)
    t = clock()
    html = shown is not None and shown.get_content_type() == "text/html"
    into["worker: body HTML -> text" if html else "worker: body text/plain"] += t - now
    text = with_invitation(text, msg, shown, hints)
    now = clock()
    into["worker: invitation"] += now - t
    listed = list(attachments(msg, shown, stub_sizes, hints))
    into["worker: attachments"] += clock() - now
    return ParsedMail(body_text=text, attachments=listed, headers=headers, **fields)


def measure(mails: list[bytes]) -> tuple[dict[str, int], int, int]:
    """(ns by stage, ns of parse() as one call, mails whose staged ParsedMail differs)."""
    clock = time.process_time_ns
    into: dict[str, int] = defaultdict(int)
    rules = default_rules(())
    whole_parse = 0
    differ = 0
    at = datetime(2024, 11, 29, tzinfo=UTC)
    for uid, raw in enumerate(mails, start=1):
        t = clock()
        slim, hidden = slim_copy(raw)
        mail = InboundMail(raw=b"", source="imap:INBOX", received_at=at, uidvalidity=1, uid=uid)
        now = clock()
        into["daemon: slim_copy"] += now - t
        sent = pickle.dumps((mail, hidden))
        t = clock()
        into["daemon: pickle to worker"] += t - now
        parsed = stages_of(slim, hidden, clock, into, rules)
        t = clock()
        prepared = read(dataclasses.replace(mail, raw=slim), RULES, hidden or None)
        one = clock()
        # The rest of read(): everything but its parse (which is timed apart below).
        check = parse(slim, hidden=hidden or None)
        two = clock()
        whole_parse += two - one
        into["worker: rest of read"] += max(0, (one - t) - (two - one))
        if check != parsed:
            differ += 1
        if prepared.parsed is not None and prepared.outcome.value == "created":
            body, subject = prepared.parsed.body_text, prepared.parsed.subject
            t = clock()
            said = new_text(body)
            now = clock()
            into["worker: new text"] += now - t
            classify(subject, triage_text(subject, body, said), rules)
            t = clock()
            into["worker: classify"] += t - now
            detect_language(subject, body)
            into["worker: language"] += clock() - t
        t = clock()
        answer = pickle.dumps(answer_of(prepared))
        now = clock()
        into["worker: pickle answer"] += now - t
        prepared_of(pickle.loads(answer), mail)
        pickle.loads(sent)
        into["daemon: unpickle answer"] += clock() - now
    return dict(into), whole_parse, differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker_cpu")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    mails = list(generate(args.n, args.seed))
    best: dict[str, int] = {}
    whole = differ = 0
    load = report.load_average()
    measure(mails[:50])  # what is built on first use (as a worker does before its first mail)
    for _ in range(args.rounds):
        into, parse_ns, differ = measure(mails)
        whole = min(whole, parse_ns) if whole else parse_ns
        for stage, ns in into.items():
            best[stage] = min(best.get(stage, ns), ns)
    n = len(mails)
    print(f"n={n} seed={args.seed} rounds={args.rounds} load={load}  (ms a mail, min over rounds)")
    total = 0.0
    for stage in STAGES:
        ms = best.get(stage, 0) / 1e6 / n
        total += ms
        print(f"  {stage:30s} {ms:7.3f}")
    print(f"  {'sum':30s} {total:7.3f}")
    staged = sum(best.get(s, 0) for s in STAGES[2:8]) / 1e6 / n
    print(f"  parse stages {staged:.3f} ms a mail; parse() as one call {whole / 1e6 / n:.3f}")
    if differ:
        print(f"FAILED: the staged parse differs from parse() on {differ} mails")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
