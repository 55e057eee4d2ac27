"""The CLI runs of the tests (harness.cli, forked from tests/cli_zygote.py) answer as
`python -m daemon` started afresh would: exit status, stdout, stderr, the working
directory and the environment of the call, and never another call's answers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import harness
import pytest
from harness import REPO, clean_env, cli, write_config


@pytest.mark.parametrize(
    "args",
    [["--help"], ["no-such-command"], ["cases", "show", "1", "--config", "missing.toml"]],
    ids=["help", "usage-error", "config-error"],
)
def test_a_call_answers_as_a_fresh_interpreter(tmp_path: Path, args: list[str]) -> None:
    fresh = subprocess.run(
        [sys.executable, "-m", "daemon", *args], cwd=tmp_path, capture_output=True,
        text=True, env=clean_env() | {"PYTHONPATH": str(REPO)}, timeout=120,
    )
    forked = cli(*args, cwd=tmp_path)
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        fresh.returncode, fresh.stdout, fresh.stderr)


def test_a_call_runs_in_its_cwd_with_its_environment(tmp_path: Path) -> None:
    # A relative config path, named only by the environment, with a relative SQLite
    # file: both found from the call's working directory.
    write_config(tmp_path / "oo.toml", database_url="sqlite:///oo.db")
    done = cli("db", "upgrade", cwd=tmp_path, env={"OO_SUPPORT_CONFIG": "oo.toml"})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "oo.db").is_file()
    assert not (REPO / "oo.db").exists()


def test_a_call_after_an_abandoned_one_gets_its_own_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answer = harness._Zygote._answer
    lost: list[bool] = []

    def lose_the_first(self: harness._Zygote, deadline: float) -> dict[str, int] | None:
        if not lost:
            lost.append(True)
            return None  # as when the fork is not seen within 60 s on a loaded machine
        return answer(self, deadline)

    monkeypatch.setattr(harness._Zygote, "_answer", lose_the_first)
    with pytest.raises(RuntimeError, match="did not fork"):
        cli("--help")
    # The first call's answers (exit 0) must not be taken for this one's.
    done = cli("no-such-command")
    assert done.returncode == 2 and done.stdout == ""
    assert "invalid choice" in done.stderr
