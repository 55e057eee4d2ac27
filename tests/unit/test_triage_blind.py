"""The blind held-out triage sets (tests/unit/triage_blind.tsv, triage_blind2.tsv ...
triage_blind8.tsv, as benchmarks.triage_accuracy.BLIND_SETS lists them) are well-formed.

Only the file's shape is checked here, never the classifier's accuracy on it: the set
is measured by `python -m benchmarks.triage_accuracy` (a row per set) and must
not become a target the rules are tuned to (BR-8..BR-10 decide the labels, not the rules).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks import triage_accuracy

SETS = triage_accuracy.BLIND_SETS
NAMES = list(SETS)
# blind7 and blind8, blind9 and blind10, blind11 and blind12, blind13 and blind14, blind15
# and blind16, blind17 and blind18, blind19 and blind20 were written two at a time;
# blind21 ... blind24 four at a time.
LATER = [f"blind{n}" for n in range(7, 25)]
BLIND_SETS = pytest.mark.parametrize("blind", list(triage_accuracy.BLIND_SETS.values()),
                                     ids=list(triage_accuracy.BLIND_SETS))

# A row is Danish by its letters or common words; a row without them must read as English.
DANISH = re.compile(r"[æøå]|\b(jeg|ikke|kan|hej|vi|min|og|til|det)\b", re.IGNORECASE)
ENGLISH = re.compile(r"\b(the|my|i|it|you|your|to|with|of|can.?t|cannot|please|our|since"
                     r"|and|is|was|we)\b", re.IGNORECASE)


def _rows(blind: Path) -> list[str]:
    return [line for line in blind.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def _body(sentence: triage_accuracy.Sentence) -> str:
    return " ".join(sentence.body.lower().split())


@BLIND_SETS
def test_every_row_has_a_valid_label_a_subject_and_a_body(blind: Path) -> None:
    for line in _rows(blind):
        fields = line.split("\t")
        assert len(fields) == 3, line
        label, subject, body = fields
        assert label in ("critical", "normal"), line
        assert subject.strip() and body.strip(), line
        assert subject == subject.strip() and body == body.strip(), line


@BLIND_SETS
def test_the_benchmark_loads_every_row(blind: Path) -> None:
    sentences = triage_accuracy.load(blind)

    assert len(sentences) == len(_rows(blind)) >= 200


@BLIND_SETS
def test_no_mail_is_there_twice(blind: Path) -> None:
    sentences = triage_accuracy.load(blind)
    texts = [(s.subject, " ".join(s.body.lower().split())) for s in sentences]

    assert len(set(texts)) == len(texts)
    assert len({body for _, body in texts}) == len(texts), "two rows with the same body"


@BLIND_SETS
def test_no_mail_is_copied_from_the_tuning_set(blind: Path) -> None:
    # Compared as text without looking at it: a copied row would not be blind.
    tuned = triage_accuracy.load(triage_accuracy.SENTENCES)
    seen = {_body(s) for s in tuned}

    assert not [s.line for s in triage_accuracy.load(blind) if _body(s) in seen]


@pytest.mark.parametrize("name", NAMES[1:6])
def test_each_of_the_first_six_blind_sets_shares_no_mail_with_those_before_it(
        name: str) -> None:
    # Each was written without opening the ones before it (blind was tuned on after it
    # was measured: a row of it in blind2 would not be blind any more); compared here in
    # code only.
    before = NAMES[:NAMES.index(name)]
    earlier = {_body(s) for other in before for s in triage_accuracy.load(SETS[other])}

    assert not [s.line for s in triage_accuracy.load(SETS[name]) if _body(s) in earlier]


@pytest.mark.parametrize("later", LATER)
def test_the_later_blind_sets_share_no_mail_with_any_other(later: str) -> None:
    # Each of a pair was written without opening any other set; compared here in code.
    others = [*(path for name, path in SETS.items() if name != later),
              triage_accuracy.SENTENCES]
    earlier = {_body(s) for path in others for s in triage_accuracy.load(path)}

    assert not [s.line for s in triage_accuracy.load(SETS[later]) if _body(s) in earlier]


def test_every_blind_file_beside_the_tests_is_measured() -> None:
    # A new set not listed in BLIND_SETS would be written and never scored.
    on_disk = sorted(Path(__file__).parent.glob("triage_blind*.tsv"))

    assert on_disk == sorted(triage_accuracy.BLIND_SETS.values())


def test_the_benchmark_prints_a_row_per_blind_set_and_for_a_given_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # The rows' counts only, never their precision or recall (see the module docstring).
    extra = tmp_path / "extra.tsv"
    extra.write_text("# why: BR-9\ncritical\tLåst\tMin konto er låst.\n"
                     "# why: a question\nnormal\tToner\tKan I bestille toner?\n",
                     encoding="utf-8")
    monkeypatch.setattr("sys.argv", ["triage_accuracy", "--file", str(extra)])

    triage_accuracy.main()

    rows = {line.split()[0]: line.split()[1:3] for line in capsys.readouterr().out.splitlines()}
    assert {name: rows[name][0] for name in SETS} == {
        name: str(len(_rows(path))) for name, path in SETS.items()}
    assert rows["file"] == ["2", "1"]


@BLIND_SETS
def test_both_languages_and_both_labels_are_well_represented(blind: Path) -> None:
    sentences = triage_accuracy.load(blind)
    danish = [s for s in sentences if DANISH.search(f"{s.subject} {s.body}")]
    english = [s for s in sentences if not DANISH.search(f"{s.subject} {s.body}")
               and ENGLISH.search(f"{s.subject} {s.body}")]
    critical = [s for s in sentences if s.critical]

    assert len(danish) + len(english) == len(sentences), "a row in neither language"
    assert len(danish) >= 0.6 * len(sentences)
    assert len(english) >= 0.2 * len(sentences)
    assert 0.3 * len(sentences) <= len(critical) <= 0.5 * len(sentences)
    assert {s.critical for s in danish} == {s.critical for s in english} == {True, False}


@BLIND_SETS
def test_every_row_says_why_it_was_labelled_so(blind: Path) -> None:
    why = triage_accuracy.reasons(blind)

    missing = [s.line for s in triage_accuracy.load(blind) if not why.get(s.line)]
    assert not missing


@pytest.mark.parametrize("bad", ["urgent\tSubject\tBody", "critical\tSubject only"])
def test_the_loader_refuses_a_malformed_row(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "blind.tsv"
    path.write_text(f"# why: test\n{bad}\n", encoding="utf-8")

    with pytest.raises(ValueError):
        triage_accuracy.load(path)


def test_new_text_classifies_only_what_the_customer_wrote_now(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As daemon/pipeline/triage.py does: the quoted original below a reply is not judged.
    extra = tmp_path / "extra.tsv"
    extra.write_text("# why: solved\nnormal\tSV: Låst\tDet virker igen nu.\\n\\n"
                     "> Kontoen for blind3-testen er låst\n", encoding="utf-8")
    seen: list[str] = []
    real = triage_accuracy.classify

    def spy(subject: str, body: str, rules: object = None) -> object:
        seen.append(body)
        return real(subject, body, rules)  # type: ignore[arg-type]

    monkeypatch.setattr(triage_accuracy, "classify", spy)
    monkeypatch.setattr("sys.argv", ["triage_accuracy", "--new-text", "--file", str(extra)])

    triage_accuracy.main()

    assert "Det virker igen nu." in seen
    assert not [body for body in seen if "blind3-testen" in body]
