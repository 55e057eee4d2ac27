"""A case's attachments written out as files staff can open (`attachments get`).

The names come from the mail, so they are made safe and distinct first
(daemon/domain/file_names.py): never a path from the mail, never an existing file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from daemon.domain.file_names import distinct_names, safe_file_name


class CannotWrite(Exception):
    """The folder or a file could not be written; the message names which and why."""


def write_attachments(
    found: Sequence[tuple[dict[str, Any], bytes]], out: Path
) -> list[dict[str, Any]]:
    """Write each (about, content) into ``out``; what was written, with its path."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        taken = [entry.name for entry in out.iterdir()]
    except OSError as exc:
        raise CannotWrite(f"--out {str(out)!r}: {exc.strerror or exc}") from None
    names = distinct_names(
        (safe_file_name(about["filename"], f"attachment-{n}") for n, (about, _) in
         enumerate(found, 1)),
        taken,
    )
    written = []
    for name, (about, content) in zip(names, found, strict=True):
        path = out / name
        try:
            # O_EXCL: a file that appeared meanwhile is not overwritten either.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(content)
        except OSError as exc:
            raise CannotWrite(f"{str(path)!r}: {exc.strerror or exc}") from None
        written.append({**about, "path": str(path), "written_bytes": len(content)})
    return written
