"""Hostile structure and header sizes (redteam23, outside-in variants of issue 14):
one mail must never stall intake nor be rejected while its sender can be read. Each
becomes a case from what can be read, the raw mail kept whole."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

from daemon.inbound import InboundMail, Outcome
from daemon.mail.parse import parse
from daemon.reading import ReadingRules, read

REPO = Path(__file__).resolve().parents[2]
HEAD = (
    b"From: Bo <bo@kunde.dk>\r\nTo: support@oo.dk\r\nSubject: Printeren\r\n"
    b"Message-ID: <hostile@kunde.dk>\r\nDate: Tue, 24 Nov 2026 11:00:00 +0100\r\n"
)
RULES = ReadingRules("support@oo.dk", "oo.dk", {}, ("oo.dk",), ("mx.oo.dk",))


def nested_multiparts(depth: int) -> bytes:
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (d, d)
        for d in range(depth)
    )
    closing = b"".join(b"\r\n--b%d--" % d for d in reversed(range(depth)))
    return HEAD + opening + b"Content-Type: text/plain\r\n\r\nHej, printeren er nede" + closing


def test_mime_nested_deeper_than_the_parser_recurses_is_still_a_case() -> None:
    """2,000 nested multiparts: the standard library's parser recurses once a level
    and raised RecursionError; the mail was rejected (no case, no ack) although its
    sender, subject and text can all be read."""
    mail = parse(nested_multiparts(2000))
    assert (mail.from_addr, mail.subject) == ("bo@kunde.dk", "Printeren")
    assert "Hej, printeren er nede" in mail.body_text
    prepared = read(InboundMail(nested_multiparts(2000), "imap:INBOX", datetime.now(UTC)), RULES)
    assert prepared.outcome is Outcome.CREATED


def test_shallow_nesting_reads_as_before() -> None:
    mail = parse(nested_multiparts(40))
    assert mail.body_text == "Hej, printeren er nede"


# Header fields built so that the standard library's decoders take time quadratic in
# their length (email.header.decode_header pops from the front of a list, and the
# parameter parser slices the rest of the value for each parameter): ~3 MB each.
HUGE_FIELDS = {  # name: (start, piece repeated, times, end)
    "subject_of_encoded_words": ("Subject: ", "=?utf-8?q?bl=C3=A5?= ", 150_000, ""),
    "from_name_of_encoded_words": ("From: ", "=?utf-8?q?a?= ", 200_000, "<bo@kunde.dk>"),
    "content_type_parameters": (
        "Content-Type: text/plain; charset=utf-8; ", "x=a; ", 200_000, ""
    ),
    "file_name_of_encoded_words": (
        'Content-Disposition: attachment; filename="', "=?utf-8?q?a?= ", 200_000, '"'
    ),
}


def test_huge_header_fields_parse_in_seconds_and_still_make_a_case() -> None:
    """Each took minutes (150,000 encoded words in a Subject: ~2 min), holding a
    parsing worker until its timeout, then again on each retry. The raw mail keeps
    every byte; what is read is the field's first 64 KB. The 60 s timeout only keeps
    a regression from hanging the suite."""
    program = textwrap.dedent(f"""
        from daemon.mail.parse import parse
        head = {HEAD!r}
        for name, (start, piece, times, end) in {HUGE_FIELDS!r}.items():
            field = start + piece * times + end
            top = head.replace(b"From: Bo <bo@kunde.dk>\\r\\n", b"") if start == "From: " else head
            raw = top + field.encode() + b"\\r\\n\\r\\nHej\\r\\n"
            mail = parse(raw)
            assert mail.from_addr == "bo@kunde.dk", (name, mail.from_addr)
            if "attachment" in start:  # the whole mail is the file
                assert [a.size for a in mail.attachments] == [5], name  # "Hej\\r\\n"
            else:
                assert mail.body_text == "Hej", (name, mail.body_text[:80])
            print(name, len(mail.subject))
    """)
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()] == list(HUGE_FIELDS)


def test_a_long_field_is_cut_at_a_word_and_read_up_to_there() -> None:
    words = "=?utf-8?q?bl=C3=A5?= " * 20_000  # ~420 KB
    mail = parse(HEAD.replace(b"Subject: Printeren", b"Subject: " + words.encode()) + b"\r\nx")
    assert mail.subject.startswith("blåblåblå")
    assert set(mail.subject) <= {"b", "l", "å"}  # no half encoded word left at the cut
