"""osqueryd result logs: event, batch and snapshot formats, one JSON object a line.

A snapshot is the host's whole list for that table (anything it no longer
shows is gone); an event or batch "removed" ends an item's presence; a batch
with ``counter`` 0 is a query's first full result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import IO, Any

import orjson

from vendorscope.sources.base import MAX_OBSERVATION_ITEMS, Hints, Item, Observation, Problem, Record
from vendorscope.sources.osquery_tables import row_converter, source_of, table_from_columns, table_from_name
from vendorscope.sources.reader import first_line

METHOD = "osquery"
_HOST_FACTS = ("os_version", "os_name", "platform", "uuid", "hardware_serial", "computer_name")


class OsqueryLog:
    name = "osquery-log"
    description = "osqueryd result log (event, batch or snapshot format)"

    def identify(self, filename: str, head: bytes) -> bool:
        line = first_line(head)
        return (
            line.startswith(b"{")
            and b'"hostIdentifier"' in line
            and (b'"snapshot"' in line or b'"columns"' in line or b'"diffResults"' in line)
        )

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        converters: dict[str, Callable[[Any], Item] | None] = {}
        pending: Observation | None = None  # consecutive event lines of one host and time, merged
        run: tuple[Any, Any, Any] = (None, None, None)  # the raw host, decorations and time pending was made of
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                yield Problem(number, f"not valid JSON ({exc.msg})")
                continue
            if not isinstance(obj, dict):
                yield Problem(number, "not a JSON object")
                continue
            try:
                if pending is not None and _continues(pending, run, obj):
                    _add_event(pending, obj, converters)
                    continue
                records = list(_line(obj, number, converters))
            except (TypeError, ValueError, AttributeError) as exc:
                records = [Problem(number, f"unexpected osquery result shape ({exc})")]
            for record in records:
                if isinstance(record, Observation) and _mergeable(pending, record):
                    pending.items.extend(record.items)  # type: ignore[union-attr]
                    pending.removed.extend(record.removed)  # type: ignore[union-attr]
                    continue
                if pending is not None:
                    yield pending
                    pending = None
                if isinstance(record, Observation) and not record.complete_sources:
                    pending = record
                    run = _run_of(obj)
                else:
                    yield record
        if pending is not None:
            yield pending


def _mergeable(pending: Observation | None, record: Observation) -> bool:
    """Event lines of one query run share host and time; one observation for them is far cheaper."""
    return (
        pending is not None
        and len(pending.items) + len(pending.removed) < MAX_OBSERVATION_ITEMS
        and not record.complete_sources
        and pending.host == record.host
        and pending.seen_at == record.seen_at
        and pending.host_facts == record.host_facts
    )


def _run_of(obj: dict[str, Any]) -> tuple[Any, Any, Any]:
    """What an event line's host, facts and time are made of."""
    return obj.get("hostIdentifier"), obj.get("decorations"), obj.get("unixTime")


def _continues(pending: Observation, run: tuple[Any, Any, Any], obj: dict[str, Any]) -> bool:
    """An event line with the very host, decorations and time of ``pending``'s: its observation would be merged
    into ``pending`` (``_mergeable``), so its items go there without making one (most lines of an event log)."""
    return (
        obj.get("action") in ("added", "removed")
        and "diffResults" not in obj
        and len(pending.items) + len(pending.removed) < MAX_OBSERVATION_ITEMS
        and _run_of(obj) == run
    )


def _add_event(pending: Observation, obj: dict[str, Any], converters: dict[str, Any]) -> None:
    items = _convert([obj.get("columns") or {}], str(obj.get("name") or ""), converters)
    (pending.items if obj["action"] == "added" else pending.removed).extend(items)


def _line(obj: dict[str, Any], number: int, converters: dict[str, Any]) -> Iterator[Record]:
    decorations = obj.get("decorations") or {}
    host = str(decorations.get("hostname") or obj.get("hostIdentifier") or "").strip()
    if not host:
        yield Problem(number, "no hostIdentifier")
        return
    query = str(obj.get("name") or "")
    when = _time(obj)
    facts = {k: str(decorations[k]) for k in _HOST_FACTS if decorations.get(k)}
    if obj.get("hostIdentifier") and str(obj["hostIdentifier"]) != host:
        facts["osquery_host_identifier"] = str(obj["hostIdentifier"])
    obs = Observation(host=host, seen_at=when, method=METHOD, line=number, host_facts=facts)
    action = obj.get("action")
    if action == "snapshot":
        rows = obj.get("snapshot") or []
        obs.items = _convert(rows, query, converters)
        table = _table(query, rows)
        obs.complete_sources = (table,) if table else ()
    elif "diffResults" in obj:
        diff = obj["diffResults"] or {}
        obs.items = _convert(diff.get("added") or [], query, converters)
        obs.removed = _convert(diff.get("removed") or [], query, converters)
        table = _table(query, diff.get("added") or diff.get("removed") or [])
        if str(obj.get("counter", "")) == "0" and table:
            obs.complete_sources = (table,)
    elif action in ("added", "removed"):
        items = _convert([obj.get("columns") or {}], query, converters)
        if action == "added":
            obs.items = items
        else:
            obs.removed = items
    else:
        yield Problem(number, f"unknown osquery action {action!r}")
        return
    yield obs


def _convert(rows: list[Any], query: str, converters: dict[str, Any]) -> list[Item]:
    if not rows:
        return []
    if query not in converters or converters[query] is None:
        converters[query] = row_converter(query, rows[0])
    convert = converters[query]
    if convert is None:
        return []  # a table that says nothing about software (e.g. uptime)
    items = []
    for row in rows:
        item = convert(row)
        if item.name:
            items.append(item)
    return items


def _table(query: str, rows: list[Any]) -> str | None:
    table = table_from_name(query) or (table_from_columns(rows[0].keys()) if rows else None)
    if table is None:
        return None
    return source_of(table)


def _time(obj: dict[str, Any]) -> datetime | None:
    value = obj.get("unixTime")
    if value in (None, ""):
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


FORMAT = OsqueryLog()
