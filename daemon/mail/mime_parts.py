"""The parts of a parsed message: their payloads as parsed, their header parameters
(RFC 2231, raw 8-bit bytes), a text part's content as str, and the charsets the
mail declares, to read undeclared bytes with. Never raises on broken MIME."""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterator, Sequence
from email.message import Message
from email.utils import collapse_rfc2231_value
from typing import Any, overload

from daemon.mail import charsets
from daemon.mail.header_text import SURROGATES, decode_bytes, guess_decode

STUB = "OO-STUBBED-BASE64-"
_READ_FIELDS = frozenset({"from", "subject", "to", "cc", "reply-to", "sender"})
_WORD_CHARSET = re.compile(r"=\?([^?*\s]+)(?:\*[^?]*)?\?[bBqQ]\?")


class DeclaredCharsets(Sequence[str]):
    """Every charset the mail's parts and encoded words declare, in order, then the
    one the raw 8-bit bytes of its header fields read in, taken together; UTF-8 and
    ASCII left out (UTF-8 is tried first anyway, ASCII says nothing of 8-bit bytes).
    Looked up only when bytes of no declared charset need them: most mail has none."""

    def __init__(self, msg: Message) -> None:
        self._msg = msg
        self._found: list[str] | None = None

    def _charsets(self) -> list[str]:
        if self._found is None:
            found: list[str] = []
            for part in self._msg.walk():
                charset = param(part, "charset")
                if charset and charset.lower() not in found:
                    found.append(charset.lower())
            # The charsets of the encoded words in its header fields too: a client that
            # encodes the Subject in gb2312 writes the name beside it in raw GBK.
            for _name, value in self._msg.raw_items():
                for label in _WORD_CHARSET.findall(str(value)):
                    if label.lower() not in found:
                        found.append(label.lower())
            self._found = [c for c in found if charsets.codecs_for(c)[:1] not in (("utf-8",), ())]
            # Then the charset the raw 8-bit bytes of its header fields read in, taken
            # together: one client wrote them all, and more text is guessed better.
            guessed = charsets.undeclared_codec(self._raw_header_bytes())
            if guessed and guessed not in self._found:
                self._found.append(guessed)
        return self._found

    def _raw_header_bytes(self) -> bytes:
        values = [
            str(value).encode("utf-8", "surrogateescape")
            for name, value in self._msg.raw_items()
            if name.lower() in _READ_FIELDS
        ]
        return b"\n".join(value for value in values if not value.isascii())

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._charsets()[index]

    def __len__(self) -> int:
        return len(self._charsets())


def decode_text(part: Message, hints: Sequence[str] = ()) -> str:
    """A text part's content as str, whatever its declared (or missing, or false) charset."""
    if is_stub(part):
        return "[a text part too large to show; it is kept in the raw mail]"
    payload = _quoted_printable_unpadded(part) or part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = str(payload_of(part)).encode("utf-8", "surrogateescape")
    charset = param(part, "charset")
    if charset is None and part.get_content_subtype() == "html":
        meta = _META_CHARSET.search(payload, 0, 4096)  # HTML saved or sent as a file
        charset = meta.group(1).decode("ascii") if meta else None
    return decode_bytes(payload, charset, hints)


_TRANSPORT_PADDING = re.compile(r"[ \t]+$", re.MULTILINE)


def _quoted_printable_unpadded(part: Message) -> bytes | None:
    """A quoted-printable payload with its lines' trailing white space deleted first,
    as RFC 2045 6.7 (3) says (transport added it), or None when it has none or is not
    quoted-printable. binascii.a2b_qp keeps it, so a soft break "=  " stayed as "="
    and broke the line, and a UTF-8 sequence split there made the text a charset guess."""
    if str(part.get("Content-Transfer-Encoding", "")).strip().lower() != "quoted-printable":
        return None
    raw = payload_of(part)
    if not isinstance(raw, str) or not _TRANSPORT_PADDING.search(raw.replace("\r\n", "\n")):
        return None
    unpadded = _TRANSPORT_PADDING.sub("", raw.replace("\r\n", "\n"))
    return binascii.a2b_qp(unpadded.encode("utf-8", "surrogateescape"))


