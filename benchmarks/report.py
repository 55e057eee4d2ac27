"""What every benchmark records besides its own figures: the machine, the code, the
peak memory, a printed table and a JSON file under benchmarks/results/.

Results are only comparable with the code and machine they came from, and daemon/ is
edited by several people at once, so a result names the git commit, whether daemon/
had uncommitted changes, and a hash of the daemon's source as it was measured.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..100): always a value that was measured."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 100))  # ceil without floats drifting
    return ordered[int(rank) - 1]


# -- peak memory ------------------------------------------------------------------


def reset_peak_rss() -> bool:
    """Start a new high-water mark for this process (Linux >= 4.0: clear_refs 5).

    The kernel's peak only ever grows, so without a reset the peak of a phase would be
    hidden behind the corpus generation or an earlier run. False where not allowed.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    """Peak resident memory of this process since start or the last reset, in MB."""
    # ru_maxrss is in kilobytes on Linux; the clear_refs reset lowers it too.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# -- where the figures came from --------------------------------------------------------


def load_average() -> float:
    """The machine's 1-minute load (`uptime`): on a shared machine every figure is read
    beside it."""
    return round(os.getloadavg()[0], 2)


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip()


def _daemon_source_hash() -> str:
    """sha256 over daemon/**/*.py (path and bytes): which code exactly was measured."""
    digest = hashlib.sha256()
    for path in sorted((REPO / "daemon").rglob("*.py")):
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _first_line(command: Sequence[str]) -> str:
    try:
        done = subprocess.run(list(command), capture_output=True, text=True, timeout=10,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else ""


def environment() -> dict[str, Any]:
    """The machine and code a result belongs to."""
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "source_dir": str(REPO),  # an exported tree (no git) is told apart by this
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "daemon_uncommitted": bool(_git("status", "--porcelain", "--", "daemon")),
        "daemon_source_sha256": _daemon_source_hash(),
        "dovecot": _first_line(["dovecot", "--version"]),
    }


# -- output -----------------------------------------------------------------------------


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain text table: a header, a rule, one line per row."""
    cells = [[str(h) for h in headers], *[[_cell(value) for value in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    # Text columns read best left-aligned, figures right-aligned; the first row of
    # data decides which a column is.
    numeric = [isinstance(value, int | float) for value in rows[0]] if rows else []

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            value.rjust(width) if i < len(numeric) and numeric[i] else value.ljust(width)
            for i, (value, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def timestamp() -> str:
    """UTC, sortable, safe in a file name: 20241129T180000Z."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def write_result(name: str, document: dict[str, Any], directory: Path | None = None,
                 stamp: str | None = None) -> Path:
    """Write `document` as <directory>/<name>-<stamp>.json; returns the path."""
    directory = directory or RESULTS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}-{stamp or timestamp()}.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def conclude(name: str, document: dict[str, Any], directory: Path | None = None) -> None:
    """Write the result (`write_result`), print where, and exit 1 with FAILED and the
    document's "problems" if it has any: the end of a benchmark whose checks can fail."""
    path = write_result(name, document, directory)
    print(f"result: {path}")
    if problems := document.get("problems"):
        print("FAILED: " + "; ".join(problems))
        sys.exit(1)
