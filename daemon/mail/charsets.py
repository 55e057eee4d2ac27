"""Bytes of a declared, mislabelled or undeclared charset to text, as mail clients read them.

Real mail lies about its charset in a few well-known ways, and mail clients decode
with the superset of the declared charset: GBK/GB18030 text labelled gb2312,
Windows-1252 labelled iso-8859-1 or us-ascii, Big5-HKSCS labelled big5, Windows-949
labelled ks_c_5601-1987 or euc-kr, Windows-31J labelled shift_jis, the ISO-2022-JP
extensions labelled iso-2022-jp, and Windows-125x text labelled as its ISO-8859
look-alike. `decode` does the same.

Bytes of no declared charset (raw 8-bit header fields, an undeclared body) are read
with the charsets the mail itself declares elsewhere first (a Chinese mailer writes
its raw Subject in the charset of its body), then by a detector over the candidates
mail from our senders comes in. Detectors misread short Latin text (charset-normalizer
takes "Kære Søren" for cp1006, and for Windows-1251 "Kжre Sшren"), so a candidate must
read as well-formed text of its script (`_plausibility`) to beat Windows-1252, the
honest default for Danish senders: a wrong single-byte guess puts letters of another
script inside Latin words, or swaps the case of Cyrillic letters (KOI8-R and
Windows-1251 hold the small and capital letters in each other's places). Where two
scripts read equally well (Korean syllables are GB2312 hanzi byte for byte), the one
whose language's most used characters the text holds wins (`_common_characters`).
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence

# The codecs to decode a declared charset with, most likely first: the superset
# mail clients use, then the label itself. Keys are lower-case labels without
# punctuation (see _label).
_SUPERSETS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        "gb2312 gbk gb18030 euccn xgbk cp936 windows936 gb231280 csgb2312 chinese "
        "hzgb2312".split(),
        ("gb18030",),
    ),
    **dict.fromkeys("big5 xxbig5 cnbig5 csbig5 big5hkscs cp950 windows950".split(),
                    ("big5hkscs", "cp950")),
    **dict.fromkeys(
        "ksc56011987 ksc5601 euckr korean cp949 windows949 uhc ksc56011989 csksc56011987"
        .split(),
        ("cp949",),
    ),
    **dict.fromkeys("shiftjis sjis xsjis mskanji cp932 windows31j cswindows31j".split(),
                    ("cp932", "shift_jis_2004")),
    **dict.fromkeys("eucjp xeucjp".split(), ("euc_jis_2004", "cp932")),
    **dict.fromkeys(
        "iso2022jp csiso2022jp iso2022jp1 iso2022jp2 iso2022jp3 iso2022jpext".split(),
        ("iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_2004", "iso2022_jp_3"),
    ),
    **dict.fromkeys("iso88591 latin1 l1 iso885911987 cp819 ibm819 windows1252 cp1252"
                    .split(), ("cp1252",)),
    # Labels Python does not know by these names, seen from Apple, Thai and Hebrew mailers.
    **dict.fromkeys("xmacroman macintosh macroman csmacintosh".split(), ("mac_roman",)),
    **dict.fromkeys("tis620 iso885911 windows874 cp874".split(), ("cp874",)),
    **dict.fromkeys("unicode11utf7 utf7 xunicode20utf7".split(), ("utf-7",)),
    # UTF-16 by other names (Outlook's "unicode"); its byte order: _utf16_order.
    **dict.fromkeys("utf16 ucs2 unicode csunicode iso10646ucs2".split(), ("utf-16",)),
    "iso88598i": ("cp1255", "iso8859_8"),
    "iso88596i": ("cp1256", "iso8859_6"),
}
# ISO-8859 look-alikes: decoded as the Windows codepage only when the bytes use the
# C1 range (0x80-0x9F), control codes in ISO-8859 that no person writes and where the
# Windows codepages put letters (š ž ť in Czech) and typography (€ „ “ –).
_LOOKALIKES = {
    "iso88592": "cp1250",
    "latin2": "cp1250",
    "iso88595": "cp1251",
    "iso88597": "cp1253",
    "iso88598": "cp1255",
    "iso88599": "cp1254",
    "latin5": "cp1254",
    "iso885913": "cp1257",
    "iso885915": "cp1252",
    "latin9": "cp1252",
    "iso88596": "cp1256",
    "iso88594": "cp1257",
}
# us-ascii (or the like) with 8-bit bytes says nothing of them: the sender's client
# wrote its own codepage (Windows-1252 for our Western senders, GBK from a Chinese
# webmail) or UTF-8; they are read as undeclared.
_ASCII = frozenset("usascii ascii ansix341968 us iso646us csascii 8bit".split())
_C1 = re.compile(rb"[\x80-\x9f]")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_ISO2022_ESCAPE = re.compile(rb"\x1b[$(]")
# What mail from our senders comes in when nothing says: Western and Central
# European, Chinese (simplified, traditional), Japanese, Korean, Russian (Windows
# before the older KOI8-R); ties go to the earlier.
_CANDIDATES = ("cp1252", "gb18030", "big5hkscs", "cp932", "cp949", "cp1250", "cp1251",
               "koi8_r")
_LATIN = frozenset({"cp1252", "cp1250"})
_CYRILLIC = frozenset({"cp1251", "koi8_r"})
_SAMPLE = 8192  # bytes a guess is made from; the whole text is then decoded


def _label(charset: str) -> str:
    return re.sub(r"[^a-z0-9]", "", charset.lower())


def codecs_for(charset: str | None, data: bytes | None = None) -> tuple[str, ...]:
    """The codecs to read a declared charset with, best first; () when unknown.
    With `data`, an ISO-8859 label's Windows look-alike only if the bytes need it."""
    if not charset:
        return ()
    found = _codecs_for_label(charset)
    lookalike = len(found) == 2 and found[1].startswith("iso8859")  # see _LOOKALIKES
    if lookalike and data is not None and not _C1.search(data):
        return found[1:]
    return found


