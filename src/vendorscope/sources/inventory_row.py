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


def row_to_item(row: dict[str, object]) -> tuple[str, Item, datetime | None]:
    """Validate one row and make its host, item and optional observation time.

    A fleet repeats a few thousand titles over millions of rows: a row whose title fields are all text (or
    absent) and were made into an item before takes that item (the same checks passed for the same values).
    """
    get = row.get
    raw = tuple(map(get, TITLE_FIELDS))
    known = _ITEMS.get(raw) if _TEXT.issuperset(map(type, raw)) else None
    if known is None:
        return _row_to_item(row)
    host = _text("host", get("host"))
    when = _text("seen_at", get("seen_at"))
    if not host:
        raise RowError("missing required field 'host'")
    return host, known, _time_of(when)


_TEXT = frozenset({str, type(None)})
_ITEMS: dict[tuple[object, ...], Item] = {}
_MAX_ITEMS = 200_000  # past it the memory starts over


def _text(name: str, value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise RowError(f"field {name!r} must be a string, not {type(value).__name__}")
    text = str(value).strip()
    if len(text) > MAX_FIELD:
        raise RowError(f"field {name!r} is longer than {MAX_FIELD} characters")
    return text


def _row_to_item(row: dict[str, object]) -> tuple[str, Item, datetime | None]:
    values: dict[str, str] = {}
    for name in ALL_FIELDS:
        value = row.get(name)
        if value is None:
            continue
        values[name] = _text(name, value)
    for name in REQUIRED:
        if not values.get(name):
            raise RowError(f"missing required field {name!r}")
    seen_at = _time_of(values.pop("seen_at", ""))
    host = values.pop("host")
    item = Item(**values)
    raw = tuple(map(row.get, TITLE_FIELDS))
    if _TEXT.issuperset(map(type, raw)):
        if len(_ITEMS) >= _MAX_ITEMS:
            _ITEMS.clear()
        _ITEMS[raw] = item
    return host, item, seen_at


_last_time: tuple[str, datetime | None] = ("", None)


def _time_of(text: str) -> datetime | None:
    """``parse_time``, once for a run of rows with the same time."""
    global _last_time
    last = _last_time  # read once: another thread may replace it
    if text != last[0]:
        last = _last_time = (text, parse_time(text))
    return last[1]


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
