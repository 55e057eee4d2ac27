"""The package as production installs it: `pip install .` and a `python -m build` sdist ->
wheel give a daemon that works with nothing of the source tree around.

Each check builds the package from a copy of the source files, installs the wheel into a
clean virtualenv (dependencies from .ci/constraints.txt, as CI), and then, in an empty
directory, runs that virtualenv's `oo-support`: `db upgrade`, `check-config` and `run` on
the embedded defaults, which must answer a mail over SMTP with an .eml acknowledgement.
The two checks share the virtualenv, not the package: each removes the installed one
first and proves that every file it needs came from its own wheel.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import smtplib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from harness import REPO, customer_mail, parse_mail, wait_until
from servers import free_port

CONSTRAINTS = REPO / ".ci" / "constraints.txt"
# Where each top-level source directory lands in the installed package.
SHIPPED = {"daemon": "daemon", "templates": "daemon/templates", "migrations": "daemon/migrations"}


def _run(command: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=600,
    )
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stderr[-3000:]}"
    return done.stdout


def _source_files() -> list[str]:
    """The files a checkout has (tracked, or new and not ignored), relative to REPO."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO, capture_output=True, check=True, timeout=60,
        ).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: take the tree
        skip = {".git", ".venv", "build", "dist", "var", "__pycache__"}
        listed = [
            str(p.relative_to(REPO)) for p in REPO.rglob("*")
            if p.is_file() and not skip & set(p.relative_to(REPO).parts)
        ]
    return sorted(name for name in listed if name and (REPO / name).is_file())


def _expected_package_files() -> set[str]:
    """Every file of daemon/, templates/ and migrations/, at its place in site-packages."""
    expected = set()
    for name in _source_files():
        top, _, rest = name.partition("/")
        if top in SHIPPED and rest:
            expected.add(f"{SHIPPED[top]}/{rest}")
    return expected


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the source files: no build/ or egg-info left by an earlier build can
    slip into the wheel, and nothing of the checkout is importable from the run dir."""
    copy = tmp_path_factory.mktemp("source")
    for name in _source_files():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, copy / name)
    return copy


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", root], cwd=root)
    return root


def _clean_env() -> dict[str, str]:
    """No settings, search paths or virtualenv of the test run's own."""
    drop = ("OO_SUPPORT", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


def _install(venv: Path, wheel: Path) -> Path:
    """Replace whatever oo-support the virtualenv has with `wheel`; its site-packages."""
    python = venv / "bin" / "python"
    env = _clean_env() | {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                     cwd=venv, env=env).strip())
    _run([python, "-m", "pip", "uninstall", "-q", "-y", "oo-support"], cwd=venv, env=env)
    assert not (site / "daemon").exists(), "an earlier install left files behind"
    _run([python, "-m", "pip", "install", "-q", "-c", CONSTRAINTS, wheel], cwd=venv, env=env)
    return site


def _installed_files(site: Path) -> set[str]:
    return {
        str(p.relative_to(site)) for p in (site / "daemon").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def _head_revision() -> str:
    """The newest migration in the source tree: the one no other revises."""
    revisions, revised = set(), set()
    for path in (REPO / "migrations" / "versions").glob("*.py"):
        text = path.read_text()
        revisions |= set(re.findall(r"^revision\b.*=\s*['\"](\w+)['\"]", text, re.M))
        revised |= set(re.findall(r"^down_revision\b.*=\s*['\"](\w+)['\"]", text, re.M))
    [head] = revisions - revised
    return head


def _works_from_an_empty_directory(venv: Path, site: Path, run_dir: Path) -> None:
    """db upgrade, check-config and run on the embedded defaults, as an operator would."""
    run_dir.mkdir()
    env = _clean_env()
    script = venv / "bin" / "oo-support"

    # The daemon, its templates and its migrations all come from the virtualenv.
    where = _run([venv / "bin" / "python", "-c",
                  "import daemon.templates, daemon.migrations as m\n"
                  "print(daemon.__file__, daemon.templates.__file__, m.__file__)"],
                 cwd=run_dir, env=env).split()
    assert all(Path(path).is_relative_to(site) for path in where), where

    _run([script, "db", "upgrade"], cwd=run_dir, env=env)
    with sqlite3.connect(run_dir / "var" / "oo-support.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (_head_revision(),)
        ]

    rows = json.loads(_run([script, "check-config", "--json"], cwd=run_dir, env=env))
    assert [row for row in rows if not row["ok"]] == []
    assert len([row for row in rows if row["check"].startswith("template ")]) == 6

    port = free_port()
    log_path = run_dir / "daemon.log"
    with log_path.open("wb") as log:
        daemon = subprocess.Popen(
            [script, "run"], cwd=run_dir, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, env=env | {"OO_SUPPORT__SMTP_IN__PORT": str(port)},
        )
    try:
        wait_until(lambda: "daemon running" in log_path.read_text(errors="replace")
                   or daemon.poll() is not None, 30, "the daemon to start")
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.sendmail("kunde@firma.dk", ["support@oo.dk"], customer_mail(12))
        outbox = run_dir / "var" / "outbox"
        wait_until(lambda: any(outbox.glob("*.eml")), 30, "an .eml acknowledgement")
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(30) == 0, log_path.read_text(errors="replace")[-3000:]
    [eml] = list(outbox.glob("*.eml"))
    ack = parse_mail(eml.read_bytes())
    assert re.fullmatch(r"\[OO#\d+\] Printeren virker ikke \(12\)", ack["Subject"])
    assert ack["In-Reply-To"] == "<mail-12@firma5.dk>"


def test_pip_install_of_the_source_gives_a_working_daemon(
    source: Path, venv: Path, tmp_path: Path
) -> None:
    artifacts = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", artifacts, source],
         cwd=source, env=_clean_env() | {"PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    [wheel] = list(artifacts.glob("oo_support-*.whl"))
    site = _install(venv, wheel)
    assert _installed_files(site) == _expected_package_files()
    _works_from_an_empty_directory(venv, site, tmp_path / "run")


def test_build_sdist_then_wheel_gives_a_working_daemon(
    source: Path, venv: Path, tmp_path: Path
) -> None:
    artifacts = tmp_path / "dist"
    # Without --sdist/--wheel, build makes the sdist and then the wheel from the sdist
    # alone: a file the sdist misses is missing from this wheel too.
    _run([sys.executable, "-m", "build", "-o", artifacts, source], cwd=source, env=_clean_env())
    assert len(list(artifacts.glob("oo_support-*.tar.gz"))) == 1
    [wheel] = list(artifacts.glob("oo_support-*.whl"))
    site = _install(venv, wheel)
    assert _installed_files(site) == _expected_package_files()
    _works_from_an_empty_directory(venv, site, tmp_path / "run")
