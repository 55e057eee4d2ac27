"""Profile one call with cProfile (stdlib) or pyinstrument, and say where the time went.

Used by `python -m benchmarks.ingest --profile ...` to explain a daemon that is slower
than the floor. Besides the usual top functions, the cProfile summary adds up the own
time (tottime) of every function per *area*: the email package, SQLAlchemy, psycopg,
imapclient, each daemon module, socket waits. "Which layer costs what share" is the
question a slow ingest raises, and a list of individual functions answers it poorly.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sysconfig
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

Result = TypeVar("Result")

_STDLIB = sysconfig.get_paths()["stdlib"]


def profiled(call: Callable[[], Result], kind: str, path: Path) -> tuple[Result, str]:
    """Run `call` under the profiler `kind` ("cprofile" | "pyinstrument"); write the raw
    profile next to `path` and return the call's result and a printable summary."""
    if kind == "pyinstrument":
        return _with_pyinstrument(call, path)
    profile = cProfile.Profile()
    result = profile.runcall(call)
    profile.dump_stats(path.with_suffix(".prof"))
    return result, cprofile_summary(profile)


def _with_pyinstrument(call: Callable[[], Result], path: Path) -> tuple[Result, str]:
    # Optional (pip install pyinstrument): a sampling profiler, so it barely slows the
    # run down and shows the call tree; cProfile needs nothing installed.
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    profiler.start()
    try:
        result = call()
    finally:
        profiler.stop()
    path.with_suffix(".html").write_text(profiler.output_html(), encoding="utf-8")
    return result, profiler.output_text(unicode=True, color=False, show_all=False)


def area_of(filename: str, function: str) -> str:
    """The layer a profiled function belongs to, from its file (see module docstring)."""
    if filename == "~":  # C functions: name them by what they are
        if "socket" in function or "ssl" in function or "select" in function:
            return "socket I/O (waiting for servers)"
        return "builtins: " + function.split(" of ")[0].strip("{}<>").replace("method ", "")
    path = filename.replace("\\", "/")
    if "/site-packages/" in path:
        return path.split("/site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if "/daemon/" in path:
        return "daemon/" + path.rsplit("/daemon/", 1)[1]
    if path.startswith(_STDLIB):
        return "stdlib " + path[len(_STDLIB):].strip("/").split("/", 1)[0].removesuffix(".py")
    return path


def cprofile_summary(profile: cProfile.Profile, top: int = 25) -> str:
    """Own time per area, then the top functions by own time and by cumulative time."""
    raw: dict[Any, Any] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values()) or 1.0
    areas: dict[str, float] = {}
    for (filename, _line, function), entry in raw.items():
        area = area_of(filename, function)
        areas[area] = areas.get(area, 0.0) + entry[2]
    lines = [f"own time by area (total {total:.2f} s of profiled CPU + waits):"]
    for area, seconds in sorted(areas.items(), key=lambda item: -item[1])[:top]:
        lines.append(f"  {seconds:8.2f} s  {100 * seconds / total:5.1f} %  {area}")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(top)
        body = out.getvalue()
        start = body.find("   ncalls")  # drop pstats' preamble
        lines += ["", f"top {top} functions by {order}:", body[start:].rstrip()]
    return "\n".join(lines)
