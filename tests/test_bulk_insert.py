"""``dialect.bulk_insert``: whatever way the rows go (COPY or arrays on PostgreSQL, executemany on SQLite), a
refused row raises SQLAlchemy's error, which the writers catch to undo one input; COPY raised psycopg's own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError

from vendorscope.store.dialect import bulk_insert
from vendorscope.store.store import Store
from vendorscope.store.tables import Host

HOSTS = Host.__table__


@pytest.fixture
def conn(db_url: str) -> Iterator[Connection]:
    store = Store.open(db_url)
    try:
        with store.engine.connect() as connection:
            yield connection
    finally:
        store.close()


@pytest.mark.parametrize("count", [2, 1_500])
def test_a_refused_row_raises_sqlalchemys_integrity_error(conn: Connection, count: int) -> None:
    rows = [(f"ws-{n}", f"WS-{n}", "{}") for n in range(count)]
    rows.append(rows[0])  # the same key twice: the unique index refuses it
    with conn.begin():
        savepoint = conn.begin_nested()
        with pytest.raises(IntegrityError):
            bulk_insert(conn, HOSTS, ["key", "name", "facts"], rows)
        savepoint.rollback()  # the input's undo, as a writer does it; the transaction goes on
        bulk_insert(conn, HOSTS, ["key", "name", "facts"], rows[:-1])
    assert conn.execute(select(func.count()).select_from(HOSTS)).scalar_one() == count
