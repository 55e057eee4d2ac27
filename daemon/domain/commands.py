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
  HTML-to-text conversion add both. So are invisible characters (a zero-width space
  or byte-order mark an editor leaves before the first word) and the full-width forms
  an input method types (`＃time　30`, `#status：closed`): a command line is read in
  NFKC form, so such a line is a command, not text relayed to the customer.
- A colon may follow the name (`#status: closed`, `#tid brugt: 1,5 time`), and the
  Danish words a technician writes are read as the English ones (`#prioritet høj`,
  `#status lukket`, `#tid 45 minutter`, `#intern`): a Danish desk writes Danish.
- `#time` takes a bare whole number of minutes (INTERFACE.md) or a length of time with
  a unit, as durations.parse_duration reads it (`1h15m`, `1 t 15 min`, `1,5 time`,
  `halvanden time`, `0:45`): what the technician wrote, not an error to retype.
- Command-like lines outside the block are never applied (after the first line of
  text, in a signature; quotes are cut before this module sees the body), but they
  are reported back as `stray`, so a misplaced `#status closed` or an unhashed
  `Tid: 1 t 15 min` does not go silently unapplied. A stray `#internal` line keeps the
  whole mail from the customer: sending a note meant for staff cannot be undone, not
  sending it can.
"""

from __future__ import annotations

import re
import unicodedata
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
# The name, an optional colon, the arguments: "#status: closed", "#tid brugt: 1,5 time".
_NAMED = re.compile(r"#(?P<name>[^\W\d_]+)\s*:?\s*(?P<args>.*)", re.DOTALL)
# A command written without its "#", as a line of its own: "Tid: 1 t 15 min".
_UNHASHED = re.compile(r"(?P<name>[^\W\d_]+)(?:\s+(?:brugt|spent))?\s*:\s*(?P<args>\S.*)")
# Asking for the case to be closed in words, as a line of its own.
_CLOSE_WORDS = re.compile(r"(?:luk sagen|sagen kan lukkes|close the case)\W*", re.IGNORECASE)
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
    # Command-like lines in `rest`, not applied, each with why (for the staff sender).
    stray: tuple[CommandError, ...] = ()


def command_text(line: str) -> str:
    """`line` as a command is read from it: NFKC (full-width "＃" and "：", no-break
    spaces), without invisible format characters (zero-width space, BOM), stripped."""
    # "½" is kept: NFKC would make "1½" the "11⁄2" no one wrote (durations reads "1½").
    normal = "½".join(unicodedata.normalize("NFKC", part) for part in line.split("½"))
    return "".join(c for c in normal if unicodedata.category(c) != "Cf").strip()


def split_commands(body: str) -> CommandBlock:
    """The command block at the top of `body`, and the body without it."""
    lines = body.splitlines(keepends=True)
    commands: list[Command] = []
    errors: list[CommandError] = []
    index = 0
    while index < len(lines):
        line = command_text(lines[index])
        if line and not _COMMAND_LINE.match(line):
            break  # the first line of text ends the block
        if line:
            parsed = _parse_command(line)
            if isinstance(parsed, Command):
                commands.append(parsed)
            elif _names_internal(line):  # "#internal note": meant for staff all the same
                errors.append(CommandError(parsed.line, f"{parsed.reason}; {_KEPT_INTERNAL}"))
            else:
                errors.append(parsed)
        index += 1
    stray = _stray(lines[index:])
    return CommandBlock(
        commands=tuple(commands),
        errors=tuple(errors),
        rest="".join(lines[index:]),
        internal=any(command.name == "internal" for command in commands)
        or any(error.reason.endswith(_KEPT_INTERNAL) for error in errors)
        or any(error.reason.startswith(_STRAY_INTERNAL) for error in stray),
        stray=stray,
    )


# An #internal line the parser refuses ("#internal note", "#intern: kun til Tina") still
# says the mail is for staff: sending a note meant for staff cannot be undone, not
# sending it can (as for a misplaced #internal, _stray).
_KEPT_INTERNAL = "the mail was kept as an internal note all the same (not sent to the customer)"


def _names_internal(line: str) -> bool:
    """Is `line` an #internal (#intern) command, whatever follows the name?"""
    named = _NAMED.fullmatch(command_text(line))
    return named is not None and _ALIASES.get(named["name"].lower()) == "internal"


def held_back(text: str, line: str, reason: str) -> CommandBlock:
    """A staff mail kept whole as an internal note: no command applied, nothing sent to
    the customer, `text` (command lines included, as none was applied) on the case, and
    `reason` answered to the sender."""
    return CommandBlock(
        commands=(), errors=(CommandError(line, reason),), rest=text, internal=True
    )


_STRAY_AFTER_TEXT = "not applied: a command goes at the very top of the mail, before any text"
_STRAY_INTERNAL = "not applied where it stands, but the mail was kept as an internal note"


def _stray(lines: list[str]) -> tuple[CommandError, ...]:
    """The command-like lines of the text after the block: never applied, reported."""
    found = []
    for raw in lines:
        line = command_text(raw)
        if not line or ":" not in line and "#" not in line and not _CLOSE_WORDS.fullmatch(line):
            continue  # the common case, cheaply
        reason = _stray_reason(line)
        if reason:
            found.append(CommandError(line, reason))
    return tuple(found)


