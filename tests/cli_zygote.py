"""A warm parent for `python -m daemon` runs in tests (started by harness.cli).

Each CLI run in a test used to be a fresh interpreter importing SQLAlchemy, Alembic,
pydantic and the daemon and compiling the triage rules again: ~1 s of CPU a call
before the command did anything, and the suite makes hundreds of calls. This process
imports all that once, then forks one child per request; the child takes the
request's working directory, environment and output files and runs the daemon's
`__main__` as `python -m daemon ARGS` would (runpy, sys.argv, SystemExit, uncaught
traceback, interpreter shutdown). So each command still runs in a process of its
own, with its own exit status, umask, signals, logging and event loop, and nothing a
command does can reach the next one or the test.

Protocol (one JSON object a line): the request {"args", "cwd", "env", "stdout",
"stderr"} on stdin; the answers {"pid": N} at once and {"returncode": N} when the
child is gone, on stdout. EOF on stdin ends this process.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import runpy
import sys
import threading
import traceback

# Loaded once here rather than by every child: the modules a command's start-up
# imports. A module another branch renamed is skipped: this list only saves time.
_PRELOAD = (
    "daemon.cli",
    "daemon.settings",
    "daemon.app",
    "daemon.store.engine",
    "daemon.store.migrate",
    "daemon.case_reads",
    "daemon.case_work",
    "daemon.pipeline",
    "daemon.sources.imap",
    "daemon.outbox",
    "daemon.scheduler",
)


def _preload() -> None:
    for name in _PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    try:
        from daemon.domain.triage import classify

        # Builds and caches the rules and the prefilter, as a process's first mail does.
        classify("", "")
    except ImportError:
        pass


def _become_the_command(request: dict[str, object]) -> None:
    """In the child: take the request's process state, then run `python -m daemon`."""
    cwd = str(request["cwd"])
    os.chdir(cwd)
    env = request["env"]
    assert isinstance(env, dict)
    os.environ.clear()
    os.environ.update(env)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    for fd, key in ((1, "stdout"), (2, "stderr")):
        target = os.open(str(request[key]), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    args = request["args"]
    assert isinstance(args, list)
    # As `python -m`: the working directory first on sys.path, argv[0] set by runpy.
    sys.path[0] = cwd
    sys.argv = ["-m", *map(str, args)]
    runpy.run_module("daemon", run_name="__main__", alter_sys=True)


def _exit_status(request: dict[str, object]) -> int:
    """Run the command; its exit status as the interpreter would make it."""
    try:
        _become_the_command(request)
        status: object = 0
    except SystemExit as exc:
        status = exc.code
    except BaseException:  # noqa: BLE001 - reported like an uncaught exception
        traceback.print_exc()
        status = 1
    if status is None:
        status = 0
    elif not isinstance(status, int):
        print(status, file=sys.stderr)
        status = 1
    # The interpreter's exit without its teardown of every module (what cost the time
    # of a fork): threads joined, atexit functions run, output flushed.
    threading._shutdown()  # type: ignore[attr-defined]  # as Py_FinalizeEx does first
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    return status


def main() -> None:
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "w")
    # Our own stdout and stdin are nobody's: a stray print must not break the protocol.
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)
    _preload()
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            requests.close()
            answers.close()
            os._exit(_exit_status(request))
        answers.write(json.dumps({"pid": pid}) + "\n")
        answers.flush()
        _, status = os.waitpid(pid, 0)
        answers.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
