"""CSV exports of asset-management tools, read through a column mapping (field → column).

SCCM/MECM, Intune and ``--map`` differ only in which columns hold the host, the
program's name, publisher and version; this module reads any of them. Exports
from Windows tools come in UTF-16 (with a byte-order mark) or in UTF-8; a line
that is not UTF-8 is read as Windows-1252, the console's export encoding.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from typing import IO

from vendorscope.sources.base import MAX_OBSERVATION_ITEMS, TITLE_FIELDS, Hints, Item, Observation, Problem, Record
from vendorscope.sources.inventory_row import MAX_FIELD, RowError, parse_time
from vendorscope.sources.reader import peek

FIELDS = ("host", *TITLE_FIELDS, "seen_at", "address")
csv.field_size_limit(1 << 20)


def header_of(head: bytes) -> list[str]:
    """The first row's cells of a (UTF-8 or UTF-16) CSV head, stripped; detection asks for the same head's
    header once per CSV format, so the last head's is kept (by identity: the head is held, so never reused)."""
    global _last_header
    last_head, header = _last_header
    if head is not last_head:
        header = _header_of(head)
        _last_header = (head, header)
    return list(header)


_last_header: tuple[bytes, list[str]] = (b"", [])


def first_text_line(head: bytes) -> str:
    """The first non-blank line of a (UTF-8 or UTF-16) head, decoded: ``text.splitlines()``'s first non-blank
    line, found without splitting the whole head (two formats ask for it on every head detection tries them on:
    splitting ~20 KB of JSON for its first line was most of their cost). The last head's is kept, by identity."""
    global _last_line
    last_head, line = _last_line
    if head is not last_head:
        line = next((m.group() for m in _LINE.finditer(_decode_head(head)) if m.group().strip()), "")
        _last_line = (head, line)
    return line


_LINE = re.compile("[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")  # what str.splitlines splits on, excluded
_last_line: tuple[bytes, str] = (b"", "")


def _header_of(head: bytes) -> list[str]:
    line = first_text_line(head)
    try:
        return [cell.strip() for cell in next(csv.reader([line]), [])]
    except csv.Error:
        return []


def _decode_head(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head[: len(head) - len(head) % 2].decode("utf-16", errors="replace")
    return head.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="replace")


def pick(header: list[str], *candidates: str) -> str:
    """The first candidate column present in the header (case-insensitive), as the header spells it."""
    lowered = {h.lower(): h for h in header}
    return next((lowered[c.lower()] for c in candidates if c.lower() in lowered), "")


def text_lines(stream: IO[bytes]) -> Iterator[str]:
    """Decoded lines, whatever the export's encoding."""
    if peek(stream, 2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        yield from io.TextIOWrapper(stream, encoding="utf-16", errors="replace", newline="")  # type: ignore[type-var]
        return
    for number, raw in enumerate(stream):
        if number == 0:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            yield raw.decode("cp1252", errors="replace")


def read_mapped(
    stream: IO[bytes], columns: dict[str, str], method: str, hints: Hints, default_host: str = ""
) -> Iterator[Record]:
    """Rows → observations, one per run of rows of the same host. ``columns`` maps field → column."""
    reader = csv.reader(text_lines(stream))
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        yield Problem(1, f"unreadable header ({exc})")
        return
    missing = [c for c in columns.values() if c not in header]
    if missing:
        yield Problem(1, f"column(s) {', '.join(map(repr, missing))} not in the header")
        return
    where = {name: header.index(col) for name, col in columns.items()}
    current: Observation | None = None
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Problem(reader.line_num, f"bad CSV ({exc})")
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            yield Problem(reader.line_num, f"{len(cells)} columns where the header has {len(header)}")
            continue
        try:
            host, item, seen_at, facts = _row(cells, where, hints, default_host)
        except RowError as exc:
            yield Problem(reader.line_num, str(exc))
            continue
        if (
            current is None
            or current.host != host
            or current.seen_at != seen_at
            or len(current.items) >= MAX_OBSERVATION_ITEMS
        ):
            if current is not None:
                yield current
            current = Observation(host=host, seen_at=seen_at, method=method, line=reader.line_num, host_facts=facts)
        current.items.append(item)
    if current is not None:
        yield current


def _row(
    cells: list[str], where: dict[str, int], hints: Hints, default_host: str
) -> tuple[str, Item, object, dict[str, str]]:
    values = {name: cells[i].strip() for name, i in where.items()}
    for name, value in values.items():
        if len(value) > MAX_FIELD:
            raise RowError(f"field {name!r} is longer than {MAX_FIELD} characters")
    host = values.pop("host", "") or hints.host or default_host
    if not host:
        raise RowError("no host in this row (map a host column or give --host)")
    if not values.get("name"):
        raise RowError("missing program name")
    seen_at = parse_time(values.pop("seen_at", ""))
    address = values.pop("address", "")
    values.setdefault("source", "programs")
    values["source"] = values["source"] or "programs"
    facts = {"addresses": address} if address else {}
    return host, Item(**values), seen_at, facts
