"""Schema migrations with Alembic, run programmatically so `vendorscope` needs no alembic.ini.

Every command opens the store, and importing Alembic costs more than the rest of a small command; so the
usual case — the schema is already at the newest revision — is checked without it: the head is read from
the migration files' ``revision``/``down_revision`` lines and compared with the ``alembic_version`` row.
Alembic is imported only to migrate (or when the files do not name exactly one head; then it decides).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from vendorscope.store.revision import MIGRATIONS, declared_head

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(url: str = "") -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest revision, as Alembic sees it."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _stored_revision(engine: Engine) -> str | None:
    """The ``alembic_version`` row, or None when there is no such table (a new store) or no single row."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:
        return None
    return rows[0] if len(rows) == 1 else None


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (a no-op when it is there)."""
    head = declared_head()
    if head is not None and _stored_revision(engine) == head:
        return
    from alembic import command

    with engine.begin() as connection:
        if current_revision(connection) == head_revision():
            return
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