@functools.lru_cache(maxsize=256)
def _codecs_for_label(charset: str) -> tuple[str, ...]:
    label = _label(charset)
    if label in _SUPERSETS:
        return _SUPERSETS[label]
    if label in ("utf8", "utf8mb4", "unicode11utf8", "xunicode20utf8"):
        return ("utf-8",)
    try:
        name = codecs.lookup(charset.strip()).name
    except (LookupError, ValueError, UnicodeError):  # unknown, or NUL in the name
        return ()
    lookalike = _LOOKALIKES.get(label)
    return (lookalike, name) if lookalike else (name,)


def decode(data: bytes, charset: str | None, hints: Sequence[str] = ()) -> str:
    """`data` in the declared `charset` as its sender meant it; never raises.

    The declared charset's superset first; bytes that do not fit it are read as if
    undeclared (`guess`), and only when nothing reads them cleanly does the declared
    charset decode them with replacement marks.
    """
    if data.isascii() and b"\x1b" not in data:  # the usual case, decided in C
        if charset and "7" in charset and codecs_for(charset) == ("utf-7",):
            return _decode_lenient(data, "utf-7")  # written in ASCII: "på" is "p+AOU-"
        return data.decode("ascii")
    by_bom = _by_byte_order_mark(data)
    if by_bom is not None:
        return by_bom
    if charset and _label(charset) in _ASCII:
        return guess(data, hints)
    choices = codecs_for(charset, data)  # no C1 bytes: an ISO-8859 label is the truth
    if choices == ("utf-16",):  # no BOM (that was read above)
        if b"\0" not in data:
            # Not UTF-16: every line break, space, digit and Latin letter of it holds a
            # zero byte. 8-bit text under "unicode" or "ucs-2" (a script's label for
            # "not ASCII") read as the label were absent, not as CJK byte soup.
            return guess(data, hints)
        choices = (_utf16_order(data),)
    if choices and not data.isascii() and _single_byte(choices[0]):
        # UTF-8 under the old default label (webmail, scripts): every byte "fits" a
        # single-byte charset, so the label alone read "blåbær" as "blÃ¥bÃ¦r". UTF-8's
        # multi-byte sequences almost never occur by chance in single-byte text.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    for codec in choices:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    if choices == ("utf-8",) and _mostly_utf8(data):
        return data.decode("utf-8", "oo-cp1252")
    return guess(data, hints, fallback=choices[0] if choices else None)


