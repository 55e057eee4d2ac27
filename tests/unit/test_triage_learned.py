"""The learned second opinion of the triage rules (daemon/domain/triage/learned.py,
issue 16): its plain-Python reading of the weights is scikit-learn's, it speaks only
where no critical rule did, a rule that rules a symptom out beats it, and a case it
makes critical says so."""

from __future__ import annotations

import dataclasses
import gc
import json
import math
import random
import tracemalloc
from pathlib import Path

import pytest

from daemon.domain.triage import classify, default_rules, normalise_text, rules_from_config
from daemon.domain.triage.learned import (
    _FIRST_PICKED,
    NAME,
    WEIGHTS,
    LearnedRule,
    Weights,
    _largest_first,
    _words,
    asked_about,
    char_wb_ngrams,
    contributions,
    judged_text,
    load_weights,
    probability,
    score,
    word_ngrams,
)
from daemon.domain.triage.learned_score import Table
from daemon.domain.triage.starts import Starts

SENTENCES = Path(__file__).with_name("triage_sentences.tsv")


def test_the_ngrams_are_scikit_learns_char_wb() -> None:
    # Each word padded with one space each side; a word shorter than n counts once.
    assert char_wb_ngrams("ab  cde", 2, 3) == {
        " a": 1, "ab": 1, "b ": 1, " ab": 1, "ab ": 1,
        " c": 1, "cd": 1, "de": 1, "e ": 1, " cd": 1, "cde": 1, "de ": 1,
    }
    assert char_wb_ngrams("x", 2, 5) == {" x": 1, "x ": 1, " x ": 1}
    assert char_wb_ngrams("aa aa", 2, 2) == {" a": 2, "aa": 2, "a ": 2}


def test_the_word_ngrams_are_scikit_learns_default_word_analyzer() -> None:
    # Words of two or more word characters ("i" and "?" are none), then bigrams of them.
    assert word_ngrams("kan i ikke logge på?", 1, 2) == {
        "kan": 1, "ikke": 1, "logge": 1, "på": 1,
        "kan ikke": 1, "ikke logge": 1, "logge på": 1,
    }
    assert word_ngrams("nede nede", 1, 2) == {"nede": 2, "nede nede": 1}
    assert word_ngrams("x", 1, 2) == {}


def test_the_daemon_reads_the_weights_as_scikit_learn_does() -> None:
    """The training tool stored scikit-learn's own probabilities for sample mails."""
    checks = json.loads(WEIGHTS.read_text(encoding="utf-8"))["checks"]
    weights = load_weights()
    assert len(checks) >= 20
    for text, expected in checks:
        assert math.isclose(probability(text, weights), expected, abs_tol=1e-4), text
    # And they are not all one answer: the samples span both classes.
    assert min(e for _, e in checks) < 0.2 and max(e for _, e in checks) > 0.8


def test_a_fault_in_words_no_rule_has_is_critical_and_says_it_was_the_model() -> None:
    subject = "Adgang"
    body = "Jeg bliver afvist når jeg prøver at komme ind på vores system hjemmefra."
    found = classify(subject, body)
    assert (found.critical, found.rule) == (True, NAME)
    assert found.reason.startswith(f'{NAME}: "p 0.')
    assert "weighed most:" in found.reason
    # Without the model (the last built-in rule) no rule has it: the model made it critical.
    assert isinstance(default_rules()[-1], LearnedRule)
    assert not classify(subject, body, default_rules()[:-1]).critical


def test_a_rule_that_rules_the_symptom_out_beats_the_model() -> None:
    subject = "Internet"
    body = "Hej\nDet er ikke hele kontoret, det er kun min pc der ikke kan komme på nettet."
    # The wording alone looks critical to the model ...
    assert probability(judged_text(subject, body), load_weights()) >= load_weights().threshold
    # ... but the outage rule read "ikke hele kontoret" (BR-8: not everyone affected).
    assert not classify(subject, body).critical


def test_ordinary_requests_stay_normal() -> None:
    for subject, body in [
        ("Ny mus", "Kan I bestille en ny mus til mig? Den gamle er slidt."),
        ("Licens", "Hvornår udløber vores Office-licenser? Vi skal budgettere."),
        ("New starter", "We have a new colleague starting on Monday, can you order a laptop?"),
    ]:
        assert not classify(subject, body).critical, subject


