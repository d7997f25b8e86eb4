"""Where the evidence store lives: ``--db``, else ``VENDORSCOPE_DB``, else ``./vendorscope.db``."""

from __future__ import annotations

import os

DEFAULT_DB = "vendorscope.db"


def database_url(value: str | None = None) -> str:
    """Turn a URL or a plain file path into an SQLAlchemy URL.

    A bare path means an embedded SQLite file, so ``--db fleet.db`` just works.
    """
    raw = value or os.environ.get("VENDORSCOPE_DB") or DEFAULT_DB
    if "://" in raw:
        return raw
    return f"sqlite:///{raw}"
