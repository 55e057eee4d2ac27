"""A compiled MIME parser against the daemon's stdlib parse: CPU a mail and fidelity
(issue 18: "a compiled parser is acceptable only if the real-world fidelity corpus
gives the same results").

The candidate is fast-mail-parser (PyPI; Rust's `mailparse` crate through pyo3), not a
dependency of the daemon: `pip install fast-mail-parser` to run this. For every mail
of ../shared/corpus (all of it), tests/corpus/realworld/*.eml and n mails of
benchmarks.corpus, what the daemon takes from a mail is read twice:
  - stdlib: daemon.mail.parse.parse() (the worker's read), the headers its rules read
    (Headers.text / .all), and each attachment's bytes (attachments.part_content);
  - compiled: fast_mail_parser.parse_email() of the same bytes, with the daemon's own
    finishing applied to what it gives (one_line, first_id/all_ids, address(),
    clean_text, the HTML-to-text converter, the text limit), so only what the parser
    itself decides can differ: the header decoding, the address parsing, the charset
    decoding, which part is the body, the attachments' names, types and bytes.
Differences are counted by field, with the first examples of each.

CPU (process_time, min of 3 rounds, the benchmarks' corpus as a worker gets it, its
big base64 bodies hidden by slim_copy; the compiled parser is given the whole mail,
it has no markers to read): stdlib tree alone, parse(), fast-mail-parser alone (full,
lazy, metadata), and the compiled view with the finishing above.

CLI: python -m benchmarks.compiled_parse [--n 2000] [--seed 1] [--examples 3]
"""

from __future__ import annotations

import argparse
import email
import email.parser
import email.policy
import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.corpus import generate
from daemon.mail import ParseError
from daemon.mail.addresses import address, addresses
from daemon.mail.attachments import part_content
from daemon.mail.header_text import Headers, all_ids, clean_text, date_of, first_id, one_line
from daemon.mail.html_text import CUT_TEXT, TEXT_LIMIT, html_to_text
from daemon.mail.leading_junk import BLANK_LINE, without_leading_junk
from daemon.mail.mime_parts import DeclaredCharsets
from daemon.mail.parse import parse
from daemon.mail.sender import sender_of
from daemon.reading import slim_copy

REPO = Path(__file__).resolve().parent.parent
SHARED_CORPUS = REPO.parent / "shared" / "corpus"  # as tests/corpus finds it
# The header fields the daemon's rules read (reading.py, autoreply, sender, staff, DSN).
READ_HEADERS = ("Subject", "From", "To", "Cc", "Sender", "Reply-To", "Return-Path",
                "Message-ID", "In-Reply-To", "References", "Date", "Auto-Submitted",
                "Precedence", "List-Id", "List-Unsubscribe", "X-Autoreply",
                "X-Autorespond", "Content-Type", "X-Spam-Flag")
TRACE_HEADERS = ("Received", "Authentication-Results")
Mail = tuple[str, bytes]  # (name, bytes)


def shared_mails(root: Path = SHARED_CORPUS) -> list[Mail]:
    found = sorted(p for p in root.rglob("*") if p.is_file() and p.name != "README.md")
    if not found:
        raise SystemExit(f"no mails in {root}: the shared corpus is beside the repository")
    return [(str(p.relative_to(root)), p.read_bytes()) for p in found]


