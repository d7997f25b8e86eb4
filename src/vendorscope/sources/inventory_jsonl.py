"""vendorscope inventory as JSON Lines: one object a line with ``host`` and ``name``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

import orjson

from vendorscope.sources.base import Hints, Problem, Record
from vendorscope.sources.inventory_row import RowError, RowGrouper, row_to_item
from vendorscope.sources.reader import first_line

METHOD = "inventory"


class InventoryJsonl:
    name = "inventory-jsonl"
    description = "vendorscope inventory, JSON Lines"

    def identify(self, filename: str, head: bytes) -> bool:
        line = first_line(head)
        if not line.startswith(b"{"):
            return False
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            return False
        return isinstance(obj, dict) and "host" in obj and "name" in obj and "hostIdentifier" not in obj

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        rows = RowGrouper(METHOD)
        for number, raw in enumerate(stream, start=1):
            line = raw.strip()
            if not line:
                continue
            try:
                obj = orjson.loads(line)
                if not isinstance(obj, dict):
                    raise RowError("not a JSON object")
                host, item, seen_at = row_to_item(obj)
            except orjson.JSONDecodeError as exc:
                yield Problem(number, f"not valid JSON ({exc.msg})")
                continue
            except RowError as exc:
                yield Problem(number, str(exc))
                continue
            yield from rows.add(host, item, seen_at, number)
        yield from rows.finish()


FORMAT = InventoryJsonl()
