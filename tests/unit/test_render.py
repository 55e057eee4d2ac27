"""Templates are read once and kept (daemon/mail/render.py): an edit shows only after
a reload (SIGHUP), and a reload that fails its check keeps the templates in use."""

from __future__ import annotations

from pathlib import Path

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
