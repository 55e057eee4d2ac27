"""Where the files shipped with the daemon lie: the default templates and the migrations.

In the source tree they sit at the top level (templates/, migrations/), where operators
and `alembic revision` look for them; pyproject.toml installs them inside the package as
`daemon.templates` and `daemon.migrations`. Looking them up by package name works the
same in a checkout with an editable install and in a wheel in site-packages.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def package_directory(package: str) -> Path:
    """The directory of `package` on disk (Jinja2 and Alembic want real paths)."""
    found = files(package)
    if not isinstance(found, Path):  # a zipped install: nothing we build does that
        raise RuntimeError(f"{package} is not installed as files on disk ({found!r})")
    return found


def default_templates_dir() -> Path:
    return package_directory("daemon.templates")


def migrations_dir() -> Path:
    return package_directory("daemon.migrations")
