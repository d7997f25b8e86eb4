"""The organization registry as CSV: ``id, name, kind, parent, contract, uei, cage, country``.

Rows are only read here; the registry as a whole (unique ids, parents that exist, no cycles) is
checked when it is written (``orgs/registry.py``), and a registry file goes in whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from vendorscope.sources import csv_table
from vendorscope.sources.base import Hints, OrgRecord, Problem, Record

KINDS = ("agency", "office", "contractor", "subcontractor")
REQUIRED = ("id", "name", "kind")
COLUMNS = (*REQUIRED, "parent", "contract", "uei", "cage", "country")


class OrgsCsv:
    name = "orgs-csv"
    description = "organization registry (agencies, offices, contractors, subcontractors), CSV"

    def identify(self, filename: str, head: bytes) -> bool:
        return csv_table.has_header(head, REQUIRED, COLUMNS)

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        for row in csv_table.rows(stream):
            if isinstance(row, Problem):
                yield row
                continue
            line, cells = row
            kind = cells.get("kind", "").lower()
            if not cells.get("id") or not cells.get("name"):
                yield Problem(line, "id and name are required")
            elif kind not in KINDS:
                yield Problem(line, f"kind {cells.get('kind')!r} is not one of {', '.join(KINDS)}")
            else:
                yield OrgRecord(
                    key=cells["id"],
                    name=cells["name"],
                    kind=kind,
                    parent=cells.get("parent", ""),
                    contracts=tuple(c.strip() for c in cells.get("contract", "").split(";") if c.strip()),
                    uei=cells.get("uei", "").upper(),
                    cage=cells.get("cage", "").upper(),
                    country=cells.get("country", "").upper(),
                    line=line,
                )


FORMAT = OrgsCsv()
