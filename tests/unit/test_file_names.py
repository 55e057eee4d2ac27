"""File names from mail made safe to write (`oo-support attachments get`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from daemon.domain.file_names import MAX_NAME_CHARS, distinct_names, safe_file_name


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("rapport.pdf", "rapport.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\faktura.xlsx", "faktura.xlsx"),
        (".bashrc", "bashrc"),
        ("..", "fallback.bin"),
        ("", "fallback.bin"),
        ("a\x00b\nc.txt", "a_b_c.txt"),
        ('what?*<>|".txt', "what______.txt"),
        ("CON", "fallback.bin"),
        ("lpt1.txt", "fallback.bin"),
        ("blåbærgrød.docx", "blåbærgrød.docx"),
        ("报告.pdf", "报告.pdf"),
        # redteam24b: a right-to-left override shows "faktura\u202efdp.exe" as
        # "fakturaexe.pdf" in a file manager; the console made it visible, the files
        # `attachments get` wrote kept it.
        ("faktura\u202efdp.exe", "faktura_fdp.exe"),
        ("a\u2066b\u2069\u200f.txt", "a_b__.txt"),
    ],
)
def test_a_name_from_a_mail_is_one_harmless_name_here(name: str, safe: str) -> None:
    assert safe_file_name(name, "fallback.bin") == safe


def test_a_long_name_is_cut_but_keeps_its_extension() -> None:
    cut = safe_file_name("x" * 500 + ".pdf", "f")
    assert len(cut) == MAX_NAME_CHARS and cut.endswith(".pdf")


def test_names_are_made_distinct_from_each_other_and_from_what_is_there() -> None:
    assert distinct_names(["a.pdf", "A.pdf", "a.pdf", "noext", "noext"], taken=["a.pdf"]) == [
        "a (2).pdf", "A (3).pdf", "a (4).pdf", "noext", "noext (2)"
    ]


@pytest.mark.parametrize("char", ["😀", "报", "æ"])
def test_a_long_name_of_wide_characters_still_fits_a_file_system(char: str,
                                                                  tmp_path: Path) -> None:
    """redteam24b: 120 characters of four bytes each are 480 bytes, and ext4 (like most
    file systems) takes 255: `attachments get` failed on such a name, ENAMETOOLONG."""
    cut = safe_file_name(char * 300 + ".pdf", "f")
    assert cut.endswith(".pdf") and char in cut
    [first, second] = distinct_names([cut, cut])
    for name in (first, second):
        (tmp_path / name).write_bytes(b"x")  # no OSError: the name fits
