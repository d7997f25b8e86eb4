"""What the response needs from other parts of vendorscope, as small explicit interfaces.

The response package asks three questions that other modules answer:

- **organizations** (:class:`OrgProvider`): which org a host belongs to, how sensitive it is and what
  role it plays, which contractors and subcontractors exist, and which procurement lines name a
  covered supplier;
- **documents** (:class:`DocumentProvider`): write a production of the documents assessing the
  vendor into a folder;
- nothing else: network evidence is read from the findings table (kind ``network``).

Each provider says whether it is ``available`` and, when not, ``describe()`` says why in one line for
the report. The defaults below implement the interfaces with what this build has: no organization
registry (every host "unassigned", no contractors) and no records module. They never invent data.
Wire real providers in :func:`default_providers`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from vendorscope.service import Service

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


@dataclass(frozen=True)
class ProductionSummary:
    """What a document production wrote: counts and the files, for the report and the manifest."""

    documents: int
    folder: Path
    description: str
    files: tuple[Path, ...] = field(default_factory=tuple)
    listing: tuple[dict[str, str], ...] = ()  # produced documents: bates, date, custodian, subject


@runtime_checkable
class OrgProvider(Protocol):
    available: bool

    def describe(self) -> str: ...
    def org_of(self, host: str) -> OrgPath | None: ...
    def org(self, org_id: str) -> OrgPath | None: ...
    def host_profile(self, host: str) -> HostProfile: ...
    def contractors(self) -> list[Contractor]: ...
    def procurement(self, vendor: str) -> list[ProcurementLine]: ...


@runtime_checkable
class DocumentProvider(Protocol):
    available: bool

    def describe(self) -> str: ...
    def produce_documents(self, out_dir: Path, vendor: str, since: date | None) -> ProductionSummary | None: ...


@dataclass(frozen=True)
class Providers:
    """The providers one response uses."""

    orgs: OrgProvider
    documents: DocumentProvider


class NoOrgRegistry:
    """No organization registry in this build: hosts are unassigned, profiles unknown, no contractors."""

    available = False

    def describe(self) -> str:
        return "no organization registry was ingested: hosts are not assigned to organizations, no contractors known"

    def org_of(self, host: str) -> OrgPath | None:
        return None

    def org(self, org_id: str) -> OrgPath | None:
        return None

    def host_profile(self, host: str) -> HostProfile:
        return HostProfile()

    def contractors(self) -> list[Contractor]:
        return []

    def procurement(self, vendor: str) -> list[ProcurementLine]:
        return []


class NoRecords:
    """No records module in this build: nothing to produce."""

    available = False

    def describe(self) -> str:
        return "the records module is not available: no documents were ingested, none produced"

    def produce_documents(self, out_dir: Path, vendor: str, since: date | None) -> ProductionSummary | None:
        return None


def default_providers(service: Service) -> Providers:
    """The providers for a service's store: the organization registry and the records, when ingested."""
    from vendorscope.orgs.provider import RegistryOrgs  # orgs and records build on respond's types: import late
    from vendorscope.records.provider import RecordsProduction

    registry = RegistryOrgs(service)
    records = RecordsProduction(service)
    return Providers(
        orgs=registry if registry.available else NoOrgRegistry(),
        documents=records if records.available else NoRecords(),
    )
