"""The built-in triage rules (BR-8, BR-9, BR-10), as data, gathered in order.

Each is a `Rule` (model.py), written with the fragments of fragments.py so that a phrase
such as "kan ikke" is spelled one way for all of them, and with what around a symptom
qualifies or cancels it (context.py: everyone affected, resolved, past, hypothetical).
The rules live by family: rules_security.py (hack, phishing, misuse, remote-access scam),
rules_outage.py (BR-8: internet, IT solution, printing for everyone), rules_logon.py
(locked account, password, log-on, password reset), rules_system.py (system error).
Mail that is no inquiry at all is sorted out first (not_inquiry.py). `[triage] rules` in
the config file adds rules with the same keys; `replace_defaults` drops these.
"""

from __future__ import annotations

import functools

from daemon.domain.outside_services import OUTSIDE_SERVICES
from daemon.domain.triage.learned import LearnedRule
from daemon.domain.triage.model import Rule
from daemon.domain.triage.not_inquiry import not_an_inquiry
from daemon.domain.triage.rules_logon import logon_rules
from daemon.domain.triage.rules_outage import outage_rules
from daemon.domain.triage.rules_security import security_rules
from daemon.domain.triage.rules_system import system_rules
from daemon.domain.triage.starts import forget_regex_starts

__all__ = ["default_rules", "not_an_inquiry"]


@functools.cache
def _built_rules(outside: tuple[str, ...]) -> tuple[Rule, ...]:
    # In order: of the critical rules that match, the first names the case's reason.
    rules = (
        *security_rules(outside),
        *outage_rules(outside),
        *logon_rules(outside),
        *system_rules(),
        # Last: the learned model speaks only when no critical rule matched (learned.py).
        LearnedRule(),
    )
    # Each regex's start words are kept while rules are built (they share regexes); once
    # built, the rules hold their own: ~0.6 MB freed in each process that classifies,
    # about what the start-word automaton holds more than the regex it replaced (issue
    # 18, worker21). Rules built again read them anew (once, as the first build did).
    forget_regex_starts()
    return rules


def default_rules(outside: tuple[str, ...] = OUTSIDE_SERVICES) -> tuple[Rule, ...]:
    """The built-in rules, built on first use: building them compiles and analyses
    every regex, which a command that never classifies need not wait for.

    `outside`: regexes of the services outside the customer's IT (OUTSIDE_SERVICES)."""
    # One cache entry per list of services, however it is passed: functools.cache keys
    # on the arguments as written, so `default_rules()` (classify's default),
    # `default_rules(OUTSIDE_SERVICES)` (the pipeline's, from [triage]
    # outside_services) and `outside=...` would each build the rules again.
    return _built_rules(tuple(outside))
