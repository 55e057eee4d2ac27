"""Keep the resident size down while big mails pass through (< 200 MB).

glibc serves allocations above M_MMAP_THRESHOLD with their own mmap, returned to the
kernel on free. But the threshold is dynamic: each freed mmap'd block raises it to
that block's size (up to 32 MB). After the first big mail, every later multi-MB
buffer came from the heap, whose free space stays resident: the backlog benchmark
showed a plateau of ~200 MB between big mails, ~145 MB with the threshold fixed.
Setting it with mallopt() fixes it (and turns the dynamic raise off).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging

log = logging.getLogger(__name__)

_M_MMAP_THRESHOLD = -3  # from <malloc.h>
MMAP_THRESHOLD = 256 * 1024


def tune_malloc() -> bool:
    """Fix glibc's mmap threshold; False (and nothing done) on other C libraries."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and others have no mallopt
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def freeze_start_up() -> None:
    """The objects of the daemon's start (its modules, settings, engine, pipeline and
    templates' code: ~115,000 in a `poll --once`) kept out of the cyclic garbage
    collector's work from now on (`gc.freeze`). Each full collection in a pass went
    over all of them again: ~40 ms each, three in a 2,000-mail pass, ~0.06 ms a mail of
    the pass thread, whichever thread's allocation set them off (issue 18, daemon23).
    Freed by reference counting as before; a reference cycle among them that becomes
    garbage later is never freed: at most the start's own objects, once. Not collected
    first: ~0.1 s of the start for ~900 unreachable objects. Once a process: a second
    command run in it (the tests') freezes nothing more."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
