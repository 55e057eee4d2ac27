"""Charsets read as mail clients read them: supersets of false labels, undeclared bytes
guessed from the mail's own charsets, then by script plausibility."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daemon.mail.charsets import decode, guess, undeclared_codec
from daemon.mail.parse import parse


@pytest.mark.parametrize(
    ("text", "codec", "label"),
    [
        ("王喆的打印机坏了", "gbk", "gb2312"),  # 喆: GBK, not GB2312
        ("𠮷野家 €5", "gb18030", "GB2312"),
        ("啱啱壞咗", "big5hkscs", "big5"),
        ("똠얌꿍", "cp949", "ks_c_5601-1987"),
        ("똠얌꿍", "cp949", "euc-kr"),
        ("①㈱サーバー", "cp932", "shift_jis"),
        ("ﾃｽﾄ送信", "iso2022_jp_ext", "iso-2022-jp"),
        ("„Rechnung“ 50 € – überfällig", "cp1252", "iso-8859-1"),
        ("Grüße", "cp1252", "us-ascii"),
        ("公司的网络一直断断续续", "gbk", "us-ascii"),  # webmail: us-ascii means nothing
        ("Café – “ok”", "mac_roman", "x-mac-roman"),
        ("ภาษาไทย", "cp874", "tis-620"),
        ("Šťastný žák", "cp1250", "iso-8859-2"),  # Outlook's cp1250 under an ISO label
    ],
)
def test_false_label_is_read_with_its_superset(text: str, codec: str, label: str) -> None:
    assert decode(text.encode(codec), label) == text


@pytest.mark.parametrize(
    ("text", "label"),
    [("Šťastný žák, ąę", "iso-8859-2"), ("Prix: 5 €", "iso-8859-15"), ("Øl", "iso-8859-1"),
     ("שלום", "iso-8859-8-i")],
)
def test_true_iso_8859_label_is_kept(text: str, label: str) -> None:
    """Without C1 bytes the ISO-8859 label is right: Windows-1250 would read ą as ¹."""
    assert decode(text.encode(label.removesuffix("-i")), label) == text


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Kære Søren", "cp1252"),
        ("Printeren på kontoret æder papir", "cp1252"),
        ("„Rechnung“ 50 € überfällig", "cp1252"),
        ("Årsrapport.pdf", "cp1252"),
        ("æøå ÆØÅ", "cp1252"),
        ("关于服务器故障的紧急请求", "gbk"),
        ("打印机无法连接网络", "gbk"),
        ("印表機無法連線，請協助", "big5"),
        ("伺服器故障緊急請求", "big5"),
        ("プリンターが動きません", "cp932"),
        ("프린터가 작동하지 않습니다", "cp949"),
        ("Не работает принтер в офисе", "cp1251"),
        ("Здравствуйте! Принтер не печатает с утра.", "cp1251"),
        ("Иван Петров", "cp1251"),
        ("Пришлите, пожалуйста, счёт ещё раз.", "koi8_r"),
        ("Ольга Смирнова", "koi8_r"),
        ("Не работает принтер в офисе", "koi8_r"),
    ],
)
def test_undeclared_bytes_read_by_plausibility(text: str, codec: str) -> None:
    assert guess(text.encode(codec)) == text


@pytest.mark.parametrize(
    "text",
    ["å", "Å", "ø", "æ", "Ø", "Vi ses på Ærø", "Så er det nu", "Tak for hjælpen",
     "Hilsen Åse", "Møde kl. 10 – på 2. sal", "Hej Søren, kan du ringe?", "Spørgsmål",
     "Bestilling af ny bærbar til Åse", "Fejl i Økonomisystemet", "blå skærm", "Grüße",
     "Café crème", "Kære Søren"],
)
def test_danish_is_not_taken_for_cyrillic(text: str) -> None:
    """Windows-1251 reads "æøå" as "жше" and KOI8-R as "ЖХЕ", letters too: a Cyrillic
    letter between Latin ones, a rare one, or a word of one letter does not outweigh
    the Windows-1252 reading."""
    assert guess(text.encode("cp1252")) == text


def test_undeclared_codec_of_a_mails_header_bytes_taken_together() -> None:
    # Alone, three Korean syllables read as well as three GB2312 hanzi.
    assert guess("김민준".encode("cp949")) != "김민준"
    together = "김민준\n비밀번호 재설정 요청".encode("cp949")
    assert undeclared_codec(together) == "cp949"
    assert guess("김민준".encode("cp949"), [undeclared_codec(together) or ""]) == "김민준"
    assert undeclared_codec("Ольга Смирнова\nСчёт за ноябрь".encode("koi8_r")) == "koi8_r"
    assert undeclared_codec("Kære Søren\nlåst konto".encode("cp1252")) == "cp1252"
    assert undeclared_codec("Søren".encode()) is None  # UTF-8 is read as such anyway
    assert undeclared_codec(b"plain") is None


def test_undeclared_bytes_read_in_the_mails_own_charset_first() -> None:
    # Two Korean syllables are also two GB2312 hanzi: only the mail's charset tells.
    assert guess("견적".encode("cp949"), ["ks_c_5601-1987"]) == "견적"
    assert guess("Jiří".encode("cp1250"), ["windows-1250"]) == "Jiří"


@given(st.binary(max_size=200), st.sampled_from([None, "gb2312", "iso-8859-2", "x-bad", "utf-8"]))
def test_any_bytes_decode_without_raising(data: bytes, label: str | None) -> None:
    assert isinstance(decode(data, label, ["big5"]), str)


def test_ideographic_space_and_local_part_case_are_kept() -> None:
    raw = (
        "From: 山田　太郎 <Taro.Yamada@Kunde.JP>\r\nSubject: 打印机　故障  now\r\n\r\nx\r\n"
    ).encode()
    mail = parse(raw)
    assert mail.subject == "打印机　故障 now"
    assert mail.from_name == "山田　太郎"
    assert mail.from_addr == "Taro.Yamada@kunde.jp"


@pytest.mark.parametrize(
    "prefix",
    [b"\r\n", b"\xef\xbb\xbf", b"From bo@kunde.dk Fri Dec  4 09:00:00 2026\n",
     b"** scanned by gateway **\r\n", b"junk\r\n\r\nmore junk\r\n"],
)
def test_junk_before_the_header_section_is_stepped_over(prefix: bytes) -> None:
    mail = parse(prefix + b"From: Bo <bo@kunde.dk>\r\nSubject: Hej\r\n\r\nTekst\r\n")
    assert (mail.from_addr, mail.subject, mail.body_text) == ("bo@kunde.dk", "Hej", "Tekst")


def test_sender_found_where_a_broken_header_section_hid_it() -> None:
    raw = b"Subject: Hej\r\nthis line ends the headers\r\nFrom: bo@kunde.dk\r\n\r\nTekst\r\n"
    assert parse(raw).from_addr == "bo@kunde.dk"
    received = (b"Received: from x (envelope-from <eva@kunde.dk>) by mx\r\n"
                b"From: Eva\r\nSubject: s\r\n\r\nb\r\n")
    assert parse(received).from_addr == "eva@kunde.dk"


def test_envelope_sender_is_the_last_resort() -> None:
    assert parse(b"Subject: s\r\n\r\nb\r\n", envelope_sender="bo@kunde.dk").from_addr == (
        "bo@kunde.dk")
    mail = parse(b"nothing but text\r\n", envelope_sender="Bo@Kunde.dk")
    assert (mail.from_addr, mail.body_text) == ("Bo@kunde.dk", "nothing but text")


def test_raw_name_read_in_the_charset_of_the_encoded_subject_beside_it() -> None:
    # Alone, the name's bytes read as well as GB2312 hanzi (梯團遽) as Korean.
    raw = (b"From: " + "김민준".encode("cp949") + b" <kim@kunde.kr>\r\n"
           b"Subject: =?ks_c_5601-1987?B?" + base64.b64encode("견적서".encode("cp949"))
           + b"?=\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nsee subject\r\n")
    mail = parse(raw)
    assert (mail.from_name, mail.subject) == ("김민준", "견적서")


@pytest.mark.parametrize(
    ("name", "subject", "codec"),
    [("이지은", "비밀번호 재설정", "euc-kr"), ("김민준", "서버 장애 문의", "cp949"),
     ("Ольга Смирнова", "Счёт за ноябрь", "koi8_r"), ("Иван Петров", "Ошибка", "cp1251")],
)
def test_raw_name_and_subject_read_in_one_charset(name: str, subject: str, codec: str) -> None:
    """No charset declared anywhere: the raw From name and Subject, written by one client,
    are guessed together (alone, 김민준 reads as hanzi and Ошибка as 硒栳赅)."""
    raw = (b"From: " + name.encode(codec) + b" <x@kunde.example>\r\nSubject: "
           + subject.encode(codec) + b"\r\nContent-Type: text/plain\r\n\r\nsee subject\r\n")
    mail = parse(raw)
    assert (mail.from_name, mail.subject) == (name, subject)


DANISH_WORDS = (
    "på", "år", "så", "må", "får", "går", "både", "også", "nødt", "søren", "Søren", "Åse",
    "Ærø", "København", "Århus", "Økonomi", "kære", "Kære", "hjælp", "bærbar", "skærm",
    "møde", "lørdag", "fødselsdag", "spørgsmål", "låst", "løsning", "rådgivning", "ønsker",
    "printer", "server", "mail", "konto", "fejl", "i", "og", "er", "ikke", "vi", "til", "kl.",
    "–", "10:00", "2.", "sal", "æbler", "Ø", "å", "blå", "grøn", "færdig", "næste", "uge",
)


@given(st.lists(st.sampled_from(DANISH_WORDS), min_size=1, max_size=12))
def test_any_danish_sentence_reads_as_danish(words: list[str]) -> None:
    """The law Cyrillic guessing must keep: Danish in Windows-1252 (and so Latin-1)
    reads as Danish, whatever its words."""
    text = " ".join(words)
    assert guess(text.encode("cp1252")) == text


# -- Outside-in variants (redteam23): UTF-8 under a false single-byte label, and UTF-8
# with a few bytes that are not, must read as the customer wrote them.
DANISH = "Hej Søren, blåbærgrøden er kold. ÆØÅ – pris 100 €"


@pytest.mark.parametrize(
    "label", ["iso-8859-1", "windows-1252", "ISO-8859-15", "latin1", "iso-8859-2", "koi8-r"]
)
def test_utf8_under_a_single_byte_label_reads_as_utf8(label: str) -> None:
    """Webmail and scripts label UTF-8 text with the old default charset: every byte
    "fits" a single-byte charset, so the label alone gave 'blÃ¥bÃ¦r'. UTF-8's
    multi-byte sequences almost never occur by chance in single-byte text."""
    assert decode(DANISH.encode("utf-8"), label) == DANISH


@pytest.mark.parametrize(
    ("text", "label"),
    [("Kære Søren, Ã©n gang", "iso-8859-1"), ("Grüße, „Rechnung“", "windows-1252")],
)
def test_true_single_byte_text_stays_single_byte(text: str, label: str) -> None:
    codec = "cp1252"
    assert decode(text.encode(codec), label) == text


def test_utf8_with_a_few_invalid_bytes_stays_utf8() -> None:
    """One stray byte (a Latin-1 signature pasted into a UTF-8 mail, a cut sequence)
    must not make the whole text be guessed as another script ('Г¦ГёГҐ')."""
    data = "Hej æøå, ".encode() + b"\xe9t\xe9 " + "slut ø".encode()
    assert decode(data, "utf-8") == "Hej æøå, été slut ø"
    assert guess(data) == "Hej æøå, été slut ø"


def test_mislabelled_utf8_reads_right_in_subject_body_and_file_name() -> None:
    raw = (
        b"From: Bo <bo@kunde.dk>\r\nTo: support@oo.dk\r\n"
        b"Subject: =?iso-8859-1?q?Bl=C3=A5b=C3=A6r_gr=C3=B8d?=\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\nHej bl=C3=A5b=C3=A6r\r\n"
        b"--b\r\nContent-Type: text/html; charset=windows-1252\r\n\r\n"
        + "<p>Hej æøå</p>".encode()
        + b"\r\n--b\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename*=iso-8859-1''bl%C3%A5b%C3%A6r.pdf\r\n"
        b"\r\nx\r\n--b--\r\n"
    )
    mail = parse(raw)
    assert mail.subject == "Blåbær grød"
    assert mail.body_text == "Hej blåbær"
    assert [a.filename for a in mail.attachments] == ["blåbær.pdf"]


@pytest.mark.parametrize(
    "subject",
    [
        b"=?utf-8?q?bl=C3?= =?utf8?q?=A5b=C3=A6r?=",  # two labels of one charset
        b"=?utf-8*da?q?bl=C3?= =?utf-8?q?=A5b=C3=A6r?=",  # with and without a language
        b"=?iso-8859-1?q?bl=C3?= =?utf-8?q?=A5b=C3=A6r?=",  # UTF-8 under a false label
    ],
)
def test_a_character_cut_across_encoded_words_of_one_charset_is_whole_again(
    subject: bytes,
) -> None:
    """RFC 2047 6.2: adjacent encoded words are one text, so a character cut across
    them is whole again; the words were joined only when their labels were the same
    string, so "utf-8" then "utf8" gave 'blÃĄbĂ¦r' (redteam23)."""
    raw = b"From: Bo <bo@kunde.dk>\r\nTo: support@oo.dk\r\nSubject: " + subject + b"\r\n\r\nx\r\n"
    assert parse(raw).subject == "blåbær"


@pytest.mark.parametrize(
    ("label", "text"),
    [
        ("iso-8859-1", "Hej, serveren virker ikke. Tak. Mvh Søren Ærø Åse «STRASSE»"),
        ("windows-1252", "„Grüße“ – Straße € 5 MÜNCHEN\xa0AG"),
        ("iso-8859-2", "Dzień dobry, serwer nie działa. Dziękuję. Żółć"),
        ("windows-1250", "Dobrý den, server nefunguje. Děkuji. Příliš žluťoučký kůň"),
        ("koi8-r", "Здравствуйте, сервер не работает. Спасибо"),
        ("windows-1251", "Здравствуйте «мир», сервер не работает. Спасибо"),
        ("iso-8859-7", "Καλημέρα, ο διακομιστής δεν λειτουργεί. Ευχαριστώ"),
        ("windows-1255", "שלום, השרת שלנו לא עובד. תודה רבה"),
        ("windows-1256", "مرحبا، الخادم لا يعمل. شكرا جزيلا"),
        ("tis-620", "สวัสดีครับ ระบบของเรามีปัญหา กรุณาช่วยตรวจสอบด้วย ขอบคุณครับ"),
    ],
)
def test_single_byte_text_is_never_taken_for_utf8(label: str, text: str) -> None:
    """review23b: the rule "valid UTF-8 under a single-byte label is UTF-8" holds for
    Latin and non-Latin labels alike: a word of two letters beyond ASCII is two bytes
    of 0xC0 and up, never a lead byte and its continuation. Each word alone, each two
    words and the whole text read as the label says."""
    words = text.split()
    for piece in [*words, *map(" ".join, zip(words, words[1:], strict=False)), text]:
        assert decode(piece.encode(label), label) == piece


@pytest.mark.parametrize("label", [None, "utf-8", "iso-8859-1", "us-ascii", "gb2312", "utf-16"])
@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-8"])
@pytest.mark.parametrize(
    "text", ["Printeren på 1. sal: Æ Ø Å æ ø å", "打印机坏了，所有人都无法打印。"]
)
def test_a_byte_order_mark_decides_over_the_label(text: str, codec: str, label: str | None) -> None:
    # WHATWG Encoding "decode": a BOM wins over any label, and is not text. Windows
    # Notepad's files and some Outlook exports are UTF-16 with a BOM, sent under no
    # charset or the account's default; read by the label they were "ÿþ" and byte soup.
    bom = {"utf-16": b"", "utf-16-be": b"\xfe\xff", "utf-8": b"\xef\xbb\xbf"}[codec]
    assert decode(bom + text.encode(codec), label) == text


def test_a_unlabelled_utf16_part_with_its_bom_reads_as_written() -> None:
    body = base64.encodebytes("Hej, printeren på kontoret virker ikke. Æ Ø Å".encode("utf-16"))
    mail = parse(
        b"From: Soren <s@kunde.dk>\r\nTo: support@oo.dk\r\nSubject: x\r\n"
        b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body
    )
    assert mail.body_text == "Hej, printeren på kontoret virker ikke. Æ Ø Å"


@pytest.mark.parametrize("label", ["utf-7", "UTF7", "unicode-1-1-utf-7"])
def test_utf7_is_decoded_though_its_bytes_are_ascii(label: str) -> None:
    # UTF-7 (RFC 2152) is written in ASCII: "på" is "p+AOU-". Read as ASCII, the text
    # kept its "+AOU-" codes in the subject, the name and the body.
    assert decode("Printer på kontoret – Æ Ø Å".encode("utf-7"), label) == (
        "Printer på kontoret – Æ Ø Å"
    )
    subject = b"From: a@kunde.dk\r\nSubject: =?" + label.encode() + b"?Q?p+AOU-_nettet?=\r\n\r\nx"
    assert parse(subject).subject == "på nettet"


@pytest.mark.parametrize("label", ["utf-16", "UTF-16", "ucs-2", "unicode", "csUnicode"])
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read_in_the_order_its_bytes_show(
    label: str, codec: str
) -> None:
    # No BOM: Python's "utf-16" reads the machine's order (little-endian), so text
    # written big-endian (RFC 2781's default) was "\x00P\x00r..."; Outlook labels
    # UTF-16LE "unicode", others "ucs-2", which were not known at all.
    text = "Printeren på 1. sal – Æ Ø Å"
    assert decode(text.encode(codec), label) == text



@pytest.mark.parametrize("label", ["unicode", "ucs-2", "utf-16"])
@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Hej på dig, printeren virker ikke", "utf-8"),  # even length, as UTF-16 needs
        ("Hej på dig, printeren virker ikke", "cp1252"),
        ("Hej, printeren virker ikke! Æ Ø Å", "utf-8"),
        ("Hej, printeren virker ikke! Æ Ø Å", "cp1252"),
        ("打印机坏了，请尽快帮忙\r\n", "utf-8"),
    ],
)
def test_8bit_text_under_a_utf16_label_is_not_read_as_utf16(
    label: str, text: str, codec: str
) -> None:
    # No zero byte, so no UTF-16: every line break, space and Latin letter of UTF-16
    # text has one. Read as UTF-16 such text was CJK soup ("效\u206a썰₥楤"), for the
    # labels redteam25b added (before: guessed right) and for "utf-16" itself (review25b).
    assert decode(text.encode(codec), label) == text
    assert decode(text.encode("utf-16-le"), label) == text  # the real thing, as written
