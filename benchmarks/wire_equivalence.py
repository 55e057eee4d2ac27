"""ack18's encoders against the stdlib's, on random awkward texts (branch reviewb).

Counts, not times: how many of N random texts `qp_text`, `UTF8_HEADERS` and
`compose.header_line`'s shortcut write differently from the stdlib (quoprimime, the
`Charset("utf-8")` Header, the Header formatter). Each difference prints its input.

CLI: python -m benchmarks.wire_equivalence [--n 40000]
"""

from __future__ import annotations

import argparse
import email.quoprimime
import random
from email.charset import Charset
from email.header import Header

from daemon.mail import compose
from daemon.mail.wire_encoding import UTF8_HEADERS, qp_text

# Quoting and folding edges: "=", ".", spaces and tabs (before a break too), a vertical
# tab, DEL and NUL (qp_body's way), Danish letters, NBSP, non-BMP characters.
_CHARACTERS = [*"ab =.\t \n\x0bæøåÆØÅ€-_?\"',;:()x", "\u00a0", "\U0001f600", "\U0001d518",
               "\x7f", "\x00"]
_WORDS = ["[OO#1234]", "Re:", "Sv:", "æble", "ø", "printer", "x" * 70, "a" * 40, "😀", "𝔘x",
          '"Jens,', 'Hansen"', "=?", "?=", "_", "\t", "", "  ", "Ærø-", "€" * 23, "a.b", "(c)"]
_NAMES = ("Subject", "From", "X-Very-Long-Header-Name-For-Testing")


def _text(rnd: random.Random) -> str:
    text = "".join(rnd.choice(_CHARACTERS)
                   for _ in range(rnd.choice([0, 1, 2, 5, 20, 74, 75, 76, 77, 78, 150, 300])))
    return "a" * rnd.randint(60, 80) + text if rnd.random() < 0.3 else text


def _header(charset: Charset, value: str, name: str, width: int) -> str:
    try:
        return Header(value, charset, header_name=name, maxlinelen=width).encode()
    except Exception as exc:  # noqa: BLE001 - a refusal must be the same refusal
        return repr(exc)


def _line(name: str, value: str, shortcut: bool) -> str:
    kept = compose._tagged_words
    if not shortcut:
        compose._tagged_words = lambda *args: None  # the Header formatter's way
    try:
        return compose.header_line(name, value)
    except Exception as exc:  # noqa: BLE001
        return repr(exc)
    finally:
        compose._tagged_words = kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40_000)
    n = parser.parse_args().n
    rnd = random.Random(1)
    counts = {"qp_text": 0, "UTF8_HEADERS": 0, "header_line": 0}
    for _ in range(n):
        text = _text(rnd).replace("\r", "")
        stdlib = email.quoprimime.body_encode(text.encode("utf-8").decode("latin-1"),
                                              eol="\r\n")
        if qp_text(text) != stdlib:
            counts["qp_text"] += 1
            print("qp_text", repr(text))
        value = text.replace("\n", " ")
        for name, width in (("Subject", 78), ("To", 78), ("Subject", 40)):
            if _header(UTF8_HEADERS, value, name, width) != _header(
                    Charset("utf-8"), value, name, width):
                counts["UTF8_HEADERS"] += 1
                print("UTF8_HEADERS", repr(value))
        words = " ".join(rnd.choice(_WORDS) for _ in range(rnd.randint(0, 14)))
        if rnd.random() < 0.3:
            words = f"[OO#{rnd.randint(1, 10**9)}] {words}"
        for name in _NAMES:
            if _line(name, words, True) != _line(name, words, False):
                counts["header_line"] += 1
                print("header_line", repr(name), repr(words))
    print(f"texts {n}: differences qp_text {counts['qp_text']} of {n}, UTF8_HEADERS "
          f"{counts['UTF8_HEADERS']} of {3 * n}, header_line {counts['header_line']} of "
          f"{len(_NAMES) * n}")


if __name__ == "__main__":
    main()
