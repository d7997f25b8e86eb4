"""How a store's URL is shown: the SQLite file's path, or the URL without its password (no SQLAlchemy needed)."""

from __future__ import annotations

from pathlib import Path


def describe(url: str) -> str:
    """The store as a person names it: the SQLite file's path, or the URL without its password."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        path = url.removeprefix("sqlite:///")
        return path if Path(path).is_absolute() or path.startswith(".") else f"./{path}"
    return safe(url)


def safe(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}@{host}"
    return url
