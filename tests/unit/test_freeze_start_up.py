"""The daemon's start-up objects kept out of the cyclic collector's work (issue 18,
daemon23): `poll --once` and `run` freeze them once, before the pass or the service."""

from __future__ import annotations

import subprocess
import sys

_SCRIPT = """
import gc
from daemon.ops import memory
start = [[i] for i in range(1000)]
memory.freeze_start_up()
frozen = gc.get_freeze_count()
later = [[i] for i in range(1000)]
memory.freeze_start_up()
print(frozen >= 1000, gc.get_freeze_count() == frozen)
"""


def test_the_start_up_is_frozen_once_a_process() -> None:
    # In a process of its own: a freeze lasts the process (the tests' own stays clean).
    done = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["True", "True"]