def guess(data: bytes, hints: Iterable[str] = (), fallback: str | None = None) -> str:
    """Bytes of undeclared charset as text; `hints` are the charsets the mail declares.

    UTF-8 when valid; ISO-2022-JP when it has its escapes; else the first hinted charset
    that decodes the bytes cleanly; else the detector's pick when it reads as text of
    its script at least as well as Windows-1252 does; else Windows-1252.
    """
    by_bom = _by_byte_order_mark(data)
    if by_bom is not None:
        return by_bom
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if not _ISO2022_ESCAPE.search(data):
            return text
    if _mostly_utf8(data):  # a stray byte in UTF-8 text: that byte alone is not UTF-8
        return data.decode("utf-8", "oo-cp1252")
    if _ISO2022_ESCAPE.search(data):
        for codec in _SUPERSETS["iso2022jp"]:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                continue
    sample = data[:_SAMPLE]
    for hint in hints:
        for codec in codecs_for(hint, sample):
            if codec != "utf-8" and _reads(sample, codec):
                return _decode_lenient(data, codec)
    detected = _detected(sample)
    if detected is None and fallback is not None:
        return data.decode(fallback, "replace")
    return _decode_lenient(data, detected or "cp1252")


# A byte order mark and the codec it names (UTF-32's first: its little-endian mark
# begins with UTF-16's).
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _by_byte_order_mark(data: bytes) -> str | None:
    """The text after a byte order mark in the codec it names, or None (no mark, or
    bytes that do not fit it). As WHATWG Encoding's "decode": the mark decides over
    any label. Notepad's text and some Outlook exports are UTF-16 with a mark, sent
    under no charset or the account's default; read by the label they were byte soup
    behind "ÿþ". No one writes "ÿþ" or "ï»¿" to begin a text."""
    if data[:1] not in (b"\xef", b"\xff", b"\xfe", b"\x00"):
        return None
    for mark, codec in _BOMS:
        if data.startswith(mark):
            try:
                return data[len(mark):].decode(codec)
            except UnicodeDecodeError:
                return None
    return None


def _utf16_order(data: bytes) -> str:
    """The byte order of UTF-16 text without a BOM, from where its zero bytes are: the
    high byte of every Latin, digit and punctuation character. RFC 2781 says big-endian
    then; Python's "utf-16" reads the machine's order, which gave "\x00P\x00r" for
    big-endian text. No zero bytes (CJK text): little-endian, as Windows writes it."""
    sample = data[:_SAMPLE]
    high_first = sample[0::2].count(0)
    return "utf-16-be" if high_first > sample[1::2].count(0) else "utf-16-le"


def undeclared_codec(data: bytes) -> str | None:
    """The legacy codec `guess` reads `data` with when no hint decides (None for UTF-8,
    ASCII and ISO-2022-JP): for a mail's raw header fields taken together, which one
    client wrote in one charset. A name of three Korean syllables alone reads as well
    as three hanzi; beside its subject it does not."""
    if data.isascii() or _ISO2022_ESCAPE.search(data):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return _detected(data[:_SAMPLE]) or "cp1252"
    return None


def _reads(sample: bytes, codec: str) -> bool:
    """Whether `sample` (perhaps cut mid-character at its end) is valid in `codec`."""
    try:
        codecs.getincrementaldecoder(codec)().decode(sample, final=len(sample) < _SAMPLE)
    except UnicodeDecodeError:
        return False
    return True


def _decode_lenient(data: bytes, codec: str) -> str:
    """`data` in `codec`; Windows-1252's five unassigned bytes read as Latin-1 (C1)
    rather than replacement marks, so no byte is lost from the text."""
    if codec == "cp1252":
        return data.decode("cp1252", "oo-latin1")
    return data.decode(codec, "replace")


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bytes(bad).decode("latin-1"), error.end


codecs.register_error("oo-latin1", _latin1_fallback)


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """For UTF-8 text with a few bytes that are not (a Latin-1 signature pasted in,
    a sequence cut short): those bytes read as Windows-1252, so none is lost or
    shown as a replacement mark."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = bytes(error.object[error.start : error.end])
    return bad.decode("cp1252", "oo-latin1"), error.end


codecs.register_error("oo-cp1252", _cp1252_fallback)

# A well-formed UTF-8 sequence of two to four bytes (RFC 3629 section 4).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}"
    rb"|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 text with a few stray bytes: more well-formed multi-byte sequences than
    non-ASCII bytes outside them. Legacy CJK text forms such sequences only now and
    then by chance (GBK's common hanzi mostly do not), so it stays with the guess."""
    sequences = covered = 0
    for match in _UTF8_SEQUENCE.finditer(data):
        sequences += 1
        covered += match.end() - match.start()
    return sequences > len(_NON_ASCII.findall(data)) - covered


