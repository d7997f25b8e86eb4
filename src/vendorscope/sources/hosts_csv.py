"""Host ownership as CSV: ``host, org`` and optionally ``role, sensitivity, location``."""

from __future__ import annotations

from vendorscope.sources import csv_table
from vendorscope.sources.base import HostAssignment, Problem, Record

SENSITIVITIES = ("low", "moderate", "high")
REQUIRED = ("host", "org")
COLUMNS = (*REQUIRED, "role", "sensitivity", "location")


class HostsCsv(csv_table.CsvRecords):
    name = "hosts-csv"
    description = "which organization owns which host, CSV"
    required = REQUIRED
    allowed = COLUMNS

    def record(self, line: int, cells: dict[str, str]) -> Record:
        sensitivity = cells.get("sensitivity", "").lower()
        if not cells.get("host") or not cells.get("org"):
            return Problem(line, "host and org are required")
        if sensitivity and sensitivity not in SENSITIVITIES:
            return Problem(line, f"sensitivity {cells['sensitivity']!r} is not one of {', '.join(SENSITIVITIES)}")
        return HostAssignment(
            host=cells["host"],
            org=cells["org"],
            role=cells.get("role", ""),
            sensitivity=sensitivity,
            location=cells.get("location", ""),
            line=line,
        )


FORMAT = HostsCsv()
