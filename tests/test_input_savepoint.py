"""An input's savepoint (``dialect.InputSavepoint``): on PostgreSQL it is established with the input's artifact row
and released with the next input's, so what a failure may roll back to must be exactly the failing input's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError, InternalError

from vendorscope.errors import StoreError
from vendorscope.store.dialect import InputSavepoint
from vendorscope.store.store import Store
from vendorscope.store.tables import Artifact, Host

ARTIFACTS = Artifact.__table__


def _row(identity: str) -> dict[str, object]:
    return {
        "identity": identity,
        "sha256": identity,
        "context": "",
        "path": f"/in/{identity}",
        "size": 1,
        "format": "inventory-jsonl",
        "ingested_at": datetime(2026, 12, 3),
        "tool_version": "test",
        "records": 0,
        "items": 0,
        "problems": 0,
        "problem_sample": ["1: a sample"],
    }


@pytest.fixture
def conn(db_url: str) -> Iterator[Connection]:
    store = Store.open(db_url)
    with store.engine.connect() as connection:
        yield connection
    store.close()


def _kept(conn: Connection) -> list[tuple[str, list[str]]]:
    return [tuple(r) for r in conn.execute(select(Artifact.identity, Artifact.problem_sample).order_by(Artifact.id))]


def test_a_failing_input_undoes_itself_only(conn: Connection) -> None:
    conn.begin()
    saves = InputSavepoint(conn)
    first = saves.begin(ARTIFACTS, _row("a"))
    conn.execute(Host.__table__.insert().values(key="ws-1", name="ws-1", facts={}))
    saves.release()
    second = saves.begin(ARTIFACTS, _row("b"))
    conn.execute(Host.__table__.insert().values(key="ws-2", name="ws-2", facts={}))
    saves.rollback()  # the second input failed after writing: its host and artifact go, the first's stay
    with pytest.raises(IntegrityError):
        saves.begin(ARTIFACTS, _row("a"))  # a duplicate identity: the insert fails inside its savepoint
    saves.rollback()
    third = saves.begin(ARTIFACTS, _row("c"))
    saves.release()
    conn.commit()
    assert first not in (second, third)
    assert _kept(conn) == [("a", ["1: a sample"]), ("c", ["1: a sample"])]
    assert list(conn.execute(select(Host.key)).scalars()) == ["ws-1"]


def test_a_transaction_broken_outside_any_input_is_not_kept(conn: Connection) -> None:
    conn.begin()
    saves = InputSavepoint(conn)
    saves.begin(ARTIFACTS, _row("a"))
    saves.release()
    if conn.dialect.name == "sqlite":
        pytest.skip("SQLite keeps a transaction usable after a failed statement")
    with pytest.raises(IntegrityError):
        conn.execute(Host.__table__.insert(), [{"key": "k", "name": "n", "facts": {}}] * 2)  # outside a savepoint
    with pytest.raises(InternalError):
        saves.begin(ARTIFACTS, _row("b"))  # the previous input's RELEASE fails: no savepoint of its own
    with pytest.raises(StoreError):
        saves.rollback()  # rolling back to the previous input's savepoint would undo a finished input
    conn.rollback()
    assert _kept(conn) == []