def _stray_reason(line: str) -> str | None:
    """Why `line`, outside the block, looks like a command that was not applied."""
    if _CLOSE_WORDS.fullmatch(line):
        return "not applied: to close the case write #status closed at the very top"
    if _COMMAND_LINE.match(line):
        parsed = _parse_command(line)
        if _names_internal(line):  # "#internal note" below the text: for staff too
            return (f"{_STRAY_INTERNAL} (not sent to the customer); #internal goes at the"
                    " very top; send the text again without it if it was meant for them")
        if not isinstance(parsed, Command):
            return None  # "#hashtag" in prose is text
        return _STRAY_AFTER_TEXT
    unhashed = _UNHASHED.fullmatch(line)
    name = _ALIASES.get(unhashed["name"].lower()) if unhashed else None
    if unhashed is None or name not in _VALUED:
        return None
    if name == "time" and not re.search(r"[^\W\d_]", unhashed["args"]):
        return None  # "Tid: 14:00" is when, not how long: only a unit says it is time spent
    parsed = _parse_command(f"#{unhashed['name']} {unhashed['args']}")
    if not isinstance(parsed, Command):
        return None  # "Status: vi venter på leverandøren" is a sentence
    written = " ".join(["#" + parsed.name, *parsed.args]).strip()
    return f"not applied: a command starts with # at the very top of the mail, e.g. {written}"


def _parse_command(line: str) -> Command | CommandError:
    """One command line (`#name args...`) checked and normalised."""
    line = command_text(line)
    named = _NAMED.fullmatch(line)
    if named is None:  # pragma: no cover - callers pass lines _COMMAND_LINE matched
        return CommandError(line, f"not a command; known: {_KNOWN}")
    written = named["name"].lower()
    name = _ALIASES.get(written, written)
    # A sentence's full stop is no part of a value: "#status lukket." is "#status lukket".
    said = named["args"].lower().rstrip(" .!")
    args = [_VALUES.get(arg, arg) for arg in said.split()]
    if name == "priority" and args == ["critical"]:
        name, args = "critical", []  # "#prioritet kritisk": critical is High (BR-6, BR-9)
    check = _CHECKS.get(name)
    if check is None:
        return CommandError(line, f"unknown command {_shown(['#' + written])}; known: {_KNOWN}")
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
    """`#time MINUTES|DURATION [support|project|senior]`: "#time 75", "#time 1 t 15 min
    projekt", "#tid brugt: 1,5 time" (BR-15 kinds, BR-17 by the minute)."""
    usage = (f"#time takes MINUTES (1 to {MAX_MINUTES}) or a length of time"
             f" ({DURATION_EXAMPLES}) and optionally {'|'.join(TIME_KINDS)}")
    if args[:1] in (["brugt"], ["brugt:"], ["spent"], ["spent:"]):
        args = args[1:]  # "#tid brugt: 1,5 time", "#time spent 30"
    kind = args[-1] if len(args) > 1 and args[-1] in TIME_KINDS else "support"
    spoken = args[:-1] if len(args) > 1 and args[-1] in TIME_KINDS else args
    if not spoken:
        return usage
    if len(spoken) == 1 and _MINUTES.fullmatch(spoken[0]):
        digits = spoken[0].lstrip("0")
        # Length first: int() refuses strings of thousands of digits (and would be slow).
        if len(digits) > len(str(MAX_MINUTES)) or not 1 <= int(digits or "0") <= MAX_MINUTES:
            return f"{usage}; {_shown(spoken)} is out of range"
        return (digits, kind)
    if not any(c.isalpha() or c in ":½" for c in "".join(spoken)):
        return f"{usage}; {_shown(spoken)} is not a whole number of minutes"
    try:
        minutes = parse_duration(" ".join(spoken))
    except DurationError as exc:
        return f"{usage}; {exc}"
    if minutes > MAX_MINUTES:
        return f"{usage}; {_shown(spoken)} is out of range"
    return (str(minutes), kind)


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
    if rest[:1] in (["estimate"], ["estimat"], ["anslået"]):
        one = "estimate takes one length of time, e.g. 1h30m"
        if len(rest) < 2:
            return f"{usage}; {one}"
        try:  # as #time reads it: "estimate 4 timer", "estimat 1 t 30 min"
            minutes = parse_duration(" ".join(rest[1:]))
        except DurationError as exc:
            return f"{usage}; {exc}" if len(rest) == 2 else f"{usage}; {one}: {exc}"
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
# The Danish a technician writes, read as the English names and values.
_ALIASES = {
    "prioritet": "priority",
    "kritisk": "critical",
    "tid": "time",
    "tildel": "assign",
    "intern": "internal",
    "projekt": "project",
}
_ALIASES |= {name: name for name in _CHECKS}
_VALUES = {
    "høj": "high",
    "mellem": "medium",
    "lav": "low",
    "kritisk": "critical",
    "åben": "open",
    "aaben": "open",
    "venter": "waiting",
    "afventer": "waiting",
    "lukket": "closed",
    "luk": "closed",
    "projekt": "project",
}
# Commands a technician might write without the "#" as "Name: value" (_stray).
_VALUED = frozenset({"priority", "status", "time"})
