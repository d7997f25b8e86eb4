"""The longest text a bounded column keeps, read from the tables' own types.

SQLite keeps a value of any length in a ``VARCHAR(n)`` column; PostgreSQL refuses it, and with it the statement's
whole batch of rows. Input is checked against these widths before it reaches the store, so both stores keep the
same rows and a too-long field costs one record a problem, never the batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import InstrumentedAttribute


def width(column: InstrumentedAttribute[Any]) -> int:
    """The column's declared length; 0 for unbounded text."""
    kind = column.property.columns[0].type
    return (kind.length or 0) if isinstance(kind, String) else 0


def too_long(fields: Iterable[tuple[str, str, int]]) -> str:
    """'' when every (name, value, width) fits, else the fields that do not, for a problem's message."""
    over = [f"{name} ({len(value):,} characters, at most {most})" for name, value, most in fields if len(value) > most]
    return "" if not over else "longer than the store keeps: " + ", ".join(over)
