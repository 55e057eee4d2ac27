"""Jinja2 templates for everything the daemon writes (templates/ at the top level).

Templates are files chosen by the operator; what a customer wrote only ever enters
them as data (a context value, autoescaped in HTML), never as template source.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from daemon.mail.text_wrap import wrap_paragraphs

log = logging.getLogger(__name__)


def _is_html(name: str | None) -> bool:
    return name is not None and ".html" in name


# What a plain dict has as attributes (its methods, object's): `x.items` in a template is
# the method, as Jinja2's own getattr finds it; any other `x.name` is the item.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(Environment):
    """Jinja2's environment, with `case.reference` on a plain dict looked up as the item
    at once: Jinja2 tries the attribute first and catches the AttributeError, once for
    each of the ~30 such look-ups an ack's two templates make (issue 18). The same
    result: a dict's only attributes are its class's, which go the usual way."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


class TemplateRenderer:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        # Which templates exist, looked up once each: the templates are read once too
        # (auto_reload off), and a stat per acknowledgement gave up the GIL to the IMAP
        # pass's other threads each time. A SIGHUP reload starts afresh.
        self._exists: dict[str, bool] = {}
        # The environment and its loaded templates by name (Environment.get_template
        # looks each one up in its locked LRU cache, which cost an ack about a tenth of
        # its rendering), as one pair: render() reads both at once, so a template loaded
        # while a reload (in an executor thread) swaps them goes into the old pair's
        # cache, never the new one's, where it would outlive the reload.
        self._loaded: tuple[Environment, dict[str, Template]] = (self._load(), {})

    def _load(self) -> Environment:
        environment = _Environment(
            loader=FileSystemLoader(self.directory),
            autoescape=_is_html,
            undefined=StrictUndefined,  # a typo in a template fails loudly, not blank
            keep_trailing_newline=True,
            auto_reload=False,
        )
        # `{% filter wrap %}`: one-line paragraphs wrapped, facts never split.
        environment.filters["wrap"] = wrap_paragraphs
        return environment

    def reload(self, check: Callable[[TemplateRenderer], None] | None = None) -> bool:
        """Pick up edited templates (SIGHUP); keeps the old ones if `check` fails."""
        candidate = TemplateRenderer(self.directory)
        try:
            if check is not None:
                check(candidate)
        except Exception:  # noqa: BLE001 - a broken edit must not take the daemon down
            log.exception("templates not reloaded: the edited ones do not render")
            return False
        self._loaded, self._exists = candidate._loaded, candidate._exists
        log.info("templates reloaded from %s", self.directory)
        return True

    def render(self, name: str, context: dict[str, Any]) -> str:
        environment, templates = self._loaded
        template = templates.get(name)
        if template is None:
            template = templates[name] = environment.get_template(name)
            # Its globals as one plain dict: Jinja2 keeps them as a ChainMap over the
            # environment's, which every render() copies and lists again (ChainMap's
            # Python-level iteration: ~10 % of rendering an ack). Nothing here adds
            # globals after a template is loaded; a reload loads them afresh.
            template.globals = dict(template.globals)
        return template.render(context)

    def exists(self, name: str) -> bool:
        found = self._exists.get(name)
        if found is None:
            found = self._exists[name] = (self.directory / name).is_file()
        return found
