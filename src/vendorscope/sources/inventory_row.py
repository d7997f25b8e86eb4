"""The vendorscope inventory schema, shared by its JSONL and CSV forms (docs/formats.md)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from vendorscope.sources.base import MAX_OBSERVATION_ITEMS, TITLE_FIELDS, Item, Observation

REQUIRED = ("host", "name")
OPTIONAL = (*TITLE_FIELDS[1:], "seen_at")
ALL_FIELDS = ("host", *TITLE_FIELDS, "seen_at")
MAX_FIELD = 4096


class RowError(ValueError):
    """A row that breaks the schema; the message says which field."""


_FIELDS = frozenset(ALL_FIELDS)


def row_to_item(row: dict[str, object]) -> tuple[str, Item, datetime | None]:
    """Validate one row and make its host, item and optional observation time.

    The usual row (text values, within bounds) takes one pass over its own keys; any other goes through
    ``_checked_row``, whose first complaint (in the schema's field order) is the one reported.
    """
    values: dict[str, str] = {}
    for name, value in row.items():
        if name in _FIELDS and value is not None:
            if type(value) is not str or len(value) > MAX_FIELD:
                return _checked_row(row)
            values[name] = value.strip()
    if not values.get("host") or not values.get("name"):
        return _checked_row(row)
    seen_at = parse_time(values.pop("seen_at", ""))
    host = values.pop("host")
    return host, Item(**values), seen_at


def _checked_row(row: dict[str, object]) -> tuple[str, Item, datetime | None]:
    values: dict[str, str] = {}
    for name in ALL_FIELDS:
        value = row.get(name)
        if value is None:
            continue
        if not isinstance(value, str | int | float):
            raise RowError(f"field {name!r} must be a string, not {type(value).__name__}")
        text = str(value).strip()
        if len(text) > MAX_FIELD:
            raise RowError(f"field {name!r} is longer than {MAX_FIELD} characters")
        values[name] = text
    for name in REQUIRED:
        if not values.get(name):
            raise RowError(f"missing required field {name!r}")
    seen_at = parse_time(values.pop("seen_at", ""))
    host = values.pop("host")
    return host, Item(**values), seen_at


def parse_time(text: str) -> datetime | None:
    """ISO 8601 (with or without zone) or Unix seconds, as naive UTC."""
    if not text:
        return None
    try:
        if text.replace(".", "", 1).isdigit():
            return datetime.fromtimestamp(float(text), UTC).replace(tzinfo=None)
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError) as exc:
        raise RowError(f"bad time {text!r}") from exc
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when


class RowGrouper:
    """Consecutive rows of one host and time become one observation (far cheaper than one per row)."""

    def __init__(self, method: str) -> None:
        self.method = method
        self.current: Observation | None = None

    def add(self, host: str, item: Item, seen_at: datetime | None, line: int) -> Iterator[Observation]:
        current = self.current
        if (
            current is None
            or current.host != host
            or current.seen_at != seen_at
            or len(current.items) >= MAX_OBSERVATION_ITEMS
        ):
            if current is not None:
                yield current
            current = self.current = Observation(host=host, seen_at=seen_at, method=self.method, line=line)
        current.items.append(item)

    def finish(self) -> Iterator[Observation]:
        if self.current is not None:
            yield self.current
            self.current = None
