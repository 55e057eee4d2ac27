"""The default templates, installed as the package `daemon.templates` (pyproject.toml).

Being a package is what lets importlib.resources find them in a checkout, an editable
install and a wheel alike; `[templates] dir` points the daemon at a copy to edit.
"""