@functools.cache
def _single_byte(codec: str) -> bool:
    """Does `codec` read every byte as one character (cp1252, ISO-8859-x, KOI8-R)?"""
    try:
        return len(bytes(range(256)).decode(codec, "replace")) == 256
    except LookupError:
        return False


def _detected(sample: bytes) -> str | None:
    """The candidate charset `sample` reads best in, or None for Windows-1252."""
    readings: dict[str, str] = {}
    for codec in _CANDIDATES:
        try:
            readings[codec] = codecs.getincrementaldecoder(codec)().decode(
                sample, final=len(sample) < _SAMPLE
            )
        except UnicodeDecodeError:
            continue
    if not readings:
        return None
    scores = {codec: _plausibility(text, codec) for codec, text in readings.items()}
    best = max(scores.values())
    tied = [codec for codec in _CANDIDATES if codec in scores and scores[codec] == best]
    if len(tied) > 1:
        if tied[0] in _LATIN:  # no other script wins a tie with a Latin reading
            tied = [codec for codec in tied if codec in _LATIN]
        common = {codec: _common_characters(readings[codec], codec) for codec in tied}
        tied = [codec for codec in tied if common[codec] == max(common.values())]
        if tied[0] in _LATIN:
            # Then Windows-1252: the detector's models take Danish "på får" for the
            # Windows-1250 "pĺ fĺr" (å ø æ are ĺ ř ć there, letters too).
            return tied[0]
    if len(tied) > 1 and len(_NON_ASCII.findall(sample)) >= 8:
        # Equally well-formed (Korean syllables are GB2312 hanzi byte for byte):
        # the detector's language models decide among these only.
        from charset_normalizer import from_bytes  # see _frequencies

        match = from_bytes(sample, cp_isolation=tied).best()
        if match is not None and match.encoding in tied:
            return match.encoding
    return tied[0]


# Windows-1252 typography and letters of the Latin-script languages we get mail in.
_TYPOGRAPHY = set("€„“”‘’‚–—…•«»°§©®™")


def _plausibility(text: str, codec: str) -> float:
    """How much `text` reads as text of the script `codec` is for: per byte, +1 for
    a character where it belongs, less for the oddities a wrong guess produces.

    A wrong CJK guess for Latin text puts one ideograph between Latin letters
    ("K楷re"); a wrong Latin guess for CJK text gives runs of symbols and accented
    capitals ("´òÓ¡»ú"); a wrong CJK guess for other CJK text gives characters
    outside the common set of that legacy charset (GBK read as Big5, Big5 as GBK).
    """
    score = 0.0
    previous = ""
    chars = list(text)
    for i, ch in enumerate(chars):
        if ch.isascii():
            previous = ch
            continue
        following = chars[i + 1] if i + 1 < len(chars) else ""
        inside_word = previous.isascii() and previous.isalpha() or (
            following.isascii() and following.isalpha()
        )
        if codec in _LATIN:
            score += _latin_score(ch, inside_word)
        elif codec in _CYRILLIC:
            score += _cyrillic_score(ch, previous, following, inside_word)
        else:
            score += _cjk_score(ch, codec, inside_word)
        previous = ch
    return score


def _latin_score(ch: str, inside_word: bool) -> float:
    if ch in _TYPOGRAPHY:
        return 1.0
    if not ch.isalpha():
        return -1.0  # ¡ » ´ ¤ and C1 controls: the marks of CJK read as Latin
    return 1.0 if inside_word else 0.25


