"""Test doubles for the respond providers: a tiny org registry and a document production with known content.

They implement the interfaces in ``vendorscope.respond.providers`` the way the orgs and records modules will,
so the package's contractors, org columns and documents can be checked against a known answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from vendorscope.respond.providers import (
    Contractor,
    HostProfile,
    OrgPath,
    ProcurementLine,
    ProductionSummary,
)
from vendorscope.respond.summary import DocumentCounts

AGENCY = OrgPath("agency", "Example Agency", "agency", ("Example Agency",), ("agency",))
OFFICE = OrgPath("office-it", "Office of IT", "office", ("Example Agency", "Office of IT"), ("agency", "office-it"))
PRIME = OrgPath("prime", "Prime Corp", "contractor", ("Example Agency", "Prime Corp"), ("agency", "prime"))
SUB = OrgPath(
    "sub", "Sub LLC", "subcontractor", ("Example Agency", "Prime Corp", "Sub LLC"), ("agency", "prime", "sub")
)
ORGS = {o.org_id: o for o in (AGENCY, OFFICE, PRIME, SUB)}
CONTRACTORS = [
    Contractor("prime", "Prime Corp", "contractor", "", ("GS-00F-0001",), "PRIMEUEI0001", "1ABC2"),
    Contractor("sub", "Sub LLC", "subcontractor", "Prime Corp", ("GS-00F-0001",), "SUBUEI000002", "3DEF4"),
    Contractor("idle", "Idle Inc", "contractor", "", ("GS-00F-0002",)),  # no finding: not in contractors.csv
]
PURCHASE = ProcurementLine(
    org_id="prime",
    contract="GS-00F-0001",
    order="ORDER-7",
    supplier="Reseller of Kaspersky Ltd",
    supplier_uei="RESELLERUEI1",
    supplier_cage="9XYZ8",
    brand="Kaspersky",
    model="KL4863",
    description="Kaspersky Endpoint Security for Business Select, 50 seats",
    identified=date(2023, 11, 22),
    vendor="kaspersky",
)


@dataclass
class StubOrgs:
    """Hosts assigned by name prefix → org; profiles by host."""

    assign: dict[str, str]
    profiles: dict[str, HostProfile] = field(default_factory=dict)
    lines: list[ProcurementLine] = field(default_factory=lambda: [PURCHASE])
    available: bool = True

    def describe(self) -> str:
        return "test registry"

    def org_of(self, host: str) -> OrgPath | None:
        org_id = self.assign.get(host)
        return ORGS[org_id] if org_id else None

    def org(self, org_id: str) -> OrgPath | None:
        return ORGS.get(org_id)

    def host_profile(self, host: str) -> HostProfile:
        return self.profiles.get(host, HostProfile())

    def contractors(self) -> list[Contractor]:
        return list(CONTRACTORS)

    def procurement(self, vendor: str) -> list[ProcurementLine]:
        return [line for line in self.lines if line.vendor == vendor]


class StubRecords:
    """Writes two known documents (a Concordance-like load file is the records module's job)."""

    available = True

    def describe(self) -> str:
        return "test records"

    def counts(self, vendor: str, since: date | None) -> DocumentCounts:
        # 40 documents searched, 3 families found: 2 documents produced, 1 privileged withheld, 1 unreadable
        return DocumentCounts(produced=2, withheld=1, searched=40, found=3, not_examined=1)

    def produce_documents(self, out_dir: Path, vendor: str, since: date | None) -> ProductionSummary | None:
        files = []
        for number, text in enumerate(("risk assessment of Kaspersky", "memo on KES removal"), start=1):
            path = out_dir / f"VS{number:06d}.txt"
            path.write_text(f"{text} (since {since})\n", encoding="utf-8")
            files.append(path)
        return ProductionSummary(len(files), out_dir, f"2 documents about {vendor} since {since}", tuple(files))
