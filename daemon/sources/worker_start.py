"""Imported once by the forkserver the parsing workers are forked from
(daemon/sources/prepare_pool.py): what every worker needs is made here once and
inherited by each fork, so a new worker (one replaced after a large mail or a
timeout) is ready in milliseconds.

The built-in triage rules are the costly part (every regex compiled and analysed,
~0.3 s, and ~0.2 s more on the first mail classified): the workers classify each new
mail ahead of the pipeline's triage step.
"""

from daemon.domain.language import detect_language
from daemon.domain.triage import classify
from daemon.mail.quotes import new_text
from daemon.sources import prepare_pool  # noqa: F401 - the workers' code, loaded once

# Built, and used once, so what they build on first use (the rules' start-word
# scanner, the quote and language patterns) is built here too. classify's default
# rules are the cache entry pipeline.step.Tools uses with the embedded [triage]
# outside_services (one entry however they are asked for: triage/rules.py); a config
# that names other services has its rules built on each new worker's first mail.
classify("Printeren virker ikke", new_text("Hej\n\nIngen kan printe.\n"))
detect_language("Printeren virker ikke", "Hej")
