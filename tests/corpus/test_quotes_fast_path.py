"""new_text skips the reply-parser library for mail with no quote marker at all; on the
generated corpus and ../shared/corpus that shortcut changes no result."""

from __future__ import annotations

import contextlib
import re
import sys
from pathlib import Path

import daemon.mail.quotes as quotes
from daemon.mail.parse import ParseError, parse

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from benchmarks import triage_accuracy  # noqa: E402
from benchmarks.corpus import generate  # noqa: E402
from benchmarks.train_triage_model import TRAINING  # noqa: E402


def through_the_library(body: str) -> str:
    whole = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not whole:
        return ""
    kept = quotes._newest_lines(quotes._join_wrapped_attributions(whole.split("\n")))
    return quotes.cut_text(whole, kept)


def bodies() -> list[str]:
    found = [parse(raw).body_text for raw in generate(600, seed=9)]
    for path in sorted((REPO.parent / "shared" / "corpus").glob("*/*")):
        with contextlib.suppress(ParseError):
            found.append(parse(path.read_bytes()).body_text)
    return found


def test_shortcut_gives_the_same_text() -> None:
    texts = bodies()
    assert sum(1 for t in texts if not quotes._MIGHT_QUOTE.search(t)) > len(texts) // 2
    for text in texts:
        assert quotes.new_text(text) == through_the_library(text)


# _MIGHT_QUOTE as one regex, as it was before issue 18 (worker18) asked it in parts.
ONE_REGEX = re.compile(
    r"^[ \t]*>|^[ \t]*[-_=*]{4,}|^[ \t]*\**(?:fra|from|sendt|sent|til|to|emne|subject|date|"
    r"dato|von|de|van|cc)\**[ \t]*:|wrote|skrev|schrieb|écrit|escribió|geschreven|kirjoitti|"
    r"scrisse|napisał|написал|寫道|写道|에 작성|さんは書きました|오전|오후",
    re.IGNORECASE | re.MULTILINE,
)


def every_body() -> list[str]:
    """The bodies above, tests/corpus/realworld's, and the triage TSVs' that are trained
    on (train_triage_model.TRAINING: the later blind sets stay unread)."""
    found = bodies()
    for path in sorted((REPO / "tests" / "corpus" / "realworld").rglob("*.eml")):
        with contextlib.suppress(ParseError):
            found.append(parse(path.read_bytes()).body_text)
    for tsv in TRAINING:
        found += [sentence.body for sentence in triage_accuracy.load(tsv)]
    return found


def test_the_cheaper_quote_question_answers_as_the_one_regex() -> None:
    texts = every_body()
    assert len(texts) > 9000
    normalized = [t.replace("\r\n", "\n").replace("\r", "\n").strip() for t in texts]
    answers = [quotes._might_quote(t) for t in normalized]
    assert answers == [ONE_REGEX.search(t) is not None for t in normalized]
    assert 0 < sum(answers) < len(answers)  # both answers are given on these bodies


def test_the_replies_are_the_librarys_without_its_signature_search() -> None:
    # quotes._Replies skips the library's search for signatures and disclaimers, which
    # new_text never reads (issue 18, worker24): every reply's header and content, on
    # every body that reaches the library, is the library's own.
    from mailparser_reply import EmailReplyParser

    library = EmailReplyParser(languages=["da", "en"])
    texts = [t for t in every_body() if quotes._might_quote(t.replace("\r\n", "\n").strip())]
    assert len(texts) > 700
    for text in texts:
        ours = quotes._Replies(text=text, languages=list(quotes._LANGUAGES)).read().replies
        theirs = library.read(text).replies
        assert [(r.headers, r.content, r.full_body) for r in ours] == [
            (r.headers, r.content, r.full_body) for r in theirs]
