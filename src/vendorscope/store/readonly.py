"""An SQLite store opened read-only with the standard library's sqlite3, for listing commands.

Importing SQLAlchemy and building the ORM models costs a short command most of its start-up (time and
memory, docs/benchmarks.md "Start-up"). A listing of an embedded store whose schema is current needs
neither: it opens the file read-only (never creating or migrating it) and runs plain SQL. Anything else —
PostgreSQL, a missing file, a schema to migrate — returns None and goes through ``Store.open``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from vendorscope.store.revision import declared_head

META_TABLE = "store_meta"


def open_readonly(url: str) -> sqlite3.Connection | None:
    """The SQLite file of ``url`` opened read-only when its schema is at the newest revision; else None."""
    if not url.startswith("sqlite:///") or url.startswith("sqlite:///:memory:"):
        return None
    path = Path(url.removeprefix("sqlite:///"))
    head = declared_head()
    if head is None or not path.is_file():
        return None
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA busy_timeout=30000")
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        rows = []
    if rows != [(head,)]:
        conn.close()
        return None
    return conn


def meta(conn: sqlite3.Connection, key: str) -> str | None:
    """One ``store_meta`` value (Store.get_meta without SQLAlchemy)."""
    row = conn.execute(f"SELECT value FROM {META_TABLE} WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None
