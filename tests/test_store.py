"""The store: migrations apply cleanly and match the models, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from vendorscope.errors import StoreError
from vendorscope.store import migrate
from vendorscope.store.store import Store
from vendorscope.store.tables import Base


def test_migrations_match_models(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        with store.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.head_revision()
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        assert set(inspect(store.engine).get_table_names()) >= {t.name for t in Base.metadata.sorted_tables}
    finally:
        store.close()


def test_the_quick_head_is_alembics_head() -> None:
    """Opening a current store skips Alembic by reading the head from the files; it must be Alembic's head."""
    assert migrate.declared_head() == migrate.head_revision()


def test_an_old_store_is_still_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        config = migrate.alembic_config()
        config.attributes["connection"] = conn
        from alembic import command

        command.upgrade(config, "0001")
    engine.dispose()
    store = Store.open(url)
    with store.engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()
    store.close()


def test_opening_twice_is_harmless(db_url: str) -> None:
    Store.open(db_url).close()
    Store.open(db_url).close()


def test_store_in_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(f"sqlite:///{tmp_path / 'nope' / 'x.db'}")


def test_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(StoreError) as info:
        Store.open("postgresql+psycopg://u:secret@127.0.0.1:1/x")
    assert "cannot open the store postgresql+psycopg://u@127.0.0.1:1/x" in str(info.value)
    assert "secret" not in str(info.value) and "\n" not in str(info.value)


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    store.close()
    create_engine(f"sqlite:///{tmp_path / 's.db'}").dispose()
