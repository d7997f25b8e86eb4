"""App lists exported by MDMs (Intune, Jamf, Workspace ONE…) as CSV or a JSON array of objects.

Columns are found by their usual names or by ``ingest --map field=Column,...`` (fields: host, name,
identifier, version, publisher, platform). Exports are additive: an MDM report may be filtered.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO, Any

import orjson

from vendorscope.collect.mobile import looks_like_mdm, mdm_item, resolve_columns
from vendorscope.errors import InputError
from vendorscope.sources.base import Hints, Observation, Problem, Record
from vendorscope.sources.reader import first_line, read_bounded

METHOD = "mdm"


class MdmApps:
    name = "mdm-apps"
    description = "MDM app inventory export (CSV or JSON array)"

    def identify(self, filename: str, head: bytes) -> bool:
        line = first_line(head)
        if line.startswith(b"["):
            keys = _first_object_keys(head)
            return bool(keys) and looks_like_mdm(keys)
        try:
            header = next(csv.reader([line.decode("utf-8", errors="replace")]))
        except (csv.Error, StopIteration):
            return False
        return looks_like_mdm(header)

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        try:
            data = read_bounded(stream, filename).removeprefix(b"\xef\xbb\xbf")
        except InputError as exc:
            yield Problem(0, str(exc).removeprefix(f"{filename}: "))
            return
        rows = _json_rows(data) if data.lstrip().startswith(b"[") else _csv_rows(data)
        if isinstance(rows, str):
            yield Problem(0, rows)
            return
        yield from _observations(rows, hints)


def _observations(rows: list[tuple[int, dict[str, Any]]], hints: Hints) -> Iterator[Record]:
    header = list(rows[0][1]) if rows else []
    columns = resolve_columns(header, hints.mapping)
    by_host: dict[str, Observation] = {}
    for number, row in rows:
        found = mdm_item(row, columns)
        if isinstance(found, str):
            yield Problem(number, found)
            continue
        host, item = found
        by_host.setdefault(host.lower(), Observation(host=host, method=METHOD, line=number)).items.append(item)
    yield from by_host.values()


def _csv_rows(data: bytes) -> list[tuple[int, dict[str, Any]]] | str:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8", errors="replace"), newline=""))
    try:
        # cells past the header's columns come under the key None: not a column (found by fuzzing)
        return [(reader.line_num, {k: v for k, v in row.items() if k is not None}) for row in reader]
    except csv.Error as exc:
        return f"unreadable CSV at line {reader.line_num} ({exc})"


def _json_rows(data: bytes) -> list[tuple[int, dict[str, Any]]] | str:
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return f"not valid JSON ({exc.msg})"
    if not isinstance(doc, list):
        return "expected a JSON array of objects"
    return [(index, row) for index, row in enumerate(doc, start=1) if isinstance(row, dict)]


def _first_object_keys(head: bytes) -> list[str]:
    start, end = head.find(b"{"), head.find(b"}")
    try:
        obj = orjson.loads(head[start : end + 1]) if 0 <= start < end else None
    except orjson.JSONDecodeError:
        return []
    return list(obj) if isinstance(obj, dict) else []


FORMAT = MdmApps()
