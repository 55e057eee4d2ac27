"""Every real-world mail in ../shared/corpus parses to readable text, or is refused cleanly."""

from pathlib import Path

import pytest

from daemon.mail.parse import ParseError, parse

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
FILES = sorted(p for p in CORPUS.glob("*/*") if p.is_file() and p.name != "README.md")


def test_corpus_is_there() -> None:
    assert len(FILES) >= 70


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_mail_parses_readably(path: Path) -> None:
    raw = path.read_bytes()
    try:
        mail = parse(raw)
    except ParseError as exc:
        # Only bytes without any header section may be refused.
        assert "header" in str(exc) or "empty" in str(exc)
        return
    for text in (mail.subject, mail.body_text, mail.from_name):
        assert isinstance(text, str)
        assert "\x00" not in text
        assert not any("\udc80" <= ch <= "\udcff" for ch in text)  # no undecoded bytes
    assert "\n" not in mail.subject
    assert all(a.filename and "/" not in a.filename for a in mail.attachments)
