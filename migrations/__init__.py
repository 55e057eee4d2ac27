"""The Alembic migrations, installed as the package `daemon.migrations` (pyproject.toml).

Alembic loads env.py and versions/ by path; being a package only lets importlib.resources
find this directory wherever the daemon is installed.
"""
