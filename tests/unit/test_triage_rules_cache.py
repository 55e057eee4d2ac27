"""The built-in triage rules are built once per list of outside services, however they
are asked for (domain/triage/rules.py): building them compiles and analyses every
regex, and the parsing workers build them ahead, at the forkserver's start
(sources/worker_start.py), for the pipeline to find."""

from __future__ import annotations

import subprocess
import sys

from harness import REPO, clean_env

from daemon.domain.outside_services import OUTSIDE_SERVICES
from daemon.domain.triage import default_rules


def test_the_default_rules_are_one_object_however_they_are_asked_for() -> None:
    rules = default_rules()
    assert default_rules(OUTSIDE_SERVICES) is rules
    assert default_rules(outside=OUTSIDE_SERVICES) is rules
    # As pipeline.step.Tools asks, from the [triage] outside_services list.
    assert default_rules(tuple(list(OUTSIDE_SERVICES))) is rules
    assert default_rules(outside=()) is not rules


# In a process of its own: the warm-up runs on import, and this process's cache holds
# whatever other tests built.
_WARM_THEN_PIPELINE = """
import daemon.sources.worker_start
from daemon.domain.triage.rules import _built_rules
from daemon.pipeline.step import Tools
from daemon.settings import load_settings

warmed = _built_rules.cache_info()
Tools(load_settings(None), None, None).triage_rules
used = _built_rules.cache_info()
print(warmed.misses, used.misses, used.hits - warmed.hits)
"""


def test_the_workers_warm_up_builds_the_rules_the_pipeline_then_uses() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _WARM_THEN_PIPELINE],
        capture_output=True, text=True, env=clean_env(), cwd=REPO, timeout=120, check=True,
    )
    # Built once, by the warm-up; the pipeline's rules (embedded config) are a hit.
    assert done.stdout.split() == ["1", "1", "1"], done.stderr
