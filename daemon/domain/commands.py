"""Staff commands at the top of a staff message (INTERFACE.md, "Staff by email").

The command block is the run of lines at the very top of the body that start with
`#`, blank lines between them allowed; the first non-blank line that is not a
command ends it. Only syntax is checked here: whether a command can be applied to
a case (is the assignee a staff member? may this case be closed?) is the caller's
decision.

Decisions worth knowing:
- `#` followed by a letter is a command, and an unknown one is an error rather
  than text: a mistyped `#stauts closed` must reach the staff member as an error,
  never the customer as a sentence.
- `#` followed by anything else (`#1 priority for us is...`, `# Heading`, `##`)
  is text and ends the block, so ordinary prose that happens to start with `#`
  is not eaten.
- A line with an error belongs to the command block all the same: it is left
  out of `rest` (what the customer sees) and carried in `errors` for the answer
  to the staff sender.
- Leading and trailing white space on a line is tolerated; mail clients and
  HTML-to-text conversion add both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from daemon.domain.billing import KINDS as TIME_KINDS  # BR-15: the kinds of work
from daemon.domain.billing import MAX_ESTIMATE_MINUTES, MAX_MINUTES
from daemon.domain.durations import EXAMPLES as DURATION_EXAMPLES
from daemon.domain.durations import DurationError, parse_duration
from daemon.domain.sla import Priority

PRIORITIES = tuple(level.value for level in Priority)  # BR-11
STATUSES = ("open", "waiting", "closed")

_COMMAND_LINE = re.compile(r"#[^\W\d_]")  # "#" and a letter: a command, known or not
_MINUTES = re.compile(r"[0-9]+")  # ASCII digits only: int() would also take "٣٠" or "+30"
# An address as typed, or as Outlook's HTML-to-text writes a link: a@b.dk<mailto:a@b.dk>
_ADDRESS = re.compile(
    r"<?(?:mailto:)?(?P<addr>[^\s<>@:]+@[^\s<>@]+\.[^\s<>@.]+)>?(?:<mailto:[^<>\s]*>)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Command:
    name: str  # lower case: "priority", "critical", "status", "time", "assign", "internal",
    # "project"
    args: tuple[str, ...]  # normalised: lower case; "#time 30" -> ("30", "support");
    # "#project senior estimate 4h" -> ("on", "senior", "240") (see project_args)


@dataclass(frozen=True)
class CommandError:
    line: str  # the line as written, stripped
    reason: str  # English, for the answer to the staff sender: what was wrong, what is allowed


@dataclass(frozen=True)
class CommandBlock:
    commands: tuple[Command, ...]  # in the order written, to be applied in that order
    errors: tuple[CommandError, ...]
    rest: str  # the body without the command block, leading blank lines removed
    internal: bool  # an #internal line: a note for staff, never sent to the customer


def split_commands(body: str) -> CommandBlock:
    """The command block at the top of `body`, and the body without it."""
    lines = body.splitlines(keepends=True)
    commands: list[Command] = []
    errors: list[CommandError] = []
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if line and not _COMMAND_LINE.match(line):
            break  # the first line of text ends the block
        if line:
            parsed = _parse_command(line)
            if isinstance(parsed, Command):
                commands.append(parsed)
            else:
                errors.append(parsed)
        index += 1
    return CommandBlock(
        commands=tuple(commands),
        errors=tuple(errors),
        rest="".join(lines[index:]),
        internal=any(command.name == "internal" for command in commands),
    )


def _parse_command(line: str) -> Command | CommandError:
    """One command line (`#name args...`) checked and normalised."""
    line = line.strip()
    name, *args = line[1:].split()
    name = name.lower()
    args = [arg.lower() for arg in args]
    check = _CHECKS.get(name)
    if check is None:
        return CommandError(line, f"unknown command {_shown(['#' + name])}; known: {_KNOWN}")
    result = check(args)
    if isinstance(result, str):
        return CommandError(line, result)
    return Command(name, result)


def _one_of(name: str, allowed: tuple[str, ...], args: list[str]) -> tuple[str, ...] | str:
    if len(args) == 1 and args[0] in allowed:
        return (args[0],)
    return f"#{name} takes one of {'|'.join(allowed)}, not {_shown(args)}"


def _priority(args: list[str]) -> tuple[str, ...] | str:
    return _one_of("priority", PRIORITIES, args)


def _status(args: list[str]) -> tuple[str, ...] | str:
    return _one_of("status", STATUSES, args)


def _flag(name: str, args: list[str]) -> tuple[str, ...] | str:
    # "#critical no" must not silently set the flag it tries to clear.
    if args:
        return f"#{name} takes no arguments, not {_shown(args)}"
    return ()


def _time(args: list[str]) -> tuple[str, ...] | str:
    usage = f"#time takes MINUTES (1 to {MAX_MINUTES}) and optionally {'|'.join(TIME_KINDS)}"
    if not args or len(args) > 2:
        return usage
    minutes, kind = args[0], args[1] if len(args) == 2 else "support"
    if not _MINUTES.fullmatch(minutes):
        return f"{usage}; {_shown([minutes])} is not a whole number of minutes"
    digits = minutes.lstrip("0")
    # Length first: int() refuses strings of thousands of digits (and would be slow).
    if len(digits) > len(str(MAX_MINUTES)) or not 1 <= int(digits or "0") <= MAX_MINUTES:
        return f"{usage}; {_shown([minutes])} is out of range"
    if kind not in TIME_KINDS:
        return f"{usage}; {_shown([kind])} is not a kind of work"
    return (digits, kind)


# `#project` arguments, normalised: ("on"|"off", rate, estimate) where rate is
# "senior", "project" or "" (keep the case's), and estimate is whole minutes, "none"
# (no agreed time) or "" (keep the case's). `cases project` builds the same.
KEEP = ""
NO_ESTIMATE = "none"


def project_args(
    on: bool = True, rate: str = KEEP, estimate: int | str = KEEP
) -> tuple[str, str, str]:
    return ("on" if on else "off", rate, str(estimate))


def _project(args: list[str]) -> tuple[str, ...] | str:
    """`#project [senior] [estimate DURATION]` or `#project off` (BR-14, BR-15, BR-18)."""
    usage = f"#project takes [senior] [estimate DURATION ({DURATION_EXAMPLES})], or off"
    if args == ["off"]:
        return project_args(on=False)
    rate, estimate, rest = KEEP, KEEP, list(args)
    if rest[:1] == ["senior"]:
        rate, rest = "senior", rest[1:]
    if rest[:1] == ["estimate"]:
        if len(rest) != 2:
            return f"{usage}; estimate takes one length of time, e.g. 1h30m"
        try:
            minutes = parse_duration(rest[1])
        except DurationError as exc:
            return f"{usage}; {exc}"
        if minutes > MAX_ESTIMATE_MINUTES:
            return f"{usage}; an estimate is at most {MAX_ESTIMATE_MINUTES // 60}h"
        estimate, rest = str(minutes), []
    if rest:
        return f"{usage}, not {_shown(args)}"
    return project_args(rate=rate, estimate=estimate)


def _assign(args: list[str]) -> tuple[str, ...] | str:
    match = _ADDRESS.fullmatch(args[0]) if len(args) == 1 else None
    if match is None:
        return f"#assign takes one e-mail address, not {_shown(args)}"
    return (match.group("addr"),)


def _shown(args: list[str]) -> str:
    """What the staff member wrote, quoted back short enough for a one-line reason."""
    text = " ".join(args)
    if not text:
        return "nothing"
    return text if len(text) <= 40 else text[:40] + "..."


# Each returns the command's normalised arguments, or why they are wrong.
_CHECKS: dict[str, Callable[[list[str]], tuple[str, ...] | str]] = {
    "priority": _priority,
    "critical": lambda args: _flag("critical", args),
    "status": _status,
    "time": _time,
    "assign": _assign,
    "internal": lambda args: _flag("internal", args),
    "project": _project,
}
_KNOWN = ", ".join(f"#{name}" for name in _CHECKS)
