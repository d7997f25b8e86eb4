"""vendorscope inventory as CSV: the JSONL schema's fields as columns, a header row first."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from vendorscope.sources.base import Hints, Problem, Record
from vendorscope.sources.csv_table import has_header, rows
from vendorscope.sources.inventory_row import ALL_FIELDS, REQUIRED, RowError, RowGrouper, row_to_item

METHOD = "inventory"


class InventoryCsv:
    name = "inventory-csv"
    description = "vendorscope inventory, CSV with a header row"

    def identify(self, filename: str, head: bytes) -> bool:
        return has_header(head, REQUIRED, ALL_FIELDS)

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        grouper = RowGrouper(METHOD)
        for row in rows(stream):
            if isinstance(row, Problem):
                yield row
                continue
            number, values = row
            try:
                host, item, seen_at = row_to_item(values)
            except RowError as exc:
                yield Problem(number, str(exc))
                continue
            yield from grouper.add(host, item, seen_at, number)
        yield from grouper.finish()


FORMAT = InventoryCsv()