def test_own_rules_replacing_the_built_in_ones_have_no_model() -> None:
    own = rules_from_config([{"name": "kasse", "patterns": ["kassen er nede"],
                              "critical": True}])
    assert NAME not in [rule.name for rule in own]
    body = "Jeg bliver afvist når jeg prøver at komme ind på vores system hjemmefra."
    assert not classify("Adgang", body, own).critical


def test_a_short_note_is_left_to_the_rules() -> None:
    """A phone note, "Printeren virker ikke" / "Ringede": one person's printer (BR-8:
    not everyone). The model alone reads "ringede" as a story of a hack."""
    subject, body = "Printeren virker ikke", "Ringede"
    assert probability(judged_text(subject, body), load_weights()) >= load_weights().threshold
    assert not classify(subject, body).critical


def test_a_mail_that_says_the_fault_is_absent_is_left_to_the_rules() -> None:
    """Issue 16's known false positive: the model reads "hos nogen af os" as everyone
    affected and cannot read "ingen fejl"; it is not asked about a denied fault."""
    subject, body = "Server", "Serveren gav ingen fejl hos nogen af os i nat"
    assert probability(judged_text(subject, body), load_weights()) >= load_weights().threshold
    assert not classify(subject, body).critical
    for denied in ("No errors for any of us overnight, the server ran fine.",
                   "Backuppen kørte uden fejl i nat, ingen af os har mærket noget.",
                   "Vi har ikke haft nogen problemer med at logge på efter opdateringen."):
        assert not asked_about(normalise_text(denied)), denied  # the rules' text
    # "No error message" beside a fault is no denial of the fault: the model is asked.
    assert asked_about(normalise_text("Der kommer ingen fejlmeddelelse, skærmen bliver bare "
                                      "sort hos alle."))
    assert asked_about(normalise_text("Jeg bliver afvist når jeg prøver at komme ind på vores "
                                      "system."))


def test_the_weights_are_read_compactly_and_whole(tmp_path: Path) -> None:
    """Issue 18: load_weights reads the file one n-gram at a time into arrays (a worker
    kept json.loads' lists of floats resident). It holds every n-gram of the file with
    the file's numbers, whatever the file's layout (indented, keys in another order)."""
    raw = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    weights = load_weights()
    for table, key in ((weights.grams, "grams"), (weights.words, "words")):
        assert len(table) == len(raw[key]) > 1000
        assert all(table.known(gram) == (idf, coef) for gram, (idf, coef) in raw[key].items())
        assert table.known("no such n-gram") is None
    assert (weights.ngrams, weights.threshold, weights.intercept, weights.word_ngrams) == (
        tuple(raw["ngrams"]), raw["threshold"], raw["intercept"], tuple(raw["word_ngrams"]))
    reordered = {"grams": {"é\"\\n": [1.5, -2.0], " ab": [2.0, 0.25]}, "threshold": 0.6,
                 "intercept": -1.0, "checks": [["x", 0.5]], "ngrams": [2, 5]}
    indented = tmp_path / "indented.json"
    indented.write_text(json.dumps(reordered, indent=2, ensure_ascii=False), encoding="utf-8")
    other = load_weights(indented)
    assert (other.ngrams, other.threshold, other.intercept) == ((2, 5), 0.6, -1.0)
    assert (len(other.grams), len(other.words)) == (2, 0)  # a file without word n-grams
    assert other.grams.known("é\"\\n") == (1.5, -2.0)
    assert other.grams.known(" ab") == (2.0, 0.25)


