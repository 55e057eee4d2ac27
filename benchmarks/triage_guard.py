"""The guard of the learned opinion's threshold (issue 16, tune20), a development tool.

After the round-out sweep picks a threshold (train_triage_model's comment above CHOSEN),
the guard steps it up until the model so trained flags no hand-written mail the test
suite expects NOT to be critical. Until tune20 that was a manual step over the normal
sentences of tests/unit/test_triage*.py only, and a retrained model once turned an
integration test's normal printer mail critical in CI. Here the mails are collected
mechanically, from both places:

- unit: tests/unit/test_triage*.py are run (pytest, in this process) with the learned
  opinion forced to say "critical" whenever it is asked. A test that then fails expects
  some mail the model was asked about not to be critical; the texts it was asked about
  in that test, which the shipped model judges normal, are guard mails. How the test
  states it (a NORMAL list, a parametrized near-miss, an inline assert) does not matter.
  Texts of the labelled sets (tests/unit/triage_*.tsv) are left out: they are trained on
  and scored by the sweep, and a test that scores a whole set fails when forced.
- integration: the mails are built by helpers in tests/integration/*.py and
  tests/harness.py and classified in the daemon's parse workers (other processes), so
  they are collected from the source (`_pairs`): a helper's defaults, every (subject,
  body) a call passes as keywords, as `--subject`/`--body` arguments or positionally to
  a helper whose parameters are so named, and the rows of a parametrize naming them
  (f-string fields read as "1"). Of those, the ones the shipped
  classifier (rules and model) judges not critical are guard mails: the suite passes
  with them normal. tests/unit/test_triage_guard.py checks that the collection still
  finds the mails of every integration file that asserts a normal priority.

Every guard mail is one the rules leave to the model (the model was asked about it), so
it is flagged at a threshold when the candidate model's probability reaches it.
`guard(weights)` reports, per threshold, the flagged mails with that probability; the
weights are a candidate's file (train_triage_model --out elsewhere), read as the daemon
reads them.

    python -m benchmarks.triage_guard [--weights PATH]   # PATH: candidate weights
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import triage_accuracy

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "tests" / "unit"
INTEGRATION = ROOT / "tests" / "integration"
HARNESS = ROOT / "tests" / "harness.py"
THRESHOLDS = tuple(step / 100 for step in range(30, 100, 5))


@dataclass(frozen=True)
class GuardMail:
    """A mail the suite expects not to be critical: where it is, and what classify reads."""

    where: str  # a unit test's node id, or an integration file's name
    subject: str
    body: str  # for unit mails: empty, `text` is the judged text itself
    text: str  # learned.judged_text, or the text the model was asked about


# -- unit tests: run with the model forced to say critical ------------------------------


class _Forced:
    """A pytest plugin: the learned opinion says critical whenever asked; which texts it
    was asked about in which test, and which tests failed."""

    def __init__(self) -> None:
        self.asked: dict[str, list[tuple[str, bool]]] = {}
        self.failed: set[str] = set()
        self._current = ""

    def pytest_runtest_logstart(self, nodeid: str, location: object) -> None:
        self._current = nodeid

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.failed:
            self.failed.add(report.nodeid)

    @contextlib.contextmanager
    def patched(self) -> Iterator[None]:
        from daemon.domain.triage import learned
        from daemon.domain.triage.model import Finding

        original = learned.LearnedRule.find

        def forced(rule: Any, text: str, subject_end: int, starts: Any) -> Finding:
            shipped = original(rule, text, subject_end, starts)
            if learned.asked_about(text):
                self.asked.setdefault(self._current, []).append(
                    (text, shipped.evidence is not None))
                return Finding(evidence="guard: forced critical")
            return shipped

        learned.LearnedRule.find = forced  # type: ignore[method-assign]
        try:
            yield
        finally:
            learned.LearnedRule.find = original  # type: ignore[method-assign]


def _labelled_texts() -> set[str]:
    from daemon.domain.triage.learned import judged_text

    paths = sorted(UNIT.glob("triage_*.tsv"))
    return {judged_text(s.subject, s.body) for path in paths for s in triage_accuracy.load(path)}


def unit_mails(files: Sequence[Path] | None = None) -> list[GuardMail]:
    """The texts the unit tests expect not critical that the model is asked about."""
    import pytest

    # Not the guard's own tests: they classify the integration mails, forced or not.
    chosen = [str(p) for p in (files or sorted(UNIT.glob("test_triage*.py")))
              if Path(p).name != "test_triage_guard.py"]
    plugin = _Forced()
    sys.path.insert(0, str(UNIT))
    with plugin.patched(), contextlib.redirect_stdout(io.StringIO()):
        # -n 0: in this process (addopts runs two xdist workers), where the patch is.
        pytest.main(["-q", "-n", "0", "-p", "no:cacheprovider", "--no-header", *chosen],
                    plugins=[plugin])
    labelled = _labelled_texts()
    found: dict[str, GuardMail] = {}
    for nodeid in sorted(plugin.failed):
        for text, shipped_flags in plugin.asked.get(nodeid, []):
            if not shipped_flags and text not in labelled and text not in found:
                found[text] = GuardMail(nodeid, "", "", text)
    return list(found.values())


# -- integration tests: the mails in their source ---------------------------------------


Bound = dict[str, list[tuple[int, ast.expr]]]


def _bindings(statements: Iterator[ast.AST] | Sequence[ast.AST]) -> Bound:
    """Each name bound by a plain assignment among `statements`, with the line of each
    binding: QUIET = ("subject", "body"), body = "..." (review20)."""
    found: Bound = {}
    for node in statements:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            found.setdefault(node.targets[0].id, []).append((node.lineno, node.value))
        elif (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
              and node.value is not None):
            found.setdefault(node.target.id, []).append((node.lineno, node.value))
    return found


def _bound(name: str, line: int, bound: Bound) -> ast.expr | None:
    """The value `name` was last bound to before `line`."""
    before = [value for at, value in bound.get(name, ()) if at < line]
    return before[-1] if before else None


def _literal(node: ast.expr | None, bound: Bound | None = None, line: int = 0) -> str | None:
    """A string constant or an f-string (its fields read as "1"), else None; with `bound`
    (review20) also a name bound to one before `line` (the module's or the function's), an
    item of a tuple or list so bound (QUIET[0]), and strings joined by + or repeated by *."""
    if bound:
        if isinstance(node, ast.Name) and (value := _bound(node.id, line, bound)) is not None:
            return _literal(value, bound, min(line, value.lineno))
        if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
                and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, int)
                and isinstance(items := _bound(node.value.id, line, bound), (ast.Tuple, ast.List))
                and -len(items.elts) <= node.slice.value < len(items.elts)):
            return _literal(items.elts[node.slice.value], bound, items.lineno)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left, bound, line), _literal(node.right, bound, line)
        return None if left is None or right is None else left + right
    if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult)
            and isinstance(node.right, ast.Constant) and isinstance(node.right.value, int)):
        text = _literal(node.left, bound, line)
        return None if text is None else text * min(node.right.value, 10_000)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            else:
                parts.append("1")
        return "".join(parts)
    return None


def _positions(tree: ast.AST) -> dict[str, tuple[int | None, int | None]]:
    """Each function's positional places of its `subject` and `body` parameters."""
    found: dict[str, tuple[int | None, int | None]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names = [a.arg for a in node.args.args]
            keyword_only = {a.arg for a in node.args.kwonlyargs}
            if {"subject", "body"} & (set(names) | keyword_only):
                found[node.name] = (names.index("subject") if "subject" in names else None,
                                    names.index("body") if "body" in names else None)
    return found


def _at(values: Sequence[str | None], place: int | None) -> str | None:
    return values[place] if place is not None and place < len(values) else None


def _pairs(tree: ast.AST, helpers: dict[str, tuple[int | None, int | None]]) -> Iterator[
        tuple[str, str]]:
    """The (subject, body) pairs written in a test module: a helper's defaults (also
    `subject or "..."` in its body), keywords of a call, positional arguments of a helper
    whose parameters are named so (`helpers`), `--subject`/`--body` arguments, and the rows
    of a parametrize naming "subject" and "body"."""
    scopes = _scopes(tree)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args.args + node.args.kwonlyargs
            defaults = ([None] * (len(node.args.args) - len(node.args.defaults))
                        + list(node.args.defaults) + list(node.args.kw_defaults))
            named = {a.arg: _literal(d) for a, d in zip(args, defaults, strict=True)}
            for inner in ast.walk(node):
                # "msg.set_content(body or f'...')": the default written in the body.
                if (isinstance(inner, ast.BoolOp) and isinstance(inner.op, ast.Or)
                        and isinstance(inner.values[0], ast.Name)
                        and inner.values[0].id in ("subject", "body")):
                    named[inner.values[0].id] = named.get(inner.values[0].id) or _literal(
                        inner.values[-1])
            if named.get("subject") is not None or named.get("body") is not None:
                yield named.get("subject") or "", named.get("body") or ""
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        bound = scopes.get(id(node), {})
        strings = [_literal(a, bound, node.lineno) for a in node.args]
        keywords = {k.arg: _literal(k.value, bound, node.lineno) for k in node.keywords if k.arg}
        subject_at, body_at = helpers.get(name, (None, None))
        subject = keywords.get("subject") or _at(strings, subject_at)
        body = keywords.get("body") or _at(strings, body_at)
        if subject is not None or body is not None:
            yield subject or "", body or ""
        for i, value in enumerate(strings[:-1]):
            if value == "--subject" and strings[i + 1] is not None:
                body = next((strings[j + 1] for j in range(i + 2, len(strings) - 1)
                             if strings[j] == "--body" and strings[j + 1] is not None), "")
                yield strings[i + 1] or "", body or ""
        if name == "parametrize" and len(node.args) >= 2:
            yield from _rows(node.args[0], node.args[1])


def _scopes(tree: ast.AST) -> dict[int, Bound]:
    """For each call (by id), the names bound where it is: the module's top level, and
    its function's own (a nested function's in place of the outer one's)."""
    top = _bindings(getattr(tree, "body", ()))
    found: dict[int, Bound] = {}

    def visit(node: ast.AST, bound: Bound) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            bound = {**top, **_bindings(ast.walk(node))}
        if isinstance(node, ast.Call):
            found[id(node)] = bound
        for child in ast.iter_child_nodes(node):
            visit(child, bound)

    visit(tree, top)
    return found


def _unread(tree: ast.AST, helpers: dict[str, tuple[int | None, int | None]]) -> list[
        tuple[int, str]]:
    """The calls of a mail helper (`helpers`) whose subject or body the collection cannot
    read (review20): neither written out (`_literal`, the module's constants too) nor a
    parameter of the function around the call passed on (whose callers are read). Each as
    (line, the call's source)."""
    scopes = _scopes(tree)
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, passed_on: frozenset[str]) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            arguments = node.args
            passed_on = passed_on | {a.arg for a in (*arguments.posonlyargs, *arguments.args,
                                                      *arguments.kwonlyargs)}
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            if name in helpers:
                keywords = {k.arg: k.value for k in node.keywords if k.arg}
                for key, place in zip(("subject", "body"), helpers[name], strict=True):
                    value = keywords.get(key)
                    if value is None and place is not None and place < len(node.args):
                        value = node.args[place]
                    if (value is not None
                            and _literal(value, scopes.get(id(node)), node.lineno) is None
                            and not (isinstance(value, ast.Name) and value.id in passed_on)
                            and not (isinstance(value, ast.Constant) and value.value is None)):
                        found.append((node.lineno, ast.unparse(node)[:100]))
                        break
        for child in ast.iter_child_nodes(node):
            visit(child, passed_on)

    visit(tree, frozenset())
    return found


