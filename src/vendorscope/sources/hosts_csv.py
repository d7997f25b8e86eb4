"""Host ownership as CSV: ``host, org`` and optionally ``role, sensitivity, location``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from vendorscope.sources import csv_table
from vendorscope.sources.base import Hints, HostAssignment, Problem, Record

SENSITIVITIES = ("low", "moderate", "high")
REQUIRED = ("host", "org")
COLUMNS = (*REQUIRED, "role", "sensitivity", "location")


class HostsCsv:
    name = "hosts-csv"
    description = "which organization owns which host, CSV"

    def identify(self, filename: str, head: bytes) -> bool:
        return csv_table.has_header(head, REQUIRED, COLUMNS)

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        for row in csv_table.rows(stream):
            if isinstance(row, Problem):
                yield row
                continue
            line, cells = row
            sensitivity = cells.get("sensitivity", "").lower()
            if not cells.get("host") or not cells.get("org"):
                yield Problem(line, "host and org are required")
            elif sensitivity and sensitivity not in SENSITIVITIES:
                yield Problem(line, f"sensitivity {cells['sensitivity']!r} is not one of {', '.join(SENSITIVITIES)}")
            else:
                yield HostAssignment(
                    host=cells["host"],
                    org=cells["org"],
                    role=cells.get("role", ""),
                    sensitivity=sensitivity,
                    location=cells.get("location", ""),
                    line=line,
                )


FORMAT = HostsCsv()
