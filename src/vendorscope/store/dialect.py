"""Everything that differs between SQLite and PostgreSQL, in one place.

The rest of the store speaks SQLAlchemy Core; only bulk loading (where the
generic path is several times slower) and connection tuning look at the dialect.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, Table, event
from sqlalchemy.dialects import postgresql, sqlite


def tune(engine: Engine) -> None:
    """Per-connection settings: SQLite gets WAL, a big cache and a busy timeout.

    Foreign keys stay unenforced on SQLite (its default): the checks would cost more than the
    inserts on the hot path, the writer keeps references whole, and PostgreSQL (which the tests
    also run on) enforces them.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()


def insert_ignoring_conflicts(conn: Connection, table: Table, conflict: Sequence[str]) -> Any:
    """An INSERT that skips rows already present (same unique key)."""
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    return dialect_insert(table).on_conflict_do_nothing(index_elements=list(conflict))


def insert_new(
    conn: Connection, table: Table, conflict: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """Insert the rows not present yet (by the unique column ``conflict``); returns (id, conflict value) of each
    row inserted.

    PostgreSQL gets one array per column through ``unnest``: a statement of fixed text, whatever the number of
    rows. A VALUES list of n rows is new SQL for the driver each time, and psycopg splits a long one's
    placeholders in Python (profiled: ≈ 19 ms a push of 300 titles, more than the insert).
    """
    if not rows:
        return []
    if conn.dialect.name == "postgresql":
        sql = _UNNEST_INSERTS.get((table.name, conflict, tuple(columns)))
        if sql is None:
            arrays = ", ".join(f"%s::{table.c[c].type.compile(conn.dialect)}[]" for c in columns)
            sql = _UNNEST_INSERTS[(table.name, conflict, tuple(columns))] = (
                f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "
                f"ON CONFLICT ({conflict}) DO NOTHING RETURNING id, {conflict}"
            )
        return [tuple(r) for r in conn.exec_driver_sql(sql, tuple(list(column) for column in zip(*rows, strict=True)))]
    stmt = insert_ignoring_conflicts(conn, table, [conflict]).returning(table.c.id, table.c[conflict])
    return [tuple(r) for r in conn.execute(stmt, [dict(zip(columns, row, strict=True)) for row in rows])]


_UNNEST_INSERTS: dict[tuple[str, str, tuple[str, ...]], str] = {}


IN_CHUNK = 500  # values in one IN list (well under SQLite's bound parameters)


def rows_in(conn: Connection, sql: str, values: Sequence[Any], *before: Any) -> Iterator[Any]:
    """Rows of ``sql`` for many values, a statement per ``IN_CHUNK`` of them, in the driver's own SQL:
    ``?`` marks the parameters ``before`` the list, ``{}`` where the list goes (``… IN ({})``).
    SQLAlchemy's expanding IN cost as much per value as the indexed lookups themselves."""
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    if mark != "?":
        sql = sql.replace("?", mark)
    for start in range(0, len(values), IN_CHUNK):
        chunk = values[start : start + IN_CHUNK]
        yield from conn.exec_driver_sql(sql.format(", ".join([mark] * len(chunk))), (*before, *chunk))


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert many plain rows as fast as the driver allows (COPY on PostgreSQL).

    Values go to the driver as they are: encode datetimes with ``time_encoder`` first.
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        _copy_rows(conn, table, columns, rows)
        return
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
    conn.exec_driver_sql(sql, list(rows))


_TIME_PROCESSORS: dict[str, Any] = {}


def time_encoder(conn: Connection) -> Any:
    """A memoized function giving a datetime as the driver stores it (SQLite: SQLAlchemy's text form).

    ``bulk_insert`` passes values to the driver as they are, so times must go through this first.
    """
    if conn.dialect.name == "postgresql":
        return lambda value: value
    process = _TIME_PROCESSORS.get(conn.dialect.name)
    if process is None:  # looked up once: the lookup costs more than a small input's rows
        process = _TIME_PROCESSORS[conn.dialect.name] = (
            DateTime().dialect_impl(conn.dialect).bind_processor(conn.dialect)
        )
    cache: dict[Any, Any] = {None: None}

    def encode(value: Any) -> Any:
        found = cache.get(value)
        if found is None and value is not None:
            found = cache[value] = process(value) if process else value
        return found

    return encode


def _copy_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