def test_an_idf_is_one_float_object_for_every_n_gram_holding_it() -> None:
    """Issue 18 (worker23): a table's idfs are a list of floats shared by value (the
    character n-grams have ~1,300 idfs for ~53,000 places), so picking them makes no new
    float: each place still holds its own idf, bit for bit, and a zero keeps its sign
    (0.0 == -0.0: sharing by value alone would give one the other's)."""
    weights = load_weights()
    for table in (weights.grams, weights.words):
        held = list(table.idf)  # held, so no id is a freed float's again
        assert len({id(idf) for idf in held}) == len(set(held)) < len(table) / 20
    table = Table()
    for gram, idf in (("ab", 2.5), ("bc", 0.0), ("cd", -0.0), ("de", 2.5), ("ef", 0.0)):
        table.add(gram, idf, 1.0)
    table.added()
    assert table.idf[0] is table.idf[3]
    assert [math.copysign(1.0, idf) for idf in table.idf[1:3]] == [1.0, -1.0]
    assert [math.copysign(1.0, idf) for idf, _coef in map(table.known, ("bc", "cd"))] == [
        1.0, -1.0]


def test_the_weights_read_in_pieces_are_the_weights_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18 (mem18): the file is read a piece at a time (the whole as one UCS-4 str
    was ~10 MB of each worker's peak). A piece may end inside a key, a number ("-2.57" of
    "-2.57485"), white space or between entries: read in pieces of 1 ... 9 characters a
    small file gives the same values as read whole, and the real file in pieces of 997
    the same tables in the same order."""
    import daemon.domain.triage.learned as learned

    small = {"ngrams": [2, 5], "threshold": 0.55, "intercept": -2.57485,
             "grams": {"é\"\\n": [1.5, -2.0], " ab": [2.0, 0.25], "🙂 x": [3.25, -0.125]},
             "word_ngrams": [1, 2], "words": {"kan ikke": [4.5, 1.0625]}}
    path = tmp_path / "small.json"
    path.write_text(json.dumps(small, indent=1, ensure_ascii=False), encoding="utf-8")

    def tables(weights: Weights) -> tuple[object, ...]:
        return (weights.ngrams, weights.threshold, weights.intercept, weights.word_ngrams,
                list(weights.grams.index.items()), list(weights.grams.idf),
                list(weights.grams.coef), list(weights.words.index.items()),
                list(weights.words.idf), list(weights.words.coef))

    whole = tables(load_weights.__wrapped__(path))
    assert whole[:3] == ((2, 5), 0.55, -2.57485)
    assert whole[4] == [("é\"\\n", 0), (" ab", 1), ("🙂 x", 2)]
    real = tables(load_weights())
    for size in range(1, 10):
        monkeypatch.setattr(learned, "_PIECE", size)
        assert tables(load_weights.__wrapped__(path)) == whole
        with pytest.raises(ValueError):
            broken = tmp_path / "broken.json"
            broken.write_text('{"grams": {"ab": [1.0, 2.0],}}', encoding="utf-8")
            load_weights.__wrapped__(broken)
    monkeypatch.setattr(learned, "_PIECE", 997)
    assert tables(load_weights.__wrapped__(WEIGHTS)) == real
    # Written compactly, as train_triage_model.py does: most entries read by one regex
    # (learned._COMPACT_GRAM, issue 18), the others (an integer, -0, white space, a piece
    # cut inside one) the general way; escaped or not, the same tables.
    small["grams"] |= {"int": [2, 0], "neg": [-0.0, 1e-05], "sp": [0.5, 1.5]}
    for ascii_only in (False, True):
        written = json.dumps(small, separators=(",", ":"), ensure_ascii=ascii_only)
        written = written.replace('"sp":[0.5,', '"sp":[ 0.5,').replace('[2,0]', '[2,-0]')
        path.write_text(written, encoding="utf-8")
        monkeypatch.setattr(learned, "_PIECE", 64 * 1024)
        whole = tables(load_weights.__wrapped__(path))
        assert whole[4][3:] == [("int", 3), ("neg", 4), ("sp", 5)]
        assert [str(coef) for coef in whole[6]] == ["-2.0", "0.25", "-0.125", "0.0", "1e-05",
                                                    "1.5"]
        assert whole[4][:3] == [("é\"\\n", 0), (" ab", 1), ("🙂 x", 2)]
        for size in range(1, 10):
            monkeypatch.setattr(learned, "_PIECE", size)
            assert tables(load_weights.__wrapped__(path)) == whole



def test_white_space_between_compact_entries_reads_as_json_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """review19: entries written compactly but apart (", " or a line each, as json.dumps
    with item separator ", " writes them) are JSON all the same; an entry read by the
    compact regex and white space before the next was refused (Expecting value)."""
    import daemon.domain.triage.learned as learned

    grams = {"ab": [0.5, -2.0], "bc": [1.5, 0.25], "cd": [2.5, 0.125]}
    written = json.dumps({"ngrams": [2, 4], "threshold": 0.5, "intercept": -1.25,
                          "grams": grams, "word_ngrams": [1, 2], "words": {"kan ikke": [1.5, 1.0]}},
                         separators=(",", ":"))
    for apart in (", ", ",\n", ",\r\n\t"):
        path = tmp_path / "apart.json"
        path.write_text(written.replace("],", "]" + apart), encoding="utf-8")
        for size in (64 * 1024, 3, 7):
            monkeypatch.setattr(learned, "_PIECE", size)
            weights = load_weights.__wrapped__(path)
            assert list(weights.grams.index) == list(grams)
            assert list(weights.grams.coef) == [-2.0, 0.25, 0.125]
            assert list(weights.words.index) == ["kan ikke"]

def test_a_broken_weights_file_is_refused(tmp_path: Path) -> None:
    for broken in ('{"ngrams": [2, 5] "threshold": 0.5}', '{"grams": {"ab": [1.0, 2.0],}}',
                   '["ngrams"]', '{"grams": {1: [1.0, 2.0]}}'):
        path = tmp_path / "broken.json"
        path.write_text(broken, encoding="utf-8")
        with pytest.raises(ValueError):
            load_weights(path)
        load_weights.cache_clear()


def _texts() -> list[str]:
    """What the model reads of the hand-written mails, and texts at the edges: empty,
    one letter, a word repeated past the sublinear table, words it never saw."""
    rows = [line.split("\t") for line in SENTENCES.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    texts = [judged_text(subject, body.replace("\\n", "\n")) for _, subject, body in rows]
    return texts + ["", "x", "ab  cde", "nede " * 70, "qqqzzz xxyyq", "å" * 300,
                    f"serveren er nede for alle {'q' * 80} ingen kan arbejde, nede nede"]


def test_the_cheap_score_is_the_plain_sum_to_the_last_bit() -> None:
    """Issue 18: classify() scores by the places of the known n-grams (learned_score.py),
    not by every n-gram as a string; the terms and their order are the same, and so is
    the float."""
    weights = load_weights()
    for text in _texts():
        assert score(text, weights) == contributions(text, weights)[0], text


def test_the_evidence_names_the_words_the_plain_shares_name() -> None:
    weights = load_weights()
    rule = LearnedRule()
    made_critical = 0
    for text in _texts():
        found = rule.find(text, 0, Starts.of((), text))
        if found.evidence is None:
            continue
        made_critical += 1
        plain = contributions(text, weights)[1]
        ranked = ((gram, plain[gram]) for gram in sorted(plain, key=plain.__getitem__,
                                                         reverse=True))
        chance = probability(text, weights)
        assert found.evidence == f"p {chance:.2f}; weighed most: {_words(text, ranked)}"
    assert made_critical > 100


def test_the_word_cache_does_not_keep_long_tokens() -> None:
    """Review of issue 18's word cache: it counts words, not bytes, and a word holds ~4
    places a character, so mail with long tokens (a base64 or hex run in a body) filled
    it with ~60 KB a word, ~120 MB a process at 2,048 words. A word over
    CACHED_WORD_CHARS is cut anew instead: 40 texts of a 1,000-character token each keep
    nothing (they kept ~1.3 MB before); the scores stay the plain sums."""
    weights = dataclasses.replace(load_weights())  # a cache of its own, empty
    draw = random.Random(18)
    texts = [
        "printeren virker ikke " + "".join(draw.choice("abcdefghij0123456789") for _ in range(1000))
        for _ in range(40)
    ]
    score(texts[0], weights)  # the short words of every text, cached once
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        scores = [score(text, weights) for text in texts]
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 100_000, f"{kept} bytes kept by 40 long tokens"
    assert scores == [contributions(text, weights)[0] for text in texts]


def test_a_bad_escape_in_a_compact_key_is_refused_where_json_refuses_it(tmp_path: Path) -> None:
    """review19: the error names the file's place, as json.loads does (and the general
    way did), not the place in the key alone."""
    text = ('{"ngrams":[2,4],"threshold":0.5,"intercept":-1.25,'
            '"grams":{"ok":[0.1,0.2],"a\\q":[0.1,0.2]}}')
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(json.JSONDecodeError) as refused:
        load_weights.__wrapped__(path)
    assert (refused.value.msg, refused.value.pos) == (expected.value.msg, expected.value.pos)


def test_the_largest_terms_come_in_the_order_of_sorting_them_all() -> None:
    # _largest_first (issue 18, classify20) picks the first few without sorting them all:
    # the same order as the full sort, ties in their order, however many are asked for.
    for terms in ([0.5, 0.25, 0.5, 0.125], [0.25] * 20, [float(n % 7) for n in range(50)], []):
        places = list(range(len(terms)))
        assert list(_largest_first(places, terms.__getitem__)) == sorted(
            places, key=terms.__getitem__, reverse=True)
    assert _FIRST_PICKED < 20


def test_the_gates_tried_where_their_start_words_are_answer_as_their_searches() -> None:
    """Issue 18 (worker21): in classify the model's gates are tried only where classify's
    one scan found their start words (LearnedRule.start_sets); the answer is the one the
    gates' searches give, for every text (and for texts the gates' words are in)."""
    from triage_texts import judged_texts

    from daemon.domain.triage import learned

    rules = default_rules()
    assert LearnedRule().start_sets and set(LearnedRule().start_sets) <= {
        words for rule in rules for words in rule.start_sets}
    texts = judged_texts() + [normalise_text(t) for t in (
        "Ingen kommer ind på kontoret før låsesmeden har været her, hele dagen i dag",
        "Mine mails kommer lidt sent ind på telefonen i dag. Ikke noget stort problem",
        "Computeren giver fejl hver gang jeg starter excel her til morgen, hvad gør jeg",
        "Kortterminalen siger ingen forbindelse i butikken, alle vores pc'er virker fint",
        "Teams bad mig logge ind igen, og det gjorde jeg i morges. Nu virker det.",
        "Windows kunne ikke installere opdateringen i nat på min bærbare pc derhjemme",
    )]
    gated = 0
    for text in texts:
        starts = Starts.of(rules, text)
        assert asked_about(text, starts) == asked_about(text), text
        gated += any(starts.get(words) for words in learned._GATE_SETS)  # noqa: SLF001
    assert gated > 50
    # A Starts that did not look for the gates' words: each gate is searched.
    for text in texts[-6:]:
        assert not asked_about(text, Starts.of((), text)) and not asked_about(text)


def test_a_gate_compiled_with_flags_is_searched_not_tried_at_its_pattern_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """review22: a gate's start words are read from its pattern's text, which says
    nothing of the flags it was compiled with: under re.IGNORECASE "no rush" matches
    "No Rush" (and "ſ" matches "s"), where no start word "no rush" is. Such a gate is
    searched (as required.Search does not test strings for it either), its answer the
    search's."""
    import re

    from daemon.domain.triage import learned

    blind = re.compile(r"\bno rush\b", re.IGNORECASE)
    monkeypatch.setattr(learned, "_NOT_URGENT", blind)
    monkeypatch.setattr(learned, "_STARTED_GATES", (*learned._STARTED_GATES, blind))  # noqa: SLF001
    learned._gate_starts.cache_clear()  # noqa: SLF001
    try:
        # Its words (if any are read) looked for with the others', as the module's are.
        words = learned._gate_starts(blind)  # noqa: SLF001
        gate_sets = (*learned._GATE_SETS, *([words] if words else []))  # noqa: SLF001
        monkeypatch.setattr(learned, "_GATE_SETS", gate_sets)
        rules = (*default_rules()[:-1], LearnedRule())
        text = normalise_text("Printeren på kontoret virker ikke og skriver fejl hele tiden") + (
            " No Rush")
        starts = Starts.of(rules, text)
        assert asked_about(text, starts) == asked_about(text) is False
    finally:
        learned._gate_starts.cache_clear()  # noqa: SLF001
