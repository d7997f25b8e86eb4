"""The full-text index: SQLite FTS5 in the embedded store, a tsvector column with GIN on PostgreSQL.

All dialect-specific records SQL lives here. The index is derived data (rebuildable from
``record_documents.text`` with ``records reindex``), so it is created on first use, not by a migration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, DateTime, bindparam, text

_TOKEN = re.compile(r"\w+", re.UNICODE)


def ensure(conn: Connection) -> None:
    """Create the index if missing (idempotent)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS record_fts USING fts5("
            "subject, body, content='', tokenize='unicode61 remove_diacritics 2')"
        )
        return
    conn.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS record_fts (document_id INTEGER PRIMARY KEY "
        "REFERENCES record_documents(id) ON DELETE CASCADE, tsv TSVECTOR NOT NULL)"
    )
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_record_fts_tsv ON record_fts USING GIN (tsv)")


def add(conn: Connection, rows: Sequence[tuple[int, str, str]]) -> None:
    """Index ``(document_id, subject, text)`` rows."""
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("INSERT INTO record_fts (rowid, subject, body) VALUES (?, ?, ?)", list(rows))
        return
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.executemany(
        "INSERT INTO record_fts (document_id, tsv) VALUES (%s, setweight(to_tsvector('simple', %s), 'A') "
        "|| to_tsvector('simple', %s)) ON CONFLICT (document_id) DO NOTHING",
        [(i, _words_only(s), _words_only(t)) for i, s, t in rows],
    )


def _words_only(value: str) -> str:
    """Text reduced to its words, as FTS5's unicode61 tokenizer sees it. PostgreSQL's parser would keep
    ``klnagent.exe`` or ``a.b@x`` as single tokens, so the same phrase query would not find them."""
    return " ".join(_TOKEN.findall(value))


def rebuild(conn: Connection) -> int:
    """Drop and rebuild the index from the stored text; returns the number of documents indexed."""
    conn.exec_driver_sql("DROP TABLE IF EXISTS record_fts")
    ensure(conn)
    rows = conn.execute(text("SELECT id, COALESCE(subject, '') || ' ' || filename, text FROM record_documents"))
    count = 0
    while batch := rows.fetchmany(2000):
        add(conn, [(r[0], r[1], r[2]) for r in batch])
        count += len(batch)
    return count


def phrase_query(conn: Connection, phrases: Iterable[tuple[str, bool]]) -> str:
    """A query matching any of the phrases; ``(phrase, prefix)`` with prefix for the last word.

    Phrases are reduced to their word tokens, so no user text reaches the query syntax unquoted.
    """
    parts = []
    for phrase, prefix in phrases:
        words = [w.lower() for w in _TOKEN.findall(phrase)]
        if not words:
            continue
        if conn.dialect.name == "sqlite":
            parts.append('"' + " ".join(words) + '"' + ("*" if prefix else ""))
        else:
            tail = ":*" if prefix else ""
            parts.append("(" + " <-> ".join([*words[:-1], words[-1] + tail]) + ")")
    joiner = " OR " if conn.dialect.name == "sqlite" else " | "
    return joiner.join(parts)


def all_words_query(conn: Connection, query: str) -> str:
    """A user's search: every word (and "quoted phrase") must occur."""
    phrases = re.findall(r'"([^"]+)"|(\S+)', query)
    parts = []
    for quoted, word in phrases:
        sub = phrase_query(conn, [(quoted or word, False)])
        if sub:
            parts.append(sub)
    return (" AND " if conn.dialect.name == "sqlite" else " & ").join(parts)


def candidates(
    conn: Connection,
    fts_query: str,
    since: datetime | None,
    until: datetime | None,
    custodian: str | None,
    limit: int,
    offset: int,
) -> list[tuple[int, int]]:
    """(document id, family id) of matching documents, best first, filtered on their family's date and
    custodian. Undated families pass the date filters: they are listed, never silently dropped."""
    if not fts_query:
        return []
    sqlite = conn.dialect.name == "sqlite"
    where = ["record_fts MATCH :q" if sqlite else "f.tsv @@ to_tsquery('simple', :q)"]
    if since:
        where.append("(t.doc_date IS NULL OR t.doc_date >= :since)")
    if until:
        where.append("(t.doc_date IS NULL OR t.doc_date < :until)")
    if custodian:
        where.append("EXISTS (SELECT 1 FROM record_locations l WHERE l.document_id = t.id AND l.custodian = :c)")
    key = "f.rowid" if sqlite else "f.document_id"
    order = "f.rank" if sqlite else "ts_rank(f.tsv, to_tsquery('simple', :q)) DESC"
    sql = (
        f"SELECT d.id, d.family_id FROM record_fts f JOIN record_documents d ON d.id = {key} "
        f"JOIN record_documents t ON t.id = d.family_id WHERE {' AND '.join(where)} "
        f"ORDER BY {order}, d.id LIMIT :n OFFSET :o"
    )
    statement = text(sql)
    dates = [bindparam(name, type_=DateTime) for name, value in (("since", since), ("until", until)) if value]
    if dates:
        statement = statement.bindparams(*dates)
    params = {"q": fts_query, "since": since, "until": until, "c": custodian, "n": limit, "o": offset}
    return [(r[0], r[1]) for r in conn.execute(statement, params)]
