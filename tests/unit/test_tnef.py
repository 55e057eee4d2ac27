"""Outlook's winmail.dat: the files inside it are listed and can be written out (issue 15)."""

from __future__ import annotations

from tnef_stream import outlook_mail, winmail

from daemon.mail.attachments import TNEF_MEMBER
from daemon.mail.parse import parse, part_content
from daemon.mail.tnef import tnef_files

PDF = b"%PDF-1.4 kontrakt " * 40
XLSX = b"PK\x03\x04 regneark " * 30


FILES = [("KONTRA~1.PDF", "Kontrakt for Søren Ærø.pdf", PDF, True),
         ("BUDGT~1.XLS", "Budget Åbenrå 2027.xlsx", XLSX, False),
         ("NOTE.TXT", None, b"note", True)]


def test_the_files_of_a_tnef_stream_with_their_long_names() -> None:
    found = [(f.name, f.data) for f in tnef_files(winmail(FILES))]
    assert found == [("Kontrakt for Søren Ærø.pdf", PDF), ("Budget Åbenrå 2027.xlsx", XLSX),
                     ("NOTE.TXT", b"note")]


def test_a_broken_or_foreign_stream_gives_what_was_read() -> None:
    whole = winmail(FILES)
    assert tnef_files(b"not tnef") == []
    assert tnef_files(whole[: whole.index(XLSX) - 30])[0].data == PDF  # cut in file two
    for cut in range(0, len(whole), 7):  # never raises, wherever it is cut
        tnef_files(whole[:cut])


def test_a_mail_lists_the_files_in_its_winmail_dat_and_gives_each_back() -> None:
    tnef = winmail(FILES)
    raw = outlook_mail(tnef)
    listed = [(a.filename, a.content_type, a.size) for a in parse(raw).attachments]
    assert listed == [
        ("winmail.dat", "application/ms-tnef", len(tnef)),
        ("Kontrakt for Søren Ærø.pdf", "application/pdf", len(PDF)),
        ("Budget Åbenrå 2027.xlsx",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", len(XLSX)),
        ("NOTE.TXT", "text/plain", 4),
    ]
    contents = [part_content(raw, a.part_index) for a in parse(raw).attachments]
    assert contents == [tnef, PDF, XLSX, b"note"]
    assert parse(raw).attachments[1].part_index == 1 + TNEF_MEMBER


def test_a_winmail_dat_sent_as_octet_stream_is_read_too() -> None:
    raw = outlook_mail(winmail(FILES[:1]), b"application/octet-stream")
    assert [a.filename for a in parse(raw).attachments] == [
        "winmail.dat", "Kontrakt for Søren Ærø.pdf"]


def test_the_files_of_a_winmail_dat_of_some_hundred_kilobytes_are_listed_too() -> None:
    # File bodies of 4 KB and more are hidden from the parser (mime_tree, large_mail);
    # a winmail.dat's are read, or its files could not be listed.
    big = bytes(range(256)) * 1200  # 300 KB
    for content_type in (b"application/ms-tnef", b"application/octet-stream"):
        raw = outlook_mail(winmail([("BIG.PDF", "Stor kontrakt æøå.pdf", big, True)]),
                           content_type)
        listed = [(a.filename, a.size) for a in parse(raw).attachments]
        assert listed[1:] == [("Stor kontrakt æøå.pdf", len(big))]
        assert part_content(raw, parse(raw).attachments[1].part_index) == big