_META_CHARSET = re.compile(rb"""(?i)<meta[^>]{0,200}?charset\s*=\s*["']?([\w.:-]{1,40})""")


_TRANSFER_ENCODING = re.compile(r"(?i)(?<![\w-])(base64|quoted-printable|[78]bit|binary)(?![\w-])")


def normalise_transfer_encodings(msg: Message) -> Message:
    """`msg` with each part's Content-Transfer-Encoding reduced to its mechanism, as
    mail clients read it: get_payload(decode=True) compares the field as written,
    lower-cased but not stripped, so "base64 " (a trailing space from a gateway),
    "Base64;" or '"base64"' left the body undecoded: the text a person and the
    triage read was base64, and an attachment's file its base64 text."""
    for part in msg.walk():
        value = part.get("Content-Transfer-Encoding")
        if value is not None and not isinstance(value, str):
            value = str(value)  # a Header object, for 8-bit bytes in the field
        if (value is None or value in _PLAIN_MECHANISMS) and (
            value != "base64" or part.get_content_maintype() != "text"
        ):
            continue  # written as it should be, and no text declared base64
        written = str(value)
        found = _TRANSFER_ENCODING.search(written)
        mechanism = found.group(1).lower() if found is not None else None
        if mechanism == "base64" and _text_written_plainly(part):
            mechanism = "8bit"
        if mechanism is not None and written != mechanism:
            part.replace_header("Content-Transfer-Encoding", mechanism)
    return msg


# Fields as they are almost always written: nothing to reduce.
_PLAIN_MECHANISMS = frozenset({"base64", "quoted-printable", "7bit", "8bit", "binary"})
# What a base64 body holds besides its alphabet: line ends, padding, transport's spaces.
_NOT_BASE64 = dict.fromkeys(
    map(ord, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n"), None
)


def _text_written_plainly(part: Message) -> bool:
    """A text part declared base64 whose body is plain text (a script's mail that never
    encoded it): more than one character in 20 is no base64 (spaces between words,
    punctuation, 8-bit letters). The parser decoded such a text leniently to byte soup,
    or, by luck of its padding, gave it as written."""
    payload = payload_of(part)
    if part.get_content_maintype() != "text" or not isinstance(payload, str) or is_stub(part):
        return False
    sample = payload[:4096]
    if len(sample.translate(_NOT_BASE64)) * 20 <= len(sample):
        return False
    # Plain words below a base64 block (a mailing list's footer or a gateway's
    # disclaimer added after encoding) are no plain text: the text is the block.
    return not _begins_as_base64(sample)


_BASE64_LINE = re.compile(r"[A-Za-z0-9+/]*={0,2}")


# Bytes no text holds (NUL is UTF-16's; tab, line ends and form feed are text's).
_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0b\x0e-\x1f\x7f]")


def _begins_as_base64(text: str) -> bool:
    """Do the first lines (up to the first that is not) hold base64 of text: 16
    characters or more that decode strictly to bytes with no control character? A
    plain word or two ("Godaften", "Hello" / "Bob") are base64 too, but short, and
    decode to control bytes as often as not."""
    block: list[str] = []
    for line in text.lstrip().splitlines():
        line = line.strip()
        if not line or not _BASE64_LINE.fullmatch(line):
            break
        block.append(line)
    joined = "".join(block)
    if len(joined) < 16:
        return False
    try:
        decoded = binascii.a2b_base64(joined, strict_mode=True)
    except binascii.Error:
        return False
    return not _CONTROL_BYTES.search(decoded)


def payload_of(part: Message) -> Any:
    """The payload as parsed: a list of parts, or str (8-bit bytes surrogate-escaped).

    Not get_payload(): without decode=True, compat32 decodes 8-bit text with the raw
    charset parameter, which a broken mail can make an RFC 2231 tuple (TypeError,
    found by tests/fuzz). The attribute has been the payload since Python 2.
    """
    return part._payload  # type: ignore[attr-defined]  # noqa: SLF001 - typeshed has no _payload