def _rows(names: ast.expr, rows: ast.expr) -> Iterator[tuple[str, str]]:
    """A parametrize's rows, when its names hold "subject" and "body"."""
    if isinstance(names, ast.Constant) and isinstance(names.value, str):
        keys = [k.strip() for k in names.value.split(",")]
    elif isinstance(names, (ast.Tuple, ast.List)):
        keys = [_literal(k) or "" for k in names.elts]
    else:
        return
    if "body" not in keys or not isinstance(rows, (ast.List, ast.Tuple)):
        return
    for row in rows.elts:
        if isinstance(row, (ast.Tuple, ast.List)) and len(row.elts) == len(keys):
            values = dict(zip(keys, (_literal(v) for v in row.elts), strict=True))
            if values.get("body") is not None:
                yield values.get("subject") or "", values["body"] or ""


def integration_mails(files: Sequence[Path] | None = None) -> list[GuardMail]:
    """Every (subject, body) written in the integration tests that the shipped classifier
    judges not critical and the model is asked about, once each."""
    from daemon.domain.triage import classify, default_rules

    rules = default_rules()
    found: dict[tuple[str, str], GuardMail] = {}
    paths = list(files or [*sorted(INTEGRATION.glob("test_*.py")), HARNESS])
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in paths}
    shared = _positions(trees[HARNESS]) if HARNESS in trees else {}
    for path, tree in trees.items():
        for subject, body in _pairs(tree, {**shared, **_positions(tree)}):
            if (subject, body) in found or not (subject or body).strip():
                continue
            if classify(subject, body, rules).critical:
                continue
            text = asked_text(subject, body)
            if text is not None:
                found[(subject, body)] = GuardMail(path.name, subject, body, text)
    return list(found.values())