def realworld_mails() -> list[Mail]:
    folder = REPO / "tests" / "corpus" / "realworld"
    return [(f"realworld/{p.name}", p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.timestamp().__repr__()


def _limited(text: str) -> str:
    text = clean_text(text.replace("\r\n", "\n")).strip()
    if len(text) > TEXT_LIMIT:
        text = text[:TEXT_LIMIT].rstrip() + "\n\n" + CUT_TEXT
    return text


def stdlib_view(raw: bytes) -> dict[str, Any]:
    """What the daemon takes from `raw`, as it takes it now."""
    try:
        parsed = parse(raw)
    except ParseError as exc:
        return {"refused": str(exc)}
    msg = email.message_from_bytes(without_leading_junk(raw.lstrip()),
                                   policy=email.policy.compat32)
    headers = Headers(msg, DeclaredCharsets(msg))
    view: dict[str, Any] = {
        "message_id": parsed.message_id, "in_reply_to": parsed.in_reply_to,
        "references": parsed.references, "subject": parsed.subject,
        "from_addr": parsed.from_addr, "from_name": parsed.from_name,
        "to": parsed.to, "cc": parsed.cc, "date": _instant(parsed.date),
        "body_text": parsed.body_text,
    }
    view["attachments"] = [(a.filename, a.content_type, a.size) for a in parsed.attachments]
    contents = []
    for attached in parsed.attachments:
        try:
            contents.append(_digest(part_content(raw, attached.part_index)))
        except ParseError:
            contents.append("?")
    view["attachment_bytes"] = contents
    for name in READ_HEADERS:
        view[f"header {name}"] = headers.text(name)
    for name in TRACE_HEADERS:
        view[f"header {name}"] = headers.all(name)
    return view


def compiled_view(raw: bytes) -> dict[str, Any]:
    """The same, read by fast-mail-parser with the daemon's finishing (module doc)."""
    import fast_mail_parser

    try:
        mail = fast_mail_parser.parse_email(raw)
    except fast_mail_parser.ParseError as exc:
        return {"refused": f"{type(exc).__name__}: {exc}"}
    headers = {name.lower(): values for name, values in mail.headers.items()}

    def first(name: str) -> str:
        return headers.get(name.lower(), [""])[0]

    sender = mail.from_
    if mail.text_plain:
        body = _limited(mail.text_plain[0])
    elif mail.text_html:
        body = clean_text(html_to_text(mail.text_html[0].replace("\r\n", "\n"))).strip()
    else:
        body = ""
    view: dict[str, Any] = {
        "message_id": first_id(first("Message-ID")),
        "in_reply_to": first_id(first("In-Reply-To")),
        "references": all_ids(first("References")),
        "subject": one_line(clean_text(mail.subject)),
        "from_addr": address(sender.address, keep_case=True) if sender else "",
        "from_name": one_line(clean_text(sender.display_name or "")) if sender else "",
        "to": [address(a.address) for a in mail.to if "@" in a.address],
        "cc": [address(a.address) for a in mail.cc if "@" in a.address],
        "date": _instant(mail.date_parsed),
        "body_text": body,
    }
    view["attachments"] = [
        (clean_text(a.filename).replace("\\", "/").rsplit("/", 1)[-1].strip()[:255],
         a.mimetype[:255], len(a.content))
        for a in mail.attachments
    ]
    view["attachment_bytes"] = [_digest(a.content) for a in mail.attachments]
    for name in READ_HEADERS:
        view[f"header {name}"] = clean_text(first(name))
    for name in TRACE_HEADERS:
        view[f"header {name}"] = headers.get(name.lower(), [])
    return view


def kind_of(field: str, ours: Any, theirs: Any) -> str:
    """A difference's kind: the field, and for attachments what part of them."""
    if field == "attachments" and isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            return "attachments: how many"
        for (n1, t1, s1), (n2, t2, s2) in zip(ours, theirs, strict=True):
            if n1 != n2 and not (n2 == "" and n1.startswith("part-")):
                return "attachments: name"
            if t1 != t2:
                return "attachments: type"
            if s1 != s2:
                return "attachments: size"
        return ""
    if field.startswith("header ") and _spaced(ours) == _spaced(theirs):
        return f"{field} (white space only)"
    return field


def compare(mails: Iterable[Mail], examples: int) -> tuple[int, Counter[str], dict[str, list[str]],
                                                            int]:
    """(mails, differences by kind, examples by kind, mails with any difference)."""
    counts: Counter[str] = Counter()
    shown: dict[str, list[str]] = defaultdict(list)
    total = differing = 0
    for name, raw in mails:
        total += 1
        ours, theirs = stdlib_view(raw), compiled_view(raw)
        kinds = set()
        if ("refused" in ours) != ("refused" in theirs):
            kinds.add("refused by one parser only")
            ours_, theirs_ = ours.get("refused"), theirs.get("refused")
            if len(shown["refused by one parser only"]) < examples:
                shown["refused by one parser only"].append(
                    f"{name}: stdlib {ours_!r}, compiled {theirs_!r}")
        elif "refused" not in ours:
            for field, value in ours.items():
                if value == theirs.get(field):
                    continue
                kind = kind_of(field, value, theirs.get(field))
                if not kind:
                    continue
                kinds.add(kind)
                if len(shown[kind]) < examples:
                    shown[kind].append(f"{name}: stdlib {_short(value)} | compiled "
                                       f"{_short(theirs.get(field))}")
        counts.update(kinds)
        differing += bool(kinds)
    return total, counts, shown, differing


def _spaced(value: Any) -> Any:
    """A header's value(s) with every run of white space one space."""
    if isinstance(value, list):
        return [_spaced(item) for item in value]
    return one_line(value) if isinstance(value, str) else value


def _short(value: Any, width: int = 110) -> str:
    text = repr(value)
    return text if len(text) <= width else text[:width] + "..."


def _header_fields(raw: bytes) -> object:
    """The header-field half of parse(): a headers-only stdlib parse, then the fields."""
    blank = BLANK_LINE.search(raw)
    msg = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(
        raw[: blank.end()] if blank else raw)
    headers = Headers(msg, DeclaredCharsets(msg))
    return (first_id(headers.raw("Message-ID")), first_id(headers.raw("In-Reply-To")),
            all_ids(headers.raw("References")), one_line(headers.text("Subject")),
            sender_of(headers), addresses(headers, "To"), addresses(headers, "Cc"),
            date_of(headers.raw("Date")))


def cpu(mails: list[bytes], rounds: int = 3) -> dict[str, float]:
    """ms a mail (process_time, min of rounds) of each way of parsing the same mails."""
    import fast_mail_parser

    slim = [slim_copy(raw)[0] for raw in mails]
    ways: dict[str, tuple[Callable[[bytes], object], list[bytes]]] = {
        "stdlib tree (compat32), slim copy": (
            lambda m: email.message_from_bytes(m, policy=email.policy.compat32), slim),
        "daemon parse(), slim copy (the worker's now)": (parse, slim),
        "fast-mail-parser full, whole mail": (fast_mail_parser.parse_email, mails),
        "fast-mail-parser lazy, slim copy": (
            lambda m: fast_mail_parser.parse_email(m, mode="lazy"), slim),
        "fast-mail-parser metadata, whole mail": (
            lambda m: fast_mail_parser.parse_email(m, mode="metadata"), mails),
        "compiled view (parse + daemon's finishing)": (compiled_view, mails),
        # What a hybrid that keeps the daemon's own header reading (its Headers, the
        # sender, ids, addresses, date: identical by construction) would still pay
        # before its body and attachments: a floor for it, not a hybrid built.
        "hybrid floor: stdlib headers + their fields": (_header_fields, slim),
        "hybrid floor + fast-mail-parser lazy tree": (
            lambda m: (_header_fields(m), fast_mail_parser.parse_email_tree(m, mode="lazy")),
            slim),
    }
    result = {}
    for name, (way, inputs) in ways.items():
        best = float("inf")
        for _ in range(rounds):
            started = time.process_time()
            for raw in inputs:
                way(raw)
            best = min(best, time.process_time() - started)
        result[name] = 1000 * best / len(inputs)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compiled_parse")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--examples", type=int, default=3)
    args = parser.parse_args(argv)
    corpus = [(f"corpus/{i:05d}", raw) for i, raw in enumerate(generate(args.n, args.seed), 1)]
    print(f"load {report.load_average()}")
    for ms_name, ms in cpu([raw for _name, raw in corpus]).items():
        print(f"  {ms_name:46s} {ms:7.3f} ms a mail")
    for title, mails in (("shared/corpus", shared_mails()), ("tests/corpus/realworld",
                         realworld_mails()), (f"benchmarks corpus n={args.n}", corpus)):
        total, counts, shown, differing = compare(mails, args.examples)
        print(f"\n{title}: {total} mails, {differing} with a difference")
        for kind, count in counts.most_common():
            print(f"  {count:5d}  {kind}")
            for example in shown[kind]:
                print(f"           {example}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
