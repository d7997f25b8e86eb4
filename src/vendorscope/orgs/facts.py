"""What the organizations say, as a response reads them: a host's org and profile, contractors, purchases.

Plain values, defined here with the organizations (orgs/provider.py fills them from the registry); the
response (respond/providers.py) names them in its interfaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

UNASSIGNED = "unassigned"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class OrgPath:
    """An organization and its ancestors, top first: ("agency", "office") or ("agency", "prime", "sub")."""

    org_id: str
    name: str
    kind: str  # agency | office | contractor | subcontractor
    path: tuple[str, ...]  # names from the top organization down to this one
    ids: tuple[str, ...] = ()  # org ids along the same path

    @property
    def text(self) -> str:
        return " / ".join(self.path)


@dataclass(frozen=True)
class HostProfile:
    """How much a host matters: sensitivity (high | moderate | low | unknown) and role (server, workstation…)."""

    sensitivity: str = UNKNOWN
    role: str = UNKNOWN


@dataclass(frozen=True)
class Contractor:
    """A contractor or subcontractor organization, with its prime and contracts."""

    org_id: str
    name: str
    kind: str  # contractor | subcontractor
    prime: str = ""  # name of the prime contractor (for a subcontractor)
    contracts: tuple[str, ...] = ()
    uei: str = ""
    cage: str = ""


@dataclass(frozen=True)
class ProcurementLine:
    """A purchase that names a covered supplier or brand (FAR 52.204-23/-25 report material)."""

    org_id: str  # who bought it
    contract: str
    order: str
    supplier: str
    supplier_uei: str = ""
    supplier_cage: str = ""
    brand: str = ""
    model: str = ""  # model or part number
    description: str = ""
    identified: date | None = None
    vendor: str = ""