def _cyrillic_score(ch: str, previous: str, following: str, inside_word: bool) -> float:
    if ch in _TYPOGRAPHY or ch == "№":
        return 1.0
    if not ("\u0400" <= ch <= "\u04ff" and ch.isalpha()):
        return -1.0  # box drawing (KOI8-R), ¤ µ ¶: the marks of other bytes read so
    if inside_word:
        return -2.0  # "Kжre": Danish æ ø å read as Cyrillic, between Latin letters
    if not previous.isalpha() and not following.isalpha():
        return 0.25  # a word of one letter says as little as a Latin one: "å" is Danish
    if ch.isupper() and previous.islower() and "\u0400" <= previous <= "\u04ff":
        return -1.0  # "нЕ РАБОТАЕТ": Windows-1251 read as KOI8-R, the cases swapped
    # By how much Russian uses the letter: Danish "æøå" read so is "жше", rare letters.
    rank = _russian_rank().get(ch.lower().replace("ё", "е"))
    return -1.0 if rank is None else 1.0 if rank < 10 else 0.25


# The 26 most used characters of each candidate's languages (charset-normalizer's
# frequency tables list 26 for Korean and Russian, 100 for Chinese: as many of each,
# or Chinese would win ties for the length of its list): a wrong reading of the same
# bytes rarely lands on them (Danish "å ø" are the Windows-1250 "ĺ ř", rare anywhere).
_LANGUAGES = {
    "cp1252": ("Danish", "Norwegian", "Swedish", "German", "English", "Dutch", "French",
               "Spanish", "Portuguese", "Italian", "Finnish"),
    "cp1250": ("Czech", "Polish", "Slovak", "Hungarian", "Slovene", "Croatian", "Romanian"),
    "gb18030": ("Chinese",), "big5hkscs": ("Chinese",), "cp932": ("Japanese",),
    "cp949": ("Korean",), "cp1251": ("Russian",), "koi8_r": ("Russian",),
}


@functools.cache
def _frequencies() -> dict[str, list[str]]:
    """charset-normalizer's frequency tables, imported when a guess first needs them:
    the package costs ~2.6 MB in every process that imports this module, and the
    daemon itself guesses no charset when its parsing workers read the mail (issue 18)."""
    from charset_normalizer.constant import FREQUENCIES

    return FREQUENCIES


@functools.cache
def _common(codec: str) -> frozenset[str] | None:
    languages = _LANGUAGES.get(codec)
    if languages is None:
        return None
    return frozenset(ch for language in languages for ch in _frequencies()[language][:26])


@functools.cache
def _russian_rank() -> dict[str, int]:
    return {letter: rank for rank, letter in enumerate(_frequencies()["Russian"])}


def _common_characters(text: str, codec: str) -> int:
    """How many characters of `text` are among its language's most used ones."""
    common = _common(codec)
    return sum(ch.lower() in common for ch in text if not ch.isascii()) if common else 0


# The common repertoire of each CJK codec: its base legacy charset, and what each
# lead byte there holds, as points per character: the most used characters (GB2312
# level 1, Big5 "frequent", JIS level 1, the 2,350 KS X 1001 syllables) and full-width
# punctuation 2; the rarer level 1; Greek, Cyrillic, box drawing and the other
# script's kana 0. A wrong CJK guess for CJK text lands in the rare rows.
_BASE = {"gb18030": "gb2312", "big5hkscs": "big5", "cp932": "shift_jis", "cp949": "euc_kr"}
_ROWS: dict[str, tuple[tuple[int, int, float], ...]] = {
    "gb18030": ((0xA1, 0xA3, 2.0), (0xB0, 0xD7, 2.0), (0xD8, 0xF7, 1.0)),
    "big5hkscs": ((0xA1, 0xA3, 2.0), (0xA4, 0xC6, 2.0), (0xC9, 0xF9, 1.0)),
    "cp932": ((0x81, 0x83, 2.0), (0x88, 0x98, 2.0), (0x99, 0xEA, 1.0)),
    "cp949": ((0xA1, 0xA3, 2.0), (0xB0, 0xC8, 2.0), (0xCA, 0xFD, 1.0)),
}


def _cjk_score(ch: str, codec: str, inside_word: bool) -> float:
    if inside_word:
        return -2.0
    if unicodedata.east_asian_width(ch) not in ("W", "F"):
        return -2.0  # half-width katakana, Latin, symbols: what byte soup decodes to
    try:
        lead = ch.encode(_BASE[codec])[0]
    except UnicodeEncodeError:
        return -1.0  # outside the common set: rare characters are a wrong guess's mark
    return next((points for low, high, points in _ROWS[codec] if low <= lead <= high), 0.0)
