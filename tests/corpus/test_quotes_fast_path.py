"""new_text skips the reply-parser library for mail with no quote marker at all; on the
generated corpus and ../shared/corpus that shortcut changes no result."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import daemon.mail.quotes as quotes
from daemon.mail.parse import ParseError, parse

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from benchmarks.corpus import generate  # noqa: E402


def through_the_library(body: str) -> str:
    whole = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not whole:
        return ""
    kept = quotes._newest_lines(quotes._join_wrapped_attributions(whole.split("\n")))
    return "\n".join(quotes._without_quote_blocks(kept)).strip() or whole


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