def leaf_parts(msg: Message) -> Iterator[Message]:
    """Every non-multipart part, not descending into attached messages."""
    payload = payload_of(msg)
    if msg.get_content_maintype() == "multipart" and isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, Message):
                yield from leaf_parts(sub)
        return
    yield msg


def param(
    part: Message, name: str, header: str = "content-type", hints: Sequence[str] = ()
) -> str | None:
    """A header parameter as text (RFC 2231 decoded, raw 8-bit bytes recovered), or
    None; never raises.

    The stdlib's parameter decoding fails on broken RFC 2231 continuations with a
    TypeError deep inside email.utils (found by tests/fuzz).
    """
    try:
        value = part.get_param(name, header=header)
        if isinstance(value, str) and f"{name}*" in str(part.get(header, "")).lower():
            value = _rfc2231_form(part, name, header) or value
        if isinstance(value, str) and "\ufffd" in value:
            value = _param_of_8bit_header(part, name, header, hints)
    except Exception:  # noqa: BLE001 - broken parameters read as absent
        return None
    if value is None:
        return None
    try:
        if isinstance(value, tuple):  # RFC 2231: (charset, language, text)
            # The text holds the bytes as Latin-1 characters; read them in the declared
            # charset as mail clients do (collapse_rfc2231_value would be strict).
            data = value[2].encode("raw-unicode-escape")
            text = charsets.decode(data, value[0] or None, hints)
        else:
            text = str(collapse_rfc2231_value(value))
            if SURROGATES.search(text):  # raw 8-bit bytes in the header
                text = guess_decode(text.encode("utf-8", "surrogateescape"), hints)
        return text.strip() or None
    except Exception:  # noqa: BLE001
        return None


def _rfc2231_form(
    part: Message, name: str, header: str
) -> tuple[str | None, str | None, str] | None:
    """The parameter's RFC 2231 form when the header gives it beside a plain one:
    senders write both so that old readers get an ASCII stand-in ("Tilbud .pdf" for
    "Tilbud æø.pdf"), and a reader that knows the charset form shows it (RFC 6266
    section 4.3). get_param returns the plain one, listed first."""
    found: list[tuple[str, Any]] = part.get_params(header=header) or []
    for key, value in found:  # typeshed says str; RFC 2231 values are tuples
        # An empty one ("filename*=utf-8''", a sender that could not encode the
        # name) gives way to the plain name, which is then all there is.
        if isinstance(value, tuple) and key.lower() == name.lower() and str(value[2]).strip():
            return (value[0], value[1], str(value[2]))
    return None


def _param_of_8bit_header(
    part: Message, name: str, header: str, hints: Sequence[str]
) -> str | tuple[str | None, str | None, str] | None:
    """The parameter read from the header's raw 8-bit bytes, recovered as text: compat32
    hands get_param such a header with every 8-bit byte replaced by U+FFFD."""
    raw = next((str(v) for k, v in part.raw_items() if k.lower() == header), "")
    if not SURROGATES.search(raw):
        return part.get_param(name, header=header)  # the U+FFFD was in the mail itself
    recovered = Message()
    recovered[header] = guess_decode(raw.encode("utf-8", "surrogateescape"), hints)
    return recovered.get_param(name, header=header)


def disposition(part: Message) -> str:
    return str(part.get("Content-Disposition") or "").split(";", 1)[0].strip().lower()


def is_attachment(part: Message) -> bool:
    """A file the mail carries: marked so, or named (an inline HTML invoice is one)."""
    if disposition(part) == "attachment" or param(part, "name"):
        return True
    return bool(param(part, "filename", header="content-disposition"))


def is_stub(part: Message) -> bool:
    payload = payload_of(part)
    return isinstance(payload, str) and payload.startswith(STUB) and len(payload) < 64
