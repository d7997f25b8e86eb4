"""Everything that differs between SQLite and PostgreSQL, in one place.

The rest of the store speaks SQLAlchemy Core; only bulk loading (where the
generic path is several times slower) and connection tuning look at the dialect.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import JSON, Connection, DateTime, Engine, String, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError

from vendorscope.errors import StoreError


def tune(engine: Engine) -> None:
    """Per-connection settings: SQLite gets WAL, a big cache and a busy timeout.

    Foreign keys stay unenforced on SQLite (its default): the checks would cost more than the
    inserts on the hot path, the writer keeps references whole, and PostgreSQL (which the tests
    also run on) enforces them.

    PostgreSQL compresses large values (a host's compact titles, 15 KB for 300 titles) with lz4 where the server
    has it (PostgreSQL 14 and later, built with lz4): pglz cost the server 4–5 times the CPU for 1,000 real
    states (0.14 s against 0.03 s, 1.5 MB against 2.6 MB stored). A session setting, not a schema change: values
    already stored keep their method, and a server without lz4 keeps its default.
    """
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _lz4_values)
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


def _lz4_values(dbapi_connection: Any, _record: Any) -> None:
    try:
        dbapi_connection.execute("SET default_toast_compression = lz4")
    except dbapi_connection.Error:  # before PostgreSQL 14, or built without lz4
        dbapi_connection.rollback()
    else:
        dbapi_connection.commit()  # a session setting, kept once its transaction commits


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
            arrays = ", ".join(f"%s::{_array_type(conn, table, c)}[]" for c in columns)
            sql = _UNNEST_INSERTS[(table.name, conflict, tuple(columns))] = (
                f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "
                f"ON CONFLICT ({conflict}) DO NOTHING RETURNING id, {conflict}"
            )
        return [tuple(r) for r in conn.exec_driver_sql(sql, tuple(list(column) for column in zip(*rows, strict=True)))]
    stmt = insert_ignoring_conflicts(conn, table, [conflict]).returning(table.c.id, table.c[conflict])
    return [tuple(r) for r in conn.execute(stmt, [dict(zip(columns, row, strict=True)) for row in rows])]


_UNNEST_INSERTS: dict[tuple[str, str, tuple[str, ...]], str] = {}
_ARRAY_ROWS_MOST = 1_000  # bulk_insert on PostgreSQL: more rows go by COPY


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
    """Insert many plain rows as fast as the driver allows (COPY on PostgreSQL; a few rows of numbers and times
    there go as arrays in one statement: one round trip where COPY takes two, measured ~10 ms a COPY under load).

    Values go to the driver as they are: encode datetimes with ``time_encoder`` first.
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        if len(rows) <= _ARRAY_ROWS_MOST and _binary_types(conn, table, tuple(columns)):
            insert_arrays(conn, table, columns, rows)
        else:
            _copy_rows(conn, table, columns, rows)
        return
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
    conn.exec_driver_sql(sql, list(rows))


def insert_arrays(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]], then: str = ""
) -> None:
    """PostgreSQL: ``INSERT … SELECT`` over one array per column (``unnest``), ``then`` an ON CONFLICT clause.

    One statement for all rows: psycopg's ``executemany`` sends one statement per row (pipelined, but each bound,
    executed and answered by a server that shares the cores). Rows go in the order given (sort them by key: one
    lock order for concurrent writers).
    """
    if rows:
        arrays = _arrays(table, columns, rows)
        conn.exec_driver_sql(
            _ARRAY_SQL.get((table.name, tuple(columns), then)) or _insert_sql(conn, table, columns, then), arrays
        )


