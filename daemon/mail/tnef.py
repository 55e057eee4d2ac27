"""The files inside Outlook's winmail.dat (TNEF, [MS-OXTNEF]): names and contents.

Outlook sends a message written in rich text as a plain part plus one attachment,
winmail.dat, that holds the real attachments; mail clients other than Outlook show
only "winmail.dat", which staff cannot open. `tnef_files` reads the files out of it.
Pure and linear in the bytes; never raises: a broken or truncated stream gives the
files read before the break.

The stream ([MS-OXTNEF] 2.1.3): a signature, a 2-byte key, then attributes, each
level (1 byte), id (4: type << 16 | id), length (4), data, checksum (2). Each file
starts with attAttachRendData; its name is in attAttachTitle (8-bit, in the
stream's OEM codepage) or, longer and exact, in the MAPI property
PR_ATTACH_LONG_FILENAME of attAttachment; its bytes in attAttachData.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from daemon.mail import charsets

SIGNATURE = b"\x78\x9f\x3e\x22"  # 0x223E9F78, little-endian
_ATT_ATTACH_REND_DATA = 0x00069002  # a new file starts here
_ATT_ATTACH_TITLE = 0x00018010  # its short name, 8-bit
_ATT_ATTACH_DATA = 0x0006800F  # its bytes
_ATT_ATTACHMENT = 0x00069005  # its MAPI properties
_ATT_OEM_CODEPAGE = 0x00069007  # the codepage of the 8-bit strings
_PR_ATTACH_LONG_FILENAME = 0x3707
_PR_DISPLAY_NAME = 0x3001
_PT_UNICODE = 0x001F
# Sizes of the fixed-length MAPI property types ([MS-OXCDATA] 2.11.1), as TNEF pads them.
_FIXED = {0x0001: 4, 0x0002: 4, 0x0003: 4, 0x0004: 4, 0x0005: 8, 0x0006: 8, 0x0007: 8,
          0x000A: 4, 0x000B: 4, 0x0014: 8, 0x0040: 8, 0x0048: 16}
_VARIABLE = frozenset({0x001E, 0x001F, 0x0102, 0x000D})  # string8, unicode, binary, object
_MULTI = 0x1000
MAX_FILES = 100  # more in one winmail.dat is not mail a person sent


@dataclass(frozen=True)
class TnefFile:
    name: str  # as the sender named it; "" when the stream gives none
    data: bytes


def is_tnef(data: bytes) -> bool:
    return data[:4] == SIGNATURE


def tnef_files(data: bytes) -> list[TnefFile]:
    """The files in a TNEF stream, in order; [] when `data` is none."""
    if not is_tnef(data):
        return []
    files: list[_Reading] = []
    codepage = "cp1252"
    pos = 6
    while pos + 9 <= len(data) and len(files) <= MAX_FILES:
        attribute, length = struct.unpack_from("<II", data, pos + 1)
        start, pos = pos + 9, pos + 9 + length + 2  # + checksum
        value = data[start : start + length]
        if attribute == _ATT_OEM_CODEPAGE and len(value) >= 4:
            codepage = f"cp{struct.unpack_from('<I', value)[0]}"
        elif attribute == _ATT_ATTACH_REND_DATA:
            files.append(_Reading())
        elif files and attribute == _ATT_ATTACH_TITLE:
            files[-1].title = charsets.decode(value.split(b"\0", 1)[0], codepage)
        elif files and attribute == _ATT_ATTACH_DATA:
            files[-1].data = value
        elif files and attribute == _ATT_ATTACHMENT:
            files[-1].long_name = _long_file_name(value, codepage)
    return [
        TnefFile(name=f.long_name or f.title, data=f.data)
        for f in files[:MAX_FILES]
        if f.data is not None
    ]


@dataclass
class _Reading:
    """A file of the stream as far as it has been read."""

    title: str = ""
    long_name: str | None = None
    data: bytes | None = None


def _long_file_name(props: bytes, codepage: str) -> str | None:
    """PR_ATTACH_LONG_FILENAME (else PR_DISPLAY_NAME) from an attAttachment property
    list; None when neither is there or the list is broken before it."""
    found: dict[int, str] = {}
    try:
        (count,) = struct.unpack_from("<I", props, 0)
        pos = 4
        for _ in range(min(count, 10_000)):
            kind, ident = struct.unpack_from("<HH", props, pos)
            pos += 4
            if ident >= 0x8000:  # a named property: a GUID, then an id or a name
                (named,) = struct.unpack_from("<I", props, pos + 16)
                pos += 20
                if named == 1:
                    (size,) = struct.unpack_from("<I", props, pos)
                    pos += 4 + _padded(size)
                else:
                    pos += 4
            base = kind & ~_MULTI
            values = 1
            if kind & _MULTI or base in _VARIABLE:
                (values,) = struct.unpack_from("<I", props, pos)
                pos += 4
            for _ in range(min(values, 10_000)):
                if base in _VARIABLE:
                    (size,) = struct.unpack_from("<I", props, pos)
                    value = props[pos + 4 : pos + 4 + size]
                    pos += 4 + _padded(size)
                    if ident in (_PR_ATTACH_LONG_FILENAME, _PR_DISPLAY_NAME):
                        text = (value.decode("utf-16-le", "replace") if base == _PT_UNICODE
                                else charsets.decode(value, codepage))
                        found.setdefault(ident, text.split("\0", 1)[0])
                elif base in _FIXED:
                    pos += _FIXED[base]
                else:
                    raise ValueError(f"unknown MAPI type {kind:#x}")
            if pos > len(props):
                break
    except (struct.error, ValueError):
        pass
    return found.get(_PR_ATTACH_LONG_FILENAME) or found.get(_PR_DISPLAY_NAME) or None


def _padded(size: int) -> int:
    return (size + 3) & ~3