def asked_text(subject: str, body: str) -> str | None:
    """The text classify asks the model about for this mail (no critical rule matched, no
    rule ruled the symptom out, an inquiry, learned.asked_about), or None if it is not."""
    from daemon.domain.triage import classify, default_rules
    from daemon.domain.triage.learned import LearnedRule, asked_about
    from daemon.domain.triage.model import Finding

    asked: list[str] = []

    class Recording(LearnedRule):
        def find(self, text: str, subject_end: int, starts: Any) -> Finding:
            if asked_about(text):
                asked.append(text)
            return Finding()

    classify(subject, body, (*default_rules()[:-1], Recording()))
    return asked[0] if asked else None


# -- the guard ---------------------------------------------------------------------------


def flagged(mails: Sequence[GuardMail], weights: Path,
            thresholds: Sequence[float] = THRESHOLDS) -> dict[float, list[tuple[GuardMail, float]]]:
    """Per threshold, the guard mails the candidate model (its weights at `weights`, the
    threshold replaced) calls critical, with its probability. Every guard mail is one the
    rules leave to the model (normal by the rules, the model asked)."""
    from daemon.domain.triage.learned import load_weights, probability

    candidate = load_weights(weights)
    scored = [(mail, probability(mail.text, candidate)) for mail in mails]
    return {threshold: sorted(((m, p) for m, p in scored if p >= threshold),
                              key=lambda found: -found[1])
            for threshold in thresholds}


def guard(weights: Path,
          thresholds: Sequence[float] = THRESHOLDS) -> dict[float, list[tuple[GuardMail, float]]]:
    """Collect every guard mail (with the weights now shipped) and flag them with the
    candidate `weights`."""
    return flagged([*unit_mails(), *integration_mails()], weights, thresholds)


def main() -> int:
    from daemon.domain.triage.learned import WEIGHTS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=Path, default=WEIGHTS,
                        help="the candidate's learned_weights.json (default: the shipped one)")
    args = parser.parse_args()
    unit = unit_mails()
    integration = integration_mails()
    print(f"guard mails: {len(unit)} from unit tests, {len(integration)} from integration tests")
    for threshold, found in flagged([*unit, *integration], args.weights).items():
        print(f"{threshold:.2f}: {len(found)} flagged")
        for mail, p in found:
            print(f"    p {p:.2f}  {mail.where}: {mail.text[:110]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