def update_arrays(
    conn: Connection, table: Table, key: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """PostgreSQL: ``UPDATE … FROM`` one array per column (``unnest``): rows are (key, *columns), keys distinct.

    For rows this transaction inserted or already holds locked (its artifacts, its hosts' compact states): the
    join decides the order rows are updated in, so rows another writer may lock meanwhile do not belong here.
    """
    if rows:
        names = (key, *columns)
        arrays = _arrays(table, names, rows)
        conn.exec_driver_sql(
            _ARRAY_SQL.get((table.name, names, "update")) or _update_sql(conn, table, key, columns), arrays
        )


_ARRAY_SQL: dict[tuple[str, tuple[str, ...], str], str] = {}


def _arrays(table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[list[Any], ...]:
    arrays = tuple(list(column) for column in zip(*rows, strict=True))
    for index, name in enumerate(columns):
        if isinstance(table.c[name].type, JSON):  # sent as text, cast by the statement
            arrays[index][:] = [None if v is None else json.dumps(v) for v in arrays[index]]
    return arrays


def _array_type(conn: Connection, table: Table, column: str) -> str:
    """The element type an array of ``column``'s values is cast to. Text goes as TEXT: the column's own type is
    applied on assignment, which refuses a value too long as an INSERT or UPDATE of it would (an explicit cast to
    VARCHAR(n) would cut it short without a word)."""
    kind = table.c[column].type
    return "TEXT" if isinstance(kind, JSON | String) else kind.compile(conn.dialect)


def _unnest(conn: Connection, table: Table, columns: Sequence[str]) -> tuple[str, str]:
    """``unnest(%s::type[], …) AS v(columns)`` and the select list that casts JSON back."""
    types = [_array_type(conn, table, c) for c in columns]
    source = f"unnest({', '.join(f'%s::{t}[]' for t in types)}) AS v({', '.join(columns)})"
    values = ", ".join(f"v.{c}::json" if isinstance(table.c[c].type, JSON) else f"v.{c}" for c in columns)
    return source, values


def _insert_sql(conn: Connection, table: Table, columns: Sequence[str], then: str) -> str:
    source, values = _unnest(conn, table, columns)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT {values} FROM {source} {then}".rstrip()
    _ARRAY_SQL[(table.name, tuple(columns), then)] = sql
    return sql


def _update_sql(conn: Connection, table: Table, key: str, columns: Sequence[str]) -> str:
    source, values = _unnest(conn, table, (key, *columns))
    sets = ", ".join(f"{c} = {v}" for c, v in zip(columns, values.split(", ")[1:], strict=True))
    sql = f"UPDATE {table.name} SET {sets} FROM {source} WHERE {table.name}.{key} = v.{key}"
    _ARRAY_SQL[(table.name, (key, *columns), "update")] = sql
    return sql


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
    """COPY, binary when every column's type allows: a compact state's bytes then go as they are, where the text
    format escapes each byte as hex for the client to write and the server to decode (measured: 2,000 states of
    15 KB, client 0.10 → 0.014 s, server 0.22 → 0.11 s)."""
    deferring = _DEFERRING.get(conn)
    if deferring is not None:  # COPY goes past SQLAlchemy's events: send the rows it must follow first
        deferring.flush()
    types = _binary_types(conn, table, tuple(columns))
    raw = conn.connection.driver_connection
    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN{' (FORMAT BINARY)' if types else ''}"
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
            if types:
                copy.set_types(types)
            for row in rows:
                copy.write_row(row)
    except raw.Error as exc:  # type: ignore[union-attr]  # as SQLAlchemy's, which callers catch to undo one input
        raise DBAPIError.instance(sql, (), exc, raw.Error) from exc  # type: ignore[union-attr]


_BINARY_SAFE = {"integer", "bigint", "smallint", "bytea", "boolean", "timestamp without time zone"}
_COPY_TYPES: dict[tuple[str, tuple[str, ...]], list[str] | None] = {}


def _binary_types(conn: Connection, table: Table, columns: tuple[str, ...]) -> list[str] | None:
    """The PostgreSQL type of each column when all are numbers, bytes, flags or times (installations, compact
    states), else None: text COPY, which takes any value by its text (JSON, and text columns a caller may fill
    with numbers)."""
    key = (table.name, columns)
    if key not in _COPY_TYPES:
        names = [table.c[c].type.compile(conn.dialect).split("(")[0].lower() for c in columns]
        _COPY_TYPES[key] = names if all(name in _BINARY_SAFE for name in names) else None
    return _COPY_TYPES[key]


class InputSavepoint:
    """A savepoint around each input of a transaction, the input's first row (its artifact) inserted inside it.

    Many inputs share one transaction, each in a savepoint of its own (``ingest._Group``): one that fails rolls
    back to it and leaves nothing. On SQLite, in this process, SAVEPOINT, the insert and RELEASE cost little when
    they go through the driver's cursor in statements built once (through SQLAlchemy they cost more than SQLite
    takes to run them: ~0.2 ms an input, a third of it compiling from the cache). On PostgreSQL each is a round
    trip to a server that shares the machine's cores — under load a round trip costs milliseconds, more than most
    inputs' rows — so there:

    * the savepoint is established with the input's row in one pipeline, and the previous input's savepoint is
      released in the same one (the commit releases the last): one round trip per input instead of three;
    * with ``defer`` (a group of files), the row waits until the input's first statement, and an input that runs
      none (its hosts held, its titles known, nothing attributed: most files of a fleet) needs no savepoint at
      all — what it changed is in memory, undone there — so its row goes with the next round trip, or the
      commit's (``flush``). Its id is taken beforehand from the table's sequence, a block at a time. Two inputs
      of one identity in a transaction are told apart in memory; an identity another writer commits meanwhile
      makes the deferred row's insert fail, and with it the whole transaction, which then keeps nothing (run the
      batch again: it finds the other writer's as duplicates).

    ``begin`` starts an input; ``release`` (it is whole) or ``rollback`` (undo it) ends it.
    """

    NAME = "vs_input"
    IDS_AT_ONCE = 256  # ids taken from the sequence per round trip (unused ones are gaps, as after a rollback)

    def __init__(self, conn: Connection, defer: bool = False, unique: str = "identity") -> None:
        self.conn = conn
        self._pg = conn.dialect.name == "postgresql"
        self._open = False  # SQLite: the current input's savepoint is established
        self._driver: Any = None if self._pg else self._raw().cursor()
        self._held = False  # PostgreSQL: a savepoint NAME is established and not released
        self._mine = False  # PostgreSQL: ... and it is the current input's
        self._defer = defer and self._pg
        self._unique = unique
        self._ids: list[int] = []
        self._current: tuple[Table, dict[str, Any]] | None = None  # deferred: this input's row, not sent yet
        self._waiting: list[tuple[Table, dict[str, Any]]] = []  # deferred rows of whole inputs without a savepoint
        self._keys: set[Any] = set()  # deferred: the unique values of this transaction's rows
        if self._defer:
            _DEFERRING[conn] = self
            event.listen(conn, "before_cursor_execute", self._before_statement)

    def begin(self, table: Table, row: dict[str, Any]) -> int:
        """Start an input: establish its savepoint and insert ``row`` in it (deferred: later); returns its id."""
        if not self._pg:
            return self._begin_sqlite(table, row)
        if not self._defer:
            return self._send(table, row, returning=True)[0]
        key = row[self._unique]
        if key in self._keys:  # the same input twice in this transaction: the store's unique key would refuse it
            raise IntegrityError(f"{table.name}.{self._unique}", {self._unique: key}, ValueError("already in it"))
        if not self._ids:
            found = self._raw().execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                (table.name, self.IDS_AT_ONCE),
            )
            self._ids = [int(r[0]) for r in found][::-1]
        row = {"id": self._ids.pop(), **row}
        self._keys.add(key)
        self._current = (table, row)
        return int(row["id"])

    def flush(self) -> None:
        """Send what is deferred: rows of inputs that ran no statement, then this input's savepoint and row."""
        if self._current is not None:
            table, row = self._current
            self._current = None
            self._send(table, row, returning=False)
        elif self._waiting:
            self._send(None, None, returning=False)

    def release(self) -> None:
        """The input is whole: SQLite releases its savepoint now, PostgreSQL with the next input's (or the commit);
        a deferred input that ran no statement has no savepoint: its row waits for the next round trip."""
        self._mine = False
        if self._current is not None:
            self._waiting.append(self._current)
            self._current = None
        if self._open:
            self._open = False
            self._driver.execute(f"RELEASE {self.NAME}")

    def rollback(self) -> None:
        """Undo everything the input wrote since its savepoint."""
        if self._current is not None:  # it sent nothing: nothing to undo in the store
            self._keys.discard(self._current[1][self._unique])
            self._current = None
        if self._open:
            self._open = False
            self._driver.execute(f"ROLLBACK TO {self.NAME}")
            self._driver.execute(f"RELEASE {self.NAME}")
        elif self._mine:
            self._mine = False
            self.conn.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {self.NAME}")
        elif self._pg and self._raw().info.transaction_status == _IN_ERROR:
            # A failed RELEASE or SAVEPOINT: nothing of this input was written, but the transaction cannot go on.
            raise StoreError("the transaction failed at an input's savepoint; nothing of it was kept: ingest again")

    def _begin_sqlite(self, table: Table, row: dict[str, Any]) -> int:
        """SQLite: the savepoint and the row through the driver's own cursor, in statements built once."""
        sql, encode = _sqlite_statement(self.conn, table, tuple(row))
        values = encode(row.values())
        self._driver.execute(f"SAVEPOINT {self.NAME}")
        self._open = True
        return int(_sqlite_run(self._driver, sql, values).lastrowid)

    def _raw(self) -> Any:
        return self.conn.connection.driver_connection

    def _before_statement(self, *_args: Any) -> None:
        self.flush()

    def first_statement(self, sql: str, params: Any) -> list[tuple[Any, ...]]:
        """Run driver SQL, in one pipeline with what is deferred (the input's savepoint and row) when anything is:
        the input's first statement then costs no round trip of its own. Returns its rows."""
        if self._current is None:
            self.flush()
            return [tuple(r) for r in self.conn.exec_driver_sql(sql, params)]
        table, row = self._current
        self._current = None
        return self._send(table, row, returning=False, then=(sql, params))[1]

    def _send(
        self, table: Table | None, row: dict[str, Any] | None, returning: bool, then: tuple[str, Any] | None = None
    ) -> tuple[int, list[tuple[Any, ...]]]:
        """One pipeline: RELEASE the previous input's savepoint, the waiting rows, SAVEPOINT, ``row``, then ``then``."""
        raw = self._raw()
        waiting, self._waiting = self._waiting, []
        with (
            raw.cursor() as release,
            raw.cursor() as before,
            raw.cursor() as savepoint,
            raw.cursor() as insert,
            raw.cursor() as after,
        ):
            sql, values = "", ()
            try:
                with raw.pipeline():
                    if self._held:
                        release.execute(f"RELEASE SAVEPOINT {self.NAME}")
                    tables = {t.name: t for t, _ in waiting}
                    for name in sorted(tables):  # in one statement per table, as arrays
                        rows = [r for t, r in waiting if t.name == name]
                        columns = tuple(rows[0])
                        rows_sql = _insert_sql(self.conn, tables[name], columns, "")
                        before.execute(rows_sql, _arrays(tables[name], columns, [tuple(r.values()) for r in rows]))
                    if table is not None and row is not None:
                        sql = _first_row_sql(self.conn, table, tuple(row), returning)
                        values = tuple(
                            json.dumps(v) if isinstance(table.c[c].type, JSON) else v for c, v in row.items()
                        )
                        savepoint.execute(f"SAVEPOINT {self.NAME}")
                        insert.execute(sql, values)
                    if then is not None:
                        after.execute(*then)
            except BaseException as exc:
                # What ran decides what can be undone: the row's failure (a duplicate identity, a conflict) leaves
                # this input's savepoint to roll back to; otherwise the transaction cannot go on.
                self._mine = savepoint.statusmessage == "SAVEPOINT"
                self._held = self._mine or (self._held and release.statusmessage != "RELEASE")
                if isinstance(exc, raw.Error):
                    if not self._mine and waiting:
                        raise StoreError(
                            "an input of this transaction was ingested by another writer meanwhile; nothing of the "
                            "transaction was kept: ingest again"
                        ) from exc
                    raise DBAPIError.instance(sql, values, exc, raw.Error) from exc
                raise
            self._mine = table is not None
            self._held = self._mine
            found = insert.fetchone() if returning else None
            rows = [tuple(r) for r in after.fetchall()] if then is not None else []
        return (int(found[0]) if found else 0), rows


def insert_missing(
    conn: Connection, table: Table, conflict: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[tuple[Any, ...]]:
    """Insert the rows whose ``conflict`` value is not present yet; returns (id, conflict value) of each row inserted.

    PostgreSQL: over arrays; text goes as TEXT, so a value too long is refused as by a plain INSERT. On a
    connection whose input savepoint waits (``InputSavepoint(defer=True)``), it goes in the same round trip.
    SQLite: through the driver's cursor, a statement built once."""
    then = f"ON CONFLICT ({conflict}) DO NOTHING RETURNING id, {conflict}"
    if conn.dialect.name == "sqlite":  # a row per statement, through the driver's cursor (RETURNING per row)
        sql, encode = _sqlite_statement(conn, table, tuple(columns), then)
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        inserted = []
        for row in rows:
            found = _sqlite_run(cursor, sql, encode(row)).fetchone()
            if found is not None:
                inserted.append(tuple(found))
        return inserted
    sql = _insert_sql(conn, table, columns, then)
    params = _arrays(table, columns, rows)
    deferring = _DEFERRING.get(conn)
    if deferring is not None:
        return deferring.first_statement(sql, params)
    return [tuple(r) for r in conn.exec_driver_sql(sql, params)]


_FIRST_ROWS: dict[tuple[str, tuple[str, ...], bool], str] = {}
_DEFERRING: weakref.WeakKeyDictionary[Connection, InputSavepoint] = weakref.WeakKeyDictionary()
_SQLITE_INSERTS: dict[tuple[str, tuple[str, ...], str], tuple[str, Callable[[Iterable[Any]], tuple[Any, ...]]]] = {}


def _sqlite_statement(
    conn: Connection, table: Table, columns: tuple[str, ...], then: str = ""
) -> tuple[str, Callable[[Iterable[Any]], tuple[Any, ...]]]:
    """SQLite: an INSERT of these columns in the driver's SQL (``then``: its ON CONFLICT and RETURNING clauses) and
    a function encoding a row's values as SQLAlchemy would send them (times as its text, JSON serialized), both
    built once."""
    found = _SQLITE_INSERTS.get((table.name, columns, then))
    if found is None:
        dialect = conn.dialect
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks}) {then}".rstrip()
        processors = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
        steps = [(i, p) for i, p in enumerate(processors) if p is not None]

        def encode(values: Iterable[Any]) -> tuple[Any, ...]:
            row = list(values)
            for index, process in steps:
                row[index] = process(row[index])
            return tuple(row)

        found = _SQLITE_INSERTS[(table.name, columns, then)] = (sql, encode)
    return found


def _sqlite_run(cursor: Any, sql: str, values: tuple[Any, ...]) -> Any:
    """Execute on the driver's cursor; its errors as SQLAlchemy's (IntegrityError, OperationalError), which callers
    catch to undo one input."""
    try:
        return cursor.execute(sql, values)
    except cursor.connection.Error as exc:
        raise DBAPIError.instance(sql, values, exc, cursor.connection.Error) from exc


_IN_ERROR = 3  # psycopg.pq.TransactionStatus.INERROR


def _first_row_sql(conn: Connection, table: Table, columns: tuple[str, ...], returning: bool) -> str:
    """INSERT (… RETURNING id) for these columns, built once (JSON columns take text and cast it)."""
    sql = _FIRST_ROWS.get((table.name, columns, returning))
    if sql is None:
        marks = ", ".join("%s::json" if isinstance(table.c[c].type, JSON) else "%s" for c in columns)
        sql = _FIRST_ROWS[(table.name, columns, returning)] = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})" + (" RETURNING id" if returning else "")
        )
    return sql
