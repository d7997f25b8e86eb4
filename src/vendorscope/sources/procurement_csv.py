"""Purchase and contract line items as CSV: ``date, org, supplier, description, part, amount, contract, order``.

Only ``org``, ``supplier`` and ``description`` are required; other columns of an export are ignored.
The part number may be headed ``part``, ``part_number``, ``sku`` or ``part/sku number``.
"""

from __future__ import annotations

from datetime import date

from vendorscope.sources import csv_table
from vendorscope.sources.base import Problem, ProcurementLine, Record

REQUIRED = ("org", "supplier", "description")
PART_COLUMNS = ("part", "part_number", "sku", "part_sku_number", "part_sku", "mpn")
ORDER_COLUMNS = ("order", "order_number", "order_no")


class ProcurementCsv(csv_table.CsvRecords):
    name = "procurement-csv"
    description = "purchase and contract line items, CSV"
    required = REQUIRED

    def record(self, line: int, cells: dict[str, str]) -> Record:
        when = cells.get("date", "")
        if not cells.get("org") or not (cells.get("supplier") or cells.get("description")):
            return Problem(line, "org and a supplier or a description are required")
        if when:
            try:
                when = date.fromisoformat(when[:10]).isoformat()
            except ValueError:
                return Problem(line, f"date {when!r} is not an ISO date (YYYY-MM-DD)")
        return ProcurementLine(
            org=cells["org"],
            supplier=cells.get("supplier", ""),
            description=cells.get("description", ""),
            date=when,
            part=_first(cells, PART_COLUMNS),
            amount=cells.get("amount", ""),
            contract=cells.get("contract", ""),
            order=_first(cells, ORDER_COLUMNS),
            line=line,
        )


def _first(cells: dict[str, str], names: tuple[str, ...]) -> str:
    return next((cells[n] for n in names if cells.get(n)), "")


FORMAT = ProcurementCsv()
