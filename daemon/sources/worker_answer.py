"""A parsing worker's answer on the wire: the Prepared it worked out as nested tuples of
its fields' values, not as the dataclasses (daemon/sources/parse_worker.py sends it,
daemon/sources/prepare_pool.py turns it back into a Prepared).

Pickled, a dataclass is its class's name and a dict of its fields by name, rebuilt by
setting that dict; a corpus mail's Prepared, ParsedMail, Triage and Attachments cost a
worker ~26 µs to pickle and the daemon's dispatcher thread ~25 µs to unpickle, and the
InboundMail in it was sent back only to be replaced by the daemon's own (another ~5 µs
in each process). As tuples, each field's value as it was (the same objects pickled:
strings, lists, the datetime, the enums), ~12 µs to pickle, ~14 to unpickle and build
the dataclasses again (issue 18, worker24). Left out: the mail (the daemon has it) and
the mail's headers, which only `read` looks at, in the worker (HeadersLeftBehind).

The tuples follow the dataclasses' fields in their order, taken from the classes, so a
field added to one of them travels without a change here.
"""

from __future__ import annotations

import operator
from dataclasses import fields
from typing import Any

from daemon.domain.triage.model import Triage
from daemon.inbound import InboundMail, Prepared
from daemon.mail.attachments import Attachment
from daemon.mail.dsn import Bounce
from daemon.mail.header_text import HeadersLeftBehind
from daemon.mail.parse import ParsedMail

Answer = tuple[Any, ...]


def _names(cls: type, *left_out: str) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.name not in left_out)


_PREPARED = _names(Prepared, "mail")
_PARSED = _names(ParsedMail, "headers")
# Where the headers go back among ParsedMail's fields, and where each nested value is
# in the Prepared's and the ParsedMail's tuples.
_HEADERS_AT = _names(ParsedMail).index("headers")
_PARSED_AT = _PREPARED.index("parsed")
_BOUNCE_AT = _PREPARED.index("bounce")
_TRIAGE_AT = _PREPARED.index("triage")
_ATTACHMENTS_AT = _PARSED.index("attachments")
if _names(Prepared)[0] != "mail":
    raise ImportError("Prepared's first field is no longer its mail")  # prepared_of's order

_prepared_values = operator.attrgetter(*_PREPARED)
_parsed_values = operator.attrgetter(*_PARSED)
_triage_values = operator.attrgetter(*_names(Triage))
_bounce_values = operator.attrgetter(*_names(Bounce))
_attachment_values = operator.attrgetter(*_names(Attachment))

# Stands for every answer's headers: it holds nothing of a mail (and is not compared).
_LEFT_BEHIND = HeadersLeftBehind()


def answer_of(prepared: Prepared) -> Answer:
    """`prepared` as a parsing worker sends it back: without its mail, and without the
    mail's headers (read was their only reader)."""
    values: list[Any] = list(_prepared_values(prepared))
    parsed = prepared.parsed
    if parsed is not None:
        said = list(_parsed_values(parsed))
        said[_ATTACHMENTS_AT] = [_attachment_values(a) for a in parsed.attachments]
        values[_PARSED_AT] = tuple(said)
    if prepared.bounce is not None:
        values[_BOUNCE_AT] = _bounce_values(prepared.bounce)
    if prepared.triage is not None:
        values[_TRIAGE_AT] = _triage_values(prepared.triage)
    return tuple(values)


def prepared_of(answer: object, mail: InboundMail) -> Prepared:
    """The Prepared of `mail` that `answer` (answer_of's) describes; ValueError (or
    TypeError) for an answer of another shape, which only a broken worker writes."""
    if not isinstance(answer, tuple) or len(answer) != len(_PREPARED):
        raise ValueError(f"an answer of {type(answer).__name__}, not of a Prepared's fields")
    values = list(answer)
    parsed = values[_PARSED_AT]
    if parsed is not None:
        fields_of = list(parsed)
        fields_of[_ATTACHMENTS_AT] = [Attachment(*a) for a in fields_of[_ATTACHMENTS_AT]]
        fields_of.insert(_HEADERS_AT, _LEFT_BEHIND)
        values[_PARSED_AT] = ParsedMail(*fields_of)
    if values[_BOUNCE_AT] is not None:
        values[_BOUNCE_AT] = Bounce(*values[_BOUNCE_AT])
    if values[_TRIAGE_AT] is not None:
        values[_TRIAGE_AT] = Triage(*values[_TRIAGE_AT])
    return Prepared(mail, *values)
