"""Everything that differs between SQLite and PostgreSQL, in one place.

The rest of the store speaks SQLAlchemy Core; only bulk loading (where the
generic path is several times slower) and connection tuning look at the dialect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Table, bindparam, event, update
from sqlalchemy.dialects import postgresql, sqlite


def tune(engine: Engine) -> None:
    """Per-connection settings: SQLite gets WAL, foreign keys and a busy timeout."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()


def insert_ignoring_conflicts(conn: Connection, table: Table, conflict: Sequence[str]) -> Any:
    """An INSERT that skips rows already present (same unique key)."""
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    return dialect_insert(table).on_conflict_do_nothing(index_elements=list(conflict))


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert many plain rows as fast as the driver allows (COPY on PostgreSQL)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        _copy_rows(conn, table, columns, rows)
        return
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
    conn.exec_driver_sql(sql, _bound(conn, table, columns, rows))


def _bound(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> list[Any]:
    """Rows with values stored as SQLAlchemy stores them (e.g. SQLite datetimes as its own text form).

    Values repeat a lot (one time per observation), so each column's conversions are memoized.
    """
    processors = [table.c[name].type.bind_processor(conn.dialect) for name in columns]
    if not any(processors):
        return list(rows)
    caches: list[dict[Any, Any]] = [{} for _ in columns]
    active = [(i, p, caches[i]) for i, p in enumerate(processors) if p is not None]
    out = []
    for row in rows:
        values = list(row)
        for i, process, cache in active:
            value = values[i]
            if value is not None:
                converted = cache.get(value)
                if converted is None:
                    converted = cache[value] = process(value)
                values[i] = converted
        out.append(tuple(values))
    return out


def _copy_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def bulk_update(
    conn: Connection, table: Table, key: str, fields: Mapping[str, str], rows: Sequence[Mapping[str, Any]]
) -> None:
    """UPDATE many rows by primary key, each with its own values.

    ``fields`` maps a column to its key in each row; ``key`` is the row's key holding the id. On PostgreSQL
    this is one statement (a join on unnest()ed arrays) instead of one round trip per row.
    """
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        stmt = update(table).where(table.c.id == bindparam(key)).values({c: bindparam(k) for c, k in fields.items()})
        conn.execute(stmt, list(rows))
        return
    names = list(fields)
    types = [table.c[c].type.compile(dialect=conn.dialect) for c in names]
    id_type = table.c.id.type.compile(dialect=conn.dialect)
    arrays = ", ".join([f"%s::{id_type}[]", *(f"%s::{t}[]" for t in types)])
    sets = ", ".join(f"{c} = v.{c}" for c in names)
    sql = f"UPDATE {table.name} AS t SET {sets} FROM unnest({arrays}) AS v(id, {', '.join(names)}) WHERE t.id = v.id"
    columns = [[row[key] for row in rows], *([row[fields[c]] for row in rows] for c in names)]
    conn.exec_driver_sql(sql, tuple(columns))
