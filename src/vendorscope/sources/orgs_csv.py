"""The organization registry as CSV: ``id, name, kind, parent, contract, uei, cage, country``.

Rows are only read here; the registry as a whole (unique ids, parents that exist, no cycles) is
checked when it is written (``orgs/registry.py``), and a registry file goes in whole or not at all.
"""

from __future__ import annotations

from vendorscope.sources import csv_table
from vendorscope.sources.base import OrgRecord, Problem, Record

KINDS = ("agency", "office", "contractor", "subcontractor")
REQUIRED = ("id", "name", "kind")
COLUMNS = (*REQUIRED, "parent", "contract", "uei", "cage", "country")


class OrgsCsv(csv_table.CsvRecords):
    name = "orgs-csv"
    description = "organization registry (agencies, offices, contractors, subcontractors), CSV"
    required = REQUIRED
    allowed = COLUMNS

    def record(self, line: int, cells: dict[str, str]) -> Record:
        kind = cells.get("kind", "").lower()
        if not cells.get("id") or not cells.get("name"):
            return Problem(line, "id and name are required")
        if kind not in KINDS:
            return Problem(line, f"kind {cells.get('kind')!r} is not one of {', '.join(KINDS)}")
        return OrgRecord(
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
