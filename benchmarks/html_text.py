"""HTML -> text on inputs built to be slow: is the conversion linear in its input?

24 KB of repeated `<a ` took 15 s to turn into text with the stdlib
HTMLParser-based converter (40 KB 28 s), and one such mail held up IMAP intake for
a minute. This times `daemon.mail.html_text.html_to_text` next to that old converter
(kept below, here only, to compare) on pathological inputs at 16, 32, 64, 128, 256 KB
and 1 MB, and reports the seconds and the ratio per doubling of the input (about 2:
linear; 4: quadratic).

Each conversion runs in a child process that is killed after --timeout seconds (the
old converter would need hours for 1 MB of `<a `); a series stops at its first
timeout. Seconds are the child's CPU time for the one call (not wall time: the
machine is shared), best of --repeat.

With --candidates, the libraries that were weighed for the new converter are timed
as well, where installed (they are not dependencies): html2text (stdlib HTMLParser
underneath), inscriptis (lxml, renders tables as columns) and selectolax (lexbor;
its own .text(), no walker).

Checked, else FAILED and exit 1: the daemon's converter finishes every input within
the timeout, and from 128 KB to 1 MB its time grows by at most LINEAR_LIMIT per
doubling (judged where 1 MB takes at least JUDGED_FROM_S; below, timer noise rules).

CLI: python -m benchmarks.html_text [--timeout 20] [--repeat 3] [--candidates]
         [--results-dir DIR]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import re
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from benchmarks import report

SIZES_KB = (16, 32, 64, 128, 256, 1024)
LINEAR_LIMIT = 2.6  # time ratio per doubling, 128 KB -> 1 MB; 2 is linear, 4 quadratic
# Below this at 1 MB, the ratio is mostly noise (a few ms at 128 KB on a shared machine),
# and a conversion that fast is no threat at the 2 MB the daemon renders at most.
JUDGED_FROM_S = 0.05
CONVERTERS = ("daemon", "old")
CANDIDATES = ("html2text", "inscriptis", "selectolax")


def pathological(kind: str, size: int) -> str:
    """`size` characters of HTML of one kind that has made some parser slow."""
    repeated = {
        "a_open": "<a ",  # a start tag that never closes: the input that was slow
        "lt": "<",
        "nested": "<div>",  # a tree as deep as the input is long
        "comments": "<!--",  # one comment that never ends, opened again and again
        "entities": "&amp;&nbsp;&#230;&#xf8;&aring;",
        "table_cells": "<td>Betreff</td>",  # 1 MB: ~65,000 cells in one row
        "table_rows": "<tr><td>Betreff</td><td>Installation</td></tr>",
        "outlook": (  # ordinary mail, for scale
            "<p class=MsoNormal>Printeren p&aring; 2. sal <b>&aelig;der</b> papir, se "
            "<a href=\"https://oo.dk/hj\">vejledningen</a><o:p></o:p></p>\n"
        ),
    }
    if kind == "huge_attribute":
        return '<p>Hej <a href="https://oo.dk/' + "x" * size  # unclosed, as big as it gets
    unit = repeated[kind]
    body = unit * (size // len(unit))
    return f"<table><tr>{body}</tr></table>" if kind == "table_cells" else body


KINDS = ("a_open", "lt", "nested", "huge_attribute", "comments", "entities", "table_cells",
         "table_rows", "outlook")


# -- the stdlib-based converter used before, kept here only to compare -----------------

_OLD_BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul",
              "ol", "blockquote", "pre", "hr", "section", "article"}
_OLD_SKIP = {"script", "style", "head", "title", "template"}
_OLD_BLANK_LINES = re.compile(r"\n\s*\n+")
_OLD_SPACES = re.compile(r"[ \t\r\f\v\xa0]+")


class _OldTextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _OLD_SKIP:
            self._skipping += 1
        elif tag in _OLD_BLOCK:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _OLD_SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _OLD_BLOCK:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.chunks.append(data)


def old_html_to_text(html: str) -> str:
    collector = _OldTextCollector()
    try:
        collector.feed(html)
        collector.close()
    except Exception:  # noqa: BLE001
        pass
    text = "".join(collector.chunks)
    lines = (_OLD_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _OLD_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


# -- measuring ---------------------------------------------------------------------------


def converter(name: str) -> Callable[[str], str]:
    if name == "daemon":
        from daemon.mail.html_text import html_to_text

        return html_to_text
    if name == "old":
        return old_html_to_text
    if name == "html2text":
        import html2text

        return html2text.html2text
    if name == "inscriptis":
        from inscriptis import get_text
        from inscriptis.model.config import ParserConfig

        config = ParserConfig(display_links=True)
        return lambda html: get_text(html, config)
    if name == "selectolax":
        from selectolax.lexbor import LexborHTMLParser

        return lambda html: LexborHTMLParser(html).text()
    raise ValueError(name)


def installed(name: str) -> bool:
    try:
        converter(name)
    except ImportError:
        return False
    return True


def _child(name: str, kind: str, size: int, repeat: int, pipe: Any) -> None:
    convert = converter(name)
    html = pathological(kind, size)
    best, text = math.inf, ""
    for _ in range(repeat):
        started = time.process_time()
        text = convert(html)
        best = min(best, time.process_time() - started)
    from daemon.mail import html_text

    notes = {html_text.CUT_HTML: "html cap", html_text.CUT_TEXT: "text cap",
             html_text.CUT_TIME: "time budget", html_text.CUT_DEPTH: "depth"}
    cut = [label for note, label in notes.items() if note in text[-400:]]
    pipe.send((best, len(text), cut))


def measure_one(name: str, kind: str, size: int, repeat: int, timeout: float) -> dict[str, Any]:
    """One conversion in a child process, killed after `timeout` seconds of wall time."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(name, kind, size, repeat, sender))
    child.start()
    sender.close()
    result: dict[str, Any] = {"kb": size // 1024}
    if receiver.poll(timeout * repeat):
        try:
            seconds, chars, cut = receiver.recv()
            result.update(status="ok", seconds=round(seconds, 4), text_chars=chars, cut=cut)
        except EOFError:
            result.update(status="crashed")
    else:
        result.update(status="timeout")
    child.kill()
    child.join()
    return result


def per_doubling(points: list[dict[str, Any]], low_kb: int, high_kb: int) -> float | None:
    """Time ratio per doubling of the input between two sizes, if both were measured."""
    seconds = {p["kb"]: p.get("seconds") for p in points if p["status"] == "ok"}
    low, high = seconds.get(low_kb), seconds.get(high_kb)
    if not low or not high:
        return None
    return round((high / low) ** (1 / math.log2(high_kb / low_kb)), 2)


def measure_series(name: str, kind: str, repeat: int, timeout: float) -> dict[str, Any]:
    points = []
    for kb in SIZES_KB:
        point = measure_one(name, kind, kb * 1024, repeat, timeout)
        points.append(point)
        if point["status"] != "ok":
            break  # larger inputs only take longer
    steps = [per_doubling(points, low, high) for low, high in zip(SIZES_KB, SIZES_KB[1:],
                                                                   strict=False)]
    return {"points": points, "ratio_per_doubling": steps,
            "ratio_128k_to_1m": per_doubling(points, 128, 1024)}


def check(results: dict[str, dict[str, Any]]) -> list[str]:
    problems = []
    for kind, series in results["daemon"].items():
        for point in series["points"]:
            if point["status"] != "ok":
                problems.append(f"daemon converter, {kind}, {point['kb']} KB: {point['status']}")
        ratio = series["ratio_128k_to_1m"]
        at_1_mb = next((p.get("seconds") for p in series["points"] if p["kb"] == 1024), None)
        if ratio is not None and ratio > LINEAR_LIMIT and (at_1_mb or 0) >= JUDGED_FROM_S:
            problems.append(f"daemon converter, {kind}: x{ratio} per doubling from 128 KB "
                            f"to 1 MB (limit {LINEAR_LIMIT})")
    return problems


def table(results: dict[str, dict[str, Any]]) -> str:
    headers = ("converter", "input", *(f"{kb} KB s" if kb < 1024 else "1 MB s"
                                       for kb in SIZES_KB), "x/doubling 128K-1M", "cut")
    rows: list[list[object]] = []
    for name, kinds in results.items():
        for kind, series in kinds.items():
            cells: list[object] = []
            for kb in SIZES_KB:
                point = next((p for p in series["points"] if p["kb"] == kb), None)
                if point is None:
                    cells.append("-")
                elif point["status"] == "ok":
                    cells.append(f"{point['seconds']:.3f}")
                else:
                    cells.append(point["status"])
            ratio = series["ratio_128k_to_1m"]
            cuts = {note for p in series["points"] for note in p.get("cut") or ()}
            rows.append([name, kind, *cells, "-" if ratio is None else f"{ratio:.2f}",
                         "; ".join(sorted(cuts)) or "-"])
    return report.format_table(headers, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.html_text",
                                     description="HTML -> text time on pathological inputs")
    parser.add_argument("--timeout", type=float, default=20.0,
                        help="seconds one conversion may take before it is killed")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many calls")
    parser.add_argument("--candidates", action="store_true",
                        help="also time the libraries weighed (html2text, inscriptis, "
                             "selectolax) where installed")
    parser.add_argument("--results-dir", type=Path, default=report.RESULTS_DIR)
    args = parser.parse_args(argv)
    if args.timeout <= 0 or args.repeat < 1:
        parser.error("--timeout must be positive and --repeat at least 1")

    names = list(CONVERTERS)
    if args.candidates:
        names += [name for name in CANDIDATES if installed(name)]
    stamp = report.timestamp()
    document: dict[str, Any] = {
        "benchmark": "html_text", "sizes_kb": list(SIZES_KB), "timeout_s": args.timeout,
        "repeat": args.repeat, "linear_limit": LINEAR_LIMIT, "judged_from_s": JUDGED_FROM_S,
        "environment": report.environment(), "results": {},
    }
    print(f"html_text benchmark: {', '.join(names)}; timeout {args.timeout:g} s", flush=True)
    for name in names:
        document["results"][name] = {}
        for kind in KINDS:
            series = measure_series(name, kind, args.repeat, args.timeout)
            document["results"][name][kind] = series
            print(f"  {name:10} {kind:15} "
                  + " ".join(f"{p['kb']}K:{p.get('seconds', p['status'])}"
                             for p in series["points"]), flush=True)
    problems = check(document["results"])
    document["problems"] = problems
    print()
    print(table(document["results"]))
    path = report.write_result("html_text", document, args.results_dir, stamp)
    if problems:
        print("FAILED: " + "; ".join(problems) + f"\nresult: {path}", file=sys.stderr)
        return 1
    print(f"the daemon's converter is linear (<= x{LINEAR_LIMIT} per doubling)")
    print(f"result: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
