"""Templates are read once and kept (daemon/mail/render.py): an edit shows only after
a reload (SIGHUP), and a reload that fails its check keeps the templates in use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment

from daemon.mail.render import TemplateRenderer


def test_an_edited_template_shows_after_a_reload_and_not_before(tmp_path: Path) -> None:
    template = tmp_path / "hello.txt.j2"
    template.write_text("Hej {{ name }}", encoding="utf-8")
    renderer = TemplateRenderer(tmp_path)
    assert renderer.render("hello.txt.j2", {"name": "Bo"}) == "Hej Bo"

    template.write_text("Goddag {{ name }}", encoding="utf-8")
    assert renderer.render("hello.txt.j2", {"name": "Bo"}) == "Hej Bo"  # read once
    assert renderer.reload()
    assert renderer.render("hello.txt.j2", {"name": "Bo"}) == "Goddag Bo"


def test_a_reload_whose_check_fails_keeps_the_templates_in_use(tmp_path: Path) -> None:
    template = tmp_path / "hello.txt.j2"
    template.write_text("Hej {{ name }}", encoding="utf-8")
    renderer = TemplateRenderer(tmp_path)
    assert renderer.render("hello.txt.j2", {"name": "Bo"}) == "Hej Bo"

    template.write_text("Goddag {{ name }", encoding="utf-8")  # broken
    assert not renderer.reload(lambda r: r.render("hello.txt.j2", {"name": "x"}) and None)
    assert renderer.render("hello.txt.j2", {"name": "Bo"}) == "Hej Bo"


def test_a_template_first_loaded_during_a_reload_is_not_kept_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review of issue 18's template cache: the IMAP pass renders while a SIGHUP reload
    runs in an executor thread. A template loaded from the old environment while the
    reload swaps in the new one was stored in the new cache, and the edit never showed
    until the next reload. Here the reload (with its check, as App.reload renders every
    template) happens inside the old environment's get_template."""
    template = tmp_path / "hello.txt.j2"
    template.write_text("Hej {{ name }}", encoding="utf-8")
    renderer = TemplateRenderer(tmp_path)
    load = Environment.get_template
    reloads: list[bool] = []
    check = lambda r: r.render("hello.txt.j2", {"name": "x"}) and None  # noqa: E731

    def load_while_reloading(environment: Environment, name: str, *args: Any) -> Any:
        loaded = load(environment, name, *args)
        if not reloads:  # the first load: the old text, read before the edit
            reloads.append(False)  # the reload's own loads pass straight through
            template.write_text("Goddag {{ name }}", encoding="utf-8")
            reloads[0] = renderer.reload(check)
        return loaded

    monkeypatch.setattr(Environment, "get_template", load_while_reloading)
    assert renderer.render("hello.txt.j2", {"name": "Bo"}) == "Hej Bo"  # begun before
    assert reloads == [True]
    assert renderer.render("hello.txt.j2", {"name": "Bo"}) == "Goddag Bo"


# Attribute look-ups as templates write them: a dict's items, its methods, what it
# lacks, nested dicts, other objects, subscripts, a global and a filter.
_EXPRESSIONS = (
    "{{ case.reference }}", "{{ case.items is defined }}", "{{ case.items() | list }}",
    "{{ case.get('reference') }}", "{{ case.keys() | list }}", "{{ case['number'] }}",
    "{{ support.address.upper() }}", "{{ nested.inner.value }}", "{{ text.upper() }}",
    "{{ case.missing is defined }}", "{{ case.__class__.__name__ }}",
    "{{ range(3) | list }}", "{{ hours.back or 'none' }}", "{{ items.items }}",
    "{% for k, v in case.items() %}{{ k }}={{ v }};{% endfor %}",
)


def test_lookups_on_dicts_render_as_jinja2s_own_do(tmp_path: Path) -> None:
    """render.py's environment takes `x.name` on a plain dict as its item at once (issue
    18), skipping Jinja2's AttributeError; every kind of look-up renders as a plain
    Environment renders it, and a missing one still fails loudly (StrictUndefined)."""
    from jinja2 import StrictUndefined, UndefinedError

    context = {
        "case": {"reference": "OO#1", "number": 1},
        "support": {"address": "support@oo.dk"},
        "nested": {"inner": {"value": 7}},
        "text": "abc",
        "hours": {"back": None},
        "items": {"items": "the item, not the method"},
    }
    plain = Environment(undefined=StrictUndefined, keep_trailing_newline=True)
    for number, source in enumerate(_EXPRESSIONS):
        (tmp_path / f"t{number}.j2").write_text(source, encoding="utf-8")
    renderer = TemplateRenderer(tmp_path)
    for number, source in enumerate(_EXPRESSIONS):
        expected = plain.from_string(source).render(context)
        assert renderer.render(f"t{number}.j2", context) == expected, source
    (tmp_path / "missing.j2").write_text("{{ case.nothing }}", encoding="utf-8")
    with pytest.raises(UndefinedError):
        plain.from_string("{{ case.nothing }}").render(context)
    with pytest.raises(UndefinedError):
        renderer.render("missing.j2", context)
