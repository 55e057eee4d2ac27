"""Outlook's winmail.dat (TNEF, [MS-OXTNEF]) as Outlook writes one, for tests: the
attributes of a message with files, each with its 8.3 title and its long name among
MAPI properties; and a mail carrying it."""

from __future__ import annotations

import base64
import struct

from daemon.mail.tnef import SIGNATURE


def attribute(level: int, ident: int, data: bytes) -> bytes:
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BII", level, ident, len(data)) + data + struct.pack("<H", checksum)


def padded(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def properties(long_name: str | None, unicode: bool = True) -> bytes:
    """An attAttachment property list as Outlook writes one: a number, a named
    property, then the long file name."""
    props = [struct.pack("<HHI", 0x0003, 0x0E21, 1)]  # PR_ATTACH_NUM, PT_LONG
    name = "X-Kunde".encode("utf-16-le") + b"\0\0"
    props.append(struct.pack("<HH", 0x001F, 0x8005) + b"G" * 16 + struct.pack("<II", 1, len(name))
                 + padded(name) + struct.pack("<II", 1, 4) + b"a\0\0\0")
    if long_name is not None:
        value = (long_name.encode("utf-16-le") + b"\0\0" if unicode
                 else long_name.encode("cp1252") + b"\0")
        kind = 0x001F if unicode else 0x001E
        props.append(struct.pack("<HHII", kind, 0x3707, 1, len(value)) + padded(value))
    return struct.pack("<I", len(props)) + b"".join(props)


def winmail(files: list[tuple[str, str | None, bytes, bool]]) -> bytes:
    """A TNEF stream: (8.3 title, long name, data, long name in Unicode) per file."""
    out = SIGNATURE + b"\x01\x00" + attribute(1, 0x00069007, struct.pack("<II", 1252, 0))
    out += attribute(1, 0x00018004, b"Kontrakt\0")  # attSubject, a message attribute
    for title, long_name, data, unicode in files:
        out += attribute(2, 0x00069002, b"\x01\x00" + b"\xff" * 12)
        out += attribute(2, 0x00018010, title.encode("cp1252") + b"\0")
        out += attribute(2, 0x0006800F, data)
        out += attribute(2, 0x00069005, properties(long_name, unicode))
    return out


def outlook_mail(tnef: bytes, content_type: bytes = b"application/ms-tnef") -> bytes:
    return (
        b"From: Birgitte Holm <bh@kunde.dk>\r\nTo: support@oo.dk\r\nSubject: VS: Kontrakt\r\n"
        b'Content-Type: multipart/mixed; boundary="ol"\r\n\r\n--ol\r\n'
        b"Content-Type: text/plain; charset=us-ascii\r\n\r\nSe vedhaeftede kontrakt.\r\n--ol\r\n"
        b'Content-Type: ' + content_type + b'; name="winmail.dat"\r\n'
        b'Content-Disposition: attachment; filename="winmail.dat"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(tnef) + b"--ol--\r\n"
    )
