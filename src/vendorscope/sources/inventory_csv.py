"""vendorscope inventory as CSV: the JSONL schema's fields as columns, a header row first."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO

from vendorscope.sources.base import Hints, Problem, Record
from vendorscope.sources.inventory_row import ALL_FIELDS, REQUIRED, RowError, RowGrouper, row_to_item
from vendorscope.sources.reader import first_line

METHOD = "inventory"
csv.field_size_limit(1 << 20)


def _header(line: bytes) -> list[str]:
    text = line.decode("utf-8", errors="replace")
    return [cell.strip().lower() for cell in next(csv.reader([text]), [])]


class InventoryCsv:
    name = "inventory-csv"
    description = "vendorscope inventory, CSV with a header row"

    def identify(self, filename: str, head: bytes) -> bool:
        columns = _header(first_line(head))
        return all(c in columns for c in REQUIRED) and set(columns) <= set(ALL_FIELDS) | {""}

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        undecodable: set[int] = set()
        reader = csv.reader(decoded_lines(stream, undecodable))
        try:
            header = [cell.strip().lower() for cell in next(reader)]
        except StopIteration:
            return
        except csv.Error as exc:
            yield Problem(1, f"unreadable header ({exc})")
            return
        rows = RowGrouper(METHOD)
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                yield Problem(reader.line_num, f"bad CSV ({exc})")
                continue
            number = reader.line_num
            if number in undecodable:
                yield Problem(number, "not UTF-8; row skipped")
                continue
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                yield Problem(number, f"{len(cells)} columns where the header has {len(header)}")
                continue
            try:
                host, item, seen_at = row_to_item(dict(zip(header, cells, strict=True)))
            except RowError as exc:
                yield Problem(number, str(exc))
                continue
            yield from rows.add(host, item, seen_at, number)
        yield from rows.finish()


def decoded_lines(stream: IO[bytes], undecodable: set[int]) -> Iterator[str]:
    """UTF-8 lines (BOM dropped); a line that is not UTF-8 is noted by number, so one bad row costs one row."""
    for number, raw in enumerate(stream, start=1):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            undecodable.add(number)
            yield raw.decode("utf-8", errors="replace")


FORMAT = InventoryCsv()
