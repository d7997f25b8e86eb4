"""The one wrapper through which everything reads and writes the evidence store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from vendorscope.errors import StoreError
from vendorscope.store import dialect, migrate
from vendorscope.store.tables import Meta
from vendorscope.store.url import describe
from vendorscope.store.url import safe as _safe


class Store:
    """An opened, migrated evidence store (SQLite file or PostgreSQL database)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, create: bool = True, connections: int | None = None) -> Store:
        """Open (creating if needed and ``create``) and migrate the store at ``url``.

        Reading commands pass ``create=False``: a mistyped path must not answer "0 findings" from a new,
        empty store. ``connections``: how many database connections the pool keeps open once used (a server:
        one per request thread and its background threads). Past them the pool opens up to ten more and closes
        each after use, which under load is a new PostgreSQL backend, and a connect, per request.
        """
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            file = Path(url.removeprefix("sqlite:///"))
            folder = file.parent
            if not create and not file.is_file():
                raise MissingStoreError(describe(url))
            if not folder.is_dir():
                raise StoreError(f"cannot create the store: folder {folder} does not exist")
        try:
            sized = {"pool_size": connections} if connections and not url.startswith("sqlite") else {}
            engine = create_engine(url, future=True, **sized)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise StoreError(f"cannot open the store {_safe(url)}: {_one_line(exc)}") from exc
        dialect.tune(engine)
        try:
            migrate.upgrade(engine)
        except OperationalError as exc:
            raise StoreError(f"cannot open the store {_safe(url)}: {_one_line(exc.orig)}") from exc
        return cls(engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One unit of work: committed whole or rolled back whole."""
        with self.engine.begin() as conn:
            yield conn

    def get_meta(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(Meta.value).where(Meta.key == key)).scalar_one_or_none()

    def set_meta(self, conn: Connection, key: str, value: str) -> None:
        table = Meta.__table__
        conn.execute(table.delete().where(table.c.key == key))
        conn.execute(table.insert().values(key=key, value=value))

    def close(self) -> None:
        self.engine.dispose()


class MissingStoreError(StoreError):
    """A reading command pointed at a store that does not exist."""

    def __init__(self, where: str) -> None:
        super().__init__(f"no store at {where} — run `vendorscope ingest …` first or pass --db")


def _one_line(exc: object) -> str:
    """A driver's message on one line (PostgreSQL's add hints on lines of their own)."""
    return " ".join(str(exc).split())
