"""benchmarks/triage_golden.py: the comparison that says two trees' triage agree (issue 18)."""

from __future__ import annotations

from typing import Any

from benchmarks.triage_golden import TSV_FILES, differences, records, tsv_mails


def _record(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": "a.tsv:3", "text_md5": "x", "verdict": [True, "high", "rule", "why"],
        "findings": [["one", "ord", None, False], ["two", None, None, False]],
        "asked": True, "probability": 0.75,
    }
    return record | changes


def test_a_probability_within_the_tolerance_is_the_same() -> None:
    assert differences([_record()], [_record(probability=0.75 + 4e-10)]) == []


def test_a_probability_beyond_the_tolerance_differs() -> None:
    assert differences([_record()], [_record(probability=0.75 + 2e-9)]) == [
        "a.tsv:3 probability: 0.75 != 0.750000002"]


def test_a_verdict_or_a_finding_must_be_equal() -> None:
    changed = _record(verdict=[True, "high", "rule", "other words"],
                      findings=[["one", "ord", None, False], ["two", None, "negated", True]])
    assert sorted(differences([_record()], [changed])) == [
        "a.tsv:3 finding: ['two', None, None, False] != ['two', None, 'negated', True]",
        "a.tsv:3 verdict: [True, 'high', 'rule', 'why'] != [True, 'high', 'rule', 'other words']",
    ]


def test_other_mails_are_a_difference() -> None:
    assert differences([_record()], [_record(id="b.tsv:3")]) == [
        "the trees recorded different mails"]


def test_the_records_of_this_tree_hold_every_rule_and_the_model() -> None:
    mails = tsv_mails(TSV_FILES[0])[:3]
    found = records(mails)
    assert [r["id"] for r in found] == [m[0] for m in mails]
    assert all(0.0 < r["probability"] < 1.0 for r in found)
    assert found[0]["findings"][-1][0] == "learned_wording"
    assert differences(found, records(mails)) == []
