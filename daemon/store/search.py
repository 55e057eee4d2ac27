"""`cases search`: full text over case subjects and what people wrote on the cases,
best match first (the objects it reads: daemon/store/schema.py, "Full-text search").

PostgreSQL does it with the Danish text-search configuration: the query is read by
websearch_to_tsquery (words, "quoted phrases", `or`, `-word`), and stemmed, so
"printeren" finds "printer". SQLite's FTS5 has no Danish stemmer; the query's words
are stemmed here with the same Snowball algorithm PostgreSQL uses, and each stem is
looked up as a prefix of the stored words (Danish inflection only adds endings, so a
word's stem is a prefix of it). On SQLite `or` between words and `-word` work too;
quotes are ignored.

A case number or reference in the query ("100042", "[OO#100042]") finds that case
first, whatever its text.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.sql.expression import Select

from daemon.store.schema import (
    SEARCH_BODY_CHARS,
    SEARCH_SUBJECT_CHARS,
    SEARCHED_KINDS,
    cases,
    messages,
)

# A subject hit counts this much more than a hit in one message; a case named by its
# number comes before any text hit.
_SUBJECT_WEIGHT = 2.0
_NUMBER_SCORE = 1e9

_NUMBER = re.compile(r"(?:\[\s*OO\s*#\s*)?\b(\d{6,12})\b\]?", re.IGNORECASE)
_WORD = re.compile(r"-?\w+")
# Shorter stems are looked up whole: "is*" would match half the dictionary.
_MIN_PREFIX = 3


def search_cases(conn: Connection, query: str, limit: int = 50) -> list[Row[Any]]:
    """Cases matching `query`, best first (ties: newest first), at most `limit`."""
    statement = search_statement(conn.dialect.name, query, limit)
    return [] if statement is None else list(conn.execute(statement))


def search_statement(dialect: str, query: str, limit: int) -> Select[Any] | None:
    """The SELECT of cases `search_cases` runs; None when the query has nothing to find."""
    parts = _text_hits(dialect, query)
    numbers = {int(n) for n in _NUMBER.findall(query)}
    if numbers:
        parts.append(
            select(cases.c.id.label("case_id"), literal(_NUMBER_SCORE).label("score")).where(
                cases.c.number.in_(numbers)
            )
        )
    if not parts:
        return None
    found = union_all(*parts).subquery("hits")
    scores = (
        select(found.c.case_id, func.sum(found.c.score).label("score"))
        .group_by(found.c.case_id)
        .subquery("scores")
    )
    return (
        select(cases)
        .join(scores, scores.c.case_id == cases.c.id)
        .order_by(scores.c.score.desc(), cases.c.created_at.desc(), cases.c.number.desc())
        .limit(limit)
    )


def _text_hits(dialect: str, query: str) -> list[Select[Any]]:
    """One query per kind of text (subjects, messages), each of (case_id, score)."""
    if dialect == "postgresql":
        return _postgresql_hits(query)
    expression = fts5_query(query)
    return _sqlite_hits(expression) if expression else []


def _postgresql_hits(query: str) -> list[Select[Any]]:
    # The indexed expressions of migration 0012, with literals rather than parameters:
    # the planner uses an index only for the very expression it was built on.
    danish: ColumnElement[str] = literal_column("'danish'")
    tsquery = func.websearch_to_tsquery(danish, bindparam("q", query))
    subject = func.to_tsvector(
        danish, func.left(cases.c.subject, literal_column(str(SEARCH_SUBJECT_CHARS)))
    )
    body = func.to_tsvector(
        danish, func.left(messages.c.body_text, literal_column(str(SEARCH_BODY_CHARS)))
    )
    kinds = ", ".join(f"'{kind}'" for kind in SEARCHED_KINDS)  # the partial index's WHERE
    searched = text(f"messages.case_id IS NOT NULL AND messages.kind IN ({kinds})")
    by_subject = select(
        cases.c.id.label("case_id"),
        (func.ts_rank(subject, tsquery) * _SUBJECT_WEIGHT).label("score"),
    ).where(subject.bool_op("@@")(tsquery))
    by_text = select(
        messages.c.case_id.label("case_id"), func.ts_rank(body, tsquery).label("score")
    ).where(searched, body.bool_op("@@")(tsquery))
    return [by_subject, by_text]


def _sqlite_hits(expression: str) -> list[Select[Any]]:
    subjects = table("search_cases", column("rowid"))
    texts = table("search_messages", column("rowid"))
    # bm25() is lower for better matches (negative): its negation is the score.
    by_subject = select(
        subjects.c.rowid.label("case_id"),
        (-func.bm25(literal_column("search_cases")) * _SUBJECT_WEIGHT).label("score"),
    ).where(text("search_cases MATCH :subject_match").bindparams(subject_match=expression))
    by_text = (
        select(
            messages.c.case_id.label("case_id"),
            (-func.bm25(literal_column("search_messages"))).label("score"),
        )
        .select_from(texts.join(messages, messages.c.id == texts.c.rowid))
        .where(text("search_messages MATCH :text_match").bindparams(text_match=expression))
    )
    return [by_subject, by_text]


def fts5_query(query: str) -> str:
    """An FTS5 expression for a query as typed: each word's Danish stem as a prefix,
    all required; `or` between two words makes either do; `-word` leaves out cases
    with it. "" when nothing searchable is left."""
    from snowballstemmer import stemmer  # only SQLite needs it

    danish = stemmer("danish")
    groups: list[list[str]] = []  # alternatives within, all groups required
    excluded: list[str] = []
    alternative = False
    for token in _WORD.findall(query.lower()):
        if token == "or" and groups:
            alternative = True
            continue
        negated, word = token.startswith("-"), token.lstrip("-")
        if not word:
            continue
        stem = danish.stemWord(word)
        term = f'"{stem}"*' if len(stem) >= _MIN_PREFIX else f'"{word}"'
        if negated:
            excluded.append(term)
        elif alternative:
            groups[-1].append(term)
        else:
            groups.append([term])
        alternative = False
    if not groups:
        return ""  # FTS5 has no "everything but": a query of exclusions alone finds nothing
    required = " AND ".join(f"({' OR '.join(g)})" if len(g) > 1 else g[0] for g in groups)
    return f"({required})" + "".join(f" NOT {term}" for term in excluded)
