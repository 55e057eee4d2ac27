"""Staff commands at the top of a staff message (INTERFACE.md, "Staff by email")."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daemon.domain.commands import Command, command_text, split_commands


def test_commands_at_the_top_are_read_in_order_and_left_out_of_the_text() -> None:
    block = split_commands("#priority high\n#status waiting\n\nHej Mette\n\nVi ser på det.\n")
    assert block.commands == (Command("priority", ("high",)), Command("status", ("waiting",)))
    assert block.errors == ()
    assert block.rest == "Hej Mette\n\nVi ser på det.\n"
    assert block.internal is False


def test_blank_lines_between_and_before_commands_are_allowed() -> None:
    block = split_commands("\n\n#critical\n\n   \n#time 30\n\nTekst")
    assert block.commands == (Command("critical", ()), Command("time", ("30", "support")))
    assert block.rest == "Tekst"


def test_a_hash_line_after_text_is_text() -> None:
    block = split_commands("Hej\n#status closed\n")
    assert block.commands == ()
    assert block.rest == "Hej\n#status closed\n"


def test_a_message_without_commands_is_unchanged() -> None:
    assert split_commands("Hej\n\nTak.").rest == "Hej\n\nTak."
    assert split_commands("Hej\n\nTak.").commands == ()


def test_a_message_of_only_commands_has_no_rest() -> None:
    block = split_commands("#status closed\r\n#time 15 project\r\n")
    assert block.commands == (Command("status", ("closed",)), Command("time", ("15", "project")))
    assert block.rest == ""


def test_line_endings_and_indentation_of_the_rest_are_kept() -> None:
    assert split_commands("#critical\r\n\r\n    log line\r\nmore\r\n").rest == (
        "    log line\r\nmore\r\n"
    )


def test_names_and_values_are_case_insensitive_and_trailing_space_tolerated() -> None:
    block = split_commands("#PRIORITY High   \n  #Status CLOSED\t\n#Time 45 Senior \ntext")
    assert block.commands == (
        Command("priority", ("high",)),
        Command("status", ("closed",)),
        Command("time", ("45", "senior")),
    )
    assert block.errors == ()


@pytest.mark.parametrize("priority", ["high", "medium", "normal", "low"])
def test_every_priority(priority: str) -> None:
    assert split_commands(f"#priority {priority}").commands == (Command("priority", (priority,)),)


@pytest.mark.parametrize("status", ["open", "waiting", "closed"])
def test_every_status(status: str) -> None:
    assert split_commands(f"#status {status}").commands == (Command("status", (status,)),)


@pytest.mark.parametrize(
    ("line", "args"),
    [
        ("#time 1", ("1", "support")),
        ("#time 1440", ("1440", "support")),
        ("#time 030 project", ("30", "project")),
        ("#time 90 senior", ("90", "senior")),
    ],
)
def test_time_takes_minutes_and_a_kind_defaulting_to_support(
    line: str, args: tuple[str, ...]
) -> None:
    assert split_commands(line).commands == (Command("time", args),)


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("Jens@OO.dk", "jens@oo.dk"),
        ("<jens@oo.dk>", "jens@oo.dk"),
        ("mailto:jens@oo.dk", "jens@oo.dk"),
        ("jens@oo.dk<mailto:jens@oo.dk>", "jens@oo.dk"),  # Outlook's HTML link as text
    ],
)
def test_assign_takes_an_address(value: str, address: str) -> None:
    assert split_commands(f"#assign {value}").commands == (Command("assign", (address,)),)


def test_internal_marks_the_message_a_note() -> None:
    block = split_commands("#internal\nKunden er svær.")
    assert block.internal is True
    assert block.commands == (Command("internal", ()),)
    assert block.rest == "Kunden er svær."


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("#priority urgent", ["priority", "high|medium|normal|low", "urgent"]),
        ("#priority", ["priority", "high|medium|normal|low", "nothing"]),
        ("#priority high low", ["priority", "high low"]),
        ("#status new", ["status", "open|waiting|closed", "new"]),
        ("#time", ["time", "MINUTES"]),
        ("#time 0", ["time", "0", "out of range"]),
        ("#time 1441", ["time", "1441", "out of range"]),
        ("#time 0000", ["time", "0000", "out of range"]),
        ("#time " + "9" * 5000, ["time", "999", "out of range"]),
        ("#time -5", ["time", "-5", "whole number"]),
        ("#time 1.5", ["time", "1.5", "whole number"]),
        ("#time 1.01h", ["time", "1.01h", "whole number"]),
        ("#time 25 timer", ["time", "25 timer", "out of range"]),
        ("#time 1:30 minutter", ["time", "minutes:seconds"]),  # the agreement's "1:30 minutter"
        ("#time ٣٠", ["time", "whole number"]),  # Arabic-Indic digits: int() would take them
        ("#time 30 overtime", ["time", "overtime", "support|project|senior"]),
        ("#time 30 support extra", ["time", "MINUTES"]),
        ("#assign", ["assign", "e-mail address", "nothing"]),
        ("#assign jens", ["assign", "e-mail address", "jens"]),
        ("#assign jens@oo.dk kim@oo.dk", ["assign", "jens@oo.dk kim@oo.dk"]),
        ("#critical no", ["critical", "no arguments", "no"]),
        ("#internal yes", ["internal", "no arguments"]),
        ("#stauts closed", ["unknown", "#stauts", "#status", "#priority"]),
    ],
)
def test_an_invalid_command_is_an_error_naming_what_was_wrong_and_what_is_allowed(
    line: str, words: list[str]
) -> None:
    block = split_commands(f"{line}\nHej")
    assert block.commands == ()
    assert len(block.errors) == 1
    assert block.errors[0].line == line
    for word in words:
        assert word in block.errors[0].reason
    # The mistyped line never reaches the customer; the text after it does.
    assert block.rest == "Hej"


def test_an_error_does_not_stop_the_other_commands() -> None:
    block = split_commands("#priority high\n#bogus\n#status closed\nTekst")
    assert block.commands == (Command("priority", ("high",)), Command("status", ("closed",)))
    assert [error.line for error in block.errors] == ["#bogus"]
    assert block.rest == "Tekst"


def test_a_very_long_wrong_value_is_shortened_in_the_reason() -> None:
    reason = split_commands("#priority " + "x" * 5000).errors[0].reason
    assert len(reason) < 200


@pytest.mark.parametrize(
    "text", ["#1 priority for us is the printer", "# Overskrift", "##", "#", "#-", "#_x"]
)
def test_a_hash_not_followed_by_a_letter_is_text_and_ends_the_block(text: str) -> None:
    block = split_commands(f"#critical\n{text}\n#status closed\n")
    assert block.commands == (Command("critical", ()),)
    assert block.errors == ()
    assert block.rest == f"{text}\n#status closed\n"


# --- #project (BR-14, BR-15, BR-18 example 4) ------------------------------------


@pytest.mark.parametrize(
    ("line", "args"),
    [
        ("#project", ("on", "", "")),  # the terms as they were (none on a new project)
        ("#project senior", ("on", "senior", "")),
        ("#project estimate 4h", ("on", "", "240")),
        ("#project senior estimate 1.5h", ("on", "senior", "90")),
        ("#project estimate 1,5h", ("on", "", "90")),
        ("#project estimate 90m", ("on", "", "90")),
        ("#project off", ("off", "", "")),
        ("#projekt estimate 4 timer", ("on", "", "240")),  # red team 24a: as #time reads it
        ("#projekt senior estimat 1 t 30 min", ("on", "senior", "90")),
    ],
)
def test_project_takes_senior_and_an_agreed_estimate(line: str, args: tuple[str, ...]) -> None:
    block = split_commands(f"{line}\nPrinteren sættes op i næste uge.\n")
    assert block.commands == (Command("project", args),) and block.errors == ()
    assert block.rest == "Printeren sættes op i næste uge.\n"


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("#project estimate", ["estimate takes one length of time"]),
        ("#project estimate 4", ["'4' is not a length of time", "1h30m"]),
        ("#project estimate fire timer", ["estimate takes one length of time"]),
        ("#project estimate 1.01h", ["not a whole number of minutes"]),
        ("#project estimate 0h", ["no time at all"]),
        ("#project estimate 1001h", ["at most 1000h"]),
        ("#project junior", ["#project takes [senior]", "not junior"]),
        ("#project estimate 4h senior", ["estimate takes one length of time"]),
        ("#project off senior", ["#project takes", "or off"]),
    ],
)
def test_a_wrong_project_line_is_answered_with_what_is_wrong(line: str, words: list[str]) -> None:
    block = split_commands(f"{line}\nTekst\n")
    assert block.commands == ()
    [error] = block.errors
    for word in words:
        assert word in error.reason
    assert block.rest == "Tekst\n"  # the wrong line is not sent to the customer either


# --- properties -----------------------------------------------------------------

_VALID = st.sampled_from(
    [
        ("#priority high", Command("priority", ("high",))),
        ("#Priority LOW", Command("priority", ("low",))),
        ("#critical", Command("critical", ())),
        ("#status open", Command("status", ("open",))),
        ("#time 30", Command("time", ("30", "support"))),
        ("#time 1440 Project", Command("time", ("1440", "project"))),
        ("#assign kim@oo.dk", Command("assign", ("kim@oo.dk",))),
        ("#internal", Command("internal", ())),
        ("#project", Command("project", ("on", "", ""))),
        ("#Project Senior Estimate 1h30m", Command("project", ("on", "senior", "90"))),
    ]
)
# Text whose first line starts with something other than "#" or white space.
_TEXT = st.text(min_size=1).filter(
    lambda text: not text[0].isspace() and command_text(text.splitlines()[0])[:1] not in ("", "#")
)


@given(st.lists(st.tuples(_VALID, st.sampled_from(["\n", "\n\n", "\r\n", "  \n \n"]))), _TEXT)
def test_valid_commands_are_all_read_and_the_text_after_them_is_kept_exactly(
    lines: list[tuple[tuple[str, Command], str]], text: str
) -> None:
    body = "".join(line + ending for (line, _command), ending in lines) + text
    block = split_commands(body)
    assert block.commands == tuple(command for (_line, command), _ending in lines)
    assert block.errors == ()
    assert block.rest == text
    assert block.internal == any(command.name == "internal" for (_, command), _ in lines)


@given(_TEXT)
def test_a_body_not_starting_with_a_hash_has_no_commands_and_is_unchanged(text: str) -> None:
    block = split_commands(text)
    assert block.commands == () and block.errors == ()
    assert block.rest == text


@given(st.text())
def test_any_body_splits_into_a_block_and_a_suffix_of_itself(body: str) -> None:
    block = split_commands(body)
    assert body.endswith(block.rest)
    # Everything left out of the rest was a command, an error or a blank line.
    removed = body[: len(body) - len(block.rest)]
    non_blank = [line for line in removed.splitlines() if command_text(line)]
    assert len(non_blank) == len(block.commands) + len(block.errors)


# --- what a technician writes (red team 24a) --------------------------------------
# INTERFACE.md "Staff by email": a command that cannot be read is answered to the
# staff sender, never relayed to the customer, never applied in part.


@pytest.mark.parametrize(
    ("line", "minutes"),
    [
        ("#time 1h", "60"),
        ("#time 1h15m", "75"),
        ("#time 1 t 15 min", "75"),
        ("#Tid: 1 t 15 min", "75"),
        ("#tid brugt: 1,5 time", "90"),
        ("#time 1,5 time", "90"),  # Danish "time" is an hour
        ("#tid halvanden time", "90"),
        ("#tid 45 minutter", "45"),
        ("#time 30 min.", "30"),
        ("#time 0:45", "45"),  # h:mm, as a time sheet writes it
        ("#time 1½ t", "90"),
        ("#time 1 time og 15 minutter", "75"),
        ("#time: 30", "30"),
        ("#time:30", "30"),
        ("#time\u00a030", "30"),  # a no-break space from an HTML mail
    ],
)
def test_time_takes_the_lengths_of_time_a_technician_writes(line: str, minutes: str) -> None:
    block = split_commands(f"{line}\n\nHej Andreas\n")
    assert block.commands == (Command("time", (minutes, "support")),)
    assert block.errors == () and block.rest == "Hej Andreas\n"


def test_time_with_a_unit_keeps_its_kind() -> None:
    block = split_commands("#time 1 t 15 min projekt\n#tid 2 timer senior\n")
    assert block.commands == (
        Command("time", ("75", "project")),
        Command("time", ("120", "senior")),
    )


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("#status: closed", Command("status", ("closed",))),
        ("#status\uff1a closed", Command("status", ("closed",))),  # a full-width colon
        ("#status lukket", Command("status", ("closed",))),
        ("#Status: Lukket", Command("status", ("closed",))),
        ("#status afventer", Command("status", ("waiting",))),
        ("#status åben", Command("status", ("open",))),
        ("#prioritet høj", Command("priority", ("high",))),
        ("#prioritet: lav", Command("priority", ("low",))),
        ("#prioritet kritisk", Command("critical", ())),  # critical is High (BR-6, BR-9)
        ("#priority critical", Command("critical", ())),
        ("#kritisk", Command("critical", ())),
        ("#intern", Command("internal", ())),
        ("#tildel: kim@oo.dk", Command("assign", ("kim@oo.dk",))),
        ("#status lukket.", Command("status", ("closed",))),  # written as a sentence
        ("#priority high!", Command("priority", ("high",))),
        ("\uff03time 30", Command("time", ("30", "support"))),  # a full-width hash
        ("\uff03\uff54\uff49\uff4d\uff45\u3000\uff13\uff10", Command("time", ("30", "support"))),
        ("\u200b#time 30", Command("time", ("30", "support"))),  # a zero-width space first
        ("\ufeff#status closed", Command("status", ("closed",))),  # a byte-order mark
    ],
)
def test_danish_words_colons_and_full_width_forms_are_commands(line: str, command: Command) -> None:
    block = split_commands(f"{line}\nHej Andreas\n")
    assert block.commands == (command,) and block.errors == ()
    assert block.rest == "Hej Andreas\n"  # the command line never reaches the customer


def test_a_command_after_text_is_not_applied_but_reported() -> None:
    block = split_commands("Hej Andreas,\n\n#status closed\nDen virker nu.\n\n-- \n#time 30\n")
    assert block.commands == () and block.errors == ()
    assert [error.line for error in block.stray] == ["#status closed", "#time 30"]
    assert all("very top" in error.reason for error in block.stray)
    assert block.internal is False


def test_an_internal_line_after_text_keeps_the_mail_from_the_customer() -> None:
    block = split_commands("Hej,\n#internal\nKunden har ikke betalt sidste faktura.\n")
    assert block.commands == ()
    assert block.internal is True  # a note sent by mistake cannot be taken back
    [stray] = block.stray
    assert stray.line == "#internal" and "internal note" in stray.reason


@pytest.mark.parametrize(
    ("line", "written"),
    [
        ("Tid: 1 t 15 min", "#time 75 support"),
        ("tid brugt: 1,5 time", "#time 90 support"),
        ("Status: lukket", "#status closed"),
        ("prioritet: kritisk", "#critical"),
        ("Luk sagen.", "#status closed"),
    ],
)
def test_a_command_written_without_its_hash_is_reported_with_how_to_write_it(
    line: str, written: str
) -> None:
    block = split_commands(f"{line}\n\nHej Andreas\n")
    assert block.commands == () and block.rest.startswith(line)
    [stray] = block.stray
    assert stray.line == line and written in stray.reason


@pytest.mark.parametrize(
    "text",
    [
        "Status: vi venter på leverandøren",
        "Tid: i morgen kl. 14:00",
        "Tid: 14:00",
        "Tid: 45",
        "Telefon: 7021 1813",
        "#1 prioritet er printeren",
        "Vores #hashtag er #oneoffice",
        "Emne: Status på sagen",
    ],
)
def test_prose_that_merely_looks_like_a_command_is_not_reported(text: str) -> None:
    block = split_commands(f"Hej\n{text}\n")
    assert block.stray == () and block.commands == () and block.errors == ()


@pytest.mark.parametrize(
    "body",
    [
        "#internal note\n\nKunden er besværlig, sig det ikke til ham.\n",
        "#intern: kun til Tina\n\nKunden er besværlig.\n",
        "#Internal only\nKunden er besværlig.\n",
        "Kunden er besværlig.\n\n#internal note\n",
    ],
)
def test_an_internal_line_with_words_after_it_keeps_the_mail_from_the_customer(
    body: str,
) -> None:
    """review24b: '#internal note' (or the Danish '#intern: ...') is refused as a command
    (it takes no arguments), and before the fix the text under it was relayed to the
    customer, with only an error to the technician. A note meant for staff sent to the
    customer cannot be taken back; kept internal, the sender is told why."""
    block = split_commands(body)
    assert block.internal is True
    said = block.errors + block.stray
    assert len(said) == 1 and "internal note" in said[0].reason


def test_words_that_only_begin_like_internal_are_text() -> None:
    for body in ("#internt\n\nHej\n", "Hej\n#internt\n", "Hej\n#tak\n", "#interne sager\nHej\n"):
        assert split_commands(body).internal is False, body


# The command forms of INTERFACE.md "Staff by email", with what each must read as: the
# widened syntax (red team 24a) must read every one of them as before.
_FORMS = [
    *[((f"#priority {p}",), Command("priority", (p,)))
      for p in ("high", "medium", "normal", "low")],
    *[((f"#status {s}",), Command("status", (s,))) for s in ("open", "waiting", "closed")],
    (("#critical",), Command("critical", ())),
    (("#internal",), Command("internal", ())),
    (("#assign bo@oo.dk",), Command("assign", ("bo@oo.dk",))),
    (("#time 30",), Command("time", ("30", "support"))),
    (("#time 1440 senior",), Command("time", ("1440", "senior"))),
    (("#time 007 project",), Command("time", ("7", "project"))),
    (("#time 45 support",), Command("time", ("45", "support"))),
]


@given(
    st.lists(st.sampled_from(_FORMS), min_size=1, max_size=4),
    st.sampled_from([" ", "  ", "\t", "\u00a0", " \t "]),
    st.sampled_from(["", " ", "\t", "\r"]),
    st.booleans(),
)
def test_interface_forms_read_as_before_whatever_the_spacing_and_case(
    forms: list[tuple[tuple[str], Command]], gap: str, edge: str, upper: bool
) -> None:
    lines = []
    for (written,), _command in forms:
        name, _, args = written.partition(" ")
        text = gap.join([name, *args.split()])
        lines.append(edge + (text.upper() if upper else text) + edge)
    block = split_commands("\n".join(lines) + "\n\nHej Søren\n")
    assert block.commands == tuple(command for _written, command in forms)
    assert block.errors == () and block.stray == ()
    assert block.rest == "Hej Søren\n"
    assert block.internal is any(c.name == "internal" for _w, c in forms)
