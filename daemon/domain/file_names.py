"""A file name from a mail made safe to write to a staff member's disk.

A name in a mail is the sender's text: it may hold a path (`../../.bashrc`, `C:\\x`),
control characters, a leading dot that hides the file, or a name Windows reserves.
Only the last path component's printable text is kept, and a name is never reused
within one directory listing (`report.pdf`, `report (2).pdf`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Bidirectional overrides, embeddings, isolates and marks: they reorder what is shown,
# so "faktura\u202efdp.exe" reads "fakturaexe.pdf" (the console shows them as a mark).
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
_UNSAFE = re.compile(rf'[\x00-\x1f\x7f/\\:*?"<>|{BIDI_CONTROLS}]')
_WINDOWS_RESERVED = re.compile(r"(?i)^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$")
MAX_NAME_CHARS = 120
# File systems count a name's bytes (ext4, XFS, APFS: 255 of UTF-8); below that, room
# for the " (2)" that distinct_names may add.
MAX_NAME_BYTES = 200


def safe_file_name(name: str, fallback: str) -> str:
    """`name` as one harmless file name in the current directory, else `fallback`."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    if not name or _WINDOWS_RESERVED.match(name):
        name = fallback
    if len(name) > MAX_NAME_CHARS or len(name.encode()) > MAX_NAME_BYTES:
        name = _cut(name)
    return name


def _cut(name: str) -> str:
    """`name` cut to MAX_NAME_CHARS characters and MAX_NAME_BYTES bytes, keeping its
    extension: it says what opens the file."""
    stem, dot, extension = name.rpartition(".")
    if not (dot and 0 < len(extension) <= 10):
        stem, extension = name, ""
    tail = "." + extension if extension else ""
    stem = stem[: MAX_NAME_CHARS - len(tail)]
    while len((stem + tail).encode()) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem + tail


def distinct_names(names: Iterable[str], taken: Iterable[str] = ()) -> list[str]:
    """`names` in order, each made distinct from the others and from `taken` (compared
    case-insensitively, as on Windows and macOS disks): `a.pdf`, `a (2).pdf`."""
    used = {name.casefold() for name in taken}
    result: list[str] = []
    for name in names:
        stem, dot, extension = name.rpartition(".")
        if not dot or not stem:
            stem, extension = name, ""
        candidate, number = name, 1
        while candidate.casefold() in used:
            number += 1
            candidate = f"{stem} ({number})" + (f".{extension}" if extension else "")
        used.add(candidate.casefold())
        result.append(candidate)
    return result
