"""The built-in triage rules are built once per list of outside services, however they
are asked for (domain/triage/rules.py): building them compiles and analyses every
regex. Each parsing worker builds its own from the settings it is sent
(sources/parse_worker.py), and they must be the rules the pipeline's step uses."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import write_config

from daemon.domain.outside_services import OUTSIDE_SERVICES
from daemon.domain.triage import default_rules
from daemon.pipeline.step import Tools
from daemon.settings import load_settings
from daemon.sources.parse_worker import triage_rules
from daemon.sources.prepare_pool import PreparePool


def test_the_default_rules_are_one_object_however_they_are_asked_for() -> None:
    rules = default_rules()
    assert default_rules(OUTSIDE_SERVICES) is rules
    assert default_rules(outside=OUTSIDE_SERVICES) is rules
    # As pipeline.step.Tools asks, from the [triage] outside_services list.
    assert default_rules(tuple(list(OUTSIDE_SERVICES))) is rules
    assert default_rules(outside=()) is not rules


@pytest.mark.parametrize("triage", [
    {},
    {"outside_services": ["facebook", "e-conomic"]},
    {"rules": [{"name": "kassesystem", "patterns": ["kassen er nede"], "critical": True}]},
    {"rules": [{"name": "kassesystem", "patterns": ["kassen er nede"], "critical": True}],
     "replace_defaults": True},
], ids=["embedded", "outside_services", "own_rules", "replace_defaults"])
def test_a_worker_builds_the_rules_the_pipeline_uses(tmp_path: Path, triage: dict) -> None:  # type: ignore[type-arg]
    settings = load_settings(write_config(
        tmp_path / "oo.toml", database_url=f"sqlite:///{tmp_path}/oo.db",
        extra={"triage": triage} if triage else None,
    ), environ={})
    setup = PreparePool(settings)._setup  # noqa: SLF001 - what the daemon sends a worker
    in_worker = triage_rules(setup)
    in_pipeline = Tools(settings, None, None).triage_rules  # type: ignore[arg-type]
    assert [rule.name for rule in in_worker] == [rule.name for rule in in_pipeline]
    assert in_worker == tuple(in_pipeline)


def test_the_built_rules_keep_no_reading_of_each_regex() -> None:
    """Issue 18 (worker21): the cache of each regex's start words serves the build (rules
    share regexes); built, the rules hold their own, and the cache is emptied (~0.6 MB in
    each classifying process). Rules built again are the same rules."""
    from daemon.domain.triage import rules as rules_module
    from daemon.domain.triage import starts

    build = rules_module._built_rules.__wrapped__  # noqa: SLF001 - built anew, not cached
    before = build(("x",))
    assert starts._regex_starts.cache_info().currsize == 0  # noqa: SLF001
    again = build(("x",))
    assert again == before and [r.start_sets for r in again] == [r.start_sets for r in before]


def test_replies_are_judged_without_the_learned_model_and_with_the_same_verdicts(
    tmp_path: Path,
) -> None:
    """Issue 18: a customer's reply is judged in the daemon's own process
    (pipeline/conversation.py), where only a rule's critical match counts; the learned
    model is left out there (its weights, ~15-24 MB, stay in the parsing workers). It is
    the last rule and speaks only when no critical rule matched, so every reply that a
    rule makes critical with it is made critical without it, and no other."""
    from benchmarks.corpus import generate
    from daemon.domain.triage.follow_up import follow_up_verdict
    from daemon.domain.triage.learned import NAME as LEARNED_RULE
    from daemon.domain.triage.learned import LearnedRule
    from daemon.mail.parse import parse

    settings = load_settings(write_config(
        tmp_path / "oo.toml", database_url=f"sqlite:///{tmp_path}/oo.db"), environ={})
    tools = Tools(settings, None, None)  # type: ignore[arg-type]
    assert isinstance(tools.triage_rules[-1], LearnedRule)
    assert tools.reply_rules == tools.triage_rules[:-1]
    assert tools.reply_rules is tools.reply_rules  # built once: its scanner is cached by id
    critical = 0
    for raw in generate(400, seed=5):
        parsed = parse(raw)
        subject, body = parsed.subject or "", parsed.body_text or ""
        with_model = follow_up_verdict(subject, body, "Printer", tools.triage_rules)
        without = follow_up_verdict(subject, body, "Printer", tools.reply_rules)
        by_a_rule = with_model.critical and with_model.rule != LEARNED_RULE
        assert without.critical == by_a_rule, (subject, with_model.reason, without.reason)
        critical += by_a_rule
    assert critical > 0  # the sample holds mails a rule makes critical
